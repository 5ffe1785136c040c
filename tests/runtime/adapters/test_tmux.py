"""The tmux adapter's pane listing when tmux missed a pane process's SIGCHLD: the closed pane
with no status makes the adapter send SIGCHLD to the server and list again (RUNTIME.md §8.2)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ojlang.runtime.adapters.tmux import TmuxSessionAdapter


@pytest.fixture
def zombie() -> Iterator[int]:
    """The pid of an exited child that is not reaped yet, as tmux leaves a missed one."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while Path(f"/proc/{child.pid}/stat").read_text().split()[2] != "Z":
        os.sched_yield()
    yield child.pid
    child.wait()


def adapter(tmp_path: Path, listings: list[list[list[str]]]) -> TmuxSessionAdapter:
    tmux = TmuxSessionAdapter(tmp_path / "tmux.sock", tmp_path / "tmux.conf", tmux_bin="tmux")
    (tmp_path / "tmux.sock").touch()
    tmux._list_panes = lambda: listings.pop(0)  # type: ignore[method-assign]
    return tmux


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_closed_pane_without_status_pokes_the_server_and_lists_again(
    tmp_path: Path, zombie: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = 4242
    unreaped = [["agent", str(zombie), "1", "", "", str(server)]]
    reaped = [["agent", str(zombie), "1", "0", "", str(server)]]
    listings = [unreaped, reaped]
    sent: list[tuple[int, int]] = []
    real_kill = os.kill

    def kill(pid: int, sig: int) -> None:
        if sig == signal.SIGCHLD:
            sent.append((pid, sig))
            return
        real_kill(pid, sig)

    monkeypatch.setattr(os, "kill", kill)
    live = adapter(tmp_path, listings).liveness()["agent"]
    assert sent == [(server, signal.SIGCHLD)]
    assert (live.dead, live.dead_status) == (True, 0)


def test_a_closed_pane_whose_process_is_gone_needs_no_poke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    listings = [[["agent", str(child.pid), "1", "", "", "4242"]]]
    monkeypatch.setattr(os, "kill", _no_sigchld(os.kill))
    live = adapter(tmp_path, listings).liveness()["agent"]
    assert live.dead and live.dead_status is None


def _no_sigchld(real: object) -> object:
    def kill(pid: int, sig: int) -> None:
        assert sig != signal.SIGCHLD, "poked the server for a pane whose process is gone"
        real(pid, sig)  # type: ignore[operator]

    return kill
