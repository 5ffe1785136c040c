"""Golden exports (§6.7): every released op format replays to the state recorded with it.

`golden/v<N>/ops.jsonl` is an export written by schema/op format N; `state.json` is the
canonical JSON of the `World` it replays to. A failure means the core no longer reads old logs
the same way: add an upcaster or snapshot upgrader (`migrations.py`) rather than editing the
export. Regenerate only the current version, when its format changes on purpose:
`OJ_REGEN_GOLDEN=1 .venv/bin/pytest tests/runtime/store/test_store_golden.py`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from store_kit import MACHINE, run_job

from ojlang.runtime.core import codec
from ojlang.runtime.store import migrations
from ojlang.runtime.store.jsonl import export_ops, import_file, read_file, read_ops
from ojlang.runtime.store.port import StoreSettings
from ojlang.runtime.store.replay import replay_ops
from ojlang.runtime.store.sqlite import open_store

GOLDEN = Path(__file__).with_name("golden")
VERSIONS = sorted(p.name for p in GOLDEN.glob("v*"))


def _regenerate(folder: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_job(
            {"dir": tmp, "ack": f"{tmp}/ack", "batches": 12, "seed": 7, "final_snapshot": False}
        )
        store = open_store(tmp, readonly=True, machine_id=MACHINE)
        with open(folder / "ops.jsonl", "w", encoding="utf-8") as out:
            export_ops(store.read_since(0), out)
        world, _ = store.load()
        store.close()
    (folder / "state.json").write_text(codec.to_json(world) + "\n", encoding="utf-8")


def test_the_current_format_has_a_golden_export() -> None:
    current = GOLDEN / f"v{migrations.SCHEMA_VERSION}"
    if os.environ.get("OJ_REGEN_GOLDEN"):
        current.mkdir(exist_ok=True)
        _regenerate(current)
    assert (current / "ops.jsonl").exists() and (current / "state.json").exists()


@pytest.mark.parametrize("version", VERSIONS)
def test_a_golden_export_replays_to_its_recorded_state(version: str, tmp_path: Path) -> None:
    folder = GOLDEN / version
    expected = (folder / "state.json").read_text(encoding="utf-8").strip()
    data, warnings, error = read_file(folder / "ops.jsonl")
    result = read_ops(data)
    assert error is None and not warnings and result.error is None and not result.warnings
    assert codec.to_json(replay_ops(result.ops, verify=True)) == expected
    report = import_file(folder / "ops.jsonl", tmp_path, machine_id=MACHINE)
    assert report.error is None and report.ops == len(result.ops)
    store = open_store(tmp_path, machine_id=MACHINE, settings=StoreSettings(verify_replay=True))
    world, _ = store.load()
    assert codec.to_json(world) == expected
