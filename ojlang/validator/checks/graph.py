"""Pipeline graphs (LANGUAGE.md §6): project model in; OJ203 undefined phase targets and, on
pipelines whose edges and references all resolved, OJ501–OJ504 and OJ510 out.

Reachability starts at the first phase; `init` and `blocked` that no edge reaches get OJ503
and count as further starting points. A cycle (strongly connected phases with an edge) from
which no terminal is reachable is OJ504; otherwise it is OJ502 unless one of its phases has
`max_visits` or a guard. Both are reported once, at the edge that returns to the cycle's
earliest phase in file order.
"""

from __future__ import annotations

from collections.abc import Iterator

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser.mini import close_match, suggestion
from ojlang.parser.tomltree import TArray
from ojlang.validator.checks import CheckContext
from ojlang.validator.diagnostic import Diagnostic, diag
from ojlang.validator.model import ProjectModel
from ojlang.validator.phase_graph import (
    ENTRY_PHASES,
    TERMINALS,
    Edge,
    PhaseGraph,
    Unresolved,
    components,
    path_within,
    pipeline_graphs,
)

ON_FAIL_WORDS = ("escalate", "fail", "retry")
ON_EXHAUST_WORDS = ("fail", "escalate")
ON_FAIL_NOTE = (
    "`on_fail` takes a phase name, `escalate`, `fail`, `retry[:N[:DURATION]]` or `strategy:NAME`"
)
ON_EXHAUST_NOTE = "`on_exhaust` takes `fail`, `escalate` or a phase name of the using pipeline"


def check(model: ProjectModel, ctx: CheckContext) -> Iterator[Diagnostic]:
    seen: set[tuple[str, str, str]] = set()  # (strategy key, runbook, pipeline) for on_exhaust
    for (book, name), graph in pipeline_graphs(model).items():
        for missing in graph.unresolved:
            if missing.strategy is not None:
                key = (missing.strategy.key, book, name)
                if key in seen:
                    continue
                seen.add(key)
            yield _tag(_undefined(graph, missing), missing.runbook)
        if graph.complete:
            for d in (*_reachability(graph), *_cycles(graph), *_blocked(graph)):
                yield _tag(d, book)


def _tag(d: Diagnostic, runbook: str) -> Diagnostic:
    return rec.evolve(d, runbook=runbook)


# -- OJ203 -----------------------------------------------------------------------------------


def _undefined(graph: PhaseGraph, missing: Unresolved) -> Diagnostic:
    phases = list(dict.fromkeys([*graph.index, *TERMINALS]))
    pipeline = graph.pipeline.ident
    label = f"no phase with this name in pipeline `{pipeline}`"
    if missing.field == "next":
        return diag(
            "OJ203",
            f"undefined phase `{missing.name}`",
            missing.span,
            label,
            help=suggestion(missing.name, phases, "phase"),
        )
    if missing.field == "on_fail":
        return diag(
            "OJ203",
            f"undefined phase `{missing.name}` in `on_fail`",
            missing.span,
            "neither a phase nor a recovery",
            notes=(ON_FAIL_NOTE,),
            help=_word_or_phase(missing.name, phases, ON_FAIL_WORDS),
        )
    assert missing.strategy is not None
    user = graph.phases[missing.phase].ident
    return diag(
        "OJ203",
        f"undefined phase `{missing.name}` in `on_exhaust`",
        missing.span,
        label,
        notes=(
            f"strategy `{missing.strategy.name}` is used by phase `{user}` of pipeline "
            f"`{pipeline}`",
            ON_EXHAUST_NOTE,
        ),
        help=_word_or_phase(missing.name, phases, ON_EXHAUST_WORDS),
    )


def _word_or_phase(name: str, phases: list[str], words: tuple[str, ...]) -> str | None:
    best = close_match(name, [*phases, *words])
    if best is None:
        return suggestion(name, phases, "phase")
    kind = "phase" if best in phases else "value"
    return f"a {kind} with a similar name exists: `{best}`"


# -- OJ501, OJ503 ----------------------------------------------------------------------------


