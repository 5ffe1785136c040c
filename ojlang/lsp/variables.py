"""A cursor inside a template, expression, pattern or prompt in, the variable under it out: its
scope at each use site (the checker's scopes, LANGUAGE.md §5.2), what it is and where it is
declared.

Only names inside an interpolation count in templates (`{name}`), so the word `name` in plain
shell text is not a variable; in Jinja prompts and expressions every identifier does.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from ojlang.lsp.analysis import Analysis
from ojlang.lsp.locate import word_at
from ojlang.lsp.positions import contains
from ojlang.parser import ast
from ojlang.parser.interpolation import Interp, Template
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import TTable
from ojlang.validator.scoped_fields import Field, collect
from ojlang.validator.scopes import Scope, ScopeModel
from ojlang.validator.vartypes import VType

# What each builtin variable holds (LANGUAGE.md §5.2).
BUILTINS = {
    "config": "the `[config]` table of the runbook that contains the field",
    "env": "the environment of the daemon (for `command.run`: of the caller)",
    "project": "the absolute project root",
    "runbook": "the name of the running pipeline's runbook (elsewhere: the field's runbook)",
    "name": "the run name: input/default `name` if declared, else `--name` of "
    "`oj pipeline start`, else the item's `id`, else 6 random hex digits",
    "id": "the run id: `PIPELINE-NAME`, made safe for paths",
    "pipeline": "the pipeline name (a task handler: the task name)",
    "workspace": "the absolute workspace path: the worktree when `worktree = true`, else the "
    "project root",
    "branch": "the branch: `oj/{id}` when `worktree = true`, else the project root's branch",
    "phase": "the current phase name",
    "attempt": "how many times the current phase has been entered in this run",
    "item": "the queue item (worker runs and queue fields)",
    "strategy": "the strategy name",
    "attempt_name": "the attempt name",
    "checkpoint": "the trimmed stdout of the strategy's `checkpoint`",
    "task": "the task name",
    "session": "the tmux session name of the task",
    "guard": "the guard name",
    "args": "the arguments of the command or action",
    "error": "the error of the failure",
    "record": "the record that triggered the watcher, scanner or action",
    "source": "the name of the trigger",
    "reason": "why the item died",
    "event": "the event: `name`, `subject`, `time`",
}


@attrs.frozen(eq=False)
class VariableHit:
    """A variable read at the cursor: `root` and the dotted `path` written there."""

    root: str
    path: str
    span: Span
    field: Field
    scopes: tuple[Scope, ...]

    @property
    def type(self) -> VType | None:
        for scope in self.scopes:
            found = scope.type_of(self.root)
            if found is not None:
                return found
        return None


def fields(analysis: Analysis) -> list[Field]:
    runbook = analysis.runbook
    if runbook is None:
        return []
    return collect(ScopeModel(analysis.model), runbook)


def variable_at(analysis: Analysis, line: int, col: int) -> VariableHit | None:
    from ojlang.lsp.locate import decoded_offset

    for field in fields(analysis):
        node = field.node
        if node is None or not contains(node.span, line, col):
            continue
        offset = decoded_offset(node, line, col)
        text = node.source_map.decoded
        if isinstance(field.value, Template) and not _inside_interp(field.value, offset):
            return None
        found = word_at(text, offset)
        if found is None:
            return None
        path, start, end = found
        scopes = tuple(use.parts.build() for use in field.uses)
        return VariableHit(
            path.split(".")[0], path, node.source_map.span(start, end), field, scopes
        )
    return None


def _inside_interp(template: Template, offset: int) -> bool:
    return any(
        isinstance(piece, Interp) and piece.start < offset < piece.end for piece in template.pieces
    )


def declaration(analysis: Analysis, hit: VariableHit) -> tuple[Path, Span] | None:
    """Where the variable (or the `config` key) under the cursor is declared."""
    runbook = analysis.runbook
    if runbook is None:
        return None
    here = analysis.file.path
    parts = hit.path.split(".")
    if hit.root == "config" and len(parts) > 1 and isinstance(runbook.config, TTable):
        entry = runbook.config.entries.get(parts[1])
        return (here, entry.key.span) if entry is not None else None
    for scope in hit.scopes:
        if scope.pipeline is None or hit.root not in scope.names:
            continue
        book, name = scope.pipeline
        owner = analysis.model.runbooks.get(book)
        pipeline = owner.of("pipeline").get(name) if owner is not None else None
        path = analysis.runbook_path(book)
        if isinstance(pipeline, ast.Pipeline) and path is not None:
            span = _pipeline_declaration(pipeline, hit.root)
            if span is not None:
                return path, span
    for command in runbook.of("command").values():
        assert isinstance(command, ast.Command)
        if command.run is not None and command.run.node is hit.field.node and command.args:
            spec = command.args.node
            pattern = re.escape(hit.root).replace("_", "[_-]")
            match = re.search(rf"(?<![A-Za-z0-9_-]){pattern}(?![A-Za-z0-9_-])", spec.value)
            if match is not None:
                return here, spec.source_map.span(match.start(), match.end())
    for task in runbook.of("task").values():
        assert isinstance(task, ast.Task)
        for var in task.vars:
            if var.name is not None and var.name.value == hit.root:
                return here, var.name.span
    for function in runbook.functions.values():
        for param in function.params or ():
            if param.value == hit.root and contains(function.span, hit.span.line, hit.span.col):
                return here, param.span
    return None


def _pipeline_declaration(pipeline: ast.Pipeline, name: str) -> Span | None:
    for node in pipeline.inputs:
        if node.value == name:
            return node.span
    for entry in pipeline.defaults.entries if pipeline.defaults else ():
        if entry.key.name == name:
            return entry.key.span
    for node in pipeline.outputs:
        if node.value == name:
            return node.span
    return None


def describe(analysis: Analysis, hit: VariableHit) -> str:
    """Markdown for hovering the variable."""
    vtype = hit.type
    kind = vtype.kind if vtype is not None else None
    head = f"`{hit.root}`" + (f": `{kind}`" if kind else "")
    lines = [f"**variable** {head}"]
    where = declaration(analysis, hit)
    if hit.root in BUILTINS and (where is None or hit.root == "config"):
        lines.append(BUILTINS[hit.root] + ".")
    elif where is not None:
        lines.append(_declared_as(analysis, hit))
    elif kind is None:
        lines.append("not in scope here" + (" (checked at run time)" if _dynamic(hit) else ""))
    if vtype is not None and vtype.fields:
        names = ", ".join(f"`{n}`" for n in list(vtype.fields)[:12])
        lines.append(f"fields: {names}")
    if len(hit.scopes) > 1:
        lines.append(f"checked at {len(hit.scopes)} use sites")
    return "\n\n".join(lines)


def _dynamic(hit: VariableHit) -> bool:
    return any(scope.dynamic for scope in hit.scopes)


def _declared_as(analysis: Analysis, hit: VariableHit) -> str:
    for scope in hit.scopes:
        if scope.pipeline is None:
            continue
        book, name = scope.pipeline
        owner = analysis.model.runbooks.get(book)
        pipeline = owner.of("pipeline").get(name) if owner is not None else None
        if not isinstance(pipeline, ast.Pipeline):
            continue
        if any(n.value == hit.root for n in pipeline.inputs):
            return f"input of pipeline `{name}`"
        if pipeline.defaults and any(e.key.name == hit.root for e in pipeline.defaults.entries):
            return f"default of pipeline `{name}`"
        if any(n.value == hit.root for n in pipeline.outputs):
            return f"output of pipeline `{name}`"
    return "declared in this runbook"
