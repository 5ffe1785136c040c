"""Stale and out-of-order results at dispatch: answers for owners that moved on or are gone."""

from __future__ import annotations

from core_kit import Driver, S, graph, lit

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import expr
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import (
    Cond,
    Edge,
    Expression,
    Function,
    Guard,
    Lock,
    Phase,
    Pipeline,
    Queue,
    Runbook,
    Task,
    Worker,
)

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


def test_releasing_a_stale_lock_its_holder_already_released_changes_nothing() -> None:
    d = Driver(graph(locks={"L": Lock("L", heartbeat_us=10 * S)}))
    d(i.LockCommand("acquire", "L", "cli:a", request_id="r"))
    d.fire("lock:L:stale")
    (esc,) = d.world.escalations.values()
    d(i.LockCommand("release", "L", "cli:a", request_id="r"))
    locks = d.world.locks
    d(i.EscalationResolve(esc.id, "release", request_id="r"))
    assert d.reply().result == {"option": "release"}
    assert d.world.locks == locks and d.names() == ["escalation:resolved"]


def test_a_stuck_task_does_not_keep_its_phase_lock_alive() -> None:
    t = Task("coder", "rb", prompt="Do it")
    pipe = Pipeline("p", "rb", (Phase("code", "task", task="rb.coder", lock="L"),))
    g = graph(pipelines={"rb.p": pipe}, tasks={"rb.coder": t}, locks={"L": Lock("L", 10 * S)})
    d = Driver(g)
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.SessionResult("spawned", spawn_id(d), pane_pid=7))
    d(i.AgentSignal("ready", TRID))
    d(i.MaintenanceTick(), S)
    assert d.world.locks["L"].heartbeat_us == d.now
    d(i.AgentSignal("screen", TRID, prompt="permission"))
    assert d.world.tasks[TRID].state == "stuck"
    beat = d.now
    d(i.MaintenanceTick(), S)
    assert d.world.locks["L"].heartbeat_us == beat < d.now


def test_a_function_answer_retries_only_the_active_workers_of_its_queue() -> None:
    pipe = Pipeline("fix", "rb", (Phase("a", "run", run=lit("fix")),))
    ready = expr.Call("is_ready", (expr.Path("id"),))
    g = graph(
        runbooks={"rb": Runbook("rb", functions={"is_ready": Function("is_ready", lit("true"))})},
        pipelines={"rb.fix": pipe},
        workers={
            "rb.a": Worker("a", "rb", "bugs", "rb.fix"),
            "rb.b": Worker("b", "rb", "other", "rb.fix"),
        },
        queues={
            "bugs": Queue("bugs", "rb", filter=Expression("…", ready)),
            "other": Queue("other", "rb"),
        },
    )
    d = Driver(g)
    d(i.QueueAdd("bugs", {"id": "b1"}))
    call = d.shell("function")
    d(i.WorkerCommand("stop", "rb.a", request_id="r"))
    d.exit(call.effect_id, 0)
    assert not d.world.runs and d.world.queues["bugs"].items["b1"].state == "ready"
