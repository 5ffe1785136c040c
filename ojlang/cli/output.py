"""Small output helpers shared by commands: usage errors (exit 2) in one shape."""

from __future__ import annotations

import sys


def usage_error(message: str, help: str | None = None) -> int:
    """Print `error: …` and an optional `help: …` on stderr; return exit code 2."""
    sys.stderr.write(f"error: {message}\n")
    if help:
        sys.stderr.write(f"  help: {help}\n")
    return 2
