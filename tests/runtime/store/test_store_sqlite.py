"""The SQLite store: durability settings, gap-free appends with events, failed commits,
snapshot retention, event retention, compaction and refusals at open."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest
from store_kit import MACHINE, T0, S, all_ops, run_job, work_graph

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.events import Event
from ojlang.runtime.store import failpoints, migrations
from ojlang.runtime.store.errors import StoreIOError, StoreRefused
from ojlang.runtime.store.jsonl import read_ops
from ojlang.runtime.store.ops import input_draft, marker_draft
from ojlang.runtime.store.port import OpDraft, StoreSettings
from ojlang.runtime.store.sqlite import SqliteStore, open_store


def draft(n: int, ts: int = T0) -> OpDraft:
    return input_draft(i.QueueAdd("jobs", {"id": f"x{n}"}, request_id=f"r{n}"), ts, MACHINE)


def new_store(path: Path, **settings: int) -> SqliteStore:
    return open_store(path, machine_id=MACHINE, settings=StoreSettings(**settings))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_failpoints() -> object:
    yield
    failpoints.configure(None)


def test_open_creates_the_schema_with_wal_and_full_sync(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # INCREMENTAL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    assert store.meta["created_by"] == MACHINE
    assert (store.last_seq, store.first_seq()) == (0, None)
    store.close()
    assert (tmp_path / "state.db").exists()


def test_appends_are_numbered_gap_free_with_crc_and_events(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    ev = Event("queue:item:added", "jobs", T0, 1, {"item": "x1"})
    assert store.append_batch([draft(1), draft(2, T0 + 5)], [ev]) == [1, 2]
    assert store.append(draft(3, T0 + 5)) == 3
    ops = list(store.read_since(0))
    assert [o.seq for o in ops] == [1, 2, 3]
    assert all(o.crc_ok for o in ops)
    assert [o.seq for o in store.read_since(1, limit=1)] == [2]
    assert store.events_since() == [
        (1, 1, T0, "queue:item:added", "jobs", '{"item":"x1"}'),
    ]
    assert (store.last_seq, store.last_ts) == (3, T0 + 5)


@pytest.mark.parametrize(
    "bad, message",
    [
        (OpDraft("input", "{}", T0 - 1, MACHINE), "backwards"),
        (OpDraft("bogus", "{}", T0, MACHINE), "unknown op type"),
        (OpDraft("input", "{}", T0, ""), "machine id"),
        (OpDraft("input", '"\udcff"', T0, MACHINE), "UTF-8"),
    ],
)
def test_a_bad_draft_writes_nothing(tmp_path: Path, bad: OpDraft, message: str) -> None:
    store = new_store(tmp_path)
    store.append(draft(1))
    with pytest.raises(ValueError, match=message):
        store.append_batch([draft(2), bad])
    assert [o.seq for o in store.read_since(0)] == [1]
    store.append(draft(2))  # the store is still usable
    assert store.last_seq == 2


@pytest.mark.parametrize("action", ["ioerror", "raise"])
def test_a_failed_commit_rolls_back_and_stops_the_store(tmp_path: Path, action: str) -> None:
    store = new_store(tmp_path)
    store.append(draft(1))
    failpoints.configure(f"store.before_commit={action}")
    with pytest.raises(StoreIOError) as info:
        store.append_batch([draft(2), draft(3)])
    assert info.value.exit_code == 70
    failpoints.configure(None)
    with pytest.raises(StoreIOError, match="stopped after a failed write"):
        store.append(draft(2))
    store.close()
    again = new_store(tmp_path)
    assert [o.seq for o in again.read_since(0)] == [1]
    assert again.count("events") == 0


def test_snapshots_keep_the_newest_three_with_markers(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    for n in range(1, 6):
        store.append(draft(n, T0 + n))
        marker = store.put_snapshot(store.last_seq, store.last_ts, f"w{n}".encode())
        assert marker == store.last_seq
    assert [s.seq for s in store.snapshots()] == [9, 7, 5]
    snap = store.read_snapshot(9)
    assert snap is not None and snap.crc_ok and snap.body == b"w5"
    markers = [o for o in store.read_since(0) if o.type == "marker"]
    assert len(markers) == 5 and '"kind":"snapshot"' in markers[-1].body
    with pytest.raises(ValueError, match="outside the log"):
        store.put_snapshot(store.last_seq + 1, T0, b"x")


def test_event_retention_applies_at_snapshot_time(tmp_path: Path) -> None:
    store = new_store(tmp_path, events_retention_us=100 * S, events_max_rows=3)
    old = [Event("lock:acquired", "L", T0, 1, {})]
    store.append(draft(1), old)
    recent = [Event("lock:released", "L", T0 + 200 * S, 2, {"n": n}) for n in range(5)]
    store.append(draft(2, T0 + 200 * S), recent)
    store.put_snapshot(2, T0 + 200 * S, b"w")
    rows = store.events_since()
    assert [r[3] for r in rows] == ["lock:released"] * 3
    assert [r[5] for r in rows] == ['{"n":2}', '{"n":3}', '{"n":4}']


def test_compaction_archives_then_deletes_what_the_oldest_snapshot_covers(tmp_path: Path) -> None:
    store = new_store(tmp_path, compact_ops=3)
    for n in range(1, 9):
        store.append(draft(n, T0 + n))
        if n in (4, 6, 8):
            store.put_snapshot(store.last_seq, store.last_ts, b"w")
    before = list(store.read_range(1, 4))
    assert store.compact_due()
    result = store.compact(now_us=T0 + 100)
    assert (result.up_to, result.deleted) == (4, 4)
    assert result.archive == str(tmp_path / "archive" / "ops-1-4.jsonl.gz")
    archived = read_ops(gzip.decompress(Path(result.archive).read_bytes()))
    assert list(archived.ops) == before
    assert store.first_seq() == 5
    last = list(store.read_since(store.last_seq - 1))[-1]
    assert last.type == "marker" and '"kind":"compaction"' in last.body
    assert store.compact().up_to == 0 or store.first_seq() == 5  # nothing new is covered


def test_compaction_skips_a_corrupt_oldest_snapshot(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    for n in range(1, 5):
        store.append(draft(n, T0 + n))
        store.put_snapshot(store.last_seq, store.last_ts, b"w")
    oldest = store.snapshots()[-1].seq
    store._conn.execute("UPDATE snapshots SET crc32 = crc32 + 1 WHERE seq = ?", (oldest,))
    assert store.compact_point() == store.snapshots()[-2].seq
    assert store.compact(export=False).up_to == store.snapshots()[-2].seq


def test_compaction_without_a_snapshot_does_nothing(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    store.append(draft(1))
    assert not store.compact_due()
    assert store.compact().up_to == 0
    assert store.first_seq() == 1


def test_read_only_opens_read_and_refuse_writes(tmp_path: Path) -> None:
    run_job({"dir": str(tmp_path), "ack": str(tmp_path / "ack"), "batches": 5})
    ro = open_store(tmp_path, readonly=True, machine_id=MACHINE)
    assert ro.count("ops") > 0
    with pytest.raises(StoreRefused, match="read-only"):
        ro.append(draft(1, T0 * 2))
    assert all_ops(tmp_path)[0].seq == 1
    with pytest.raises(StoreRefused, match="no store"):
        open_store(tmp_path / "elsewhere", readonly=True, machine_id=MACHINE)


def test_a_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    new_store(tmp_path).close()
    with sqlite3.connect(tmp_path / "state.db") as conn:
        conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    with pytest.raises(StoreRefused) as info:
        new_store(tmp_path)
    assert info.value.exit_code == 71
    assert f"schema version {migrations.SCHEMA_VERSION + 1}" in info.value.message


def test_foreign_and_garbage_files_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreRefused, match="schema version is 0"):
        new_store(foreign)
    with sqlite3.connect(foreign) as conn:
        conn.execute("PRAGMA user_version = 1")
    with pytest.raises(StoreRefused, match="not an oj store"):
        new_store(foreign)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreRefused) as info:
        new_store(garbage)
    assert "oj wal repair" in (info.value.help or "")


def test_markers_are_ops(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    assert store.append_marker("daemon_start", {"pid": 7}, T0) == 1
    (op,) = store.read_since(0)
    assert (op.type, op.body) == ("marker", '{"details":{"pid":7},"kind":"daemon_start"}')


def test_markers_must_be_known() -> None:
    with pytest.raises(ValueError, match="unknown marker"):
        marker_draft("party", {}, T0, MACHINE)


def test_stats_describe_the_store(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    store.append_batch([draft(1), draft(2)])
    store.put_snapshot(2, T0, b"snap")
    s = store.stats()
    assert (s["ops"], s["first_seq"], s["last_seq"], s["events"], s["quarantine"]) == (
        3,
        1,
        3,
        0,
        0,
    )
    assert s["snapshots"] == [{"seq": 2, "ts": T0, "bytes": 4, "schema_version": 1}]
    assert s["bytes_per_op"] > 0


def test_the_graph_of_the_workload_steps_cleanly() -> None:
    from ojlang.runtime.core.world import World, step

    world, _effects = step(World(), i.Reload(work_graph(), "r"), T0, 1, MACHINE)
    assert world.graph_hash == work_graph().content_hash()
