"""The world and its step: `step(world, input, now_us, seq, machine_id) -> (world, effects)`.

Theory of operation. `World` aggregates every primitive's state plus `timers` (id → due µs),
`outbox` (I/O effects without a result, §4.2), `subscriptions` (pattern index → subscriber)
and the ids issued so far. `step` routes the input to its machine (`dispatch.py`), then routes
every event emitted in the step to in-step subscribers — owners of guards, strategies and task
runs, waiting runs, workers, watchers, `[events]` hooks and `[notify]` rules — breadth first,
at most 32 deep (deeper is a bug: logged and cut). A (state, input) pair without a row leaves
the state unchanged and yields `Log(debug, "ignored …")`; the step never raises: an internal
error leaves the world unchanged and yields `Log(error, …)`. Same world, input, now, seq and
machine id give the same output, byte for byte after canonical JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from immutables import Map

from ojlang.runtime.core import cron, scanner, semaphore, watcher, worker
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core.action import ActionState
from ojlang.runtime.core.cron import CronState
from ojlang.runtime.core.ctx import MAX_DEPTH, Tx
from ojlang.runtime.core.escalation import Escalation
from ojlang.runtime.core.graph import Graph
from ojlang.runtime.core.guard import GuardInst
from ojlang.runtime.core.inputs import Input
from ojlang.runtime.core.lock import LockState
from ojlang.runtime.core.queue import QueueState
from ojlang.runtime.core.run import Run
from ojlang.runtime.core.scanner import ScannerState
from ojlang.runtime.core.semaphore import SemaphoreState
from ojlang.runtime.core.strategy import StrategyInst
from ojlang.runtime.core.subs import Subscription
from ojlang.runtime.core.task import TaskRun
from ojlang.runtime.core.watcher import WatcherState
from ojlang.runtime.core.worker import WorkerState
from ojlang.runtime.core.workspace import Workspace


@attrs.frozen(slots=False)
class World:
    graph_hash: str = ""
    graphs: Map[str, Graph] = Map()
    runs: Map[str, Run] = Map()
    tasks: Map[str, TaskRun] = Map()
    guards: Map[str, GuardInst] = Map()
    strategies: Map[str, StrategyInst] = Map()
    queues: Map[str, QueueState] = Map()
    locks: Map[str, LockState] = Map()
    semaphores: Map[str, SemaphoreState] = Map()
    workers: Map[str, WorkerState] = Map()
    crons: Map[str, CronState] = Map()
    watchers: Map[str, WatcherState] = Map()
    scanners: Map[str, ScannerState] = Map()
    actions: Map[str, ActionState] = Map()
    escalations: Map[str, Escalation] = Map()
    workspaces: Map[str, Workspace] = Map()
    timers: Map[str, int] = Map()
    outbox: Map[str, fx.IoEffect] = Map()
    subscriptions: Map[str, tuple[Subscription, ...]] = Map()
    subscribers: Map[str, tuple[str, ...]] = Map()
    issued: Map[str, int] = Map()  # run id base → runs issued with it (ids are never reused)
    last_seq: int = 0


def load_graph(tx: Tx, graph: Graph) -> None:
    """Make `graph` current: new runs use it; loops are created, carried over or removed."""
    old = tx.graph if tx.world.graph_hash else Graph()
    h = graph.content_hash()
    tx.set(graphs=tx.world.graphs.set(h, graph), graph_hash=h)
    for kind, mod in (
        ("workers", worker),
        ("crons", cron),
        ("watchers", watcher),
        ("scanners", scanner),
    ):
        for key in getattr(old, kind):
            if key not in getattr(graph, kind):
                _drop_loop(tx, kind, key)
        for key in getattr(graph, kind):
            mod.init(tx, key, getattr(tx.world, kind).get(key))
    for name in sorted(tx.world.semaphores):
        if name in graph.semaphores:
            semaphore.set_max(tx, name, graph.semaphores[name].max)
    used = {r.graph_hash for r in tx.world.runs.values() if not r.terminal} | {h}
    for gh in list(tx.world.graphs):
        if gh not in used:
            tx.set(graphs=tx.world.graphs.delete(gh))


def _drop_loop(tx: Tx, kind: str, key: str) -> None:
    from ojlang.runtime.core import subs

    prefix = {"workers": "worker", "crons": "cron", "watchers": "watcher", "scanners": "scanner"}[
        kind
    ]
    for tid in sorted(t for t in tx.world.timers if t.startswith(f"{prefix}:{key}:")):
        tx.cancel_timer(tid)
    subs.remove_all(tx, f"{prefix}:{key}")
    subs.remove_all(tx, f"watcher-events:{key}")
    waiters = getattr(getattr(tx.world, kind)[key], "waiters", ())
    tx.set(**{kind: getattr(tx.world, kind).delete(key)})
    for c in waiters:  # crons whose tick waited for a removed watcher or scanner
        cron.part_done(tx, c, f"{prefix}:{key}", "")


def initial_world(graph: Graph, now_us: int = 0, machine_id: str = "init") -> World:
    """A fresh world with `graph` loaded; loop timers are due relative to `now_us`."""
    tx = Tx(World(), now_us, 0, machine_id)
    load_graph(tx, graph)
    return tx.freeze()


def step(
    world: World, input: Input, now_us: int, seq: int, machine_id: str
) -> tuple[World, tuple[fx.Effect, ...]]:
    if not _ROUTES:
        _bind()
    handle, route = _ROUTES
    tx = Tx(world, now_us, seq, machine_id)
    try:
        handle(tx, input)
        pending = tx.pending
        k = 0
        while k < len(pending):  # breadth first: routing appends to the end
            event, depth = pending[k]
            k += 1
            if depth > MAX_DEPTH:
                tx.log("error", f"event routing deeper than {MAX_DEPTH}: `{event.name}` cut")
                continue
            tx.depth = depth
            tx.pinned = ""
            route(tx, event)
    except Exception as exc:  # a bug: keep the world, report it
        message = f"internal error on `{input.name}`: {type(exc).__name__}: {exc}"
        return attrs.evolve(world, last_seq=seq), (fx.Log("error", message, {"seq": seq}),)
    return tx.freeze(last_seq=seq), tuple(tx.effects)


_ROUTES: list[Callable[[Tx, Any], None]] = []


def _bind() -> None:
    """Import the dispatcher and the router once (they import this module)."""
    from ojlang.runtime.core.dispatch import handle
    from ojlang.runtime.core.routing import route

    _ROUTES[:] = [handle, route]
