"""The phase graph of one pipeline (LANGUAGE.md §6.1, §6.2): AST and project model in, edges out.

Nodes are the phases (by index, file order) and the terminals `done` and `failed`. Edges:

- success: `next` (a phase, else the terminal of that name); absent, the following phase and
  after the last one `done`; phases `done`/`failed` lead to their terminal; `blocked` without
  `next` leads to the phase the run was about to enter when the gate closed (the success target
  of `init`, else the first phase; `blocked` itself means the phase after it);
- failure: `on_fail` naming a phase or terminal; `on_fail = "fail"` leads to terminal `failed`;
  `retry` and `escalate` are no edges; `strategy:NAME` recovery leads where the strategy's
  `on_exhaust` says (`fail`, the default, ends the run `failed`);
- a phase `strategy` whose `on_exhaust` names a phase (`fail` fails the phase: its `on_fail`
  applies; `escalate` pauses).

Names that resolve nowhere are collected as `Unresolved` (the graph check reports OJ203).
`complete` is false when anything the graph depends on did not resolve or was already reported
(unresolved references of the phases, unparsed `on_fail`, missing or duplicate phase names,
reserved phase names): graph and resource checks then skip the pipeline (§6.4, §7).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser.fields import Parsed, Ref
from ojlang.parser.onfail import FailRun, PhaseTarget, StrategyRef
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import TString
from ojlang.validator.model import ProjectModel, Target
from ojlang.validator.sites import sites

TERMINALS = ("done", "failed")
RESERVED = ("escalate", "fail", "retry", "strategy")
ENTRY_PHASES = ("init", "blocked")


@rec.frozen
class Edge:
    """`source` -> `target` (a phase index or a terminal name), written at `span` in `runbook`.

    `field` is `next`, `on_fail`, `on_exhaust` or `implicit` (no `next`: file order)."""

    source: int
    target: int | str
    field: str
    span: Span
    runbook: str

    @property
    def to_phase(self) -> int | None:
        return self.target if isinstance(self.target, int) else None


@rec.frozen
class Unresolved:
    """A phase name in `next`, `on_fail` or a strategy's `on_exhaust` that names no phase."""

    name: str
    field: str
    span: Span
    runbook: str  # the runbook holding `span`
    phase: int
    strategy: Target | None = None  # for `on_exhaust`: the strategy that holds it


@rec.frozen
class PhaseGraph:
    runbook: str
    pipeline: ast.Pipeline
    index: dict[str, int]
    edges: tuple[Edge, ...]
    unresolved: tuple[Unresolved, ...]
    complete: bool

    @property
    def phases(self) -> tuple[ast.Phase, ...]:
        return self.pipeline.phase

    def name(self, i: int) -> str:
        return self.phases[i].ident

    def successors(self, i: int) -> Iterator[int]:
        for edge in self.edges:
            if edge.source == i and edge.to_phase is not None:
                yield edge.to_phase

    def reachable(self, roots: Iterable[int]) -> set[int]:
        seen: set[int] = set()
        todo = list(roots)
        while todo:
            i = todo.pop()
            if i in seen:
                continue
            seen.add(i)
            todo.extend(self.successors(i))
        return seen

    def reaches_terminal(self) -> set[int]:
        """Phases from which some path of edges leads to `done` or `failed`."""
        found = {e.source for e in self.edges if e.to_phase is None}
        changed = True
        while changed:
            changed = False
            for edge in self.edges:
                if edge.to_phase in found and edge.source not in found:
                    found.add(edge.source)
                    changed = True
        return found


def resolved(model: ProjectModel, ref: Ref | None, kind: str, runbook: str) -> Target | None:
    """The definition `ref` names, or None when absent or unresolved (reported elsewhere)."""
    if ref is None:
        return None
    resolution = model.resolve(ref, (kind,), runbook)
    return resolution.target if resolution.diagnostic is None else None


