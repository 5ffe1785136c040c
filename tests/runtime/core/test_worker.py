"""Workers: claim loops, handler runs in the same step, unhealthy handling, operator commands."""

from __future__ import annotations

from typing import Any

import pytest
from core_kit import Driver, S, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import ChainWord, Pattern, Phase, Pipeline, Queue, Runbook, Worker


def driver(
    worker_kw: dict[str, Any] | None = None, queue_kw: dict[str, Any] | None = None, **kw: Any
) -> Driver:
    pipe = Pipeline("fix", "rb", (Phase("a", "run", run=lit("fix")),), inputs=("bug",))
    w = Worker("fixer", "rb", "bugs", "rb.fix", **(worker_kw or {}))
    q = Queue("bugs", "rb", max_retries=0, **(queue_kw or {}))
    return Driver(
        graph(pipelines={"rb.fix": pipe}, workers={"rb.fixer": w}, queues={"bugs": q}, **kw)
    )


def test_push_wakes_the_worker_which_claims_and_starts_a_run() -> None:
    d = driver({"concurrency": 2})
    d(i.QueueAdd("bugs", {"id": "b1", "bug": "crash"}))
    assert "worker:woken" in d.names() and "pipeline:created" in d.names()
    run = d.world.runs["fix-b1"]
    assert run.vars["bug"] == "crash" and run.item_claim == "b1~1"
    d(i.QueueAdd("bugs", {"id": "b2"}))  # one input: the whole item binds
    d(i.QueueAdd("bugs", {"id": "b3"}))
    assert len(d.world.workers["rb.fixer"].active) == 2
    d.exit(run.child)
    assert d.world.queues["bugs"].items["b1"].state == "done"
    assert "fix-b3" in d.world.runs


def test_failed_runs_fail_items_and_three_make_the_worker_unhealthy() -> None:
    d = driver({"on_unhealthy": "pause"})
    for k in range(3):
        d(i.QueueAdd("bugs", {"id": f"b{k}"}))
        d.exit(d.world.runs[f"fix-b{k}"].child, 1)
        d(i.EscalationResolve(d.world.runs[f"fix-b{k}"].escalation, "fail"))
    assert d.world.queues["bugs"].items["b0"].state == "dead"
    assert d.world.workers["rb.fixer"].state == "paused"
    d(i.QueueAdd("bugs", {"id": "later"}))
    assert "fix-later" not in d.world.runs
    d(i.WorkerCommand("resume", "fixer", request_id="r"))
    assert "fix-later" in d.world.runs


@pytest.mark.parametrize("word, state", [("restart", "idle"), ("escalate", "paused")])
def test_bad_items_make_the_worker_unhealthy(word: str, state: str) -> None:
    pipe = Pipeline("fix", "rb", (Phase("a", "run", run=lit("fix")),), inputs=("a", "b"))
    g = graph(
        pipelines={"rb.fix": pipe},
        workers={"rb.fixer": Worker("fixer", "rb", "bugs", "rb.fix", on_unhealthy=word)},
        queues={"bugs": Queue("bugs", "rb", max_retries=0)},
    )
    d = Driver(g)
    for k in range(3):
        d(i.QueueAdd("bugs", {"id": f"b{k}"}))
    assert d.world.queues["bugs"].items["b0"].last_error == "missing input a"
    assert d.world.workers["rb.fixer"].state == state
    assert "worker:unhealthy" in d.all_names()


def test_idle_actions_and_wake_on() -> None:
    d = driver({"idle_action": ChainWord("wait", 1, 60 * S), "wake_on": (Pattern("bug:filed"),)})
    d(i.WorkerCommand("wake", "fixer"))
    assert "worker:idle" in d.names() and "worker:rb.fixer:idle" in d.world.timers
    d.fire("worker:rb.fixer:idle")
    assert "worker:woken" in d.names()
    d(i.EmitCommand("bug:filed", "x"))
    assert "worker:woken" in d.names()
    d = driver({"idle_action": ChainWord("exit")})
    d(i.WorkerCommand("wake", "fixer"))
    assert d.world.workers["rb.fixer"].state == "stopped"


def test_operator_commands() -> None:
    d = driver()
    d(i.WorkerCommand("disable", "fixer", request_id="r"))
    d(i.QueueAdd("bugs", {"id": "b"}))
    assert "fix-b" not in d.world.runs
    d(i.WorkerCommand("enable", "fixer"))
    assert "fix-b" in d.world.runs
    d(i.WorkerCommand("stop", "fixer"))
    assert d.world.workers["rb.fixer"].state == "draining"
    d.exit(d.world.runs["fix-b"].child)
    assert d.world.workers["rb.fixer"].state == "stopped"
    d(i.WorkerCommand("start", "fixer"))
    d(i.WorkerCommand("resize", "fixer", concurrency=0, request_id="r"))
    assert d.reply().error == "invalid"
    d(i.WorkerCommand("resize", "fixer", concurrency=3, request_id="r"))
    assert d.world.workers["rb.fixer"].concurrency == 3
    d(i.QueueAdd("bugs", {"id": "c"}))
    d(i.WorkerCommand("stop", "fixer", now=True))
    assert d.world.runs["fix-c"].state == "cancelled"
    d(i.WorkerCommand("stop", "nobody", request_id="r"))
    assert d.reply().error == "not_found"


