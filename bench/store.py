"""The durable store (RUNTIME.md §6, §13): append, group-commit, replay and start-up figures.

Measured, each against its budget:
- durable single appends (one op per `BEGIN IMMEDIATE … COMMIT`, `synchronous=FULL`) vs a plain
  fsync'd JSONL append loop of the same lines in the same run (target >= 0.7x), median of
  interleaved rounds;
- batched appends, 100 ops per transaction (target >= 20,000 ops/s); the engine's full path
  (`Journal.submit`: step the core, input + intent ops and events, 100 inputs per commit) too;
- replay of `N` ops from op 1 through the pure core (`OJ_BENCH_STORE_N`, default 1,000,000);
- process start on that history with a snapshot near the end (target <= 200 ms): a fresh
  interpreter opens the store and loads the state; reported in process (open + load) and as a
  whole (interpreter, imports, open, load), for the full log and after compaction (§6.4);
- bytes per op of the database file (events included).

The workload keeps the world bounded (one short pipeline run per ~1,000 inputs; queue items,
lock and semaphore holders cycle), as a daemon that archives finished runs would.
Run: `python -m bench.store` (or `python -m bench store`); `OJ_BENCH_STORE_N=100000` for a
quick run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ojlang.runtime.core import graph as g
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.simulate import Outcomes, answers
from ojlang.runtime.core.world import World
from ojlang.runtime.store.journal import Journal
from ojlang.runtime.store.ops import input_draft
from ojlang.runtime.store.replay import Replayer
from ojlang.runtime.store.sqlite import open_store

S = 1_000_000
T0 = 1_767_225_600_000_000
MACHINE = "bench"
N = int(os.environ.get("OJ_BENCH_STORE_N", "1000000"))
SINGLE = 300  # appends per round of the single-append comparison
ROUNDS = 5
START_REPEATS = 5


def bench_graph() -> g.Graph:
    lit = g.Template.literal
    fail = g.OnFail("fail")
    phases = (
        g.Phase("build", "run", run=lit("make build"), next=g.Edge("test"), on_fail=fail),
        g.Phase("test", "run", run=lit("make test"), next=g.Edge(terminal="done"), on_fail=fail),
    )
    return g.Graph(
        runbooks={"rb": g.Runbook("rb")},
        pipelines={"rb.job": g.Pipeline("job", "rb", phases, inputs=("id",))},
        queues={"jobs": g.Queue("jobs", "rb", max_retries=1)},
        locks={"L": g.Lock("L", heartbeat_us=30 * S)},
        semaphores={"S": g.Semaphore("S", max=2)},
    )


def next_input(world: World, k: int) -> i.Input:
    rid = f"r{k}"
    if k % 1000 == 0:
        return i.PipelineStart("rb.job", {"id": f"p{k}"}, f"p{k}", request_id=rid)
    if world.outbox and k % 7 == 0:
        effect = min(world.outbox.values(), key=lambda e: tuple(map(int, e.effect_id.split("."))))
        return answers(Outcomes(), effect)[0][1]
    m = k % 6
    if m == 0:
        return i.QueueAdd("jobs", {"id": f"j{k % 50}", "k": k}, request_id=rid)
    if m == 1:
        return i.QueueCommand("claim", "jobs", holder="cli:w", request_id=rid)
    if m == 2:
        q = world.queues.get("jobs")
        claims = [it.claim.id for it in q.items.values() if it.claim] if q else []
        if claims:
            return i.QueueCommand("complete", "jobs", claim=claims[0], request_id=rid)
        return i.MaintenanceTick()
    if m == 3:
        return i.LockCommand("acquire", "L", f"cli:h{k % 3}", request_id=rid)
    if m == 4:
        lock = world.locks.get("L")
        holder = getattr(lock, "holder", None) or "cli:h0"
        return i.LockCommand("release", "L", str(holder), request_id=rid)
    verb = "acquire" if k % 12 < 6 else "release"
    return i.SemaphoreCommand(verb, "S", f"cli:h{k % 4}", request_id=rid)


# -- appends ----------------------------------------------------------------------------------


def _line(k: int) -> str:
    inp = i.QueueAdd("jobs", {"id": f"j{k % 50}", "k": k}, request_id=f"r{k}")
    return input_draft(inp, T0 + k, MACHINE).body


def single_appends(folder: Path) -> dict[str, Any]:
    store = open_store(folder / "single", machine_id=MACHINE)
    jsonl = folder / "baseline.jsonl"
    sqlite_rates, jsonl_rates = [], []
    k = 0
    for _ in range(ROUNDS):
        bodies = [_line(k + n) for n in range(SINGLE)]
        start = time.perf_counter()
        with open(jsonl, "a", encoding="utf-8") as f:
            for body in bodies:
                f.write(body + "\n")
                f.flush()
                os.fsync(f.fileno())
        jsonl_rates.append(SINGLE / (time.perf_counter() - start))
        drafts = [
            input_draft(
                i.QueueAdd("jobs", {"id": f"j{n % 50}", "k": n}, request_id=f"r{n}"),
                T0 + n,
                MACHINE,
            )
            for n in range(k, k + SINGLE)
        ]
        start = time.perf_counter()
        for draft in drafts:
            store.append(draft)
        sqlite_rates.append(SINGLE / (time.perf_counter() - start))
        k += SINGLE
    store.close()
    ratio = statistics.median(sqlite_rates) / statistics.median(jsonl_rates)
    return {
        "single appends/s (store, synchronous=FULL)": round(statistics.median(sqlite_rates)),
        "single appends/s (fsync'd JSONL baseline)": round(statistics.median(jsonl_rates)),
        "single append ratio vs JSONL (target >= 0.7)": round(ratio, 2),
    }


def batched_appends(folder: Path) -> dict[str, Any]:
    store = open_store(folder / "batched", machine_id=MACHINE)
    total, per = 20_000, 100
    drafts = [
        input_draft(
            i.QueueAdd("jobs", {"id": f"j{n % 50}", "k": n}, request_id=f"r{n}"), T0 + n, MACHINE
        )
        for n in range(total)
    ]
    start = time.perf_counter()
    for lo in range(0, total, per):
        store.append_batch(drafts[lo : lo + per])
    raw = total / (time.perf_counter() - start)
    store.close()
    journal = Journal.open(str(folder / "journal"), machine_id=MACHINE)
    journal.submit([(i.Reload(bench_graph(), "boot"), T0)])
    inputs, now = 20_000, T0
    start = time.perf_counter()
    for lo in range(0, inputs, per):
        batch = []
        for k in range(lo, lo + per):
            now += 1000
            batch.append((next_input(journal.world, k + 1), now))
        journal.submit(batch)
    elapsed = time.perf_counter() - start
    ops = journal.store.last_seq
    journal.close(final_snapshot=False)
    return {
        "batched appends ops/s (100 per transaction, target >= 20000)": round(raw),
        "engine path inputs/s (step + ops + events, 100 per commit)": round(inputs / elapsed),
        "engine path ops/s": round(ops / elapsed),
    }


# -- history, replay, start -------------------------------------------------------------------


def build_history(folder: Path, n: int) -> tuple[Journal, float]:
    """`n` ops written through the journal (no snapshots, no compaction); seconds taken."""
    journal = Journal.open(str(folder), machine_id=MACHINE)
    now = T0
    journal.submit([(i.Reload(bench_graph(), "boot"), now)])
    start = time.perf_counter()
    k = 0
    while journal.store.last_seq < n:
        batch = []
        for _ in range(200):
            k += 1
            now += 1000
            batch.append((next_input(journal.world, k), now))
        journal.submit(batch)
    return journal, time.perf_counter() - start


def replay_from_zero(folder: Path) -> tuple[int, float, World]:
    store = open_store(folder, readonly=True, machine_id=MACHINE)
    r = Replayer()
    start = time.perf_counter()
    ops = 0
    for op in store.read_since(0):
        r.apply(op)
        ops += 1
    elapsed = time.perf_counter() - start
    store.close()
    return ops, elapsed, r.world


START_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from ojlang.runtime.store import open_store
t1 = time.perf_counter()
store = open_store(sys.argv[1], machine_id="bench")
world, seq = store.load()
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "open_load": t2 - t1, "replayed": store.recovery.replayed}))
"""


