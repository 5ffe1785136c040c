"""Protocol version 1: frames round-trip, bad frames are errors, paths stay short, error codes
map to exit codes."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import pytest

from ojlang.runtime.daemon.protocol import (
    MAX_FRAME,
    MAX_SOCKET_PATH,
    ProtocolError,
    RemoteError,
    encode,
    read_frame,
    socket_path,
    write_frame,
)


def pair() -> tuple[socket.socket, socket.socket]:
    a, b = socket.socketpair()
    a.settimeout(2)
    b.settimeout(2)
    return a, b


def test_frames_round_trip() -> None:
    a, b = pair()
    message = {"t": "req", "id": 1, "method": "done", "params": {"text": "ünïcode"}}
    write_frame(a, message)
    assert read_frame(b) == message
    a.close()
    assert read_frame(b) is None


@pytest.mark.parametrize(
    "raw, message",
    [
        (struct.pack(">I", 3) + b"[1]", "not a JSON object"),
        (struct.pack(">I", 3) + b"{no", "not JSON"),
        (struct.pack(">I", MAX_FRAME + 1), "exceeds"),
        (struct.pack(">I", 10) + b"{}", "inside a frame"),
    ],
)
def test_bad_frames(raw: bytes, message: str) -> None:
    a, b = pair()
    a.sendall(raw)
    a.close()
    with pytest.raises(ProtocolError, match=message):
        read_frame(b)


def test_oversized_messages_are_refused_before_sending() -> None:
    with pytest.raises(ProtocolError):
        encode({"x": "a" * (MAX_FRAME + 1)})


def test_long_socket_paths_move_to_a_short_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    short = socket_path(Path("/p/.oj"))
    assert short == Path("/p/.oj/run/daemon.sock")
    deep = tmp_path / ("d" * 120) / ".oj"
    moved = socket_path(deep)
    assert len(str(moved)) <= MAX_SOCKET_PATH and moved.parent.parent == tmp_path
    assert moved.name.endswith(".sock") and moved != socket_path(deep, "tmux.sock")


@pytest.mark.parametrize(
    "code, exit_code",
    [
        ("invalid", 2),
        ("not_found", 5),
        ("stale_task", 1),
        ("unavailable", 4),
        ("timeout", 124),
        ("weird", 3),
    ],
)
def test_error_exit_codes(code: str, exit_code: int) -> None:
    assert RemoteError(code, "m").exit_code == exit_code
