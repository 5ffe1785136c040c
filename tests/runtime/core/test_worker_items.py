"""What a stuck agent does to the queue item its run was started for: `requeue` returns the
item, `dead` dead-letters it, `fail` fails the run without a worker item."""

from __future__ import annotations

from core_kit import Driver, attrs_evolve, graph, lit

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Phase, Pipeline, Queue, Task, Worker, chain


def stuck(word: str, worker: bool = True) -> tuple[Driver, str]:
    pipe = Pipeline("fix", "rb", (Phase("a", "task", task="rb.coder"),), inputs=("bug",))
    task = Task("coder", "rb", prompt="fix", on_stuck=chain(word))
    workers = {"rb.fixer": Worker("fixer", "rb", "bugs", "rb.fix")} if worker else {}
    d = Driver(
        graph(
            pipelines={"rb.fix": pipe},
            tasks={"rb.coder": task},
            workers=workers,
            queues={"bugs": Queue("bugs", "rb")},
        )
    )
    if worker:
        d(i.QueueAdd("bugs", {"id": "b1", "bug": "crash"}))
    else:
        d(i.PipelineStart("rb.fix", {"bug": "crash"}, "b1"))
    trid = d.world.runs["fix-b1"].child
    spawn = next(e for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))
    d(i.SessionResult("spawned", spawn.effect_id, pane_pid=7))
    d(i.AgentSignal("ready", trid))
    d(i.SessionGone(trid))  # a gone session skips nudges: the ladder's word applies now
    return d, trid


def test_requeue_returns_the_item_and_the_worker_claims_it_again() -> None:
    d, trid = stuck("requeue")
    assert d.world.tasks[trid].state == "failed"
    assert (d.world.runs["fix-b1"].state, d.world.runs["fix-b1"].error) == ("cancelled", "requeued")
    item = d.world.queues["bugs"].items["b1"]
    assert (item.state, item.claim and item.claim.id) == ("claimed", "b1~2")
    assert d.world.runs["fix-b1-2"].item_claim == "b1~2"


def test_dead_dead_letters_the_item() -> None:
    d, _ = stuck("dead")
    assert d.world.queues["bugs"].items["b1"].state == "dead"
    assert (d.world.runs["fix-b1"].state, d.world.runs["fix-b1"].error) == ("failed", "dead")


def test_without_a_worker_item_the_word_fails_the_run() -> None:
    d, _ = stuck("requeue", worker=False)
    assert (d.world.runs["fix-b1"].state, d.world.runs["fix-b1"].error) == ("failed", "requeue")


def test_runs_that_end_at_once_settle_their_items_and_the_worker_claims_on() -> None:
    pipe = Pipeline("fix", "rb", (Phase("a"),))
    d = Driver(
        graph(
            pipelines={"rb.fix": pipe},
            workers={"rb.fixer": Worker("fixer", "rb", "bugs", "rb.fix")},
            queues={"bugs": Queue("bugs", "rb")},
        )
    )
    d(i.WorkerCommand("stop", "rb.fixer", request_id="r"))
    d(i.QueueAdd("bugs", {"id": "b1"}))
    d(i.QueueAdd("bugs", {"id": "b2"}))
    d(i.WorkerCommand("start", "rb.fixer", request_id="r"))
    assert [d.world.runs[f"fix-{b}"].state for b in ("b1", "b2")] == ["done", "done"]
    assert {it.state for it in d.world.queues["bugs"].items.values()} == {"done"}
    assert d.world.workers["rb.fixer"].active == ()


def shell_worker(concurrency: int) -> Driver:
    pipe = Pipeline("fix", "rb", (Phase("a", "run", run=lit("fix")),))
    worker = Worker("fixer", "rb", "bugs", "rb.fix", concurrency=concurrency)
    d = Driver(
        graph(
            pipelines={"rb.fix": pipe},
            workers={"rb.fixer": worker},
            queues={"bugs": Queue("bugs", "rb")},
        )
    )
    for b in range(concurrency):
        d(i.QueueAdd("bugs", {"id": f"b{b}"}))
    return d


def test_a_draining_worker_stops_when_its_last_run_ends() -> None:
    d = shell_worker(2)
    d(i.WorkerCommand("stop", "rb.fixer", request_id="r"))
    assert d.world.workers["rb.fixer"].state == "draining"
    d.exit(d.world.runs["fix-b0"].child)
    w = d.world.workers["rb.fixer"]
    assert (w.state, w.active) == ("draining", ("fix-b1",)) and "worker:stopped" not in d.names()
    d.exit(d.world.runs["fix-b1"].child)
    assert d.world.workers["rb.fixer"].state == "stopped" and "worker:stopped" in d.names()


def test_a_run_the_reloaded_worker_does_not_track_ends_without_touching_it() -> None:
    d = shell_worker(1)
    g = d.world.graphs[d.world.graph_hash]
    d(i.Reload(attrs_evolve(g, workers={})))
    d(i.Reload(g))
    w = d.world.workers["rb.fixer"]
    assert w.active == ()
    d.exit(d.world.runs["fix-b0"].child)
    assert d.world.runs["fix-b0"].state == "done" and d.world.workers["rb.fixer"] == w


def test_a_disabled_worker_claims_nothing_when_its_run_ends() -> None:
    d = shell_worker(1)
    d(i.QueueAdd("bugs", {"id": "b9"}))
    d(i.WorkerCommand("disable", "rb.fixer", request_id="r"))
    d.exit(d.world.runs["fix-b0"].child)
    w = d.world.workers["rb.fixer"]
    assert (w.state, w.active) == ("disabled", ())
    assert "fix-b9" not in d.world.runs and d.world.queues["bugs"].items["b9"].state == "ready"


def test_dead_after_the_claim_timed_out_leaves_the_released_item_alone() -> None:
    pipe = Pipeline("fix", "rb", (Phase("a", "task", task="rb.coder"),), inputs=("bug",))
    d = Driver(
        graph(
            pipelines={"rb.fix": pipe},
            tasks={"rb.coder": Task("coder", "rb", prompt="fix", on_stuck=chain("dead"))},
            workers={"rb.fixer": Worker("fixer", "rb", "bugs", "rb.fix")},
            queues={"bugs": Queue("bugs", "rb")},
        )
    )
    d(i.QueueAdd("bugs", {"id": "b1", "bug": "crash"}))
    run = d.world.runs["fix-b1"]
    spawn = next(e for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))
    d(i.SessionResult("spawned", spawn.effect_id, pane_pid=7))
    d(i.AgentSignal("ready", run.child))
    d.fire(f"vis:bugs:{run.item_claim}")
    item = d.world.queues["bugs"].items["b1"]
    assert item.claim is None or item.claim.id != run.item_claim
    d(i.SessionGone(run.child))
    assert d.world.runs["fix-b1"].state == "failed"
    item = d.world.queues["bugs"].items["b1"]
    assert item.state == "claimed" and "fix-b1-2" in d.world.runs, "claimed again, not dead"
