"""Recovery and verification (RUNTIME.md §6.5): an open store in, the live `World` (or a list
of problems) out; bad tails go to `quarantine`, anything worse is a refusal.

`load` takes the newest snapshot whose CRC, schema version and body are good (falling back to
older ones, then to replay from op 1 when the log still starts there), then replays the later
ops verifying, per op, CRC, `seq` continuity and `ts` monotonicity. At the first op that fails:
when no later op reads back with a valid CRC it is a bad tail, moved with every later row to
`quarantine` with a `marker{repair}` (read-only stores only report it); otherwise the store is
refused with the first bad seq and `oj wal repair --from SEQ` named (`salvage` quarantines
anyway, as `oj daemon start --salvage`). `verify` checks everything without changing anything.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import attrs

from ojlang.runtime.core import codec
from ojlang.runtime.core.world import World
from ojlang.runtime.store import migrations
from ojlang.runtime.store.errors import StoreRefused, repair_help
from ojlang.runtime.store.port import OP_TYPES, Op
from ojlang.runtime.store.replay import Replayer, decode_world
from ojlang.runtime.store.sqlite import SqliteStore


@attrs.frozen
class LoadReport:
    snapshot_seq: int  # 0: replayed from the first op
    replayed: int  # input ops folded
    quarantined: int  # ops moved to quarantine by this load
    first_bad: int | None
    warnings: tuple[str, ...]
    duration_us: int


def problem(op: Op, prev_seq: int, prev_ts: int) -> str | None:
    """Why `op` cannot follow `(prev_seq, prev_ts)`, or None."""
    if not op.crc_ok:
        return "crc mismatch"
    if op.seq != prev_seq + 1:
        return f"op {prev_seq + 1} is missing" if op.seq > prev_seq + 1 else "seq out of order"
    if op.ts < prev_ts:
        return "time goes backwards"
    if op.type not in OP_TYPES:
        return f"unknown op type `{op.type}`"
    return None


def base_state(store: SqliteStore, warnings: list[str]) -> tuple[World, int, int]:
    """(world, seq, ts) of the newest usable snapshot, else the empty world at 0."""
    first = store.first_seq()
    for info in store.snapshots():
        snap = store.read_snapshot(info.seq)
        where = f"snapshot at op {info.seq}"
        if snap is None or not snap.crc_ok:
            warnings.append(f"{where} fails its CRC; trying an older one")
            continue
        if info.schema_version > migrations.SNAPSHOT_SCHEMA:
            warnings.append(f"{where} has a newer schema ({info.schema_version}); skipped")
            continue
        if first is not None and first > info.seq + 1:
            warnings.append(f"{where} is older than the first op kept ({first}); skipped")
            continue
        try:
            return decode_world(snap.body, info.schema_version), info.seq, info.ts
        except ValueError as err:
            warnings.append(f"{where}: {err}; trying an older one")
    if first is not None and first > 1:
        raise StoreRefused(
            f"the store `{store.path}` cannot be used: ops before {first} were compacted and "
            "no snapshot that covers them verifies",
            help="restore `.oj/backups/` or rebuild from the archive: "
            "`oj wal import .oj/archive/ops-….jsonl.gz --into DIR`",
        )
    return World(), 0, 0


def _check_end(store: SqliteStore) -> None:
    """Ops cannot end before what other tables saw: a snapshot (and its marker) or events."""
    newest = max((s.seq + 1 for s in store.snapshots()), default=0)
    row = store._conn.execute("SELECT seq FROM events ORDER BY id DESC LIMIT 1").fetchone()
    events = int(row[0]) if row and isinstance(row[0], int) else 0
    if store.last_seq < max(newest, events):
        raise StoreRefused(
            f"the store `{store.path}` cannot be used: the op log ends at {store.last_seq} but "
            f"later ops were recorded (up to {max(newest, events)})",
            help=repair_help(),
        )


def _ops(store: SqliteStore, after: int) -> Iterator[Op]:
    try:
        yield from store.read_since(after)
    except sqlite3.DatabaseError as err:
        raise StoreRefused(
            f"the store `{store.path}` cannot be read: {err}", help=repair_help()
        ) from None


def load(
    store: SqliteStore, *, verify: bool = False, salvage: bool = False
) -> tuple[World, LoadReport]:
    start = time.perf_counter_ns()
    warnings: list[str] = []
    _check_end(store)
    world, seq, ts = base_state(store, warnings)
    snapshot_seq = seq
    r = Replayer(world, verify=verify, op_format=store.op_format)
    bad: tuple[int, str] | None = None
    for op in _ops(store, seq):
        if bad is None:
            reason = problem(op, seq, ts)
            if reason is None:
                try:
                    r.apply(op)
                except ValueError as err:
                    raise StoreRefused(
                        f"op {op.seq} of `{store.path}` cannot be replayed: {err}",
                        help="if a newer oj wrote it, upgrade oj; otherwise " + repair_help(op.seq),
                    ) from None
                seq, ts = op.seq, op.ts
                continue
            bad = (seq + 1, reason)
        elif op.crc_ok and not salvage:
            raise StoreRefused(
                f"the store `{store.path}` cannot be used: op {bad[0]} fails verification "
                f"({bad[1]}) and valid ops follow it",
                help=repair_help(bad[0]),
            )
    quarantined = 0
    if bad is not None:
        first_bad, reason = bad
        if store.readonly:
            warnings.append(f"op {first_bad} and later fail verification ({reason}); not moved")
        else:
            quarantined = store.quarantine_from(first_bad, reason)
            warnings.append(
                f"op {first_bad} and later fail verification ({reason}): "
                f"{quarantined} op(s) set aside in `quarantine`"
            )
    report = LoadReport(
        snapshot_seq,
        r.replayed,
        quarantined,
        bad[0] if bad else None,
        tuple(warnings),
        (time.perf_counter_ns() - start) // 1000,
    )
    return r.world, report


def state_at(store: SqliteStore, until: int | None = None) -> tuple[World, int]:
    """The state after op `until` (default: the last op), read-only: the newest good snapshot at
    or before it, then the ops up to it; the seq reached out."""
    until = store.last_seq if until is None else until
    first = store.first_seq()
    world, seq, ts = World(), 0, 0
    for info in store.snapshots():
        snap = store.read_snapshot(info.seq)
        if info.seq > until or snap is None or not snap.crc_ok:
            continue
        try:
            world, seq, ts = decode_world(snap.body, info.schema_version), info.seq, info.ts
            break
        except ValueError:
            continue
    if seq == 0 and first is not None and first > 1:
        raise StoreRefused(
            f"the state at seq {until} needs ops that were compacted (the log starts at {first})",
            help="import the archive of those ops into a scratch store: "
            "`oj wal import .oj/archive/ops-….jsonl.gz --into DIR`",
        )
    r = Replayer(world, op_format=store.op_format)
    for op in _ops(store, seq):
        if op.seq > until:
            break
        reason = problem(op, seq, ts)
        if reason is not None:
            raise StoreRefused(
                f"op {op.seq} fails verification ({reason})", help=repair_help(op.seq)
            )
        try:
            r.apply(op)
        except ValueError as err:
            raise StoreRefused(f"op {op.seq} cannot be replayed: {err}") from None
        seq, ts = op.seq, op.ts
    return r.world, seq


# -- verification -----------------------------------------------------------------------------


@attrs.frozen
class VerifyReport:
    ok: bool
    problems: tuple[str, ...]
    ops: int
    snapshots_checked: int
    replayed: int


def verify(store: SqliteStore, *, max_problems: int = 20) -> VerifyReport:
    """Check every op, every snapshot, and that replay reproduces each snapshot (§6.8 (4))."""
    problems: list[str] = []
    check = store.quick_check()
    if check != "ok":
        problems.append(f"`PRAGMA quick_check`: {check}")
    first = store.first_seq()
    ops = 0
    prev_seq, prev_ts = (first - 1, 0) if first is not None else (0, 0)
    for op in _ops(store, 0):
        ops += 1
        reason = problem(op, prev_seq, prev_ts)
        if reason is not None and len(problems) < max_problems:
            problems.append(f"op {op.seq}: {reason}")
        prev_seq, prev_ts = op.seq, max(prev_ts, op.ts if isinstance(op.ts, int) else 0)
    good: dict[int, str] = {}
    for info in store.snapshots():
        snap = store.read_snapshot(info.seq)
        if snap is None or not snap.crc_ok:
            problems.append(f"snapshot at op {info.seq}: crc mismatch")
            continue
        try:
            good[info.seq] = codec.to_json(decode_world(snap.body, info.schema_version))
        except ValueError as err:
            problems.append(f"snapshot at op {info.seq}: {err}")
    replayed = 0
    if not problems:
        replayed = _replay_matches(store, first, good, problems)
    return VerifyReport(not problems, tuple(problems), ops, len(good), replayed)


def _replay_matches(
    store: SqliteStore, first: int | None, good: dict[int, str], problems: list[str]
) -> int:
    """Replay from op 1 (or the oldest good snapshot) with intent checks; compare snapshots."""
    covering = [s for s in good if first is None or s >= first - 1]
    if first in (None, 1):
        start = 0
    elif covering:
        start = min(covering)
    else:
        problems.append(f"the log starts at op {first} and no good snapshot covers the ops before")
        return 0
    world = World() if start == 0 else decode_world_json(good[start])
    r = Replayer(world, verify=True, op_format=store.op_format)
    pending = sorted(s for s in good if s > start)
    try:
        for op in _ops(store, start):
            while pending and pending[0] < op.seq:
                _compare(r.world, pending.pop(0), good, problems)
            r.apply(op)
        for seq in pending:
            _compare(r.world, seq, good, problems)
    except (ValueError, StoreRefused) as err:
        problems.append(getattr(err, "message", str(err)))
    return r.replayed


def decode_world_json(text: str) -> World:
    world: World = codec.world_from_json(text)
    return world


def _compare(world: World, seq: int, good: dict[int, str], problems: list[str]) -> None:
    if codec.to_json(world) != good[seq]:
        problems.append(f"snapshot at op {seq} differs from the replay of the ops before it")


def summary(report: LoadReport) -> dict[str, Any]:
    return attrs.asdict(report)
