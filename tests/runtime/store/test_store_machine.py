"""The machine id (§2.4): from the environment, else a file created once with mode 0600."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ojlang.runtime.store.errors import StoreRefused
from ojlang.runtime.store.machine import machine_id, machine_id_path


def test_the_environment_wins() -> None:
    assert machine_id({"OJ_MACHINE_ID": "m-1", "XDG_STATE_HOME": "/nonexistent"}) == "m-1"
    with pytest.raises(StoreRefused, match="not a valid machine id"):
        machine_id({"OJ_MACHINE_ID": "has space"})


def test_the_file_is_created_once_and_kept(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path)}
    first = machine_id(env)
    path = tmp_path / "oj" / "machine-id"
    assert machine_id_path(env) == path
    assert len(first) == 16 and int(first, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert machine_id(env) == first
    assert [p.name for p in path.parent.iterdir()] == ["machine-id"]


def test_home_is_the_fallback(tmp_path: Path) -> None:
    assert machine_id_path({"HOME": str(tmp_path)}) == tmp_path / ".local/state/oj/machine-id"


def test_a_damaged_file_is_refused_not_regenerated(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path)}
    path = machine_id_path(env)
    path.parent.mkdir(parents=True)
    path.write_text("\n")
    with pytest.raises(StoreRefused, match="does not hold a machine id"):
        machine_id(env)
    assert path.read_text() == "\n"
