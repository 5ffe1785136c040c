"""Semaphore machine: weight never above max, FIFO grants, one slot per holder."""

from __future__ import annotations

from core_kit import Driver, S, graph
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Semaphore

HOLDERS = st.sampled_from(["cli:a", "cli:b", "cli:c", "cli:d"])
MAX = 3


class SemaphoreMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        g = graph(semaphores={"S": Semaphore("S", max=MAX, slot_timeout_us=100 * S)})
        self.d = Driver(g)

    def _sem(self):  # type: ignore[no-untyped-def]
        return self.d.world.semaphores.get("S")

    def _grants_fifo(self, waiting_before: list[str]) -> None:
        granted = [
            e.payload["holder"]
            for e in self.d.events("semaphore:acquired")
            if not e.payload.get("extended")
        ]
        from_queue = [h for h in granted if h in waiting_before]
        assert from_queue == waiting_before[: len(from_queue)], "grants out of FIFO order"

    @rule(h=HOLDERS, w=st.integers(1, MAX + 1))
    def acquire(self, h: str, w: int) -> None:
        sem = self._sem()
        held = sem.holders.get(h) if sem else None
        self.d(i.SemaphoreCommand("acquire", "S", h, w, request_id="r"))
        reply = self.d.reply()
        if w > MAX and held is None:
            assert reply.error == "invalid"
        elif held is not None and held.weight != w:
            assert reply.error == "conflict"

    @rule(h=HOLDERS)
    def release(self, h: str) -> None:
        sem = self._sem()
        waiting = [x.holder for x in sem.waiters] if sem else []
        self.d(i.SemaphoreCommand("release", "S", h, request_id="r"))
        self._grants_fifo(waiting)

    @rule(dt=st.integers(0, 150 * S))
    def advance(self, dt: int) -> None:
        self.d.now += dt
        for tid, due in sorted(self.d.world.timers.items(), key=lambda kv: kv[1]):
            if due <= self.d.now and tid in self.d.world.timers:
                sem = self._sem()
                waiting = [x.holder for x in sem.waiters] if sem else []
                self.d(i.TimerFired(tid, due))
                self._grants_fifo(waiting)

    @invariant()
    def never_above_max(self) -> None:
        sem = self._sem()
        if sem is None:
            return
        assert sem.used <= MAX
        assert sum(s.weight for s in sem.holders.values()) == sem.used
        waiters = [w.holder for w in sem.waiters]
        assert len(waiters) == len(set(waiters))
        assert not set(waiters) & set(sem.holders)
        if sem.waiters:  # the head would not fit, else it would have been granted
            assert sem.used + sem.waiters[0].weight > MAX


TestSemaphore = SemaphoreMachine.TestCase
TestSemaphore.settings = settings(max_examples=500, stateful_step_count=12, deadline=None)
