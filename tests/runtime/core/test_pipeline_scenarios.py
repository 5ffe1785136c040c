"""Pipeline scenarios: worktrees, concurrency and groups, the blocked gate, retries, recovery
strategies, locks and slots, operator commands and escalation options."""

from __future__ import annotations

from typing import Any

import pytest
from core_kit import Driver, S, graph, lit, rich_graph, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import (
    Attempt,
    Cond,
    DefaultValue,
    Edge,
    Guard,
    Lock,
    OnFail,
    Phase,
    Pipeline,
    PipelineNotify,
    Semaphore,
    Settings,
    Strategy,
    chain,
)


def one(phase: Phase, **kw: Any) -> Driver:
    g = graph(
        pipelines={"rb.p": Pipeline("p", "rb", (phase,), **kw.pop("pipe", {}))},
        **kw,
    )
    return Driver(g)


def test_worktree_run_creates_and_removes_its_workspace() -> None:
    d = one(Phase("a", "run", run=lit("a")), pipe={"worktree": True})
    d(i.PipelineStart("rb.p", {}, "x", request_id="r"))
    add = d.of(fx.WorktreeAdd)[0]
    assert add.branch == "oj/p-x" and add.path.endswith(".oj/worktrees/p-x")
    d(i.WorkspaceResult("ready", add.effect_id))
    assert "workspace:ready" in d.names() and "pipeline:started" in d.names()
    assert d.shell("phase").cwd == add.path
    d.exit(d.shell("phase").effect_id)
    remove = d.of(fx.WorktreeRemove)[0]
    d(i.WorkspaceResult("removed", remove.effect_id))
    assert d.world.workspaces["/project/.oj/worktrees/p-x"].state == "removed"
    assert "workspace:deleted" in d.names()


def test_workspace_failure_fails_the_run() -> None:
    d = one(Phase("a", "run", run=lit("a")), pipe={"worktree": True})
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.WorkspaceResult("failed", d.of(fx.WorktreeAdd)[0].effect_id, error="exists"))
    assert d.world.runs["p-x"].state == "failed"
    assert d.world.runs["p-x"].error == "workspace: exists"


def test_inputs_defaults_and_missing_inputs() -> None:
    pipe = {
        "inputs": ("slug",),
        "defaults": {
            "branch": DefaultValue(tpl("feature/", ("slug",))),
            "n": DefaultValue(literal=2),
        },
        "outputs": ("pr",),
    }
    d = one(Phase("a", "run", run=tpl("echo ", ("branch",), " ", ("n",))), pipe=pipe)
    d(i.PipelineStart("rb.p", {"slug": "auth"}, request_id="r"))
    assert d.shell("phase").script == "echo feature/auth 2"
    run = d.world.runs[d.reply().result["run"]]
    assert run.vars["pr"] is None and run.branch == "feature/auth"
    d(i.PipelineStart("rb.p", {}, request_id="r"))
    assert d.reply().error == "invalid"
    d(i.PipelineStart("rb.nope", {}, request_id="r"))
    assert d.reply().error == "not_found"


def test_run_ids_are_never_reused() -> None:
    d = one(Phase("a", "run", run=lit("a")))
    ids = []
    for _ in range(3):
        d(i.PipelineStart("rb.p", {}, "x", request_id="r"))
        ids.append(d.reply().result["run"])
    assert ids == ["p-x", "p-x-2", "p-x-3"]


def test_concurrency_queues_runs_fifo() -> None:
    d = one(Phase("a", "run", run=lit("a")), pipe={"concurrency": 1})
    d(i.PipelineStart("rb.p", {}, "a"))
    d(i.PipelineStart("rb.p", {}, "b"))
    assert d.world.runs["p-b"].state == "queued"
    d.exit(d.world.runs["p-a"].child)
    assert d.world.runs["p-b"].state == "running"


@pytest.mark.parametrize(
    "policy, state_a, error_b",
    [("skip", "running", "conflict"), ("replace", "cancelled", None), ("queue", "running", None)],
)
def test_group_policies(policy: str, state_a: str, error_b: str | None) -> None:
    d = one(Phase("a", "run", run=lit("a")), pipe={"group": tpl(("name",)), "group_policy": policy})
    d(i.PipelineStart("rb.p", {}, "k"))
    d(i.PipelineStart("rb.p", {"name": "k"}, "k", request_id="r"))
    assert d.world.runs["p-k"].state == state_a
    assert d.reply().error == error_b


