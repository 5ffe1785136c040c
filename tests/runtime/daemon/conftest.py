"""Daemon tests compile runbooks without the bundled standard library, with a fixed machine id,
and never auto-start a daemon they did not ask for."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    monkeypatch.setenv("OJ_MACHINE_ID", "daemon-test")
    monkeypatch.setenv("OJ_NO_AUTOSTART", "1")
    monkeypatch.delenv("OJ_STATE_DIR", raising=False)
