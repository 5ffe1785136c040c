"""The phase graph of a pipeline (§6.1, §6.2): edges, unresolved targets and completeness."""

from __future__ import annotations

from pathlib import Path

from ojlang.loader import load_text
from ojlang.parser import ast
from ojlang.project import Origin, RunbookFile
from ojlang.validator.model import ProjectModel
from ojlang.validator.phase_graph import PhaseGraph, components, path_within, phase_graph


def model_of(**runbooks: str) -> ProjectModel:
    loaded = []
    for name, text in runbooks.items():
        display = f"runbooks/{name}.toml"
        file = RunbookFile(Path("/p") / display, display, Origin.PROJECT)
        loaded.append(load_text(text.encode(), file))
    return ProjectModel(loaded, set(runbooks))


def graph_of(text: str, pipeline: str = "p", **others: str) -> PhaseGraph:
    model = model_of(main=text, **others)
    runbook = model.runbooks["main"]
    node = runbook.of("pipeline")[pipeline]
    assert isinstance(node, ast.Pipeline)
    return phase_graph(model, runbook, node)


def edges(graph: PhaseGraph) -> set[tuple[str, str, str]]:
    """(source name, target name or terminal `#done`/`#failed`, field)."""
    out = set()
    for e in graph.edges:
        target = graph.name(e.target) if isinstance(e.target, int) else f"#{e.target}"
        out.add((graph.name(e.source), target, e.field))
    return out


def test_file_order_then_done() -> None:
    g = graph_of('[pipeline.p]\nphase = [{ name = "a", run = "x" }, { name = "b", run = "y" }]\n')
    assert edges(g) == {("a", "b", "implicit"), ("b", "#done", "implicit")}
    assert g.complete


def test_next_prefers_a_phase_named_like_a_terminal() -> None:
    g = graph_of(
        '[pipeline.p]\nphase = [\n  { name = "a", run = "x", next = "done" },\n'
        '  { name = "b", run = "y", next = "failed" },\n  { name = "done", run = "z" },\n]\n'
    )
    assert edges(g) == {
        ("a", "done", "next"),
        ("b", "#failed", "next"),
        ("done", "#done", "implicit"),
    }


def test_on_fail_edges() -> None:
    g = graph_of(
        "[pipeline.p]\nphase = [\n"
        '  { name = "a", run = "x", on_fail = "fail" },\n'
        '  { name = "b", run = "x", on_fail = "retry:3" },\n'
        '  { name = "c", run = "x", on_fail = "escalate" },\n'
        '  { name = "d", run = "x", on_fail = "a" },\n'
        '  { name = "e", run = "x", on_fail = "failed" },\n]\n'
    )
    failures = {e for e in edges(g) if e[2] == "on_fail"}
    assert failures == {
        ("a", "#failed", "on_fail"),
        ("d", "a", "on_fail"),
        ("e", "#failed", "on_fail"),
    }


def test_blocked_leads_where_init_was_going() -> None:
    g = graph_of(
        "[pipeline.p]\nphase = [\n"
        '  { name = "init", run = "x", next = "plan" },\n'
        '  { name = "blocked", pre = ["g"] },\n'
        '  { name = "other", run = "x", next = "done" },\n'
        '  { name = "plan", run = "x" },\n]\n'
        '[guard.g]\ncondition = "true"\n'
    )
    assert ("blocked", "plan", "implicit") in edges(g)


def test_blocked_without_init_leads_to_the_first_phase_or_past_itself() -> None:
    g = graph_of(
        '[pipeline.p]\nphase = [{ name = "a", run = "x" }, { name = "blocked", pre = ["g"] }]\n'
        '[guard.g]\ncondition = "true"\n'
    )
    assert ("blocked", "a", "implicit") in edges(g)
    first = graph_of(
        '[pipeline.p]\nphase = [{ name = "blocked", pre = ["g"] }, { name = "a", run = "x" }]\n'
        '[guard.g]\ncondition = "true"\n'
    )
    assert ("blocked", "a", "implicit") in edges(first)


STRATEGY = '[strategy.s]\non_exhaust = "{}"\nattempt = [{{ name = "t", run = "x" }}]\n'


def test_strategy_on_exhaust_edges() -> None:
    phase = '[pipeline.p]\nphase = [{ name = "a", strategy = "s" }, { name = "b", run = "x" }]\n'
    assert ("a", "b", "on_exhaust") in edges(graph_of(phase + STRATEGY.format("b")))
    assert not {e for e in edges(graph_of(phase + STRATEGY.format("fail"))) if e[2] != "implicit"}
    recovery = '[pipeline.p]\nphase = [{ name = "a", run = "x", on_fail = "strategy:s" }]\n'
    assert ("a", "#failed", "on_exhaust") in edges(graph_of(recovery + STRATEGY.format("fail")))
    escalating = edges(graph_of(recovery + STRATEGY.format("escalate")))
    assert {e for e in escalating if e[2] == "on_exhaust"} == set()


def test_on_exhaust_of_another_runbook_is_located_at_the_use() -> None:
    common = '[strategy.s]\non_exhaust = "a"\nattempt = [{ name = "t", run = "x" }]\n'
    g = graph_of(
        '[pipeline.p]\nphase = [{ name = "a", strategy = "common.strategy.s" }]\n', common=common
    )
    (edge,) = [e for e in g.edges if e.field == "on_exhaust"]
    assert edge.span.file == "runbooks/main.toml" and edge.runbook == "main"


def test_unresolved_targets_are_collected() -> None:
    g = graph_of('[pipeline.p]\nphase = [{ name = "a", run = "x", next = "b", on_fail = "c" }]\n')
    assert [(u.name, u.field) for u in g.unresolved] == [("b", "next"), ("c", "on_fail")]
    assert not g.complete


def test_incomplete_on_unresolved_reference_duplicate_or_reserved_name() -> None:
    assert not graph_of('[pipeline.p]\nphase = [{ name = "a", task = "nope" }]\n').complete
    dup = '[pipeline.p]\nphase = [{ name = "a", run = "x" }, { name = "a", run = "y" }]\n'
    assert not graph_of(dup).complete
    assert not graph_of('[pipeline.p]\nphase = [{ name = "retry", run = "x" }]\n').complete
    unparsed = '[pipeline.p]\nphase = [{ name = "a", run = "x", on_fail = "retry:0" }]\n'
    assert not graph_of(unparsed).complete


def test_components_and_paths() -> None:
    g = graph_of(
        "[pipeline.p]\nphase = [\n"
        '  { name = "a", run = "x" },\n'
        '  { name = "b", run = "x", on_fail = "a" },\n'
        '  { name = "c", run = "x", next = "c", on_fail = "done" },\n]\n'
    )
    groups = components(g, set(range(3)))
    assert groups == [[0, 1], [2]]
    assert path_within(g, 0, 1, {0, 1}) == [0, 1]
    assert g.reaches_terminal() == {0, 1, 2}
