"""The durable store (RUNTIME.md §6): inputs, intents, graphs and markers in, an append-only
SQLite op log with snapshots out; and back, the `World` they materialize to.

The engine's API (one writer: the loop thread):

    store = open_store(".oj")                      # or ".oj/state.db"; StoreRefused → exit 71
    world, seq = store.load()                      # snapshot + verified tail replay (§6.5);
                                                   # load(salvage=True) = `daemon start --salvage`
    store.recovery                                 # LoadReport: replayed, quarantined, warnings
    seqs = store.append_batch(drafts, events)      # one transaction (group commit, §6.3)
    store.append_marker("daemon_start", {...}, now_us)
    blob = encode_world(world)                     # any thread: World is immutable
    store.put_snapshot(seq, ts, blob)              # loop thread; keeps 3; marker{snapshot}
    if store.compact_due(): store.compact()        # export, then delete (§6.4)
    store.read_since(seq), store.events_since(id)  # readers

`seq` is assigned by the store (`last_seq + 1`, …) so the loop knows the seq of each input
before stepping it. `Journal` wraps all of this for the loop: `Journal.open(path)` recovers
the state, `journal.submit([(input, now_us), …])` stamps `ts`, writes a `graph` op before a
reload of a graph not in `World.graphs`, steps the core, appends the input op, one `intent` op
per I/O effect and the emitted events in one transaction, and returns `Applied(seq, input,
effects)` once durable; `journal.maintain(now_us)` snapshots and compacts when due. Ops are
(un)structured with `core/codec.py` (`ops.py`); drafts come from `ops.input_draft`,
`intent_draft`, `graph_draft`, `marker_draft`. Errors: `StoreRefused` (exit 71, with recovery
steps naming `oj wal repair`), `StoreIOError` (exit 70: stop, never retry a commit).
Failpoints (`OJ_FAILPOINTS`, `failpoints.hit(name)`) are shared with the engine and adapters.
"""

from __future__ import annotations

from ojlang.runtime.store.errors import DeterminismError, StoreError, StoreIOError, StoreRefused
from ojlang.runtime.store.journal import Applied, Journal
from ojlang.runtime.store.port import (
    CompactResult,
    Op,
    OpDraft,
    Snapshot,
    SnapshotInfo,
    StorePort,
    StoreSettings,
)
from ojlang.runtime.store.replay import decode_world, encode_world, replay_ops
from ojlang.runtime.store.sqlite import SqliteStore, open_store

# every user of the package opens and loads a store: import what `open_store` and `load` import
# lazily (they import `sqlite` themselves) with the package, not in the middle of a start
from ojlang.runtime.store import opening as opening  # isort: skip
from ojlang.runtime.store import recovery as recovery  # isort: skip

Store = SqliteStore

__all__ = [
    "Applied",
    "CompactResult",
    "DeterminismError",
    "Journal",
    "Op",
    "OpDraft",
    "Snapshot",
    "SnapshotInfo",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoreIOError",
    "StorePort",
    "StoreRefused",
    "StoreSettings",
    "decode_world",
    "encode_world",
    "open_store",
    "replay_ops",
]
