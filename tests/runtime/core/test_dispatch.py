"""Commands and results at the edges of dispatch: errors, duplicates, unknown owners."""

from __future__ import annotations

from core_kit import Driver, graph, lit

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import (
    Action,
    Cron,
    Lock,
    Phase,
    Pipeline,
    Queue,
    Semaphore,
    Watcher,
    Worker,
)
from ojlang.runtime.core.world import step


def base() -> Driver:
    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a")),))
    return Driver(
        graph(
            pipelines={"rb.p": pipe},
            queues={"q": Queue("q", "rb")},
            semaphores={"S": Semaphore("S")},
            crons={"rb.c": Cron("c", "rb", 60_000_000)},
            watchers={"rb.w": Watcher("w", "rb", 60_000_000)},
            actions={"rb.a": Action("a", "rb", 1)},
        )
    )


def test_unknown_targets_answer_not_found() -> None:
    d = base()
    for inp in (
        i.QueueAdd("nope", request_id="r"),
        i.QueueCommand("claim", "nope", request_id="r"),
        i.CronCommand("run", "nope", request_id="r"),
        i.WatcherCommand("enable", "nope", request_id="r"),
        i.ScannerCommand("run", "nope", request_id="r"),
        i.ActionTrigger("nope", request_id="r"),
        i.EscalationResolve("esc-0", "1", request_id="r"),
        i.PipelineResume("nope", request_id="r"),
        i.PipelineBlock("nope", request_id="r"),
        i.PipelineSet("nope", request_id="r"),
        i.PipelineTransition("nope", "complete", request_id="r"),
        i.Checkpoint("nope", request_id="r"),
        i.WorkspaceCommand("remove", "nope", request_id="r"),
    ):
        d(inp)
        assert d.reply().error == "not_found", inp


def test_emit_refuses_reserved_scopes_and_large_payloads() -> None:
    d = base()
    d(i.EmitCommand("pipeline:complete", request_id="r"))
    assert d.reply().error == "invalid"
    d(i.EmitCommand("x:y", payload={"k": "v" * 70_000}, request_id="r"))
    assert d.reply().error == "invalid"
    d(i.EmitCommand("x:y", "s", {"k": 1}, request_id="r"))
    assert d.names() == ["x:y"]


def test_semaphore_and_lock_command_errors() -> None:
    d = base()
    d(i.SemaphoreCommand("acquire", "S", "cli:a", 2, request_id="r"))
    assert d.reply().error == "invalid"
    d(i.SemaphoreCommand("release", "S", "cli:a", request_id="r"))
    assert d.reply().error == "denied"
    d(i.LockCommand("heartbeat", "L", "cli:a", request_id="r"))
    assert d.reply().error == "denied"
    d(i.LockCommand("acquire", "L", "cli:a"))
    d(i.LockCommand("release", "L", "cli:b", force=True, request_id="r"))
    assert d.reply().error is None and "lock:lost" in d.names()


def test_queue_operator_commands() -> None:
    d = base()
    d(i.QueueAdd("q", {"id": "a"}))
    d(i.QueueCommand("claim", "q", holder="h", request_id="r"))
    cid = d.reply().result["claim"]
    d(i.QueueCommand("extend", claim=cid, request_id="r"))
    assert d.reply().error is None
    d(i.QueueCommand("release", claim=cid, request_id="r"))
    assert d.world.queues["q"].items["a"].attempts == 0
    d(i.QueueCommand("claim", "q", request_id="r"))
    d(i.QueueCommand("fail", "q", claim="a~2", request_id="r"))
    d(i.QueueCommand("retry", "q", item="a", request_id="r"))
    assert d.reply().error == "conflict"
    d(i.QueueCommand("claim", "q", request_id="r"))
    d(i.QueueCommand("claim", "q", request_id="r"))
    assert d.reply().result is None