def test_blocked_gate_skips_when_guards_pass_and_blocks_otherwise() -> None:
    guard = Guard("ready", "rb", Cond("shell", script=lit("test -f ready")))
    phases = (
        Phase("init", "run", run=lit("init"), next=Edge("build")),
        Phase("blocked", pre=("rb.ready",), next=Edge()),
        Phase("build", "run", run=lit("build")),
    )
    g = graph(pipelines={"rb.p": Pipeline("p", "rb", phases)}, guards={"rb.ready": guard})
    d = Driver(g)
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.shell("phase").effect_id)
    d.exit(d.shell("guard").effect_id, 0)
    assert d.shell("phase").script == "build" and "pipeline:blocked" not in d.all_names()
    d(i.PipelineStart("rb.p", {}, "y"))
    d.exit(d.shell("phase").effect_id)
    d.exit(d.shell("guard").effect_id, 1)
    assert "pipeline:blocked" in d.names()
    run = d.world.runs["p-y"]
    assert run.phase == "blocked" and run.state == "waiting"
    d.fire(next(t for t in d.world.timers if "p-y" in t and t.endswith(":retry")))
    d.exit(d.shell("guard").effect_id, 0)
    assert d.shell("phase").script == "build"
    d(i.PipelineBlock("p-y", request_id="r"))
    assert d.world.runs["p-y"].phase == "blocked"


def test_retry_then_escalate_then_resume() -> None:
    d = one(Phase("a", "run", run=lit("a"), on_fail=OnFail("retry", 1, 5 * S)))
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.world.runs["p-x"].child, 1)
    assert "pipeline:retry" in d.names()
    d.fire("run:p-x:retry")
    d.exit(d.world.runs["p-x"].child, 1)
    run = d.world.runs["p-x"]
    assert run.state == "escalated" and run.error == "act: exited 1"
    d(i.PipelineResume("p-x", request_id="r"))
    assert d.reply().error is None and d.world.runs["p-x"].state == "running"
    d(i.PipelineResume("p-x", request_id="r"))
    assert d.reply().error == "conflict"


def test_fail_goes_through_the_failed_phase() -> None:
    phases = (
        Phase("a", "run", run=lit("a"), on_fail=OnFail("fail")),
        Phase("failed", "run", run=lit("cleanup")),
    )
    d = Driver(graph(pipelines={"rb.p": Pipeline("p", "rb", phases)}))
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.world.runs["p-x"].child, 1)
    assert d.shell("phase").script == "cleanup"
    d.exit(d.world.runs["p-x"].child, 0)
    assert d.world.runs["p-x"].state == "failed"


def test_max_visits_escalates() -> None:
    phase = Phase("a", "run", run=lit("a"), on_fail=OnFail("goto", target=Edge("a")), max_visits=2)
    d = one(phase)
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.world.runs["p-x"].child, 1)
    d.exit(d.world.runs["p-x"].child, 1)
    assert d.world.runs["p-x"].state == "escalated"


def test_strategy_recovery_and_escalated_exhaustion() -> None:
    strategy = Strategy("fix", "rb", (Attempt("one", run=lit("fix one")),), on_exhaust="escalate")
    phase = Phase("a", "run", run=lit("a"), on_fail=OnFail("strategy", strategy="rb.fix"))
    d = one(phase, strategies={"rb.fix": strategy})
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.world.runs["p-x"].child, 1)
    eid = d.shell("attempt").effect_id
    d.exit(eid, 1)
    run = d.world.runs["p-x"]
    assert run.state == "escalated"
    esc = next(e for e in d.world.escalations.values() if e.kind == "strategy_exhausted")
    d(i.EscalationResolve(esc.id, "retry_last"))
    d.exit(d.shell("attempt").effect_id, 0)
    assert d.world.runs["p-x"].state == "done"


@pytest.mark.parametrize("on_exhaust, state", [("fail", "failed"), ("goto", "done")])
def test_recovery_exhaustion(on_exhaust: str, state: str) -> None:
    strategy = Strategy(
        "fix",
        "rb",
        (Attempt("one", run=lit("x")),),
        on_exhaust=on_exhaust,
        on_exhaust_target=Edge(terminal="done"),
    )
    phase = Phase("a", "run", run=lit("a"), on_fail=OnFail("strategy", strategy="rb.fix"))
    d = one(phase, strategies={"rb.fix": strategy})
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.world.runs["p-x"].child, 1)
    d.exit(d.shell("attempt").effect_id, 1)
    assert d.world.runs["p-x"].state == state


