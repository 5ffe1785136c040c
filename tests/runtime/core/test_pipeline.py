"""Pipeline runs follow only declared edges and end `done`, `failed` or `cancelled`."""

from __future__ import annotations

from typing import Any

from core_kit import Driver, S, graph, lit
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Edge, OnFail, Phase, Pipeline

FAILS = ["escalate", "fail", "retry", "goto", "goto_done"]


@st.composite
def pipelines(draw: Any) -> Pipeline:
    n = draw(st.integers(2, 5))
    names = [f"p{k}" for k in range(n)]
    phases = []
    for k, name in enumerate(names):
        nxt = draw(st.sampled_from([*names, "done", "failed"])) if draw(st.booleans()) else None
        if nxt is None:
            edge = Edge(phase=names[k + 1]) if k + 1 < n else Edge(terminal="done")
        else:
            edge = Edge(terminal=nxt) if nxt in ("done", "failed") else Edge(phase=nxt)
        kind = draw(st.sampled_from(FAILS))
        target = Edge(phase=draw(st.sampled_from(names)))
        on_fail = {
            "escalate": OnFail(),
            "fail": OnFail("fail"),
            "retry": OnFail("retry", count=1, delay_us=S),
            "goto": OnFail("goto", target=target),
            "goto_done": OnFail("goto", target=Edge(terminal="done")),
        }[kind]
        phases.append(
            Phase(name, "run", run=lit(f"run {name}"), next=edge, on_fail=on_fail, max_visits=3)
        )
    return Pipeline("p", "rb", tuple(phases))


class PipelineMachine(RuleBasedStateMachine):
    @initialize(pipe=pipelines())
    def start(self, pipe: Pipeline) -> None:
        self.pipe = pipe
        self.d = Driver(graph(pipelines={"rb.p": pipe}))
        self.d(i.PipelineStart("rb.p", {}, "x", request_id="r"))
        self.rid = self.d.reply().result["run"]
        self.last = ""
        self._check(free=False)

    def _allowed(self, prev: str) -> set[str]:
        phase = self.pipe.phase(prev)
        out = {phase.next.phase, phase.on_fail.target.phase, prev}
        return out

    def _check(self, free: bool) -> None:
        for ev in self.d.events("pipeline:phase"):
            new = ev.payload["phase"]
            if self.last and not free:
                assert new in self._allowed(self.last), f"{self.last} -> {new} is not declared"
            self.last = new

    def _run(self):  # type: ignore[no-untyped-def]
        return self.d.world.runs[self.rid]

    def _shell(self) -> fx.RunShell | None:
        run = self._run()
        effect = self.d.world.outbox.get(run.child)
        return effect if isinstance(effect, fx.RunShell) else None

    @rule(code=st.sampled_from([0, 0, 1]))
    def answer(self, code: int) -> None:
        effect = self._shell()
        if effect is not None:
            self.d.exit(effect.effect_id, code)
            self._check(free=False)

    @rule()
    def fire_timers(self) -> None:
        for tid in list(self.d.world.timers):
            if tid in self.d.world.timers:
                self.d.fire(tid)
                self._check(free=False)

    @rule(option=st.sampled_from(["retry", "skip", "fail", "cancel", "goto:p0"]))
    def resolve(self, option: str) -> None:
        run = self._run()
        if run.state == "escalated" and run.escalation:
            self.d(i.EscalationResolve(run.escalation, option))
            self._check(free=option in ("retry", "goto:p0", "skip"))

    @invariant()
    def one_phase_and_no_holdings(self) -> None:
        run = self._run()
        if run.terminal:
            assert not run.holds_lock and not run.holds_slot and not run.child
            assert run.state in ("done", "failed", "cancelled")
            if run.state == "done" and not run.last_ok:  # only `on_fail = "done"` ends so
                assert self.pipe.phase(run.phase).on_fail.target.terminal == "done"
        else:
            assert run.phase in {p.name for p in self.pipe.phases}
            assert run.attempts.get(run.phase, 0) <= 3

    def teardown(self) -> None:
        for _ in range(200):
            run = self._run()
            if run.terminal:
                break
            if run.state == "escalated":
                self.d(i.EscalationResolve(run.escalation, "fail"))
            elif self._shell() is not None:
                self.d.exit(self._shell().effect_id, 0)  # type: ignore[union-attr]
            else:
                self.fire_timers()
        assert self._run().state in ("done", "failed", "cancelled")


TestPipeline = PipelineMachine.TestCase
TestPipeline.settings = settings(max_examples=500, stateful_step_count=15, deadline=None)
