"""Crons never overlap: no tick starts while the previous one runs."""

from __future__ import annotations

from core_kit import Driver, S, graph, lit
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Cron


class CronMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        cron = Cron("sweep", "rb", 60 * S, enabled=True, run=lit("sweep"))
        self.d = Driver(graph(crons={"rb.sweep": cron}))
        self.running = False

    def _track(self) -> None:
        for ev in self.d.events("cron:"):
            if ev.name == "cron:triggered":
                assert not self.running, "two ticks overlap"
                self.running = True
            elif ev.name in ("cron:completed", "cron:failed"):
                self.running = False

    @rule(verb=st.sampled_from(["enable", "disable", "run"]))
    def command(self, verb: str) -> None:
        self.d(i.CronCommand(verb, "sweep", request_id="r"))
        self._track()

    @rule(dt=st.integers(0, 200 * S))
    def advance(self, dt: int) -> None:
        self.d.now += dt
        for tid, due in sorted(self.d.world.timers.items(), key=lambda kv: kv[1]):
            if due <= self.d.now:
                self.d(i.TimerFired(tid, due))
                self._track()

    @rule(code=st.sampled_from([0, 2]))
    def finish(self, code: int) -> None:
        shells = [e for e in self.d.world.outbox.values() if isinstance(e, fx.RunShell)]
        if shells:
            self.d.exit(shells[0].effect_id, code)
            self._track()

    @invariant()
    def state_agrees(self) -> None:
        c = self.d.world.crons["rb.sweep"]
        assert (c.state == "running") == self.running
        assert ("cron:rb.sweep:tick" in self.d.world.timers) == c.enabled


TestCron = CronMachine.TestCase
TestCron.settings = settings(max_examples=500, stateful_step_count=12, deadline=None)


def test_missed_ticks_coalesce() -> None:
    d = Driver(graph(crons={"rb.c": Cron("c", "rb", 10 * S, enabled=True)}))
    due = d.world.timers["cron:rb.c:tick"]
    d(i.TimerFired("cron:rb.c:tick", due), due - d.now + 35 * S)
    triggered = d.events("cron:triggered")[0]
    assert triggered.payload["missed"] == 3
    assert d.world.timers["cron:rb.c:tick"] == due + 40 * S
