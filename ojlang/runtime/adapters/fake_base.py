"""What every fake adapter shares (RUNTIME.md §8.6): a call log and the knobs `fail_next` and
`latency`, applied at the start of each public call.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import attrs

from ojlang.runtime.adapters.errors import AdapterError


@attrs.frozen
class Call:
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class FakeBase:
    """Call log, queued failures per method and a fixed latency; thread-safe."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._failures: dict[str, list[AdapterError]] = {}
        self._latency_s = 0.0
        self._lock = threading.RLock()

    def fail_next(self, method: str, error: AdapterError) -> None:
        """The next call of `method` raises `error` (queued: several calls fail in order)."""
        with self._lock:
            self._failures.setdefault(method, []).append(error)

    def latency(self, ms: float) -> None:
        """Every later call sleeps this long first."""
        self._latency_s = ms / 1000

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def _enter(self, method: str, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self.calls.append(Call(method, args, kwargs))
            queued = self._failures.get(method)
            error = queued.pop(0) if queued else None
        if self._latency_s:
            time.sleep(self._latency_s)
        if error is not None:
            raise error
