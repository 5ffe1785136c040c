"""tmux session adapter (RUNTIME.md §8.2): SessionAdapter calls in, tmux commands on the
project's private server out (libtmux `Server(socket_path=…)`), results as plain values.

Behaviour choices:

- One private server per project at `socket_path` with its own config file (written before the
  first spawn): `remain-on-exit on` (a dead pane keeps its exit status), `history-limit 50000`,
  `default-size 200x50`, `update-environment ""`, `default-shell /bin/sh` and
  `default-terminal xterm-256color` (tmux would otherwise override `TERM`). The user's default
  server is never touched.
- `spawn` runs `new-session` with the sanitised environment as its *process* environment, so a
  server started by that call inherits nothing else; session variables go in with `-e K=V`. The
  command is `exec <shlex.join(argv)>`; output is piped to `log_path` with `pipe-pane -o`
  (output printed before `pipe-pane` attaches is in the pane history but not in the log; a
  program that already exited gets no log).
- Every target is exact (`=NAME`), so tmux's prefix matching never picks another session.
  Session names must not contain `.`, `:` or blanks, nor start with `-` or `=`, ≤ 64 chars.
- `send` clears the input line (`C-u`), types the text with `send-keys -l` in chunks of at most
  512 bytes (never splitting a character), waits 50 ms + 1 ms per 8 characters (≤ 2 s), presses
  `Enter`, and after 500 ms presses `Enter` once more if the end of the text still sits on the
  cursor line. `Pacing` scales these delays (tests use `Pacing.fast()`).
- `kill(capture_to=…)` captures `-J -S -2000` into the file (tmp + rename) before
  `kill-session`; a missing session is not an error. `liveness` is one `list-panes -a` call;
  `alive` also requires the pane pid to exist. `pane_hash` is a blake2b of the last 50 lines
  with trailing blanks stripped.
- A server that is not running means "no sessions": `list`/`liveness` return empty, the others
  raise `SessionNotFound`. A pane counts as dead once tmux knows its exit status (a death by
  signal N reports 128 + N), so `dead_status` is never None for a dead pane on tmux ≥ 3.3.
  tmux (seen with 3.3a on a loaded machine) sometimes misses the SIGCHLD of a pane's process:
  the pane is closed but its process stays an unreaped zombie, with no status, for good. A
  listing that finds a closed pane without a status sends SIGCHLD to the server (its handler
  only reaps children) and lists once more, so such a pane is reported dead with its status.
  A missing tmux binary or one older than 3.0 raises `TmuxUnavailable`.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import libtmux

from ojlang.runtime.adapters.environment import overlay, sanitized_env
from ojlang.runtime.adapters.errors import (
    InvalidArgument,
    SessionExists,
    SessionNotFound,
    SpawnFailed,
    TmuxUnavailable,
)
from ojlang.runtime.adapters.interfaces import Liveness, SessionInfo
from ojlang.runtime.adapters.panes import HASH_LINES, check_name, chunks, output_hash, pid_exists

CONF = """\
set-option -g remain-on-exit on
set-option -g history-limit 50000
set-option -g default-size 200x50
set-option -g update-environment ""
set-option -g default-shell /bin/sh
set-option -g default-terminal xterm-256color
"""
KILL_CAPTURE_LINES = 2000
_LIST_FORMAT = (
    "#{session_name}\t#{pane_pid}\t#{pane_dead}\t#{pane_dead_status}\t#{pane_dead_signal}\t#{pid}"
)
REAP_WAIT_S = 0.05
_GONE = (
    "no server running",
    "error connecting",
    "can't find",
    "no such file",
    "no current target",
    "server exited",
    "lost server",
)


@attrs.frozen
class Pacing:
    """Delays of `send` (§8.2), in seconds."""

    base_s: float = 0.05
    per_char_s: float = 0.001 / 8
    max_s: float = 2.0
    verify_after_s: float = 0.5

    @classmethod
    def fast(cls) -> Pacing:
        """Short typing delays for tests; the check for an unsubmitted line still waits long
        enough for tmux to have drawn the echo of `Enter` on a loaded machine."""
        return cls(base_s=0.01, per_char_s=0.0, max_s=0.05, verify_after_s=0.25)

    def typing_delay(self, text: str) -> float:
        return min(self.base_s + self.per_char_s * len(text), self.max_s)


def _gone(stderr: Sequence[str]) -> bool:
    text = " ".join(stderr).lower()
    return any(marker in text for marker in _GONE)


class TmuxSessionAdapter:
    """SessionAdapter over a private tmux server (see the module docstring)."""

    def __init__(
        self,
        socket_path: Path,
        conf_path: Path,
        *,
        base_env: Mapping[str, str] | None = None,
        passthrough: Sequence[str] = (),
        pacing: Pacing | None = None,
        tmux_bin: str | None = None,
    ) -> None:
        self.socket_path = socket_path
        self.conf_path = conf_path
        source = os.environ if base_env is None else base_env
        self.base_env = sanitized_env(source, passthrough)
        self.pacing = pacing or Pacing()
        self._bin = tmux_bin or shutil.which("tmux", path=self.base_env.get("PATH")) or ""
        self._checked = False
        self._server = libtmux.Server(
            socket_path=str(socket_path), config_file=str(conf_path), tmux_bin=self._bin or None
        )

    # -- plumbing ---------------------------------------------------------------------------

    def _require_tmux(self) -> None:
        if self._checked:
            return
        if not self._bin:
            raise TmuxUnavailable("tmux not found; install tmux ≥ 3.0")
        try:
            out = subprocess.run(
                [self._bin, "-V"], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except OSError as exc:
            raise TmuxUnavailable(f"tmux cannot run: {exc}") from exc
        found = re.search(r"(\d+)\.(\d+)", out)
        if found is None or (int(found[1]), int(found[2])) < (3, 0):
            raise TmuxUnavailable(f"tmux ≥ 3.0 required, found `{out.strip()}`")
        self._checked = True

    def _cmd(self, *args: str) -> libtmux.common.tmux_cmd:
        self._require_tmux()
        return self._server.cmd(*args)

    def _run(self, name: str, *args: str) -> list[str]:
        """A command about session `name`; its stdout lines, or `SessionNotFound`."""
        result = self._cmd(*args)
        if result.returncode != 0:
            if _gone(result.stderr):
                raise SessionNotFound(f"no session `{name}`")
            raise SpawnFailed(f"tmux {args[0]} failed: {' '.join(result.stderr)}")
        return list(result.stdout)

    def _write_conf(self) -> None:
        self.conf_path.parent.mkdir(parents=True, exist_ok=True)
        if not self.conf_path.exists() or self.conf_path.read_text() != CONF:
            tmp = self.conf_path.with_name(self.conf_path.name + ".tmp")
            tmp.write_text(CONF)
            tmp.replace(self.conf_path)

    # -- SessionAdapter ---------------------------------------------------------------------

    def spawn(
        self, name: str, cwd: Path, argv: Sequence[str], env: Mapping[str, str], log_path: Path
    ) -> SessionInfo:
        check_name(name)
        if not argv:
            raise InvalidArgument(f"empty command for session `{name}`")
        self._require_tmux()
        if not cwd.is_dir():
            raise SpawnFailed(f"working directory `{cwd}` does not exist", retryable=False)
        self._write_conf()
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        args = [self._bin, "-S", str(self.socket_path), "-f", str(self.conf_path)]
        args += ["new-session", "-d", "-s", name, "-c", str(cwd), "-P", "-F", "#{pane_pid}"]
        for key, value in overlay({}, env).items():
            args += ["-e", f"{key}={value}"]
        args.append("exec " + shlex.join(argv))
        for attempt in range(2):
            try:
                proc = subprocess.run(
                    args, env=self.base_env, capture_output=True, text=True, timeout=30, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SpawnFailed(f"tmux new-session failed: {exc}") from exc
            if attempt == 0 and proc.returncode != 0 and _gone(proc.stderr.splitlines()):
                time.sleep(0.05)  # the server was exiting with its last session: start anew
                continue
            break
        if proc.returncode != 0:
            if "duplicate session" in proc.stderr:
                raise SessionExists(f"session `{name}` already exists")
            raise SpawnFailed(f"tmux new-session failed: {proc.stderr.strip()}")
        pane_pid = int(proc.stdout.strip().splitlines()[0])
        log_path.parent.mkdir(parents=True, exist_ok=True)
        pipe = "cat >> " + shlex.quote(str(log_path))
        piped = self._cmd("pipe-pane", "-o", "-t", f"={name}:", pipe)
        if piped.returncode != 0 and "exited" not in " ".join(piped.stderr):
            raise SpawnFailed(f"tmux pipe-pane failed: {' '.join(piped.stderr)}")
        return SessionInfo(name, pane_pid)

    def send(self, name: str, text: str, *, enter: bool = True, clear_first: bool = True) -> None:
        target = f"={check_name(name)}:"
        if clear_first:
            self._run(name, "send-keys", "-t", target, "C-u")
        for piece in chunks(text):
            self._run(name, "send-keys", "-t", target, "-l", piece)
        time.sleep(self.pacing.typing_delay(text))
        if not enter:
            return
        self._run(name, "send-keys", "-t", target, "Enter")
        tail = text.strip().splitlines()[-1][-20:] if text.strip() else ""
        if not tail:
            return
        time.sleep(self.pacing.verify_after_s)
        if tail in self._cursor_line(name):
            self._run(name, "send-keys", "-t", target, "Enter")

    def _cursor_line(self, name: str) -> str:
        target = f"={name}:"
        row = self._run(name, "display-message", "-p", "-t", target, "#{cursor_y}")
        y = row[0].strip() if row else "0"
        return "\n".join(self._run(name, "capture-pane", "-p", "-t", target, "-S", y, "-E", y))

    def send_keys(self, name: str, keys: Sequence[str]) -> None:
        target = f"={check_name(name)}:"
        for key in keys:
            if not key:
                raise InvalidArgument("empty key name")
            self._run(name, "send-keys", "-t", target, key)

    def capture(self, name: str, lines: int = 200) -> str:
        target = f"={check_name(name)}:"
        out = self._run(name, "capture-pane", "-p", "-J", "-t", target, "-S", f"-{max(lines, 1)}")
        return "\n".join(out)

    def pane_hash(self, name: str) -> str:
        target = f"={check_name(name)}:"
        out = self._run(name, "capture-pane", "-p", "-t", target, "-S", f"-{HASH_LINES}")
        return output_hash("\n".join(out))

    def _panes(self) -> list[tuple[str, int, bool, int | None]]:
        if not self._bin or not self.socket_path.exists():
            return []
        lines = self._list_panes()
        unreaped = [
            p
            for p in lines
            if p[2] == "1" and not (p[3] + p[4]).isdigit() and pid_exists(int(p[1]))
        ]
        if unreaped and unreaped[0][5].isdigit():
            # a closed pane without a status: tmux may have missed the SIGCHLD (docstring)
            with contextlib.suppress(OSError):
                os.kill(int(unreaped[0][5]), signal.SIGCHLD)
                time.sleep(REAP_WAIT_S)
                lines = self._list_panes()
        seen: dict[str, tuple[str, int, bool, int | None]] = {}
        for parts in lines:
            if parts[0] in seen:
                continue
            pid = int(parts[1])
            status = int(parts[3]) if parts[3].isdigit() else None
            if status is None and parts[4].isdigit():
                status = 128 + int(parts[4])  # as a shell reports a death by signal
            # tmux sees the pane close before it reaps the process: until the status is known
            # (or the process is gone) the pane is not reported dead
            dead = parts[2] == "1" and (status is not None or not pid_exists(pid))
            seen[parts[0]] = (parts[0], pid, dead, status if dead else None)
        return list(seen.values())

    def _list_panes(self) -> builtins.list[builtins.list[str]]:
        result = self._cmd("list-panes", "-a", "-F", _LIST_FORMAT)
        if result.returncode != 0:
            if _gone(result.stderr):
                return []
            raise SpawnFailed(f"tmux list-panes failed: {' '.join(result.stderr)}")
        rows = [line.split("\t") for line in result.stdout]
        return [parts for parts in rows if len(parts) == 6]

    def liveness(self) -> dict[str, Liveness]:
        return {
            name: Liveness(pid, dead, status if dead else None, not dead and pid_exists(pid))
            for name, pid, dead, status in self._panes()
        }

    def list(self) -> list[SessionInfo]:
        return [
            SessionInfo(name, pid, dead, status if dead else None)
            for name, pid, dead, status in self._panes()
        ]

    def kill(self, name: str, *, capture_to: Path | None = None) -> None:
        check_name(name)
        if capture_to is not None:
            try:
                text = self.capture(name, KILL_CAPTURE_LINES)
            except SessionNotFound:
                return
            capture_to.parent.mkdir(parents=True, exist_ok=True)
            tmp = capture_to.with_name(capture_to.name + ".tmp")
            tmp.write_text(text + "\n")
            tmp.replace(capture_to)
        if not self.socket_path.exists():
            return
        result = self._cmd("kill-session", "-t", f"={name}")
        if result.returncode != 0 and not _gone(result.stderr):
            raise SpawnFailed(f"tmux kill-session failed: {' '.join(result.stderr)}")

    def attach_argv(self, name: str) -> builtins.list[str]:
        return [
            self._bin or "tmux",
            "-S",
            str(self.socket_path),
            "attach-session",
            "-t",
            f"={name}",
        ]

    def shutdown(self) -> None:
        """Kill the whole private server (tests, `oj daemon stop --kill-agents`)."""
        if self._bin and self.socket_path.exists():
            self._cmd("kill-server")
