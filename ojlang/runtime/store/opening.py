"""Opening a store (RUNTIME.md §6.2, §6.5, §6.7): a path in, a checked `SqliteStore` out.

`open_store` finishes an interrupted repair, opens the file in WAL mode with
`synchronous=FULL` (read back and asserted; the WAL checkpointed every 256 pages), runs
`PRAGMA quick_check`, then creates the schema of a new file, refuses a foreign, damaged or
newer one (exit 71, naming the recovery steps), or migrates an older one after a backup.
Readers open with `mode=ro` and change nothing.
With `background_check` (the daemon's start, `Journal.open`), a writable store already at the
current schema version runs the check in a thread (`quickcheck.py`) while the caller loads the
state; the store joins it before its first write and before `load()` returns.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from ojlang.runtime.store import migrations
from ojlang.runtime.store.errors import StoreRefused, refused
from ojlang.runtime.store.jsonl import fsync_dir
from ojlang.runtime.store.port import StoreSettings
from ojlang.runtime.store.quickcheck import QuickCheck, quick_check
from ojlang.runtime.store.sqlite import SqliteStore, db_path

REPAIRED = ".repaired"
# Checkpoint the WAL every 256 pages (1 MiB), not SQLite's 1000: the WAL is deleted at close and
# grows from nothing after each open, and a commit that grows it pays a block allocation in its
# fsync (single appends ~0.73x an fsync'd JSONL line while it grows, ~0.9x once it is reused).
WAL_CHECKPOINT_PAGES = 256


def _now_us() -> int:
    return time.time_ns() // 1000


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.text_factory = _text
    return conn


def _pragmas(conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        return
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes only on a new file: before WAL
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StoreRefused(f"cannot put `{path}` in WAL mode (got `{mode}`)")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA fullfsync = ON")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
    level = conn.execute("PRAGMA synchronous").fetchone()[0]
    if level != 2:
        raise StoreRefused(f"`synchronous=FULL` did not take on `{path}` (got {level})")


def _schema(
    conn: sqlite3.Connection, path: Path, readonly: bool, machine_id: str, project_id: str
) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0:
        if tables:
            raise refused(path, "tables are present but the schema version is 0")
        if readonly:
            raise StoreRefused(f"`{path}` holds no store yet")
        now = _now_us()
        migrations.create(
            conn, {"project_id": project_id, "created_by": machine_id, "created_us": str(now)}
        )
        return
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    if app != migrations.APPLICATION_ID:
        raise refused(path, f"not an oj store (application id {app:#x})")
    if version > migrations.SCHEMA_VERSION:
        raise StoreRefused(
            f"the store `{path}` has schema version {version}, newer than this oj "
            f"(version {migrations.SCHEMA_VERSION})",
            help=f"upgrade oj to a release that reads schema version {version}",
        )
    missing = {"meta", "ops", "snapshots", "events", "quarantine"} - tables
    if missing:
        raise refused(path, f"tables missing: {', '.join(sorted(missing))}")
    if version < migrations.SCHEMA_VERSION:
        if readonly:
            raise StoreRefused(
                f"the store `{path}` has schema version {version}; this oj needs "
                f"{migrations.SCHEMA_VERSION}",
                help="start the daemon once to migrate it (a backup is made first)",
            )
        migrations.migrate(conn, path, version, machine_id, _now_us())


def finish_repair(path: Path, stamp: int | None = None) -> Path | None:
    """Swap in a finished repair (`repair.py`), also when a crash interrupted it: the copy
    `state.db.repaired` replaces `state.db`, kept as `state.db.broken-<ts>`; that path out."""
    fresh = Path(f"{path}{REPAIRED}")
    if not fresh.exists():
        return None
    stamp = _now_us() if stamp is None else stamp
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if wal.exists():
        wal.rename(f"{path}.broken-{stamp}-wal")
    shm.unlink(missing_ok=True)
    if path.exists():
        path.rename(f"{path}.broken-{stamp}")
    fresh.rename(path)
    fsync_dir(path.parent)
    return Path(f"{path}.broken-{stamp}")


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
    """Open (or create) the store at `path` (a state directory or a `state.db`).

    Raises `StoreRefused` (exit 71) for a corrupt, foreign or newer store (with
    `background_check`, a failed `quick_check` is raised by `load()` or the first write)."""
    path = db_path(path)
    if not readonly:
        finish_repair(path)
    if not path.exists() and (readonly or not create):
        raise StoreRefused(f"no store at `{path}`", help="start the daemon to create one")
    if machine_id is None and readonly:
        machine_id = ""  # a reader writes nothing, so it needs no id
    elif machine_id is None:
        from ojlang.runtime.store.machine import machine_id as current_machine

        machine_id = current_machine()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = _connect(path, readonly)
    except sqlite3.Error as err:
        raise refused(path, str(err)) from None
    check: QuickCheck | None = None
    try:
        _pragmas(conn, path, readonly)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if background_check and not readonly and version == migrations.SCHEMA_VERSION:
            check = QuickCheck(path)
        else:
            verdict = quick_check(conn)
            if verdict != "ok":
                raise refused(path, f"`PRAGMA quick_check` failed: {verdict}")
        _schema(conn, path, readonly, machine_id, project_id)
        return SqliteStore(
            conn,
            path,
            readonly=readonly,
            settings=settings or StoreSettings(),
            machine_id=machine_id,
            check=check,
        )
    except StoreRefused:
        _abandon(conn, check)
        raise
    except (sqlite3.Error, ValueError) as err:
        _abandon(conn, check)
        raise refused(path, f"{type(err).__name__}: {err}") from None


def _abandon(conn: sqlite3.Connection, check: QuickCheck | None) -> None:
    if check is not None:
        check.wait()
    conn.close()
