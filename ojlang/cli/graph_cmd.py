"""`oj graph TARGET [--mermaid|--dot|--format F] [--live RUN]` (RUNTIME.md §10): a pipeline (or a
task, as its one-phase pipeline) of the project's compiled runbooks in; a Mermaid flowchart or a
Graphviz digraph of its phases out. Pure: no daemon, unless `--live`.

Nodes are phases, labelled with their action (`task planner`, `run`, `strategy land`), lock,
semaphore, pre/post guards (with their retry bounds) and timeout; `start`, `done` and `failed`
are terminals, and `escalate` collects phases whose failure asks a human. Edges: `next` (solid),
`on_fail` (dashed, labelled `retry ×N`, `goto`, `fail`, `escalate`, `strategy …`), a
strategy's `on_exhaust`, and the `blocked` gate between `init` and the phase after it.
`--live RUN` asks the daemon where the run is: its current phase is highlighted and every
phase shows its visit count.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ojlang.cli import common as c
from ojlang.runtime.core import graph as g


def resolve(graph: g.Graph, text: str) -> str:
    """A pipeline key from `RUNBOOK.PIPELINE`, `RUNBOOK.pipeline.NAME`, a bare name or a
    runbook with one pipeline (tasks count as their implicit pipelines)."""
    from ojlang.parser.mini import suggestion

    pipelines = graph.pipelines
    parts = text.split(".")
    if len(parts) == 3 and parts[1] in ("pipeline", "task"):
        text = f"{parts[0]}.{parts[2]}"
    if text in pipelines:
        return text
    bare = [k for k in pipelines if k.rpartition(".")[2] == text]
    if len(bare) == 1:
        return bare[0]
    own = [k for k in pipelines if k.partition(".")[0] == text]
    if len(own) == 1:
        return own[0]
    if len(bare) > 1 or len(own) > 1:
        raise c.Usage(
            f"`{text}` names several pipelines", "name one: " + ", ".join(sorted(bare or own))
        )
    raise c.Usage(f"unknown pipeline `{text}`", suggestion(text, sorted(pipelines), "pipeline"))


def _short(key: str) -> str:
    return key.rpartition(".")[2]


def _ms(us: int) -> str:
    return c.span(us / 1_000_000)


def _guards(graph: g.Graph, keys: tuple[str, ...]) -> str:
    out = []
    for key in keys:
        guard = graph.guards.get(key)
        bound = f" ≤{guard.retry_max}" if guard is not None and guard.retry_max else ""
        out.append(f"{_short(key)}{bound}")
    return ", ".join(out)


def label_lines(graph: g.Graph, phase: g.Phase, visits: int | None) -> list[str]:
    action = {
        "task": f"task {_short(phase.task or '')}",
        "strategy": f"strategy {_short(phase.strategy or '')}",
        "run": "run",
        "none": "gate" if phase.pre or phase.post else "no action",
    }.get(phase.action, phase.action)
    lines = [phase.name + (f" ×{visits}" if visits else ""), action]
    if phase.lock:
        lines.append(f"lock {phase.lock}")
    if phase.semaphore:
        lines.append(f"semaphore {phase.semaphore}")
    if phase.pre:
        lines.append(f"pre: {_guards(graph, phase.pre)}")
    if phase.post:
        lines.append(f"post: {_guards(graph, phase.post)}")
    if phase.timeout_us:
        lines.append(f"timeout {_ms(phase.timeout_us)}")
    if phase.max_visits:
        lines.append(f"max {phase.max_visits} visits")
    return lines


def edges(graph: g.Graph, pipe: g.Pipeline) -> list[tuple[str, str, str, bool]]:
    """(from, to, label, dashed) between phase names and the terminals."""
    out: list[tuple[str, str, str, bool]] = []
    if pipe.phases:
        out.append(("start", pipe.phases[0].name, "", False))

    def target(edge: g.Edge) -> str:
        return edge.phase or edge.terminal

    gate = pipe.phase("blocked") if pipe.has_phase("blocked") else None
    for phase in pipe.phases:
        nxt = target(phase.next)
        if gate is not None and phase.name == "init" and nxt:
            out.append(("init", "blocked", "pre guards wait", True))  # the gate of §L6.2
            if not target(gate.next):
                out.append(("blocked", nxt, "then", False))
        if nxt:
            out.append((phase.name, nxt, "", False))
        f = phase.on_fail
        if f.kind == "retry":
            out.append((phase.name, phase.name, f"retry ×{f.count}", True))
            out.append((phase.name, "escalate", "retries used up", True))
        elif f.kind == "goto":
            out.append((phase.name, target(f.target), "on_fail", True))
        elif f.kind == "fail":
            out.append((phase.name, "failed", "on_fail", True))
        elif f.kind == "strategy":
            strategy = graph.strategies.get(f.strategy)
            out.append((phase.name, phase.name, f"strategy {_short(f.strategy)}", True))
            if strategy is not None:
                end = {"fail": "failed", "escalate": "escalate"}.get(strategy.on_exhaust, "")
                end = end or target(strategy.on_exhaust_target)
                out.append((phase.name, end, "exhausted", True))
        else:
            out.append((phase.name, "escalate", "on_fail", True))
        if phase.action == "strategy" and phase.strategy in graph.strategies:
            strategy = graph.strategies[phase.strategy]
            end = {"fail": "failed", "escalate": "escalate"}.get(strategy.on_exhaust, "")
            end = end or target(strategy.on_exhaust_target)
            if end:
                out.append((phase.name, end, "exhausted", True))
    seen: set[tuple[str, str, str, bool]] = set()
    unique = []
    for e in out:
        if e not in seen and e[1]:
            seen.add(e)
            unique.append(e)
    return unique


def mermaid(graph: g.Graph, key: str, live: dict[str, Any] | None = None) -> str:
    pipe = graph.pipelines[key]
    visits = (live or {}).get("visits") or {}
    ids = {p.name: f"p{n}" for n, p in enumerate(pipe.phases)}
    ids.update(start="start", done="done", failed="failed", escalate="escalate")
    lines = ["flowchart TD", f"  %% pipeline {key}"]
    lines.append("  start((start))")
    for phase in pipe.phases:
        text = "<br/>".join(label_lines(graph, phase, visits.get(phase.name)))
        lines.append(f'  {ids[phase.name]}["{text.replace(chr(34), "#quot;")}"]')
    used = {b for _, b, _, _ in edges(graph, pipe)}
    for terminal, shape in (
        ("done", "((done))"),
        ("failed", "((failed))"),
        ("escalate", "{{escalate}}"),
    ):
        if terminal in used:
            lines.append(f"  {terminal}{shape}")
    for a, b, label, dashed in edges(graph, pipe):
        arrow = "-.->" if dashed else "-->"
        text = f"|{label}|" if label else ""
        lines.append(f"  {ids.get(a, a)} {arrow}{text} {ids.get(b, b)}")
    current = (live or {}).get("phase")
    if current in ids:
        lines.append("  classDef current stroke-width:3px,stroke:#d33")
        lines.append(f"  class {ids[current]} current")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(graph: g.Graph, key: str, live: dict[str, Any] | None = None) -> str:
    pipe = graph.pipelines[key]
    visits = (live or {}).get("visits") or {}
    current = (live or {}).get("phase")
    lines = [
        f'digraph "{_dot_text(key)}" {{',
        "  rankdir=TB;",
        '  node [shape=box, fontname="Helvetica"];',
    ]
    lines.append('  "start" [shape=circle, label="start"];')
    for phase in pipe.phases:
        text = "\\n".join(_dot_text(t) for t in label_lines(graph, phase, visits.get(phase.name)))
        extra = ', penwidth=3, color="#dd3333"' if phase.name == current else ""
        lines.append(f'  "{_dot_text(phase.name)}" [label="{text}"{extra}];')
    used = {b for _, b, _, _ in edges(graph, pipe)}
    for terminal, shape in (
        ("done", "doublecircle"),
        ("failed", "doublecircle"),
        ("escalate", "hexagon"),
    ):
        if terminal in used:
            lines.append(f'  "{terminal}" [shape={shape}];')
    for a, b, label, dashed in edges(graph, pipe):
        attrs_ = []
        if label:
            attrs_.append(f'label="{_dot_text(label)}"')
        if dashed:
            attrs_.append("style=dashed")
        suffix = f" [{', '.join(attrs_)}]" if attrs_ else ""
        lines.append(f'  "{_dot_text(a)}" -> "{_dot_text(b)}"{suffix};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def load(cwd: Path) -> g.Graph:
    from ojlang.errors import UsageError
    from ojlang.project import find_root
    from ojlang.run_api import RunRefused, check_or_refuse, compile_graph
    from ojlang.runtime.daemon.graphs import with_task_pipelines

    root = find_root(cwd)
    try:
        check_or_refuse(root)
        graph, _ = compile_graph(root)
    except RunRefused as refused:
        sys.stderr.write(refused.text)
        raise c.Usage(
            f"the runbooks have {refused.errors} error(s)", "`oj check` lists them"
        ) from None
    except UsageError as err:
        raise c.Usage(err.message, err.help) from None
    return with_task_pipelines(graph)


def graph_main(target: str, fmt: str, live_run: str | None, as_json: bool) -> int:
    def body() -> int:
        if fmt not in ("mermaid", "dot"):
            raise c.Usage(f"unknown format `{fmt}`", "use `mermaid` or `dot`")
        graph = load(Path.cwd())
        key = resolve(graph, target)
        live = c.request("graph.live", {"run": live_run}) if live_run else None
        if live is not None and live["pipeline"] != key:
            raise c.Usage(f"run `{live['run']}` is a run of `{live['pipeline']}`, not `{key}`")
        text = mermaid(graph, key, live) if fmt == "mermaid" else dot(graph, key, live)
        if c.json_wanted(as_json):
            c.emit_json("graph", {"pipeline": key, "format": fmt, "text": text, "live": live})
        else:
            sys.stdout.write(text)
        return 0

    return c.guarded(body)


def register(app: typer.Typer) -> None:
    @app.command("graph")
    def graph_cmd(
        target: Annotated[str, typer.Argument(help="a pipeline: RUNBOOK.PIPELINE or its name")],
        as_mermaid: Annotated[
            bool, typer.Option("--mermaid", help="Mermaid flowchart (default)")
        ] = False,
        as_dot: Annotated[bool, typer.Option("--dot", help="Graphviz digraph")] = False,
        fmt: Annotated[str | None, typer.Option("--format", help="mermaid or dot")] = None,
        live: Annotated[str | None, typer.Option("--live", help="mark where RUN is")] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="machine output (`oj.graph/1`)")
        ] = False,
    ) -> None:
        """Draw a pipeline's phases and edges (Mermaid or Graphviz)."""
        chosen = fmt or ("dot" if as_dot and not as_mermaid else "mermaid")
        raise typer.Exit(graph_main(target, chosen, live, as_json))
