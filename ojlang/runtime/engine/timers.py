"""The timer wheel (RUNTIME.md §2.1, §4.1): `SetTimer`/`CancelTimer` effects and
`World.timers` in, due `timer:fired` inputs out.

A heap of `(due_us, timer_id)` with lazy deletion: an entry fires only while the world still
arms that timer with that due time, so a cancelled or re-armed timer never fires stale. The
wheel is rebuilt from `World.timers` at start (timers are state, not threads); overdue timers
then fire once, in due order. Time comes from the engine's clock, so a `FakeClock` drives it.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

from ojlang.runtime.core import inputs as i


class TimerWheel:
    def __init__(self) -> None:
        self._heap: list[tuple[int, str]] = []
        self._armed: dict[str, int] = {}

    def rebuild(self, timers: Mapping[str, int]) -> None:
        self._armed = dict(timers)
        self._heap = [(due, tid) for tid, due in timers.items()]
        heapq.heapify(self._heap)

    def set(self, timer_id: str, due_us: int) -> None:
        self._armed[timer_id] = due_us
        heapq.heappush(self._heap, (due_us, timer_id))

    def cancel(self, timer_id: str) -> None:
        self._armed.pop(timer_id, None)

    def __len__(self) -> int:
        return len(self._armed)

    def next_due(self) -> int | None:
        while self._heap:
            due, tid = self._heap[0]
            if self._armed.get(tid) == due:
                return due
            heapq.heappop(self._heap)
        return None

    def pop_due(self, now_us: int) -> list[i.TimerFired]:
        """Every armed timer due at or before `now_us`, in due order (removed from the wheel)."""
        fired: list[i.TimerFired] = []
        while self._heap and self._heap[0][0] <= now_us:
            due, tid = heapq.heappop(self._heap)
            if self._armed.get(tid) == due:
                del self._armed[tid]
                fired.append(i.TimerFired(tid, due))
        return fired
