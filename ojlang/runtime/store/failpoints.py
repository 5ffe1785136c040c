"""Failpoints (RUNTIME.md §6.8): `OJ_FAILPOINTS="name=action[@n][,…]"` in, crashes on cue out.

Actions: `kill` (SIGKILL self), `raise` (`FailpointError`), `ioerror` (`OSError(EIO)`),
`sleep(ms)`. `@n` fires on the n-th hit only (counting from 1); without it every hit fires.
`hit(name)` is called at the marked places; with no failpoint set it costs one dictionary
lookup. The spec is read once at import; tests call `configure()` to change it in process.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import time

import attrs

ENV = "OJ_FAILPOINTS"
_RULE = re.compile(
    r"^(?P<name>[a-z0-9_.]+)=(?P<action>kill|raise|ioerror|sleep\((?P<ms>\d+)\))"
    r"(?:@(?P<n>[1-9]\d*))?$"
)


class FailpointError(RuntimeError):
    """Raised by the `raise` action."""


@attrs.define
class Rule:
    action: str
    ms: int = 0
    nth: int = 0  # 0: every hit
    hits: int = 0


_ACTIVE: dict[str, Rule] = {}


def parse(spec: str) -> dict[str, Rule]:
    """Parse `name=action[@n],…`; raises `ValueError` naming the bad entry."""
    rules: dict[str, Rule] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        m = _RULE.match(part)
        if m is None:
            raise ValueError(
                f"bad failpoint `{part}`: expected `name=kill|raise|ioerror|sleep(ms)[@n]`"
            )
        action = "sleep" if m["ms"] else m["action"]
        rules[m["name"]] = Rule(action, int(m["ms"] or 0), int(m["n"] or 0))
    return rules


def configure(spec: str | None) -> None:
    """Replace the active failpoints (None or "" clears them)."""
    _ACTIVE.clear()
    _ACTIVE.update(parse(spec or ""))


def hit(name: str) -> None:
    rule = _ACTIVE.get(name)
    if rule is None:
        return
    rule.hits += 1
    if rule.nth and rule.hits != rule.nth:
        return
    if rule.action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(10)  # the signal is delivered before this returns
    if rule.action == "raise":
        raise FailpointError(f"failpoint `{name}`")
    if rule.action == "ioerror":
        raise OSError(errno.EIO, f"injected I/O error at failpoint `{name}`")
    if rule.action == "sleep":
        time.sleep(rule.ms / 1000)


configure(os.environ.get(ENV))
