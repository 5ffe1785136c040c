"""Helpers of the daemon end-to-end tests: the daemon of a project as a real process, found by
its `daemon.json`, killed with SIGKILL, waited for, and always stopped at the end."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from typing import Any

from e2e_kit import Project


def daemon_pid(project: Project) -> int | None:
    try:
        data = json.loads((project.state_dir / "run" / "daemon.json").read_text())
    except (OSError, ValueError):
        return None
    pid = data.get("pid")
    return pid if isinstance(pid, int) and alive(pid) else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    from ojlang.client import _children

    return not any(c.pid == pid and c.poll() is not None for c in _children)


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def sigkill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not alive(pid), 10, f"pid {pid} to die")


def stop_daemon(project: Project) -> None:
    """Stop the project's daemon however it is (graceful, then SIGKILL)."""
    pid = daemon_pid(project)
    if pid is None:
        return
    project.oj("daemon", "stop", "--timeout", "10s", timeout=60)
    if alive(pid):
        sigkill(pid)


def events_named(project: Project, name: str) -> list[dict[str, Any]]:
    return [payload for _, n, _, payload in project.events() if n == name]
