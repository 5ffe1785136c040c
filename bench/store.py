"""The durable store (RUNTIME.md §6, §13): append, group-commit, replay and start-up figures.

Measured, each against its budget:
- durable single appends (one op per `BEGIN IMMEDIATE … COMMIT`, `synchronous=FULL`) vs a plain
  fsync'd JSONL append loop of the same lines in the same run (target >= 0.7x), interleaved op
  by op, on a fresh WAL and after its first checkpoint (a running daemon reuses its WAL);
- batched appends, 100 ops per transaction (target >= 20,000 ops/s): the median of 5 runs into
  fresh stores, with the CPU-bound rate and a JSONL baseline (100 lines per fsync) interleaved
  batch by batch; the engine's full path (`Journal.submit`: step the core, input + intent ops
  and events, 100 inputs per commit) too;
- replay of `N` ops from op 1 through the pure core (`OJ_BENCH_STORE_N`, default 1,000,000);
- process start on that history with a snapshot near the end (target <= 200 ms): a fresh
  interpreter runs `Journal.open` (what the daemon does before it serves: open the store,
  check it, load the newest snapshot, replay the tail); medians of 7, wall and CPU, in process
  (open + load) and as a whole (interpreter, imports, open, load; without `.pyc` files when
  `PYTHONDONTWRITEBYTECODE` is set, as on the shared bench machine);
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
from ojlang.runtime.store.jsonl import read_file, read_ops
from ojlang.runtime.store.ops import input_draft
from ojlang.runtime.store.replay import Replayer
from ojlang.runtime.store.sqlite import open_store

S = 1_000_000
T0 = 1_767_225_600_000_000
MACHINE = "bench"
N = int(os.environ.get("OJ_BENCH_STORE_N", "1000000"))
SINGLE = 1_100  # appends per phase of the single-append comparison (> one WAL checkpoint)
BATCH_OPS, BATCH_RUNS = 20_000, 5  # batched appends: ops per run, runs (median reported)
START_REPEATS = 7


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


def single_appends(folder: Path) -> dict[str, Any]:
    """One op per commit vs one fsync'd JSONL line, interleaved op by op (alternating which
    goes first) so both see the same moment of a shared disk. The first `SINGLE` appends grow a
    fresh WAL; the next `SINGLE` run after its first checkpoint, as in a running daemon, where
    the WAL file is reused rather than grown. Rates are ops over the summed time of each."""
    store = open_store(folder / "single", machine_id=MACHINE)
    spent = {"fresh": [0.0, 0.0], "warm": [0.0, 0.0]}  # phase -> [store s, jsonl s]
    with open(folder / "baseline.jsonl", "a", encoding="utf-8") as f:
        for k in range(2 * SINGLE):
            phase = spent["fresh" if k < SINGLE else "warm"]
            inp = i.QueueAdd("jobs", {"id": f"j{k % 50}", "k": k}, request_id=f"r{k}")
            draft = input_draft(inp, T0 + k, MACHINE)
            for first in (k % 2 == 0, k % 2 == 1):  # alternate which goes first
                start = time.perf_counter()
                if first:
                    store.append(draft)
                    phase[0] += time.perf_counter() - start
                else:
                    f.write(draft.body + "\n")
                    f.flush()
                    os.fsync(f.fileno())
                    phase[1] += time.perf_counter() - start
    store.close()
    out: dict[str, Any] = {}
    for name, (store_s, jsonl_s) in spent.items():
        out[f"single appends/s, {name} WAL (store, synchronous=FULL)"] = round(SINGLE / store_s)
        out[f"single appends/s, {name} WAL (fsync'd JSONL baseline)"] = round(SINGLE / jsonl_s)
        out[f"single append ratio vs JSONL, {name} WAL (target >= 0.7)"] = round(
            jsonl_s / store_s, 2
        )
    return out


def batched_appends(folder: Path) -> dict[str, Any]:
    """`BATCH_RUNS` runs of `BATCH_OPS` ops, 100 per transaction, each into a fresh store,
    interleaved batch by batch with a JSONL baseline (the same 100 lines, one fsync) so both
    see the same moment of a shared disk. Median and range of the wall-clock rate, and the
    CPU-bound rate (ops over the process CPU time of the store's appends)."""
    per = 100
    drafts = [
        input_draft(
            i.QueueAdd("jobs", {"id": f"j{n % 50}", "k": n}, request_id=f"r{n}"), T0 + n, MACHINE
        )
        for n in range(BATCH_OPS)
    ]
    walls, cpus, jsonls = [], [], []
    for run in range(BATCH_RUNS):
        store = open_store(folder / f"batched-{run}", machine_id=MACHINE)
        wall = cpu = jsonl = 0.0
        with open(folder / f"batched-{run}.jsonl", "a", encoding="utf-8") as f:
            for lo in range(0, BATCH_OPS, per):
                batch = drafts[lo : lo + per]
                for first in (lo // per % 2 == 0, lo // per % 2 == 1):
                    start, cpu0 = time.perf_counter(), time.process_time()
                    if first:
                        store.append_batch(batch)
                        wall += time.perf_counter() - start
                        cpu += time.process_time() - cpu0
                    else:
                        f.write("".join(d.body + "\n" for d in batch))
                        f.flush()
                        os.fsync(f.fileno())
                        jsonl += time.perf_counter() - start
        walls.append(BATCH_OPS / wall)
        cpus.append(BATCH_OPS / cpu)
        jsonls.append(BATCH_OPS / jsonl)
        store.checkpoint()
        raw_bytes = db_bytes(folder / f"batched-{run}") / store.last_seq
        store.close()
    out: dict[str, Any] = {
        f"batched appends ops/s, median of {BATCH_RUNS} (100 per transaction, target >= 20000)": (
            round(statistics.median(walls))
        ),
        "batched appends ops/s, min / max": (round(min(walls)), round(max(walls))),
        "batched appends ops/s (cpu), median": round(statistics.median(cpus)),
        "fsync'd JSONL, 100 lines per fsync, ops/s, median (same disk, same moments)": round(
            statistics.median(jsonls)
        ),
    }
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
    journal.store.checkpoint()
    full_bytes = db_bytes(folder / "journal") / ops
    journal.close(final_snapshot=False)
    return {
        **out,
        "engine path inputs/s (step + ops + events, 100 inputs per commit)": round(
            inputs / elapsed
        ),
        "engine path ops/s": round(ops / elapsed),
        "bytes per op (ops only)": round(raw_bytes, 1),
        "bytes per op (ops + their events, as the engine writes them)": round(full_bytes, 1),
    }


# -- history, replay, start -------------------------------------------------------------------


class Clocks:
    """Wall and CPU time of a block (the machine is shared: CPU time shows the work alone)."""

    def __enter__(self) -> Clocks:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def build_history(folder: Path, n: int) -> tuple[Journal, Clocks, list[float]]:
    """`n` ops through the journal as a daemon writes them: snapshots every 1,000 ops, event
    retention, compaction with archives; the clocks and each snapshot's seconds out."""
    journal = Journal.open(str(folder), machine_id=MACHINE)
    now = T0
    journal.submit([(i.Reload(bench_graph(), "boot"), now)])
    snapshots: list[float] = []
    k = 0
    with Clocks() as clocks:
        while journal.store.last_seq < n:
            batch = []
            for _ in range(200):
                k += 1
                now += 1000
                batch.append((next_input(journal.world, k), now))
            journal.submit(batch)
            if journal.snapshot_due(now):
                start = time.perf_counter()
                journal.snapshot(now)
                snapshots.append(time.perf_counter() - start)
            journal.maintain(now)
    return journal, clocks, snapshots


def replay_from_zero(folder: Path) -> tuple[int, Clocks]:
    """Replay every op (the archives of compacted ones, then the log) from an empty world."""
    with Clocks() as clocks:
        r = Replayer()
        for path in sorted(
            folder.glob("archive/ops-*.jsonl.gz"), key=lambda p: int(p.name[4:].split("-")[0])
        ):
            data, _, error = read_file(path)
            assert error is None, error
            for op in read_ops(data).ops:
                if op.seq > r.last_seq:
                    r.apply(op)
        store = open_store(folder, readonly=True)
        for op in store.read_since(r.last_seq):
            r.apply(op)
        store.close()
    return r.last_seq, clocks


START_SCRIPT = """
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from ojlang.runtime.store import Journal
t1, c1 = time.perf_counter(), time.process_time()
journal = Journal.open(sys.argv[1], machine_id="bench")
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"wall": t2 - t1, "cpu": c2 - c1, "imports": t1 - t0,
                  "replayed": journal.store.recovery.replayed}))
"""


def process_start(folder: Path) -> dict[str, float]:
    runs = []
    whole = []
    for _ in range(START_REPEATS):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", START_SCRIPT, str(folder)],
            capture_output=True,
            text=True,
            check=True,
        )
        whole.append(time.perf_counter() - start)
        runs.append(json.loads(proc.stdout))
    med = {key: statistics.median(r[key] for r in runs) for key in ("wall", "cpu", "imports")}
    return {
        "open+load ms (wall)": round(med["wall"] * 1000, 1),
        "open+load ms (cpu)": round(med["cpu"] * 1000, 1),
        "imports ms": round(med["imports"] * 1000, 1),
        "whole process ms": round(statistics.median(whole) * 1000, 1),
        "tail ops replayed": runs[0]["replayed"],
    }


def db_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("state.db*") if p.is_file())


