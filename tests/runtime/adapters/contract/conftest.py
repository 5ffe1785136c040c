"""Fixtures of the adapter contract suites: short temp dirs (tmux sockets must stay under the
~104-byte limit) and a private tmux server that every test kills when it ends."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def short_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="oj-", dir="/tmp")).resolve()
    yield path
    shutil.rmtree(path, ignore_errors=True)
