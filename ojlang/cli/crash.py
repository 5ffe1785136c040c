"""Internal errors -> a log file with the traceback, one clear line for the user, exit 3."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def log_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "oj" / "logs"


def report_crash(err: BaseException) -> int:
    """Write the traceback to a log, tell the user where it is, return exit code 3."""
    import traceback  # only on a crash: it imports linecache, tokenize and textwrap

    text = "".join(traceback.format_exception(err))
    path: Path | None = log_dir() / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"oj {' '.join(sys.argv[1:])}\n\n{text}", encoding="utf-8")
    except OSError:
        path = None
    where = f"the details are in {path}" if path else "the details could not be saved"
    sys.stderr.write(
        f"error: internal error ({type(err).__name__}: {err})\n"
        f"  {where}\n"
        "  this is a bug in oj: please report it with that file\n"
    )
    return 3
