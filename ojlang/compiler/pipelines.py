"""A pipeline AST -> `graph.Pipeline`: phases with resolved edges (LANGUAGE.md §6.1), on_fail
(§4.6), and defaults in dependency order (§5.4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ojlang.compiler.templates import compile_tmpl, template_or_literal
from ojlang.parser import ast, onfail
from ojlang.parser.fields import Tmpl
from ojlang.parser.tomltree import TBool, TString
from ojlang.runtime.core import graph

if TYPE_CHECKING:
    from ojlang.compiler.primitives import Compiler

TERMINALS = ("done", "failed")


def edge(pipeline: ast.Pipeline, name: str) -> graph.Edge:
    """A named target: a phase of the pipeline if it has one, else a terminal."""
    if any(p.ident == name for p in pipeline.phase):
        return graph.Edge(phase=name)
    if name in TERMINALS:
        return graph.Edge(terminal=name)
    from ojlang.compiler.primitives import CompileError

    raise CompileError(f"undefined phase `{name}` in pipeline `{pipeline.ident}`")


def success_edge(pipeline: ast.Pipeline, index: int) -> graph.Edge:
    phase = pipeline.phase[index]
    if phase.next is not None:
        return edge(pipeline, phase.next.value)
    if phase.ident in TERMINALS:
        return graph.Edge(terminal=phase.ident)
    if phase.ident == "blocked":
        return graph.Edge()  # the phase the run was about to enter (§6.2)
    if index + 1 < len(pipeline.phase):
        return graph.Edge(phase=pipeline.phase[index + 1].ident)
    return graph.Edge(terminal="done")


def on_fail(
    c: Compiler, book: ast.Runbook, pipeline: ast.Pipeline, phase: ast.Phase
) -> graph.OnFail:
    if phase.on_fail is None or phase.on_fail.ast is None:
        return graph.OnFail()
    parsed = phase.on_fail.ast
    if isinstance(parsed, onfail.Escalate):
        return graph.OnFail("escalate")
    if isinstance(parsed, onfail.FailRun):
        return graph.OnFail("fail")
    if isinstance(parsed, onfail.Retry):
        return graph.OnFail("retry", count=parsed.count, delay_us=parsed.delay_ms * 1000)
    if isinstance(parsed, onfail.StrategyRef):
        from ojlang.parser.fields import Ref

        node = phase.on_fail.node
        ref = Ref(parsed.ref, node.source_map.span(parsed.ref_start, parsed.ref_end), node)
        return graph.OnFail("strategy", strategy=c.key(ref, ("strategy",), book.name)[1])
    assert isinstance(parsed, onfail.PhaseTarget)
    return graph.OnFail("goto", target=edge(pipeline, parsed.name))


def defaults(node: ast.Pipeline) -> tuple[dict[str, graph.DefaultValue], tuple[str, ...]]:
    """Compiled defaults and their evaluation order: dependencies first, ties in file order."""
    values: dict[str, graph.DefaultValue] = {}
    deps: dict[str, set[str]] = {}
    if node.defaults is None:
        return values, ()
    for entry in node.defaults.entries:
        name = entry.key.name
        if isinstance(entry.value, Tmpl):
            values[name] = graph.DefaultValue(template=compile_tmpl(entry.value))
            deps[name] = {i.path.root.text for i in entry.value.template.interps}
        else:
            values[name] = graph.DefaultValue(literal=template_or_literal(entry.value))
            deps[name] = set()
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order or name in visiting:
            return  # a cycle is OJ304; the checker refuses such a project
        visiting.add(name)
        for dep in sorted(deps[name] & values.keys(), key=list(values).index):
            visit(dep)
        visiting.discard(name)
        order.append(name)

    for name in values:
        visit(name)
    return values, tuple(order)


def compile_pipeline(c: Compiler, book: ast.Runbook, node: ast.Pipeline) -> graph.Pipeline:
    from ojlang.compiler.primitives import _opt_int, _us

    phases = []
    for index, phase in enumerate(node.phase):
        action = "none"
        if phase.run is not None:
            action = "run"
        elif phase.task is not None:
            action = "task"
        elif phase.strategy is not None:
            action = "strategy"
        phases.append(
            graph.Phase(
                name=phase.ident,
                action=action,
                run=compile_tmpl(phase.run),
                task=c.ref(phase.task, "task", book.name),
                strategy=c.ref(phase.strategy, "strategy", book.name),
                pre=tuple(c.key(r, ("guard",), book.name)[1] for r in phase.pre),
                post=tuple(c.key(r, ("guard",), book.name)[1] for r in phase.post),
                lock=c.ref(phase.lock, "lock", book.name),
                semaphore=c.ref(phase.semaphore, "semaphore", book.name),
                next=success_edge(node, index),
                on_fail=on_fail(c, book, node, phase),
                timeout_us=_us(phase.timeout),
                cwd=compile_tmpl(phase.cwd),
                max_visits=_opt_int(phase.max_visits),
            )
        )
    values, order = defaults(node)
    notify = None
    if isinstance(node.notify, TBool):
        notify = graph.PipelineNotify(muted=True)
    elif isinstance(node.notify, ast.PipelineNotify):
        n = node.notify
        notify = graph.PipelineNotify(
            on_start=compile_tmpl(n.on_start),
            on_done=compile_tmpl(n.on_done),
            on_fail=compile_tmpl(n.on_fail),
            on_escalate=compile_tmpl(n.on_escalate),
        )
    return graph.Pipeline(
        name=node.ident,
        runbook=book.name,
        phases=tuple(phases),
        inputs=tuple(i.value for i in node.inputs),
        defaults=values,
        defaults_order=order,
        outputs=tuple(o.value for o in node.outputs),
        worktree=isinstance(node.worktree, TBool) and node.worktree.value,
        concurrency=_opt_int(node.concurrency),
        group=compile_tmpl(node.group),
        group_policy=node.group_policy.value if isinstance(node.group_policy, TString) else "queue",
        notify=notify,
    )
