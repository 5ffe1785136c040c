"""Stale and out-of-order results at dispatch: answers for owners that moved on or are gone."""

from __future__ import annotations

from core_kit import Driver, graph, lit

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Cond, Edge, Guard, Phase, Pipeline, Task

TRID = "p-x.code.1"


def task_started() -> Driver:
    t = Task("coder", "rb", prompt="Do it")
    pipe = Pipeline("p", "rb", (Phase("code", "task", task="rb.coder"),))
    d = Driver(graph(pipelines={"rb.p": pipe}, tasks={"rb.coder": t}))
    d(i.PipelineStart("rb.p", {}, "x"))
    return d


def spawn_id(d: Driver) -> str:
    return next(e.effect_id for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))


def test_signals_for_an_unknown_task_run_change_nothing() -> None:
    d = task_started()
    before = d.world.tasks
    d(i.AgentSignal("idle", "p-x.nope.1"))
    assert d.effects == () and d.world.tasks == before
    d(i.SessionGone("p-x.nope.1"))
    assert d.effects == () and d.world.tasks == before


def test_a_spawn_result_for_a_replaced_session_is_dropped() -> None:
    d = task_started()
    old = spawn_id(d)
    d(i.Done(TRID, restart=True))
    tr = d.world.tasks[TRID]
    assert tr.generation == 2 and tr.state == "starting"
    assert old in d.world.outbox
    d(i.SessionResult("spawned", old, pane_pid=7))
    assert d.world.tasks[TRID] == tr and old not in d.world.outbox


def test_an_agent_probe_answering_a_guard_probe_is_dropped() -> None:
    guard = Guard("g", "rb", Cond("pred", name="branch_exists", args=(lit("main"),)))
    pipe = Pipeline("p", "rb", (Phase("a", pre=("rb.g",), next=Edge(terminal="done")),))
    d = Driver(graph(pipelines={"rb.p": pipe}, guards={"rb.g": guard}))
    d(i.PipelineStart("rb.p", {}, "x"))
    (probe,) = d.of(fx.Probe)
    guards = d.world.guards
    d(i.AgentProbe(probe.effect_id))
    assert d.world.guards == guards and probe.effect_id not in d.world.outbox
