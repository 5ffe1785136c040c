"""The engine-side event bus (RUNTIME.md §5.3): committed events in, per-subscriber queues out.

Core subscribers are matched inside the step; these are the engine subscribers (socket streams,
`oj run --wait`, tests) that see events only after their batch committed. A subscription has a
filter (an event → bool function, or §L4.7 patterns through `matcher`) and an unbounded queue;
`close()` ends it, and closing the bus ends every subscription (readers get `None`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable

from ojlang.runtime.core.events import Event

Filter = Callable[[Event], bool]


class Subscription:
    def __init__(self, bus: Bus, match: Filter | None) -> None:
        self._bus = bus
        self.match = match
        self.queue: queue.Queue[Event | None] = queue.Queue()
        self.closed = False

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event; None when the subscription or the bus closed, or on timeout."""
        if self.closed and self.queue.empty():
            return None
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._bus.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def matcher(patterns: Iterable[str]) -> Filter:
    """An event filter from §L4.7 patterns (`pipeline:*`, `task:**@build-*`)."""
    from ojlang.runtime.core.patterns import matches

    compiled = tuple(patterns)
    return lambda event: any(matches(p, event) for p in compiled)


class Bus:
    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()
        self.closed = False

    def subscribe(self, match: Filter | None = None) -> Subscription:
        sub = Subscription(self, match)
        with self._lock:
            if self.closed:
                sub.closed = True
                sub.queue.put(None)
            else:
                self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)
        sub.closed = True
        sub.queue.put(None)

    def publish(self, events: Iterable[Event]) -> None:
        with self._lock:
            subs = list(self._subs)
        if not subs:
            return
        for event in events:
            for sub in subs:
                if sub.match is None or sub.match(event):
                    sub.queue.put(event)

    def close(self) -> None:
        with self._lock:
            subs, self._subs = self._subs, []
            self.closed = True
        for sub in subs:
            sub.closed = True
            sub.queue.put(None)
