"""Core throughput: the simulator drives 10,000 pipelines × 6 shell phases through `step`.

Reports inputs stepped per second (each input applies at least one state-machine transition),
events per second, and the ratio against a baseline measured in the same run: the cost of a
step that changes nothing (an ignored input). Median of 5 runs; target ≥ 50,000/s. The rate is
given in wall time and in CPU time of this process (`time.process_time`): on a loaded machine
the CPU figure is the one that says what a step costs.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Edge, Graph, Phase, Pipeline, Runbook, Template
from ojlang.runtime.core.simulate import simulate
from ojlang.runtime.core.world import initial_world, step

PIPELINES = 10_000
PHASES = 6
REPEAT = 5


def _graph() -> Graph:
    phases = tuple(
        Phase(
            f"s{k}",
            action="run",
            run=Template.literal(f"step {k}"),
            next=Edge(phase=f"s{k + 1}") if k < PHASES - 1 else Edge(terminal="done"),
        )
        for k in range(PHASES)
    )
    return Graph(runbooks={"rb": Runbook("rb")}, pipelines={"rb.p": Pipeline("p", "rb", phases)})


def _once(n: int) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, inputs stepped, events emitted."""
    world = initial_world(_graph())
    starts = [(k * 10, i.PipelineStart("rb.p", {}, f"n{k}")) for k in range(n)]
    t, c = time.perf_counter(), time.process_time()
    result = simulate(world, starts, record=False, max_steps=10**8)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - c
    done = sum(1 for r in result.world.runs.values() if r.state == "done")
    assert done == n, f"{done} of {n} runs done"
    return elapsed, cpu, result.steps, result.events


def _baseline(steps: int = 20_000) -> float:
    world = initial_world(_graph())
    t = time.perf_counter()
    for seq in range(1, steps + 1):
        world, effects = step(world, i.TimerFired("none", 0), seq, seq, "bench")
        assert isinstance(effects[0], fx.Log)
    return steps / (time.perf_counter() - t)


def run(n: int = PIPELINES, repeat: int = REPEAT) -> dict[str, Any]:
    _once(200)  # warm up imports and caches
    rates, cpu_rates, events = [], [], []
    for _ in range(repeat):
        elapsed, cpu, steps, emitted = _once(n)
        rates.append(steps / elapsed)
        cpu_rates.append(steps / cpu)
        events.append(emitted / elapsed)
    rate = statistics.median(rates)
    base = _baseline()
    return {
        "pipelines": n,
        "phases": PHASES,
        "inputs_per_s_median": round(rate),
        "inputs_per_cpu_s_median": round(statistics.median(cpu_rates)),
        "events_per_s_median": round(statistics.median(events)),
        "noop_step_per_s": round(base),
        "ratio_to_noop": round(rate / base, 3),
        "target_per_s": 50_000,
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else PIPELINES
    for key, value in run(n).items():
        print(f"{key}: {value}")
