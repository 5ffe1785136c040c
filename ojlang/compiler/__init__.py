"""The compiler: a checked project (runbook ASTs + references) in, the frozen runtime `Graph` out.

It applies the defaults of LANGUAGE.md §3, resolves every reference to a graph key
(`RUNBOOK.NAME` for per-runbook kinds, the bare name for the shared kinds of §1.3), turns
durations into microseconds, chains into words, templates into compiled templates with shell
contexts, expressions into evaluator nodes and edges into phase/terminal targets. The input
must be free of errors (`oj check` clean); otherwise `CompileError` names the first problem.
"""

from __future__ import annotations

from pathlib import Path

from ojlang.compiler.primitives import CompileError, Compiler
from ojlang.runtime.core import graph
from ojlang.validator.model import ProjectModel

__all__ = ["CompileError", "compile_project"]


def compile_project(
    model: ProjectModel, *, root: Path, settings: graph.Settings | None = None
) -> graph.Graph:
    """Compile every runbook of `model` (the project in discovery order) into one Graph."""
    return Compiler(model, root, settings).compile()
