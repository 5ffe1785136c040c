"""The style family: OJ901 shadowed runbooks, OJ902 unused definitions, OJ903, OJ904, OJ906."""

from __future__ import annotations

from pathlib import Path

import pytest

from ojlang.api import CheckReport, check
from ojlang.validator.checker import CheckOptions
from ojlang.validator.checks.style import edit_distance

CODES = ("OJ901", "OJ902", "OJ903", "OJ904", "OJ906")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    (project / "runbooks").mkdir(parents=True)
    return project


def write(base: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def run(root: Path, paths: tuple[str, ...] = (), *, everything: bool = False) -> CheckReport:
    return check(list(paths), cwd=root, options=CheckOptions(shellcheck=False, all=everything))


def codes(report: CheckReport) -> list[tuple[str, str, int, int]]:
    return [
        (d.code, d.path, d.span.line, d.span.col) for d in report.diagnostics if d.code in CODES
    ]


SHIP = '[command.ship]\nrun = "make ship"\n'


def test_shadowing_the_user_library(root: Path) -> None:
    library = root.parent / "xdg" / "oj" / "runbooks"
    write(library, {"ship.toml": SHIP})
    write(root, {"runbooks/ship.toml": SHIP})
    report = run(root)
    assert codes(report) == [("OJ901", "runbooks/ship.toml", 1, 1)]
    (d,) = report.diagnostics
    assert d.message == "runbook `ship` shadows `ship` from the user library"
    shadowed = (library / "ship.toml").as_posix()
    assert d.label == f"shadows `{shadowed}`"
    assert d.notes == (f"`{shadowed}` is not loaded at all",)


def test_shadowing_is_reported_for_a_named_file(root: Path) -> None:
    write(root, {"runbooks/ship.toml": SHIP, ".oj/runbooks/ship.toml": SHIP})
    report = run(root, ("runbooks/ship.toml",))
    assert codes(report) == [("OJ901", "runbooks/ship.toml", 1, 1)]


def test_a_shadowing_library_runbook_is_not_reported_by_default(root: Path) -> None:
    library = root.parent / "xdg" / "oj" / "runbooks"
    write(library, {"ship.toml": SHIP})
    (root / ".oj" / "runbooks").mkdir(parents=True)
    assert codes(run(root)) == []


def test_library_runbooks_are_exempt_from_unused_and_disabled(root: Path) -> None:
    library = root.parent / "xdg" / "oj" / "runbooks"
    lib = '[guard.g]\ncondition = "true"\n[cron.c]\ninterval = "1h"\nrun = "x"\n'
    write(library, {"lib.toml": lib})
    assert codes(run(root, everything=True)) == []


def test_definitions_used_from_another_runbook(root: Path) -> None:
    common = '[task.review]\nprompt = "Review."\n[guard.g]\ncondition = "true"\ntimeout = "1h"\n'
    main = (
        "[pipeline.p]\nphase = [\n"
        '  { name = "a", task = "common.task.review", pre = ["common.guard.g"] },\n]\n'
    )
    write(root, {"runbooks/common.toml": common, "runbooks/main.toml": main})
    assert codes(run(root)) == []


def test_verbs_do_not_count_as_actions(root: Path) -> None:
    main = (
        '[watcher.w]\ncheck_interval = "5m"\nresponse = ["notify", "escalate"]\n'
        '[action.notify_team]\ncooldown = "1m"\ncommand = "x"\n'
    )
    write(root, {"runbooks/main.toml": main})
    assert codes(run(root)) == [("OJ902", "runbooks/main.toml", 4, 9)]


def test_qualified_trigger_marks_only_that_runbook(root: Path) -> None:
    action = '[action.bump]\ncooldown = "1m"\ncommand = "x"\n'
    trigger = '[command.go]\nrun = "oj action trigger a.bump"\n'
    write(root, {"runbooks/a.toml": action, "runbooks/b.toml": action, "runbooks/c.toml": trigger})
    assert codes(run(root)) == [("OJ902", "runbooks/b.toml", 1, 9)]


def test_empty_rules_are_an_empty_body(root: Path) -> None:
    main = (
        '[watcher.w]\ncheck_interval = "5m"\nresponse = ["mark"]\n'
        '[action.mark]\ncooldown = "1m"\nrules = []\n'
    )
    write(root, {"runbooks/main.toml": main})
    assert codes(run(root)) == [("OJ904", "runbooks/main.toml", 4, 9)]


def test_hook_aliases_and_patterns_are_not_custom(root: Path) -> None:
    main = '[events]\non_escalate = "x"\n"build:done" = "y"\non_skip = "z"\n'
    write(root, {"runbooks/main.toml": main})
    report = run(root)
    assert codes(report) == [("OJ906", "runbooks/main.toml", 4, 1)]
    (d,) = [d for d in report.diagnostics if d.code == "OJ906"]
    assert d.message == "hook `on_skip` listens for the custom event `skip`"
    assert d.help == 'write the event name as the key to make it explicit: `"skip" = …`'


def test_edit_distance() -> None:
    assert edit_distance("on_complet", "on_complete") == 1
    assert edit_distance("on_fix_complete", "on_complete") == 4
    assert edit_distance("", "abc") == 3
    assert edit_distance("kitten", "sitting") == 3
