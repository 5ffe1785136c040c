"""Scanners: sources, conditions, cleanups and dry runs (§3.12)."""

from __future__ import annotations

from typing import Any

import pytest
from core_kit import Driver, S, graph, lit, tpl

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
    Runbook,
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
        runbooks={"rb": Runbook("rb", config={"dir": "/tmp"})},
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


def test_shell_conditions_select_per_resource_once_all_answered() -> None:
    d = driver(
        Source("queue", name="q"),
        Condition("shell", shell=tpl("old ", ("id",))),
        Cleanup(shell=tpl("rm ", ("record", "id"), " ", ("config", "dir"))),
    )
    d(i.QueueAdd("q", {"id": "a"}))
    d(i.QueueAdd("q", {"id": "b"}))
    d(i.ScannerCommand("run", "janitor"))
    probes = [e for e in d.of(fx.RunShell) if e.purpose == "probe"]
    assert [p.script for p in probes] == ["old a", "old b"]
    assert d.world.scanners["rb.janitor"].state == "scanning"
    d(i.ScannerCommand("run", "janitor"))
    assert not d.of(fx.RunShell), "the scan in flight goes on"
    d.exit(probes[1].effect_id, 0)
    assert "scanner:found" not in d.names()
    d.exit(probes[0].effect_id, 1)
    assert d.events("scanner:found")[0].payload["ids"] == ["b"]
    assert d.shell("action").script == "rm b /tmp"
    assert d.world.scanners["rb.janitor"].state == "idle"


def test_shell_conditions_that_do_not_render_select_nothing() -> None:
    d = driver(Source("locks"), Condition("shell", shell=tpl("x ", ("nope",))))
    d(i.LockCommand("acquire", "L", "cli:a"))
    d(i.ScannerCommand("run", "janitor"))
    assert d.events("scanner:found")[0].payload["count"] == 0
    assert not d.of(fx.RunShell)


def test_resources_that_changed_since_they_were_listed_are_left_alone() -> None:
    d = driver(Source("locks"), Condition("shell", shell=lit("stale")))
    d(i.LockCommand("acquire", "L", "cli:a"))
    d(i.ScannerCommand("run", "janitor"))
    probe = d.shell("probe")
    d(i.LockCommand("release", "L", "cli:a"))
    d(i.LockCommand("acquire", "L", "cli:b"))
    d.exit(probe.effect_id, 0)
    assert d.world.locks["L"].holder == "cli:b"
    assert d.events("scanner:failed")[0].payload["error"] == "L: no longer held by `cli:a`"


@pytest.mark.parametrize("source", ["semaphores", "queue", "pipelines"])
def test_changed_core_resources_fail_their_cleanup(source: str) -> None:
    how = {"semaphores": "release", "queue": "delete", "pipelines": "delete"}[source]
    d = driver(Source(source, name="q"), Condition("shell", shell=lit("x")), Cleanup(how))
    if source == "semaphores":
        d(i.SemaphoreCommand("acquire", "S", "cli:a"))
    elif source == "queue":
        d(i.QueueAdd("q", {"id": "it"}))
    else:
        d(i.PipelineStart("rb.p", {}, "x"))
        d.exit(d.world.runs["p-x"].child, 1)
        d(i.EscalationResolve(d.world.runs["p-x"].escalation, "fail"))
        assert d.world.runs["p-x"].state == "failed"
    d(i.ScannerCommand("run", "janitor"))
    probe = d.shell("probe")
    if source == "semaphores":
        d(i.SemaphoreCommand("release", "S", "cli:a"))
    elif source == "queue":
        d(i.QueueCommand("claim", "q", holder="h"))
    else:
        d(i.PipelineResume("p-x"))
    d.exit(probe.effect_id, 0)
    assert d.events("scanner:failed"), d.names()


def test_removals_by_a_scanner_are_not_workspace_results() -> None:
    d = driver(Source("worktrees"), Condition("orphaned"), Cleanup("delete"))
    d(i.ScannerCommand("run", "janitor"))
    listing = d.of(fx.ListWorktrees)[0]
    d(i.ScanListed(listing.effect_id, ({"id": "w1", "path": "/project/.oj/worktrees/w1"},)))
    removal = d.of(fx.WorktreeRemove)[0]
    d(i.WorkspaceResult("removed", removal.effect_id))
    assert removal.effect_id not in d.world.outbox and not d.world.workspaces


def test_a_source_or_cleanup_that_does_not_render_fails_the_scan() -> None:
    d = driver(
        Source("command", command=tpl("list ", ("nope",))), Condition("matches", pattern="x")
    )
    d(i.ScannerCommand("run", "janitor"))
    assert not d.of(fx.RunShell)
    assert d.events("scanner:failed")[0].payload["error"].startswith("source: no value for `nope`")
    assert d.world.scanners["rb.janitor"].state == "idle"
    d = driver(
        Source("command", command=lit("list")),
        Condition("matches", pattern="x"),
        Cleanup(shell=tpl("rm ", ("nope",))),
    )
    d(i.ScannerCommand("run", "janitor"))
    d.exit(d.shell("source").effect_id, 0, "x1\n")
    assert not d.of(fx.RunShell)
    assert d.events("scanner:failed")[0].payload["error"].startswith("x1: no value for `nope`")


def test_terminal_runs_are_deleted_and_a_cleanup_that_does_not_apply_fails() -> None:
    d = driver(Source("pipelines"), Condition("terminal_for", threshold_us=0), Cleanup("delete"))
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.Cancel("p-x"))
    d(i.ScannerCommand("run", "janitor"))
    assert "p-x" not in d.world.runs and not d.of(fx.WriteArchive)
    d = driver(Source("locks"), Condition("stale", threshold_us=0), Cleanup("archive"))
    d(i.LockCommand("acquire", "L", "cli:old"))
    d(i.ScannerCommand("run", "janitor"), S)
    assert d.events("scanner:failed")[0].payload["error"] == "`archive` does not apply to `L`"
    assert d.world.locks["L"].holder == "cli:old"


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