def run() -> dict[str, Any]:
    out: dict[str, Any] = {"load average at start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        out.update(single_appends(base))
        out.update(batched_appends(base))
        folder = base / "history"
        journal, clocks, snaps = build_history(folder, N)
        ops = journal.store.last_seq
        out[f"history: {ops} ops through the journal, ops/s (wall)"] = round(ops / clocks.wall)
        out["history ops/s (cpu)"] = round(ops / clocks.cpu)
        out["snapshots taken"] = len(snaps)
        out["snapshot ms, median / max (encode + insert, budget <= 200)"] = (
            round(statistics.median(snaps) * 1000, 1),
            round(max(snaps) * 1000, 1),
        )
        out["snapshot bytes (zlib)"] = journal.store.snapshots()[0].size
        out["runs in the world"] = len(journal.world.runs)
        for k in range(500):  # a tail after the newest snapshot, as after a crash
            journal.submit([(next_input(journal.world, 10**9 + k), journal.store.last_ts + 1000)])
        journal.store.checkpoint()
        stats = journal.store.stats()
        out["kept after compaction: ops / events / database bytes"] = (
            stats["ops"],
            stats["events"],
            stats["bytes"],
        )
        journal.store.close()
        replayed, clocks = replay_from_zero(folder)
        out[f"replay from op 1 of {replayed} ops: seconds (wall)"] = round(clocks.wall, 1)
        out["replay ops/s (wall)"] = round(replayed / clocks.wall)
        out["replay ops/s (cpu)"] = round(replayed / clocks.cpu)
        for key, value in process_start(folder).items():
            out[f"start on that history: {key}"] = value
        out["start budget"] = "<= 200 ms"
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}", flush=True)
