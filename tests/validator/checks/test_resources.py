"""The resources family: OJ505–OJ509 and OJ511 (LANGUAGE.md §6.4, §3.3, §3.7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ojlang.api import CheckReport, check
from ojlang.parser.tomltree import TTable
from ojlang.validator.checker import CheckOptions
from ojlang.validator.checks.resources import can_wait_forever

CODES = ("OJ505", "OJ506", "OJ507", "OJ508", "OJ509", "OJ511")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    (project / "runbooks").mkdir(parents=True)
    return project


def run(root: Path, **runbooks: str) -> CheckReport:
    for name, text in runbooks.items():
        (root / "runbooks" / f"{name}.toml").write_text(text, encoding="utf-8")
    return check(cwd=root, options=CheckOptions(shellcheck=False))


def codes(report: CheckReport) -> list[tuple[str, str, int, int]]:
    return [
        (d.code, d.runbook or "", d.span.line, d.span.col)
        for d in report.diagnostics
        if d.code in CODES
    ]


WORKER = '[queue.q]\n\n[worker.w]\nqueue = "q"\nhandler = "{handler}"\nconcurrency = 3\n'


def test_oversubscribed_names_the_tightest_semaphore(root: Path) -> None:
    text = WORKER.format(handler="p") + (
        '[pipeline.p]\nphase = [\n  { name = "a", run = "x", semaphore = "wide" },\n'
        '  { name = "b", run = "x", semaphore = "narrow" },\n]\n'
        "[semaphore.wide]\nmax = 2\n[semaphore.narrow]\nmax = 1\n"
    )
    report = run(root, main=text)
    (d,) = [d for d in report.diagnostics if d.code == "OJ505"]
    assert d.message == "worker `w` runs 3 items at once but semaphore `narrow` has `max = 1`"
    assert d.help == "lower `concurrency` to 1, or raise `max` of semaphore `narrow`"


def test_oversubscribed_follows_a_handler_in_another_runbook(root: Path) -> None:
    other = '[pipeline.p]\nphase = [{ name = "a", run = "x", semaphore = "s" }]\n[semaphore.s]\n'
    report = run(root, main=WORKER.format(handler="other.pipeline.p"), other=other)
    assert codes(report) == [("OJ505", "main", 6, 15)]
    (d,) = [d for d in report.diagnostics if d.code == "OJ505"]
    assert d.labels == ()  # the semaphore is in another file


def test_task_handler_has_no_semaphore(root: Path) -> None:
    report = run(root, main=WORKER.format(handler="t") + '[task.t]\nprompt = "x"\n')
    assert codes(report) == []


def test_lock_in_another_runbook_has_no_secondary_label(root: Path) -> None:
    main = (
        '[pipeline.p]\nphase = [{ name = "a", task = "t", lock = "main_branch" }]\n'
        '[task.t]\nprompt = "x"\n'
    )
    report = run(root, main=main, common="[lock.main_branch]\n")
    (d,) = [d for d in report.diagnostics if d.code == "OJ506"]
    assert d.runbook == "main" and d.labels == ()


def test_phase_timeout_equal_to_the_task_is_fine(root: Path) -> None:
    main = (
        '[pipeline.p]\nphase = [{ name = "a", task = "t", timeout = "30m" }]\n'
        '[task.t]\nprompt = "x"\n'
    )
    assert codes(run(root, main=main)) == []


def test_invalid_durations_are_left_to_oj401(root: Path) -> None:
    main = (
        '[pipeline.p]\nphase = [{ name = "a", task = "t", timeout = "1 hourz" }]\n'
        '[task.t]\nprompt = "x"\ntimeout = "3h"\n'
        '[cron.c]\ninterval = "5 secz"\nenabled = true\nrun = "x"\n'
    )
    report = run(root, main=main)
    assert codes(report) == []
    assert {d.code for d in report.diagnostics} >= {"OJ401"}


def test_guard_used_by_no_phase_is_not_oj509(root: Path) -> None:
    report = run(root, main='[guard.g]\ncondition = "true"\n')
    assert codes(report) == []


def test_guard_with_retry_but_no_max_can_wait_forever(root: Path) -> None:
    main = (
        '[pipeline.p]\nphase = [{ name = "a", run = "x", pre = ["g"] }]\n'
        '[guard.g]\ncondition = "true"\nretry = { interval = "1m" }\n'
    )
    assert codes(run(root, main=main)) == [("OJ509", "main", 3, 8)]


def test_guard_under_a_lock_is_reported_once(root: Path) -> None:
    main = (
        "[pipeline.p]\nphase = [\n"
        '  { name = "a", run = "x", lock = "l", semaphore = "s", post = ["g"] },\n'
        '  { name = "b", run = "x", pre = ["g"] },\n]\n'
        '[lock.l]\n[semaphore.s]\n[guard.g]\ncondition = "true"\n'
    )
    report = run(root, main=main)
    assert codes(report) == [("OJ511", "main", 3, 65)]
    (d,) = [d for d in report.diagnostics if d.code == "OJ511"]
    assert d.message == "guard `g` can hold lock `l` forever"


def test_unresolved_reference_suppresses_resource_checks(root: Path) -> None:
    main = (
        '[pipeline.p]\nphase = [{ name = "a", task = "t", timeout = "1m", lock = "nope" }]\n'
        '[task.t]\nprompt = "x"\n'
    )
    report = run(root, main=main)
    assert codes(report) == []
    assert "OJ202" in {d.code for d in report.diagnostics}


def test_can_wait_forever_needs_both_limits_absent() -> None:
    from ojlang.loader import load_text
    from ojlang.parser import ast
    from ojlang.project import Origin, RunbookFile

    text = (
        '[guard.a]\ncondition = "x"\n'
        '[guard.b]\ncondition = "x"\ntimeout = "1h"\n'
        '[guard.c]\ncondition = "x"\n[guard.c.retry]\nmax = 2\n'
        '[guard.d]\ncondition = "x"\nretry = { interval = "5s" }\n'
    )
    file = RunbookFile(Path("/p/g.toml"), "g.toml", Origin.PROJECT)
    runbook = load_text(text.encode(), file).runbook
    assert runbook is not None
    guards = runbook.of("guard")
    waits = {}
    for name, node in guards.items():
        assert isinstance(node, ast.Guard) and isinstance(node.table, TTable)
        waits[name] = can_wait_forever(node)
    assert waits == {"a": True, "b": False, "c": False, "d": True}
