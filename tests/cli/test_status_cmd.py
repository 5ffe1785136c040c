"""`oj status` (RUNTIME.md §10): one screen rendered from the daemon's `status` answer (pinned
by a snapshot), its options, and a cold start that loads neither typer nor rich."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.cli import common
from ojlang.cli.status_cmd import main, render

NOW = 1_800_000_000_000_000
MIN = 60_000_000


def status() -> dict[str, Any]:
    return {
        "daemon": {
            "pid": 4242,
            "uptime_s": 3725.0,
            "last_seq": 1042,
            "store": {
                "bytes": 3 * 1024 * 1024,
                "last_snapshot": {"seq": 1000, "ts_us": NOW - 2 * MIN},
            },
        },
        "runs": [
            {
                "id": "build-auth",
                "pipeline": "build",
                "phase": "merge",
                "state": "waiting",
                "created_us": NOW - 40 * MIN,
                "phase_since_us": NOW - 3 * MIN,
                "waiting": {"on": "lock", "name": "main_branch", "holder": "build-billing"},
                "task": None,
            },
            {
                "id": "build-billing",
                "pipeline": "build",
                "phase": "plan",
                "state": "running",
                "created_us": NOW - 10 * MIN,
                "phase_since_us": NOW - 90_000_000,
                "waiting": None,
                "task": {"id": "build-billing.plan.1", "state": "running", "session": "s"},
            },
            {
                "id": "fix-3f2a1c",
                "pipeline": "fix",
                "phase": "test",
                "state": "escalated",
                "created_us": NOW - 5 * MIN,
                "phase_since_us": NOW - 5 * MIN,
                "waiting": {"on": "escalation", "name": "esc-3f2a"},
                "task": None,
            },
        ],
        "escalations": [
            {
                "id": "esc-3f2a",
                "kind": "phase_failed",
                "name": "3f2a1c",
                "subject": "run:fix-3f2a1c",
                "reason": "act: exited 2",
            }
        ],
        "workers": [
            {
                "name": "builds",
                "state": "running",
                "active": 2,
                "concurrency": 2,
                "queue": "builds",
                "depth": 3,
            }
        ],
        "queues": [{"name": "builds", "counts": {"ready": 3, "claimed": 2, "dead": 1}}],
        "crons": [{"name": "sweep", "state": "enabled", "next_us": NOW + 10 * MIN}],
        "locks": [
            {
                "name": "main_branch",
                "holder": "build-billing",
                "token": 17,
                "waiters": ["build-auth"],
                "stale": False,
            }
        ],
        "semaphores": [
            {
                "name": "agents",
                "used": 2,
                "max": 2,
                "holders": [{"holder": "build-billing"}, {"holder": "x"}],
                "waiters": [],
            }
        ],
        "sessions": {"counts": {"running": 1, "idle": 1}, "list": []},
        "orphans": {"sessions": ["old-session"], "worktrees": []},
        "warnings": ["daemon memory is 600 MiB (above 512 MiB)"],
    }


def test_the_screen(snapshot: SnapshotAssertion) -> None:
    common.FLAGS["no_color"] = True
    try:
        assert render(status(), now_us=NOW) == snapshot
    finally:
        common.FLAGS["no_color"] = False


def test_an_idle_project_says_so() -> None:
    quiet = {**status(), "runs": [], "escalations": [], "workers": [], "queues": [], "crons": []}
    quiet.update(locks=[], semaphores=[], sessions={"counts": {}}, orphans={}, warnings=[])
    text = render(quiet, now_us=NOW)
    assert text.splitlines()[2] == "no active runs" and len(text.splitlines()) == 3


def test_bad_options_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--frobnicate"]) == 2
    assert "unexpected argument `--frobnicate`" in capsys.readouterr().err
    assert main(["--interval", "soon"]) == 2
    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: oj status")


def test_a_status_without_a_daemon_is_exit_4(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OJ_NO_AUTOSTART", "1")
    monkeypatch.chdir(tmp_path)
    assert main([]) == 4
    assert capsys.readouterr().err == (
        "error: the oj daemon is not running\n  help: start it: `oj daemon start`\n"
    )


PROBE = """
import os, sys
os.environ["OJ_NO_AUTOSTART"] = "1"
from ojlang.cli.main import main
try:
    main(["status"])
except SystemExit:
    pass
print("LOADED:" + ",".join(m for m in ("typer", "rich", "sqlite3", "libtmux") if m in sys.modules))
"""


def test_oj_status_loads_neither_typer_nor_rich(tmp_path: Any) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("LOADED:")]
    assert lines == ["LOADED:"], proc.stdout + proc.stderr
