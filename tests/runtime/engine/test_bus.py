"""The engine bus: subscribers see committed events that match their filter; closing ends
every subscription."""

from __future__ import annotations

from ojlang.runtime.core.events import Event
from ojlang.runtime.engine.bus import Bus, matcher


def ev(name: str, subject: str = "s") -> Event:
    return Event(name, subject, 1, 1, {})


def test_filters_and_patterns() -> None:
    bus = Bus()
    every = bus.subscribe()
    runs = bus.subscribe(matcher(["pipeline:*@auth"]))
    bus.publish([ev("pipeline:phase", "auth"), ev("pipeline:phase", "other"), ev("task:x")])
    assert [every.get(0).name for _ in range(3)] == [  # type: ignore[union-attr]
        "pipeline:phase",
        "pipeline:phase",
        "task:x",
    ]
    got = runs.get(0)
    assert got is not None and got.subject == "auth"
    assert runs.get(0) is None


def test_close_ends_subscriptions() -> None:
    bus = Bus()
    sub = bus.subscribe()
    bus.close()
    assert sub.get(0.01) is None and sub.closed
    late = bus.subscribe()
    assert late.get(0.01) is None
    with bus.subscribe() as temp:
        assert temp.closed
