"""The timer wheel: armed timers fire once, in due order; cancelled or re-armed ones never
fire stale."""

from __future__ import annotations

from ojlang.runtime.core import inputs as i
from ojlang.runtime.engine.timers import TimerWheel


def test_due_timers_fire_in_order_once() -> None:
    wheel = TimerWheel()
    wheel.set("b", 20)
    wheel.set("a", 10)
    wheel.set("c", 30)
    assert wheel.next_due() == 10
    assert wheel.pop_due(25) == [i.TimerFired("a", 10), i.TimerFired("b", 20)]
    assert wheel.pop_due(25) == []
    assert len(wheel) == 1 and wheel.next_due() == 30


def test_cancelled_and_rearmed_timers_do_not_fire_stale() -> None:
    wheel = TimerWheel()
    wheel.set("a", 10)
    wheel.set("b", 10)
    wheel.cancel("b")
    wheel.set("a", 50)  # re-armed later
    assert wheel.pop_due(40) == []
    assert wheel.next_due() == 50
    assert wheel.pop_due(60) == [i.TimerFired("a", 50)]
    assert wheel.next_due() is None


def test_rebuild_from_world_timers_fires_overdue_once() -> None:
    wheel = TimerWheel()
    wheel.set("gone", 5)
    wheel.rebuild({"x": 100, "y": 50})
    assert wheel.pop_due(1_000) == [i.TimerFired("y", 50), i.TimerFired("x", 100)]
