"""The daemon log (RUNTIME.md §7.4): log records in, `.oj/logs/daemon.log` lines out.

One line per record, `ts level component message key=value…`: `ts` is UTC ISO 8601 with
milliseconds, `component` the logger name without its `oj.` prefix, and the `key=value` pairs
come from the record's `fields` extra. The file rotates at 10 MiB and keeps 5 old files
(`daemon.log.1` … `.5`). Every start first writes `--- oj daemon starting pid=… version=…`, the
marker after which the CLI looks for `ERROR` lines when a start fails.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import time
from pathlib import Path
from typing import Any

ROTATE_BYTES = 10 * 1024 * 1024
ROTATE_KEEP = 5
MARKER = "--- oj daemon starting"


def log_path(state_dir: Path) -> Path:
    return state_dir / "logs" / "daemon.log"


def _value(value: Any) -> str:
    text = str(value)
    if not text or any(ch.isspace() for ch in text) or '"' in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


class LineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        ts = f"{stamp}.{int(record.msecs):03d}Z"
        component = record.name.removeprefix("oj.") or "oj"
        message = record.getMessage().replace("\n", "\\n")
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict) and fields:
            message += " " + " ".join(f"{k}={_value(v)}" for k, v in fields.items())
        line = f"{ts} {record.levelname} {component} {message}"
        if record.exc_info:
            trace = self.formatException(record.exc_info)
            line += "\n" + "\n".join(f"    {row}" for row in trace.splitlines())
        return line


def setup(state_dir: Path, level: str, version: str) -> logging.Handler:
    """Attach the rotating file handler to the `oj` logger and write the start marker."""
    path = log_path(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=ROTATE_BYTES, backupCount=ROTATE_KEEP, encoding="utf-8"
    )
    handler.setFormatter(LineFormatter())
    logger = logging.getLogger("oj")
    logger.addHandler(handler)
    logger.setLevel(getattr(logging, level.upper(), logging.INFO))
    logger.propagate = False
    if handler.stream is not None:
        handler.stream.write(f"{MARKER} pid={os.getpid()} version={version}\n")
        handler.stream.flush()
    return handler


def teardown(handler: logging.Handler) -> None:
    logging.getLogger("oj").removeHandler(handler)
    handler.close()


def tail(state_dir: Path, lines: int) -> list[str]:
    """The last `lines` lines of the current log file."""
    path = log_path(state_dir)
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 256 * max(lines, 1) - 4096))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return []
    rows = text.splitlines()
    return rows[-lines:] if lines > 0 else []
