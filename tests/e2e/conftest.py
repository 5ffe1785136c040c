"""End-to-end fixtures: a real git project with a private tmux server, cleaned up always."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_kit import Project, make_project

needs_tools = pytest.mark.skipif(
    shutil.which("tmux") is None or shutil.which("git") is None,
    reason="tmux and git are needed for the end-to-end suite",
)


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
