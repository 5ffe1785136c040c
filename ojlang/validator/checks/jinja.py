"""Jinja prompts (LANGUAGE.md §4.2): a task's `prompt`, `prompt_file` and `context_template` in,
OJ301, OJ302, OJ306, OJ308, OJ309, OJ310 and OJ312 out (through the template checker).

Theory of operation. Each source is analysed once (`ojlang.validator.jinja_source`): a syntax
error is OJ308, an unknown filter OJ306, a missing file or include OJ309. Per use-site scope,
undeclared roots must be in scope (OJ301), `Getattr`/`Getitem` chains on roots with known
fields are checked like interpolation paths (OJ302, OJ312; method calls are left alone), and
`{x}` in plain text with `x` in scope is OJ310. jinja2 itself is imported only for texts
outside the subset of `jinja_lite` (see `jinja_source`).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ojlang.parser import ast
from ojlang.parser import interpolation as ip
from ojlang.parser.mini import close_match, suggestion
from ojlang.parser.tomltree import TString
from ojlang.project import display_path
from ojlang.validator.diagnostic import Applicability, Edit, Fix, diag
from ojlang.validator.jinja_source import (
    BRACE,
    FILTER_NAMES,
    Source,
    line_start,
    segment_token,
    syntax_error,
)
from ojlang.validator.vartypes import walk_path

if TYPE_CHECKING:
    from ojlang.validator.checks.templates import Checker
    from ojlang.validator.scoped_fields import Field
    from ojlang.validator.scopes import Scope


# -- entry point ----------------------------------------------------------------------------------


def check_task(checker: Checker, field: Field) -> None:
    task = field.value
    assert isinstance(task, ast.Task)
    sources: list[Source] = []
    runbook_dir = checker.runbook_dir(field.runbook)
    if task.prompt is not None:
        sources.append(Source(task.prompt.value, "prompt", runbook_dir, node=task.prompt))
    for node, what, kind in (
        (task.prompt_file, "prompt file", "prompt"),
        (task.context_template, "context template", "template"),
    ):
        if node is None:
            continue
        source = _load(checker, field, node, what, kind, runbook_dir)
        if source is None:
            _opaque(checker, field)
        else:
            sources.append(source)
    for source in sources:
        _syntax(checker, field, source)
        if source.broken:
            _opaque(checker, field)
            continue
        for use in field.uses:
            _scoped(checker, field, source, checker.build(use.parts), use.note)


def _opaque(checker: Checker, field: Field) -> None:
    for use in field.uses:
        if use.parts.pipeline is not None:
            checker.opaque.add(use.parts.pipeline)


# -- files (OJ309) --------------------------------------------------------------------------------


def _load(
    checker: Checker, field: Field, node: TString, what: str, kind: str, runbook_dir: Path
) -> Source | None:
    root = checker.ctx.root
    name = node.value
    for base in (runbook_dir, root):
        path = base / name
        if path.is_file():
            try:
                text = path.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                continue
            return Source(text, kind, path.parent, display=display_path(path, root))
    shown = display_path(runbook_dir, root)
    where = "the project root" if shown == "." else f"`{shown}/` and the project root"
    candidates: list[str] = []
    folder = posixpath.dirname(name)
    for base in (runbook_dir, root):
        directory = base / folder
        if directory.is_dir():
            candidates += [
                posixpath.join(folder, p.name)
                for p in sorted(directory.iterdir())
                if p.is_file() and posixpath.join(folder, p.name) not in candidates
            ]
    best = close_match(name, candidates)
    checker.emit(
        diag(
            "OJ309",
            f"{what} `{name}` not found",
            node.span,
            "no such file",
            notes=(f"looked in {where}",),
            help=f"a file with a similar name exists: `{best}`" if best else None,
        ),
        field.runbook,
    )
    return None


# -- syntax (OJ308, OJ306, OJ309 for includes) ----------------------------------------------------


def _syntax(checker: Checker, field: Field, source: Source) -> None:
    analysis = source.analysis
    for name, line in analysis.unknown.items():
        token = source.find(line, name)
        col, length = (token.col, len(name)) if token else line_start(source, line)
        checker.emit(
            diag(
                "OJ306",
                f"unknown filter `{name}`",
                source.span(line, col, length),
                "not a filter",
                help=suggestion(name, FILTER_NAMES, "filter"),
            ),
            field.runbook,
        )
    if analysis.error is not None:
        source.broken = True
        checker.emit(syntax_error(source, analysis.error), field.runbook)
        return
    for name, line in analysis.loads:
        _include(checker, field, source, line, name)


def _include(checker: Checker, field: Field, source: Source, line: int, name: str) -> None:
    normal = posixpath.normpath(name)
    inside = not (normal.startswith("../") or normal == ".." or posixpath.isabs(normal))
    if inside and (source.directory / normal).is_file():
        return
    token = next(
        (t for t in source.tokens() if t.line == line and t.kind == "string" and name in t.value),
        None,
    )
    col, length = (token.col, len(token.value)) if token else line_start(source, line)
    folder = display_path(source.directory, checker.ctx.root)
    note = (
        f"templates are looked up in `{folder}/` and may not leave it"
        if folder != "."
        else "templates are looked up in the project root and may not leave it"
    )
    checker.emit(
        diag(
            "OJ309",
            f"template `{name}` not found",
            source.span(line, col, length),
            "no such template" if inside else "outside the template directory",
            notes=(note,),
        ),
        field.runbook,
    )
    source.broken = True


# -- per scope (OJ301, OJ302, OJ312, OJ310) -------------------------------------------------------


def _scoped(checker: Checker, field: Field, source: Source, scope: Scope, note: str) -> None:
    analysis = source.analysis
    for root, lines in analysis.roots.items():
        if root in scope.names or scope.dynamic:
            continue
        line = min(lines)
        token = source.find(line, root)
        col = token.col if token else line_start(source, line)[0]
        span = source.span(line, col, len(root))
        checker.undefined(scope, note, root, span, len(lines), field.runbook)
    for root, segments, line in analysis.chains:
        _chain(checker, field, source, scope, root, segments, line)
    braces = _single_braces(checker, field, source, scope) if BRACE.search(source.text) else []
    checker.read(scope, [*analysis.roots, *braces], field)


def _chain(
    checker: Checker,
    field: Field,
    source: Source,
    scope: Scope,
    root: str,
    segments: list[Any],
    line: int,
) -> None:
    kind = scope.type_of(root)
    if kind is None:
        return
    _, issue = walk_path(root, kind, segments)
    if issue is None:
        return
    token = segment_token(source, line, segments[issue.index]) or source.find(line, root)
    if token is None:
        col, length = line_start(source, line)
    else:
        col, length = token.col, len(token.value)
    checker.issue(issue, source.span(line, col, length), field.runbook)


def _single_braces(checker: Checker, field: Field, source: Source, scope: Scope) -> list[str]:
    """OJ310 for `{x}` in plain text with `x` in scope; the roots found."""
    roots: list[str] = []
    in_raw = False
    for token in source.tokens():
        if token.kind in ("raw_begin", "raw_end"):
            in_raw = token.kind == "raw_begin"
        if token.kind != "data" or in_raw or "{" not in token.value:
            continue
        for interp in ip.scan_template(token.value).interps:
            root = interp.path.root.text
            if root not in scope.names:
                continue
            roots.append(root)
            before = token.value[: interp.start]
            line = token.line + before.count("\n")
            col = (token.col + len(before)) if "\n" not in before else len(before.rsplit("\n")[1])
            text = token.value[interp.start : interp.end]
            span = source.span(line, col, len(text))
            inner = re.sub(r"\s*\|\s*", " | ", text[1:-1])
            fixed = "{{ " + inner + " }}"
            fix = None
            if source.node is not None:
                fix = Fix(Applicability.UNSAFE, f"write `{fixed}`", (Edit(span, fixed),))
            checker.emit(
                diag(
                    "OJ310",
                    f"`{text}` is literal text in a Jinja {source.what}",
                    span,
                    "plain text in Jinja",
                    help=f"write `{fixed}`",
                    fix=fix,
                ),
                field.runbook,
            )
    return roots
