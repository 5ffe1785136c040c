"""Lock machine: exclusivity, same-holder extension, stale handling only past the threshold."""

from __future__ import annotations

from core_kit import Driver, S, graph
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Lock, chain
from ojlang.runtime.core.lock import TABLE

HOLDERS = st.sampled_from(["cli:a", "cli:b", "cli:c"])
HB = 10 * S


class LockMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        g = graph(locks={"L": Lock("L", heartbeat_us=HB, on_stale=chain("release"))})
        self.d = Driver(g)
        self.holder: str | None = None
        self.token = 0
        self.beat = 0

    def _check(self) -> None:
        for ev in self.d.events("lock:"):
            p = ev.payload
            if ev.name in ("lock:released", "lock:reclaimed"):
                assert self.holder == p.get("holder", p.get("previous"))
                self.holder = None
            elif ev.name == "lock:acquired" and p["extended"]:
                assert self.holder == p["holder"] and self.token == p["token"]
                self.beat = self.d.now
            elif ev.name == "lock:acquired":
                assert self.holder is None, "two holders"
                assert p["token"] > self.token, "tokens strictly increase"
                self.holder, self.token, self.beat = p["holder"], p["token"], self.d.now
            elif ev.name in ("lock:stale", "lock:lost"):
                assert self.d.now - self.beat > 3 * HB, "stale before the threshold"

    @rule(h=HOLDERS)
    def acquire(self, h: str) -> None:
        before = self.holder
        self.d(i.LockCommand("acquire", "L", h, request_id="r"))
        self._check()
        if before == h:
            assert self.d.reply().result == "extended"

    @rule(h=HOLDERS)
    def release(self, h: str) -> None:
        before = self.holder
        self.d(i.LockCommand("release", "L", h, request_id="r"))
        assert (self.d.reply().error is None) == (before == h)
        self._check()

    @rule(h=HOLDERS)
    def heartbeat(self, h: str) -> None:
        self.d(i.LockCommand("heartbeat", "L", h))
        if h == self.holder:
            self.beat = self.d.now

    @rule(dt=st.integers(0, 60 * S))
    def advance(self, dt: int) -> None:
        self.d.now += dt
        for tid, due in sorted(self.d.world.timers.items(), key=lambda kv: kv[1]):
            if due <= self.d.now and tid in self.d.world.timers:
                self.d(i.TimerFired(tid, due))
                self._check()

    @invariant()
    def matches_world(self) -> None:
        lock = self.d.world.locks.get("L")
        assert (lock.holder if lock else None) == self.holder
        if lock is not None:
            assert lock.holder is None or lock.holder not in [w.holder for w in lock.waiters]


TestLock = LockMachine.TestCase
TestLock.settings = settings(max_examples=500, stateful_step_count=12, deadline=None)


def test_table_rows_name_states() -> None:
    assert {r.from_ for r in TABLE} == {"free", "held"}
