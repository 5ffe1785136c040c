"""The socket server (RUNTIME.md §7.2): connections on a Unix socket in, framed requests handed
to a `Methods` object, framed answers and event streams out.

One thread accepts; each connection gets a thread that does the handshake and then serves its
requests one at a time. A request is answered by one `res` frame; a stream request (`"stream":
true`) by `ev` frames and an `end` frame, and the client stops it with `cancel` or by closing.
Non-stream requests have a 30 s deadline inside the methods. The socket file is created with
mode 0600 and removed on stop; a stale file is replaced only by the caller that holds the
daemon lock (the engine does). Errors from methods are `RemoteError`s; anything else is an
`internal` error with its message, never a traceback on the wire.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, Protocol

from ojlang.runtime.daemon.protocol import (
    PROTOCOL,
    VERSION,
    ProtocolError,
    RemoteError,
    read_frame,
    write_frame,
)

Events = Generator[dict[str, Any], None, Any]
log = logging.getLogger("oj.daemon")


class Handler(Protocol):
    def call(self, method: str, params: dict[str, Any]) -> Any: ...

    def stream(
        self, method: str, params: dict[str, Any], cancelled: Callable[[], bool]
    ) -> Events: ...


class SocketServer:
    def __init__(self, path: Path, handler: Handler, *, project_id: str = "") -> None:
        self.path = path
        self.handler = handler
        self.project_id = project_id
        self._sock: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def start(self) -> SocketServer:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        sock.listen(64)
        sock.settimeout(0.2)
        self._sock = sock
        thread = threading.Thread(target=self._accept, name="oj-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._sock is not None:
            self._sock.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=2)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _accept(self) -> None:
        assert self._sock is not None
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._conns.add(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(None)
            hello = read_frame(conn)
            if not hello or hello.get("t") != "hello":
                return
            write_frame(
                conn,
                {
                    "t": "welcome",
                    "server": VERSION,
                    "protocol": PROTOCOL,
                    "pid": os.getpid(),
                    "project_id": self.project_id,
                },
            )
            while not self._stopped.is_set():
                message = read_frame(conn)
                if message is None:
                    return
                if message.get("t") == "req":
                    self._request(conn, message)
        except (OSError, ProtocolError):
            return
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    def _request(self, conn: socket.socket, message: dict[str, Any]) -> None:
        rid = message.get("id")
        method = str(message.get("method") or "")
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        assert isinstance(params, dict)
        try:
            if message.get("stream"):
                result = self._stream(conn, rid, method, params)
                write_frame(conn, {"t": "end", "id": rid, "result": result})
            else:
                result = self.handler.call(method, params)
                write_frame(conn, {"t": "res", "id": rid, "ok": True, "result": result})
        except RemoteError as err:
            write_frame(conn, {"t": "res", "id": rid, "ok": False, "error": err.to_json()})
        except (OSError, ProtocolError):
            raise
        except Exception as exc:  # a bug in a method: answer, log, keep serving
            log.exception("request `%s` failed", method)
            error = RemoteError("internal", f"internal error: {type(exc).__name__}: {exc}")
            write_frame(conn, {"t": "res", "id": rid, "ok": False, "error": error.to_json()})

    def _stream(self, conn: socket.socket, rid: Any, method: str, params: dict[str, Any]) -> Any:
        cancelled = _Watcher(conn, rid, self._stopped)
        events = self.handler.stream(method, params, cancelled)
        while True:
            try:
                event = next(events)
            except StopIteration as stop:
                return stop.value
            write_frame(conn, {"t": "ev", "id": rid, "event": event})


class _Watcher:
    """Tells a stream whether its client cancelled it, closed, or the server stops."""

    def __init__(self, conn: socket.socket, rid: Any, stopped: threading.Event) -> None:
        self.conn = conn
        self.rid = rid
        self.stopped = stopped
        self.gone = False

    def __call__(self) -> bool:
        if self.gone or self.stopped.is_set():
            return True
        readable, _, _ = select.select([self.conn], [], [], 0)
        if not readable:
            return False
        try:
            message = read_frame(self.conn)
        except (OSError, ProtocolError):
            message = None
        if message is None or (message.get("t") == "cancel" and message.get("id") == self.rid):
            self.gone = True
        return self.gone
