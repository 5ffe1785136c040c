"""A hung agent: detected idle, nudged, restarted once, then escalated; `oj escalation list`
shows the escalation afterwards (RUNTIME.md §3.3 ladder, §9.5 liveness). The listing starts
the daemon, which recovers the run from the store; the fixture stops it."""

from __future__ import annotations

import json

from e2e_kit import Project, agent, needs_tools

pytestmark = needs_tools

HANG = """\
name = "hangs"
[config]
startup_ms = 50
idle_notify_ms = 60000

[[responses]]
pattern = { type = "any" }
text = "thinking very hard"
failure = { type = "hang" }
"""


def test_hung_agent_is_nudged_restarted_once_then_escalated(project: Project) -> None:
    scenario = project.scenario("hang", HANG)
    project.runbook(
        "stuck",
        f"""
[task.ponder]
command = "{agent(scenario)}"
prompt = "ponder"
idle_timeout = "1s"
on_stuck = ["nudge", "restart:1", "escalate"]

[pipeline.think]

[[pipeline.think.phase]]
name = "ponder"
task = "ponder"
""",
    )
    done = project.oj("run", "stuck.think", "--wait", "--timeout", "100s", timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "escalated" in done.stdout
    events = [(name, payload) for _, name, _, payload in project.events()]
    names = [name for name, _ in events]
    ladder = [n for n in names if n in ("task:nudged", "task:restarted", "escalation:created")]
    assert ladder == ["task:nudged", "task:restarted", "task:nudged", "escalation:created"]
    stuck = [p["reason"] for n, p in events if n == "task:stuck"]
    assert stuck[:1] == ["idle"]
    restarted = [p for n, p in events if n == "task:restarted"]
    assert restarted[0]["generation"] == 2
    listed = project.oj("escalation", "list", "--json", timeout=60)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["escalations"]
    assert [(r["kind"], r["subject"]) for r in rows] == [
        ("task_stuck", "task:think-" + rows[0]["subject"].split("think-")[1])
    ]
    text = project.oj("escalation", "list", timeout=60)
    assert rows[0]["id"] in text.stdout and "task_stuck" in text.stdout
