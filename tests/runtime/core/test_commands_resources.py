"""Lock, semaphore and escalation commands through `step`: waiters that leave, reclaimed and
stale holds, escalation options applied to locks and dismissed escalations."""

from __future__ import annotations

from core_kit import Driver, S, attrs_evolve, graph

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import ChainWord, Lock, Semaphore


def driver() -> Driver:
    return Driver(
        graph(
            locks={"L": Lock("L", heartbeat_us=S, on_stale=(ChainWord("escalate"),))},
            semaphores={"S": Semaphore("S", max=1)},
        )
    )


def test_a_lock_waiter_that_leaves_is_not_granted_the_lock() -> None:
    d = driver()
    d(i.LockCommand("acquire", "L", "cli:a", request_id="r"))
    d(i.LockCommand("acquire", "L", "cli:b", request_id="r"))
    assert [w.holder for w in d.world.locks["L"].waiters] == ["cli:b"]
    assert d.world.locks["L"].state == "held"
    d(i.LockCommand("leave", "L", "cli:b", request_id="r"))
    assert d.reply().error is None
    assert d.world.locks["L"].waiters == ()
    d(i.LockCommand("leave", "L", "cli:b", request_id="r"))
    assert d.reply().error == "denied"
    d(i.LockCommand("release", "L", "cli:a", request_id="r"))
    assert (d.world.locks["L"].holder, d.world.locks["L"].state) == (None, "free")
    assert "lock:acquired" not in d.names()


def test_a_semaphore_waiter_that_leaves_lets_the_next_one_in() -> None:
    d = driver()
    d(i.SemaphoreCommand("acquire", "S", "cli:a", request_id="r"))
    d(i.SemaphoreCommand("acquire", "S", "cli:b", request_id="r"))
    assert [w.holder for w in d.world.semaphores["S"].waiters] == ["cli:b"]
    d(i.SemaphoreCommand("leave", "S", "cli:b", request_id="r"))
    assert d.reply().error is None
    assert d.world.semaphores["S"].waiters == ()
    d(i.SemaphoreCommand("leave", "S", "cli:b", request_id="r"))
    assert d.reply().error == "denied"


def test_a_hold_of_a_holder_that_is_gone_is_reclaimed_on_acquire() -> None:
    d = driver()
    d(i.LockCommand("acquire", "L", "run-gone", request_id="r"))  # no such run: not live
    d(i.LockCommand("acquire", "L", "cli:b", request_id="r"))
    assert d.world.locks["L"].holder == "cli:b"
    assert d.names()[:2] == ["lock:reclaimed", "lock:acquired"]


def test_the_stale_timer_releases_the_hold_of_a_holder_that_is_gone() -> None:
    d = driver()
    d(i.LockCommand("acquire", "L", "run-gone", request_id="r"))
    d.fire("lock:L:stale")
    assert d.world.locks["L"].holder is None
    assert d.names() == ["lock:released"]


def stale_escalation(d: Driver) -> str:
    d(i.LockCommand("acquire", "L", "cli:a", request_id="r"))
    d.fire("lock:L:stale")
    assert d.names() == ["lock:stale", "escalation:created"]
    (eid,) = d.world.escalations
    return eid


def test_releasing_a_stale_lock_from_its_escalation_loses_the_hold() -> None:
    d = driver()
    eid = stale_escalation(d)
    d(i.EscalationResolve(eid, "release", request_id="r"))
    assert d.reply().result == {"option": "release"}
    assert d.world.locks["L"].holder is None
    assert "lock:lost" in d.names()


def test_an_unknown_option_is_invalid_and_dismiss_closes_without_acting() -> None:
    d = driver()
    eid = stale_escalation(d)
    d(i.EscalationResolve(eid, "explode", request_id="r"))
    assert d.reply().error == "invalid"
    d(i.EscalationResolve(eid, "dismiss", request_id="r"))
    assert d.reply().result == {"option": "dismissed"}
    assert d.world.escalations[eid].state == "resolved"
    assert d.world.locks["L"].holder == "cli:a"
    d(i.EscalationResolve(eid, "dismiss", request_id="r"))
    assert d.reply().error == "conflict"


def test_a_reload_that_raises_the_max_of_a_semaphore_admits_its_waiters() -> None:
    d = driver()
    d(i.SemaphoreCommand("acquire", "S", "cli:a", request_id="r"))
    d(i.SemaphoreCommand("acquire", "S", "cli:b", request_id="r"))
    g = d.world.graphs[d.world.graph_hash]
    d(i.Reload(attrs_evolve(g, semaphores={"S": Semaphore("S", max=2)})))
    sem = d.world.semaphores["S"]
    assert (sem.max, sorted(sem.holders), sem.waiters) == (2, ["cli:a", "cli:b"], ())
    assert "semaphore:acquired" in d.names()
    d(i.Reload(d.world.graphs[d.world.graph_hash]))  # the same max: nothing happens
    assert "semaphore:acquired" not in d.names()


def test_a_reload_that_lengthens_the_heartbeat_moves_the_stale_and_orphan_timers() -> None:
    short = graph(
        locks={"L": Lock("L", heartbeat_us=S)},
        semaphores={"S": Semaphore("S", slot_heartbeat_us=S)},
    )
    d = Driver(short)
    d(i.LockCommand("acquire", "L", "cli:a", request_id="r"))
    d(i.SemaphoreCommand("acquire", "S", "cli:a", request_id="r"))
    d(
        i.Reload(
            attrs_evolve(
                short,
                locks={"L": Lock("L", heartbeat_us=10 * S)},
                semaphores={"S": Semaphore("S", slot_heartbeat_us=10 * S)},
            )
        )
    )
    for tid in ("lock:L:stale", "sem:S:cli:a"):
        due = d.world.timers[tid]
        d.fire(tid)
        assert d.names() == [] and d.world.timers[tid] > due, tid
    assert not d.world.locks["L"].stale and "cli:a" in d.world.semaphores["S"].holders


def test_a_reload_that_drops_a_semaphore_keeps_its_holders() -> None:
    d = driver()
    d(i.SemaphoreCommand("acquire", "S", "cli:a", request_id="r"))
    held = d.world.semaphores["S"]
    g = d.world.graphs[d.world.graph_hash]
    d(i.Reload(attrs_evolve(g, semaphores={})))
    assert d.world.semaphores["S"] == held and d.names() == ["daemon:reloaded"]
