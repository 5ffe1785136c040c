"""The stdlib `janitor` runbook end to end (RUNTIME.md §11.1), with its thresholds shortened to
seconds in a project copy: one sweep releases a stale lock, removes an orphan worktree and
deletes an expired dead letter of `merges`, while the lock and the worktree of a live run (a
shell phase heartbeating its lock every second) and a live queue item are untouched.

The stdlib `merges` queue escalates on exhaustion, so the project declares its own `merges`
that dead-letters (as a project without the stdlib merge queue may)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from e2e_kit import Project, needs_tools
from test_stdlib_build import STDLIB, stop

pytestmark = needs_tools

LIVE = """\
[lock.held]
heartbeat = "1s"

[pipeline.live]
worktree = true

[[pipeline.live.phase]]
name = "hold"
lock = "held"
run = "sleep 60"
"""
MERGES = """\
[queue.merges]
fields = { branch = "string" }
max_retries = 0
on_exhaust = "dead"
"""
EXPIRED = "4s"  # every janitor threshold in the project copy; held locks heartbeat every 1s


def short_janitor() -> str:
    text = (STDLIB / "janitor.toml").read_text()
    for long in ('"1h"', '"24h"', '"7d"'):
        text = text.replace(long, f'"{EXPIRED}"')
    return text


def ok(project: Project, *args: str) -> str:
    done = project.oj(*args)
    assert done.returncode == 0, f"oj {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def dead_letter(project: Project, branch: str) -> None:
    ok(project, "queue", "add", "merges", f"id={branch}", f"branch={branch}")
    claim = json.loads(ok(project, "--json", "queue", "claim", "merges"))["claim"]["claim"]
    ok(project, "queue", "fail", claim, "--reason", "conflict")


def test_sweep_cleans_stale_and_orphans_but_not_live(project: Project) -> None:
    project.env["OJ_STDLIB_DIR"] = str(STDLIB)
    project.write(".git/info/exclude", ".oj/\n")
    project.runbook("janitor", short_janitor())
    project.runbook("live", LIVE)
    project.runbook("merges", MERGES)
    worktrees = project.root / ".oj" / "worktrees"
    try:
        ok(project, "pipeline", "start", "live.live")
        ok(project, "lock", "acquire", "stale", "--holder", "old")
        ok(project, "workspace", "create", "orphan")
        dead_letter(project, "old/branch")
        time.sleep(float(EXPIRED[:-1]) + 1)
        ok(project, "queue", "add", "merges", "id=new/branch", "branch=new/branch")
        ok(project, "cron", "run", "sweep")
        deadline = time.monotonic() + 30
        while (worktrees / "ws-orphan").exists():
            assert time.monotonic() < deadline, ok(project, "events", "tail", "scanner:*")
            time.sleep(0.2)

        locks = ok(project, "lock", "list")
        held = {line.split()[0]: line.split()[1] for line in locks.splitlines()[1:] if line}
        assert held["stale"] == "-"
        assert held["held"].startswith("live-")
        live = [p for p in worktrees.iterdir() if p.name.startswith("live-")]
        assert len(live) == 1 and (live[0] / "README.md").exists()
        assert "ws-orphan" not in ok(project, "workspace", "list")
        queue = json.loads(ok(project, "--json", "queue", "show", "merges"))
        assert sorted(item["id"] for item in queue["items"]) == ["new/branch"]

        events = project.events()
        found = {p["scanner"]: p["ids"] for _, n, _, p in events if n == "scanner:found"}
        assert found["stale-locks"] == ["stale"]
        assert found["dead-merges"] == ["old/branch"]
        assert [Path(i).name for i in found["orphan-worktrees"]] == ["ws-orphan"]
        assert not [p for _, n, _, p in events if n == "scanner:failed"]
        state = ok(project, "pipeline", "show", held["held"], "--field", "state")
        assert state.strip() == "running"
    finally:
        stop(project)
