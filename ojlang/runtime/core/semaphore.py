"""Semaphore machine (RUNTIME.md §3.6): semaphore state + acquire/release/heartbeat/orphan →
new state, events and grants.

Theory of operation. `holders` maps each holder to its weight; `used` is their sum and never
exceeds `max`. Waiters form a strict FIFO: a heavy head blocks lighter followers, so nobody
starves. Release frees the weight and grants waiters from the head while they fit; each grant
is a `semaphore:acquired` event that `world` routes to the waiting run. A slot is orphaned when
its holder run is terminal or gone, misses 3 heartbeats, or exceeds `slot_timeout`; the
per-holder timer `sem:NAME:HOLDER` applies `on_orphan` (`reclaim`, `escalate`, `wait`).
"""

from __future__ import annotations

import attrs

from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.graph import Semaphore
from ojlang.runtime.core.lock import holder_live
from ojlang.runtime.core.table import Transition

TABLE = (
    Transition(
        "*", "acquire", "h already holds, same weight", "unchanged", "semaphore:acquired{extended}"
    ),
    Transition("*", "acquire", "h already holds, other weight", "unchanged", "reply conflict"),
    Transition("*", "acquire", "w > max", "unchanged", "reply invalid"),
    Transition(
        "*",
        "acquire",
        "no waiters and used + w <= max",
        "h holds w",
        "semaphore:acquired, semaphore:full",
    ),
    Transition("*", "acquire", "otherwise", "h appended to waiters", "semaphore:denied"),
    Transition(
        "*",
        "release",
        "h holds",
        "w freed, head waiters granted",
        "semaphore:released, semaphore:acquired",
    ),
    Transition("*", "heartbeat", "h holds", "heartbeat now", ""),
    Transition(
        "*", "orphan", "orphaned", "per on_orphan", "semaphore:orphaned, semaphore:reclaimed"
    ),
    Transition("*", "orphan", "not orphaned", "unchanged", "timer moved"),
)


@attrs.frozen
class Slot:
    weight: int
    acquired_us: int
    heartbeat_us: int


@attrs.frozen
class SemWaiter:
    holder: str
    weight: int
    requested_us: int


@attrs.frozen(slots=False)
class SemaphoreState:
    name: str
    max: int = 1
    holders: dict[str, Slot] = attrs.Factory(dict)
    waiters: tuple[SemWaiter, ...] = ()

    @property
    def used(self) -> int:
        return sum(s.weight for s in self.holders.values())


def _defn(tx: Tx, name: str) -> Semaphore:
    return tx.graph.semaphores.get(name) or Semaphore(name)


def _get(tx: Tx, name: str) -> SemaphoreState:
    sem = tx.world.semaphores.get(name)
    return sem if sem is not None else SemaphoreState(name, _defn(tx, name).max)


def _put(tx: Tx, sem: SemaphoreState) -> None:
    tx.set(semaphores=tx.world.semaphores.set(sem.name, sem))


def timer_id(name: str, holder: str) -> str:
    return f"sem:{name}:{holder}"


def _orphan_due(defn: Semaphore, slot: Slot) -> int | None:
    dues = []
    if defn.slot_heartbeat_us:
        dues.append(slot.heartbeat_us + 3 * defn.slot_heartbeat_us + 1)
    if defn.slot_timeout_us:
        dues.append(slot.acquired_us + defn.slot_timeout_us + 1)
    return min(dues) if dues else None


def _arm(tx: Tx, name: str, holder: str, slot: Slot) -> None:
    due = _orphan_due(_defn(tx, name), slot)
    if due is not None:
        tx.set_timer(timer_id(name, holder), due)


def _grant(
    tx: Tx, sem: SemaphoreState, holder: str, weight: int, handoff: bool = False
) -> SemaphoreState:
    slot = Slot(weight, tx.now, tx.now)
    sem = evolve(sem, holders={**sem.holders, holder: slot})
    _arm(tx, sem.name, holder, slot)
    used = sem.used
    payload = {
        "semaphore": sem.name,
        "holder": holder,
        "weight": weight,
        "used": used,
        "available": sem.max - used,
    }
    tx.emit_event("semaphore:acquired", sem.name, payload, handoff)
    if used == sem.max:
        tx.emit("semaphore:full", sem.name, semaphore=sem.name, waiting=len(sem.waiters))
    return sem


