"""Scanner machine (RUNTIME.md §3.12): scans (timer, cron tick, operator) in; selected
resources and their cleanups (core transitions or effects) out.

Theory of operation. `idle` → `scanning` → (`cleaning(n)` →) `idle`. Core sources are read
from `World`; `worktrees`/`sessions` come from `ListWorktrees`/`ListSessions`; shell sources
from `RunShell(source)`. The condition selects resources; `dry_run` only reports them. Cleanups
of core state (lock/slot release, record delete/archive, dead-letter) happen in the same step;
the others are effects (`WorktreeRemove`, `KillSession`, `WriteArchive`). A failing cleanup of
one resource does not stop the others.
"""

from __future__ import annotations

from typing import Any

import attrs

from ojlang.runtime.core import lock, semaphore, workspace
from ojlang.runtime.core import queue as q
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import (
    KillSession,
    ListSessions,
    ListWorktrees,
    RunShell,
    WorktreeRemove,
    WriteArchive,
)
from ojlang.runtime.core.graph import ChainWord, Scanner
from ojlang.runtime.core.records import core_records, meets, parse_shell
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_template

TABLE = (
    Transition(
        "idle",
        "scan",
        "",
        "scanning",
        "scanner:started; World, ListWorktrees/ListSessions or RunShell",
    ),
    Transition("scanning", "resources", "none selected", "idle", "scanner:found{0}"),
    Transition("scanning", "resources", "selected, dry_run", "idle", "scanner:found{count, ids}"),
    Transition(
        "scanning", "resources", "selected", "idle", "scanner:found, cleanups, scanner:cleaned"
    ),
    Transition("scanning", "scan", "", "scanning", "ignored"),
)


@attrs.frozen(slots=False)
class ScannerState:
    key: str
    state: str = "idle"
    enabled: bool = True
    total: int = 0
    dry_run_once: bool = False


def _defn(tx: Tx, key: str) -> Scanner:
    return tx.graph.scanners[key]


def _put(tx: Tx, s: ScannerState) -> ScannerState:
    tx.set(scanners=tx.world.scanners.set(s.key, s))
    return s


def _name(key: str) -> str:
    return key.rpartition(".")[2]


def init(tx: Tx, key: str, previous: ScannerState | None) -> None:
    defn = _defn(tx, key)
    library = defn.runbook in tx.graph.runbooks and tx.graph.runbooks[defn.runbook].library
    s = _put(tx, previous or ScannerState(key, enabled=defn.enabled and not library))
    if s.enabled and f"scanner:{key}:scan" not in tx.world.timers:
        tx.set_timer(f"scanner:{key}:scan", tx.now + defn.interval_us)


def command(tx: Tx, key: str, verb: str, dry_run: bool = False) -> None:
    s = tx.world.scanners[key]
    if verb == "enable":
        s = _put(tx, evolve(s, enabled=True))
        tx.set_timer(f"scanner:{key}:scan", tx.now + _defn(tx, key).interval_us)
    elif verb == "disable":
        _put(tx, evolve(s, enabled=False))
        tx.cancel_timer(f"scanner:{key}:scan")
    else:
        _put(tx, evolve(s, dry_run_once=dry_run))
        scan(tx, key, "operator")


def scan(tx: Tx, key: str, by: str) -> None:
    s = tx.world.scanners[key]
    defn = _defn(tx, key)
    if by == "timer":
        tx.set_timer(f"scanner:{key}:scan", tx.now + defn.interval_us)
    if s.state != "idle":
        tx.ignored(s.state, "scan")
        return
    _put(tx, evolve(s, state="scanning"))
    tx.emit("scanner:started", _name(key), scanner=_name(key), by=by)
    src = defn.source
    owner = f"scanner:{key}"
    if src.type == "worktrees":
        tx.io(ListWorktrees(owner=owner))
    elif src.type == "sessions":
        tx.io(ListSessions(owner=owner))
    elif src.command is not None:
        try:
            script = render_template(src.command, {"config": {}, "env": tx.graph.settings.env})
        except RenderError as exc:
            _done(tx, key, [], f"source: {exc}")
            return
        tx.io(RunShell("source", script, tx.graph.settings.project_root, {}, 120.0, owner=owner))
    else:
        resources(tx, key, core_records(tx, src, tx.now))


def on_shell(tx: Tx, key: str, code: int | None, stdout: str, stderr: str) -> None:
    resources(tx, key, parse_shell(code, stdout, stderr))


