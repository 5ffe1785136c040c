"""Shell adapter (RUNTIME.md §8.3): rendered scripts in, `ShellResult`s out, each script run by
the re-attachable runner of `shell_runner` under `.oj/run/shell/<effect_id>.{pid,out,err,exit}`.

Behaviour choices:

- The script is one argv element of `bash -c` (started with an argv list, never a command
  line); it arrives rendered and escaped by the core. The environment is the sanitised daemon
  environment (no `TERM`), the effect's variables, then `OJ_EFFECT_ID`.
- The runner enforces the timeout itself (SIGTERM to the script's process group, SIGKILL after
  `kill_grace_s`), so a timeout still fires while the daemon is down. `kill` does the same
  from the daemon side; a killed script reports `signal`, `code = None`.
- `recover(effect_id)`: an exit file → the `ShellResult` it records; a live runner → a
  `ShellHandle` to `wait` on (polled, since the runner is no longer our child); a pid file
  without either → `ShellResult(lost=True)`; no trace at all → None (never started).
- Results keep the last 64 KiB of each stream, or 1 MiB of stdout with `capture`; a tail never
  starts inside a UTF-8 character. `start` with an effect id seen before replaces its files
  (the engine calls `recover` first for re-attach purposes). `purge` deletes the files of
  results older than a given age.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ojlang.runtime.adapters.environment import sanitized_env
from ojlang.runtime.adapters.errors import InvalidArgument, ShellStartFailed
from ojlang.runtime.adapters.interfaces import ShellHandle, ShellResult
from ojlang.runtime.adapters.panes import pid_exists
from ojlang.runtime.adapters.shell_runner import RUNNER

TAIL_BYTES = 64 * 1024
CAPTURE_BYTES = 1024 * 1024
POLL_S = 0.02
START_S = 10.0  # how long a runner may take to record itself (a loaded machine)
EFFECT_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
SUFFIXES = (".pid", ".out", ".err", ".exit", ".pid.tmp", ".exit.tmp")


def check_effect_id(effect_id: str) -> str:
    if not EFFECT_ID_RE.fullmatch(effect_id) or ".." in effect_id:
        raise InvalidArgument(f"invalid effect id `{effect_id}`")
    return effect_id


def tail(path: Path, limit: int) -> str:
    """The last `limit` bytes of a file as text, not starting inside a UTF-8 character."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(size - limit, 0))
            data = handle.read()
    except FileNotFoundError:
        return ""
    if len(data) == limit:
        skip = 0
        while skip < 3 and skip < len(data) and 0x80 <= data[skip] <= 0xBF:
            skip += 1
        data = data[skip:]
    return data.decode("utf-8", "replace")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _is_runner(pid: int, effect_id: str) -> bool:
    """The process `pid` exists and, where /proc tells, is the runner of this effect."""
    if not pid_exists(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():
        return True
    try:
        args = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return effect_id.encode() in args


class SubprocessShellAdapter:
    """ShellAdapter running scripts under the runner (see the module docstring)."""

    def __init__(
        self,
        state_dir: Path,
        *,
        base_env: Mapping[str, str] | None = None,
        passthrough: tuple[str, ...] = (),
        kill_grace_s: float = 5.0,
        python: str = sys.executable,
    ) -> None:
        self.run_dir = state_dir / "run"
        self.dir = self.run_dir / "shell"
        self.runner = self.run_dir / "oj-runner"
        source = os.environ if base_env is None else base_env
        self.base_env = sanitized_env(source, passthrough, term=False)
        self.kill_grace_s = kill_grace_s
        self.python = python
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    def _path(self, effect_id: str, suffix: str) -> Path:
        return self.dir / f"{effect_id}{suffix}"

    def _install(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        if not self.runner.exists() or self.runner.read_text() != RUNNER:
            tmp = self.runner.with_name("oj-runner.tmp")
            tmp.write_text(RUNNER)
            tmp.chmod(0o755)
            tmp.replace(self.runner)

    # -- ShellAdapter -----------------------------------------------------------------------

    def start(
        self,
        effect_id: str,
        script: str,
        cwd: Path,
        env: Mapping[str, str],
        timeout_s: float | None,
        *,
        capture: bool = False,
    ) -> ShellHandle:
        check_effect_id(effect_id)
        self._install()
        for suffix in SUFFIXES:
            self._path(effect_id, suffix).unlink(missing_ok=True)
        full_env = {**self.base_env, **env, "OJ_EFFECT_ID": effect_id}
        timeout = f"{timeout_s:.3f}" if timeout_s else "0"
        argv = [self.python, "-I", "-S", str(self.runner), str(self.dir), effect_id, timeout]
        argv += [f"{self.kill_grace_s:.3f}", script]
        started_us = time.time_ns() // 1000
        self._write_meta(effect_id, {"runner": None, "pgid": None, "started_us": started_us})
        try:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            self._path(effect_id, ".pid").unlink(missing_ok=True)
            raise ShellStartFailed(f"cannot start a shell in `{cwd}`: {exc.strerror}") from exc
        self._procs[effect_id] = proc
        return ShellHandle(effect_id, proc.pid, started_us, capture)

    def _write_meta(self, effect_id: str, meta: dict[str, Any]) -> None:
        tmp = self._path(effect_id, ".pid.tmp")
        tmp.write_text(json.dumps(meta))
        tmp.replace(self._path(effect_id, ".pid"))

    def _meta(self, effect_id: str, key: str) -> tuple[dict[str, Any] | None, int | None]:
        """The pid file and its `key`, waiting up to `START_S` for the runner to fill it in."""
        deadline = time.monotonic() + START_S
        while True:
            meta = _read_json(self._path(effect_id, ".pid"))
            value = meta.get(key) if meta else None
            if meta is None or value is not None or time.monotonic() > deadline:
                return meta, int(value) if value is not None else None
            if self._path(effect_id, ".exit").exists():
                return meta, None
            time.sleep(POLL_S)

    def wait(self, handle: ShellHandle) -> ShellResult:
        eid = handle.effect_id
        proc = self._procs.pop(eid, None)
        returncode: int | None = None
        if proc is not None:
            returncode = proc.wait()
        else:
            _, runner = self._meta(eid, "runner")
            while not self._path(eid, ".exit").exists():
                if runner is None or not _is_runner(runner, eid):
                    break
                time.sleep(POLL_S)
        return self._result(eid, handle.started_us, handle.capture, returncode)

    def _result(
        self, eid: str, started_us: int, capture: bool, runner_code: int | None
    ) -> ShellResult:
        limit = CAPTURE_BYTES if capture else TAIL_BYTES
        out = tail(self._path(eid, ".out"), limit)
        err = tail(self._path(eid, ".err"), TAIL_BYTES)
        record = _read_json(self._path(eid, ".exit"))
        if record is None:
            # the runner itself died (SIGKILL, crash) before it could record the script's end
            sig = -runner_code if runner_code is not None and runner_code < 0 else None
            ended = time.time_ns() // 1000
            lost = sig is None
            return ShellResult(eid, None, sig, False, out, err, max(ended - started_us, 0), lost)
        ended = int(record.get("ended_us") or 0)
        code = record.get("code")
        sig = record.get("signal")
        return ShellResult(
            eid,
            int(code) if code is not None else None,
            int(sig) if sig is not None else None,
            bool(record.get("timed_out")),
            out,
            err,
            max(ended - started_us, 0),
        )

    def kill(self, effect_id: str) -> None:
        check_effect_id(effect_id)
        exit_file = self._path(effect_id, ".exit")
        meta, pgid = self._meta(effect_id, "pgid")
        if meta is None or pgid is None or exit_file.exists():
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + self.kill_grace_s
        while not exit_file.exists() and time.monotonic() < deadline:
            if not _is_runner(int(meta["runner"]), effect_id):
                return
            time.sleep(POLL_S)
        if not exit_file.exists():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)

    def recover(self, effect_id: str, *, capture: bool = False) -> ShellResult | ShellHandle | None:
        check_effect_id(effect_id)
        meta, runner = self._meta(effect_id, "runner")
        started = int(meta["started_us"]) if meta else 0
        if self._path(effect_id, ".exit").exists():
            return self._result(effect_id, started, capture, None)
        if meta is None:
            return None
        if runner is not None and _is_runner(runner, effect_id):
            return ShellHandle(effect_id, int(meta.get("pgid") or 0), started, capture)
        if self._path(effect_id, ".exit").exists():  # it ended while we looked
            return self._result(effect_id, started, capture, None)
        return ShellResult(effect_id, None, lost=True)

    def purge(self, older_than_s: float) -> int:
        """Delete the files of effects whose result is older than `older_than_s`; how many."""
        if not self.dir.exists():
            return 0
        cutoff = time.time() - older_than_s
        count = 0
        for exit_file in self.dir.glob("*.exit"):
            if exit_file.stat().st_mtime >= cutoff:
                continue
            eid = exit_file.name[: -len(".exit")]
            for suffix in SUFFIXES:
                self._path(eid, suffix).unlink(missing_ok=True)
            count += 1
        return count
