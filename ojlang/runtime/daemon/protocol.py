"""Socket protocol version 1 (RUNTIME.md §7.1–7.2): frames, paths and a blocking client.

A frame is a 4-byte big-endian length, then one UTF-8 JSON object (at most 16 MiB). The
client says `hello`, the server answers `welcome`; then `req` frames are answered by one `res`
frame, or, for streams, by `ev` frames and a closing `end` frame. Errors carry a code of
§7.2, which `exit_code` maps to the CLI exit code. Only the standard library is imported here,
so `oj done` and `oj hook` stay fast (§13).
"""

from __future__ import annotations

import json
import os
import socket
import struct
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

PROTOCOL = 1
VERSION = "0.1.0"
MAX_FRAME = 16 * 1024 * 1024
MAX_SOCKET_PATH = 100
_HEADER = struct.Struct(">I")

ERROR_EXIT = {
    "invalid": 2,
    "not_found": 5,
    "ambiguous": 5,
    "conflict": 1,
    "denied": 1,
    "stale_claim": 1,
    "stale_task": 1,
    "unavailable": 4,
    "timeout": 124,
    "internal": 3,
}


class ProtocolError(Exception):
    """A malformed or oversized frame, or a peer that broke the protocol."""


class RemoteError(Exception):
    """An error answer (`code` of §7.2) or an unreachable daemon (`unavailable`)."""

    def __init__(self, code: str, message: str, help: str | None = None, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help
        self.data = data

    @property
    def exit_code(self) -> int:
        return ERROR_EXIT.get(self.code, 3)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "help": self.help, "data": self.data}


# -- paths ------------------------------------------------------------------------------------


def project_id(root: Path) -> str:
    """First 12 hex of the sha256 of the real root path (§7.1)."""
    import hashlib  # here, not at the top: `oj status` and `oj hook` need no hash

    return hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:12]


def _short_dir() -> Path:
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    return Path(base) / f"oj-{os.getuid()}"


def socket_path(state_dir: Path, name: str = "daemon.sock") -> Path:
    """`run/<name>` of the state directory, or a short path when that one is too long."""
    path = state_dir / "run" / name
    if len(os.fsencode(str(path))) <= MAX_SOCKET_PATH:
        return path
    short = _short_dir()
    short.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = name.removesuffix(".sock").replace("daemon", "").strip("-")
    suffix = f"-{stem}" if stem else ""
    return short / f"{project_id(state_dir.parent)}{suffix}.sock"


def tmux_socket_path(state_dir: Path) -> Path:
    return socket_path(state_dir, "tmux.sock")


# -- frames -----------------------------------------------------------------------------------


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    if len(body) > MAX_FRAME:
        raise ProtocolError(f"frame of {len(body)} bytes exceeds {MAX_FRAME}")
    return _HEADER.pack(len(body)) + body


def _read_exact(sock: socket.socket, n: int) -> bytes | None:
    chunks: list[bytes] = []
    left = n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            if not chunks:
                return None
            raise ProtocolError("connection closed inside a frame")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket) -> dict[str, Any] | None:
    """The next message, or None at a clean end of stream."""
    header = _read_exact(sock, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ProtocolError(f"frame of {size} bytes exceeds {MAX_FRAME}")
    body = _read_exact(sock, size) if size else b"{}"
    if body is None:
        raise ProtocolError("connection closed inside a frame")
    try:
        message = json.loads(body)
    except ValueError as exc:
        raise ProtocolError(f"frame is not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("frame is not a JSON object")
    return message


def write_frame(sock: socket.socket, message: dict[str, Any]) -> None:
    sock.sendall(encode(message))


def error_of(message: dict[str, Any]) -> RemoteError:
    err = message.get("error") or {}
    if not isinstance(err, dict):
        err = {}
    return RemoteError(
        str(err.get("code") or "internal"),
        str(err.get("message") or "unknown error"),
        err.get("help"),
        err.get("data"),
    )


# -- client -----------------------------------------------------------------------------------


class Client:
    """A blocking connection to the daemon socket; every wait is bounded by `timeout`."""

    def __init__(self, path: Path, *, timeout: float = 5.0, root: str = "") -> None:
        self.path = path
        self.timeout = timeout
        self.root = root
        self.welcome: dict[str, Any] = {}
        self._sock: socket.socket | None = None
        self._next_id = 0

    def connect(self) -> Client:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(str(self.path))
            write_frame(
                sock, {"t": "hello", "client": VERSION, "protocol": PROTOCOL, "root": self.root}
            )
            answer = read_frame(sock)
        except (OSError, ProtocolError) as exc:
            sock.close()
            raise RemoteError(
                "unavailable", f"cannot reach the oj engine at `{self.path}`: {exc}"
            ) from None
        if not answer or answer.get("t") != "welcome":
            sock.close()
            raise RemoteError("unavailable", "the oj engine did not answer the handshake")
        self.welcome = answer
        self._sock = sock
        return self

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> Client:
        return self.connect() if self._sock is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, params: dict[str, Any], stream: bool) -> tuple[socket.socket, int]:
        if self._sock is None:
            self.connect()
        assert self._sock is not None
        self._next_id += 1
        req = {
            "t": "req",
            "id": self._next_id,
            "method": method,
            "params": params,
            "stream": stream,
        }
        try:
            write_frame(self._sock, req)
        except OSError as exc:
            raise RemoteError(
                "unavailable", f"lost the connection to the oj engine: {exc}"
            ) from None
        return self._sock, self._next_id

    def _read(self, sock: socket.socket, deadline: float) -> dict[str, Any]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RemoteError("timeout", "the oj engine did not answer in time")
        sock.settimeout(left)
        try:
            message = read_frame(sock)
        except TimeoutError:
            raise RemoteError("timeout", "the oj engine did not answer in time") from None
        except (OSError, ProtocolError) as exc:
            raise RemoteError(
                "unavailable", f"lost the connection to the oj engine: {exc}"
            ) from None
        if message is None:
            raise RemoteError("unavailable", "the oj engine closed the connection")
        return message

    def request(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """Send one request and return its result; an error answer raises `RemoteError`."""
        sock, rid = self._send(method, params or {}, False)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            message = self._read(sock, deadline)
            if message.get("id") != rid:
                continue
            if message.get("t") == "res" and message.get("ok"):
                return message.get("result")
            raise error_of(message)

    def stream(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Generator[dict[str, Any], None, Any]:
        """Yield the events of a stream; its `end` result is returned (StopIteration.value)."""
        sock, rid = self._send(method, params or {}, True)
        deadline = time.monotonic() + (10 * 365 * 86400 if timeout is None else timeout)
        ended = False
        try:
            while True:
                message = self._read(sock, deadline)
                if message.get("id") != rid:
                    continue
                kind = message.get("t")
                if kind == "ev":
                    yield dict(message.get("event") or {})
                    continue
                ended = True
                if kind == "res" and not message.get("ok"):
                    raise error_of(message)
                return message.get("result")
        finally:
            if not ended:
                self._cancel(rid)

    def _cancel(self, rid: int) -> None:
        if self._sock is None:
            return
        try:
            write_frame(self._sock, {"t": "cancel", "id": rid})
        except OSError:
            self.close()
