"""`oj daemon start|stop|restart|status|logs|reload` (RUNTIME.md §7, §10): argv in, the project's
daemon started, stopped, described or reloaded out; any subdirectory of the project works.

`start` reports a running daemon (`already running (pid N)`, exit 0) or starts one detached
(`--foreground` runs it in this terminal; `--salvage` quarantines a corrupt op-log middle).
`stop` asks for a graceful stop and waits (`--timeout D`, default 30s; a daemon still alive
then is killed, which the store survives); `--kill-agents` also captures and kills every
session. `status` exits 4 when no daemon runs. `logs` reads `.oj/logs/daemon.log` directly, so
it works while the daemon is down.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Annotated, Any

import typer

from ojlang.cli import common as c

daemon_app = typer.Typer(
    name="daemon",
    help="Start, stop and inspect the project's daemon.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
JsonOpt = Annotated[bool, typer.Option("--json", help="machine output (`oj.daemon/1`)")]


def _running() -> tuple[Any, Any]:
    """(root, a connected client or None)."""
    from ojlang.client import _try, project_root

    root = project_root()
    return root, _try(root, 5.0)


@daemon_app.command("start")
def start_cmd(
    foreground: Annotated[bool, typer.Option("--foreground", help="run in this terminal")] = False,
    salvage: Annotated[bool, typer.Option("--salvage", help="quarantine a corrupt op log")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Start the daemon (reports the running one if there is one)."""

    def body() -> int:
        from ojlang.client import start

        root, client = _running()
        if client is not None:
            pid = client.welcome.get("pid")
            client.close()
            if c.json_wanted(as_json):
                c.emit_json("daemon", {"running": True, "pid": pid, "started": False})
            else:
                c.say(f"already running (pid {pid})")
            return 0
        if foreground or salvage:
            from ojlang.runtime.daemon.lifecycle import run

            return (
                run(root, salvage=salvage, foreground=foreground) if foreground else _salvaged(root)
            )
        client = start(root)
        pid = client.welcome.get("pid")
        client.close()
        if c.json_wanted(as_json):
            c.emit_json("daemon", {"running": True, "pid": pid, "started": True})
        else:
            c.say(f"started (pid {pid})")
        return 0

    raise typer.Exit(c.guarded(body))


