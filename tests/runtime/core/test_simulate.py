"""The simulator's scripted outcomes: shell exit codes and stdout by script substring, agents
that hang or exit, merges, the answers of single effects, `until_us` and `record`."""

from __future__ import annotations

import pytest
from core_kit import S, graph, lit, shell_pipeline

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Edge, OnFail, Phase, Pipeline, Task
from ojlang.runtime.core.simulate import Outcomes, answers, simulate
from ojlang.runtime.core.world import World, initial_world


def shells() -> Pipeline:
    phases = (
        Phase("a", "run", run=lit("first"), on_fail=OnFail("fail"), next=Edge(phase="b")),
        Phase("b", "run", run=lit("second"), on_fail=OnFail("fail")),
    )
    return Pipeline("p", "rb", phases)


def test_shell_codes_go_by_the_first_matching_substring() -> None:
    world = initial_world(graph(pipelines={"rb.p": shells()}))
    start = [(0, i.PipelineStart("rb.p", {}, "x"))]
    result = simulate(world, start, Outcomes(shell=(("nothing", 0), ("second", 3), ("sec", 0))))
    run = result.world.runs["p-x"]
    assert (run.state, run.phase) == ("failed", "b")
    result = simulate(world, start, Outcomes(shell=(("nothing", 1),)))
    assert result.world.runs["p-x"].state == "done"


def test_scripted_stdout_reaches_the_shell_result() -> None:
    effect = fx.RunShell("phase", "echo hi", "/", effect_id="e1")
    ((delay, answer),) = answers(Outcomes(stdout=(("echo", "hi\n"),), latency_us=7), effect)
    assert delay == 7
    assert answer == i.ShellExited("e1", 0, stdout_tail="hi\n", duration_us=7)
    ((_, plain),) = answers(Outcomes(shell_default=2), effect)
    assert isinstance(plain, i.ShellExited) and (plain.code, plain.stdout_tail) == (2, "")


def test_silent_effects_have_no_answer_and_unknown_ones_are_done() -> None:
    assert answers(Outcomes(), fx.Log("info", "x")) == []
    effect = fx.WriteArchive("a.json", {}, effect_id="e2")
    assert answers(Outcomes(), effect) == [(1_000, i.EffectOutcome("done", "e2"))]


def test_merges_land_or_conflict() -> None:
    effect = fx.Merge("b", "main", effect_id="m")
    ((_, ok),) = answers(Outcomes(), effect)
    ((_, bad),) = answers(Outcomes(merge_ok=False), effect)
    assert ok == i.MergeResult("m", True)
    assert bad == i.MergeResult("m", False, conflicts=("a.txt",))


def agent_world() -> World:
    phase = Phase("code", "task", task="rb.coder", on_fail=OnFail("fail"))
    tasks = {"rb.coder": Task("coder", "rb", prompt="go", idle_timeout_us=None)}
    return initial_world(graph(pipelines={"rb.p": Pipeline("p", "rb", (phase,))}, tasks=tasks))


@pytest.mark.parametrize(
    "agent, state, error",
    [
        ("done", "done", ""),
        ("error", "failed", "act: scripted failure"),
        ("exit:2", "failed", "act: agent exited 2"),
        ("hang", "failed", "act: startup timed out"),  # `ready` only; never starts its work
    ],
)
def test_scripted_agents(agent: str, state: str, error: str) -> None:
    start = [(0, i.PipelineStart("rb.p", {}, "x"))]
    result = simulate(agent_world(), start, Outcomes(agent=agent), until_us=3600 * S)
    run = result.world.runs["p-x"]
    assert (run.state, run.error) == (state, error)


def test_until_stops_the_clock() -> None:
    world = initial_world(graph(pipelines={"rb.p": shell_pipeline("p", 3)}))
    start = [(0, i.PipelineStart("rb.p", {}, "x"))]
    result = simulate(world, start, Outcomes(latency_us=10 * S), until_us=15 * S)
    assert result.world.runs["p-x"].phase == "s1"
    assert result.time_us <= result.trace[0].time_us + 15 * S


def test_without_record_there_is_no_trace_but_the_counts_stay() -> None:
    world = initial_world(graph(pipelines={"rb.p": shell_pipeline("p", 2)}))
    start = [(0, i.PipelineStart("rb.p", {}, "x"))]
    recorded = simulate(world, start)
    bare = simulate(world, start, record=False)
    assert bare.trace == () and len(recorded.trace) == recorded.steps == bare.steps
    assert bare.events == recorded.events == sum(len(t.events) for t in recorded.trace)
