"""Adapters see plain values only (RUNTIME.md §1): no module of `runtime/adapters` or of the
fake agent imports the core, the engine, the store, the daemon or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[3] / "ojlang"
FORBIDDEN = ("ojlang.runtime.core", "ojlang.runtime.engine", "ojlang.runtime.store")
FORBIDDEN += ("ojlang.runtime.daemon", "ojlang.cli")
MODULES = sorted([*PACKAGE.glob("runtime/adapters/*.py"), *PACKAGE.glob("fake_agent/*.py")])


def imported(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_core_or_engine_imports(path: Path) -> None:
    assert [n for n in imported(path) if n.startswith(FORBIDDEN)] == []


def test_the_modules_were_found() -> None:
    names = {p.name for p in MODULES}
    assert {"interfaces.py", "tmux.py", "git.py", "shell.py", "scenario.py"} <= names
