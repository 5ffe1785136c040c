"""The stdlib `watchdog` runbook end to end (RUNTIME.md §11.1), its periods shortened to
seconds in a project copy: a silent agent is nudged, then restarted; the restarted
session is silent too, its nudge and restart are rejected by their cooldowns (5m, 10m), so
the watcher escalates. Each action fires at most once per cooldown."""

from __future__ import annotations

import time

from e2e_kit import Project, agent, needs_tools
from test_stdlib_build import STDLIB, stop

pytestmark = needs_tools

SILENT = """\
name = "silent"
[config]
startup_ms = 50
idle_notify_ms = 600000

[[responses]]
pattern = { type = "any" }
failure = { type = "hang" }
"""


def job(command: str) -> str:
    return f"""
[task.quiet]
command = "{command}"
prompt = "work quietly"
idle_timeout = "10m"

[pipeline.quiet]

[[pipeline.quiet.phase]]
name = "work"
task = "quiet"
"""


def short_watchdog() -> str:
    """Thresholds, checks and delays in seconds; the cooldowns stay as shipped."""
    text = (STDLIB / "watchdog.toml").read_text()
    for long, short in (
        ('threshold = "10m"', 'threshold = "2s"'),
        ('check_interval = "1m"', 'check_interval = "1s"'),
        ('delay = "2m"', 'delay = "1s"'),
        ('delay = "5m"', 'delay = "1s"'),
    ):
        assert long in text
        text = text.replace(long, short)
    return text


def test_silent_agent_is_nudged_restarted_then_escalated(project: Project) -> None:
    project.env["OJ_STDLIB_DIR"] = str(STDLIB)
    project.write(".git/info/exclude", ".oj/\nrunbooks/\nscenarios/\n.oj-fake/\n")
    project.runbook("watchdog", short_watchdog())
    project.runbook("quiet", job(agent(project.scenario("silent", SILENT))))
    try:
        enabled = project.oj("watcher", "enable", "agent-idle")
        assert enabled.returncode == 0, enabled.stdout + enabled.stderr
        assert project.oj("pipeline", "start", "quiet.quiet").returncode == 0
        deadline = time.monotonic() + 60
        fired: list[str] = []
        while time.monotonic() < deadline:
            events = project.events()
            fired = [p["action"] for _, n, _, p in events if n == "action:triggered"]
            if "escalate-agent" in fired:
                break
            time.sleep(1)
        assert fired == ["nudge-agent", "restart-agent", "escalate-agent"], fired
        rejected = [p["action"] for _, n, _, p in project.events() if n == "action:rejected"]
        assert rejected, "the second nudge falls inside its cooldown"
        assert any(n == "escalation:created" for _, n, _, _ in project.events())
    finally:
        stop(project)
