"""Materialization: for random op sequences, live state == replay from zero == snapshot + tail
replay, at every batch boundary; replay notices effects that differ from the recorded intents;
graphs survive compaction."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_kit import MACHINE, T0, S, all_ops, answer_oldest, work_graph

from ojlang.runtime.core import codec
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.world import World
from ojlang.runtime.store.errors import DeterminismError
from ojlang.runtime.store.journal import Journal
from ojlang.runtime.store.port import Op, StoreSettings
from ojlang.runtime.store.replay import Replayer, decode_world, encode_world, replay_ops
from ojlang.runtime.store.sqlite import open_store

HOLDERS = st.sampled_from(["cli:a", "cli:b", "cli:c"])
IDS = st.sampled_from(["a", "b", "c", "d"])


def _claim_ids(world: World) -> list[str]:
    q = world.queues.get("jobs")
    items = q.items.values() if q is not None else []
    return [it.claim.id for it in items if it.claim is not None] + ["a~9"]


def draw_input(data: st.DataObject, world: World, k: int) -> i.Input:
    """One random input, drawn with the world in view (valid and invalid requests alike)."""
    rid = f"r{k}"
    kind = data.draw(
        st.sampled_from(
            [
                "add", "add", "claim", "settle", "answer", "answer", "answer", "timer", "lock",
                "sem", "reload", "tick", "emit", "start", "cancel",
            ]
        )
    )  # fmt: skip
    if kind == "add":
        payload = {"id": data.draw(IDS), "n": data.draw(st.integers(0, 3))}
        return i.QueueAdd("jobs", payload, data.draw(st.none() | st.integers(0, 2)), request_id=rid)
    if kind == "claim":
        return i.QueueCommand("claim", "jobs", holder="cli:t", request_id=rid)
    if kind == "settle":
        verb = data.draw(st.sampled_from(["complete", "fail", "release", "extend"]))
        claim = data.draw(st.sampled_from(_claim_ids(world)))
        return i.QueueCommand(verb, "jobs", claim=claim, request_id=rid)
    if kind == "answer":
        return answer_oldest(world, data.draw(st.sampled_from([0, 0, 1]))) or i.MaintenanceTick()
    if kind == "timer" and world.timers:
        tid = data.draw(st.sampled_from(sorted(world.timers)))
        return i.TimerFired(tid, world.timers[tid])
    if kind == "lock":
        verb = data.draw(st.sampled_from(["acquire", "release", "heartbeat"]))
        return i.LockCommand(verb, "L", data.draw(HOLDERS), request_id=rid)
    if kind == "sem":
        verb = data.draw(st.sampled_from(["acquire", "release"]))
        return i.SemaphoreCommand(verb, "S", data.draw(HOLDERS), request_id=rid)
    if kind == "reload":
        return i.Reload(work_graph(data.draw(st.integers(0, 1))), rid)
    if kind == "emit":
        text = data.draw(st.text(max_size=8))
        return i.EmitCommand("custom:thing", text, {"t": text, "l": [1, 2]}, request_id=rid)
    if kind == "start":
        return i.PipelineStart("rb.job", {"id": data.draw(IDS)}, None, request_id=rid)
    if kind == "cancel" and world.runs:
        return i.Cancel(data.draw(st.sampled_from(sorted(world.runs))), request_id=rid)
    return i.MaintenanceTick()


def world_json(world: World) -> str:
    return codec.to_json(world)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_live_state_equals_replay_from_zero_and_snapshot_plus_tail(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = StoreSettings(
            snapshot_ops=data.draw(st.integers(5, 40)),
            compact_ops=data.draw(st.integers(5, 60)),
            export_before_compact=True,
            verify_replay=True,
        )
        journal = Journal.open(tmp, machine_id=MACHINE, settings=cfg)
        now = T0
        journal.submit([(i.Reload(work_graph(), "boot"), now)])
        live: dict[int, str] = {journal.store.last_seq: world_json(journal.world)}
        k = 0
        for _ in range(data.draw(st.integers(1, 12))):
            batch = []
            for _ in range(data.draw(st.integers(1, 4))):
                k += 1
                now += data.draw(st.integers(0, 120)) * S
                batch.append((draw_input(data, journal.world, k), now))
            journal.submit(batch)
            live[journal.store.last_seq] = world_json(journal.world)
            if data.draw(st.booleans()):
                journal.snapshot(now)
            journal.maintain(now)
        final = world_json(journal.world)
        journal.close(now, final_snapshot=data.draw(st.booleans()))

        store = open_store(tmp, machine_id=MACHINE, settings=cfg)
        world, _ = store.load()
        assert world_json(world) == final, "snapshot + tail replay differs from the live state"
        snapshots = {s.seq: store.read_snapshot(s.seq) for s in store.snapshots()}
        store.close()

        # replay from zero, comparing every batch boundary and every snapshot on the way
        r = Replayer(verify=True)
        for op in all_ops(Path(tmp)):
            r.apply(op)
            if op.seq in live:
                assert world_json(r.world) == live[op.seq], f"prefix up to {op.seq} differs"
            snap = snapshots.get(op.seq)
            if snap is not None:
                assert world_json(decode_world(snap.body)) == world_json(r.world)
        assert world_json(r.world) == final


def test_snapshot_bodies_round_trip() -> None:
    from ojlang.runtime.core.world import step

    w, _ = step(World(), i.Reload(work_graph(), "boot"), T0, 1, MACHINE)
    assert world_json(decode_world(encode_world(w))) == world_json(w)
    with pytest.raises(ValueError, match="does not decode"):
        decode_world(b"not zlib")


def _run(tmp: Path, n: int = 30) -> Journal:
    journal = Journal.open(str(tmp), machine_id=MACHINE, settings=StoreSettings(verify_replay=True))
    journal.submit([(i.Reload(work_graph(), "boot"), T0)])
    for k in range(n):
        add = i.QueueAdd("jobs", {"id": f"j{k % 3}"}, request_id=f"r{k}")
        journal.submit([(answer_oldest(journal.world) or add, T0 + k * S)])
    return journal


def test_replay_catches_an_effect_that_differs_from_its_intent(tmp_path: Path) -> None:
    _run(tmp_path).close(final_snapshot=False)
    store = open_store(tmp_path, machine_id=MACHINE)
    intent = next(o for o in store.read_since(0) if o.type == "intent")
    body = json.loads(intent.body)
    body["effect"]["script"] = "rm -rf /"
    forged = Op.sealed(intent.seq, _draft(codec.canonical(body), intent))
    store._conn.execute(
        "UPDATE ops SET body = ?, crc32 = ? WHERE seq = ?", (forged.body, forged.crc32, forged.seq)
    )
    with pytest.raises(DeterminismError, match=f"op {intent.seq}"):
        store.load(verify_replay=True)
    world, _ = store.load(verify_replay=False)  # without --verify-replay intents are records
    assert world.graph_hash


def _draft(body: str, like: Op) -> Any:
    from ojlang.runtime.store.port import OpDraft

    return OpDraft(like.type, body, like.ts, like.machine_id)


def test_replay_catches_a_missing_or_extra_intent() -> None:
    ops = all_ops_of_run()
    intents = [o for o in ops if o.type == "intent"]
    assert intents
    without = [o for o in ops if o.seq != intents[0].seq]
    with pytest.raises(DeterminismError, match="never recorded"):
        replay_ops(without, verify=True)
    with pytest.raises(DeterminismError, match="derived no effect"):
        replay_ops([ops[0], intents[0]], verify=True)


def all_ops_of_run() -> list[Op]:
    with tempfile.TemporaryDirectory() as tmp:
        _run(Path(tmp), 12).close(final_snapshot=False)
        return all_ops(Path(tmp))


def test_reload_graphs_survive_compaction(tmp_path: Path) -> None:
    cfg = StoreSettings(verify_replay=True, keep_snapshots=1)
    journal = Journal.open(str(tmp_path), machine_id=MACHINE, settings=cfg)
    g0, g1 = work_graph(0), work_graph(1)
    t = T0
    for graph in (g0, g0, g1, g0):
        t += S
        journal.submit([(i.Reload(graph, "r"), t)])
        journal.snapshot(t)
        journal.store.compact(now_us=t)
    graph_ops = [o for o in all_ops(tmp_path) if o.type == "graph"]
    # g0 is written, not again while current, then again after g1 replaced it
    assert len(graph_ops) == 3
    t += S
    journal.submit([(i.Reload(g0, "again"), t)])  # current: no graph op, replay uses World.graphs
    assert len([o for o in all_ops(tmp_path) if o.type == "graph"]) == 3
    live = world_json(journal.world)
    journal.close(final_snapshot=False)
    store = open_store(tmp_path, machine_id=MACHINE, settings=cfg)
    assert store.first_seq() is not None and store.first_seq() > 1  # compacted
    world, _ = store.load()
    assert world_json(world) == live
    assert world_json(replay_ops(all_ops(tmp_path), verify=True)) == live


def test_take_batch_gathers_what_arrives_within_the_window() -> None:
    import queue
    import threading

    from ojlang.runtime.store.journal import take_batch

    inbox: queue.Queue[tuple[i.Input, int]] = queue.Queue()
    for k in range(5):
        inbox.put((i.MaintenanceTick(), k))
    assert [t for _, t in take_batch(inbox, batch_max=3)] == [0, 1, 2]
    assert [t for _, t in take_batch(inbox, batch_max=10, window_s=0.01)] == [3, 4]
    threading.Timer(0.05, lambda: inbox.put((i.MaintenanceTick(), 9))).start()
    assert [t for _, t in take_batch(inbox)] == [9]  # blocks for the first input
