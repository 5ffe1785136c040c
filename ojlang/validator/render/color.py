"""Terminal colour: whether to colour a stream (TTY, `NO_COLOR`, `FORCE_COLOR`) and a painter.

Plain ANSI escapes only, so `oj check` never imports rich. Rules, in this order:

1. `NO_COLOR` set to any non-empty value disables colour (no-color.org). It wins over
   `FORCE_COLOR`: it is the user's standing preference, and Python's own `_colorize` and
   most CLIs give it precedence too.
2. `FORCE_COLOR` set to a non-empty value other than `"0"` enables colour even off a TTY
   (force-color.org). `FORCE_COLOR=0` forces nothing: detection falls through to rule 3.
3. Otherwise colour only when the stream is a TTY and `TERM` is not `dumb`.

Colours follow rustc: bold red `error`, bold yellow `warning`, bold cyan `info`, bold blue
gutters, line numbers and secondary labels, primary carets in the severity colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from ojlang.validator.diagnostic import Severity

RESET = "\x1b[0m"

STYLES: dict[str, str] = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "info": "\x1b[1;36m",
    "gutter": "\x1b[1;34m",
    "secondary": "\x1b[1;34m",
    "bold": "\x1b[1m",
    "path": "\x1b[1m",
}


class _Stream(Protocol):
    def isatty(self) -> bool: ...


def should_color(stream: _Stream, env: Mapping[str, str]) -> bool:
    """Whether output written to `stream` should carry ANSI colour, given the environment."""
    if env.get("NO_COLOR", ""):
        return False
    force = env.get("FORCE_COLOR", "")
    if force and force != "0":
        return True
    if env.get("TERM", "") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def severity_style(severity: Severity) -> str:
    """The style name of a severity (`error`, `warning`, `info`)."""
    return severity.value


class Painter:
    """Wraps text in ANSI escapes for a style name; the identity when colour is off."""

    __slots__ = ("enabled",)

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def paint(self, text: str, style: str | None) -> str:
        if not self.enabled or style is None or not text:
            return text
        return f"{STYLES[style]}{text}{RESET}"
