"""`oj wal stats|export|import|compact|verify|repair|replay` (RUNTIME.md §6, §10): argv in, the
store read or maintained directly, text or JSON out.

The typer sub-app is declared here with no heavy import: the store (and `sqlite3`) load only
when a `wal` command runs, so `oj check` never imports them. `stats`, `export`, `verify` and
`replay` open the store read-only; `compact`, `repair` and `import` take `run/daemon.lock`
first, so there is still one writer. The store is `.oj/state.db` of the project found from the
working directory, or `--db PATH` (a state directory or a database file). Exit codes: 0 ok,
1 findings or refused by state (daemon running, corrupt export, problems found by `verify`),
2 usage, 70 store I/O failure, 71 store refused (corrupt, unreadable, newer than this oj).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ojlang.runtime.store.sqlite import SqliteStore

wal_app = typer.Typer(
    name="wal",
    help="Inspect, export, import, compact, verify and repair the store (the op log).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="state directory or state.db (default: .oj/ of the project)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="machine output on stdout")]


def _err(message: str, help: str | None = None, code: int = 1) -> int:
    sys.stderr.write(f"error: {message}\n")
    if help:
        sys.stderr.write(f"  help: {help}\n")
    return code


def _db(db: Path | None) -> Path:
    from ojlang.project import find_root
    from ojlang.runtime.store.sqlite import db_path

    if db is not None:
        return db_path(db)
    return find_root(Path.cwd()) / ".oj" / "state.db"


def _guard(fn: Any, *args: Any) -> int:
    """Run a command body; store errors become `error:`/`help:` lines and their exit code."""
    from ojlang.runtime.store.errors import StoreError

    try:
        code: int = fn(*args)
    except StoreError as err:
        return _err(err.message, err.help, err.exit_code)
    except OSError as err:  # a file we were asked to read or write
        where = f" `{err.filename}`" if err.filename else ""
        return _err(f"cannot access{where}: {err.strerror or err}")
    return code


def _open(db: Path | None, readonly: bool = True) -> SqliteStore:
    from ojlang.runtime.store.sqlite import open_store

    return open_store(_db(db), readonly=readonly, create=False)


def _print_json(kind: str, data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps({"schema": f"oj.{kind}/1", **data}, ensure_ascii=False) + "\n")


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


# -- stats ------------------------------------------------------------------------------------


def run_stats(db: Path | None, as_json: bool) -> int:
    with _open(db) as store:
        s = store.stats()
    if as_json:
        _print_json("wal_stats", s)
        return 0
    span = f"seq {s['first_seq']}–{s['last_seq']}" if s["ops"] else "empty"
    snaps = ", ".join(f"{x['seq']} ({_size(x['bytes'])})" for x in s["snapshots"]) or "none"
    per_op = f" ({s['bytes_per_op']} bytes per op)" if s["bytes_per_op"] else ""
    sys.stdout.write(
        f"store       {s['path']} (schema {s['schema_version']}, created by {s['created_by']})\n"
        f"ops         {s['ops']} ({span})\n"
        f"snapshots   {snaps}\n"
        f"events      {s['events']}\n"
        f"quarantine  {s['quarantine']}\n"
        f"size        {_size(s['bytes'])}{per_op}\n"
    )
    return 0


@wal_app.command()
def stats(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Sizes and ranges of the op log, snapshots, events and quarantine."""
    raise typer.Exit(_guard(run_stats, db, as_json))


# -- export / import --------------------------------------------------------------------------


def run_export(db: Path | None, lo: int | None, hi: int | None, output: Path | None) -> int:
    from ojlang.runtime.store.jsonl import export_ops, write_archive

    with _open(db) as store:
        ops = store.read_range(lo or 0, hi)
        if output is None:
            export_ops(ops, sys.stdout)
            return 0
        write_archive(ops, output)
    sys.stderr.write(f"exported to {output}\n")
    return 0