def test_lock_and_slot_waits_resume_in_order() -> None:
    phase = Phase("a", "run", run=lit("a"), lock="L", semaphore="S")
    d = one(phase, locks={"L": Lock("L")}, semaphores={"S": Semaphore("S")})
    d(i.PipelineStart("rb.p", {}, "x"))
    assert d.shell("phase").fence == fx.Fence("L", 1)
    d(i.PipelineStart("rb.p", {}, "y"))
    assert d.world.runs["p-y"].state == "waiting"
    d.exit(d.world.runs["p-x"].child)
    assert d.world.runs["p-y"].state == "running" and "pipeline:resumed" in d.names()
    assert d.shell("phase").fence == fx.Fence("L", 2)


def test_lock_lost_fails_the_phase() -> None:
    phase = Phase("a", "run", run=lit("a"), lock="L", on_fail=OnFail("fail"))
    d = one(phase, locks={"L": Lock("L", heartbeat_us=10 * S, on_stale=chain("release"))})
    d(i.PipelineStart("rb.p", {}, "x"))
    d.fire("lock:L:stale")
    assert "lock:lost" in d.names()
    run = d.world.runs["p-x"]
    assert run.state == "failed" and "lock lost" in run.error
    assert d.of(fx.KillProcessGroup)


@pytest.mark.parametrize("words", [("escalate",), ("fail",), ("cleanup", "rollback")])
def test_stale_lock_words(words: tuple[str, ...]) -> None:
    phase = Phase("a", "run", run=lit("a"), lock="L")
    d = one(phase, locks={"L": Lock("L", timeout_us=10 * S, on_stale=chain(*words))})
    d(i.PipelineStart("rb.p", {}, "x"))
    d.fire("lock:L:stale")
    assert "lock:stale" in d.names()


