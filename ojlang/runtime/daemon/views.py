"""Read views (RUNTIME.md §7.2 reads, §10): the in-memory `World` in, plain JSON-ready dicts out.

Reads never become ops: every `*.list`/`*.show` request and `status` is answered here from the
world of the last commit. Loop and definition keys are `RUNBOOK.NAME`; views show the bare
`name` and the `key`. Times stay µs (`*_us`); the CLI renders them. A run's `waiting` says what
it waits on: a guard, a lock and its holder, a semaphore N/M, the pipeline's concurrency, an
escalation id, or a retry delay.
"""

from __future__ import annotations

from typing import Any

from ojlang.runtime.core.graph import Graph
from ojlang.runtime.core.queue import Item, QueueState
from ojlang.runtime.core.run import Run
from ojlang.runtime.core.task import TaskRun
from ojlang.runtime.core.world import World

Json = dict[str, Any]
ITEM_STATES = ("ready", "claimed", "parked", "done", "dead", "dropped")


def bare(key: str) -> str:
    return key.rpartition(".")[2]


def graph_of(world: World) -> Graph:
    return world.graphs.get(world.graph_hash) or Graph()


# -- runs -------------------------------------------------------------------------------------


def waiting(world: World, run: Run) -> Json | None:
    """What `run` waits on, or None when it is not blocked."""
    if run.state == "escalated":
        return {"on": "escalation", "name": run.escalation or ""}
    if run.state == "queued":
        return {"on": "concurrency", "name": bare(run.pipeline)}
    if run.terminal or not run.phase:
        return None
    graph = world.graphs.get(run.graph_hash)
    pipe = graph.pipelines.get(run.pipeline) if graph is not None else None
    phase = pipe.phase(run.phase) if pipe is not None and pipe.has_phase(run.phase) else None
    if run.step == "lock" and phase is not None and phase.lock:
        lock = world.locks.get(phase.lock)
        return {"on": "lock", "name": phase.lock, "holder": lock.holder if lock else None}
    if run.step == "slot" and phase is not None and phase.semaphore:
        sem = world.semaphores.get(phase.semaphore)
        used = sum(s.weight for s in sem.holders.values()) if sem else 0
        return {
            "on": "semaphore",
            "name": phase.semaphore,
            "used": used,
            "max": sem.max if sem else 0,
        }
    if run.step in ("pre", "post") and run.child in world.guards:
        inst = world.guards[run.child]
        return {"on": "guard", "name": bare(inst.guard), "state": inst.state}
    if run.step == "retry":
        due = next((d for t, d in world.timers.items() if t.startswith(f"run:{run.id}:")), None)
        return {"on": "retry", "name": run.phase, "due_us": due}
    if run.state == "waiting":
        return {"on": run.step or "unknown", "name": run.phase}
    return None


def run_view(world: World, run: Run, *, full: bool = False) -> Json:
    out: Json = {
        "id": run.id,
        "name": run.name,
        "pipeline": bare(run.pipeline),
        "runbook": run.runbook,
        "state": run.state,
        "phase": run.phase,
        "waiting": waiting(world, run),
        "error": run.error or None,
        "escalation": run.escalation or None,
        "workspace": run.workspace or None,
        "branch": run.branch or None,
        "worker": bare(run.worker) if run.worker else None,
        "task": None,
        "created_us": run.created_us,
        "phase_since_us": run.phase_since_us,
        "ended_us": run.ended_us or None,
    }
    if run.child in world.tasks:
        tr = world.tasks[run.child]
        out["task"] = {"id": tr.id, "state": tr.state, "session": tr.session or None}
    if full:
        out["vars"] = dict(run.vars)
        out["attempts"] = dict(run.attempts)
        out["item"] = (
            {"queue": run.item_queue, "claim": run.item_claim, "data": run.item}
            if run.item_queue
            else None
        )
        out["tasks"] = [
            task_view(t)
            for t in sorted(world.tasks.values(), key=lambda t: t.started_us)
            if t.run == run.id
        ]
        out["checkpoint"] = run.checkpoint_note or None
    return out


def runs(
    world: World, *, everything: bool = False, state: str = "", runbook: str = ""
) -> list[Json]:
    chosen = [
        r
        for r in world.runs.values()
        if (everything or not r.terminal or state)
        and (not state or r.state == state)
        and (not runbook or r.runbook == runbook)
    ]
    chosen.sort(key=lambda r: (r.created_us, r.id))
    return [run_view(world, r) for r in chosen]


# -- tasks and sessions -----------------------------------------------------------------------


def task_view(tr: TaskRun) -> Json:
    return {
        "id": tr.id,
        "run": tr.run,
        "phase": tr.phase,
        "task": bare(tr.task),
        "state": tr.state,
        "session": tr.session or None,
        "generation": tr.generation,
        "started_us": tr.started_us,
        "ended_us": tr.ended_us or None,
        "error": tr.error or None,
        "checkpoints": list(tr.checkpoints),
    }


def sessions(world: World, *, everything: bool = False) -> list[Json]:
    out = []
    for tr in world.tasks.values():
        if not tr.session or (not everything and not tr.live):
            continue
        out.append(
            {
                "session": tr.session,
                "task_run": tr.id,
                "run": tr.run,
                "task": bare(tr.task),
                "phase": tr.phase,
                "state": tr.state,
                "generation": tr.generation,
                "live": tr.live,
                "started_us": tr.started_us,
            }
        )
    return sorted(out, key=lambda s: (s["started_us"], s["session"]))


# -- queues -----------------------------------------------------------------------------------