def resources(tx: Tx, key: str, found: list[dict[str, Any]]) -> None:
    defn = _defn(tx, key)
    s = tx.world.scanners[key]
    if defn.source.type == "worktrees":
        found = (
            [r for r in found if _worktree_orphan(tx, r)]
            if defn.condition.type == "orphaned"
            else found
        )
        selected = (
            found
            if defn.condition.type == "orphaned"
            else [r for r in found if meets(tx, defn.condition, r)]
        )
    else:
        selected = [r for r in found if meets(tx, defn.condition, r)]
    ids = [str(r.get("id")) for r in selected]
    tx.emit("scanner:found", _name(key), scanner=_name(key), count=len(ids), ids=ids)
    if not selected or defn.dry_run or s.dry_run_once:
        _put(tx, evolve(s, state="idle", dry_run_once=False))
        return
    errors = []
    for rec in selected:
        error = _cleanup(tx, defn, rec)
        if error:
            errors.append(error)
    _done(tx, key, selected, "; ".join(errors))


def _done(tx: Tx, key: str, selected: list[dict[str, Any]], error: str) -> None:
    s = tx.world.scanners[key]
    count = len(selected) - (error.count(";") + 1 if error else 0)
    s = _put(tx, evolve(s, state="idle", total=s.total + max(count, 0), dry_run_once=False))
    if selected:
        tx.emit(
            "scanner:cleaned", _name(key), scanner=_name(key), count=max(count, 0), total=s.total
        )
    if error:
        tx.emit("scanner:failed", _name(key), scanner=_name(key), error=error)


def _worktree_orphan(tx: Tx, rec: dict[str, Any]) -> bool:
    path = str(rec.get("path", ""))
    known = {w.path: w for w in tx.world.workspaces.values()}
    inside = "/.oj/worktrees/" in path or path in known
    used = any(r.workspace == path and not r.terminal for r in tx.world.runs.values())
    return inside and not used


def _cleanup(tx: Tx, defn: Scanner, rec: dict[str, Any]) -> str:
    """Apply the cleanup to one resource; returns an error text, or ""."""
    kind = rec.get("kind", defn.source.type)
    how = defn.cleanup.type
    owner = f"scanner:{defn.runbook}.{defn.name}"
    if defn.cleanup.shell is not None:
        try:
            script = render_template(defn.cleanup.shell, {**rec, "record": rec})
        except RenderError as exc:
            return str(exc)
        tx.io(RunShell("action", script, tx.graph.settings.project_root, {}, 120.0, owner="hook"))
        return ""
    if how in ("release", "") and kind == "lock":
        lock.release(tx, str(rec["name"]), str(rec["holder"]), force=True, lost=True)
    elif how in ("release", "") and kind == "slot":
        semaphore.release(tx, str(rec["name"]), str(rec["holder"]), reclaimed=True)
    elif defn.source.type == "worktrees":
        if rec.get("dirty"):
            return f"{rec.get('path')}: dirty"
        known = [w.id for w in tx.world.workspaces.values() if w.path == rec.get("path")]
        if known and workspace.remove(tx, known[0]):  # the record follows the removal
            return ""
        tx.io(
            WorktreeRemove(
                str(rec.get("id")),
                str(rec.get("path")),
                None,
                defn.cleanup.destination,
                owner=owner,
            )
        )
    elif defn.source.type == "sessions":
        tx.io(KillSession(str(rec.get("id")), owner=owner))
    elif kind == "item":
        name = defn.source.name
        if how == "dead_letter":
            item = q.get(tx, name).items[str(rec["id"])]
            q.exhaust(tx, item, evolve(tx.graph.queues[name], on_exhaust=ChainWord("dead")))
        else:
            if how == "archive":
                tx.io(
                    WriteArchive(
                        f"{defn.cleanup.destination}/{name}-{rec['id']}.json", rec, owner=owner
                    )
                )
            q.delete(tx, name, str(rec["id"]))
    elif kind == "pipeline" and rec.get("state") in ("done", "failed", "cancelled"):
        if how == "archive":
            tx.io(WriteArchive(f"{defn.cleanup.destination}/{rec['id']}.json", rec, owner=owner))
        tx.set(runs=tx.world.runs.delete(str(rec["id"])))
    else:
        return f"`{how}` does not apply to `{rec.get('id')}`"
    return ""
