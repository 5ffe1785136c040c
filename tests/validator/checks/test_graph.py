"""The graph family: OJ203 and, on pipelines whose edges resolved, OJ501–OJ504 and OJ510."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from ojlang.api import CheckReport, check
from ojlang.validator.checker import CheckOptions
from ojlang.validator.explanations import EXPLANATIONS
from ojlang.validator.render import render

GRAPH_CODES = ("OJ203", "OJ501", "OJ502", "OJ503", "OJ504", "OJ510")
RESOURCE_CODES = ("OJ505", "OJ506", "OJ507", "OJ508", "OJ509", "OJ511")
MINE: tuple[str, ...] = (*GRAPH_CODES, *RESOURCE_CODES, "OJ901", "OJ902", "OJ903", "OJ904", "OJ906")


def run(root: Path, files: dict[str, str]) -> CheckReport:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "runbooks").mkdir(exist_ok=True)
    return check(cwd=root, options=CheckOptions(shellcheck=False))


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    project.mkdir()
    return project


def found(report: CheckReport, codes: tuple[str, ...] = MINE) -> list[tuple[str, str, int, int]]:
    return [
        (d.code, d.path, d.span.line, d.span.col) for d in report.diagnostics if d.code in codes
    ]


RELEASE = """\
[pipeline.release]
inputs = ["version", "notes"]

[[pipeline.release.phase]]
name = "tag"
run = "git tag v{version} && git push origin v{version}"
next = "publsh"

[[pipeline.release.phase]]
name = "publish"
task = "announce"
on_fail = "retry_later"

[task.announce]
prompt = "Announce {{ version }} in {{ channel }}."
"""

SPEC_OJ203 = """\
error[OJ203]: undefined phase `publsh`
 --> runbooks/release.toml:7:8
  |
7 | next = "publsh"
  |        ^^^^^^^^ no phase with this name in pipeline `release`
  |
  = help: a phase with a similar name exists: `publish`

error[OJ203]: undefined phase `retry_later` in `on_fail`
  --> runbooks/release.toml:12:11
   |
12 | on_fail = "retry_later"
   |           ^^^^^^^^^^^^^ neither a phase nor a recovery
   |
   = note: `on_fail` takes a phase name, `escalate`, `fail`, `retry[:N[:DURATION]]` or \
`strategy:NAME`
   = help: a value with a similar name exists: `retry`
"""


def test_spec_example_renders_exactly(root: Path) -> None:
    report = run(root, {"runbooks/release.toml": RELEASE})
    ours = [d for d in report.diagnostics if d.code in MINE]
    assert [d.code for d in ours] == ["OJ203", "OJ203"]
    text = render(ours, "full", sources=report.sources, runbooks=1, color=False).stdout
    assert text.startswith(SPEC_OJ203 + "\n")


def test_complete_runbook_reports_only_the_gate(root: Path) -> None:
    files = {"runbooks/ship.toml": SHIP, "prompts/implement.md": "x\n", "prompts/context.md": "x\n"}
    report = run(root, files)
    assert found(report) == [("OJ503", "runbooks/ship.toml", 7, 12)]


SHIP = """\
[queue.features]

[pipeline.feature]
worktree = true
phase = [
  { name = "init", run = "git fetch origin main", next = "plan" },
  { name = "blocked", pre = ["dependency_landed"] },
  { name = "plan", task = "planner", semaphore = "agents", post = ["plan_written"] },
  { name = "implement", task = "coder", semaphore = "agents" },
  { name = "verify", run = "make check", timeout = "20m", on_fail = "retry:2:30s" },
  { name = "land", strategy = "land", lock = "main_branch" },
]

[worker.shipper]
queue = "features"
handler = "pipeline.feature"
concurrency = 2

[task.planner]
prompt = "Write a plan."

[task.coder]
prompt_file = "prompts/implement.md"
timeout = "3h"

[guard.dependency_landed]
condition = "true"
timeout = "24h"

[guard.plan_written]
condition = "test -s plan.md"
retry = { max = 5, interval = "20s" }

[strategy.land]
[[strategy.land.attempt]]
name = "fast-forward"
run = "git push origin HEAD:main"

[lock.main_branch]
heartbeat = "30s"

