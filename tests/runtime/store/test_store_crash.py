"""Crash matrix (§6.8): a workload runs in a forked subprocess and is SIGKILLed at every store
failpoint and at random times (>= 200 kills); after each kill the store must recover with every
acknowledged op present, nothing applied twice, and the state equal to a clean replay."""

from __future__ import annotations

import itertools
import json
import os
import queue
import random
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from store_kit import MACHINE, add_test_migration, all_ops, read_acks, request_id

from ojlang.runtime.core import codec
from ojlang.runtime.store import migrations
from ojlang.runtime.store.port import Op, StoreSettings
from ojlang.runtime.store.replay import Replayer
from ojlang.runtime.store.sqlite import open_store

KIT = Path(__file__).with_name("store_kit.py")
CFG = StoreSettings(verify_replay=True)
# failpoint, kills in its row, highest hit to aim at, store settings of the workload
ROWS: list[tuple[str, int, int, dict[str, int]]] = [
    ("store.before_commit", 30, 6, {}),
    ("store.after_commit", 30, 6, {}),
    ("store.mid_snapshot", 25, 2, {"snapshot_ops": 8}),
    ("store.compact.before_delete", 20, 1, {"snapshot_ops": 8, "compact_ops": 10}),
    ("store.compact.after_delete", 20, 1, {"snapshot_ops": 8, "compact_ops": 10}),
]
RANDOM_KILLS = 80


class Server:
    """The fork server of `store_kit.py` (imports paid once; one forked child per job)."""

    def __init__(self) -> None:
        env = {**os.environ, "OJ_MACHINE_ID": MACHINE, "PYTHONPATH": os.pathsep.join(sys.path)}
        env.pop("OJ_FAILPOINTS", None)
        self.proc = subprocess.Popen(
            [sys.executable, str(KIT), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the fork server died"
        result: dict[str, Any] = json.loads(line)
        error = Path(job["ack"] + ".error")
        assert not error.exists(), error.read_text()
        return result

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


class Checker:
    """Recovers the store after each kill and compares it with an incremental clean replay."""

    def __init__(self, folder: Path) -> None:
        self.dir = folder
        self.ack = folder / "ack"
        self.clean = Replayer(verify=True)
        self.archives: dict[Path, tuple[Op, ...]] = {}

    def check(self) -> None:
        top, acked = read_acks(self.ack)
        store = open_store(self.dir, machine_id=MACHINE, settings=CFG)
        try:
            world, last = store.load()
            assert store.recovery is not None and store.recovery.quarantined == 0
            assert last >= top, f"acknowledged op {top} lost (log ends at {last})"
            ops = all_ops(self.dir, store, self.archives)
        finally:
            store.close()
        assert [o.seq for o in ops] == list(range(1, len(ops) + 1)), "seq is not gap-free"
        assert all(a.ts <= b.ts for a, b in itertools.pairwise(ops))
        rids = [r for r in (request_id(o) for o in ops if o.type == "input") if r]
        assert len(rids) == len(set(rids)), "an input was applied twice"
        assert set(acked) <= set(rids), "an acknowledged input is missing"
        intents = [json.loads(o.body)["effect_id"] for o in ops if o.type == "intent"]
        assert len(intents) == len(set(intents)), "an intent was recorded twice"
        for op in ops[self.clean.last_seq :]:
            self.clean.apply(op)
        assert codec.to_json(self.clean.world) == codec.to_json(world), "state != clean replay"


def failpoint_row(
    server: Server, folder: Path, name: str, quota: int, top: int, cfg: dict[str, int], seed: int
) -> int:
    """Kill a workload `quota` times at failpoint `name` (its n-th hit, n <= top)."""
    rng = random.Random(seed)
    checker = Checker(folder)
    done = attempts = 0
    while done < quota:
        attempts += 1
        assert attempts < quota * 4, f"`{name}` is not reached by the workload"
        job = {
            "dir": str(folder),
            "ack": str(checker.ack),
            "failpoints": f"{name}=kill@{rng.randint(1, top)}",
            "batches": 8,
            "seed": rng.randrange(10**6),
            **cfg,
        }
        result = server.run(job)
        if result["status"] == "killed":
            assert result["signal"] == 9
            done += 1
        else:
            assert result == {"status": "exited", "code": 0}, result
        checker.check()
    return done


def random_row(server: Server, folder: Path, kills: int, seed: int) -> int:
    """Kill a workload `kills` times at random moments."""
    rng = random.Random(seed)
    checker = Checker(folder)
    done = 0
    for _ in range(kills):
        job = {
            "dir": str(folder),
            "ack": str(checker.ack),
            "batches": 200,
            "seed": rng.randrange(10**6),
            "snapshot_ops": 15,
            "compact_ops": 25,
            # most kills land while writing; one in four during startup and recovery
            "after_ready": rng.random() < 0.75,
            "kill_after_s": rng.uniform(0.0, 0.08),
        }
        result = server.run(job)
        assert result["status"] == "killed" or result == {"status": "exited", "code": 0}
        done += result["status"] == "killed"
        checker.check()
    return done


@pytest.mark.slow
def test_crash_matrix_every_store_failpoint_and_random_times(tmp_path: Path) -> None:
    """Rows run two at a time (one fork server each): the kills wait on fsync, not the CPU."""
    tasks: list[tuple[str, Any, tuple[Any, ...]]] = [(row[0], failpoint_row, row) for row in ROWS]
    tasks += [(f"random{k}", random_row, (RANDOM_KILLS // 2,)) for k in range(2)]
    servers: queue.Queue[Server] = queue.Queue()
    for _ in range(2):
        servers.put(Server())

    def run(index: int, task: tuple[str, Any, tuple[Any, ...]]) -> int:
        name, fn, args = task
        folder = tmp_path / name
        folder.mkdir()
        server = servers.get()
        try:
            kills: int = fn(server, folder, *args, 1000 + index)
        finally:
            servers.put(server)
        return kills

    try:
        with ThreadPoolExecutor(2) as pool:
            kills = sum(pool.map(run, range(len(tasks)), tasks))
    finally:
        while not servers.empty():
            servers.get().close()
    assert kills >= 200


def test_a_migration_killed_midway_reruns_from_its_backup(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ack = str(tmp_path / "ack")
    assert server.run({"dir": str(tmp_path), "ack": ack, "batches": 5})["status"] == "exited"
    before = all_ops(tmp_path)
    job = {"dir": str(tmp_path), "ack": ack, "batches": 1, "migrate": True}
    result = server.run({**job, "failpoints": "store.migrate.mid=kill"})
    assert result["status"] == "killed"
    backups = list((tmp_path / "backups").glob("state-v1-*.db"))
    assert len(backups) == 1
    store = open_store(tmp_path, machine_id=MACHINE, readonly=True)  # still v1, nothing half-done
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == 1
    store.close()
    backup = open_store(backups[0], readonly=True, machine_id=MACHINE)
    assert list(backup.read_since(0)) == before
    backup.close()
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(migrations.MIGRATIONS, 2, migrations.MIGRATIONS.get(2) or _v2())
    store = open_store(tmp_path, machine_id=MACHINE, settings=CFG)
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == 2
    ops = list(store.read_since(0))
    assert ops[: len(before)] == before
    assert ops[-1].type == "marker" and '"kind":"migration"' in ops[-1].body
    store.load()
    store.close()
    assert len(list((tmp_path / "backups").glob("state-v1-*.db"))) == 2  # backed up again


def _v2() -> migrations.Migration:
    add_test_migration()
    return migrations.MIGRATIONS[2]