def phase_graph(model: ProjectModel, runbook: ast.Runbook, pipeline: ast.Pipeline) -> PhaseGraph:
    """The graph of one pipeline of `runbook`."""
    broken = _broken_pipelines(model, runbook)
    return _Builder(model, runbook, pipeline, pipeline.ident not in broken).build()


def pipeline_graphs(model: ProjectModel) -> dict[tuple[str, str], PhaseGraph]:
    """The graph of every pipeline of the project, by (runbook, pipeline name)."""
    out: dict[tuple[str, str], PhaseGraph] = {}
    for runbook in model.runbooks.values():
        broken = _broken_pipelines(model, runbook)
        for name, pipeline in runbook.of("pipeline").items():
            assert isinstance(pipeline, ast.Pipeline)
            graph = _Builder(model, runbook, pipeline, name not in broken).build()
            out[(runbook.name, name)] = graph
    return out


def _broken_pipelines(model: ProjectModel, runbook: ast.Runbook) -> set[str]:
    """Pipelines of `runbook` with a reference that does not resolve (reported elsewhere)."""
    broken: set[str] = set()
    for site in sites(runbook):
        if site.owner_kind != "pipeline" or site.owner_name in broken:
            continue
        if model.resolve(site.ref, site.kinds, site.runbook).diagnostic is not None:
            broken.add(site.owner_name)
    return broken


