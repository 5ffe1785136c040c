"""`oj run … --wait` end to end: shell and agent phases in real tmux over a real git repo."""

from __future__ import annotations

import json

from e2e_kit import Project, agent, needs_tools

pytestmark = needs_tools

DONE_SCENARIO = """\
name = "work-then-done"
[config]
startup_ms = 50
idle_notify_ms = 60000

[[responses]]
pattern = { type = "contains", text = "write" }
text = "Writing the file"
steps = [
  { shell = "echo \\"agent $OJ_PHASE\\" > agent.txt" },
  { shell = "oj done" },
]
"""

ERROR_SCENARIO = """\
name = "gives-up"
[config]
startup_ms = 50
idle_notify_ms = 60000

[[responses]]
pattern = { type = "any" }
steps = [{ shell = "oj done --error 'cannot do it'" }]
"""


def three_phases(scenario: str) -> str:
    return f"""
[task.writer]
command = "{scenario}"
prompt = "write agent.txt for {{{{ name }}}}"
timeout = "2m"

[pipeline.ship]
inputs = ["name"]

[[pipeline.ship.phase]]
name = "prepare"
run = "echo 'prepared {{name}}' > prepare.txt"

[[pipeline.ship.phase]]
name = "work"
task = "writer"
on_fail = "recover"

[[pipeline.ship.phase]]
name = "finish"
run = "cat prepare.txt agent.txt > finish.txt"
next = "done"

[[pipeline.ship.phase]]
name = "recover"
run = "echo 'recovered' > recover.txt"
"""


def test_three_phase_pipeline_runs_to_done(project: Project) -> None:
    scenario = project.scenario("done", DONE_SCENARIO)
    project.runbook("ship", three_phases(agent(scenario)))
    done = project.oj("run", "ship.ship", "auth", "--wait", "--timeout", "90s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "phase `work`" in done.stdout
    assert (project.root / "finish.txt").read_text() == "prepared auth\nagent work\n"
    assert not (project.root / "recover.txt").exists()
    names = [name for _, name, _, _ in project.events()]
    assert names.index("task:started") < names.index("task:complete")
    assert "pipeline:complete" in names and "pipeline:failed" not in names
    capture = project.root / ".oj-fake" / "capture.jsonl"
    records = [json.loads(line) for line in capture.read_text().splitlines()]
    assert [r["text"] for r in records if r["kind"] == "message"] == ["write agent.txt for auth"]
    primed = [r["text"] for r in records if r["kind"] == "context"]
    assert primed and "run `ship-auth`" in primed[0]


def test_done_error_takes_the_on_fail_path(project: Project) -> None:
    scenario = project.scenario("error", ERROR_SCENARIO)
    project.runbook("ship", three_phases(agent(scenario)))
    done = project.oj("run", "ship.ship", "auth", "--wait", "--timeout", "90s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project.root / "recover.txt").read_text() == "recovered\n"
    assert not (project.root / "finish.txt").exists()
    failed = [p for _, name, _, p in project.events() if name == "task:failed"]
    assert [p["error"] for p in failed] == ["cannot do it"]
