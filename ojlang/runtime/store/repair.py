"""`oj wal repair` (RUNTIME.md §6.5): a damaged `state.db` in, a fresh database holding every row
that still reads back with a valid CRC out; the old file is kept as `state.db.broken-<ts>`.

Rows are read chunk by chunk, then one by one where a chunk fails, so one unreadable page costs
only its rows. Ops with a valid CRC are copied as they are (a gap stays a gap: the next open
names `oj wal repair --from SEQ` for it); ops with a bad CRC go to the new `quarantine` table,
so nothing readable is dropped. The copy is built as `state.db.repairing.db`, closed, fsynced,
renamed `state.db.repaired`, and only then swapped in (`opening.finish_repair`, which the next
open also runs if the swap was interrupted). `daemon_lock` is the flock of `run/daemon.lock`:
the caller holds it so there is still one writer.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from ojlang.runtime.store.errors import StoreError
from ojlang.runtime.store.opening import REPAIRED, finish_repair, open_store
from ojlang.runtime.store.ops import marker_draft
from ojlang.runtime.store.port import Op, snapshot_crc, storable

CHUNK = 1_000


class StoreBusy(StoreError):
    """Another process (the daemon) holds `run/daemon.lock`."""

    exit_code = 1


@contextmanager
def daemon_lock(state_dir: Path) -> Iterator[None]:
    """Hold `run/daemon.lock` (flock, non-blocking) for the block; `StoreBusy` if it is taken."""
    path = state_dir / "run" / "daemon.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy(
                "the daemon is running and owns the store",
                help="stop it first: `oj daemon stop`",
            ) from None
        yield
    finally:
        os.close(fd)


@attrs.frozen
class RepairReport:
    copied: int
    quarantined: int  # ops with a bad CRC, kept in the new `quarantine`
    unreadable: int  # rows SQLite could not read at all
    snapshots: int
    broken: str  # where the old file went


def _rows(conn: sqlite3.Connection, table: str, cols: str, key: str) -> tuple[list[Any], int]:
    """Every readable row of `table` in `key` order, and how many could not be read."""
    try:
        top = conn.execute(f"SELECT max({key}) FROM {table}").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        top = 0
    rows: list[Any] = []
    lost = 0
    lo = 0
    while True:
        try:
            chunk = conn.execute(
                f"SELECT {cols} FROM {table} WHERE {key} > ? ORDER BY {key} LIMIT ?", (lo, CHUNK)
            ).fetchall()
        except sqlite3.DatabaseError:
            end = lo + CHUNK
            for k in range(lo + 1, end + 1):
                try:
                    rows += conn.execute(
                        f"SELECT {cols} FROM {table} WHERE {key} = ?", (k,)
                    ).fetchall()
                except sqlite3.DatabaseError:
                    lost += 1
            lo = end
            if lo >= top:
                break
            continue
        rows += chunk
        if len(chunk) < CHUNK:
            break
        lo = chunk[-1][0]
    return rows, lost


def repair(path: Path, machine_id: str, now_us: int | None = None) -> RepairReport:
    """Rebuild the store at `path` (a `state.db`) from its readable rows (module doc)."""
    now = time.time_ns() // 1000 if now_us is None else now_us
    src = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    src.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
    try:
        meta = _safe(src, "SELECT key, value FROM meta")
        ops, lost = _rows(src, "ops", "seq, ts, machine_id, type, body, crc32", "seq")
        snaps, lost_s = _rows(src, "snapshots", "seq, ts, schema_version, body, crc32, size", "seq")
        events, _ = _rows(src, "events", "id, seq, ts, name, subject, payload", "id")
        quarantine = _safe(src, "SELECT * FROM quarantine")
    finally:
        src.close()
    work = Path(f"{path}.repairing.db")
    for p in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        p.unlink(missing_ok=True)
    good = [Op(*r) for r in ops if Op(*r).crc_ok]
    bad = [r for r in ops if not Op(*r).crc_ok]
    end = good[-1].seq if good else 0  # nothing may claim ops past the end of the copied log
    good_snaps = [
        s
        for s in snaps
        if isinstance(s[3], bytes) and snapshot_crc(s[0], s[1], s[2], s[3]) == s[4] and s[0] < end
    ]
    events = [e for e in events if isinstance(e[1], int) and e[1] <= end]
    store = open_store(work, machine_id=machine_id)
    conn = store._conn
    last = good[-1] if good else None
    details = {"copied": len(good), "quarantined": len(bad), "unreadable": lost + lost_s}
    marker = Op.sealed(
        last.seq + 1 if last else 1,
        marker_draft("repair", details, max(now, last.ts if last else 0), machine_id),
    )
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)
    conn.executemany("INSERT INTO ops VALUES (?, ?, ?, ?, ?, ?)", [attrs.astuple(o) for o in good])
    conn.executemany("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?)", good_snaps)
    conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", events)
    conn.executemany(
        "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [storable(r) for r in quarantine]
    )
    conn.executemany(
        "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [storable((*r, "crc mismatch (repair)", now)) for r in bad],
    )
    conn.execute("INSERT INTO ops VALUES (?, ?, ?, ?, ?, ?)", attrs.astuple(marker))
    conn.execute("COMMIT")
    store.close()
    with open(work, "rb+") as f:
        os.fsync(f.fileno())
    work.rename(f"{path}{REPAIRED}")
    broken = finish_repair(path, now)
    return RepairReport(len(good), len(bad), lost + lost_s, len(good_snaps), str(broken))


def _safe(conn: sqlite3.Connection, sql: str) -> list[Any]:
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.DatabaseError:
        return []
