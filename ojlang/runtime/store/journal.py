"""The live writer (RUNTIME.md §4.2, §6.3–6.4): timed inputs in, committed steps out; the
engine-facing half of the store that keeps the current `World`.

`submit(batch)` is one group commit: for each input it stamps `ts = max(now, last ts)`, takes
the next seq, writes a `graph` op first for a `cmd:reload` whose graph is not in
`World.graphs`, steps the core (`now = ts`, ids seeded by seq and machine id), and appends one
`intent` op per I/O effect plus the events the step emitted; all of it is one transaction. The
world advances only when the commit returned, so a failure (`StoreIOError`) leaves it as it
was. Replies and effects of the batch may be released once `submit` returns. `maintain(now)`
takes a snapshot when due (op count or interval) and compacts when due.
"""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Sequence

import attrs

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.world import World, step
from ojlang.runtime.store.ops import (
    events_of,
    graph_draft,
    input_draft,
    intent_draft,
    io_effects,
)
from ojlang.runtime.store.port import CompactResult, OpDraft, StoreSettings
from ojlang.runtime.store.replay import encode_world
from ojlang.runtime.store.sqlite import SqliteStore


@attrs.frozen
class Applied:
    """One input after its commit: its seq and the effects the core returned (seq 0 and
    `error` set when the input was refused before stepping)."""

    seq: int
    input: i.Input
    effects: tuple[fx.Effect, ...]
    error: str = ""


class Journal:
    def __init__(self, store: SqliteStore, world: World, machine_id: str | None = None) -> None:
        self.store = store
        self.world = world
        self.machine_id = machine_id or store.machine_id
        self.settings: StoreSettings = store.settings
        snaps = store.snapshots()
        self._snap_seq = snaps[0].seq if snaps else 0
        self._snap_at_us: int | None = None

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        machine_id: str | None = None,
        settings: StoreSettings | None = None,
        salvage: bool = False,
    ) -> Journal:
        """Open the store at `path`, recover the state (§6.5), return a journal on it."""
        from ojlang.runtime.store.sqlite import open_store

        store = open_store(path, settings=settings, machine_id=machine_id, background_check=True)
        try:
            world, _ = store.load(salvage=salvage)
        except BaseException:
            store.close()
            raise
        return cls(store, world, machine_id)

    def submit(self, batch: Sequence[tuple[i.Input, int]]) -> list[Applied]:
        """Step and commit `batch` (inputs with their wall-clock µs) in one transaction."""
        drafts: list[OpDraft] = []
        events: list[Event] = []
        applied: list[Applied] = []
        world, seq, last_ts, mid = (
            self.world,
            self.store.last_seq,
            self.store.last_ts,
            self.machine_id,
        )
        for inp, now in batch:
            ts = max(now, last_ts)
            draft = input_draft(inp, ts, mid)
            try:
                draft.body.encode("utf-8")
            except UnicodeEncodeError:
                applied.append(Applied(0, inp, (), "the input holds text that is not UTF-8"))
                continue
            last_ts = ts
            if isinstance(inp, i.Reload) and inp.graph.content_hash() not in world.graphs:
                seq += 1
                drafts.append(graph_draft(inp.graph, ts, mid))
            seq += 1
            drafts.append(draft)
            world, effects = step(world, inp, ts, seq, mid)
            applied.append(Applied(seq, inp, effects))
            for effect in io_effects(effects):
                seq += 1
                drafts.append(intent_draft(effect, ts, mid))
            events.extend(events_of(effects))
        self.store.append_batch(drafts, events)
        self.world = world
        return applied

    def submit_one(self, inp: i.Input, now_us: int) -> Applied:
        return self.submit([(inp, now_us)])[0]

    # -- maintenance --------------------------------------------------------------------------

    def snapshot_due(self, now_us: int) -> bool:
        new = self.store.last_seq - self._snap_seq
        if new <= 0:
            return False
        if new >= self.settings.snapshot_ops:
            return True
        if self._snap_at_us is None:
            self._snap_at_us = now_us
        return now_us - self._snap_at_us >= self.settings.snapshot_interval_us

    def snapshot(self, now_us: int) -> int:
        """Snapshot the current world at the last committed op; the marker seq out."""
        seq, ts = self.store.last_seq, self.store.last_ts
        marker = self.store.put_snapshot(seq, ts, encode_world(self.world), self.machine_id)
        self._snap_seq, self._snap_at_us = marker, now_us
        return marker

    def maintain(self, now_us: int) -> CompactResult | None:
        """Snapshot when due; compact when due, after a fresh snapshot (§6.4)."""
        if self.snapshot_due(now_us):
            self.snapshot(now_us)
        if self.store.compact_due():
            if self.store.last_seq > self._snap_seq:
                self.snapshot(now_us)
            return self.store.compact(now_us=now_us)
        return None

    def close(self, now_us: int | None = None, *, final_snapshot: bool = True) -> None:
        """Graceful close: a final snapshot when anything is new since the last one."""
        if final_snapshot and self.store.last_seq > self._snap_seq:
            self.snapshot(time.time_ns() // 1000 if now_us is None else now_us)
        self.store.checkpoint()
        self.store.close()


def take_batch(
    inbox: queue.Queue[tuple[i.Input, int]], batch_max: int = 256, window_s: float = 0.002
) -> list[tuple[i.Input, int]]:
    """Group commit's gathering (§6.3): block for the first input, then take what arrives
    within `window_s`, at most `batch_max`."""
    batch = [inbox.get()]
    deadline = time.monotonic() + window_s
    while len(batch) < batch_max:
        left = deadline - time.monotonic()
        try:
            batch.append(inbox.get(timeout=left) if left > 0 else inbox.get_nowait())
        except queue.Empty:
            break
    return batch
