"""The SQLite store (RUNTIME.md §6.1–6.4): a `.oj/state.db` path in, a `SqliteStore` out that
appends ops and events atomically, keeps snapshots and compacts the log.

Theory of operation. `open_store` opens the file in WAL mode with `synchronous=FULL` (read back
and asserted), runs `PRAGMA quick_check`, creates or migrates the schema (`migrations.py`) and
learns the last `seq` and `ts`. One process writes (the daemon's loop thread, or a CLI command
holding `run/daemon.lock`); every write is one `BEGIN IMMEDIATE … COMMIT`. `append_batch`
numbers drafts from `last_seq + 1`, refuses a `ts` that goes backwards, and writes the ops and
their events in one transaction: the group commit of §6.3. Any failure inside a write
transaction rolls back and marks the store failed; the caller gets `StoreIOError` (exit 70) and
nothing is retried in process. `put_snapshot` keeps the newest `keep_snapshots` and applies
event retention; `compact` exports then deletes the ops the oldest good snapshot covers.
Opening is `opening.py`; materializing the state is `load()` (see `recovery.py`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ojlang.runtime.core.events import Event
from ojlang.runtime.store import failpoints, migrations
from ojlang.runtime.store.errors import StoreIOError, StoreRefused, refused
from ojlang.runtime.store.jsonl import write_archive
from ojlang.runtime.store.ops import event_row, marker_draft
from ojlang.runtime.store.port import (
    OP_TYPES,
    CompactResult,
    Op,
    OpDraft,
    Snapshot,
    SnapshotInfo,
    StorePort,
    StoreSettings,
    snapshot_crc,
    storable,
)

if TYPE_CHECKING:
    from ojlang.runtime.core.world import World
    from ojlang.runtime.store.quickcheck import QuickCheck
    from ojlang.runtime.store.recovery import LoadReport

T = TypeVar("T")
OpRow = tuple[int, int, str, str, str, int]  # seq, ts, machine_id, type, body, crc32
DB_NAME = "state.db"
CHUNK = 5_000
_OPS = "SELECT seq, ts, machine_id, type, body, crc32 FROM ops"


def _now_us() -> int:
    return time.time_ns() // 1000


def db_path(path: str | os.PathLike[str]) -> Path:
    """A state directory (`.oj`) or a database file → the database file. A path that does not
    exist is a directory unless its name ends in `.db`."""
    p = Path(path)
    if p.is_dir() or (not p.exists() and p.suffix != ".db"):
        return p / DB_NAME
    return p


class SqliteStore:
    """The op log, snapshots, events and quarantine of one project (see the module doc)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        readonly: bool,
        settings: StoreSettings,
        machine_id: str,
        check: QuickCheck | None = None,
    ) -> None:
        self._conn = conn
        self._check = check  # `quick_check` still running (`opening.py`), joined before use
        self.path = path
        self.readonly = readonly
        self.settings = settings
        self.machine_id = machine_id
        self._failed: str | None = None
        self.meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        self.op_format: dict[str, int] = json.loads(self.meta.get("op_format", "{}"))
        row = conn.execute("SELECT seq, ts FROM ops ORDER BY seq DESC LIMIT 1").fetchone()
        self._last_seq, self._last_ts = (int(row[0]), int(row[1])) if row else (0, 0)
        self.recovery: LoadReport | None = None

    # -- state --------------------------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        return self._last_seq

    @property
    def last_ts(self) -> int:
        return self._last_ts

    @property
    def state_dir(self) -> Path:
        return self.path.parent

    def first_seq(self) -> int | None:
        row = self._conn.execute("SELECT seq FROM ops ORDER BY seq LIMIT 1").fetchone()
        return int(row[0]) if row else None

    def count(self, table: str) -> int:
        if table not in ("ops", "snapshots", "events", "quarantine"):
            raise ValueError(f"unknown table `{table}`")
        return int(self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def _checked(self) -> None:
        """Join the open's background `quick_check`; refuse the store when it failed."""
        check, self._check = self._check, None
        if check is not None:
            verdict = check.wait()
            if verdict != "ok":
                self._failed = f"`PRAGMA quick_check` failed: {verdict}"
                raise refused(self.path, self._failed)

    # -- writes -------------------------------------------------------------------------------

    def _transaction(self, body: Callable[[sqlite3.Connection], T], before_commit: str = "") -> T:
        if self.readonly:
            raise StoreRefused(f"`{self.path}` is open read-only")
        self._checked()
        if self._failed is not None:
            raise StoreIOError(
                f"the store stopped after a failed write ({self._failed})",
                help="restart the daemon; recovery (§6.5) brings the store back",
            )
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            result = body(conn)
            if before_commit:
                failpoints.hit(before_commit)
            conn.execute("COMMIT")
        except (sqlite3.Error, OSError, failpoints.FailpointError) as err:
            self._failed = f"{type(err).__name__}: {err}"
            self._rollback()
            raise StoreIOError(f"cannot write `{self.path}`: {err}") from err
        except BaseException:
            self._rollback()
            raise
        return result

    def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _rows(self, drafts: Sequence[OpDraft]) -> list[OpRow]:
        """`drafts` numbered from `last_seq + 1` and checked, as `ops` rows with their CRC
        (computed over the header, then the body bytes: the same `crc32` as `op_crc`)."""
        rows: list[OpRow] = []
        seq, ts = self._last_seq, self._last_ts
        for d in drafts:
            kind, body, now, mid = d.type, d.body, d.ts, d.machine_id
            if kind not in OP_TYPES:
                raise ValueError(f"unknown op type `{kind}`")
            if now < ts:
                raise ValueError(f"op time goes backwards: {now} after {ts}")
            if not mid:
                raise ValueError("an op needs a machine id")
            try:
                data = body.encode("utf-8")
            except UnicodeEncodeError as err:
                raise ValueError(f"op body is not valid UTF-8 text: {err}") from None
            seq, ts = seq + 1, now
            head = f"{seq}\t{now}\t{mid}\t{kind}\t".encode("utf-8", "surrogateescape")
            rows.append((seq, now, mid, kind, body, zlib.crc32(data, zlib.crc32(head))))
        return rows

    def _seal(self, drafts: Sequence[OpDraft]) -> list[Op]:
        return [Op(*row) for row in self._rows(drafts)]

    def append_batch(self, ops: Sequence[OpDraft], events: Sequence[Event] = ()) -> list[int]:
        """Append `ops` and `events` in one transaction; the new seqs out, once durable."""
        if not ops:
            return []
        rows = self._rows(ops)
        event_rows = [event_row(e) for e in events]

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT INTO ops VALUES (?, ?, ?, ?, ?, ?)", rows)
            if event_rows:
                conn.executemany(
                    "INSERT INTO events (seq, ts, name, subject, payload) VALUES (?, ?, ?, ?, ?)",
                    event_rows,
                )

        self._transaction(write, before_commit="store.before_commit")
        self._last_seq, self._last_ts = rows[-1][0], rows[-1][1]
        failpoints.hit("store.after_commit")
        return [row[0] for row in rows]

    def append(self, op: OpDraft, events: Sequence[Event] = ()) -> int:
        return self.append_batch([op], events)[0]

    def insert_verbatim(self, ops: Sequence[Op]) -> None:
        """Insert ops with their own seq and CRC (import); they must continue the log."""
        seq, ts = self._last_seq, self._last_ts
        for op in ops:
            if seq and op.seq != seq + 1:
                raise ValueError(f"op {op.seq} does not follow op {seq}")
            if op.ts < ts or not op.crc_ok:
                raise ValueError(f"op {op.seq} fails verification")
            seq, ts = op.seq, op.ts
        rows = [(o.seq, o.ts, o.machine_id, o.type, o.body, o.crc32) for o in ops]
        self._transaction(lambda c: c.executemany("INSERT INTO ops VALUES (?,?,?,?,?,?)", rows))
        if ops:
            self._last_seq, self._last_ts = seq, ts

    def _marker_row(
        self, kind: str, details: dict[str, Any], now_us: int, machine_id: str = ""
    ) -> Op:
        ts = max(now_us, self._last_ts)
        return self._seal([marker_draft(kind, details, ts, machine_id or self.machine_id)])[0]

    def _insert_op(self, conn: sqlite3.Connection, op: Op) -> None:
        conn.execute(
            "INSERT INTO ops VALUES (?, ?, ?, ?, ?, ?)",
            (op.seq, op.ts, op.machine_id, op.type, op.body, op.crc32),
        )

    def append_marker(self, kind: str, details: dict[str, Any], now_us: int) -> int:
        """Append a `marker` op (`daemon_start`, `daemon_stop`, …); its seq out."""
        op = self._marker_row(kind, details, now_us)
        self._transaction(lambda c: self._insert_op(c, op), before_commit="store.before_commit")
        self._last_seq, self._last_ts = op.seq, op.ts
        return op.seq

    def set_meta(self, key: str, value: str) -> None:
        self._transaction(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )
        )
        self.meta[key] = value

    # -- reads --------------------------------------------------------------------------------

    def read_since(self, after_seq: int, limit: int | None = None) -> Iterator[Op]:
        """Ops with `seq > after_seq` in order (read in chunks), at most `limit`."""
        return self.read_range(after_seq + 1, None, limit)

    def read_range(self, lo: int, hi: int | None = None, limit: int | None = None) -> Iterator[Op]:
        """Ops with `lo <= seq <= hi` in order, at most `limit`."""
        left = limit
        cursor_seq = lo - 1
        top = hi if hi is not None else sys.maxsize
        while left is None or left > 0:
            n = CHUNK if left is None else min(CHUNK, left)
            rows = self._conn.execute(
                f"{_OPS} WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?", (cursor_seq, top, n)
            ).fetchall()
            for row in rows:
                yield Op(*row)
            if len(rows) < n:
                return
            cursor_seq = rows[-1][0]
            if left is not None:
                left -= len(rows)

    def events_since(self, after_id: int = 0, limit: int = 1000) -> list[tuple[Any, ...]]:
        return self._conn.execute(
            "SELECT id, seq, ts, name, subject, payload FROM events WHERE id > ? "
            "ORDER BY id LIMIT ?",
            (after_id, limit),
        ).fetchall()

    def quarantined(self) -> list[tuple[Any, ...]]:
        return self._conn.execute(
            "SELECT seq, ts, machine_id, type, body, crc32, reason, moved_us FROM quarantine "
            "ORDER BY rowid"
        ).fetchall()

    # -- snapshots ----------------------------------------------------------------------------

    def snapshots(self) -> list[SnapshotInfo]:
        """Stored snapshots, newest first."""
        rows = self._conn.execute(
            "SELECT seq, ts, schema_version, size, crc32 FROM snapshots ORDER BY seq DESC"
        ).fetchall()
        return [SnapshotInfo(*row) for row in rows]

    def read_snapshot(self, seq: int) -> Snapshot | None:
        row = self._conn.execute(
            "SELECT seq, ts, schema_version, size, crc32, body FROM snapshots WHERE seq = ?",
            (seq,),
        ).fetchone()
        if row is None:
            return None
        body = row[5] if isinstance(row[5], bytes) else b""
        return Snapshot(SnapshotInfo(*row[:5]), body)

    def put_snapshot(self, seq: int, ts: int, body: bytes, machine_id: str = "") -> int:
        """Store a snapshot of the state after op `seq` (a batch boundary), drop snapshots past
        `keep_snapshots`, apply event retention, write `marker{snapshot}`; the marker seq out."""
        if not 0 <= seq <= self._last_seq:
            raise ValueError(f"snapshot at {seq} is outside the log (last op {self._last_seq})")
        version = migrations.SNAPSHOT_SCHEMA
        crc = snapshot_crc(seq, ts, version, body)
        s = self.settings
        now = max(ts, self._last_ts)
        marker = self._marker_row("snapshot", {"seq": seq, "bytes": len(body)}, now, machine_id)

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?, ?, ?)",
                (seq, ts, version, body, crc, len(body)),
            )
            failpoints.hit("store.mid_snapshot")
            conn.execute(
                "DELETE FROM snapshots WHERE seq NOT IN "
                "(SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?)",
                (s.keep_snapshots,),
            )
            # event time never decreases along `id`: delete the prefix older than the cutoff
            conn.execute(
                "DELETE FROM events WHERE id < coalesce("
                "(SELECT id FROM events WHERE ts >= ? ORDER BY id LIMIT 1),"
                " (SELECT max(id) + 1 FROM events))",
                (now - s.events_retention_us,),
            )
            conn.execute(
                "DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?",
                (s.events_max_rows,),
            )
            self._insert_op(conn, marker)

        self._transaction(write)
        self._last_seq, self._last_ts = marker.seq, marker.ts
        return marker.seq

    # -- compaction ---------------------------------------------------------------------------

    def compact_point(self) -> int:
        """The seq the log can be compacted up to: the oldest kept snapshot that verifies."""
        for info in reversed(self.snapshots()):
            snap = self.read_snapshot(info.seq)
            if snap is not None and snap.crc_ok:
                return info.seq
        return 0

    def compact_due(self) -> bool:
        first = self.first_seq()
        oldest = min((i.seq for i in self.snapshots()), default=0)
        return first is not None and oldest - first + 1 > self.settings.compact_ops

    def compact(self, *, export: bool | None = None, now_us: int | None = None) -> CompactResult:
        """Export (when configured) then delete the ops covered by the oldest good snapshot."""
        up_to, first = self.compact_point(), self.first_seq()
        if first is None or up_to < first:
            return CompactResult(0, 0, None)
        export = self.settings.export_before_compact if export is None else export
        archive = None
        if export:
            target = self.state_dir / "archive" / f"ops-{first}-{up_to}.jsonl.gz"
            archive = str(write_archive(self.read_range(first, up_to), target))
        failpoints.hit("store.compact.before_delete")
        now = _now_us() if now_us is None else now_us
        details = {"up_to": up_to, "deleted": up_to - first + 1, "archive": archive}
        marker = self._marker_row("compaction", details, now)

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM ops WHERE seq <= ?", (up_to,))
            self._insert_op(conn, marker)

        self._transaction(write)
        self._last_seq, self._last_ts = marker.seq, marker.ts
        failpoints.hit("store.compact.after_delete")
        self.checkpoint()
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA incremental_vacuum")
        return CompactResult(up_to, up_to - first + 1, archive)

    def checkpoint(self) -> None:
        # readers may hold the WAL: the next checkpoint catches up
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    # -- quarantine ---------------------------------------------------------------------------

    def quarantine_from(self, seq: int, reason: str, now_us: int | None = None) -> int:
        """Move op `seq` and every later op to `quarantine` (their events deleted) and write
        `marker{repair}`; the number of ops moved out."""
        now = _now_us() if now_us is None else now_us
        rows = self._conn.execute(
            "SELECT seq, ts, machine_id, type, body, crc32 FROM ops WHERE seq >= ?", (seq,)
        ).fetchall()
        if not rows:
            return 0
        prev = self._conn.execute(
            "SELECT seq, ts FROM ops WHERE seq < ? ORDER BY seq DESC LIMIT 1", (seq,)
        ).fetchone()
        self._last_seq, self._last_ts = (int(prev[0]), int(prev[1])) if prev else (seq - 1, 0)
        details = {"from": seq, "quarantined": len(rows), "reason": reason}
        marker = self._marker_row("repair", details, now)

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [storable((*r, reason, now)) for r in rows],
            )
            conn.execute("DELETE FROM ops WHERE seq >= ?", (seq,))
            conn.execute("DELETE FROM events WHERE seq >= ?", (seq,))
            self._insert_op(conn, marker)

        try:
            self._transaction(write)
        except BaseException:
            last = self._conn.execute("SELECT seq, ts FROM ops ORDER BY seq DESC LIMIT 1")
            row = last.fetchone()
            self._last_seq, self._last_ts = (int(row[0]), int(row[1])) if row else (0, 0)
            raise
        self._last_seq, self._last_ts = marker.seq, marker.ts
        return len(rows)

    # -- materialization ----------------------------------------------------------------------

    def load(
        self, *, verify_replay: bool | None = None, salvage: bool = False
    ) -> tuple[World, int]:
        """The live state: newest good snapshot + replay of the later ops (§6.4–6.5). The seq
        the state stands at out; details (replayed, quarantined, warnings) in `self.recovery`.
        Raises `StoreRefused` (exit 71) when the log cannot be trusted."""
        from ojlang.runtime.store.recovery import load

        verify = self.settings.verify_replay if verify_replay is None else verify_replay
        try:
            world, report = load(self, verify=verify, salvage=salvage)
        except sqlite3.DatabaseError as err:
            self._checked()  # the check's verdict names the damage better
            raise refused(self.path, f"{type(err).__name__}: {err}") from None
        self._checked()
        self.recovery = report
        return world, self._last_seq

    # -- housekeeping -------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        ops = self.count("ops")
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return {
            "path": str(self.path),
            "schema_version": migrations.SCHEMA_VERSION,
            "created_by": self.meta.get("created_by", ""),
            "created_us": int(self.meta.get("created_us", "0") or 0),
            "ops": ops,
            "first_seq": self.first_seq(),
            "last_seq": self._last_seq,
            "last_ts": self._last_ts,
            "snapshots": [
                {"seq": s.seq, "ts": s.ts, "bytes": s.size, "schema_version": s.schema_version}
                for s in self.snapshots()
            ],
            "events": self.count("events"),
            "quarantine": self.count("quarantine"),
            "bytes": size,
            "bytes_per_op": round(size / ops, 1) if ops else None,
        }

    def quick_check(self) -> str:
        rows = self._conn.execute("PRAGMA quick_check").fetchall()
        return "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:5])

    def close(self) -> None:
        if self._check is not None:
            self._check.wait()
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    path: str | os.PathLike[str],
    *,
    readonly: bool = False,
    create: bool = True,
    settings: StoreSettings | None = None,
    machine_id: str | None = None,
    project_id: str = "",
    background_check: bool = False,
) -> SqliteStore:
    """Open (or create) the store at `path`: see `opening.open_store`."""
    from ojlang.runtime.store import opening

    return opening.open_store(
        path,
        readonly=readonly,
        create=create,
        settings=settings,
        machine_id=machine_id,
        project_id=project_id,
        background_check=background_check,
    )


def _conforms(store: SqliteStore) -> StorePort:
    return store  # mypy checks the SQLite store against the port