def test_workspace_commands() -> None:
    d = base()
    d(i.WorkspaceCommand("create", "tmp", branch="b", request_id="r"))
    assert d.reply().result == {"workspace": "ws-tmp"}
    add = d.of(fx.WorktreeAdd)[0]
    d(i.WorkspaceResult("ready", add.effect_id))
    assert d.world.workspaces["ws-tmp"].state == "ready"
    d(i.WorkspaceCommand("merge", "ws-tmp", branch="b", into="main", request_id="r"))
    merge = d.of(fx.Merge)[0]
    assert merge.workdir == "/project/.oj/worktrees/ws-tmp" and merge.fence is None
    d(i.MergeResult(merge.effect_id, True))
    d(i.WorkspaceCommand("remove", "ws-tmp", request_id="r"))
    d(i.EffectOutcome("failed", d.of(fx.WorktreeRemove)[0].effect_id, "dirty"))
    assert d.world.workspaces["ws-tmp"].state == "failed"
    d(i.WorkspaceCommand("adopt", path="/repo/wt/feature", branch="f", request_id="r"))
    assert d.reply().result == {"workspace": "feature"}


def test_duplicate_and_stale_results_are_ignored() -> None:
    d = base()
    d(i.PipelineStart("rb.p", {}, "x"))
    eid = d.shell("phase").effect_id
    d.exit(eid)
    d.exit(eid)
    assert d.of(fx.Log)[0].level == "debug"
    d(i.TimerFired("cron:rb.c:tick", 1))
    assert "not armed" in d.of(fx.Log)[0].message
    for inp in (
        i.IssueResult("9.9"),
        i.ScanListed("9.9"),
        i.ProbeResult("9.9"),
        i.AgentProbe("9.9"),
    ):
        d(inp)
        assert d.of(fx.Log)


def test_engine_events_and_internal_errors() -> None:
    d = base()
    d(i.EngineEvent("started", {"pid": 1}))
    assert d.names() == ["daemon:started"]
    broken = d.world.__class__(**{**d.world.__dict__, "graph_hash": "missing"})
    world, effects = step(broken, i.PipelineStart("rb.p", {}), 1, 99, "m")
    assert world.last_seq == 99 and isinstance(effects[0], fx.Log) and effects[0].level == "error"


def test_notify_failures_become_daemon_events() -> None:
    d = base()
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.shell("phase").effect_id)
    notify = d.of(fx.Notify)[0]
    d(i.EffectOutcome("failed", notify.effect_id, "no desktop"))
    assert d.names() == ["daemon:notify_failed"]


def test_loops_are_found_by_their_exact_key_too() -> None:
    d = base()
    d(i.CronCommand("run", "rb.c", request_id="r"))
    assert d.reply().error is None
    assert d.world.crons["rb.c"].ticks == 1


def test_a_merge_inside_a_phase_carries_the_run_lock_fence() -> None:
    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a"), lock="L"),))
    d = Driver(graph(pipelines={"rb.p": pipe}, locks={"L": Lock("L")}))
    d(i.PipelineStart("rb.p", {}, "x"))
    token = d.world.locks["L"].token
    d(i.WorkspaceCommand("merge", branch="b", into="main", run="p-x", request_id="r"))
    (merge,) = d.of(fx.Merge)
    assert merge.fence == fx.Fence("L", token)
    d(i.WorkspaceCommand("merge", branch="b", into="main", request_id="r"))
    assert d.of(fx.Merge)[0].fence is None


def test_a_fenced_shell_is_a_lost_shell_result() -> None:
    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a")),))
    d = Driver(graph(pipelines={"rb.p": pipe}))
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.EffectOutcome("fenced", d.world.runs["p-x"].child))
    run = d.world.runs["p-x"]
    assert run.state == "escalated" and run.child == ""
    d(i.EffectOutcome("done", "nope"))
    assert any("not in the outbox" in e.message for e in d.of(fx.Log))


def test_resume_from_a_worker_unhealthy_escalation() -> None:
    pipe = Pipeline("fix", "rb", (Phase("a", "run", run=lit("fix")),), inputs=("a", "b"))
    g = graph(
        pipelines={"rb.fix": pipe},
        workers={"rb.fixer": Worker("fixer", "rb", "bugs", "rb.fix", on_unhealthy="escalate")},
        queues={"bugs": Queue("bugs", "rb", max_retries=0)},
    )
    d = Driver(g)
    for k in range(3):
        d(i.QueueAdd("bugs", {"id": f"b{k}"}))
    assert d.world.workers["rb.fixer"].state == "paused"
    (esc,) = d.world.escalations.values()
    d(i.EscalationResolve(esc.id, "resume", request_id="r"))
    assert d.reply().result == {"option": "resume"}
    assert d.world.workers["rb.fixer"].state != "paused"
