"""`blocked` entered by an ordinary edge (not through the gate) continues with the phase after
it in file order (LANGUAGE.md §6.2); compiled from a runbook and run in the simulator."""

from __future__ import annotations

from pathlib import Path

from ojlang.compiler import compile_project
from ojlang.loader import load_text
from ojlang.project import Origin, RunbookFile
from ojlang.runtime.core import inputs
from ojlang.runtime.core.simulate import simulate
from ojlang.runtime.core.world import initial_world
from ojlang.validator.model import ProjectModel

RUNBOOK = """
[pipeline.p]
[[pipeline.p.phase]]
name = "work"
run = "echo work"
next = "blocked"

[[pipeline.p.phase]]
name = "blocked"
pre = ["ready"]

[[pipeline.p.phase]]
name = "after"
run = "echo after"

[guard.ready]
condition = "true"
timeout = "1m"
"""


def test_blocked_entered_by_an_edge_goes_to_the_next_phase(tmp_path: Path) -> None:
    file = RunbookFile(tmp_path / "demo.toml", "runbooks/demo.toml", Origin.PROJECT)
    loaded = load_text(RUNBOOK.encode(), file)
    graph = compile_project(ProjectModel([loaded], {"demo"}), root=tmp_path)
    result = simulate(initial_world(graph), [(0, inputs.PipelineStart("demo.p"))])
    runs = list(result.world.runs.values())
    assert [r.state for r in runs] == ["done"]
    events = [e for step in result.trace for e in step.events]
    phases = [e.payload.get("phase") for e in events if e.name == "pipeline:phase"]
    assert phases == ["work", "blocked", "after"]
