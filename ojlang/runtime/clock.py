"""Clocks (RUNTIME.md §2.1): wall-clock µs and monotonic ns for the engine; never for the core.

`SystemClock` reads the OS clocks; `FakeClock` is set and advanced by tests, and copies share
one time. The core never reads a clock: `now` is the `ts` of the op being applied.
"""

from __future__ import annotations

import time
from typing import Protocol

FAKE_START_US = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z


class Clock(Protocol):
    def now_us(self) -> int: ...

    def monotonic_ns(self) -> int: ...


class SystemClock:
    def now_us(self) -> int:
        return time.time_ns() // 1000

    def monotonic_ns(self) -> int:
        return time.monotonic_ns()


class _Shared:
    def __init__(self, us: int) -> None:
        self.us = us


class FakeClock:
    """A settable clock; `copy()` returns a clock sharing the same time."""

    def __init__(self, start_us: int = FAKE_START_US, *, _shared: _Shared | None = None) -> None:
        self._t = _shared if _shared is not None else _Shared(start_us)

    def now_us(self) -> int:
        return self._t.us

    def monotonic_ns(self) -> int:
        return self._t.us * 1000

    def advance(self, us: int) -> None:
        if us < 0:
            raise ValueError("a fake clock cannot go back")
        self._t.us += us

    def set(self, us: int) -> None:
        if us < self._t.us:
            raise ValueError("a fake clock cannot go back")
        self._t.us = us

    def copy(self) -> FakeClock:
        return FakeClock(_shared=self._t)
