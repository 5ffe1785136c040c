"""The cadence of the maintenance tick (RUNTIME.md §3.5, §3.6): the committed `World` in, how
often the engine must post `maintenance:tick` out.

The tick heartbeats every hold whose run is alive (the core decides which). A lock or slot
goes stale after 3 of its heartbeats without one, so while a run holds a lock with
`heartbeat = H` (or a slot with `slot_heartbeat = H`) the tick comes every H, never less often
than `maintenance_interval`. Manual holders (`cli:NAME`) heartbeat themselves and do not count.
The floor keeps a tiny heartbeat from turning the tick into a busy loop.
"""

from __future__ import annotations

from ojlang.runtime.core.world import World

FLOOR_S = 0.2


def tick_interval_s(world: World, default_s: float) -> float:
    """Seconds between two maintenance ticks for the holds in `world`."""
    graph = world.graphs.get(world.graph_hash) if world.graph_hash else None
    if graph is None:
        return default_s
    wanted = [default_s]
    for lock in world.locks.values():
        defn = graph.locks.get(lock.name)
        if lock.holder and not lock.holder.startswith("cli:") and defn and defn.heartbeat_us:
            wanted.append(defn.heartbeat_us / 1_000_000)
    for sem in world.semaphores.values():
        found = graph.semaphores.get(sem.name)
        if sem.holders and found is not None and found.slot_heartbeat_us:
            wanted.append(found.slot_heartbeat_us / 1_000_000)
    return max(min(wanted), FLOOR_S)
