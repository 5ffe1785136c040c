"""Engine tests compile runbooks without the bundled standard library."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_stdlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    monkeypatch.setenv("OJ_MACHINE_ID", "engine-test")
