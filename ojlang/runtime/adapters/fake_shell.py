"""In-memory ShellAdapter (RUNTIME.md §8.6): scripts in, results computed by a tiny interpreter
(or a canned answer) out, with virtual time; passes the contract suite of `shell.py`.

The interpreter knows what the contract tests and engine tests need: lines or `;`-separated
commands (a `;` or newline inside quotes belongs to its word) `echo WORDS [>&2]`, `exit N`,
`sleep S`, `true`, `false`, `pwd`, with `$NAME` / `${NAME}` expanded from the environment and
`bash -e` semantics (the first failing command ends the script, an unterminated quote exits 2);
anything else is "command not found" (127). `sleep` past `timeout_s` ends
as a timeout (SIGTERM). Knobs: `on_script(text, …)` answers scripts containing `text`,
`lose(effect_id)` makes a running effect's runner vanish, `restart()` returns the adapter a
restarted daemon would get (same "disk", no live handles).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import time
from collections.abc import Mapping
from pathlib import Path

import attrs

from ojlang.runtime.adapters.environment import sanitized_env
from ojlang.runtime.adapters.errors import ShellStartFailed
from ojlang.runtime.adapters.fake_base import FakeBase
from ojlang.runtime.adapters.interfaces import ShellHandle, ShellResult
from ojlang.runtime.adapters.shell import CAPTURE_BYTES, TAIL_BYTES, check_effect_id

_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)")
Outcome = tuple[int | None, int | None, bool, str, str, float]


@attrs.frozen
class Canned:
    code: int | None = 0
    stdout: str = ""
    stderr: str = ""
    duration_s: float = 0.0


@attrs.define
class Record:
    result: ShellResult
    started_us: int
    capture: bool
    finished: bool = False
    lost: bool = False
    env: dict[str, str] = attrs.Factory(dict)
    cwd: Path = Path()


def split_commands(script: str) -> list[tuple[int, str]]:
    """(line number, text) of each command: split at `;` and newlines outside quotes."""
    commands: list[tuple[int, str]] = []
    current: list[str] = []
    line = start = 1
    quote = ""
    escaped = False
    for char in script:
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in ";\n":
            commands.append((start, "".join(current)))
            current = []
            line += char == "\n"
            start = line
            continue
        line += char == "\n"
        current.append(char)
    commands.append((start, "".join(current)))
    return commands


def interpret(script: str, cwd: Path, env: Mapping[str, str], timeout_s: float | None) -> Outcome:
    """(code, signal, timed_out, stdout, stderr, seconds) of `script` (see the docstring)."""
    out: list[str] = []
    err: list[str] = []
    elapsed = 0.0
    for number, raw in split_commands(script):
        command = raw.strip()
        if not command or command.startswith("#"):
            continue
        try:
            words = shlex.split(_VAR.sub(lambda m: env.get(m[1] or m[2], ""), command))
        except ValueError as exc:  # an unterminated quote: bash's syntax error status
            err.append(f"bash: line {number}: syntax error: {exc}\n")
            return 2, None, False, "".join(out), "".join(err), elapsed
        to_err = bool(words) and words[-1] in (">&2", "1>&2")
        if to_err:
            words = words[:-1]
        name, args = words[0], words[1:]
        if name == "echo":
            (err if to_err else out).append(" ".join(args) + "\n")
        elif name == "pwd":
            out.append(f"{cwd}\n")
        elif name == "exit":
            return int(args[0]) if args else 0, None, False, "".join(out), "".join(err), elapsed
        elif name == "sleep":
            wanted = float(args[0])
            if timeout_s and elapsed + wanted > timeout_s:
                return None, signal.SIGTERM, True, "".join(out), "".join(err), timeout_s
            elapsed += wanted
        elif name == "false":
            return 1, None, False, "".join(out), "".join(err), elapsed
        elif name != "true":
            err.append(f"bash: line {number}: {name}: command not found\n")
            return 127, None, False, "".join(out), "".join(err), elapsed
    return 0, None, False, "".join(out), "".join(err), elapsed


class FakeShellAdapter(FakeBase):
    def __init__(
        self, *, base_env: Mapping[str, str] | None = None, disk: dict[str, Record] | None = None
    ) -> None:
        super().__init__()
        self.base_env = sanitized_env(os.environ if base_env is None else base_env, term=False)
        self.disk: dict[str, Record] = {} if disk is None else disk
        self._canned: list[tuple[str, Canned]] = []

    # -- knobs ------------------------------------------------------------------------------

    def on_script(
        self,
        text: str,
        *,
        code: int | None = 0,
        stdout: str = "",
        stderr: str = "",
        duration_s: float = 0.0,
    ) -> None:
        self._canned.append((text, Canned(code, stdout, stderr, duration_s)))

    def lose(self, effect_id: str) -> None:
        self.disk[effect_id].lost = True

    def restart(self) -> FakeShellAdapter:
        return FakeShellAdapter(base_env=self.base_env, disk=self.disk)

    def env_of(self, effect_id: str) -> dict[str, str]:
        return dict(self.disk[effect_id].env)

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
        self._enter("start", effect_id, script, cwd, dict(env), timeout_s, capture=capture)
        check_effect_id(effect_id)
        if not cwd.is_dir():
            raise ShellStartFailed(f"cannot start a shell in `{cwd}`: No such file or directory")
        full_env = {**self.base_env, **env, "OJ_EFFECT_ID": effect_id}
        canned = next((c for text, c in self._canned if text in script), None)
        outcome: Outcome
        if canned is not None:
            outcome = (canned.code, None, False, canned.stdout, canned.stderr, canned.duration_s)
        else:
            outcome = interpret(script, cwd, full_env, timeout_s)
        code, sig, timed_out, out, err, seconds = outcome
        limit = CAPTURE_BYTES if capture else TAIL_BYTES
        result = ShellResult(
            effect_id, code, sig, timed_out, out[-limit:], err[-TAIL_BYTES:], int(seconds * 1e6)
        )
        started = time.time_ns() // 1000
        self.disk[effect_id] = Record(result, started, capture, env=full_env, cwd=cwd)
        return ShellHandle(effect_id, 0, started, capture)

    def wait(self, handle: ShellHandle) -> ShellResult:
        self._enter("wait", handle)
        record = self.disk[handle.effect_id]
        if record.lost and not record.finished:
            return ShellResult(handle.effect_id, None, lost=True)
        record.finished = True
        return record.result

    def kill(self, effect_id: str) -> None:
        self._enter("kill", effect_id)
        check_effect_id(effect_id)
        record = self.disk.get(effect_id)
        if record is None or record.finished or record.lost:
            return
        record.result = ShellResult(effect_id, None, signal.SIGTERM, False)
        record.finished = True

    def recover(self, effect_id: str, *, capture: bool = False) -> ShellResult | ShellHandle | None:
        self._enter("recover", effect_id, capture=capture)
        check_effect_id(effect_id)
        record = self.disk.get(effect_id)
        if record is None:
            return None
        if record.finished:
            return record.result
        if record.lost:
            return ShellResult(effect_id, None, lost=True)
        return ShellHandle(effect_id, 0, record.started_us, capture)