@wal_app.command()
def export(
    jsonl: Annotated[bool, typer.Option("--jsonl", help="JSONL (the only format)")] = True,
    from_: Annotated[int | None, typer.Option("--from", help="first seq")] = None,
    to: Annotated[int | None, typer.Option("--to", help="last seq")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="file (gzip when it ends in .gz)")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export ops as JSONL, one line per op with its CRC (stdout by default)."""
    raise typer.Exit(_guard(run_export, db, from_, to, output))


def run_import(file: Path, into: Path, salvage: bool) -> int:
    from ojlang.runtime.store.jsonl import import_file
    from ojlang.runtime.store.repair import daemon_lock

    if into.exists() and not into.is_dir():
        return _err(f"`{into}` is not a directory", "name a state directory to create", 2)
    into.mkdir(parents=True, exist_ok=True)
    with daemon_lock(into):
        report = import_file(file, into, salvage=salvage)
    for warning in report.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if report.error is not None:
        help = (
            "pass `--salvage` to import up to the first bad line"
            if "line" in report.error
            else None
        )
        return _err(report.error, help)
    sys.stdout.write(f"imported {report.ops} ops into {report.db}\n")
    return 0


@wal_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="an export (.jsonl or .jsonl.gz)")],
    into: Annotated[Path, typer.Option("--into", help="state directory to create the store in")],
    salvage: Annotated[
        bool, typer.Option("--salvage", help="stop at the first bad line instead of failing")
    ] = False,
) -> None:
    """Build a fresh store from a JSONL export (torn tails are dropped with a warning)."""
    raise typer.Exit(_guard(run_import, file, into, salvage))


# -- compact / verify -------------------------------------------------------------------------


def run_compact(db: Path | None, no_export: bool) -> int:
    import time

    from ojlang.runtime.store.journal import Journal
    from ojlang.runtime.store.repair import daemon_lock

    path = _db(db)
    with daemon_lock(path.parent), _open(db, readonly=False) as store:
        world, seq = store.load()  # verifies the log; a fresh snapshot comes first (§6.4)
        newest = max((s.seq for s in store.snapshots()), default=0)
        if seq > newest + 1:
            Journal(store, world).snapshot(time.time_ns() // 1000)
        result = store.compact(export=not no_export)
    if result.up_to == 0:
        sys.stdout.write("nothing to compact: no good snapshot covers any op yet\n")
        return 0
    where = f"; archived to {result.archive}" if result.archive else ""
    sys.stdout.write(f"compacted {result.deleted} ops up to seq {result.up_to}{where}\n")
    return 0


@wal_app.command()
def compact(
    no_export: Annotated[
        bool, typer.Option("--no-export", help="do not archive the deleted ops first")
    ] = False,
    db: DbOption = None,
) -> None:
    """Delete the ops covered by the oldest kept snapshot (archived first by default)."""
    raise typer.Exit(_guard(run_compact, db, no_export))


def run_verify(db: Path | None, as_json: bool) -> int:
    from ojlang.runtime.store.recovery import verify as verify_store

    with _open(db) as store:
        report = verify_store(store)
    if as_json:
        _print_json(
            "wal_verify",
            {
                "ok": report.ok,
                "problems": list(report.problems),
                "ops": report.ops,
                "snapshots": report.snapshots_checked,
                "replayed": report.replayed,
            },
        )
    elif report.ok:
        sys.stdout.write(
            f"ok: {report.ops} ops, {report.snapshots_checked} snapshots, "
            f"{report.replayed} inputs replayed with every intent matching\n"
        )
    else:
        for problem in report.problems:
            sys.stdout.write(f"problem: {problem}\n")
    return 0 if report.ok else 1


@wal_app.command()
def verify(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Check every op (CRC, seq, time), every snapshot, and that replay reproduces them."""
    raise typer.Exit(_guard(run_verify, db, as_json))


# -- repair / replay --------------------------------------------------------------------------


def run_repair(db: Path | None, from_seq: int | None, yes: bool) -> int:
    from ojlang.runtime.store.machine import machine_id
    from ojlang.runtime.store.repair import daemon_lock, repair

    path = _db(db)
    if not path.exists():
        return _err(f"no store at `{path}`")
    with daemon_lock(path.parent):
        if from_seq is None:
            r = repair(path, machine_id())
            sys.stdout.write(
                f"repaired: {r.copied} ops and {r.snapshots} snapshots copied, {r.quarantined} "
                f"ops with a bad CRC kept in quarantine, {r.unreadable} rows unreadable\n"
                f"the old file is {r.broken}\n"
            )
            return 0
        with _open(db, readonly=False) as store:
            later = store.last_seq - from_seq + 1
            if later <= 0:
                return _err(f"no op at or after seq {from_seq} (last op is {store.last_seq})")
            if not yes and not _confirm(f"set aside {later} op(s) from seq {from_seq} on?"):
                return _err("not confirmed; nothing changed", "pass `--yes` to confirm")
            moved = store.quarantine_from(from_seq, f"oj wal repair --from {from_seq}")
    sys.stdout.write(f"{moved} ops from seq {from_seq} on moved to the quarantine table\n")
    return 0


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


@wal_app.command()
def repair(
    from_: Annotated[
        int | None, typer.Option("--from", help="quarantine this op and every later one")
    ] = None,
    yes: Annotated[bool, typer.Option("-y", "--yes", help="do not ask for confirmation")] = False,
    db: DbOption = None,
) -> None:
    """Rebuild a damaged store from its readable rows, or set a bad tail aside (`--from`)."""
    raise typer.Exit(_guard(run_repair, db, from_, yes))


def run_replay(db: Path | None, until: int | None, as_json: bool) -> int:
    from ojlang.runtime.core import codec
    from ojlang.runtime.store.recovery import state_at

    with _open(db) as store:
        world, seq = state_at(store, until)
    if as_json:
        _print_json("wal_replay", {"seq": seq, "world": codec.unstructure(world)})
        return 0
    rows = [
        ("runs", len(world.runs)),
        ("active runs", sum(1 for r in world.runs.values() if not r.terminal)),
        ("queue items", sum(len(q.items) for q in world.queues.values())),
        ("locks held", sum(1 for lk in world.locks.values() if getattr(lk, "holder", None))),
        ("timers", len(world.timers)),
        ("effects in flight", len(world.outbox)),
    ]
    sys.stdout.write(f"state at seq {seq}\n")
    sys.stdout.writelines(f"  {name:<18}{n}\n" for name, n in rows)
    return 0


@wal_app.command()
def replay(
    until: Annotated[int | None, typer.Option("--until", help="last seq to apply")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Rebuild the state at a seq, read-only (the newest state by default)."""
    raise typer.Exit(_guard(run_replay, db, until, as_json))
