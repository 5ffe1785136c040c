"""The CLI side of the socket (RUNTIME.md §7.2–7.3): finding the project, the daemon's
environment, no auto-start when disabled, and version skew."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ojlang import client
from ojlang.runtime.daemon import server as server_module
from ojlang.runtime.daemon.protocol import RemoteError, socket_path
from ojlang.runtime.daemon.server import SocketServer


def test_the_project_of_a_task_worktree_is_the_one_holding_its_state_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "proj"
    worktree = root / ".oj" / "worktrees" / "build-a" / "src"
    (worktree.parent / "runbooks").mkdir(parents=True)  # a checkout has its own runbooks/
    worktree.mkdir()
    assert client.project_root(worktree) == root
    (root / "runbooks").mkdir()
    assert client.project_root(root / "runbooks") == root
    monkeypatch.setenv("OJ_STATE_DIR", str(root / ".oj"))
    monkeypatch.chdir(tmp_path)
    assert client.project_root() == root


def test_the_daemon_environment_drops_task_identity_and_tmux(tmp_path: Path) -> None:
    env = {
        "PATH": "/bin",
        "HOME": "/h",
        "OJ_RUN": "build-a",
        "OJ_TASK_ID": "build-a.plan.1",
        "OJ_SOCKET": "/x.sock",
        "OJ_MACHINE_ID": "m",
        "OJ_FAILPOINTS": "store.before_commit=kill",
        "OTTER_PIPELINE": "p",
        "TMUX": "/tmp/tmux",
        "EDITOR": "vi",
    }
    kept = client.daemon_env(env)
    assert kept == {
        "PATH": "/bin",
        "HOME": "/h",
        "OJ_MACHINE_ID": "m",
        "OJ_FAILPOINTS": "store.before_commit=kill",
        "EDITOR": "vi",
    }


def test_no_daemon_and_no_auto_start_is_exit_4_with_help(tmp_path: Path) -> None:
    with pytest.raises(RemoteError) as caught:
        client.call("status", root=tmp_path, autostart=False)
    err = caught.value
    assert (err.code, err.exit_code) == ("unavailable", 4)
    assert err.help == "start it: `oj daemon start`"


class Dummy:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def call(self, method: str, params: dict[str, Any]) -> Any:
        self.calls.append(method)
        return {"ok": True}

    def stream(self, method: str, params: dict[str, Any], cancelled: Any) -> Any:
        raise RemoteError("invalid", "no streams")


def test_a_daemon_of_another_version_is_refused_when_restarts_are_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "VERSION", "0.0.1")
    monkeypatch.setenv("OJ_NO_AUTO_RESTART", "1")
    handler = Dummy()
    server = SocketServer(socket_path(tmp_path / ".oj"), handler).start()
    try:
        with pytest.raises(RemoteError) as caught:
            client.connect(tmp_path)
        assert caught.value.exit_code == 4
        assert "version 0.0.1" in caught.value.message
        assert caught.value.help == "restart it: `oj daemon restart` (agents keep running)"
        assert handler.calls == []
    finally:
        server.stop()


def test_a_matching_daemon_is_used_as_it_is(tmp_path: Path) -> None:
    handler = Dummy()
    server = SocketServer(socket_path(tmp_path / ".oj"), handler).start()
    try:
        assert client.call("ping", root=tmp_path, autostart=False) == {"ok": True}
        assert handler.calls == ["ping"]
        assert client.wait_gone(os.getpid(), 0.05) is False
    finally:
        server.stop()
