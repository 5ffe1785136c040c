"""Running `oj run` in-process (RUNTIME.md §1, §10): a `Prepared` request in, the work done
and an exit code out, until the daemon issue lands.

- A *command* runs its rendered `run` script once in the caller's terminal (§L3.1); its exit
  status is the result.
- A *pipeline* or *task* starts the engine in this process with the real adapters and a socket
  server on `.oj/run/daemon.sock` (so `oj done` and `oj hook` from agent sessions reach it),
  starts the run, prints its progress and waits: exit 0 when it ends `done`, 1 when it fails,
  is cancelled or escalates (nobody could resolve the escalation while this process blocks;
  `oj escalation list` shows it), 124 when `--timeout` expires, 4 when another engine owns the
  project. After the end it lets the run's last effects finish (session linger, worktree
  removal) before stopping.
- `dry_run` walks the graph with the pure simulator (guards pass, agents finish at once,
  shells exit 0) and prints the phases visited and every effect; no store, no adapters.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ojlang.errors import UsageError
from ojlang.run_api import Prepared

END = {"done": 0, "failed": 1, "cancelled": 1, "escalated": 1}


# -- commands ---------------------------------------------------------------------------------


def run_command(prep: Prepared) -> int:
    from ojlang.runtime.core.templates import RenderError, render_template

    g = prep.graph
    command = g.commands[prep.target.name]
    if command.run is None:
        return 0
    book = g.runbooks.get(command.runbook)
    scope: dict[str, Any] = {
        "config": book.config if book is not None else {},
        "env": dict(os.environ),
        "project": str(prep.root),
        "runbook": command.runbook,
        **prep.vars,
        "args": dict(prep.vars),
    }
    try:
        script = render_template(command.run, scope)
    except RenderError as err:
        raise UsageError(f"cannot render `{prep.text}`: {err}") from None
    env = {
        **os.environ,
        "OJ_PROJECT": str(prep.root),
        "OJ_RUNBOOK": command.runbook,
        **{f"OJ_ARG_{k.upper()}": _text(v) for k, v in prep.vars.items()},
    }
    argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
    return subprocess.call(argv, cwd=prep.root, env=env)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


# -- progress ---------------------------------------------------------------------------------


def describe(name: str, p: dict[str, Any]) -> str | None:
    """One progress line for an event of the run, or None."""
    if name == "pipeline:created":
        return f"run `{p.get('id')}` created"
    if name == "pipeline:phase":
        return f"phase `{p.get('phase')}` (attempt {p.get('attempt', 1)})"
    if name == "pipeline:waiting":
        return f"waiting on {p.get('on')} {p.get('name') or ''}".rstrip()
    if name == "pipeline:retry":
        return f"retry {p.get('count')} in {p.get('after_s')}s"
    if name == "task:started":
        return f"task `{p.get('task')}` running in session `{p.get('session')}`"
    if name in ("task:stuck", "task:nudged", "task:restarted", "task:failed", "task:timeout"):
        detail = p.get("reason") or p.get("error") or p.get("count") or ""
        return f"{name} {detail}".rstrip()
    if name == "pipeline:escalated":
        return f"escalated: {p.get('error') or 'needs a decision'}"
    if name == "pipeline:complete":
        return f"done in {float(p.get('duration_s') or 0):.1f}s"
    if name == "pipeline:failed":
        return f"failed: {p.get('error')}"
    if name == "pipeline:cancelled":
        return f"cancelled: {p.get('reason')}"
    return None


# -- pipelines in-process ---------------------------------------------------------------------


def _setup_log(state_dir: Path) -> logging.Handler:
    path = state_dir / "logs" / "daemon.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("oj")
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


class EngineBusy(Exception):
    """The engine could not start (`message`, `code` = exit code)."""

    def __init__(self, message: str, help: str | None, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.help = help
        self.code = code


@contextlib.contextmanager
def local_engine(root: Path, graph: Any, adapters: Any = None) -> Iterator[Any]:
    """An engine for the project at `root` in this process, with its socket server running;
    stopped (and the socket removed) on exit. Raises `EngineBusy` when it cannot start."""
    from ojlang.runtime.daemon.handler import in_process
    from ojlang.runtime.daemon.protocol import project_id, socket_path, tmux_socket_path
    from ojlang.runtime.daemon.server import SocketServer
    from ojlang.runtime.engine.loop import Engine, EngineError
    from ojlang.runtime.engine.settings import load_settings
    from ojlang.runtime.engine.wiring import real_adapters
    from ojlang.runtime.store.errors import StoreError

    state_dir = root / ".oj"
    (state_dir / "run").mkdir(parents=True, exist_ok=True)
    _, settings = load_settings(root)
    sock = socket_path(state_dir)
    tmux_sock = tmux_socket_path(state_dir)
    handler = _setup_log(state_dir)
    if adapters is None:
        adapters = real_adapters(root, state_dir, settings, tmux_socket=tmux_sock)
    engine = Engine(root, graph, adapters, settings=settings, session_env={"OJ_SOCKET": str(sock)})
    try:
        engine.start()
    except EngineError as err:
        logging.getLogger("oj").removeHandler(handler)
        cause = err.__cause__
        if isinstance(cause, StoreError):
            code = 4 if cause.exit_code == 1 else cause.exit_code
            raise EngineBusy(cause.message, cause.help, code) from None
        raise EngineBusy(err.message, None, 4) from None
    answers = in_process(engine, root, sock, tmux_sock)  # every `oj` command, as the daemon
    server = SocketServer(sock, answers, project_id=project_id(root)).start()
    info = state_dir / "run" / "daemon.json"
    record = {
        "pid": os.getpid(),
        "socket": str(sock),
        "tmux_socket": str(tmux_sock),
        "version": "0.1.0",
        "protocol": 1,
        "in_process": True,
    }
    info.write_text(json.dumps(record))
    try:
        yield engine
    finally:
        server.stop()
        engine.stop()
        info.unlink(missing_ok=True)
        logging.getLogger("oj").removeHandler(handler)
        handler.close()


def run_here(
    prep: Prepared, *, out: TextIO, timeout_s: float | None = None, adapters: Any = None
) -> int:
    """Start the engine in this process, run the pipeline, wait for its end; the exit code."""
    from ojlang.runtime.core import inputs as i

    try:
        with local_engine(prep.root, prep.graph, adapters) as engine:
            return _follow(engine, prep, out, timeout_s, i)
    except EngineBusy as err:
        out.write(f"error: {err.message}\n")
        if err.help:
            out.write(f"  help: {err.help}\n")
        return err.code
    except KeyboardInterrupt:
        out.write("interrupted: the run stays where it is\n")
        return 130


def _follow(engine: Any, prep: Prepared, out: TextIO, timeout_s: float | None, i: Any) -> int:
    from ojlang.runtime.daemon.protocol import ERROR_EXIT

    sub = engine.subscribe()
    try:
        reply = engine.request(i.PipelineStart(prep.pipeline_key, dict(prep.vars), prep.run_name))
        if reply.error:
            out.write(f"error: {reply.message or reply.error}\n")
            return ERROR_EXIT.get(reply.error, 1)
        run = str(reply.result["run"])
        deadline = time.monotonic() + (timeout_s if timeout_s else 1e9)
        while True:
            event = sub.get(0.2)
            if event is not None and event.payload.get("id") == run:
                line = describe(event.name, event.payload)
                if line:
                    out.write(f"{line}\n")
                    out.flush()
                continue
            state = engine.world.runs[run].state
            if (state in END or _escalated(engine.world, run)) and sub.queue.empty():
                break
            if not engine.running:
                out.write("error: the engine stopped\n")
                return 3
            if time.monotonic() > deadline:
                out.write(f"timeout: run `{run}` is still `{state}`\n")
                return 124
    finally:
        sub.close()
    record = engine.world.runs[run]
    esc = _escalated(engine.world, run)
    if esc is not None:
        out.write(
            f"run `{run}` escalated: `{esc.id}` ({esc.kind}): {esc.reason}\n"
            "  help: `oj escalation list` shows it; the run waits for a decision\n"
        )
        return 1
    _settle(engine, run, engine.world.graphs[record.graph_hash].settings.linger_us)
    return END.get(record.state, 1)


def _escalated(world: Any, run: str) -> Any:
    """The open escalation of the run or of one of its parts, or None."""
    for esc in world.escalations.values():
        if esc.state != "open":
            continue
        ident = esc.subject.partition(":")[2]
        if ident == run or ident.startswith(f"{run}.") or esc.subject_name == run:
            return esc
        owner = getattr(world.guards.get(ident) or world.strategies.get(ident), "owner", "")
        if owner == run:
            return esc
    return None


def _settle(engine: Any, run: str, linger_us: int) -> None:
    """Let the run's last effects (session linger, worktree removal) finish, briefly."""

    def settled(world: Any) -> bool:
        lingering = any(t.startswith(f"task:{run}.") for t in world.timers if "linger" in t)
        pending = any(
            run in e.owner or run in getattr(e, "workspace", "") for e in world.outbox.values()
        )
        return not lingering and not pending

    engine.wait_for(settled, linger_us / 1_000_000 + 5.0)


