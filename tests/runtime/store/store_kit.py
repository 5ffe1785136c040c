"""Test kit for the store: a small hand-built graph, a realistic input workload, helpers to read
every op of a store (archives included), and a fork server that runs workloads to be killed.

The workload mixes queue adds (a worker claims them and starts two-phase shell pipelines, so
effects and intents flow), answers to the oldest outbox effect (shell exits, notifications),
lock and semaphore commands and fired timers. `python store_kit.py serve` reads one JSON job
per line on stdin, forks a child per job (imports are paid once), kills it after `kill_after_s`
when asked, and answers `{"status": …}`; the child runs `run_job` with the job's failpoints.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import graph as g
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.simulate import Outcomes, answers
from ojlang.runtime.core.world import World
from ojlang.runtime.store import failpoints
from ojlang.runtime.store.jsonl import read_file, read_ops
from ojlang.runtime.store.port import Op, StoreSettings
from ojlang.runtime.store.sqlite import SqliteStore, open_store

S = 1_000_000
T0 = 1_767_225_600_000_000
MACHINE = "m-test"


def lit(text: str) -> g.Template:
    return g.Template.literal(text)


def work_graph(variant: int = 0) -> g.Graph:
    """A queue with a worker that runs a two-phase shell pipeline, a lock and a semaphore."""
    fail = g.OnFail("fail")
    phases = (
        g.Phase(
            "build", "run", run=lit(f"make build{variant or ''}"), next=g.Edge("test"), on_fail=fail
        ),
        g.Phase("test", "run", run=lit("make test"), next=g.Edge(terminal="done"), on_fail=fail),
    )
    return g.Graph(
        runbooks={"rb": g.Runbook("rb")},
        pipelines={"rb.job": g.Pipeline("job", "rb", phases, inputs=("id",))},
        queues={"jobs": g.Queue("jobs", "rb", max_retries=1)},
        workers={"rb.w": g.Worker("w", "rb", "jobs", "rb.job", concurrency=2)},
        locks={"L": g.Lock("L", heartbeat_us=30 * S)},
        semaphores={"S": g.Semaphore("S", max=2)},
    )


def _eid_key(effect: fx.IoEffect) -> tuple[int, int]:
    seq, _, k = effect.effect_id.partition(".")
    return int(seq), int(k)


def answer_oldest(world: World, code: int = 0) -> i.Input | None:
    """The scripted result of the oldest effect in the outbox (None when it is empty)."""
    if not world.outbox:
        return None
    effect = min(world.outbox.values(), key=_eid_key)
    return answers(Outcomes(shell_default=code), effect)[0][1]


def next_input(world: World, k: int, prefix: str = "r") -> i.Input:
    """The k-th input of the workload, chosen from the world as it stands."""
    rid = f"{prefix}{k}"
    m = k % 8
    if m in (0, 5):
        return i.QueueAdd("jobs", {"id": f"j{k % 24}", "k": k}, request_id=rid)
    if m in (1, 4, 7):
        return answer_oldest(world, 1 if k % 13 == 0 else 0) or i.MaintenanceTick()
    if m == 2:
        return i.LockCommand("acquire", "L", f"cli:h{k % 3}", request_id=rid)
    if m == 3:
        lock = world.locks.get("L")
        holder = getattr(lock, "holder", None) or f"cli:h{k % 3}"
        return i.LockCommand("release", "L", str(holder), request_id=rid)
    if world.timers and k % 16 == 6:
        tid, due = min(world.timers.items(), key=lambda kv: kv[1])
        return i.TimerFired(tid, due)
    verb = "acquire" if k % 12 < 6 else "release"
    return i.SemaphoreCommand(verb, "S", f"cli:h{k % 4}", request_id=rid)


def request_id(op: Op) -> str:
    body = json.loads(op.body)
    return str(body.get("payload", {}).get("request_id", ""))


def all_ops(
    state_dir: Path,
    store: SqliteStore | None = None,
    cache: dict[Path, tuple[Op, ...]] | None = None,
) -> list[Op]:
    """Every op of a store: archives (in seq order) then the table, de-duplicated by seq;
    `cache` keeps archives already read (they never change once written)."""
    found: dict[int, Op] = {}
    cache = {} if cache is None else cache
    for path in sorted((state_dir / "archive").glob("ops-*.jsonl.gz"), key=_archive_key):
        if path not in cache:
            data, _, error = read_file(path)
            assert error is None, error
            result = read_ops(data)
            assert result.error is None and not result.warnings, (path, result)
            cache[path] = result.ops
        for op in cache[path]:
            assert found.setdefault(op.seq, op) == op, f"archive disagrees on op {op.seq}"
    own = store is None
    store = open_store(state_dir, readonly=True, machine_id=MACHINE) if own else store
    assert store is not None
    try:
        for op in store.read_since(0):
            assert found.setdefault(op.seq, op) == op, f"archive disagrees with the log at {op.seq}"
    finally:
        if own:
            store.close()
    return [found[s] for s in sorted(found)]


def _archive_key(path: Path) -> int:
    return int(path.name.split("-")[1])


# -- the killable workload --------------------------------------------------------------------


def run_job(job: dict[str, Any]) -> None:
    """Run a workload on `job["dir"]`, appending `LAST_SEQ RID…` to `job["ack"]` after each
    commit returns. Inputs are numbered from the store's own count, so reruns continue."""
    from ojlang.runtime.store.journal import Journal

    failpoints.configure(job.get("failpoints", ""))
    if job.get("migrate"):
        add_test_migration()
    settings = StoreSettings(
        snapshot_ops=job.get("snapshot_ops", 40),
        compact_ops=job.get("compact_ops", 60),
        verify_replay=True,
    )
    journal = Journal.open(job["dir"], machine_id=MACHINE, settings=settings)
    if job.get("ready_fd") is not None:
        os.write(job["ready_fd"], b"r")  # recovered: the kill timer of the server starts now
    rng = random.Random(job.get("seed", 0))
    ack = os.open(job["ack"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    clock = max(T0, journal.store.last_ts)
    if not journal.world.graph_hash:
        journal.submit([(i.Reload(work_graph(), "boot"), clock)])
    k = journal.world.last_seq
    for _ in range(job.get("batches", 20)):
        batch = []
        for _ in range(rng.randint(1, job.get("batch_max", 6))):
            k += 1
            clock += rng.randint(0, 3 * S)
            batch.append((next_input(journal.world, k, job.get("prefix", "r")), clock))
        applied = journal.submit(batch)
        rids = [getattr(a.input, "request_id", "") for a in applied]
        line = " ".join([str(journal.store.last_seq), *filter(None, rids)]) + "\n"
        os.write(ack, line.encode())
        journal.maintain(clock)
    os.close(ack)
    journal.close(clock, final_snapshot=job.get("final_snapshot", True))


def add_test_migration() -> None:
    """Pretend the code is at schema 2: a migration that adds a table."""
    from ojlang.runtime.store import migrations

    migrations.SCHEMA_VERSION = 2
    migrations.MIGRATIONS[2] = migrations.Migration(2, ("CREATE TABLE extra (x INTEGER)",))


def read_acks(path: Path) -> tuple[int, list[str]]:
    """(highest acknowledged seq, acknowledged request ids) from an ack file; a torn last line
    (the kill landed mid-write) is ignored."""
    if not path.exists():
        return 0, []
    top, rids = 0, []
    for line in path.read_text().split("\n")[:-1]:
        parts = line.split()
        top = max(top, int(parts[0]))
        rids += parts[1:]
    return top, rids


def _child(job: dict[str, Any]) -> None:
    try:
        run_job(job)
    except BaseException:
        Path(job["ack"] + ".error").write_text(traceback.format_exc())
        os._exit(3)
    os._exit(0)


def warm_up() -> None:
    """Run a short workload once so children start with cattrs' generated code in place."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        job = {"dir": tmp, "ack": f"{tmp}/ack", "batches": 30, "snapshot_ops": 10}
        run_job({**job, "compact_ops": 10})
        run_job(job)


def serve() -> None:
    """The fork server loop (module doc)."""
    warm_up()
    for line in sys.stdin:
        job = json.loads(line)
        ready, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready)
            _child({**job, "ready_fd": ready_w if job.get("after_ready") else None})
        os.close(ready_w)
        if job.get("after_ready"):
            os.read(ready, 1)  # b"" when the child died first
        os.close(ready)
        delay = job.get("kill_after_s")
        if delay is not None:
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            result = {"status": "killed", "signal": os.WTERMSIG(status)}
        else:
            result = {"status": "exited", "code": os.WEXITSTATUS(status)}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    os.environ.setdefault("OJ_MACHINE_ID", MACHINE)
    if sys.argv[1:] == ["serve"]:
        serve()
