"""Watcher response ladders fire in order within an episode and restart after it resolves."""

from __future__ import annotations

from core_kit import Driver, S, graph, lit
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Action, Condition, Response, Source, Watcher

ACTIONS = {
    f"rb.a{k}": Action(f"a{k}", "rb", 1, mode="shell", command=lit(f"a{k}")) for k in range(3)
}
RESPONSES = tuple(
    Response(f"rb.a{k}", requires_previous_failure=k > 0, delay_us=S if k == 2 else 0)
    for k in range(3)
)


class WatcherMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        w = Watcher(
            "w",
            "rb",
            10 * S,
            source=Source("events", pattern="x:**"),
            condition=Condition("exceeds", count=0),
            response=RESPONSES,
        )
        self.d = Driver(graph(watchers={"rb.w": w}, actions=ACTIONS))
        self.fired: list[int] = []

    def _track(self) -> None:
        for ev in self.d.events():
            if ev.name == "watcher:resolved":
                self.fired = []
            # a response fires its action; a trigger rejected (still executing) is a response
            # that fired and failed, so the ladder moves on (§L3.11)
            if ev.name in ("action:triggered", "action:rejected"):
                k = int(ev.subject[1:])
                expected = self.fired[-1] + 1 if self.fired else 0
                assert k == expected, f"response {k} after {self.fired}"
                self.fired.append(k)

    @rule(n=st.integers(0, 2))
    def emit(self, n: int) -> None:
        for _ in range(n):
            self.d(i.EmitCommand("x:y", "s"))

    @rule(code=st.sampled_from([0, 1]))
    def finish_actions(self, code: int) -> None:
        for eid in sorted(self.d.world.outbox):
            self.d.exit(eid, code)
            self._track()

    @rule(dt=st.integers(0, 15 * S))
    def advance(self, dt: int) -> None:
        self.d.now += dt
        for tid, due in sorted(self.d.world.timers.items(), key=lambda kv: kv[1]):
            if due <= self.d.now and tid in self.d.world.timers:
                self.d(i.TimerFired(tid, due))
                self._track()


TestWatcher = WatcherMachine.TestCase
TestWatcher.settings = settings(max_examples=500, stateful_step_count=12, deadline=None)