# -- dry run ----------------------------------------------------------------------------------


def _effect_line(effect: Any) -> str | None:
    from ojlang.runtime.core import effects as fx

    if isinstance(effect, fx.RunShell):
        return f"RunShell[{effect.purpose}] {effect.script}"
    if isinstance(effect, fx.SpawnSession):
        return f"SpawnSession {effect.session}: {' '.join(effect.argv)[:120]}"
    if isinstance(effect, fx.WorktreeAdd):
        return f"WorktreeAdd {effect.path} on {effect.branch}"
    if isinstance(effect, fx.WorktreeRemove):
        return f"WorktreeRemove {effect.path}"
    if isinstance(effect, fx.Emit | fx.SetTimer | fx.CancelTimer | fx.Log | fx.Reply):
        return None
    return type(effect).__name__


def dry_run(prep: Prepared, out: TextIO) -> int:
    from ojlang.runtime.core import inputs as i
    from ojlang.runtime.core.simulate import START_US, simulate
    from ojlang.runtime.core.world import initial_world

    world = initial_world(prep.graph, START_US, "dry-run")
    start = i.PipelineStart(prep.pipeline_key, dict(prep.vars), prep.run_name, "dry-run")
    result = simulate(world, [(0, start)], machine_id="dry-run", max_steps=20_000)
    run = next(iter(result.world.runs.values()), None)
    for step in result.trace:
        for effect in step.effects:
            from ojlang.runtime.core import effects as fx

            if isinstance(effect, fx.Reply) and effect.error:
                out.write(f"error: {effect.message or effect.error}\n")
                return 2
            if isinstance(effect, fx.Emit) and effect.event.name == "pipeline:phase":
                p = effect.event.payload
                out.write(f"phase `{p.get('phase')}` (attempt {p.get('attempt', 1)})\n")
                continue
            line = _effect_line(effect)
            if line:
                out.write(f"  {line}\n")
    state = run.state if run is not None else "not started"
    out.write(f"dry run: `{run.id if run else prep.text}` ends `{state}`\n")
    return 0
