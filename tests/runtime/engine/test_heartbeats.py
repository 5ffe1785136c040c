"""The maintenance tick's cadence: every held lock's or slot's heartbeat, never slower than
`maintenance_interval`, manual holders excluded (RUNTIME.md §3.5)."""

from __future__ import annotations

import attrs

from ojlang.runtime.core.graph import Graph, Lock, Runbook, Semaphore
from ojlang.runtime.core.lock import LockState
from ojlang.runtime.core.semaphore import SemaphoreState, Slot
from ojlang.runtime.core.world import World, initial_world
from ojlang.runtime.engine.heartbeats import FLOOR_S, tick_interval_s

S = 1_000_000


def world(**holds: str) -> World:
    g = Graph(
        runbooks={"rb": Runbook("rb")},
        locks={"fast": Lock("fast", heartbeat_us=1 * S), "slow": Lock("slow", heartbeat_us=30 * S)},
        semaphores={"agents": Semaphore("agents", max=2, slot_heartbeat_us=3 * S)},
    )
    w = initial_world(g)
    locks = w.locks
    for name, holder in holds.items():
        if name == "agents":
            slot = {holder: Slot(1, 0, 0)}
            sems = w.semaphores.set(name, SemaphoreState(name, holders=slot))
            w = attrs.evolve(w, semaphores=sems)
        else:
            locks = locks.set(name, LockState(name, holder=holder))
    return attrs.evolve(w, locks=locks)


def test_no_hold_keeps_the_maintenance_interval() -> None:
    assert tick_interval_s(world(), 10.0) == 10.0
    assert tick_interval_s(World(), 10.0) == 10.0


def test_the_shortest_heartbeat_of_a_run_hold_sets_the_pace() -> None:
    assert tick_interval_s(world(slow="run-1"), 10.0) == 10.0
    assert tick_interval_s(world(slow="run-1"), 60.0) == 30.0
    assert tick_interval_s(world(agents="run-2"), 10.0) == 3.0
    assert tick_interval_s(world(slow="run-1", fast="run-2", agents="run-3"), 10.0) == 1.0


def test_manual_holders_heartbeat_themselves() -> None:
    assert tick_interval_s(world(fast="cli:alice"), 10.0) == 10.0


def test_a_tiny_heartbeat_does_not_make_a_busy_loop() -> None:
    assert tick_interval_s(world(fast="run-1"), 0.01) == FLOOR_S
