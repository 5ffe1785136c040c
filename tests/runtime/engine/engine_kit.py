"""Helpers of the engine tests: a project in a temp directory compiled to a graph, and an
engine over the fake adapters (real SQLite store in the temp directory)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ojlang.run_api import compile_graph
from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.adapters.interfaces import Adapters
from ojlang.runtime.core.graph import Graph
from ojlang.runtime.engine.loop import Engine
from ojlang.runtime.engine.settings import EngineSettings, load_settings

FAST = EngineSettings(poll_interval_s=0.05, idle_wait_s=0.05, probe_confirm_s=0.01)


def project(root: Path, runbooks: dict[str, str], config: str = "") -> Graph:
    for name, text in runbooks.items():
        path = root / "runbooks" / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if config:
        (root / ".oj").mkdir(exist_ok=True)
        (root / ".oj" / "config.toml").write_text(config)
    settings, _ = load_settings(root, env={})
    graph, _ = compile_graph(root, settings)
    return graph


@contextmanager
def running(
    root: Path, graph: Graph, adapters: Adapters | None = None, **kw: Any
) -> Iterator[Engine]:
    engine = Engine(root, graph, adapters or fake_adapters(root), settings=FAST, **kw)
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()


SHELLS = """
[pipeline.ship]
inputs = ["msg"]

[[pipeline.ship.phase]]
name = "one"
run = "echo {msg}"

[[pipeline.ship.phase]]
name = "two"
run = "echo two"
"""
