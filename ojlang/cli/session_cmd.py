"""`oj session list|show|attach|peek|nudge|kill|logs` (RUNTIME.md §9, §10): argv in,
`session.*` requests (or the session's files) out.

`attach` execs `tmux -S SOCKET attach-session -t =S` on the project's private tmux server.
`peek S [-n 40]` prints the pane's last lines, or for a dead session its final capture.
`logs S [-f]` prints (and follows) `.oj/logs/sessions/S.log`. Session names are prefix-matched.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ojlang.cli import common as c

session_app = typer.Typer(
    name="session",
    help="Look at and talk to agent sessions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
JsonOpt = Annotated[bool, typer.Option("--json", help="machine output (`oj.<kind>/1`)")]
SessionArg = Annotated[str, typer.Argument(help="session name or a unique prefix")]


def sessions_table(sessions: list[dict[str, Any]]) -> str:
    if not sessions:
        return "no sessions\n"
    rows = [
        [s["session"], s["state"], s["run"], s["phase"], s["generation"], c.ago(s["started_us"])]
        for s in sessions
    ]
    return c.table(["SESSION", "STATE", "RUN", "PHASE", "GEN", "STARTED"], rows)


@session_app.command("list")
def list_cmd(
    all_: Annotated[bool, typer.Option("--all", help="ended sessions too")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List agent sessions (live ones; `--all` for every one)."""
    params = {"all": all_}
    raise typer.Exit(
        c.show("session.list", params, "sessions", lambda r: sessions_table(r["sessions"]), as_json)
    )


@session_app.command("show")
def show_cmd(session: SessionArg, as_json: JsonOpt = False) -> None:
    """Show a session: its task run, state, log files and how to attach."""

    def body() -> int:
        s = c.request("session.show", {"session": session})["session"]
        if c.json_wanted(as_json):
            c.emit_json("session", {"session": s})
            return 0
        c.say(f"session  {s['session']}  ({'live' if s['live'] else 'ended'}, {s['state']})")
        c.say(f"task run {s['task_run']}  gen {s['generation']}  phase {s['phase']}")
        c.say(f"log      {s['log']}")
        c.say(f"attach   {' '.join(s['attach'])}")
        return 0

    raise typer.Exit(c.guarded(body))


@session_app.command("attach")
def attach_cmd(session: SessionArg) -> None:
    """Attach this terminal to a session (tmux; detach with C-b d)."""

    def body() -> int:
        s = c.request("session.show", {"session": session})["session"]
        if not s["live"]:
            raise c.Usage(
                f"session `{s['session']}` has ended", f"`oj session peek {s['session']}`"
            )
        tmux = shutil.which("tmux")
        if tmux is None:
            raise c.Usage("`tmux` is not installed")
        argv = [tmux, *s["attach"][1:]]
        sys.stdout.flush()
        os.execv(tmux, argv)
        return 0  # not reached

    raise typer.Exit(c.guarded(body))


@session_app.command("peek")
def peek_cmd(
    session: SessionArg,
    lines: Annotated[int, typer.Option("-n", help="how many lines")] = 40,
    as_json: JsonOpt = False,
) -> None:
    """Print a session's last lines (a dead one: its final capture)."""

    def body() -> int:
        result = c.request("session.peek", {"session": session, "lines": lines})
        if c.json_wanted(as_json):
            c.emit_json("session_peek", result)
        else:
            if result["source"] != "pane":
                c.say(f"(session `{result['session']}` ended; its final capture)")
            sys.stdout.write("".join(f"{line}\n" for line in result["lines"]))
        return 0

    raise typer.Exit(c.guarded(body))


@session_app.command("nudge")
def nudge_cmd(
    session: SessionArg,
    message: Annotated[
        str | None, typer.Argument(help="what to type (default: the task's nudge)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Type a nudge into a live session."""
    params = {"session": session, "message": message}
    raise typer.Exit(
        c.show("session.nudge", params, "session_nudge", "nudged `{session}`", as_json)
    )


@session_app.command("kill")
def kill_cmd(
    session: SessionArg,
    no_capture: Annotated[
        bool, typer.Option("--no-capture", help="do not save its screen")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Kill a session; its task run ends (cancelled)."""
    params = {"session": session, "capture": not no_capture}
    raise typer.Exit(c.show("session.kill", params, "session_kill", "killed `{session}`", as_json))


def follow_file(path: Path, start_at_end: bool = False) -> None:
    """Print what is appended to `path` until interrupted."""
    with path.open("rb") as fh:
        if start_at_end:
            fh.seek(0, os.SEEK_END)
        while True:
            chunk = fh.read(65536)
            if chunk:
                sys.stdout.write(chunk.decode("utf-8", "replace"))
                sys.stdout.flush()
            else:
                time.sleep(0.25)


@session_app.command("logs")
def logs_cmd(
    session: SessionArg,
    follow: Annotated[bool, typer.Option("-f", "--follow", help="keep printing")] = False,
) -> None:
    """Print a session's log (`-f`: and follow it)."""

    def body() -> int:
        s = c.request("session.show", {"session": session})["session"]
        path = Path(s["log"])
        if not path.exists():
            raise c.Usage(f"no log for `{s['session']}` yet", f"expected at `{path}`")
        try:
            if follow:
                follow_file(path)
            else:
                sys.stdout.write(path.read_text(encoding="utf-8", errors="replace"))
        except KeyboardInterrupt:
            return 0
        return 0

    raise typer.Exit(c.guarded(body))
