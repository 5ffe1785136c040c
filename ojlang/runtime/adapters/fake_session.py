"""In-memory SessionAdapter (RUNTIME.md §8.6): sessions as records of pane lines, typed input
and exit status; knobs `set_pane`, `print`, `exit_pane`. Passes the same contract suite as
`tmux.TmuxSessionAdapter`.

Typed text is delivered as a received line on `Enter` and echoed into the pane, as a terminal
in canonical mode does; `C-u` clears the pending line. A pane that exited shows tmux's
"Pane is dead (status N, …)" line and keeps its status until killed.
"""

from __future__ import annotations

import builtins
import itertools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from ojlang.runtime.adapters.environment import overlay, sanitized_env
from ojlang.runtime.adapters.errors import (
    InvalidArgument,
    SessionExists,
    SessionNotFound,
    SpawnFailed,
)
from ojlang.runtime.adapters.fake_base import FakeBase
from ojlang.runtime.adapters.interfaces import Liveness, SessionInfo
from ojlang.runtime.adapters.panes import HASH_LINES, check_name, output_hash

_PIDS = itertools.count(40_000)


@attrs.define
class FakePane:
    name: str
    cwd: Path
    argv: tuple[str, ...]
    env: dict[str, str]
    log_path: Path
    pid: int
    lines: list[str] = attrs.Factory(list)
    pending: str = ""
    received: list[str] = attrs.Factory(list)
    keys: list[str] = attrs.Factory(list)
    dead: bool = False
    dead_status: int | None = None


class FakeSessionAdapter(FakeBase):
    def __init__(self, *, base_env: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.base_env = sanitized_env(os.environ if base_env is None else base_env)
        self.sessions: dict[str, FakePane] = {}

    def _pane(self, name: str) -> FakePane:
        pane = self.sessions.get(check_name(name))
        if pane is None:
            raise SessionNotFound(f"no session `{name}`")
        return pane

    # -- knobs ------------------------------------------------------------------------------

    def print(self, name: str, text: str) -> None:
        """The program in the pane prints `text`."""
        pane = self._pane(name)
        pane.lines.extend(text.splitlines() or [""])
        with pane.log_path.open("a") as log:
            log.write(text if text.endswith("\n") else text + "\n")

    def set_pane(self, name: str, text: str) -> None:
        """The pane shows exactly `text` from now on."""
        self._pane(name).lines = text.splitlines()

    def exit_pane(self, name: str, code: int) -> None:
        """The program exits with `code`; the dead pane stays (remain-on-exit)."""
        pane = self._pane(name)
        pane.dead, pane.dead_status = True, code
        pane.lines += ["", f"Pane is dead (status {code})"]

    def received(self, name: str) -> builtins.list[str]:
        return list(self._pane(name).received)

    # -- SessionAdapter ---------------------------------------------------------------------

    def spawn(
        self, name: str, cwd: Path, argv: Sequence[str], env: Mapping[str, str], log_path: Path
    ) -> SessionInfo:
        self._enter("spawn", name, cwd, tuple(argv), dict(env), log_path)
        check_name(name)
        if not argv:
            raise InvalidArgument(f"empty command for session `{name}`")
        if not cwd.is_dir():
            raise SpawnFailed(f"working directory `{cwd}` does not exist", retryable=False)
        if name in self.sessions:
            raise SessionExists(f"session `{name}` already exists")
        full_env = overlay(self.base_env, env)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.touch()
        pane = FakePane(name, cwd, tuple(argv), full_env, log_path, next(_PIDS))
        self.sessions[name] = pane
        return SessionInfo(name, pane.pid)

    def send(self, name: str, text: str, *, enter: bool = True, clear_first: bool = True) -> None:
        self._enter("send", name, text, enter=enter, clear_first=clear_first)
        pane = self._pane(name)
        if clear_first:
            pane.pending = ""
        pane.pending += text
        while "\n" in pane.pending:  # a typed newline ends the line, as in a terminal
            line, pane.pending = pane.pending.split("\n", 1)
            self._line(pane, line)
        if enter:
            self._submit(pane)

    def _line(self, pane: FakePane, line: str) -> None:
        pane.received.append(line)
        pane.lines.append(line)

    def _submit(self, pane: FakePane) -> None:
        self._line(pane, pane.pending)
        pane.pending = ""

    def send_keys(self, name: str, keys: Sequence[str]) -> None:
        self._enter("send_keys", name, tuple(keys))
        pane = self._pane(name)
        for key in keys:
            pane.keys.append(key)
            if key == "Enter":
                self._submit(pane)
            elif key == "C-u":
                pane.pending = ""
            elif key == "BSpace":
                pane.pending = pane.pending[:-1]
            elif len(key) == 1:
                pane.pending += key

    def capture(self, name: str, lines: int = 200) -> str:
        self._enter("capture", name, lines)
        pane = self._pane(name)
        shown = [*pane.lines, pane.pending] if pane.pending else pane.lines
        return "\n".join(shown[-max(lines, 1) :])

    def pane_hash(self, name: str) -> str:
        self._enter("pane_hash", name)
        return output_hash("\n".join(self._pane(name).lines[-HASH_LINES:]))

    def liveness(self) -> dict[str, Liveness]:
        self._enter("liveness")
        return {
            p.name: Liveness(p.pid, p.dead, p.dead_status, not p.dead)
            for p in self.sessions.values()
        }

    def kill(self, name: str, *, capture_to: Path | None = None) -> None:
        self._enter("kill", name, capture_to=capture_to)
        pane = self.sessions.pop(check_name(name), None)
        if pane is None or capture_to is None:
            return
        capture_to.parent.mkdir(parents=True, exist_ok=True)
        capture_to.write_text("\n".join(pane.lines[-2000:]) + "\n")

    def list(self) -> builtins.list[SessionInfo]:
        self._enter("list")
        return [SessionInfo(p.name, p.pid, p.dead, p.dead_status) for p in self.sessions.values()]

    def attach_argv(self, name: str) -> builtins.list[str]:
        return ["tmux", "-S", "fake.sock", "attach-session", "-t", f"={name}"]
