"""What every socket method works with (RUNTIME.md §7.2): the engine, the daemon's facts and
the id matching of §2.3, in; answers and `RemoteError`s out.

`Ctx.ask(input)` submits a command and waits for its reply (after commit); reply errors become
`RemoteError`s with a message even when the core gave only a code. The `*_id` helpers turn
what the user typed into the id meant (`resolve.py`) against the world of the last commit;
`text` and `micros` read request params (a missing one is `invalid`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import attrs

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.world import World
from ojlang.runtime.daemon.limits import DaemonSettings
from ojlang.runtime.daemon.protocol import RemoteError
from ojlang.runtime.daemon.resolve import resolve, unknown
from ojlang.runtime.daemon.views import graph_of
from ojlang.runtime.engine.loop import Engine, EngineError

DEADLINE_S = 30.0
MESSAGES = {
    "stale_claim": "the claim is not current (it expired, was settled or re-issued)",
    "stale_task": "the task run has moved on to a newer generation",
    "conflict": "refused in the current state",
    "denied": "refused: not the holder",
    "not_found": "not found",
    "invalid": "invalid request",
}


@attrs.define
class DaemonInfo:
    """Facts about this daemon process for `status` and `daemon.status`."""

    root: Path
    state_dir: Path
    socket: Path
    tmux_socket: Path
    pid: int
    version: str
    started_us: int
    settings: DaemonSettings = DaemonSettings()
    reconciled: dict[str, Any] = attrs.Factory(dict)
    warnings: list[str] = attrs.Factory(list)
    graph_errors: int = 0


def text(params: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = params.get(key)
    if value is None or value == "":
        if required:
            raise RemoteError("invalid", f"missing `{key}`")
        return ""
    return str(value)


def micros(params: dict[str, Any], key: str) -> int | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise RemoteError("invalid", f"`{key}` must be a positive number of seconds")
    return int(value * 1_000_000)


class Ctx:
    def __init__(self, engine: Engine, info: DaemonInfo) -> None:
        self.engine = engine
        self.info = info

    @property
    def world(self) -> World:
        return self.engine.world

    def ask(self, inp: i.Input, what: str = "") -> Any:
        """Submit `inp`, wait for its reply; an error reply raises `RemoteError`."""
        try:
            reply = self.engine.request(inp, DEADLINE_S)
        except EngineError as err:
            raise RemoteError(err.code, err.message) from None
        if reply.error:
            message = reply.message or MESSAGES.get(reply.error, reply.error)
            if what and not reply.message:
                message = f"{what}: {message}"
            raise RemoteError(reply.error, message)
        return reply.result

    # -- matching ---------------------------------------------------------------------------

    def run_id(self, text: str) -> str:
        runs = self.world.runs
        names: dict[str, list[str]] = {}
        for r in runs.values():
            names.setdefault(r.name, []).append(r.id)
        live = [r.id for r in runs.values() if not r.terminal]
        return resolve("run", text, runs.keys(), names=names, live=live)

    def loop_key(self, kind: str, text: str) -> str:
        table = getattr(self.world, f"{kind}s")
        return resolve(kind, text, table.keys(), bare=True)

    def queue_name(self, text: str) -> str:
        names = set(graph_of(self.world).queues) | set(self.world.queues)
        return resolve("queue", text, names)

    def item(self, text: str, queue: str = "") -> tuple[str, str]:
        """(queue, item id) of an item id typed in full or as a prefix."""
        pools = {queue: self.world.queues[queue]} if queue in self.world.queues else {}
        if not pools:
            pools = dict(self.world.queues.items())
        owner: dict[str, str] = {}
        for name, qs in pools.items():
            for iid in qs.items:
                owner.setdefault(iid, name)
        iid = resolve("item", text, owner.keys())
        return owner[iid], iid

    def claim(self, text: str) -> tuple[str, str]:
        """(queue, claim id): a full `ITEM~N` passes as typed (a stale one answers
        `stale_claim`); otherwise a prefix of a current claim."""
        current: dict[str, str] = {}
        for name, qs in self.world.queues.items():
            for item in qs.items.values():
                if item.claim is not None:
                    current[item.claim.id] = name
        if "~" in text:
            iid = text.rpartition("~")[0]
            for name, qs in self.world.queues.items():
                if iid in qs.items:
                    return name, text
            raise unknown("claim", text, current)
        cid = resolve("claim", text, current.keys())
        return current[cid], cid

    def session(self, text: str, *, live_only: bool = False) -> str:
        tasks = [t for t in self.world.tasks.values() if t.session]
        if live_only:
            tasks = [t for t in tasks if t.live]
        return resolve("session", text, {t.session for t in tasks})

    def escalation_id(self, text: str) -> str:
        return resolve("escalation", text, self.world.escalations.keys())

    def workspace_id(self, text: str) -> str:
        spaces = self.world.workspaces
        for ws in spaces.values():  # a path names its workspace too
            if text and (ws.path == text or ws.path.rstrip("/") == text.rstrip("/")):
                return ws.id
        return resolve("workspace", text, spaces.keys())

    def pipeline_key(self, text: str) -> str:
        """`RUNBOOK.PIPELINE`, `RUNBOOK.pipeline.NAME`, a unique bare name, or a runbook with
        one pipeline; unknown targets are usage errors (exit 2)."""
        pipelines = graph_of(self.world).pipelines
        parts = text.split(".")
        if len(parts) == 3 and parts[1] in ("pipeline", "task"):
            text = f"{parts[0]}.{parts[2]}"
        if text in pipelines:
            return text
        found = [k for k in pipelines if k.rpartition(".")[2] == text]
        if len(found) == 1:
            return found[0]
        own = [k for k in pipelines if k.partition(".")[0] == text]
        if len(own) == 1 and not found:
            return own[0]
        if len(found) > 1:
            raise RemoteError(
                "invalid",
                f"pipeline `{text}` is defined by several runbooks",
                "name one: " + ", ".join(f"`{k}`" for k in sorted(found)),
            )
        from ojlang.parser.mini import close_match

        by_name = {k.rpartition(".")[2]: k for k in sorted(pipelines)}
        near = close_match(text, by_name)
        err = unknown("pipeline", text, pipelines.keys())
        if near is not None and near not in pipelines:
            err.help = f"a pipeline with a similar name exists: `{by_name[near]}`"
        raise RemoteError("invalid", err.message, err.help)

    def active_runs(self) -> int:
        return sum(1 for r in self.world.runs.values() if not r.terminal)

    def now_us(self) -> int:
        return time.time_ns() // 1000
