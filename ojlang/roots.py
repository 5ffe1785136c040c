"""A working directory in, its project root out (LANGUAGE.md §1.1), with the standard library only.

The project root is the nearest directory, from the start up, holding `.oj/` or `runbooks/`
(else the start itself). `ojlang.project` re-exports `find_root`; it lives here so that the
daemon client (`oj status`, `oj hook`, …) finds its project without importing the record
classes of the checker.
"""

from __future__ import annotations

from pathlib import Path


def find_root(start: Path) -> Path:
    """The nearest directory from `start` up holding `.oj/` or `runbooks/`; else `start`."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".oj").is_dir() or (candidate / "runbooks").is_dir():
            return candidate
    return start
