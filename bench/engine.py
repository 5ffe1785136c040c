"""Engine throughput and overhead (RUNTIME.md §13): the whole loop — group commit to SQLite,
effect dispatch on the thread pools, results fed back — not just the pure core.

1. 200 pipelines × 5 shell phases of `true` with the fake adapters: total time, effects/s and
   ops/s (median of 3 runs, each with a fresh store).
2. Per-phase engine overhead with the real shell runner: one pipeline of 20 `true` phases,
   per phase, against running `true` through `bash -c` directly (the baseline, same run),
   reported as the ratio; and the shell adapter alone (runner process + bash), so that the
   engine's own share per phase shows. Medians of 3.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Edge, Graph, Phase, Pipeline, Runbook, Settings, Template
from ojlang.runtime.engine.loop import Engine

PIPELINES = 200
PHASES = 5
REAL_PHASES = 20
REPEAT = 3


def _graph(root: Path, phases: int) -> Graph:
    steps = tuple(
        Phase(
            f"s{k}",
            action="run",
            run=Template.literal("true"),
            next=Edge(phase=f"s{k + 1}") if k < phases - 1 else Edge(terminal="done"),
        )
        for k in range(phases)
    )
    return Graph(
        runbooks={"rb": Runbook("rb")},
        pipelines={"rb.p": Pipeline("p", "rb", steps)},
        settings=Settings(project_root=str(root)),
    )


def _drive(root: Path, graph: Graph, adapters: Any, runs: int) -> tuple[float, int, int]:
    """Seconds from the first start to the last run's end; I/O effects and ops committed."""
    engine = Engine(root, graph, adapters)
    engine.start()
    try:
        started = time.perf_counter()
        for k in range(runs):
            engine.post(i.PipelineStart("rb.p", {}, f"r{k}"))
        ok = engine.wait_for(
            lambda w: len(w.runs) == runs and all(r.terminal for r in w.runs.values()), 600
        )
        elapsed = time.perf_counter() - started
        assert ok, "the runs did not end"
        assert all(r.state == "done" for r in engine.world.runs.values())
        ops = engine.world.last_seq
    finally:
        engine.stop()
    effects = runs * len(graph.pipelines["rb.p"].phases)
    return elapsed, effects, ops


def fake_throughput() -> dict[str, Any]:
    times, rates, op_rates = [], [], []
    for _ in range(REPEAT):
        with tempfile.TemporaryDirectory(prefix="oj-bench-") as tmp:
            root = Path(tmp)
            seconds, effects, ops = _drive(
                root, _graph(root, PHASES), fake_adapters(root), PIPELINES
            )
        times.append(seconds)
        rates.append(effects / seconds)
        op_rates.append(ops / seconds)
    return {
        "fake_runs": f"{PIPELINES} pipelines x {PHASES} shell phases",
        "fake_total_s": round(statistics.median(times), 3),
        "fake_shell_effects_per_s": round(statistics.median(rates)),
        "fake_ops_per_s": round(statistics.median(op_rates)),
    }


def _direct_true(n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        subprocess.run(["bash", "--noprofile", "--norc", "-c", "true"], check=True)
    return (time.perf_counter() - started) / n


def _runner_true(root: Path, n: int) -> float:
    """The shell adapter alone (runner process + `bash -c true`), per call."""
    from ojlang.runtime.adapters.shell import SubprocessShellAdapter

    shell = SubprocessShellAdapter(root / ".oj")
    started = time.perf_counter()
    for k in range(n):
        shell.wait(shell.start(f"bench-{k}", "true", root, {}, None))
    return (time.perf_counter() - started) / n


def real_overhead() -> dict[str, Any]:
    from ojlang.runtime.adapters.shell import SubprocessShellAdapter

    per_phase, direct, runner = [], [], []
    for _ in range(REPEAT):
        with tempfile.TemporaryDirectory(prefix="oj-bench-") as tmp:
            root = Path(tmp)
            adapters = fake_adapters(root)
            real = SubprocessShellAdapter(root / ".oj")
            import attrs

            adapters = attrs.evolve(adapters, shell=real)
            seconds, effects, _ = _drive(root, _graph(root, REAL_PHASES), adapters, 1)
            runner.append(_runner_true(root, REAL_PHASES))
        per_phase.append(seconds / effects)
        direct.append(_direct_true(REAL_PHASES))
    phase_s, direct_s = statistics.median(per_phase), statistics.median(direct)
    runner_s = statistics.median(runner)
    return {
        "real_phase_ms": round(phase_s * 1000, 2),
        "direct_true_ms": round(direct_s * 1000, 2),
        "runner_true_ms": round(runner_s * 1000, 2),
        "real_phase_over_direct": round(phase_s / direct_s, 2),
        "engine_ms_per_phase": round((phase_s - runner_s) * 1000, 2),
    }


def run() -> dict[str, Any]:
    return {**fake_throughput(), **real_overhead()}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
    sys.exit(0)