def test_maintenance_heartbeats_keep_holds_fresh() -> None:
    phase = Phase("a", "run", run=lit("a"), lock="L", semaphore="S")
    d = one(
        phase,
        locks={"L": Lock("L", heartbeat_us=10 * S)},
        semaphores={"S": Semaphore("S", slot_heartbeat_us=10 * S)},
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    for _ in range(5):
        d(i.MaintenanceTick(), 9 * S)
    assert d.world.timers["lock:L:stale"] > d.now + 29 * S
    assert d.world.timers["sem:S:p-x"] > d.now + 29 * S
    assert "lock:stale" not in d.all_names()


@pytest.mark.parametrize(
    "work, state",
    [
        ("fail", "escalated"),
        ("requeue", "failed"),
        ("escalate", "escalated"),
        ("abandon", "cancelled"),
    ],
)
def test_orphaned_slot_applies_on_orphan_work(work: str, state: str) -> None:
    phase = Phase("a", "run", run=lit("a"), semaphore="S")
    sem = Semaphore("S", slot_timeout_us=10 * S, on_orphan_work=work)
    d = one(phase, semaphores={"S": sem})
    d(i.PipelineStart("rb.p", {}, "x"))
    d.fire("sem:S:p-x")
    assert "semaphore:orphaned" in d.names()
    assert d.world.runs["p-x"].state == state


def test_orphan_escalate_and_wait() -> None:
    phase = Phase("a", "run", run=lit("a"), semaphore="S")
    d = one(phase, semaphores={"S": Semaphore("S", slot_timeout_us=10 * S, on_orphan="escalate")})
    d(i.PipelineStart("rb.p", {}, "x"))
    d.fire("sem:S:p-x")
    esc = next(iter(d.world.escalations.values()))
    assert esc.kind == "slot_orphaned"
    d(i.EscalationResolve(esc.id, "release"))
    assert "semaphore:released" in d.names()


def test_phase_timeout_for_strategies_and_transitions() -> None:
    strategy = Strategy("s", "rb", (Attempt("one", run=lit("x")),))
    phases = (
        Phase("a", "strategy", strategy="rb.s", timeout_us=30 * S, on_fail=OnFail("fail")),
        Phase("b", "run", run=lit("b")),
    )
    d = Driver(
        graph(pipelines={"rb.p": Pipeline("p", "rb", phases)}, strategies={"rb.s": strategy})
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    d.fire("run:p-x:timeout")
    assert d.world.runs["p-x"].state == "failed"
    d(i.PipelineStart("rb.p", {}, "y"))
    d(i.PipelineTransition("p-y", "goto", "b", request_id="r"))
    assert d.world.runs["p-y"].phase == "b"
    d(i.PipelineTransition("p-y", "complete", request_id="r"))
    assert d.world.runs["p-y"].state == "done"
    d(i.PipelineTransition("p-y", "fail", request_id="r"))
    assert d.reply().error == "conflict"
    d(i.PipelineStart("rb.p", {}, "z"))
    d(i.PipelineTransition("p-z", "goto", "nope", request_id="r"))
    assert d.reply().error == "invalid"
    d(i.PipelineTransition("p-z", "fail", reason="no", request_id="r"))
    assert d.world.runs["p-z"].state == "failed"


@pytest.mark.parametrize(
    "option, state",
    [("1", "running"), ("2", "done"), ("goto:a", "running"), ("4", "failed"), ("5", "cancelled")],
)
def test_phase_failed_escalation_options(option: str, state: str) -> None:
    d = one(Phase("a", "run", run=lit("a")))
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.world.runs["p-x"].child, 1)
    esc = d.world.runs["p-x"].escalation
    d(i.EscalationResolve(esc, option, request_id="r"))
    assert d.world.runs["p-x"].state == state
    d(i.EscalationResolve(esc, option, request_id="r"))
    assert d.reply().error == "conflict"


def test_cancel_set_and_notify_messages() -> None:
    notify = PipelineNotify(
        on_start=lit("go"), on_done=tpl(("pr",)), on_fail=tpl(("nope",)), on_escalate=lit("help")
    )
    d = one(Phase("a", "run", run=lit("a")), pipe={"outputs": ("pr",), "notify": notify})
    d(i.PipelineStart("rb.p", {}, "x"))
    assert d.of(fx.Notify)[0].message == "go"
    d(i.PipelineSet("p-x", {"pr": "u1"}, request_id="r"))
    d.exit(d.world.runs["p-x"].child)
    assert any(n.message == "u1" for n in d.of(fx.Notify))
    d(i.PipelineStart("rb.p", {}, "y"))
    d(i.Cancel("p-y", request_id="r"))
    assert d.world.runs["p-y"].state == "cancelled"
    d(i.Cancel("p-y", request_id="r"))
    assert d.reply().error == "conflict"
    d(i.Cancel("none", request_id="r"))
    assert d.reply().error == "not_found"


def test_rich_graph_runs_to_done_in_the_simulator() -> None:
    from ojlang.runtime.core.simulate import Outcomes, simulate
    from ojlang.runtime.core.world import initial_world

    world = initial_world(rich_graph())
    result = simulate(
        world,
        [(0, i.QueueAdd("builds", {"id": "auth", "name": "auth"}))],
        Outcomes(),
        until_us=3600 * S,
    )
    runs = list(result.world.runs.values())
    assert [r.state for r in runs] == ["done"], [(r.state, r.phase, r.error) for r in runs]
    assert result.world.queues["builds"].items["auth"].state == "done"
    assert result.trace[0].events


def test_settings_keep_worktrees() -> None:
    d = one(
        Phase("a", "run", run=lit("a")),
        pipe={"worktree": True},
        settings=Settings(keep_worktrees=True),
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.WorkspaceResult("ready", d.of(fx.WorktreeAdd)[0].effect_id))
    d.exit(d.world.runs["p-x"].child)
    assert not d.of(fx.WorktreeRemove)


def test_a_recovery_failed_by_the_operator_escalates_the_run() -> None:
    strategy = Strategy("fix", "rb", (Attempt("one", run=lit("fix one")),), on_exhaust="escalate")
    phase = Phase("a", "run", run=lit("a"), on_fail=OnFail("strategy", strategy="rb.fix"))
    d = one(phase, strategies={"rb.fix": strategy})
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.world.runs["p-x"].child, 1)
    d.exit(d.shell("attempt").effect_id, 1)
    esc = next(e for e in d.world.escalations.values() if e.kind == "strategy_exhausted")
    d(i.EscalationResolve(esc.id, "fail", request_id="r"))
    run = d.world.runs["p-x"]
    assert run.state == "escalated" and not d.world.strategies
    (again,) = [e for e in d.world.escalations.values() if e.state == "open"]
    assert (again.kind, again.subject) == ("phase_failed", "run:p-x")
