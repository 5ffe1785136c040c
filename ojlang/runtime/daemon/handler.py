"""The daemon's request handler (RUNTIME.md §7.2, §10): a method name and params in, an answer
or an event stream out.

Methods mirror the CLI (`queue.add`, `session.peek`, …): reads come from `reads.py`, writes from
`writes.py`, and what the engine's own `Methods` serves (`done`, `checkpoint`, `hook`, `confirm`,
`run.wait`, `ping`) passes through. While the daemon stops, every request answers
`unavailable`. A bug in a method never reaches the wire as a traceback: it is logged with an
incident id and answered `internal` with that id (CLI exit 3).

Streams: `pipeline.start` (with `wait`), `pipeline.wait`, `events.tail` (history, then live
events with `follow`), `status.watch` (a fresh status after events, at most 4 per second, and
every `interval` seconds), `lock.acquire` and `semaphore.acquire` (waits longer than the request
deadline), plus the engine's `run.wait`, `events` and `confirm`.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Generator
from typing import Any

from ojlang.runtime.daemon import reads, resources, writes
from ojlang.runtime.daemon.context import Ctx, DaemonInfo
from ojlang.runtime.daemon.eventlog import event_json, keep, query
from ojlang.runtime.daemon.methods import Methods
from ojlang.runtime.daemon.protocol import RemoteError
from ojlang.runtime.engine.loop import Engine

log = logging.getLogger("oj.daemon")
Events = Generator[dict[str, Any], None, Any]
Method = Callable[[Ctx, dict[str, Any]], Any]
WATCH_MIN_S = 0.25

CALLS: dict[str, Method] = {
    "status": reads.status,
    "daemon.status": reads.daemon_status,
    "pipeline.list": reads.pipeline_list,
    "pipeline.show": reads.pipeline_show,
    "pipeline.logs": reads.pipeline_logs,
    "pipeline.start": writes.pipeline_start,
    "pipeline.transition": writes.pipeline_transition,
    "pipeline.resume": writes.pipeline_resume,
    "pipeline.cancel": writes.pipeline_cancel,
    "pipeline.block": writes.pipeline_block,
    "pipeline.set": writes.pipeline_set,
    "graph.live": reads.graph_live,
    "queue.list": reads.queue_list,
    "queue.show": reads.queue_show,
    "queue.dead": reads.queue_dead,
    "queue.add": writes.queue_add,
    "queue.claim": writes.queue_claim,
    "queue.extend": writes._settle("extend"),
    "queue.complete": writes._settle("complete"),
    "queue.fail": writes._settle("fail"),
    "queue.release": writes._settle("release"),
    "queue.retry": writes._item_verb("retry"),
    "queue.drop": writes._item_verb("drop"),
    "queue.drain": writes.queue_drain,
    "lock.list": reads.lock_list,
    "lock.show": reads.lock_show,
    "lock.acquire": resources.lock_acquire,
    "lock.release": resources.lock_release,
    "lock.heartbeat": resources.lock_heartbeat,
    "semaphore.list": reads.semaphore_list,
    "semaphore.show": reads.semaphore_show,
    "semaphore.acquire": resources.semaphore_acquire,
    "semaphore.release": resources.semaphore_release,
    "session.list": reads.session_list,
    "session.show": reads.session_show,
    "session.peek": reads.session_peek,
    "session.nudge": resources.session_command("nudge"),
    "session.kill": resources.session_command("kill"),
    "workspace.list": reads.workspace_list,
    "workspace.show": reads.workspace_show,
    "workspace.create": resources.workspace_create,
    "workspace.remove": resources.workspace_remove,
    "workspace.merge": resources.workspace_merge,
    "workspace.adopt": resources.workspace_adopt,
    "workspace.prune": resources.workspace_prune,
    "emit": writes.emit,
    "events.tail": reads.events_tail,
    "escalation.list": reads.escalation_list,
    "escalation.show": reads.escalation_show,
    "escalation.resolve": writes.escalation_resolve,
    "escalation.dismiss": writes.escalation_dismiss,
}
for _kind, _verbs, _make in (
    (
        "worker",
        ("enable", "disable", "start", "stop", "wake", "resume", "resize"),
        writes.worker_command,
    ),
    ("cron", ("enable", "disable", "run"), writes.cron_command),
    ("watcher", ("enable", "disable"), writes.watcher_command),
    ("scanner", ("enable", "disable", "run"), writes.scanner_command),
):
    _list, _show = reads._loop_reads(_kind)
    CALLS[f"{_kind}.list"] = _list
    CALLS[f"{_kind}.show"] = _show
    for _verb in _verbs:
        CALLS[f"{_kind}.{_verb}"] = _make(_verb)

PASS_THROUGH = frozenset({"ping", "done", "checkpoint", "hook"})
DAEMON_CONTROL = frozenset({"daemon.stop", "daemon.restart", "daemon.reload"})


class Handler:
    def __init__(
        self,
        engine: Engine,
        info: DaemonInfo,
        control: Callable[[str, dict[str, Any]], Any] | None = None,
    ) -> None:
        self.ctx = Ctx(engine, info)
        self.methods = Methods(engine)
        self.control = control
        self.stopping = False

    # -- calls ------------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> Any:
        if method in DAEMON_CONTROL and self.control is not None:
            return self.control(method, params)
        self._open()
        fn = CALLS.get(method)
        if fn is None:
            if method in PASS_THROUGH:
                return self._guard(method, lambda: self.methods.call(method, params))
            raise RemoteError("invalid", f"unknown method `{method}`")
        return self._guard(method, lambda: fn(self.ctx, params))

    def _open(self) -> None:
        if self.stopping or not self.ctx.engine.running:
            raise RemoteError(
                "unavailable",
                "the daemon is shutting down",
                "retry in a moment: it restarts on demand",
            )

    def _guard(self, method: str, body: Callable[[], Any]) -> Any:
        try:
            return body()
        except RemoteError:
            raise
        except Exception:
            incident = secrets.token_hex(4)
            log.exception("incident %s: request `%s` failed", incident, method)
            raise RemoteError(
                "internal",
                f"internal error in `{method}` (incident {incident})",
                "the traceback is in `.oj/logs/daemon.log`; please report it",
                {"incident": incident},
            ) from None

    # -- streams ----------------------------------------------------------------------------

    def stream(self, method: str, params: dict[str, Any], cancelled: Callable[[], bool]) -> Events:
        self._open()
        if method == "pipeline.start":
            p = self._guard(method, lambda: writes.start_params(self.ctx, params))
            return self.methods.stream("pipeline.start", p, cancelled)
        if method in ("pipeline.wait", "run.wait"):
            rid = self._guard(
                method, lambda: self.ctx.run_id(str(params.get("run") or params.get("id") or ""))
            )
            return self.methods.stream("run.wait", {**params, "run": rid}, cancelled)
        if method == "events.tail":
            return self._tail(params, cancelled)
        if method == "status.watch":
            return self._watch(params, cancelled)
        if method in resources.STREAMS:
            return resources.STREAMS[method](self.ctx, params, cancelled)
        return self.methods.stream(method, params, cancelled)

    def _tail(self, params: dict[str, Any], cancelled: Callable[[], bool]) -> Events:
        engine = self.ctx.engine
        patterns = [str(p) for p in params.get("patterns") or []]
        subject = str(params.get("subject") or "")
        run = str(params.get("run") or "")
        if run:
            run = self.ctx.run_id(run)
        sub = engine.subscribe()
        try:
            last = 0
            raw = params.get("n")
            n = int(raw) if isinstance(raw, int | float) else 50
            since = params.get("since_s")
            since_us = self.ctx.now_us() - int(float(since) * 1_000_000) if since else 0
            db = self.ctx.info.state_dir / "state.db"
            for row in query(db, patterns, limit=n, subject=subject, run=run, since_us=since_us):
                last = max(last, int(row["seq"]))
                yield row
            if not params.get("follow"):
                return {"follow": False}
            while not cancelled() and engine.running:
                event = sub.get(0.2)
                if event is None or event.seq <= last:
                    continue
                if keep(event, patterns, subject, run):
                    yield event_json(event)
        finally:
            sub.close()
        return {"follow": True}

    def _watch(self, params: dict[str, Any], cancelled: Callable[[], bool]) -> Events:
        engine = self.ctx.engine
        interval = max(float(params.get("interval") or 1.0), WATCH_MIN_S)
        sub = engine.subscribe()
        try:
            yield {"name": "oj:status", "payload": reads.status(self.ctx, params)}
            sent = time.monotonic()
            dirty = False
            while not cancelled() and engine.running:
                event = sub.get(0.1)
                dirty = dirty or event is not None
                now = time.monotonic()
                if (dirty and now - sent >= WATCH_MIN_S) or now - sent >= interval:
                    yield {"name": "oj:status", "payload": reads.status(self.ctx, params)}
                    sent, dirty = now, False
        finally:
            sub.close()
        return {}


def in_process(engine: Engine, root: Any, sock: Any, tmux_sock: Any) -> Handler:
    """A handler for an engine run inside another command (`oj run --wait` without a daemon),
    so every `oj` command its phases and agents call is answered as by the daemon."""
    import os
    from pathlib import Path

    from ojlang.runtime.daemon.protocol import VERSION

    info = DaemonInfo(
        root=Path(root),
        state_dir=Path(engine.state_dir),
        socket=Path(sock),
        tmux_socket=Path(tmux_sock),
        pid=os.getpid(),
        version=VERSION,
        started_us=time.time_ns() // 1000,
        reconciled=dict(engine.report),
    )
    return Handler(engine, info)
