"""Phase steps at the edges: a `cwd` template, waiting for a slot and getting it, a phase
timeout cancelled by the action's end, a run that ends while it waits for a lock, and an
operator failing a run whose agent is working."""

from __future__ import annotations

from core_kit import Driver, S, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Lock, OnFail, Phase, Pipeline, Semaphore, Task


def one(phase: Phase, **kw: object) -> Driver:
    return Driver(graph(pipelines={"rb.p": Pipeline("p", "rb", (phase,))}, **kw))  # type: ignore[arg-type]


def test_a_cwd_template_sets_the_directory_and_one_that_does_not_render_fails() -> None:
    d = one(Phase("a", "run", run=lit("make"), cwd=tpl("/src/", ("name",))))
    d(i.PipelineStart("rb.p", {}, "x"))
    assert d.shell("phase").cwd == "/src/x"
    d = one(Phase("a", "run", run=lit("make"), cwd=tpl(("nope",)), on_fail=OnFail("fail")))
    d(i.PipelineStart("rb.p", {}, "x"))
    run = d.world.runs["p-x"]
    assert run.state == "failed" and "template error" in run.error


def test_a_run_waits_for_a_slot_and_acts_once_it_is_granted() -> None:
    d = one(Phase("a", "run", run=lit("a"), semaphore="S"), semaphores={"S": Semaphore("S")})
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.PipelineStart("rb.p", {}, "y"))
    run = d.world.runs["p-y"]
    assert (run.state, run.step) == ("waiting", "slot")
    d.exit(d.world.runs["p-x"].child)
    run = d.world.runs["p-y"]
    assert (run.state, run.step, run.holds_slot) == ("running", "act", True)
    assert d.shell("phase").script == "a"


def test_the_phase_timeout_of_an_agent_is_cancelled_when_it_is_done() -> None:
    d = one(
        Phase("a", "task", task="rb.t", timeout_us=60 * S),
        tasks={"rb.t": Task("t", "rb", prompt="go")},
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    assert "run:p-x:timeout" in d.world.timers
    d(i.Done(d.world.runs["p-x"].child, request_id="r"))
    assert "run:p-x:timeout" not in d.world.timers
    assert d.world.runs["p-x"].state == "done"


def test_a_run_that_ends_while_waiting_for_a_lock_leaves_its_waiters() -> None:
    d = one(Phase("a", "run", run=lit("a"), lock="L"), locks={"L": Lock("L")})
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.PipelineStart("rb.p", {}, "y"))
    assert [w.holder for w in d.world.locks["L"].waiters] == ["p-y"]
    d(i.Cancel("p-y", request_id="r"))
    assert d.world.locks["L"].waiters == ()
    d.exit(d.world.runs["p-x"].child)
    assert d.world.locks["L"].holder is None


def test_failing_a_run_cancels_its_agent() -> None:
    d = one(
        Phase("a", "task", task="rb.t", on_fail=OnFail("fail")),
        tasks={"rb.t": Task("t", "rb", prompt="go")},
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    trid = d.world.runs["p-x"].child
    eid = next(e.effect_id for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))
    d(i.SessionResult("spawned", eid, pane_pid=7))
    d(i.PipelineTransition("p-x", "fail", reason="enough", request_id="r"))
    assert d.world.tasks[trid].state == "failed"
    assert d.of(fx.KillSession)
    assert (d.world.runs["p-x"].state, d.world.runs["p-x"].error) == ("failed", "act: enough")
