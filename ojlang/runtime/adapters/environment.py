"""Environment sanitising (RUNTIME.md §8.2, §8.3): the daemon's environment in, the allow-listed
environment that tmux servers, agent sessions and shell runners start from out.

Kept: `PATH HOME USER LOGNAME SHELL LANG LC_* TZ SSH_AUTH_SOCK` and the names (shell-style
globs) of `agents.env_passthrough`. Never kept, not even when passed through: `TMUX`,
`TMUX_PANE`, `TMUX_TMPDIR` and inherited `OJ_*`/`OTTER_*` (the effect sets its own `OJ_*`).
`CLAUDECODE`, `CLAUDE_CODE_ENTRYPOINT` and `CLAUDE_CONFIG_DIR` are kept only when passed
through. Sessions also get `TERM=xterm-256color`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence

ALLOWED = frozenset({"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TZ", "SSH_AUTH_SOCK"})
NEVER = frozenset({"TMUX", "TMUX_PANE", "TMUX_TMPDIR"})
NEVER_PREFIXES = ("OJ_", "OTTER_")
SESSION_TERM = "xterm-256color"


def _passed(name: str, passthrough: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in passthrough)


def sanitized_env(
    source: Mapping[str, str], passthrough: Sequence[str] = (), *, term: bool = True
) -> dict[str, str]:
    """The allow-listed part of `source`; with `term`, `TERM` is set for terminal sessions."""
    out: dict[str, str] = {}
    for name, value in source.items():
        if name in NEVER or name.startswith(NEVER_PREFIXES):
            continue
        if name in ALLOWED or name.startswith("LC_") or _passed(name, passthrough):
            out[name] = value
    if term:
        out["TERM"] = SESSION_TERM
    return out


def overlay(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """`base` with `extra` on top (§9.1 variables, `task.env`); tmux's own variables stay out."""
    merged = {**base, **extra}
    for name in NEVER:
        merged.pop(name, None)
    return merged
