"""The core imports nothing that does I/O or reads time or randomness (RUNTIME.md §1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).parents[1] / "ojlang" / "runtime" / "core"
FORBIDDEN = {
    "subprocess",
    "sqlite3",
    "socket",
    "threading",
    "asyncio",
    "os",
    "time",
    "random",
    "uuid",
    "secrets",
    "libtmux",
    "git",
    "shutil",
    "tempfile",
    "multiprocessing",
    "pathlib",
    "urllib",
    "http",
}
CLOCK_CALLS = {"now", "utcnow", "today", "time", "time_ns", "monotonic", "monotonic_ns"}


def imports_of(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names]
    return found


def problems(tree: ast.AST) -> list[str]:
    out = []
    for name in imports_of(tree):
        root = name.split(".")[0]
        if root in FORBIDDEN:
            out.append(f"imports `{name}`")
        if root == "ojlang" and not name.startswith("ojlang.runtime.core"):
            out.append(f"imports `{name}` outside the core")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        func = node.func
        if func.attr in CLOCK_CALLS and isinstance(func.value, ast.Name | ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else func.value.attr
            if owner in ("datetime", "date", "time", "dt"):
                out.append(f"calls `{owner}.{func.attr}()`")
    return out


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_is_pure(path: Path) -> None:
    assert problems(ast.parse(path.read_text())) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import os", ["imports `os`"]),
        ("import subprocess as sp", ["imports `subprocess`"]),
        ("from time import time", ["imports `time`", "imports `time.time`"]),
        (
            "from ojlang.runtime.engine import loop",
            [
                "imports `ojlang.runtime.engine` outside the core",
                "imports `ojlang.runtime.engine.loop` outside the core",
            ],
        ),
        ("import datetime\ndatetime.datetime.now()", ["calls `datetime.now()`"]),
        ("import datetime as dt\ndt.date.today()", ["calls `date.today()`"]),
        ("from ojlang.runtime.core import graph", []),
        ("import json\njson.dumps({})", []),
    ],
)
def test_checker_flags_impure_code(source: str, expected: list[str]) -> None:
    assert problems(ast.parse(source)) == expected


def test_clock_lives_outside_the_core() -> None:
    assert not (CORE / "clock.py").exists()
    assert (CORE.parent / "clock.py").exists()