class _Builder:
    def __init__(
        self,
        model: ProjectModel,
        runbook: ast.Runbook,
        pipeline: ast.Pipeline,
        references_resolve: bool,
    ):
        self.model = model
        self.book = runbook.name
        self.pipeline = pipeline
        self.phases = pipeline.phase
        self.index: dict[str, int] = {}
        self.complete = bool(self.phases)
        for i, phase in enumerate(self.phases):
            name = phase.ident
            if not name or name in self.index or name in RESERVED:
                self.complete = False
            self.index.setdefault(name, i)
        self.edges: list[Edge] = []
        self.unresolved: list[Unresolved] = []
        self.complete = self.complete and references_resolve

    def build(self) -> PhaseGraph:
        for i, phase in enumerate(self.phases):
            self._success(i, phase)
            self._failure(i, phase)
            self._exhaust(i, phase)
        return PhaseGraph(
            runbook=self.book,
            pipeline=self.pipeline,
            index=self.index,
            edges=tuple(self.edges),
            unresolved=tuple(self.unresolved),
            complete=self.complete and not self.unresolved,
        )

    # -- targets ---------------------------------------------------------------------------

    def _target(self, name: str) -> int | str | None:
        if name in self.index:
            return self.index[name]
        return name if name in TERMINALS else None

    def _edge(self, i: int, name: str, field: str, span: Span, runbook: str) -> int | str | None:
        target = self._target(name)
        if target is None:
            return None
        self.edges.append(Edge(i, target, field, span, runbook))
        return target

    def _written(self, phase: ast.Phase, field: str) -> bool:
        return field in phase.table.entries

    # -- success edge ----------------------------------------------------------------------

    def _success(self, i: int, phase: ast.Phase) -> None:
        name = phase.ident
        if name in TERMINALS:
            self.edges.append(Edge(i, name, "implicit", _name_span(phase), self.book))
            return
        if self._written(phase, "next"):
            if not isinstance(phase.next, TString):
                self.complete = False
                return
            if self._edge(i, phase.next.value, "next", phase.next.span, self.book) is None:
                self.unresolved.append(
                    Unresolved(phase.next.value, "next", phase.next.span, self.book, i)
                )
            return
        target = self._default_next(i)
        self.edges.append(Edge(i, target, "implicit", _name_span(phase), self.book))

    def _following(self, i: int) -> int | str:
        return i + 1 if i + 1 < len(self.phases) else "done"

    def _default_next(self, i: int) -> int | str:
        if self.phases[i].ident != "blocked":
            return self._following(i)
        # §6.2: the phase the run was about to enter when the gate closed.
        about: int | str = 0
        init = self.index.get("init")
        if init is not None:
            about = self._explicit_next(init)
        return self._following(i) if about == i else about

    def _explicit_next(self, i: int) -> int | str:
        phase = self.phases[i]
        if isinstance(phase.next, TString):
            target = self._target(phase.next.value)
            if target is not None:
                return target
        return self._following(i)

    # -- failure edges ---------------------------------------------------------------------

    def _failure(self, i: int, phase: ast.Phase) -> None:
        if not self._written(phase, "on_fail"):
            return
        on_fail = phase.on_fail
        if not isinstance(on_fail, Parsed) or on_fail.ast is None:
            self.complete = False
            return
        node = on_fail.node
        value = on_fail.ast
        if isinstance(value, PhaseTarget):
            if self._edge(i, value.name, "on_fail", node.span, self.book) is None:
                self.unresolved.append(Unresolved(value.name, "on_fail", node.span, self.book, i))
        elif isinstance(value, FailRun):
            self.edges.append(Edge(i, "failed", "on_fail", node.span, self.book))
        elif isinstance(value, StrategyRef):
            span = node.source_map.span(value.ref_start, value.ref_end)
            target = resolved(self.model, Ref(value.ref, span, node), "strategy", self.book)
            if target is not None:
                self._strategy_exhaust(i, target, span, recovery=True)

    def _exhaust(self, i: int, phase: ast.Phase) -> None:
        ref = phase.strategy
        target = resolved(self.model, ref, "strategy", self.book)
        if ref is not None and target is not None:
            self._strategy_exhaust(i, target, ref.span, recovery=False)

    def _strategy_exhaust(self, i: int, target: Target, use: Span, *, recovery: bool) -> None:
        """Edges of the strategy's `on_exhaust` used by phase `i` at `use`; they are written
        in the strategy when it is in this runbook, else located at the use."""
        strategy = target.node
        assert isinstance(strategy, ast.Strategy)
        value = strategy.on_exhaust
        if value is None:
            if "on_exhaust" in strategy.table.entries:
                self.complete = False
            elif recovery:
                self.edges.append(Edge(i, "failed", "on_exhaust", use, self.book))
            return
        span = value.span if target.runbook == self.book else use
        word = value.value
        if word == "escalate":
            return
        if word == "fail":
            if recovery:
                self.edges.append(Edge(i, "failed", "on_exhaust", span, self.book))
            return
        if self._edge(i, word, "on_exhaust", span, self.book) is None:
            self.unresolved.append(
                Unresolved(word, "on_exhaust", value.span, target.runbook, i, strategy=target)
            )


def _name_span(phase: ast.Phase) -> Span:
    return phase.name.span if phase.name is not None else phase.span


def components(graph: PhaseGraph, nodes: set[int]) -> list[list[int]]:
    """Strongly connected sets of `nodes` that hold a cycle (two phases, or a self-loop),
    each sorted in file order, ordered by their earliest phase."""
    reach = {i: graph.reachable(graph.successors(i)) for i in nodes}
    out: list[list[int]] = []
    done: set[int] = set()
    for i in sorted(nodes):
        if i in done or i not in reach[i]:
            continue
        group = sorted(j for j in nodes if j in reach[i] and i in reach[j])
        done.update(group)
        out.append(group)
    return out


def path_within(graph: PhaseGraph, start: int, end: int, allowed: set[int]) -> list[int]:
    """A shortest path of phases from `start` to `end` inside `allowed` (both ends included)."""
    previous: dict[int, int | None] = {start: None}
    queue = [start]
    while queue:
        i = queue.pop(0)
        if i == end:
            break
        for j in graph.successors(i):
            if j in allowed and j not in previous:
                previous[j] = i
                queue.append(j)
    path = [end]
    step = previous.get(end)
    while step is not None:
        path.append(step)
        step = previous[step]
    return path[::-1]
