"""Strategy instances inside a pipeline: escalation options after exhaustion, agent attempts,
attempt timeouts, attempts and rollbacks that do not render."""

from __future__ import annotations

import pytest
from core_kit import Driver, S, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Attempt, OnFail, Phase, Pipeline, Strategy, Task


def recovering(strategy: Strategy, **kw: object) -> Driver:
    """A run whose only phase acts with `strategy`."""
    phase = Phase("a", "strategy", strategy="rb.fix", on_fail=OnFail("fail"))
    pipe = Pipeline("p", "rb", (phase,))
    d = Driver(graph(pipelines={"rb.p": pipe}, strategies={"rb.fix": strategy}, **kw))
    d(i.PipelineStart("rb.p", {}, "x"))
    return d


def exhausted() -> tuple[Driver, str]:
    strategy = Strategy("fix", "rb", (Attempt("one", run=lit("fix one")),), on_exhaust="escalate")
    d = recovering(strategy)
    d.exit(d.shell("attempt").effect_id, 1)
    assert d.world.runs["p-x"].state == "escalated"
    esc = next(e for e in d.world.escalations.values() if e.kind == "strategy_exhausted")
    return d, esc.id


def test_retry_starts_the_attempts_again() -> None:
    d, eid = exhausted()
    d(i.EscalationResolve(eid, "retry"))
    assert d.shell("attempt").script == "fix one"
    d.exit(d.shell("attempt").effect_id, 0)
    assert d.world.runs["p-x"].state == "done"


@pytest.mark.parametrize("option, state", [("skip", "done"), ("fail", "failed")])
def test_skip_succeeds_and_fail_fails_the_run(option: str, state: str) -> None:
    d, eid = exhausted()
    d(i.EscalationResolve(eid, option))
    assert not d.of(fx.RunShell)
    assert d.world.runs["p-x"].state == state
    assert len(d.world.strategies) == 0


def test_an_agent_attempt_succeeds_when_its_task_is_done() -> None:
    strategy = Strategy("fix", "rb", (Attempt("agent", task="rb.fixer"),))
    d = recovering(strategy, tasks={"rb.fixer": Task("fixer", "rb", prompt="fix it")})
    (inst,) = d.world.strategies.values()
    assert inst.child_kind == "task" and inst.child in d.world.tasks
    d(i.Done(inst.child, request_id="r"))
    assert d.reply().result is True
    assert d.world.runs["p-x"].state == "done"


def test_cancelling_the_run_cancels_the_agent_attempt() -> None:
    strategy = Strategy("fix", "rb", (Attempt("agent", task="rb.fixer"),))
    d = recovering(strategy, tasks={"rb.fixer": Task("fixer", "rb", prompt="fix it")})
    (inst,) = d.world.strategies.values()
    d(i.PipelineTransition("p-x", "fail", reason="operator", request_id="r"))
    assert d.world.tasks[inst.child].state == "failed"
    assert d.world.runs["p-x"].state == "failed"


def test_an_attempt_that_times_out_fails_and_the_next_one_runs() -> None:
    attempts = (Attempt("slow", run=lit("slow"), timeout_us=5 * S), Attempt("b", run=lit("b")))
    d = recovering(Strategy("fix", "rb", attempts))
    (inst,) = d.world.strategies.values()
    d.fire(f"strat:{inst.id}:timeout")
    assert d.of(fx.KillProcessGroup)
    assert d.shell("attempt").script == "b"


def test_an_attempt_that_does_not_render_fails_and_a_bad_rollback_fails_the_strategy() -> None:
    attempts = (Attempt("bad", run=tpl(("nope",))), Attempt("b", run=lit("b")))
    d = recovering(Strategy("fix", "rb", attempts))
    assert d.shell("attempt").script == "b"
    attempts = (Attempt("one", run=lit("one"), rollback=tpl(("nope",))), Attempt("b", run=lit("b")))
    d = recovering(Strategy("fix", "rb", attempts))
    d.exit(d.shell("attempt").effect_id, 1)
    assert d.world.runs["p-x"].state == "failed"
    assert "rollback" in d.world.runs["p-x"].error


def test_a_checkpoint_that_does_not_render_fails_the_strategy() -> None:
    strategy = Strategy("fix", "rb", (Attempt("one", run=lit("one")),), checkpoint=tpl(("nope",)))
    d = recovering(strategy)
    assert d.world.runs["p-x"].state == "failed"
    assert "checkpoint" in d.world.runs["p-x"].error
