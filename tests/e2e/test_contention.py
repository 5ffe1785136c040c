"""Locks and semaphores under contention (RUNTIME.md §3.5–3.6), several runs in one engine:
two runs on one lock are strictly serialized; five agent runs on a semaphore of 2 never have
more than 2 agents alive at once (counted from the stored event log)."""

from __future__ import annotations

import time
from pathlib import Path

from e2e_kit import Project, agent, needs_tools

from ojlang.run_api import compile_graph
from ojlang.run_local import local_engine
from ojlang.runtime.core import inputs as i
from ojlang.runtime.engine.settings import load_settings

pytestmark = needs_tools

SLOW_DONE = """\
name = "slow-done"
[config]
startup_ms = 50
idle_notify_ms = 60000

[[responses]]
pattern = { type = "any" }
steps = [{ sleep_ms = 1200 }, { shell = "oj done" }]
"""


def start_runs(root: Path, pipeline: str, names: list[str], timeout: float) -> list[str]:
    """Start one run per name in one in-process engine; wait until all ended; their ids."""
    settings, _ = load_settings(root)
    graph, _ = compile_graph(root, settings)
    with local_engine(root, graph) as engine:
        replies = [engine.request(i.PipelineStart(pipeline, {"name": n})) for n in names]
        ids = [str(r.result["run"]) for r in replies]
        ended = engine.wait_for(lambda w: all(w.runs[r].terminal for r in ids), timeout)
        assert ended, {r: engine.world.runs[r].state for r in ids}
        assert all(engine.world.runs[r].state == "done" for r in ids)
        engine.quiet(5)
    return ids


def test_two_runs_on_one_lock_are_serialized(project: Project) -> None:
    project.runbook(
        "land",
        """
[lock.main_branch]

[pipeline.land]
inputs = ["name"]

[[pipeline.land.phase]]
name = "critical"
lock = "main_branch"
run = "echo start {name} >> lock.log; sleep 0.4; echo end {name} >> lock.log"
""",
    )
    start_runs(project.root, "land.land", ["a", "b"], 30)
    lines = (project.root / "lock.log").read_text().split()
    pairs = [" ".join(lines[k : k + 2]) for k in range(0, len(lines), 2)]
    assert pairs in (
        ["start a", "end a", "start b", "end b"],
        ["start b", "end b", "start a", "end a"],
    )
    events = [(n, p) for _, n, _, p in project.events() if n.startswith("lock:")]
    acquired = [p["token"] for n, p in events if n == "lock:acquired"]
    assert acquired == [1, 2]
    assert [n for n, _ in events].count("lock:denied") == 1


def test_semaphore_of_two_never_has_more_than_two_agents(project: Project) -> None:
    scenario = project.scenario("slow", SLOW_DONE)
    project.runbook(
        "fleet",
        f"""
[semaphore.agents]
max = 2

[task.work]
command = "{agent(scenario)}"
prompt = "work on {{{{ name }}}}"

[pipeline.fleet]
inputs = ["name"]

[[pipeline.fleet.phase]]
name = "work"
task = "work"
semaphore = "agents"
""",
    )
    started = time.monotonic()
    ids = start_runs(project.root, "fleet.fleet", [f"n{k}" for k in range(5)], 120)
    assert time.monotonic() - started < 120
    alive = peak = 0
    seen: set[str] = set()
    for _, name, _, payload in project.events():
        if name == "session:started":
            alive += 1
            peak = max(peak, alive)
        elif name in ("task:complete", "task:failed"):
            alive -= 1
            seen.add(payload["id"])
        elif name == "semaphore:acquired":
            assert payload["used"] <= 2
    assert peak == 2
    assert seen == set(ids)
