"""Lock machine (RUNTIME.md §3.5): lock state + acquire/release/heartbeat/stale → new state,
events and wake-ups.

Theory of operation. A lock is `free` or `held{holder, token}` with a FIFO of waiters. Tokens
come from `next_token` and grow on every grant (never on a same-holder re-acquire), so they are
the fencing tokens of §3.5. A holder is a run id (a phase holds it) or `cli:NAME`. A hold whose
run is terminal or gone is reclaimed silently by the next acquirer or by the stale timer. A
stale hold of a live run (heartbeat older than 3 intervals, or older than `timeout`) gets the
lock's `on_stale` sequence; the `release` word frees it with `lock:lost` to the old holder
before the next holder's `lock:acquired`. Grants to waiting runs are announced with
`lock:acquired` events, which `world` routes to the waiting run in the same step.
"""

from __future__ import annotations

import attrs

from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.graph import Lock
from ojlang.runtime.core.table import Transition

TABLE = (
    Transition("free", "acquire", "no waiters ahead", "held{h, token+1}", "lock:acquired"),
    Transition("held", "acquire", "same holder", "held, same token", "lock:acquired{extended}"),
    Transition(
        "held",
        "acquire",
        "holder run terminal or gone",
        "held{h, token+1}",
        "lock:reclaimed, lock:acquired",
    ),
    Transition("held", "acquire", "otherwise", "held, h waits", "lock:denied"),
    Transition("held", "heartbeat", "holder and token current", "held, heartbeat now", ""),
    Transition(
        "held",
        "release",
        "holder (or force)",
        "head waiter held, else free",
        "lock:released, lock:acquired",
    ),
    Transition("held", "release", "other holder", "unchanged", "reply denied"),
    Transition(
        "held", "stale", "stale, holder live", "held (stale)", "lock:stale; on_stale sequence"
    ),
    Transition("held", "stale", "holder terminal or gone", "as release", "silent reclaim"),
    Transition("held", "stale", "not stale yet", "held", "timer moved"),
)


@attrs.frozen
class Waiter:
    holder: str
    requested_us: int
    phase: str = ""


@attrs.frozen(slots=False)
class LockState:
    name: str
    holder: str | None = None
    token: int = 0
    acquired_us: int = 0
    heartbeat_us: int = 0
    phase: str = ""
    stale: bool = False
    waiters: tuple[Waiter, ...] = ()
    next_token: int = 1

    @property
    def state(self) -> str:
        return "free" if self.holder is None else "held"


def _get(tx: Tx, name: str) -> LockState:
    return tx.world.locks.get(name) or LockState(name)


def _put(tx: Tx, lock: LockState) -> None:
    tx.set(locks=tx.world.locks.set(lock.name, lock))


def _defn(tx: Tx, name: str) -> Lock:
    return tx.graph.locks.get(name) or Lock(name)


def holder_live(tx: Tx, holder: str) -> bool:
    """Manual holders are always live; a run holder is live while its run is not terminal."""
    if holder.startswith("cli:"):
        return True
    run = tx.world.runs.get(holder)
    return run is not None and not run.terminal


def _stale_due(defn: Lock, lock: LockState) -> int | None:
    dues = []
    if defn.heartbeat_us:
        dues.append(lock.heartbeat_us + 3 * defn.heartbeat_us + 1)
    if defn.timeout_us:
        dues.append(lock.acquired_us + defn.timeout_us + 1)
    return min(dues) if dues else None


def timer_id(name: str) -> str:
    return f"lock:{name}:stale"


def _arm(tx: Tx, lock: LockState) -> None:
    due = _stale_due(_defn(tx, lock.name), lock)
    if due is not None:
        tx.set_timer(timer_id(lock.name), due)


def _grant(tx: Tx, lock: LockState, holder: str, phase: str, handoff: bool = False) -> LockState:
    lock = evolve(
        lock,
        holder=holder,
        token=lock.next_token,
        next_token=lock.next_token + 1,
        acquired_us=tx.now,
        heartbeat_us=tx.now,
        phase=phase,
        stale=False,
        waiters=tuple(w for w in lock.waiters if w.holder != holder),
    )
    _put(tx, lock)
    _arm(tx, lock)
    payload = {"lock": lock.name, "holder": holder, "token": lock.token, "extended": False}
    tx.emit_event("lock:acquired", lock.name, payload, handoff)
    return lock


def acquire(tx: Tx, name: str, holder: str, phase: str = "") -> str:
    """`granted`, `extended` or `waiting`."""
    lock = _get(tx, name)
    current = lock.holder
    if current is None:
        _grant(tx, lock, holder, phase)
        return "granted"
    if current == holder:
        lock = evolve(lock, heartbeat_us=tx.now, stale=False)
        _put(tx, lock)
        _arm(tx, lock)
        tx.emit("lock:acquired", name, lock=name, holder=holder, token=lock.token, extended=True)
        return "extended"
    if not holder_live(tx, current):
        tx.emit("lock:reclaimed", name, lock=name, previous=current, holder=holder)
        _grant(tx, lock, holder, phase)
        return "granted"
    if all(w.holder != holder for w in lock.waiters):
        lock = evolve(lock, waiters=(*lock.waiters, Waiter(holder, tx.now, phase)))
        _put(tx, lock)
    tx.emit("lock:denied", name, lock=name, holder=holder, current=current)
    return "waiting"


def release(tx: Tx, name: str, holder: str, force: bool = False, lost: bool = False) -> bool:
    """Free the hold (or hand it to the head waiter); False when `holder` does not hold it."""
    lock = _get(tx, name)
    if lock.holder is None or (lock.holder != holder and not force):
        return False
    old = lock.holder
    tx.cancel_timer(timer_id(name))
    if lost:
        tx.emit("lock:lost", name, lock=name, holder=old, token=lock.token)
    tx.emit("lock:released", name, lock=name, holder=old)
    waiters = tuple(w for w in lock.waiters if holder_live(tx, w.holder))
    lock = evolve(lock, holder=None, phase="", stale=False, waiters=waiters)
    if waiters:
        _grant(tx, lock, waiters[0].holder, waiters[0].phase, handoff=True)
    else:
        _put(tx, lock)
    return True


def leave(tx: Tx, name: str, holder: str) -> None:
    """Drop `holder` from the waiters (its run ended or left the phase)."""
    lock = _get(tx, name)
    if any(w.holder == holder for w in lock.waiters):
        _put(tx, evolve(lock, waiters=tuple(w for w in lock.waiters if w.holder != holder)))


def heartbeat(tx: Tx, name: str, holder: str, token: int | None = None) -> bool:
    lock = _get(tx, name)
    if lock.holder != holder or (token is not None and token != lock.token):
        return False
    lock = evolve(lock, heartbeat_us=tx.now, stale=False)
    _put(tx, lock)
    _arm(tx, lock)
    return True


def on_timer(tx: Tx, name: str) -> str | None:
    """The stale timer fired: returns the live holder whose hold went stale (caller runs
    `on_stale` for it), else None (reclaimed, re-armed, or nothing held)."""
    lock = _get(tx, name)
    holder = lock.holder
    assert holder is not None  # release cancels the timer
    if not holder_live(tx, holder):
        release(tx, name, holder)
        return None
    due = _stale_due(_defn(tx, name), lock)
    if due is not None and due > tx.now:
        tx.set_timer(timer_id(name), due)
        return None
    _put(tx, evolve(lock, stale=True))
    since = (tx.now - lock.heartbeat_us) // 1_000_000
    tx.emit("lock:stale", name, lock=name, holder=holder, since_s=since)
    return holder
