"""Declared variables (LANGUAGE.md §5.4): the template checker's findings in, diagnostics about
declarations out — unused inputs (OJ303), default cycles (OJ304), reserved names (OJ305).

OJ303 trusts the roots the template checks saw each pipeline's fields read; a pipeline whose
reads are not all known (a reference that does not resolve, a Jinja prompt that does not
parse or is missing) gets no OJ303, since the unseen field may read the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ojlang.parser import ast
from ojlang.parser.fields import Tmpl
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import Key, TString
from ojlang.validator.diagnostic import Diagnostic, Label, diag
from ojlang.validator.scopes import BUILTIN_ORDER, REPLACEABLE

if TYPE_CHECKING:
    from ojlang.validator.checks.templates import Checker

# Builtins a pipeline variable would hide: every builtin of P and of the task, guard and
# strategy fields run in it (§5.2), except those a pipeline may replace (§1.5).
PIPELINE_RESERVED = frozenset(
    {
        "config",
        "env",
        "project",
        "runbook",
        "pipeline",
        "id",
        "phase",
        "attempt",
        "item",
        "strategy",
        "attempt_name",
        "checkpoint",
        "task",
        "session",
        "guard",
        "error",
    }
)
# §4.4 writes `<env>` in its valid argument specs: an argument `env` replaces the builtin in
# its command's `run` (as `name` does in pipelines); the other builtins stay reserved.
COMMAND_RESERVED = frozenset({"config", "project", "runbook", "args"})
TASK_RESERVED = (PIPELINE_RESERVED | set(REPLACEABLE)) - {"guard", "error"}
FUNCTION_RESERVED = frozenset({"config", "env"})


def declarations(checker: Checker) -> Iterator[Diagnostic]:
    for runbook in checker.model.iter_reported():
        for node in runbook.of("pipeline").values():
            assert isinstance(node, ast.Pipeline)
            yield from _reserved_pipeline(runbook.name, node)
            yield from _cycles(runbook.name, node)
            yield from _unused(checker, runbook, node)
        for node in runbook.of("command").values():
            assert isinstance(node, ast.Command)
            yield from _reserved_command(runbook.name, node)
        for node in runbook.of("task").values():
            assert isinstance(node, ast.Task)
            for var in node.vars:
                if var.name is not None and var.name.value in TASK_RESERVED:
                    yield _reserved(var.name.value, var.name.span, node.ident, runbook.name)
        for name, function in runbook.functions.items():
            reserved = set(FUNCTION_RESERVED)
            for use in checker.sm.function(runbook.name, name):
                reserved.update(n for n in use.parts.builtins if n in BUILTIN_ORDER)
            for param in function.params or ():
                if param.value in reserved:
                    yield _reserved(param.value, param.span, name, runbook.name)


# -- OJ305 ------------------------------------------------------------------------------------


def _reserved(name: str, span: Span, owner: str, runbook: str) -> Diagnostic:
    prefix = owner.replace("-", "_")
    return diag(
        "OJ305",
        f"`{name}` is a builtin variable and cannot be declared",
        span,
        "a builtin",
        help=f"rename it, e.g. `{prefix}_{name}`",
        runbook=runbook,
    )


def _reserved_pipeline(book: str, pipeline: ast.Pipeline) -> Iterator[Diagnostic]:
    declared: list[tuple[str, Span]] = [(n.value, n.span) for n in pipeline.inputs]
    if pipeline.defaults is not None:
        declared += [(e.key.name, e.key.span) for e in pipeline.defaults.entries]
    declared += [(n.value, n.span) for n in pipeline.outputs]
    for name, span in declared:
        if name in PIPELINE_RESERVED:
            yield _reserved(name, span, pipeline.ident, book)


def _reserved_command(book: str, command: ast.Command) -> Iterator[Diagnostic]:
    from ojlang.parser.argspec import ArgSpec

    if command.args is None or not isinstance(command.args.ast, ArgSpec):
        return
    for item in command.args.ast.items:
        if item.var in COMMAND_RESERVED:
            span = command.args.node.source_map.span(item.name_start, item.name_end)
            yield _reserved(item.var, span, command.ident, book)


# -- OJ304 ------------------------------------------------------------------------------------


def _cycles(book: str, pipeline: ast.Pipeline) -> Iterator[Diagnostic]:
    if pipeline.defaults is None:
        return
    keys: dict[str, Key] = {e.key.name: e.key for e in pipeline.defaults.entries}
    deps: dict[str, list[str]] = {}
    for entry in pipeline.defaults.entries:
        value = entry.value
        roots = (
            [i.path.root.text for i in value.template.interps] if isinstance(value, Tmpl) else []
        )
        deps[entry.key.name] = [r for r in dict.fromkeys(roots) if r in keys]
    done: set[str] = set()
    for start in keys:
        if start in done:
            continue
        cycle = _cycle_from(start, deps)
        if cycle is None:
            continue
        done.update(cycle)
        first = min(cycle, key=list(keys).index)
        turn = cycle.index(first)
        ordered = cycle[turn:] + cycle[:turn]
        names = " → ".join(f"`{n}`" for n in (*ordered, ordered[0]))
        labels = tuple(
            Label(keys[n].span, f"uses `{ordered[(i + 1) % len(ordered)]}`")
            for i, n in enumerate(ordered)
            if i > 0
        )
        nxt = ordered[1 % len(ordered)]
        yield diag(
            "OJ304",
            f"defaults form a cycle: {names}",
            keys[first].span,
            f"uses `{nxt}`",
            labels=labels,
            help="compute one of them from inputs only, so the others can follow",
            runbook=book,
        )


def _cycle_from(start: str, deps: dict[str, list[str]]) -> list[str] | None:
    """A cycle through `start` (following dependencies in file order), or None."""
    path: list[str] = []
    on_path: set[str] = set()
    seen: set[str] = set()

    def visit(name: str) -> list[str] | None:
        path.append(name)
        on_path.add(name)
        for dep in deps.get(name, ()):
            if dep == start:
                return list(path)
            if dep not in on_path and dep not in seen:
                found = visit(dep)
                if found is not None:
                    return found
        seen.add(name)
        path.pop()
        on_path.discard(name)
        return None

    return visit(start)


# -- OJ303 ------------------------------------------------------------------------------------


def _unused(checker: Checker, runbook: ast.Runbook, pipeline: ast.Pipeline) -> Iterator[Diagnostic]:
    key = (runbook.name, pipeline.ident)
    if not pipeline.inputs or key in checker.opaque or _has_unresolved(checker, runbook, pipeline):
        return
    reads = checker.reads.get(key, set()) | checker.hook_reads.get(runbook.name, set())
    for node in pipeline.inputs:
        name = node.value
        if name in reads or name in REPLACEABLE or name in PIPELINE_RESERVED:
            continue
        yield _unused_input(node, pipeline, runbook.name)


def _unused_input(node: TString, pipeline: ast.Pipeline, book: str) -> Diagnostic:
    return diag(
        "OJ303",
        f"input `{node.value}` is never used",
        node.span,
        f"not read by any field of pipeline `{pipeline.ident}`",
        help=f"remove it, or use it as `{{{node.value}}}`",
        runbook=book,
    )


def _has_unresolved(checker: Checker, runbook: ast.Runbook, pipeline: ast.Pipeline) -> bool:
    """Whether a reference reachable from the pipeline's phases does not resolve."""
    model = checker.model
    todo = [(runbook.name, "pipeline", pipeline.ident)]
    seen: set[tuple[str, str, str]] = set()
    while todo:
        owner = todo.pop()
        if owner in seen:
            continue
        seen.add(owner)
        book, kind, name = owner
        found = model.runbooks.get(book)
        if found is None:
            continue
        for site in checker.sm.owner_sites(found, kind, name):
            if site.kinds not in (("task",), ("strategy",), ("guard",)):
                continue
            target = model.resolve(site.ref, site.kinds, site.runbook).target
            if target is None:
                return True
            todo.append((target.runbook, target.kind, target.name))
    return False