def _salvaged(root: Any) -> int:
    """`start --salvage` detached: the daemon is spawned with `--salvage`, then polled."""
    import subprocess
    import time

    from ojlang.client import _try, daemon_env, start_errors

    argv = [sys.executable, "-m", "ojlang.runtime.daemon", "--root", str(root), "--salvage"]
    child = subprocess.Popen(
        argv,
        cwd=root,
        env=daemon_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        client = _try(root, 5.0)
        if client is not None:
            c.say(f"started (pid {client.welcome.get('pid')})")
            client.close()
            return 0
        if child.poll() not in (None, 0):
            break
        time.sleep(0.05)
    for line in start_errors(root / ".oj"):
        sys.stderr.write(f"{line}\n")
    c.error("the oj daemon did not start")
    return 4


@daemon_app.command("stop")
def stop_cmd(
    kill_agents: Annotated[
        bool, typer.Option("--kill-agents", help="also kill every session")
    ] = False,
    timeout: Annotated[
        str | None, typer.Option("--timeout", help="wait at most D (default 30s)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Stop the daemon gracefully (agents keep running unless `--kill-agents`)."""

    def body() -> int:
        from ojlang.client import wait_gone

        limit = c.seconds(timeout, "--timeout") or 30.0
        _, client = _running()
        if client is None:
            if c.json_wanted(as_json):
                c.emit_json("daemon", {"running": False, "stopped": False})
            else:
                c.say("not running")
            return 0
        pid = int(client.welcome.get("pid") or 0)
        with client:
            client.request("daemon.stop", {"kill_agents": kill_agents}, timeout=10.0)
        killed = False
        if not wait_gone(pid, limit):
            os.kill(pid, signal.SIGKILL)
            killed = wait_gone(pid, 5.0)
        if c.json_wanted(as_json):
            c.emit_json("daemon", {"running": False, "stopped": True, "pid": pid, "killed": killed})
        else:
            c.say(f"stopped (pid {pid})" + (f" — killed after {c.span(limit)}" if killed else ""))
        return 0

    raise typer.Exit(c.guarded(body))


@daemon_app.command("restart")
def restart_cmd(
    kill_agents: Annotated[
        bool, typer.Option("--kill-agents", help="also kill every session")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Stop the daemon and start a new one (agents keep running)."""

    def body() -> int:
        from ojlang.client import start, wait_gone

        root, client = _running()
        old = None
        if client is not None:
            old = int(client.welcome.get("pid") or 0)
            with client:
                client.request("daemon.restart", {"kill_agents": kill_agents}, timeout=10.0)
            if not wait_gone(old, 30.0):
                raise c.Usage(f"the old daemon (pid {old}) did not stop")
        new = start(root)
        pid = new.welcome.get("pid")
        new.close()
        if c.json_wanted(as_json):
            c.emit_json("daemon", {"running": True, "pid": pid, "previous": old})
        else:
            c.say(f"restarted (pid {pid})" if old else f"started (pid {pid})")
        return 0

    raise typer.Exit(c.guarded(body))


def status_text(d: dict[str, Any]) -> str:
    store = d.get("store") or {}
    snap = store.get("last_snapshot")
    rec = d.get("reconciled") or {}
    lines = [
        f"running   pid {d['pid']}, version {d['version']}, up {c.span(d['uptime_s'])}",
        f"project   {d['root']}",
        f"socket    {d['socket']}",
        f"store     {store.get('path')} ({int(store.get('bytes') or 0) // 1024} KiB)",
        f"last seq  {d['last_seq']}",
        f"snapshot  {c.ago(snap['ts_us']) if snap else 'none yet'}",
        f"memory    {int(d.get('rss_bytes') or 0) // (1024 * 1024)} MiB",
        f"reconcile {rec.get('reattached', 0)} re-attached, {rec.get('lost', 0)} lost, "
        f"{len(rec.get('orphans', []))} orphan sessions, "
        f"{len(rec.get('orphan_worktrees', []))} orphan worktrees",
    ]
    if d.get("graph_errors"):
        lines.append(f"runbooks  {d['graph_errors']} error(s): running the last good graph")
    return "\n".join(lines) + "\n"


@daemon_app.command("status")
def status_cmd(as_json: JsonOpt = False) -> None:
    """Is the daemon running? (exit 4 when not)."""

    def body() -> int:
        _, client = _running()
        if client is None:
            if c.json_wanted(as_json):
                c.emit_json("daemon", {"running": False})
            else:
                c.say("not running")
            return 4
        with client:
            d = client.request("daemon.status", {}, timeout=10.0)
        if c.json_wanted(as_json):
            c.emit_json("daemon", {"running": True, **d})
        else:
            sys.stdout.write(status_text(d))
        return 0

    raise typer.Exit(c.guarded(body))


@daemon_app.command("logs")
def logs_cmd(
    follow: Annotated[bool, typer.Option("-f", "--follow", help="keep printing")] = False,
    lines: Annotated[int, typer.Option("-n", help="how many lines")] = 50,
) -> None:
    """Print the daemon log (works while the daemon is down)."""
    from ojlang.client import project_root
    from ojlang.runtime.daemon.logs import log_path, tail

    state_dir = project_root() / ".oj"
    for line in tail(state_dir, lines):
        sys.stdout.write(line + "\n")
    if follow:
        from ojlang.cli.session_cmd import follow_file

        path = log_path(state_dir)
        try:
            if path.exists():
                follow_file(path, start_at_end=True)
        except KeyboardInterrupt:
            pass
    raise typer.Exit(0)


@daemon_app.command("reload")
def reload_cmd(as_json: JsonOpt = False) -> None:
    """Reload runbooks and config (as SIGHUP does)."""

    def body() -> int:
        result = c.request("daemon.reload", {}, timeout=120.0)
        if c.json_wanted(as_json):
            c.emit_json("daemon_reload", result)
        elif result.get("reloaded"):
            c.say("reloaded")
        else:
            c.error(
                f"the runbooks have {result['errors']} error(s): kept the running graph",
                "`oj check`",
            )
            return 1
        return 0

    raise typer.Exit(c.guarded(body))
