"""The CLI side of the daemon socket (RUNTIME.md §7.2–7.3): a project directory and a method in,
the daemon's answer out, starting the daemon when it is not running.

`connect(root)` tries the socket; on `ENOENT`/`ECONNREFUSED` it takes `flock(run/start.lock)`,
tries again (another `oj` may have just started one), and otherwise starts `python -m
ojlang.runtime.daemon --root ROOT` detached (new session, stdio on `/dev/null`, an environment
without the caller's task identity), polling every 25 ms: 5 s at most, longer only while the new
process is visibly still starting (recovery of a big store). A failed start raises
`RemoteError("unavailable")` (exit 4) carrying the `ERROR` lines the daemon logged after its
last start marker. `OJ_NO_AUTOSTART=1` disables the start. A daemon of another version is asked
to `daemon.restart` (agents keep running) and a new one is started, unless
`OJ_NO_AUTO_RESTART=1` (then exit 4). Only the standard library and the protocol module are
imported, so commands stay quick.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ojlang.runtime.daemon.protocol import VERSION, Client, RemoteError, socket_path

if TYPE_CHECKING:  # `subprocess` is imported only to start a daemon: most calls find one
    import subprocess

POLL_S = 0.025
START_S = 5.0
START_SLOW_S = 60.0
STOP_WAIT_S = 30.0
REQUEST_S = 35.0  # the daemon's own deadline is 30 s
KEEP_ENV_OJ = ("OJ_MACHINE_ID", "OJ_FAILPOINTS", "OJ_LOG", "OJ_STDLIB_DIR")
DROP_ENV = ("TMUX", "TMUX_PANE", "TMUX_TMPDIR")
_children: list[subprocess.Popen[bytes]] = []


# -- finding the project ----------------------------------------------------------------------


def project_root(cwd: Path | None = None) -> Path:
    """The project of `cwd`: inside `.oj/` (a task's worktree) its parent; else `OJ_STATE_DIR`
    when set (agents and shells of a task); else the nearest `.oj/` or `runbooks/` upwards."""
    here = (cwd or Path.cwd()).resolve()
    parts = here.parts
    if ".oj" in parts:
        at = len(parts) - 1 - parts[::-1].index(".oj")
        return Path(*parts[:at])
    given = os.environ.get("OJ_STATE_DIR")
    if given and cwd is None and Path(given).is_dir():
        return Path(given).resolve().parent
    from ojlang.roots import find_root

    return find_root(here)


def state_dir_of(root: Path) -> Path:
    return root / ".oj"


# -- starting and stopping the daemon ---------------------------------------------------------


def daemon_env(source: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without its task identity (`OJ_*` but settings, tmux)."""
    env = dict(os.environ if source is None else source)
    for name in list(env):
        task = name.startswith("OJ_") and name not in KEEP_ENV_OJ
        if task or name in DROP_ENV or name.startswith("OTTER_"):
            del env[name]
    return env


def start_errors(state_dir: Path) -> list[str]:
    """The `ERROR` lines of `logs/daemon.log` after the last start marker."""
    from ojlang.runtime.daemon.logs import MARKER, tail

    lines = tail(state_dir, 400)
    for at in range(len(lines) - 1, -1, -1):
        if lines[at].startswith(MARKER):
            lines = lines[at + 1 :]
            break
    return [line for line in lines if " ERROR " in line]


def spawn(root: Path) -> subprocess.Popen[bytes]:
    """Start a detached daemon for `root` (it exits 0 at once if one is already running)."""
    import subprocess

    for child in list(_children):  # reap earlier daemons of this process that exited
        if child.poll() is not None:
            _children.remove(child)
    argv = [sys.executable, "-m", "ojlang.runtime.daemon", "--root", str(root)]
    child = subprocess.Popen(
        argv,
        cwd=root,
        env=daemon_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _children.append(child)
    return child


@contextlib.contextmanager
def _start_lock(state_dir: Path, timeout: float) -> Generator[None, None, None]:
    path = state_dir / "run" / "start.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RemoteError(
                        "unavailable", "another `oj` is starting the daemon and did not finish"
                    ) from None
                time.sleep(POLL_S)
        yield
    finally:
        os.close(fd)


def _try(root: Path, timeout: float) -> Client | None:
    client = Client(socket_path(state_dir_of(root)), timeout=timeout, root=str(root))
    try:
        return client.connect()
    except RemoteError:
        return None


def _failed(state_dir: Path, why: str) -> RemoteError:
    errors = start_errors(state_dir)
    detail = "\n".join(f"  {line}" for line in errors[-10:])
    message = f"the oj daemon did not start: {why}"
    if detail:
        message += f"\n{detail}"
    return RemoteError("unavailable", message, "see `.oj/logs/daemon.log` (`oj daemon logs`)")


def start(root: Path, timeout: float = REQUEST_S) -> Client:
    """Connect, starting the daemon first when needed (§7.3)."""
    state_dir = state_dir_of(root)
    (state_dir / "run").mkdir(parents=True, exist_ok=True)
    with _start_lock(state_dir, START_SLOW_S + START_S):
        client = _try(root, timeout)
        if client is not None:
            return client
        child = spawn(root)
        began = time.monotonic()
        while True:
            time.sleep(POLL_S)
            client = _try(root, timeout)
            if client is not None:
                return client
            code = child.poll()
            waited = time.monotonic() - began
            if code not in (None, 0):
                raise _failed(state_dir, f"it exited with status {code}")
            if code == 0 and waited > START_S:
                raise _failed(state_dir, "another daemon holds the lock but does not answer")
            if waited > START_SLOW_S or (waited > START_S and start_errors(state_dir)):
                raise _failed(state_dir, f"no answer after {waited:.1f}s")


def wait_gone(pid: int, timeout: float) -> bool:
    """Whether process `pid` ended within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        for child in _children:  # our own child stays a zombie until reaped
            if child.pid == pid and child.poll() is not None:
                return True
        time.sleep(POLL_S)
    return False


def connect(root: Path, *, autostart: bool | None = None, timeout: float = REQUEST_S) -> Client:
    """A connection to the daemon of `root` with a matching version."""
    if autostart is None:
        autostart = os.environ.get("OJ_NO_AUTOSTART") != "1"
    client = _try(root, timeout)
    if client is None:
        if not autostart:
            raise RemoteError(
                "unavailable", "the oj daemon is not running", "start it: `oj daemon start`"
            )
        client = start(root, timeout)
    server = str(client.welcome.get("server") or "")
    if server == VERSION:
        return client
    pid = int(client.welcome.get("pid") or 0)
    if os.environ.get("OJ_NO_AUTO_RESTART") == "1" or not autostart:
        client.close()
        raise RemoteError(
            "unavailable",
            f"the running daemon is version {server}, this oj is {VERSION}",
            "restart it: `oj daemon restart` (agents keep running)",
        )
    with contextlib.suppress(RemoteError):
        client.request("daemon.restart", {}, timeout=5.0)
    client.close()
    if pid and not wait_gone(pid, STOP_WAIT_S):
        raise RemoteError("unavailable", f"the old daemon (pid {pid}) did not stop")
    return start(root, timeout)


# -- requests ---------------------------------------------------------------------------------


def call(
    method: str,
    params: dict[str, Any] | None = None,
    *,
    root: Path | None = None,
    timeout: float = REQUEST_S,
    autostart: bool | None = None,
) -> Any:
    """One request to the daemon of `root` (default: the project of the working directory)."""
    with connect(root or project_root(), autostart=autostart, timeout=timeout) as client:
        return client.request(method, params or {}, timeout=timeout)


def stream(
    method: str,
    params: dict[str, Any] | None = None,
    *,
    root: Path | None = None,
    timeout: float | None = None,
    autostart: bool | None = None,
) -> Generator[dict[str, Any], None, Any]:
    """The events of a stream request; its `end` result is the generator's return value."""
    client = connect(root or project_root(), autostart=autostart)
    try:
        result = yield from client.stream(method, params or {}, timeout=timeout)
    finally:
        client.close()
    return result
