"""Pipeline paths at the edges: defaults that are given or do not render, worker items in the
defaults' scope, groups and notifications that do not render, the reserved `done` and `blocked`
phases entered by ordinary edges, and operator commands that do not apply."""

from __future__ import annotations

from typing import Any

from core_kit import Driver, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import (
    Attempt,
    Cond,
    DefaultValue,
    Edge,
    Guard,
    OnFail,
    Phase,
    Pipeline,
    PipelineNotify,
    Queue,
    Strategy,
    Worker,
)


def pipeline(*phases: Phase, **kw: Any) -> Driver:
    extra = kw.pop("graph", {})
    return Driver(graph(pipelines={"rb.p": Pipeline("p", "rb", phases, **kw)}, **extra))


def test_a_given_value_wins_over_its_default() -> None:
    d = pipeline(
        Phase("a", "run", run=tpl("echo ", ("who",))),
        inputs=("who",),
        defaults={"who": DefaultValue(lit("nobody"))},
    )
    d(i.PipelineStart("rb.p", {"who": "me"}, "x"))
    assert d.shell("phase").script == "echo me"
    d(i.PipelineStart("rb.p", {}, "y"))
    assert d.shell("phase").script == "echo nobody"


def test_a_default_that_does_not_render_refuses_the_start() -> None:
    d = pipeline(Phase("a", "run", run=lit("a")), defaults={"b": DefaultValue(tpl(("nope",)))})
    d(i.PipelineStart("rb.p", {}, "x", request_id="r"))
    reply = d.reply()
    assert reply.error == "invalid" and "default `b`" in reply.message
    assert "p-x" not in d.world.runs


def test_defaults_of_a_worker_run_see_the_item() -> None:
    d = pipeline(
        Phase("a", "run", run=tpl("echo ", ("title",))),
        inputs=("bug",),
        defaults={"title": DefaultValue(tpl("fix ", ("item", "id")))},
        graph={
            "queues": {"bugs": Queue("bugs", "rb")},
            "workers": {"rb.w": Worker("w", "rb", "bugs", "rb.p")},
        },
    )
    d(i.QueueAdd("bugs", {"id": "b1", "bug": "crash"}))
    assert d.shell("phase").script == "echo fix b1"


def test_a_group_that_does_not_render_refuses_the_start() -> None:
    d = pipeline(Phase("a", "run", run=lit("a")), group=tpl(("nope",)))
    d(i.PipelineStart("rb.p", {}, "x", request_id="r"))
    assert d.reply().error == "invalid" and "group" in d.reply().message


def test_a_notification_that_does_not_render_is_a_warning() -> None:
    d = pipeline(
        Phase("a", "run", run=lit("a"), on_fail=OnFail("fail")),
        notify=PipelineNotify(on_fail=tpl(("nope",))),
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.world.runs["p-x"].child, 1)
    assert d.world.runs["p-x"].state == "failed"
    assert [n.event for n in d.of(fx.Notify)] == ["pipeline:failed"]  # the runbook's own
    assert any("pipeline notify of `p-x`" in e.message for e in d.of(fx.Log))


def test_the_done_phase_runs_then_ends_the_run_done() -> None:
    d = pipeline(
        Phase("a", "run", run=lit("a"), next=Edge(phase="done")),
        Phase("done", "run", run=lit("bye")),
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.world.runs["p-x"].child)
    assert d.shell("phase").script == "bye"
    d.exit(d.world.runs["p-x"].child)
    assert d.world.runs["p-x"].state == "done"


def test_blocked_entered_by_an_edge_goes_on_to_the_next_phase_in_file_order() -> None:
    ready = Guard("ready", "rb", Cond("shell", script=lit("test -f ready")))
    d = pipeline(
        Phase("a", "run", run=lit("a"), next=Edge(phase="blocked")),
        Phase("blocked", pre=("rb.ready",), next=Edge()),  # as compiled: back to the gate
        Phase("b", "run", run=lit("b")),
        graph={"guards": {"rb.ready": ready}},
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.shell("guard").effect_id, 0)  # the gate at the start passes: on to `a`
    d.exit(d.shell("phase").effect_id)
    assert d.world.runs["p-x"].phase == "blocked"
    d.exit(d.shell("guard").effect_id, 0)
    assert d.shell("phase").script == "b"


def test_operator_commands_that_do_not_apply() -> None:
    d = pipeline(Phase("a", "run", run=lit("a"), on_fail=OnFail("fail")))
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.PipelineBlock("p-x", request_id="r"))
    assert d.reply().error == "conflict"  # no `blocked` phase
    d.exit(d.world.runs["p-x"].child, 1)
    d(i.PipelineResume("p-x", "nope", request_id="r"))
    assert d.reply().error == "invalid"
    assert d.world.runs["p-x"].state == "failed"


def test_a_strategy_that_runs_out_goes_to_its_on_exhaust_phase() -> None:
    strategy = Strategy(
        "s", "rb", (Attempt("one", run=lit("one")),), on_exhaust="goto", on_exhaust_target=Edge("b")
    )
    d = pipeline(
        Phase("a", "strategy", strategy="rb.s"),
        Phase("b", "run", run=lit("bee")),
        graph={"strategies": {"rb.s": strategy}},
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    d.exit(d.shell("attempt").effect_id, 1)
    assert d.world.runs["p-x"].phase == "b"
    assert d.shell("phase").script == "bee"


def test_an_ended_run_admits_only_as_many_queued_runs_as_its_slot_allows() -> None:
    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a")),), concurrency=1)
    d = Driver(graph(pipelines={"rb.p": pipe}))
    for name in ("x", "y", "z"):
        d(i.PipelineStart("rb.p", {}, name))
    assert [d.world.runs[f"p-{n}"].state for n in "yz"] == ["queued", "queued"]
    d.exit(d.world.runs["p-x"].child)
    states = [d.world.runs[f"p-{n}"].state for n in "xyz"]
    assert states[0] == "done" and states[2] == "queued" and states[1] not in ("queued", "done")
