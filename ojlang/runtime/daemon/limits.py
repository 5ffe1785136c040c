"""Daemon resource limits and settings (RUNTIME.md §7.6): `.oj/config.toml` and the process's
rlimits in; the daemon's own settings, raised file limits and memory warnings out.

The engine reads most of `[runtime]` itself (`engine/settings.py`); the daemon reads what the
engine leaves to it: `runtime.max_active_runs` (more runs answer `unavailable`) and
`runtime.log_level` (overridden by `OJ_LOG`). At start the soft `RLIMIT_NOFILE` is raised to
min(hard, 4096), with a warning below 1024. The resident set size is read from `/proc` (or
`getrusage` elsewhere); above 512 MiB the daemon logs a warning and `oj status` shows it.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

NOFILE_TARGET = 4096
NOFILE_WARN = 1024
RSS_WARN_BYTES = 512 * 1024 * 1024
LEVELS = ("debug", "info", "warning", "error")


@attrs.frozen
class DaemonSettings:
    max_active_runs: int = 500
    log_level: str = "info"


class LimitError(Exception):
    """A daemon setting in `.oj/config.toml` has a bad value."""


def daemon_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> DaemonSettings:
    """The daemon's settings from the parsed `.oj/config.toml` and the environment."""
    runtime = config.get("runtime", {})
    if not isinstance(runtime, dict):
        runtime = {}
    max_runs = runtime.get("max_active_runs", 500)
    if isinstance(max_runs, bool) or not isinstance(max_runs, int) or max_runs < 1:
        raise LimitError("`runtime.max_active_runs` in `.oj/config.toml` must be an integer ≥ 1")
    level = str(env.get("OJ_LOG") or runtime.get("log_level") or "info").lower()
    if level not in LEVELS:
        names = ", ".join(f"`{name}`" for name in LEVELS)
        raise LimitError(f"log level `{level}` is not one of {names}")
    return DaemonSettings(max_active_runs=max_runs, log_level=level)


def raise_nofile(target: int = NOFILE_TARGET) -> tuple[int, str | None]:
    """Raise the soft open-files limit to min(hard, target); the new soft limit and a warning."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = target if hard == resource.RLIM_INFINITY else min(hard, target)
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            soft = want
        except (ValueError, OSError):
            pass
    warning = None
    if soft != resource.RLIM_INFINITY and soft < NOFILE_WARN:
        warning = f"open files limited to {soft} (below {NOFILE_WARN}): raise `ulimit -n`"
    return int(soft), warning


def rss_bytes(pid: int | None = None) -> int:
    """The resident set size of `pid` (default: this process) in bytes; 0 when unknown."""
    path = Path(f"/proc/{pid or os.getpid()}/statm")
    try:
        pages = int(path.read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        if pid not in (None, os.getpid()):
            return 0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak) * 1024


def memory_warning(rss: int) -> str | None:
    if rss > RSS_WARN_BYTES:
        return f"daemon memory is {rss // (1024 * 1024)} MiB (above 512 MiB)"
    return None
