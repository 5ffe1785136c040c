"""Scanners: sources, conditions, cleanups and dry runs (§3.12)."""

from __future__ import annotations

from typing import Any

import pytest
from core_kit import Driver, S, graph, lit

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import (
    Cleanup,
    Condition,
    Cron,
    Lock,
    Phase,
    Pipeline,
    Queue,
    Scanner,
    Semaphore,
    Source,
)


def driver(
    source: Source, condition: Condition, cleanup: Cleanup | None = None, **kw: Any
) -> Driver:
    cleanup = cleanup or Cleanup()
    sc = Scanner(
        "janitor", "rb", 600 * S, source=source, condition=condition, cleanup=cleanup, **kw
    )
    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a"), semaphore="S"),))
    g = graph(
        scanners={"rb.janitor": sc},
        locks={"L": Lock("L")},
        semaphores={"S": Semaphore("S", max=2)},
        queues={"q": Queue("q", "rb")},
        pipelines={"rb.p": pipe},
    )
    return Driver(g)


def test_stale_locks_are_released() -> None:
    d = driver(Source("locks"), Condition("stale", threshold_us=60 * S))
    d(i.LockCommand("acquire", "L", "cli:old"))
    d(i.ScannerCommand("run", "janitor", request_id="r"), 120 * S)
    assert "scanner:found" in d.names() and "lock:lost" in d.names()
    cleaned = d.events("scanner:cleaned")[0].payload
    assert cleaned["count"] == 1 and cleaned["total"] == 1


def test_orphaned_slots_of_ended_runs_are_reclaimed_and_dry_run_only_reports() -> None:
    d = driver(Source("semaphores"), Condition("orphaned"))
    d(i.SemaphoreCommand("acquire", "S", "p-gone"))
    d(i.ScannerCommand("run", "janitor", dry_run=True))
    assert d.events("scanner:found")[0].payload["ids"] == ["S:p-gone"]
    assert "semaphore:reclaimed" not in d.names()
    d(i.ScannerCommand("run", "janitor"))
    assert "semaphore:reclaimed" in d.names()


def test_terminal_runs_are_archived() -> None:
    d = driver(
        Source("pipelines"), Condition("terminal_for", threshold_us=3600 * S), Cleanup("archive")
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.Cancel("p-x"))
    d.fire("scanner:rb.janitor:scan")
    assert d.events("scanner:found")[0].payload["count"] == 0
    d(i.ScannerCommand("run", "janitor"), 7200 * S)
    assert d.of(fx.WriteArchive) and "p-x" not in d.world.runs


@pytest.mark.parametrize(
    "how, state", [("dead_letter", "dead"), ("delete", None), ("archive", None)]
)
def test_queue_items(how: str, state: str | None) -> None:
    d = driver(Source("queue", name="q"), Condition("matches", pattern="old"), Cleanup(how))
    d(i.QueueAdd("q", {"id": "old-1"}))
    d(i.QueueAdd("q", {"id": "new-1"}))
    d(i.ScannerCommand("run", "janitor"))
    items = d.world.queues["q"].items
    assert (items["old-1"].state if "old-1" in items else None) == state
    assert "new-1" in items


def test_worktrees_and_sessions_come_from_the_adapters() -> None:
    d = driver(Source("worktrees"), Condition("orphaned"), Cleanup("delete"))
    d(i.ScannerCommand("run", "janitor"))
    listed = d.of(fx.ListWorktrees)[0]
    resources = (
        {"id": "w1", "path": "/project/.oj/worktrees/w1", "dirty": False},
        {"id": "w2", "path": "/project/.oj/worktrees/w2", "dirty": True},
        {"id": "w3", "path": "/elsewhere", "dirty": False},
    )
    d(i.ScanListed(listed.effect_id, resources))
    assert [e.path for e in d.of(fx.WorktreeRemove)] == ["/project/.oj/worktrees/w1"]
    assert "scanner:failed" in d.names()
    d = driver(Source("sessions"), Condition("stale", threshold_us=0), Cleanup("delete"))
    d(i.ScannerCommand("run", "janitor"))
    d(i.ScanListed(d.of(fx.ListSessions)[0].effect_id, ({"id": "s1", "age": 5},)))
    assert d.of(fx.KillSession)[0].session == "s1"


def test_shell_source_and_cleanup() -> None:
    d = driver(
        Source("command", command=lit("list")),
        Condition("matches", pattern="x"),
        Cleanup(shell=lit("rm it")),
    )
    d(i.ScannerCommand("run", "janitor"))
    d.exit(d.shell("source").effect_id, 0, "x1\ny2\n")
    assert d.shell("action").script == "rm it"


def test_enable_disable_and_cron_ticks() -> None:
    d = driver(Source("locks"), Condition("stale"), enabled=False)
    assert "scanner:rb.janitor:scan" not in d.world.timers
    d(i.ScannerCommand("enable", "janitor"))
    assert "scanner:rb.janitor:scan" in d.world.timers
    d(i.ScannerCommand("disable", "janitor"))
    assert "scanner:rb.janitor:scan" not in d.world.timers
    cron = Cron("sweep", "rb", 60 * S, enabled=True, scanners=("rb.janitor",))
    sc = Scanner("janitor", "rb", 600 * S)
    d = Driver(graph(crons={"rb.sweep": cron}, scanners={"rb.janitor": sc}))
    d.fire("cron:rb.sweep:tick")
    assert "scanner:started" in d.names() and "cron:completed" in d.names()


def test_a_recorded_workspace_is_removed_through_its_machine() -> None:
    d = driver(Source("worktrees"), Condition("orphaned"), Cleanup("delete"))
    d(i.WorkspaceCommand("create", "orphan", request_id="r1"))
    path = d.world.workspaces["ws-orphan"].path
    d(i.WorkspaceResult("ready", d.of(fx.WorktreeAdd)[0].effect_id))
    d(i.ScannerCommand("run", "janitor"))
    foreign = "/project/.oj/worktrees/gone-run"
    listed = ({"id": path, "path": path}, {"id": foreign, "path": foreign})
    d(i.ScanListed(d.of(fx.ListWorktrees)[0].effect_id, listed))
    ours, theirs = d.of(fx.WorktreeRemove)
    assert (ours.workspace, ours.owner) == ("ws-orphan", "workspace:ws-orphan")
    assert theirs.path == foreign and theirs.owner.startswith("scanner:")
    assert d.world.workspaces["ws-orphan"].state == "removing"
    assert d.events("scanner:found")[0].payload["ids"] == [path, foreign]
    d(i.WorkspaceResult("removed", ours.effect_id))
    assert d.world.workspaces["ws-orphan"].state == "removed"
    d(i.WorkspaceResult("removed", theirs.effect_id))  # a foreign one: nothing to update
    d(i.EffectOutcome("failed", theirs.effect_id, "busy"))