def process_start(folder: Path) -> dict[str, float]:
    inside, whole = [], []
    replayed = 0
    for _ in range(START_REPEATS):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", START_SCRIPT, str(folder)],
            capture_output=True,
            text=True,
            check=True,
        )
        whole.append(time.perf_counter() - start)
        data = json.loads(proc.stdout)
        inside.append(data["open_load"])
        replayed = data["replayed"]
    return {
        "open+load ms": round(statistics.median(inside) * 1000, 1),
        "whole process ms": round(statistics.median(whole) * 1000, 1),
        "tail replayed": replayed,
    }


def db_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("state.db*") if p.is_file())


def run() -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        out.update(single_appends(base))
        out.update(batched_appends(base))
        folder = base / "history"
        journal, built = build_history(folder, N)
        ops = journal.store.last_seq
        out[f"history: {ops} ops written through the journal, ops/s"] = round(ops / built)
        journal.store.checkpoint()
        out["bytes per op (database file, events included)"] = round(db_bytes(folder) / ops, 1)
        start = time.perf_counter()
        journal.snapshot(journal.store.last_ts)
        out["snapshot write ms (encode + insert, budget <= 200)"] = round(
            (time.perf_counter() - start) * 1000, 1
        )
        for k in range(500):  # a tail after the snapshot, as after a crash
            journal.submit([(next_input(journal.world, 10**9 + k), journal.store.last_ts + 1000)])
        snap = journal.store.snapshots()[0]
        out["snapshot bytes (zlib)"] = snap.size
        out["runs in the world"] = len(journal.world.runs)
        journal.store.checkpoint()
        journal.store.close()
        replayed, elapsed, _ = replay_from_zero(folder)
        out[f"replay from op 1: {replayed} ops, seconds"] = round(elapsed, 1)
        out["replay ops/s"] = round(replayed / elapsed)
        for key, value in process_start(folder).items():
            out[f"start, {replayed} ops kept + snapshot: {key}"] = value
        store = open_store(folder, machine_id=MACHINE)
        store.compact(export=False)
        store.close()
        for key, value in process_start(folder).items():
            out[f"start, after compaction: {key}"] = value
        out["start budget"] = "<= 200 ms"
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}", flush=True)