def _roots(graph: PhaseGraph) -> tuple[set[int], list[int]]:
    """Phases reachable from the first phase or an entry phase; the entry phases no edge
    reaches (OJ503)."""
    reachable = graph.reachable([0])
    entries = [i for name, i in graph.index.items() if name in ENTRY_PHASES and i not in reachable]
    return graph.reachable([0, *entries]), sorted(entries)


def _reachability(graph: PhaseGraph) -> Iterator[Diagnostic]:
    reachable, entries = _roots(graph)
    for i in entries:
        phase = graph.phases[i]
        assert phase.name is not None
        if phase.ident == "blocked":
            yield diag(
                "OJ503",
                "phase `blocked` is entered only through the dependency gate",
                phase.name.span,
                "no edge leads here",
                notes=("phases reached from it are not reported as unreachable",),
            )
        else:
            yield diag(
                "OJ503",
                "phase `init` is reached by no edge and is not the first phase",
                phase.name.span,
                "no edge leads here",
                notes=("phases reached from it are not reported as unreachable",),
                help="make `init` the first phase, or point a `next` at it",
            )
    for i, phase in enumerate(graph.phases):
        if i in reachable or phase.name is None:
            continue
        yield diag(
            "OJ501",
            f"phase `{phase.ident}` is unreachable",
            phase.name.span,
            "no path from the first phase leads here",
            help="point a `next` or `on_fail` at it, or remove it",
        )


# -- OJ502, OJ504 ----------------------------------------------------------------------------


def _cycles(graph: PhaseGraph) -> Iterator[Diagnostic]:
    reachable, _ = _roots(graph)
    exits = graph.reaches_terminal()
    for group in components(graph, reachable):
        members = set(group)
        first = group[0]
        edge = _returning_edge(graph, first, members)
        names = [graph.name(i) for i in group]
        if not members & exits:
            listed = ", ".join(f"`{n}`" for n in names)
            what = f"phase {listed}" if len(names) == 1 else f"phases {listed}"
            yield diag(
                "OJ504",
                f"no path leads from {what} to `done` or `failed`",
                edge.span,
                f"loops back to `{graph.name(first)}`",
                help="point a `next` or `on_fail` of one of them at a phase outside the loop, "
                "`done` or `failed`",
            )
            continue
        if any(_bounded(graph.phases[i]) for i in group):
            continue
        yield _unbounded(graph, group, edge)


def _bounded(phase: ast.Phase) -> bool:
    return phase.max_visits is not None or bool(phase.pre) or bool(phase.post)


def _returning_edge(graph: PhaseGraph, first: int, members: set[int]) -> Edge:
    """The edge from the loop back to its earliest phase; the last one written, if several."""
    back = [e for e in graph.edges if e.to_phase == first and e.source in members]
    return max(back, key=lambda e: (e.source, e.span.byte_start))


def _unbounded(graph: PhaseGraph, group: list[int], edge: Edge) -> Diagnostic:
    first = group[0]
    path = path_within(graph, first, edge.source, set(group))
    shown = " → ".join(f"`{graph.name(i)}`" for i in [*path, first])
    notes: tuple[str, ...] = ()
    others = [graph.name(i) for i in group if i not in path]
    if others:
        notes = ("the loop also runs through " + ", ".join(f"`{n}`" for n in others),)
    if len(group) == 1:
        message = f"phase `{graph.name(first)}` loops back to itself with no bound"
        help = f"set `max_visits` on phase `{graph.name(first)}`"
    else:
        message = f"phases {shown} form a loop with no bound"
        help = "set `max_visits` on one of them"
    return diag(
        "OJ502",
        message,
        edge.span,
        f"returns to `{graph.name(first)}`",
        notes=notes,
        help=help,
    )


# -- OJ510 -----------------------------------------------------------------------------------


def _blocked(graph: PhaseGraph) -> Iterator[Diagnostic]:
    i = graph.index.get("blocked")
    if i is None:
        return
    phase = graph.phases[i]
    written = phase.table.entries.get("pre")
    if phase.pre or phase.name is None:
        return
    if written is not None and not (isinstance(written.value, TArray) and not written.value.items):
        return  # a `pre` of the wrong type is reported by the schema checks
    yield diag(
        "OJ510",
        "phase `blocked` has no `pre` guards, so the gate always opens",
        phase.name.span,
        "gates nothing",
        help="list the guards the run must wait for in `pre`, or remove the phase",
    )
