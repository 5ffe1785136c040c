"""Daemon limits and settings (RUNTIME.md §7.6): `max_active_runs` and the log level from the
config and `OJ_LOG`, the open-files limit, the resident set size and its warning."""

from __future__ import annotations

import os
import resource

import pytest

from ojlang.runtime.daemon.limits import (
    RSS_WARN_BYTES,
    DaemonSettings,
    LimitError,
    daemon_settings,
    memory_warning,
    raise_nofile,
    rss_bytes,
)


def test_settings_come_from_the_config_and_oj_log_wins() -> None:
    assert daemon_settings({}, {}) == DaemonSettings(500, "info")
    config = {"runtime": {"max_active_runs": 20, "log_level": "warning"}}
    assert daemon_settings(config, {}) == DaemonSettings(20, "warning")
    assert daemon_settings(config, {"OJ_LOG": "DEBUG"}).log_level == "debug"


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        ({"runtime": {"max_active_runs": 0}}, {}, "`runtime.max_active_runs`"),
        ({"runtime": {"max_active_runs": True}}, {}, "`runtime.max_active_runs`"),
        ({}, {"OJ_LOG": "loud"}, "log level `loud`"),
    ],
)
def test_bad_values_are_named(config: dict[str, object], env: dict[str, str], message: str) -> None:
    with pytest.raises(LimitError, match=message):
        daemon_settings(config, env)


def test_the_open_files_limit_is_raised_up_to_the_target() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        got, warning = raise_nofile(min(hard, 2048) if hard != resource.RLIM_INFINITY else 2048)
        assert got >= min(soft, 2048)
        assert warning is None or "ulimit -n" in warning
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_memory_is_measured_and_warned_about_above_512_mib() -> None:
    assert rss_bytes() > 1024 * 1024
    assert rss_bytes(os.getpid()) > 0
    assert memory_warning(RSS_WARN_BYTES) is None
    assert memory_warning(RSS_WARN_BYTES + 1) == "daemon memory is 512 MiB (above 512 MiB)"
