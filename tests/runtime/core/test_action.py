"""Action cooldowns hold: executions are at least `cooldown` apart and never overlap."""

from __future__ import annotations

import pytest
from core_kit import Driver, S, graph, lit, tpl
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Action

COOLDOWN = 30 * S


class ActionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        act = Action("page", "rb", COOLDOWN, mode="shell", command=lit("page"))
        self.d = Driver(graph(actions={"rb.page": act}))
        self.busy = False
        self.free_at = 0

    def _track(self) -> None:
        for ev in self.d.events("action:"):
            if ev.name == "action:triggered":
                assert not self.busy and self.d.now >= self.free_at, "cooldown broken"
                self.busy = True
            elif ev.name in ("action:completed", "action:failed"):
                self.busy, self.free_at = False, self.d.now + COOLDOWN

    @rule()
    def trigger(self) -> None:
        self.d(i.ActionTrigger("page", request_id="r"))
        self._track()

    @rule(code=st.sampled_from([0, 1]))
    def finish(self, code: int) -> None:
        shells = [e for e in self.d.world.outbox.values() if isinstance(e, fx.RunShell)]
        if shells:
            self.d.exit(shells[0].effect_id, code, "out")
            self._track()

    @rule(dt=st.integers(0, 40 * S))
    def advance(self, dt: int) -> None:
        self.d.now += dt
        for tid, due in sorted(self.d.world.timers.items(), key=lambda kv: kv[1]):
            if due <= self.d.now:
                self.d(i.TimerFired(tid, due))
                self._track()


TestAction = ActionMachine.TestCase
TestAction.settings = settings(max_examples=500, stateful_step_count=12, deadline=None)


@pytest.mark.parametrize("builtin", ["notify", "escalate", "enable_cron", "disable_cron"])
def test_builtin_operations_complete_at_once(builtin: str) -> None:
    act = Action("a", "rb", S, mode="builtin", builtin=builtin, args={"message": "hi"})
    d = Driver(graph(actions={"rb.a": act}))
    d(i.ActionTrigger("a", request_id="r"))
    assert d.reply().result is True
    assert "action:completed" in d.names()


def trigger(action: Action) -> Driver:
    d = Driver(graph(actions={"rb.a": action}))
    d(i.ActionTrigger("a", request_id="r"))
    return d


def test_an_action_without_a_body_completes_at_once() -> None:
    d = trigger(Action("a", "rb", COOLDOWN))
    assert d.names() == ["action:triggered", "action:completed"]
    assert d.world.actions["rb.a"].state == "cooling"


def test_args_or_a_command_that_do_not_render_fail_the_action() -> None:

    d = trigger(
        Action("a", "rb", COOLDOWN, mode="shell", command=lit("x"), args={"n": tpl(("nope",))})
    )
    failed = d.events("action:failed")[0]
    assert failed.payload["error"].startswith("args: ")
    d = trigger(Action("a", "rb", COOLDOWN, mode="shell", command=tpl(("nope",))))
    assert d.events("action:failed") and not d.of(fx.RunShell)
