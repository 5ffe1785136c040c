"""`oj daemon start|status|stop` from any subdirectory, a second start reporting the running
daemon, auto-start by any command, a failed start printing the daemon's `ERROR` lines (exit 4),
SIGHUP reloading the runbooks and SIGTERM as a graceful stop (RUNTIME.md §7.3–7.4)."""

from __future__ import annotations

import json
import os
import signal

from daemon_e2e import alive, daemon_pid, stop_daemon, wait_until
from e2e_kit import Project, needs_tools

pytestmark = needs_tools

RUNBOOK = """
[queue.jobs]

[pipeline.greet]
inputs = ["who"]

[[pipeline.greet.phase]]
name = "hello"
run = "echo hello {who} > hello.txt"
"""


MORE = """
[pipeline.extra]

[[pipeline.extra.phase]]
name = "only"
run = "true"
"""


def in_dir(project: Project, sub: str, *argv: str) -> tuple[int, str, str]:
    import subprocess

    from e2e_kit import OJ

    cwd = project.root / sub
    cwd.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(OJ), *argv], cwd=cwd, env=project.env, capture_output=True, text=True, timeout=90
    )
    return done.returncode, done.stdout, done.stderr


def test_start_status_stop_from_a_subdirectory(project: Project) -> None:
    project.runbook("demo", RUNBOOK)
    try:
        code, out, err = in_dir(project, "src/deep", "daemon", "start")
        assert code == 0, err
        pid = daemon_pid(project)
        assert pid is not None and out == f"started (pid {pid})\n"
        code, out, _ = in_dir(project, "docs", "daemon", "start")
        assert (code, out) == (0, f"already running (pid {pid})\n")
        code, out, _ = in_dir(project, "src", "daemon", "status", "--json")
        status = json.loads(out)
        assert (code, status["pid"], status["root"]) == (0, pid, str(project.root.resolve()))
        code, out, _ = in_dir(project, "src/deep", "queue", "add", "jobs", "n=1")
        assert code == 0 and out.startswith("jobs-")
        code, out, _ = in_dir(project, "src/deep", "daemon", "stop")
        assert (code, out) == (0, f"stopped (pid {pid})\n")
        assert not alive(pid)
        assert not (project.state_dir / "run" / "daemon.json").exists()
        code, out, _ = in_dir(project, "src", "daemon", "status")
        assert (code, out) == (4, "not running\n")
        code, out, _ = in_dir(project, "src", "daemon", "stop")
        assert (code, out) == (0, "not running\n")
    finally:
        stop_daemon(project)


def test_any_command_starts_the_daemon_sighup_reloads_and_sigterm_stops_it(
    project: Project,
) -> None:
    project.runbook("demo", RUNBOOK)
    try:
        started = project.oj("pipeline", "start", "greet", "who=you", "--wait", "--timeout", "60s")
        assert started.returncode == 0, started.stdout + started.stderr
        assert (project.root / "hello.txt").read_text() == "hello you\n"
        pid = daemon_pid(project)
        assert pid is not None
        project.runbook("more", MORE)
        os.kill(pid, signal.SIGHUP)  # reload the runbooks
        log = project.state_dir / "logs" / "daemon.log"
        wait_until(lambda: " INFO daemon reloaded " in log.read_text(), 60, "the reload")
        more = project.oj("pipeline", "start", "more.extra", "--wait", "--timeout", "60s")
        assert more.returncode == 0, more.stdout + more.stderr
        os.kill(pid, signal.SIGTERM)
        wait_until(lambda: not alive(pid), 30, "the daemon to stop")
        assert "INFO daemon stopped reason=sigterm" in log.read_text()
        assert not (project.state_dir / "run" / "daemon.json").exists()
        again = project.oj("pipeline", "list", "--all", "--json")
        assert again.returncode == 0, again.stderr
        runs = json.loads(again.stdout)["runs"]
        assert [(r["pipeline"], r["state"]) for r in runs] == [("greet", "done"), ("extra", "done")]
        assert daemon_pid(project) not in (None, pid)
    finally:
        stop_daemon(project)


def test_a_failed_start_prints_the_daemon_errors_and_exits_4(project: Project) -> None:
    project.runbook("demo", RUNBOOK)
    project.write(".oj/config.toml", '[runtime]\nmax_shells = "many"\n')
    done = project.oj("status")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "the oj daemon did not start" in done.stderr
    assert "ERROR daemon `runtime.max_shells`" in done.stderr
    assert daemon_pid(project) is None
    project.env["OJ_NO_AUTOSTART"] = "1"
    quiet = project.oj("status")
    assert (quiet.returncode, quiet.stderr) == (
        4,
        "error: the oj daemon is not running\n  help: start it: `oj daemon start`\n",
    )
