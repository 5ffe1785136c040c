"""Timers that reach the queue and lock machines: a claim's visibility timeout, the retention
of dead items, and the `on_stale` words of a lock held by a command-line holder."""

from __future__ import annotations

import pytest
from core_kit import Driver, S, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import (
    Attempt,
    DeadLetters,
    Lock,
    Phase,
    Pipeline,
    Queue,
    Semaphore,
    Strategy,
    Task,
    chain,
)


def test_an_expired_claim_is_released_and_counts_as_a_failed_attempt() -> None:
    d = Driver(graph(queues={"q": Queue("q", "rb", visibility_timeout_us=30 * S)}))
    d(i.QueueAdd("q", {"id": "x"}))
    d(i.QueueCommand("claim", "q", holder="t", request_id="r"))
    d.fire("vis:q:x~1")
    released = d.events("queue:item:released")[0]
    assert released.payload["reason"] == "visibility timeout"
    item = d.world.queues["q"].items["x"]
    assert (item.state, item.attempts, item.claim) == ("ready", 1, None)
    d(i.QueueCommand("complete", "q", claim="x~1", request_id="r"))
    assert d.reply().error == "stale_claim"


def test_dead_items_are_deleted_after_their_retention() -> None:
    q = Queue("q", "rb", max_retries=0, dead=DeadLetters(retention_us=60 * S))
    d = Driver(graph(queues={"q": q}))
    d(i.QueueAdd("q", {"id": "x"}))
    d(i.QueueCommand("claim", "q", holder="t", request_id="r"))
    d(i.QueueCommand("fail", "q", claim="x~1", request_id="r"))
    assert d.world.queues["q"].items["x"].state == "dead"
    d.fire("qdead:q:x")
    assert "x" not in d.world.queues["q"].items


def stale(words: str) -> Driver:
    d = Driver(graph(locks={"L": Lock("L", heartbeat_us=S, on_stale=chain(*words.split()))}))
    d(i.LockCommand("acquire", "L", "cli:a", request_id="r"))
    d.fire("lock:L:stale")
    return d


def test_the_words_after_a_release_no_longer_apply() -> None:
    d = stale("release escalate")
    assert d.world.locks["L"].holder is None
    assert len(d.world.escalations) == 0
    assert d.names() == ["lock:stale", "lock:lost", "lock:released"]


def test_words_that_need_a_run_are_skipped_for_a_command_line_holder() -> None:
    d = stale("fail cleanup rollback escalate")
    assert d.world.locks["L"].holder == "cli:a"
    assert d.names() == ["lock:stale", "escalation:created"]


def orphaned(on_orphan: str) -> Driver:
    sem = Semaphore("S", slot_heartbeat_us=S, on_orphan=on_orphan)
    d = Driver(graph(semaphores={"S": sem}))
    d(i.SemaphoreCommand("acquire", "S", "cli:a", request_id="r"))
    d.fire("sem:S:cli:a")
    return d


def test_an_orphaned_slot_with_wait_stays_held() -> None:
    d = orphaned("wait")
    assert d.names() == ["semaphore:orphaned"]
    assert "cli:a" in d.world.semaphores["S"].holders
    assert len(d.world.escalations) == 0


def test_an_orphaned_slot_escalates_and_release_frees_it() -> None:
    d = orphaned("escalate")
    (esc,) = d.world.escalations.values()
    assert (esc.kind, esc.subject) == ("slot_orphaned", "slot:S:cli:a")
    d(i.EscalationResolve(esc.id, "release", request_id="r"))
    assert "cli:a" not in d.world.semaphores["S"].holders
    assert "semaphore:reclaimed" in d.names()


def test_cleanup_of_a_stale_lock_kills_the_agent_session_of_its_run() -> None:
    pipe = Pipeline("p", "rb", (Phase("a", "task", task="rb.t", lock="L"),))
    lk = Lock("L", heartbeat_us=S, on_stale=chain("cleanup"))
    d = Driver(graph(pipelines={"rb.p": pipe}, tasks={"rb.t": Task("t", "rb")}, locks={"L": lk}))
    d(i.PipelineStart("rb.p", {}, "x"))
    session = d.world.tasks[d.world.runs["p-x"].child].session
    d.fire("lock:L:stale")
    assert [k.session for k in d.of(fx.KillSession)] == [session]


def test_rollback_of_a_stale_lock_runs_the_current_attempt_rollback() -> None:
    attempt = Attempt("ff", run=lit("merge"), rollback=tpl("undo ", ("attempt_name",)))
    pipe = Pipeline("p", "rb", (Phase("a", "strategy", strategy="rb.s", lock="L"),))
    lk = Lock("L", heartbeat_us=S, on_stale=chain("rollback"))
    strategies = {"rb.s": Strategy("s", "rb", (attempt,))}
    d = Driver(graph(pipelines={"rb.p": pipe}, strategies=strategies, locks={"L": lk}))
    d(i.PipelineStart("rb.p", {}, "x"))
    d.fire("lock:L:stale")
    assert d.shell("rollback").script == "undo ff"


@pytest.mark.parametrize("word", ["cleanup", "rollback"])
def test_stale_lock_words_for_a_strategy_without_rollback_leave_its_shell_running(
    word: str,
) -> None:
    strategy = Strategy("land", "rb", (Attempt("ff", run=lit("merge")),))
    phase = Phase("a", "strategy", strategy="rb.land", lock="L")
    d = Driver(
        graph(
            pipelines={"rb.p": Pipeline("p", "rb", (phase,))},
            strategies={"rb.land": strategy},
            locks={"L": Lock("L", heartbeat_us=S, on_stale=chain(word))},
        )
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    attempt = d.shell("attempt").effect_id
    d.fire("lock:L:stale")
    assert "lock:stale" in d.names()
    assert not d.of(fx.KillProcessGroup) and not d.of(fx.RunShell)
    assert attempt in d.world.outbox and d.world.runs["p-x"].state == "running"