def item_view(item: Item) -> Json:
    claim = item.claim
    return {
        "id": item.id,
        "queue": item.queue,
        "state": item.state,
        "priority": item.priority,
        "attempts": item.attempts,
        "claim": claim.id if claim else None,
        "holder": claim.holder if claim else None,
        "visible_until_us": claim.visible_until_us if claim else None,
        "data": dict(item.data),
        "created_us": item.created_us,
        "last_error": item.last_error or None,
        "outcome": item.outcome or None,
    }


def counts(qs: QueueState | None) -> Json:
    out = dict.fromkeys(ITEM_STATES, 0)
    if qs is not None:
        for item in qs.items.values():
            out[item.state] = out.get(item.state, 0) + 1
    return out


def queue_view(world: World, name: str) -> Json:
    graph = graph_of(world)
    defn = graph.queues.get(name)
    workers = sorted(bare(k) for k, w in graph.workers.items() if w.queue == name)
    return {
        "name": name,
        "runbook": defn.runbook if defn else None,
        "external": bool(defn and defn.source is not None),
        "counts": counts(world.queues.get(name)),
        "workers": workers,
    }


def queues(world: World) -> list[Json]:
    names = set(graph_of(world).queues) | set(world.queues)
    return [queue_view(world, n) for n in sorted(names)]


def items(world: World, name: str, states: tuple[str, ...] = ()) -> list[Json]:
    qs = world.queues.get(name)
    if qs is None:
        return []
    chosen = [i for i in qs.items.values() if not states or i.state in states]
    chosen.sort(key=lambda i: (i.arrival, i.id))
    return [item_view(i) for i in chosen]


# -- loops ------------------------------------------------------------------------------------


def worker_view(world: World, key: str) -> Json:
    w = world.workers[key]
    defn = graph_of(world).workers.get(key)
    queue = defn.queue if defn else ""
    return {
        "name": bare(key),
        "key": key,
        "state": w.state,
        "active": len(w.active),
        "concurrency": w.concurrency,
        "queue": queue or None,
        "depth": counts(world.queues.get(queue))["ready"] if queue else 0,
        "handler": defn.handler if defn else None,
        "runs": list(w.active),
        "failures": w.failures,
        "stop_reason": w.stop_reason or None,
    }


def workers(world: World) -> list[Json]:
    return [worker_view(world, k) for k in sorted(world.workers)]


def cron_view(world: World, key: str) -> Json:
    c = world.crons[key]
    defn = graph_of(world).crons.get(key)
    return {
        "name": bare(key),
        "key": key,
        "state": c.state,
        "enabled": c.enabled,
        "interval_us": defn.interval_us if defn else None,
        "next_us": c.next_us if c.enabled else None,
        "ticks": c.ticks,
    }


def crons(world: World) -> list[Json]:
    return [cron_view(world, k) for k in sorted(world.crons)]


def watcher_view(world: World, key: str) -> Json:
    w = world.watchers[key]
    return {
        "name": bare(key),
        "key": key,
        "state": w.state,
        "episodes": {k: e.state for k, e in sorted(w.episodes.items())},
    }


def watchers(world: World) -> list[Json]:
    return [watcher_view(world, k) for k in sorted(world.watchers)]


def scanner_view(world: World, key: str) -> Json:
    s = world.scanners[key]
    return {
        "name": bare(key),
        "key": key,
        "state": s.state,
        "enabled": s.enabled,
        "cleaned": s.total,
    }


def scanners(world: World) -> list[Json]:
    return [scanner_view(world, k) for k in sorted(world.scanners)]


# -- locks, semaphores, workspaces ------------------------------------------------------------


def lock_view(world: World, name: str) -> Json:
    lk = world.locks.get(name)
    return {
        "name": name,
        "holder": lk.holder if lk else None,
        "token": lk.token if lk else 0,
        "acquired_us": lk.acquired_us if lk and lk.holder else None,
        "heartbeat_us": lk.heartbeat_us if lk and lk.holder else None,
        "stale": bool(lk and lk.stale),
        "waiters": [w.holder for w in lk.waiters] if lk else [],
    }


def locks(world: World) -> list[Json]:
    names = set(graph_of(world).locks) | set(world.locks)
    return [lock_view(world, n) for n in sorted(names)]


def semaphore_view(world: World, name: str) -> Json:
    sem = world.semaphores.get(name)
    defn = graph_of(world).semaphores.get(name)
    holders = sorted((sem.holders if sem else {}).items())
    return {
        "name": name,
        "max": sem.max if sem else (defn.max if defn else 1),
        "used": sum(slot.weight for _, slot in holders),
        "holders": [
            {"holder": h, "weight": s.weight, "acquired_us": s.acquired_us} for h, s in holders
        ],
        "waiters": [{"holder": w.holder, "weight": w.weight} for w in sem.waiters] if sem else [],
    }


def semaphores(world: World) -> list[Json]:
    names = set(graph_of(world).semaphores) | set(world.semaphores)
    return [semaphore_view(world, n) for n in sorted(names)]


def workspace_view(world: World, wid: str) -> Json:
    ws = world.workspaces[wid]
    return {
        "id": ws.id,
        "path": ws.path,
        "branch": ws.branch,
        "base": ws.base or None,
        "state": ws.state,
        "run": ws.run or None,
        "created_us": ws.created_us,
        "error": ws.error or None,
    }


def workspaces(world: World, *, everything: bool = False) -> list[Json]:
    return [
        workspace_view(world, w)
        for w in sorted(world.workspaces)
        if everything or world.workspaces[w].state != "removed"
    ]


# -- escalations ------------------------------------------------------------------------------


def escalations(world: World, everything: bool = False) -> list[Json]:
    from ojlang.runtime.daemon.methods import escalations as listed

    return listed(world, everything)
