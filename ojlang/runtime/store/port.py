"""The store port (RUNTIME.md §6, §12): op records, drafts, snapshots and settings in; the
`StorePort` protocol the engine codes against out.

An op is one row of the append-only log: `seq` (1, 2, 3 … no gaps), `ts` (µs, non-decreasing),
the `machine_id` that wrote it, its `type` (`input`, `intent`, `graph`, `marker`), a canonical
JSON `body` and `crc32` of `"seq\\tts\\tmachine_id\\ttype\\tbody"`. A draft is an op before the
store numbers it. SQLite implements the port now (`sqlite.py`); a PostgreSQL implementation for
several machines can follow, since nothing here names SQLite.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from typing import Protocol

import attrs

from ojlang.runtime.core.events import Event

OP_TYPES = frozenset({"input", "intent", "graph", "marker"})
MARKERS = frozenset(
    {"daemon_start", "daemon_stop", "snapshot", "compaction", "repair", "migration", "import"}
)
S = 1_000_000


def op_crc(seq: int, ts: int, machine_id: str, type: str, body: str) -> int:
    """`zlib.crc32` of `"seq\\tts\\tmachine_id\\ttype\\tbody"` (UTF-8), as in §6.1.

    Text read back from a damaged file may hold undecodable bytes (kept as surrogate escapes);
    they are encoded back as they were, so the CRC simply fails to match."""
    text = f"{seq}\t{ts}\t{machine_id}\t{type}\t{body}"
    return zlib.crc32(text.encode("utf-8", "surrogateescape"))


def snapshot_crc(seq: int, ts: int, schema_version: int, body: bytes) -> int:
    """CRC of a snapshot row: its header fields and the compressed body."""
    return zlib.crc32(body, zlib.crc32(f"{seq}\t{ts}\t{schema_version}\t".encode()))


@attrs.frozen
class OpDraft:
    """An op before the store gives it a `seq`; `body` is canonical JSON text."""

    type: str
    body: str
    ts: int
    machine_id: str


@attrs.frozen
class Op:
    seq: int
    ts: int
    machine_id: str
    type: str
    body: str
    crc32: int

    @classmethod
    def sealed(cls, seq: int, draft: OpDraft) -> Op:
        """The op `draft` becomes at `seq`, with its CRC."""
        crc = op_crc(seq, draft.ts, draft.machine_id, draft.type, draft.body)
        return cls(seq, draft.ts, draft.machine_id, draft.type, draft.body, crc)

    @property
    def crc_ok(self) -> bool:
        return (
            isinstance(self.body, str)
            and isinstance(self.machine_id, str)
            and isinstance(self.type, str)
            and op_crc(self.seq, self.ts, self.machine_id, self.type, self.body) == self.crc32
        )


@attrs.frozen
class SnapshotInfo:
    seq: int
    ts: int
    schema_version: int
    size: int
    crc32: int


@attrs.frozen
class Snapshot:
    """A stored snapshot: `body` is zlib(canonical JSON of `World`)."""

    info: SnapshotInfo
    body: bytes

    @property
    def crc_ok(self) -> bool:
        i = self.info
        return (
            isinstance(self.body, bytes)
            and len(self.body) == i.size
            and snapshot_crc(i.seq, i.ts, i.schema_version, self.body) == i.crc32
        )


@attrs.frozen
class StoreSettings:
    """`store.*` of `.oj/config.toml` (§6.3–6.4, §7.6); times in µs."""

    batch_max: int = 256
    batch_window_us: int = 2_000
    snapshot_ops: int = 1_000
    snapshot_interval_us: int = 600 * S
    keep_snapshots: int = 3
    compact_ops: int = 10_000
    export_before_compact: bool = True
    events_retention_us: int = 30 * 24 * 3600 * S
    events_max_rows: int = 200_000
    verify_replay: bool = False  # `--verify-replay`: re-derive effects, compare with intents


@attrs.frozen
class CompactResult:
    up_to: int  # ops with seq <= up_to were deleted (0: nothing to do)
    deleted: int
    archive: str | None  # path of the export written first, if any


class StorePort(Protocol):
    """What the engine calls. One writer; every method that writes is one transaction."""

    @property
    def last_seq(self) -> int: ...

    @property
    def last_ts(self) -> int: ...

    def append_batch(self, ops: Sequence[OpDraft], events: Sequence[Event] = ()) -> list[int]:
        """Append `ops` (numbered from `last_seq + 1`) and their `events` atomically."""
        ...

    def read_since(self, after_seq: int, limit: int | None = None) -> Iterator[Op]: ...

    def snapshots(self) -> list[SnapshotInfo]: ...

    def read_snapshot(self, seq: int) -> Snapshot | None: ...

    def put_snapshot(self, seq: int, ts: int, body: bytes, machine_id: str) -> int:
        """Store a snapshot of the state at `seq` with a `marker{snapshot}`; its seq out."""
        ...

    def compact(self, *, export: bool | None = None) -> CompactResult: ...

    def close(self) -> None: ...


def storable(row: tuple[object, ...]) -> tuple[object, ...]:
    """A row read from a damaged file, made writable again: text holding undecodable bytes
    (surrogate escapes) goes back as the original bytes, so quarantine keeps them exactly."""

    def one(value: object) -> object:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return value.encode("utf-8", "surrogateescape")
        return value

    return tuple(one(v) for v in row)
