"""The stdlib `bugfix` runbook end to end (RUNTIME.md §11.1) with a local issue source (no
tracker: notes in `.oj/bugs/`): fix -> verify -> merged -> closed; a verify that keeps failing
goes back to `fix` within `fix.max_visits = 3`, then the run escalates. With an issue tracker
(`{config.tracker}`, here a script logging its calls) the issue is started and closed."""

from __future__ import annotations

from e2e_kit import Project, needs_tools
from test_stdlib_build import stdlib_copy, stop, use_stdlib

pytestmark = needs_tools

FIXER = """\
name = "fixer"
[config]
startup_ms = 50
idle_notify_ms = 60000
typing_ms = 1

[[responses]]
pattern = { type = "contains", text = "Fix bug" }
steps = [
  { shell = "echo fixed > {marker} && git add -A && git commit -qm 'fix the bug'" },
  { shell = "oj done" },
]
"""


def start(project: Project, marker: str, tracker: str = "") -> None:
    project.write("Makefile", "check:\n\ttest -f fixed.txt\n")
    project.git("add", "Makefile")
    project.git("commit", "-qm", "add the checks")
    use_stdlib(project, FIXER.replace("{marker}", marker))
    if tracker:
        stdlib_copy(project, "bugfix", {"tracker": tracker})
    for worker in ("bugfix", "mergeq"):
        enabled = project.oj("worker", "enable", worker)
        assert enabled.returncode == 0, enabled.stdout + enabled.stderr
    queued = project.oj("run", "bugfix", "42", "--title", "Crash on empty input")
    assert queued.returncode == 0, queued.stdout + queued.stderr


def test_fix_verify_merge_close(project: Project) -> None:
    try:
        start(project, "fixed.txt")
        done = project.oj("pipeline", "wait", "fix-42", "--timeout", "100s", timeout=150)
        assert done.returncode == 0, done.stdout + done.stderr + project.oj("status").stdout
        project.git("merge-base", "--is-ancestor", "fix/42", "main")
        assert project.git("show", "main:fixed.txt") == "fixed"
        assert "fixed on fix/42" in (project.root / ".oj" / "bugs" / "42.md").read_text()
        phases = [p["phase"] for _, n, _, p in project.events() if n == "pipeline:phase"]
        fix_phases = [ph for ph in phases if ph in ("setup", "fix", "verify", "merge", "close")]
        assert fix_phases[:3] == ["setup", "fix", "verify"]
        assert fix_phases[-2:] == ["merge", "close"]
    finally:
        stop(project)


def test_failing_verify_loops_back_then_escalates(project: Project) -> None:
    try:
        start(project, "not-the-fix.txt")
        for _ in range(60):
            status = project.oj("pipeline", "show", "fix-42").stdout
            if "escalated" in status:
                break
            project.oj("pipeline", "wait", "fix-42", "--timeout", "2s", timeout=30)
        assert "escalated" in project.oj("pipeline", "show", "fix-42").stdout
        events = project.events()
        entered = [p["phase"] for _, n, _, p in events if n == "pipeline:phase"]
        assert entered.count("fix") == 3
        assert entered.count("verify") == 3
        assert "merge" not in entered
        assert any(n == "escalation:created" for _, n, _, _ in events)
    finally:
        stop(project)


def test_an_issue_tracker_is_told_start_and_close(project: Project) -> None:
    tracker = project.root.parent / "tracker.sh"
    tracker.write_text('echo "$@" >> "$(dirname "$0")/tracker.log"\n')
    try:
        start(project, "fixed.txt", tracker=f"sh {tracker}")
        done = project.oj("pipeline", "wait", "fix-42", "--timeout", "100s", timeout=150)
        assert done.returncode == 0, done.stdout + done.stderr + project.oj("status").stdout
        assert project.git("show", "main:fixed.txt") == "fixed"
        log = (tracker.parent / "tracker.log").read_text().splitlines()
        assert log == ["start 42", "close 42"]
        assert not (project.root / ".oj" / "bugs").exists()
    finally:
        stop(project)
