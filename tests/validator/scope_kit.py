"""Helpers for the scope and template-check tests: runbook texts in, models or findings out."""

from __future__ import annotations

from pathlib import Path

from ojlang.loader import load_text
from ojlang.project import Origin, RunbookFile
from ojlang.validator.checks import CheckContext
from ojlang.validator.diagnostic import Diagnostic
from ojlang.validator.model import ProjectModel

ROOT = Path("/project")


def model_of(**runbooks: str) -> ProjectModel:
    """A project of in-memory runbooks (name -> TOML text), all reported."""
    loaded = []
    for name, text in runbooks.items():
        file = RunbookFile(
            ROOT / "runbooks" / f"{name}.toml", f"runbooks/{name}.toml", Origin.PROJECT
        )
        loaded.append(load_text(text.encode(), file))
    return ProjectModel(loaded, set(runbooks))


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def templates(root: Path, files: dict[str, str]) -> list[Diagnostic]:
    """The template family's findings on a project laid out under `root`."""
    from ojlang.api import check
    from ojlang.validator import checks
    from ojlang.validator.checker import CheckOptions

    write(root, files)
    saved = checks.FAMILIES
    checks.FAMILIES = ("templates",)
    try:
        report = check(cwd=root, options=CheckOptions(shellcheck=False))
    finally:
        checks.FAMILIES = saved
    return [d for d in report.diagnostics if d.code.startswith("OJ3") or d.code in FAMILY_CODES]


FAMILY_CODES = ("OJ201", "OJ415", "OJ416", "OJ419")


def found(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in diagnostics]


def run_family(model: ProjectModel, root: Path = ROOT) -> list[Diagnostic]:
    from ojlang.validator.checks import templates as family

    return list(family.check(model, CheckContext(root=root, shellcheck=False)))
