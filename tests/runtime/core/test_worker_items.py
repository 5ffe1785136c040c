"""What a stuck agent does to the queue item its run was started for: `requeue` returns the
item, `dead` dead-letters it, `fail` fails the run without a worker item."""

from __future__ import annotations

from core_kit import Driver, graph

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