def acquire(tx: Tx, name: str, holder: str, weight: int = 1) -> str:
    """`granted`, `extended`, `waiting`, `conflict` (other weight) or `invalid` (w > max)."""
    sem = _get(tx, name)
    held = sem.holders.get(holder)
    if held is not None:
        if held.weight != weight:
            return "conflict"
        slot = evolve(held, heartbeat_us=tx.now)
        _put(tx, evolve(sem, holders={**sem.holders, holder: slot}))
        _arm(tx, name, holder, slot)
        tx.emit(
            "semaphore:acquired", name, semaphore=name, holder=holder, weight=weight, extended=True
        )
        return "extended"
    if weight > sem.max:
        return "invalid"
    if not sem.waiters and sem.used + weight <= sem.max:
        _put(tx, _grant(tx, sem, holder, weight))
        return "granted"
    if all(w.holder != holder for w in sem.waiters):
        sem = evolve(sem, waiters=(*sem.waiters, SemWaiter(holder, weight, tx.now)))
        _put(tx, sem)
    tx.emit("semaphore:denied", name, semaphore=name, holder=holder, available=sem.max - sem.used)
    return "waiting"


def _serve(tx: Tx, sem: SemaphoreState) -> SemaphoreState:
    waiters = [w for w in sem.waiters if holder_live(tx, w.holder)]
    sem = evolve(sem, waiters=tuple(waiters))
    while waiters and sem.used + waiters[0].weight <= sem.max:
        head = waiters.pop(0)
        sem = evolve(sem, waiters=tuple(waiters))
        sem = _grant(tx, sem, head.holder, head.weight, handoff=True)
    return sem


def release(tx: Tx, name: str, holder: str, reclaimed: bool = False) -> bool:
    sem = _get(tx, name)
    slot = sem.holders.get(holder)
    if slot is None:
        return False
    tx.cancel_timer(timer_id(name, holder))
    sem = evolve(sem, holders={k: v for k, v in sem.holders.items() if k != holder})
    if reclaimed:
        tx.emit("semaphore:reclaimed", name, semaphore=name, holder=holder, weight=slot.weight)
    tx.emit("semaphore:released", name, semaphore=name, holder=holder, weight=slot.weight)
    _put(tx, _serve(tx, sem))
    return True


def set_max(tx: Tx, name: str, new_max: int) -> None:
    """A reload changed `max`: a larger one admits the waiters it has room for at once."""
    sem = _get(tx, name)
    if sem.max != new_max:
        _put(tx, _serve(tx, evolve(sem, max=new_max)))


def leave(tx: Tx, name: str, holder: str) -> None:
    """Drop `holder` from the waiters; lighter followers may now be served."""
    sem = _get(tx, name)
    if any(w.holder == holder for w in sem.waiters):
        sem = evolve(sem, waiters=tuple(w for w in sem.waiters if w.holder != holder))
        _put(tx, _serve(tx, sem))


def heartbeat(tx: Tx, name: str, holder: str) -> bool:
    sem = _get(tx, name)
    slot = sem.holders.get(holder)
    if slot is None:
        return False
    slot = evolve(slot, heartbeat_us=tx.now)
    _put(tx, evolve(sem, holders={**sem.holders, holder: slot}))
    _arm(tx, name, holder, slot)
    return True


def on_timer(tx: Tx, name: str, holder: str) -> str | None:
    """Orphan timer: returns the `on_orphan` word applied (`reclaim`, `escalate`, `wait`), or
    None when the slot is not orphaned yet (timer moved)."""
    sem = _get(tx, name)
    slot = sem.holders[holder]
    defn = _defn(tx, name)
    due = _orphan_due(defn, slot)
    live = holder_live(tx, holder)
    if live and due is not None and due > tx.now:
        tx.set_timer(timer_id(name, holder), due)
        return None
    tx.emit("semaphore:orphaned", name, semaphore=name, holder=holder)
    if defn.on_orphan == "reclaim" or not live:
        release(tx, name, holder, reclaimed=True)
        return "reclaim"
    return defn.on_orphan
