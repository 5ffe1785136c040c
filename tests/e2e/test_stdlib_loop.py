"""The stdlib `loop` runbook end to end (RUNTIME.md §11.1): worker `loop` reads the open issues
from `{config.list}` (here a JSON file), runs `resolve` for the issue with the fake agent in a
worktree, lands the branch through `merges` and closes the issue with `{config.close}`."""

from __future__ import annotations

import json
import time

from e2e_kit import Project, needs_tools
from test_stdlib_build import stdlib_copy, stop, use_stdlib

pytestmark = needs_tools

RESOLVER = """\
name = "resolver"
[config]
startup_ms = 50
idle_notify_ms = 60000
typing_ms = 1

[[responses]]
pattern = { type = "contains", text = "Resolve issue 7: Add a greeting" }
steps = [
  { shell = "echo hello > greeting.txt && git add greeting.txt && git commit -qm greet" },
  { shell = "oj done" },
]

[[responses]]
pattern = { type = "any" }
steps = [{ shell = "oj done --error 'unexpected prompt'" }]
"""
CLOSE = """\
echo "closed $1" >> "$(dirname "$0")/tracker.log"
echo '[]' > issues.json
"""


def runs_of(project: Project, pipeline: str) -> dict[str, str]:
    shown = project.oj("--json", "status", "--all")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    return {
        r["id"]: r["state"] for r in json.loads(shown.stdout)["runs"] if r["pipeline"] == pipeline
    }


def test_an_issue_is_resolved_merged_and_closed(project: Project) -> None:
    tools = project.root.parent
    (tools / "close.sh").write_text(CLOSE)
    (tools / "note.sh").write_text('echo "noted $1: $2" >> "$(dirname "$0")/tracker.log"\n')
    project.write("Makefile", "check:\n\ttest -f greeting.txt\n")
    project.git("add", "Makefile")
    project.git("commit", "-qm", "add the checks")
    use_stdlib(project, RESOLVER)
    project.write("issues.json", json.dumps([{"id": "7", "title": "Add a greeting"}]))
    stdlib_copy(
        project,
        "loop",
        {"list": "cat issues.json", "close": f"sh {tools}/close.sh", "note": f"sh {tools}/note.sh"},
    )
    exclude = project.root / ".git" / "info" / "exclude"
    exclude.write_text(exclude.read_text() + "issues.json\n")
    try:
        for verb, worker in (("enable", "mergeq"), ("start", "loop")):
            done = project.oj("worker", verb, worker)
            assert done.returncode == 0, done.stdout + done.stderr
        deadline = time.monotonic() + 90
        while not (runs := runs_of(project, "resolve")) or any(
            state not in ("done", "failed", "cancelled") for state in runs.values()
        ):
            assert time.monotonic() < deadline, project.oj("status").stdout
            time.sleep(0.5)
        assert list(runs.values()) == ["done"], project.oj("status", "--all").stdout
        assert project.git("show", "main:greeting.txt") == "hello"
        project.git("merge-base", "--is-ancestor", "issue/7", "main")
        assert (tools / "tracker.log").read_text() == "closed 7\n"
        assert json.loads((project.root / "issues.json").read_text()) == []
        phases = [p["phase"] for _, n, _, p in project.events() if n == "pipeline:phase"]
        assert [p for p in phases if p in ("resolve", "merge", "close", "note")] == [
            "resolve",
            "merge",
            "close",
        ]
    finally:
        stop(project)
