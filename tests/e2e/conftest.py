"""End-to-end fixtures: a real git project with a private tmux server, cleaned up always."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_kit import Project, make_project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    proj = make_project(tmp_path)
    for key, value in proj.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(proj.root)
    try:
        yield proj
    finally:
        proj.cleanup()
