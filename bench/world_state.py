"""Core state size, snapshot and recovery (RUNTIME.md §13): pure core and codec, no SQLite.

1. Memory: a `World` with 1,000 active runs (each waiting on the first of its 6 shell phases,
   its effect in the outbox), built by `step`; the bytes it holds beyond the same world
   without runs (`tracemalloc`, after `gc.collect()`), per run (budget ≤ 20 KiB).
2. Snapshot of that world (budget ≤ 200 ms and ≤ 5 MiB for 1,000 runs): `codec.to_json`
   (what the store writes), its size, and `codec.world_from_json` (what a start reads);
   medians of 5, beside the baseline of `json.dumps` of the already unstructured data (the
   encoding alone, so the ratio is the cattrs share).
3. Recovery, snapshot + 10,000 ops replayed (budget ≤ 1 s): a simulated history of 2,000
   pipelines (record on); the world after all but the last 10,000 inputs is the snapshot,
   those inputs (as `codec.input_to_json` text, as stored) are the ops. Timed: decode the
   snapshot, decode and `step` every op — the store's reads excluded (`bench/store.py` times
   a whole process start). Median of 3, in wall and CPU time.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from typing import Any

from ojlang.runtime.core import codec
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Edge, Graph, Phase, Pipeline, Runbook, Template
from ojlang.runtime.core.simulate import simulate
from ojlang.runtime.core.world import World, initial_world, step

RUNS = 1_000
PHASES = 6
OPS = 10_000
HISTORY_RUNS = 2_000  # 8 inputs each: 16,000 inputs, the last 10,000 replayed
KIB = 1024


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


def _active(graph: Graph, n: int) -> World:
    world = initial_world(graph)
    for k in range(n):
        world, _ = step(world, i.PipelineStart("rb.p", {}, f"n{k}"), k * 10, k + 1, "bench")
    return world


def memory(graph: Graph) -> dict[str, Any]:
    gc.collect()
    tracemalloc.start()
    empty = _active(graph, 0)
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    world = _active(graph, RUNS)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    active = sum(1 for r in world.runs.values() if r.state == "running")
    del empty, world
    return {
        "active_runs": active,
        "state_per_run_kib": round(held / RUNS / KIB, 2),
        "state_per_run_budget_kib": 20,
    }


def _median_s(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def snapshot(graph: Graph) -> dict[str, Any]:
    world = _active(graph, RUNS)
    text = codec.to_json(world)
    data = codec.unstructure(world)
    encode = _median_s(lambda: codec.to_json(world), 5)
    plain = _median_s(lambda: codec.canonical(data), 5)
    decode = _median_s(lambda: codec.world_from_json(text), 5)
    return {
        "snapshot_runs": RUNS,
        "snapshot_encode_median_ms": round(encode * 1000, 1),
        "snapshot_json_dumps_baseline_ms": round(plain * 1000, 1),
        "snapshot_encode_ratio_to_json_dumps": round(encode / plain, 2),
        "snapshot_decode_median_ms": round(decode * 1000, 1),
        "snapshot_mib": round(len(text.encode()) / KIB / KIB, 2),
        "snapshot_budget_ms": 200,
        "snapshot_budget_mib": 5,
    }


def recovery(graph: Graph) -> dict[str, Any]:
    starts = [(k * 1_000, i.PipelineStart("rb.p", {}, f"n{k}")) for k in range(HISTORY_RUNS)]
    simulated = simulate(initial_world(graph), starts, record=True, max_steps=10**7)
    trace = simulated.trace
    cut = max(0, len(trace) - OPS)
    world = initial_world(graph)
    for t in trace[:cut]:
        world, _ = step(world, t.input, t.time_us, t.seq, "sim")
    text = codec.to_json(world)
    graphs = {graph.content_hash(): graph}
    ops = [(t.time_us, t.seq, codec.input_to_json(t.input)) for t in trace[cut:]]

    def replay() -> World:
        w: World = codec.world_from_json(text)
        for now, seq, body in ops:
            w, _ = step(w, codec.input_from_json(body, graphs), now, seq, "sim")
        return w

    replayed = replay()
    if codec.to_json(replayed) != codec.to_json(simulated.world):
        raise RuntimeError("the replayed world differs from the simulated one")
    walls, cpus = [], []
    for _ in range(3):
        began, cpu = time.perf_counter(), time.process_time()
        replay()
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - cpu)
    return {
        "recovery_ops": len(ops),
        "recovery_snapshot_kib": round(len(text.encode()) / KIB, 1),
        "recovery_median_ms": round(statistics.median(walls) * 1000, 1),
        "recovery_cpu_median_ms": round(statistics.median(cpus) * 1000, 1),
        "recovery_budget_ms": 1000,
    }


def run() -> dict[str, Any]:
    graph = _graph()
    figures: dict[str, Any] = {}
    figures.update(memory(graph))
    figures.update(snapshot(graph))
    figures.update(recovery(graph))
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
