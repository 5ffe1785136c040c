"""Semantic check families (LANGUAGE.md §7.3–§7.7): project model in, diagnostics out.

Each family is one module with `check(model, ctx) -> Iterable[Diagnostic]`; `FAMILIES` lists
them in the order they run. Families read the model and the reference resolution, never
report on another family's behalf, and skip what an earlier diagnostic already explains
(unresolved references, strings with syntax errors) so one root cause gives one diagnostic.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from ojlang import rec
from ojlang.validator.diagnostic import Diagnostic
from ojlang.validator.model import ProjectModel

FAMILIES: tuple[str, ...] = (
    "references",
    "graph",
    "resources",
    "style",
    "shell",
    "security",
    "templates",
)


@rec.frozen
class CheckContext:
    """What checks may know besides the runbooks: the project root and the options."""

    root: Path
    shellcheck: bool = True


class Family(Protocol):
    def check(self, model: ProjectModel, ctx: CheckContext) -> Iterable[Diagnostic]: ...


def run_families(model: ProjectModel, ctx: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for name in FAMILIES:
        module = importlib.import_module(f"ojlang.validator.checks.{name}")
        found.extend(module.check(model, ctx))
    return found
