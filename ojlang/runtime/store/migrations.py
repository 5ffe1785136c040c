"""Schema versions and migrations (RUNTIME.md §6.7): a connection at version N in, the same
database at `SCHEMA_VERSION` out (with a backup first); snapshot upgraders and op upcasters.

`PRAGMA user_version` holds the table schema version; version 0 with no tables is a new store
and "migrating" it to 1 creates the schema of §6.1. Each later step is an ordered `Migration`
(SQL for tables) run in its own `BEGIN IMMEDIATE` transaction that also sets `user_version` and
appends a `marker{migration}` op, so a crash mid-way rolls back and the next open re-runs it.
Before the first step on an existing store the database is copied with the SQLite backup API to
`backups/state-v<N>-<ts>.db` beside it. Snapshots carry `schema_version` (the `World` JSON
format): `upgrade_snapshot` applies `SNAPSHOT_UPGRADES[n]` (dict → dict) from their version up.
Op bodies are never rewritten: `upcast` applies `UPCASTERS[(type, n)]` on read, from the format
recorded in `meta.op_format` up to `OP_FORMAT`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from ojlang.runtime.store import failpoints
from ojlang.runtime.store.port import Op, op_crc

SCHEMA_VERSION = 1
SNAPSHOT_SCHEMA = 1
OP_FORMAT: dict[str, int] = {"input": 1, "intent": 1, "graph": 1, "marker": 1}
APPLICATION_ID = 0x6F6A6C67  # "ojlg": not an oj store when different

SCHEMA_V1 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE ops (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, machine_id TEXT NOT NULL,"
    " type TEXT NOT NULL CHECK (type IN ('input','intent','graph','marker')),"
    " body TEXT NOT NULL, crc32 INTEGER NOT NULL)",
    "CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
    " schema_version INTEGER NOT NULL, body BLOB NOT NULL, crc32 INTEGER NOT NULL,"
    " size INTEGER NOT NULL)",
    "CREATE TABLE events (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, ts INTEGER NOT NULL,"
    " name TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL)",
    "CREATE INDEX events_name ON events(name, ts)",
    "CREATE INDEX events_subject ON events(subject, ts)",
    "CREATE TABLE quarantine (seq INTEGER, ts INTEGER, machine_id TEXT, type TEXT, body TEXT,"
    " crc32 INTEGER, reason TEXT NOT NULL, moved_us INTEGER NOT NULL)",
)


@attrs.frozen
class Migration:
    """The step from `to_version - 1` to `to_version`."""

    to_version: int
    sql: tuple[str, ...]
    run: Callable[[sqlite3.Connection], None] | None = None


MIGRATIONS: dict[int, Migration] = {}
SNAPSHOT_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upgrade_snapshot(data: dict[str, Any], version: int) -> dict[str, Any]:
    """A snapshot's `World` JSON from `version` up to `SNAPSHOT_SCHEMA`; `KeyError` if a step
    is missing."""
    for n in range(version, SNAPSHOT_SCHEMA):
        data = SNAPSHOT_UPGRADES[n](data)
    return data


def upcast(type: str, body: dict[str, Any], version: int) -> dict[str, Any]:
    """An op body written at format `version`, as the current code reads it."""
    for n in range(version, OP_FORMAT.get(type, version)):
        body = UPCASTERS[(type, n)](body)
    return body


def needs_upcast(op_format: dict[str, int]) -> bool:
    return any(op_format.get(t, v) < v for t, v in OP_FORMAT.items())


def create(conn: sqlite3.Connection, meta: dict[str, str]) -> None:
    """Create the v1..current schema in an empty database (one transaction)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for stmt in SCHEMA_V1:
            conn.execute(stmt)
        for key, value in meta.items():
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('op_format', ?), ('min_reader_version', ?)",
            (json.dumps(OP_FORMAT, sort_keys=True), str(SCHEMA_VERSION)),
        )
        for version in range(2, SCHEMA_VERSION + 1):
            _apply(conn, MIGRATIONS[version])
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _apply(conn: sqlite3.Connection, migration: Migration) -> None:
    for stmt in migration.sql:
        conn.execute(stmt)
    if migration.run is not None:
        migration.run(conn)


def backup(conn: sqlite3.Connection, db_path: Path, version: int, now_us: int) -> Path:
    """Copy the database with the SQLite backup API to `backups/state-v<N>-<ts>.db`."""
    folder = db_path.parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"state-v{version}-{now_us}.db"
    dst = sqlite3.connect(target)
    try:
        conn.backup(dst)
    finally:
        dst.close()
    return target


def migrate(
    conn: sqlite3.Connection, db_path: Path, version: int, machine_id: str, now_us: int
) -> list[Path]:
    """Bring a store at `version` (1 ≤ version < SCHEMA_VERSION) to `SCHEMA_VERSION`."""
    backups = [backup(conn, db_path, version, now_us)]
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            _apply(conn, MIGRATIONS[target])
            failpoints.hit("store.migrate.mid")
            _marker(conn, target - 1, target, machine_id, now_us)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return backups


def _marker(conn: sqlite3.Connection, old: int, new: int, machine_id: str, now_us: int) -> None:
    row = conn.execute("SELECT seq, ts FROM ops ORDER BY seq DESC LIMIT 1").fetchone()
    seq, ts = (row[0] + 1, max(now_us, row[1])) if row else (1, now_us)
    body = json.dumps(
        {"details": {"from": old, "to": new}, "kind": "migration"},
        sort_keys=True,
        separators=(",", ":"),
    )
    op = Op(seq, ts, machine_id, "marker", body, op_crc(seq, ts, machine_id, "marker", body))
    conn.execute("INSERT INTO ops VALUES (?, ?, ?, ?, ?, ?)", attrs.astuple(op))