[semaphore.agents]
max = 2
"""


def test_on_exhaust_in_another_runbook_is_reported_there(root: Path) -> None:
    common = '[strategy.merge]\non_exhaust = "cleanup"\nattempt = [{ name = "ff", run = "x" }]\n'
    ship = (
        '[pipeline.ship]\nphase = [\n  { name = "merge", strategy = "common.strategy.merge" },\n'
        '  { name = "lint", run = "make lint", next = "done" },\n  { name = "x", run = "y" },\n]\n'
    )
    report = run(root, {"runbooks/common.toml": common, "runbooks/ship.toml": ship})
    # the unresolved edge suppresses the graph checks of `ship` (`x` is unreachable)
    assert found(report) == [("OJ203", "runbooks/common.toml", 2, 14)]
    (d,) = [d for d in report.diagnostics if d.code == "OJ203"]
    assert d.runbook == "common"
    assert d.notes[0] == "strategy `merge` is used by phase `merge` of pipeline `ship`"


def test_unresolved_reference_suppresses_graph_checks(root: Path) -> None:
    text = (
        '[pipeline.p]\nphase = [\n  { name = "a", task = "nope", next = "done" },\n'
        '  { name = "b", run = "x" },\n  { name = "blocked" },\n]\n'
    )
    report = run(root, {"runbooks/p.toml": text})
    assert [d.code for d in report.diagnostics if d.code.startswith("OJ5")] == []
    assert "OJ201" in {d.code for d in report.diagnostics}


def test_loop_among_unreachable_phases_is_only_unreachable(root: Path) -> None:
    text = (
        '[pipeline.p]\nphase = [\n  { name = "a", run = "x", next = "done" },\n'
        '  { name = "b", run = "x", next = "c" },\n  { name = "c", run = "x", next = "b" },\n]\n'
    )
    report = run(root, {"runbooks/p.toml": text})
    assert [d.code for d in report.diagnostics if d.code in GRAPH_CODES] == ["OJ501", "OJ501"]


def test_one_diagnostic_per_loop(root: Path) -> None:
    text = (
        '[pipeline.p]\nphase = [\n  { name = "a", run = "x", on_fail = "c" },\n'
        '  { name = "b", run = "x", on_fail = "a" },\n'
        '  { name = "c", run = "x", next = "a", on_fail = "fail" },\n]\n'
    )
    report = run(root, {"runbooks/p.toml": text})
    (d,) = [d for d in report.diagnostics if d.code == "OJ502"]
    assert (d.span.line, d.span.col) == (5, 35)  # `next = "a"` of `c`, the last edge back
    assert d.message == "phases `a` → `c` → `a` form a loop with no bound"
    assert d.notes == ("the loop also runs through `b`",)


def test_a_loop_without_exit_is_only_no_exit(root: Path) -> None:
    text = '[pipeline.p]\nphase = [{ name = "a", run = "x", next = "a" }]\n'
    report = run(root, {"runbooks/p.toml": text})
    assert [d.code for d in report.diagnostics if d.code in GRAPH_CODES] == ["OJ504"]
    (d,) = report.diagnostics
    assert d.message == "no path leads from phase `a` to `done` or `failed`"


def test_blocked_with_pre_of_wrong_type_is_left_to_the_schema(root: Path) -> None:
    text = (
        '[pipeline.p]\nphase = [\n  { name = "init", run = "x" },\n'
        '  { name = "blocked", pre = "g" },\n  { name = "b", run = "x" },\n]\n'
    )
    report = run(root, {"runbooks/p.toml": text})
    assert "OJ510" not in {d.code for d in report.diagnostics}


def test_on_fail_without_close_match_lists_the_phases(root: Path) -> None:
    text = '[pipeline.p]\nphase = [{ name = "build", run = "x", on_fail = "zzz" }]\n'
    report = run(root, {"runbooks/p.toml": text})
    (d,) = [d for d in report.diagnostics if d.code == "OJ203"]
    assert d.help == "expected one of `build`, `done`, `failed`"


@pytest.mark.parametrize("code", MINE)
def test_explanation_examples(code: str) -> None:
    """`oj explain CODE`: the failing example triggers the code, the fixed one does not."""
    entry = EXPLANATIONS[code]
    examples = ((entry.bad, entry.path, True), (entry.good, entry.fixed_path, False))
    for text, path, expected in examples:
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp)
            files = {path: text, **dict(entry.files)}
            report = run(project, files)
            assert (code in {d.code for d in report.diagnostics}) is expected, (code, path)
