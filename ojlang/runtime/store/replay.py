"""Materialization (RUNTIME.md §6.4): a snapshot and ops in, the `World` they fold to out.

State = newest good snapshot + fold of the later `input` ops, each applied with `now = op.ts`
and ids seeded by the op's seq and machine id (`step` does both). Graphs come from `graph` ops
and, for a `cmd:reload` whose graph op was compacted away, from the world's own `graphs` (the
engine writes a graph op whenever the reloaded graph is not in `World.graphs`). With `verify`
the replayer also re-derives every I/O effect and compares it, byte for byte, with the `intent`
ops recorded after its input: a difference is a determinism bug (`DeterminismError`).
Snapshots are `zlib(canonical JSON of World)`.
"""

from __future__ import annotations

import json
import zlib
from collections import deque
from collections.abc import Iterable

import attrs

from ojlang.runtime.core import codec
from ojlang.runtime.core.graph import Graph
from ojlang.runtime.core.world import World, step
from ojlang.runtime.store import migrations
from ojlang.runtime.store.errors import DeterminismError
from ojlang.runtime.store.ops import decode_graph, decode_input, intent_body, io_effects
from ojlang.runtime.store.port import Op

ZLIB_LEVEL = 6
RELOAD = '{"name":"cmd:reload"'  # canonical JSON sorts `name` first


def encode_world(world: World) -> bytes:
    """A snapshot body: zlib of the canonical JSON of `world`."""
    return zlib.compress(codec.to_json(world).encode(), ZLIB_LEVEL)


def decode_world(body: bytes, schema_version: int = migrations.SNAPSHOT_SCHEMA) -> World:
    """The `World` of a snapshot body; raises `ValueError` when it does not decode."""
    try:
        data = json.loads(zlib.decompress(body))
        data = migrations.upgrade_snapshot(data, schema_version)
        world: World = codec.CONVERTER.structure(data, World)
    except Exception as err:
        raise ValueError(f"snapshot does not decode: {type(err).__name__}: {err}") from err
    return world


class Replayer:
    """Folds ops into a world, one at a time (see the module doc)."""

    def __init__(
        self,
        world: World | None = None,
        *,
        verify: bool = False,
        op_format: dict[str, int] | None = None,
    ) -> None:
        self.world = world if world is not None else World()
        self.verify = verify
        self.op_format = op_format if op_format and migrations.needs_upcast(op_format) else None
        self.graphs: dict[str, Graph] = {}
        self.expected: deque[tuple[str, str]] = deque()  # (effect id, intent body)
        self.replayed = 0
        self.last_seq = 0

    def apply(self, op: Op) -> None:
        """Fold one op; `ValueError` when it does not decode, `DeterminismError` on a
        mismatch with the recorded intents."""
        if self.op_format is not None:
            op = self._upcast(op, self.op_format)
        if op.type == "intent":
            self._check_intent(op)
        else:
            self._expect_none(op)
            if op.type == "input":
                inp = decode_input(op, self._graphs(op))
                self.world, effects = step(self.world, inp, op.ts, op.seq, op.machine_id)
                self.replayed += 1
                if self.verify:
                    self.expected.extend((e.effect_id, intent_body(e)) for e in io_effects(effects))
            elif op.type == "graph":
                h, graph = decode_graph(op)
                self.graphs[h] = graph
        self.last_seq = op.seq

    @staticmethod
    def _upcast(op: Op, op_format: dict[str, int]) -> Op:
        """The op as the current code reads it (bodies written in an older format)."""
        version = op_format.get(op.type, migrations.OP_FORMAT.get(op.type, 1))
        if version >= migrations.OP_FORMAT.get(op.type, version):
            return op
        body = migrations.upcast(op.type, json.loads(op.body), version)
        return attrs.evolve(op, body=codec.canonical(body))

    def _graphs(self, op: Op) -> dict[str, Graph]:
        if not op.body.startswith(RELOAD):
            return self.graphs
        return {**dict(self.world.graphs.items()), **self.graphs}

    def _check_intent(self, op: Op) -> None:
        if not self.verify:
            return
        if not self.expected:
            raise DeterminismError(
                f"op {op.seq}: an intent was recorded but replay derived no effect for it",
                help="a determinism bug in the core: report it with `oj wal export`",
            )
        eid, body = self.expected.popleft()
        if body != op.body:
            raise DeterminismError(
                f"op {op.seq}: replay derived a different effect for `{eid}` than was recorded",
                help="a determinism bug in the core: report it with `oj wal export`",
            )

    def _expect_none(self, op: Op) -> None:
        if self.verify and self.expected:
            eid = self.expected[0][0]
            raise DeterminismError(
                f"op {op.seq}: replay derived effect `{eid}` that was never recorded",
                help="a determinism bug in the core: report it with `oj wal export`",
            )


def replay_ops(ops: Iterable[Op], world: World | None = None, *, verify: bool = False) -> World:
    """Fold `ops` (already verified) into `world` (default: the empty world)."""
    r = Replayer(world, verify=verify)
    for op in ops:
        r.apply(op)
    return r.world
