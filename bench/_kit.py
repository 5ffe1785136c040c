"""What the daemon benchmarks share: a clean environment for a bench project's daemon, and a
bytecode-free copy of the `ojlang` sources to run a cold client from (via `PYTHONPATH`)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def daemon_env(home: Path) -> dict[str, str]:
    """This process's environment without `OJ_*`/`TMUX*`, with no stdlib runbooks, a fixed
    machine id and the daemon's state under `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OJ_", "TMUX"))}
    env.update(OJ_STDLIB_DIR="", OJ_MACHINE_ID="bench", XDG_STATE_HOME=str(home / "state"))
    return env


def package_copy(base: Path, source: Path | None = None) -> Path:
    """A copy of the `ojlang` sources (or of the package at `source`) without any `.pyc`, for
    `PYTHONPATH`; the worktree and its `__pycache__` directories stay as they are."""
    import ojlang

    dest = base / "pkg"
    shutil.copytree(
        source or Path(ojlang.__file__).parent,
        dest / "ojlang",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return dest