def test_library_workers_start_disabled() -> None:
    d = driver(runbooks={"rb": Runbook("rb", library=True)})
    assert d.world.workers["rb.fixer"].state == "disabled"


def test_external_queue_source_is_read_on_wake() -> None:
    d = driver(queue_kw={"source": lit("list-bugs")})
    d(i.WorkerCommand("wake", "fixer"))
    src = d.shell("source")
    d.exit(src.effect_id, 0, '[{"id": "x1"}, {"id": "x2"}]')
    assert "fix-x1" in d.world.runs and d.world.queues["bugs"].items["x2"].state == "ready"
    d(i.WorkerCommand("wake", "fixer"))
    d.exit(d.shell("source").effect_id, 0, '[{"id": "x1"}]')
    assert d.world.queues["bugs"].items["x2"].state == "dropped"
    d(i.WorkerCommand("wake", "fixer"))
    d.exit(d.shell("source").effect_id, 1)
    assert d.world.workers["rb.fixer"].failures == 1


def test_reload_keeps_worker_state_and_drops_removed_loops() -> None:
    d = driver()
    d(i.WorkerCommand("disable", "fixer"))
    g2 = graph(pipelines=d.world.graphs[d.world.graph_hash].pipelines)
    d(i.Reload(g2, request_id="r"))
    assert "rb.fixer" not in d.world.workers and "daemon:reloaded" in d.names()
    d(i.Reload(d.world.graphs[d.world.graph_hash]))
    assert not d.of(fx.Log)


def test_wait_dur_rereads_the_source_while_slots_are_free() -> None:
    d = driver(
        {"idle_action": ChainWord("wait", 1, 60 * S), "concurrency": 2},
        {"source": lit("list-bugs")},
    )
    d(i.WorkerCommand("wake", "fixer"))
    d.exit(d.shell("source").effect_id, 0, '[{"id": "x1"}]')
    w = d.world.workers["rb.fixer"]
    assert w.state == "running" and len(w.active) == 1
    assert "worker:rb.fixer:idle" in d.world.timers, "one slot is free: re-read every 60 s"
    d.fire("worker:rb.fixer:idle")
    d.exit(d.shell("source").effect_id, 0, '[{"id": "x1"}, {"id": "x2"}]')
    assert "fix-x2" in d.world.runs
    assert "worker:rb.fixer:idle" not in d.world.timers, "no free slot: nothing to re-read for"


def test_wake_on_that_does_not_render_is_a_warning_and_a_disabled_worker_ignores_wakes() -> None:
    d = driver({"wake_on": (Pattern("bug:{nope}"),), "enabled": False})
    d(i.Reload(d.world.graphs[d.world.graph_hash]))  # init again, with its log in sight
    assert any("wake_on `bug:{nope}`" in e.message for e in d.of(fx.Log))
    d(i.WorkerCommand("wake", "fixer"))
    assert d.names() == [] and any("ignored `wake`" in e.message for e in d.of(fx.Log))
    d(i.WorkerCommand("enable", "fixer"))
    assert d.names() == ["worker:started", "worker:idle"]
    d(i.WorkerCommand("enable", "fixer"))
    assert d.names() == []


def test_a_queue_source_that_does_not_render_is_a_warning() -> None:
    d = driver(queue_kw={"source": tpl(("nope",))})
    d(i.WorkerCommand("wake", "fixer"))
    assert not d.of(fx.RunShell)
    assert any("queue `bugs` source" in e.message for e in d.of(fx.Log))


def test_three_failed_source_reads_make_the_worker_unhealthy() -> None:
    d = driver({"on_unhealthy": "pause"}, queue_kw={"source": lit("list-bugs")})
    for _ in range(3):
        d(i.WorkerCommand("wake", "fixer"))
        d.exit(d.shell("source").effect_id, 1)
    assert d.world.workers["rb.fixer"].state == "paused"
    assert "worker:unhealthy" in d.names()


def test_stop_of_an_idle_worker_stops_it_at_once() -> None:
    d = driver()
    d(i.WorkerCommand("stop", "fixer"))
    assert d.world.workers["rb.fixer"].state == "stopped"
    assert d.names() == ["worker:stopped"]
    d(i.QueueAdd("bugs", {"id": "b"}))
    assert "fix-b" not in d.world.runs


def test_source_records_with_an_empty_id_are_skipped() -> None:
    d = driver(queue_kw={"source": lit("list-bugs")})
    d(i.WorkerCommand("wake", "fixer"))
    d.exit(d.shell("source").effect_id, 0, '[{"id": ""}, {"name": "n1"}, {"title": "t"}]')
    assert sorted(d.world.queues["bugs"].items) == ["2", "n1"]  # no id: its index
