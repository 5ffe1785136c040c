"""SIGKILL of the daemon mid-pipeline (RUNTIME.md §4.2, §7.5): the next `oj` command starts a
new daemon, the run resumes where it was, a shell phase that ran on under its runner is picked
up from its exit file instead of running again, and the agent's live tmux session is
re-attached (not respawned) and finishes the run."""

from __future__ import annotations

import json

from daemon_e2e import daemon_pid, events_named, sigkill, stop_daemon, wait_until
from e2e_kit import Project, agent, needs_tools

pytestmark = needs_tools

BLOCKING_AGENT = """\
name = "waits-for-go"
[config]
startup_ms = 50
idle_notify_ms = 600000

[[responses]]
pattern = { type = "contains", text = "work" }
steps = [
  { shell = "touch started.flag" },
  { shell = "for i in $(seq 900); do [ -f go.flag ] && break; sleep 0.1; done" },
  { shell = "echo worked >> work.log" },
  { shell = "oj done" },
]
"""


def pipeline(command: str) -> str:
    return f"""
[task.worker]
command = "{command}"
prompt = "work on {{{{ name }}}}"
timeout = "5m"

[pipeline.ship]
inputs = ["name"]

[[pipeline.ship.phase]]
name = "prepare"
run = "sleep 2; echo prepared >> prepare.log"
on_fail = "fail"

[[pipeline.ship.phase]]
name = "work"
task = "worker"

[[pipeline.ship.phase]]
name = "finish"
run = "echo finished >> finish.log"
"""


def show(project: Project, run: str) -> dict[str, object]:
    done = project.oj("pipeline", "show", run, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    run_view: dict[str, object] = json.loads(done.stdout)["run"]
    return run_view


def test_a_killed_daemon_resumes_the_run_and_reattaches_the_session(project: Project) -> None:
    scenario = project.scenario("agent", BLOCKING_AGENT)
    project.runbook("ship", pipeline(agent(scenario)))
    project.write(".git/info/exclude", ".oj/\nscenarios/\n.oj-fake/\n*.flag\n*.log\n")
    try:
        started = project.oj("pipeline", "start", "ship.ship", "name=auth")
        assert started.returncode == 0, started.stdout + started.stderr
        run = "ship-auth"
        first = wait_until(lambda: daemon_pid(project), 30, "the first daemon")
        wait_until(lambda: show(project, run)["phase"] == "prepare", 30, "phase prepare")
        sigkill(first)  # while `prepare` sleeps under its runner

        view = show(project, run)  # any command starts a new daemon
        second = daemon_pid(project)
        assert second not in (None, first)
        assert view["state"] in ("running", "waiting")
        wait_until(lambda: (project.root / "started.flag").exists(), 90, "the agent to start")
        assert (project.root / "prepare.log").read_text() == "prepared\n"
        assert show(project, run)["phase"] == "work"
        sigkill(second)  # while the agent works in its tmux session

        view = show(project, run)
        third = daemon_pid(project)
        assert third not in (None, first, second)
        task = view["task"]
        assert isinstance(task, dict) and task["state"] in ("running", "idle")
        status = json.loads(project.oj("daemon", "status", "--json").stdout)
        assert status["reconciled"]["orphans"] == []
        assert status["reconciled"]["lost"] == 0

        (project.root / "go.flag").touch()
        waited = project.oj("pipeline", "wait", run, "--timeout", "90s", timeout=120)
        assert waited.returncode == 0, waited.stdout + waited.stderr + project.oj("status").stdout
        assert (project.root / "prepare.log").read_text() == "prepared\n"
        assert (project.root / "work.log").read_text() == "worked\n"
        assert (project.root / "finish.log").read_text() == "finished\n"
        assert len(events_named(project, "task:started")) == 1  # re-attached, never respawned
        phases = [p["phase"] for p in events_named(project, "pipeline:phase")]
        assert phases == ["prepare", "work", "finish"]
        starts = events_named(project, "daemon:started")
        assert len(starts) == 3
    finally:
        stop_daemon(project)
