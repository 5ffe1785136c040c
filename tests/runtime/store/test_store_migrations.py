"""Schema versions and migrations (§6.7): backup first, one transaction per step with a marker,
snapshot upgraders and op upcasters."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from store_kit import MACHINE, run_job

from ojlang.runtime.store import migrations
from ojlang.runtime.store.errors import StoreRefused
from ojlang.runtime.store.sqlite import open_store


def test_an_older_store_is_backed_up_then_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_job({"dir": str(tmp_path), "ack": str(tmp_path / "ack"), "batches": 3})
    before = list(open_store(tmp_path, readonly=True, machine_id=MACHINE).read_since(0))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(
        migrations.MIGRATIONS, 2, migrations.Migration(2, ("CREATE TABLE extra (x INTEGER)",))
    )
    with pytest.raises(StoreRefused, match="has schema version 1; this oj needs 2") as info:
        open_store(tmp_path, readonly=True, machine_id=MACHINE)
    assert "start the daemon once to migrate it" in (info.value.help or "")
    store = open_store(tmp_path, machine_id=MACHINE)
    ops = list(store.read_since(0))
    assert ops[:-1] == before and '"details":{"from":1,"to":2}' in ops[-1].body
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == 2
    store.load()
    store.close()
    (backup,) = (tmp_path / "backups").glob("state-v1-*.db")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM ops").fetchone()[0] == len(before)


def test_a_new_store_is_created_at_the_current_version_with_every_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(
        migrations.MIGRATIONS, 2, migrations.Migration(2, ("CREATE TABLE extra (x INTEGER)",))
    )
    store = open_store(tmp_path, machine_id=MACHINE)
    assert store._conn.execute("SELECT count(*) FROM extra").fetchone()[0] == 0
    assert not (tmp_path / "backups").exists()


def test_snapshot_upgraders_and_upcasters_run_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "SNAPSHOT_SCHEMA", 3)
    monkeypatch.setitem(migrations.SNAPSHOT_UPGRADES, 1, lambda d: {**d, "a": 1})
    monkeypatch.setitem(migrations.SNAPSHOT_UPGRADES, 2, lambda d: {**d, "b": d["a"] + 1})
    assert migrations.upgrade_snapshot({}, 1) == {"a": 1, "b": 2}
    assert migrations.upgrade_snapshot({"x": 0}, 3) == {"x": 0}
    monkeypatch.setitem(migrations.OP_FORMAT, "input", 2)
    upcast: Any = lambda b: {**b, "payload": {**b["payload"], "new": True}}  # noqa: E731
    monkeypatch.setitem(migrations.UPCASTERS, ("input", 1), upcast)
    body = {"name": "cmd:emit", "payload": {}}
    assert migrations.upcast("input", body, 1) == {"name": "cmd:emit", "payload": {"new": True}}
    assert migrations.needs_upcast({"input": 1})
    assert not migrations.needs_upcast(dict(migrations.OP_FORMAT))


def test_old_op_bodies_are_upcast_on_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_job({"dir": str(tmp_path), "ack": str(tmp_path / "ack"), "batches": 3})

    def mark(body: dict[str, Any]) -> dict[str, Any]:
        if body["name"] == "cmd:queue_add":
            body["payload"]["data"]["upcast"] = True
        return body

    monkeypatch.setitem(migrations.OP_FORMAT, "input", 2)
    monkeypatch.setitem(migrations.UPCASTERS, ("input", 1), mark)
    store = open_store(tmp_path, machine_id=MACHINE)
    assert store.op_format["input"] == 1  # what the ops were written in; never rewritten
    store._conn.execute("DELETE FROM snapshots")  # replay every op from the first
    world, _ = store.load()
    items = [it for q in world.queues.values() for it in q.items.values()]
    assert items and all(it.data.get("upcast") for it in items)
