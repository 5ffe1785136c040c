"""A cursor in a runbook in, where the thing it names is defined out (go to definition).

Every reference site of LANGUAGE.md §1.4 resolves through the checker's `ProjectModel`, so a
bare name, `kind.name` and `runbook.kind.name` land where `oj check` says they point, across
runbooks. Phase names (`next`, `on_fail`, strategy `on_exhaust`) go to the phase, `prompt_file`
and `context_template` to the file, functions called in expressions to `[functions]`, and
variables to their declaration (inputs, defaults, outputs, arguments, task `vars`, `config`
keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ojlang.lsp.analysis import Analysis
from ojlang.lsp.locate import decoded_offset, word_at
from ojlang.lsp.positions import contains
from ojlang.lsp.variables import declaration, fields, variable_at
from ojlang.parser import ast
from ojlang.parser.fields import Parsed
from ojlang.parser.onfail import PhaseTarget
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import TString
from ojlang.validator.sites import sites

Target = tuple[Path, Span]
FILE_START = Span("", 1, 1, 1, 1, 0, 0)


def definition(analysis: Analysis, line: int, col: int) -> list[Target]:
    runbook = analysis.runbook
    if runbook is None:
        return []
    for finder in (_reference, _phase, _template_file, _function, _variable):
        found = finder(analysis, runbook, line, col)
        if found:
            return found
    return []


def _reference(analysis: Analysis, runbook: ast.Runbook, line: int, col: int) -> list[Target]:
    for site in sites(runbook):
        if not contains(site.ref.span, line, col):
            continue
        target = analysis.model.resolve(site.ref, site.kinds, runbook.name).target
        if target is None:
            return []
        path = analysis.runbook_path(target.runbook)
        return [] if path is None else [(path, target.node.key.span)]
    return []


def _phase_names(pipeline: ast.Pipeline, name: str) -> Iterator[Span]:
    for phase in pipeline.phase:
        if phase.name is not None and phase.name.value == name:
            yield phase.name.span


def _phase(analysis: Analysis, runbook: ast.Runbook, line: int, col: int) -> list[Target]:
    here = analysis.file.path
    pipelines = [p for p in runbook.of("pipeline").values() if isinstance(p, ast.Pipeline)]
    for pipeline in pipelines:
        for phase in pipeline.phase:
            name = _phase_target(phase, line, col)
            if name is not None:
                return [(here, span) for span in _phase_names(pipeline, name)]
    for strategy in runbook.of("strategy").values():
        assert isinstance(strategy, ast.Strategy)
        node = strategy.on_exhaust
        if node is not None and contains(node.span, line, col):
            return [(here, span) for p in pipelines for span in _phase_names(p, node.value)]
    return []


def _phase_target(phase: ast.Phase, line: int, col: int) -> str | None:
    if phase.next is not None and contains(phase.next.span, line, col):
        return phase.next.value
    on_fail = phase.on_fail
    if (
        isinstance(on_fail, Parsed)
        and contains(on_fail.node.span, line, col)
        and isinstance(on_fail.ast, PhaseTarget)
    ):
        return on_fail.ast.name
    return None


def _template_file(analysis: Analysis, runbook: ast.Runbook, line: int, col: int) -> list[Target]:
    for task in runbook.of("task").values():
        assert isinstance(task, ast.Task)
        for node in (task.prompt_file, task.context_template):
            if isinstance(node, TString) and contains(node.span, line, col):
                for base in (analysis.file.path.parent, analysis.root):
                    path = base / node.value
                    if path.is_file():
                        return [(path, FILE_START)]
    return []


def _function(analysis: Analysis, runbook: ast.Runbook, line: int, col: int) -> list[Target]:
    for field in fields(analysis):
        node = field.node
        if field.kind != "expression" or node is None or not contains(node.span, line, col):
            continue
        found = word_at(node.source_map.decoded, decoded_offset(node, line, col), extra="")
        if found is not None and found[0] in runbook.functions:
            return [(analysis.file.path, runbook.functions[found[0]].key.span)]
    return []


def _variable(analysis: Analysis, runbook: ast.Runbook, line: int, col: int) -> list[Target]:
    hit = variable_at(analysis, line, col)
    if hit is None:
        return []
    found = declaration(analysis, hit)
    return [found] if found is not None else []
