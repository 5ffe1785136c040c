"""Scanner machine (RUNTIME.md §3.12): scans (timer, cron tick, operator) in; selected
resources and their cleanups (core transitions or effects) out.

Theory of operation. `idle` → `scanning` → (`cleaning(n)` →) `idle`. Core sources are read
from `World`; `worktrees`/`sessions` come from `ListWorktrees`/`ListSessions`; shell sources
from `RunShell(source)`. The condition selects resources; `dry_run` only reports them. Cleanups
of core state (lock/slot release, record delete/archive, dead-letter) happen in the same step;
the others are effects (`WorktreeRemove`, `KillSession`, `WriteArchive`). A failing cleanup of
one resource does not stop the others. A shell condition is tested per resource
(`RunShell(purpose=probe)`, exit 0 = selected); the scan goes on once every answer is in. Crons
that wait for a scan (§3.10) are told when the scanner is idle again.
"""

from __future__ import annotations

from typing import Any

import attrs

from ojlang.runtime.core import lock, semaphore, workspace
from ojlang.runtime.core import queue as q
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve, later
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
    Transition("scanning", "resources", "shell condition", "scanning", "RunShell(probe) each"),
    Transition("scanning", "probe results", "all in", "idle", "as resources, selected"),
)


@attrs.frozen(slots=False)
class ScannerState:
    key: str
    state: str = "idle"
    enabled: bool = True
    total: int = 0
    dry_run_once: bool = False
    waiters: tuple[str, ...] = later(())  # crons whose tick waits for the scan in flight
    probes: dict[str, str] = later(factory=dict)  # condition effect id → resource id
    found: tuple[dict[str, Any], ...] = later(())  # the resources under test
    selected: tuple[str, ...] = later(())  # ids of the resources whose condition held


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


def scan(tx: Tx, key: str, by: str, waiter: str = "") -> None:
    """Scan now; `waiter` (a cron key) is told when the scanner is idle again."""
    s = tx.world.scanners[key]
    defn = _defn(tx, key)
    if by == "timer":
        tx.set_timer(f"scanner:{key}:scan", tx.now + defn.interval_us)
    if waiter:
        s = _put(tx, evolve(s, waiters=(*s.waiters, waiter)))
    if s.state != "idle":  # the scan in flight answers the waiter too
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
            script = render_template(src.command, _scope(tx, defn))
        except RenderError as exc:
            _done(tx, key, 0, [f"source: {exc}"])
            return
        tx.io(RunShell("source", script, _root(tx), _env(tx, defn), 120.0, owner=owner))
    else:
        resources(tx, key, core_records(tx, src, tx.now))


def _root(tx: Tx) -> str:
    return tx.graph.settings.project_root


def _scope(tx: Tx, defn: Scanner) -> dict[str, Any]:
    rb = tx.graph.runbooks.get(defn.runbook)
    return {
        "config": rb.config if rb else {},
        "env": tx.graph.settings.env,
        "project": _root(tx),
        "runbook": defn.runbook,
    }


def _env(tx: Tx, defn: Scanner) -> dict[str, str]:
    """`OJ_*` variables of the scanner's helper shells (§L5.5)."""
    return {"OJ_PROJECT": _root(tx), "OJ_RUNBOOK": defn.runbook}


def on_shell(tx: Tx, key: str, code: int | None, stdout: str, stderr: str) -> None:
    resources(tx, key, parse_shell(code, stdout, stderr))


def resources(tx: Tx, key: str, found: list[dict[str, Any]]) -> None:
    """The listed resources: select them with the condition (shell conditions: one probe
    each, answered later), then clean the selected ones."""
    defn = _defn(tx, key)
    cond = defn.condition
    if defn.source.type == "worktrees" and cond.type == "orphaned":
        _select(tx, key, [r for r in found if _worktree_orphan(tx, r)])
        return
    if cond.shell is None:
        _select(tx, key, [r for r in found if meets(tx, cond, r)])
        return
    scope = _scope(tx, defn)
    probes: dict[str, str] = {}
    for rec in found:
        try:
            script = render_template(cond.shell, {**rec, **scope, "record": rec})
        except RenderError as exc:  # a condition that does not render selects nothing
            tx.log("warning", f"scanner `{key}` condition for `{rec.get('id')}`: {exc}")
            continue
        eid = tx.io(
            RunShell("probe", script, _root(tx), _env(tx, defn), 120.0, owner=f"scanner:{key}")
        )
        probes[eid] = str(rec.get("id"))
    if not probes:
        _select(tx, key, [])
        return
    _put(tx, evolve(tx.world.scanners[key], probes=probes, found=tuple(found), selected=()))


def on_probe(tx: Tx, key: str, eid: str, code: int | None) -> None:
    """One resource's shell condition answered (exit 0 = selected); the last answer goes on."""
    s = tx.world.scanners[key]
    probes = {k: v for k, v in s.probes.items() if k != eid}
    selected = (*s.selected, s.probes[eid]) if code == 0 else s.selected
    s = _put(tx, evolve(s, probes=probes, selected=selected))
    if probes:
        return
    chosen = [r for r in s.found if str(r.get("id")) in selected]
    _put(tx, evolve(s, found=(), selected=()))
    _select(tx, key, chosen)


def is_probe(tx: Tx, key: str, eid: str) -> bool:
    return eid in tx.world.scanners[key].probes


def _select(tx: Tx, key: str, selected: list[dict[str, Any]]) -> None:
    defn = _defn(tx, key)
    s = tx.world.scanners[key]
    ids = [str(r.get("id")) for r in selected]
    tx.emit("scanner:found", _name(key), scanner=_name(key), count=len(ids), ids=ids)
    if not selected or defn.dry_run or s.dry_run_once:
        _done(tx, key, 0, [])
        return
    errors = [e for e in (_cleanup(tx, defn, rec) for rec in selected) if e]
    _done(tx, key, len(selected) - len(errors), errors, cleaning=True)


def _done(tx: Tx, key: str, cleaned: int, errors: list[str], cleaning: bool = False) -> None:
    """The scan ended: back to idle, report, and tell the crons that waited for it."""
    s = tx.world.scanners[key]
    waiters = s.waiters
    s = _put(tx, evolve(s, state="idle", total=s.total + cleaned, dry_run_once=False, waiters=()))
    if cleaning:
        tx.emit("scanner:cleaned", _name(key), scanner=_name(key), count=cleaned, total=s.total)
    error = "; ".join(errors)
    if error:
        tx.emit("scanner:failed", _name(key), scanner=_name(key), error=error)
    if waiters:
        from ojlang.runtime.core import cron  # cron starts scans: it imports this module

        for c in waiters:
            cron.part_done(tx, c, f"scanner:{key}", error)


def _worktree_orphan(tx: Tx, rec: dict[str, Any]) -> bool:
    path = str(rec.get("path", ""))
    known = {w.path: w for w in tx.world.workspaces.values()}
    inside = "/.oj/worktrees/" in path or path in known
    used = any(r.workspace == path and not r.terminal for r in tx.world.runs.values())
    return inside and not used


def _cleanup(tx: Tx, defn: Scanner, rec: dict[str, Any]) -> str:
    """Apply the cleanup to one resource; returns an error text, or "". Core resources are
    looked up again: a resource that changed since it was listed is left alone."""
    kind = rec.get("kind", defn.source.type)
    how = defn.cleanup.type
    owner = f"scanner:{defn.runbook}.{defn.name}"
    rid = str(rec.get("id"))
    if defn.cleanup.shell is not None:
        try:
            script = render_template(defn.cleanup.shell, {**rec, **_scope(tx, defn), "record": rec})
        except RenderError as exc:
            return f"{rid}: {exc}"
        tx.io(RunShell("action", script, _root(tx), _env(tx, defn), 120.0, owner="hook"))
        return ""
    if how in ("release", "") and kind == "lock":
        name, holder = str(rec["name"]), str(rec["holder"])
        if tx.world.locks[name].holder != holder:
            return f"{rid}: no longer held by `{holder}`"
        lock.release(tx, name, holder, force=True, lost=True)
    elif how in ("release", "") and kind == "slot":
        if not semaphore.release(tx, str(rec["name"]), str(rec["holder"]), reclaimed=True):
            return f"{rid}: no longer held"
    elif defn.source.type == "worktrees":
        if rec.get("dirty"):
            return f"{rec.get('path')}: dirty"
        path = str(rec.get("path"))
        known = [w.id for w in tx.world.workspaces.values() if w.path == path]
        if known and workspace.remove(tx, known[0]):  # the record follows the removal
            return ""
        tx.io(WorktreeRemove(rid, path, None, defn.cleanup.destination, owner=owner))
    elif defn.source.type == "sessions":
        tx.io(KillSession(rid, owner=owner))
    elif kind == "item":
        name = defn.source.name
        item = q.get(tx, name).items.get(rid)
        if item is None or item.state == "claimed":
            return f"{rid}: gone or claimed"
        if how == "dead_letter":
            q.exhaust(tx, item, evolve(tx.graph.queues[name], on_exhaust=ChainWord("dead")))
        else:
            if how == "archive":
                path = f"{defn.cleanup.destination}/{name}-{rid}.json"
                tx.io(WriteArchive(path, rec, owner=owner))
            q.delete(tx, name, rid)
    elif kind == "pipeline" and rec.get("state") in ("done", "failed", "cancelled"):
        run = tx.world.runs.get(rid)
        if run is None or not run.terminal:
            return f"{rid}: gone or resumed"
        if how == "archive":
            tx.io(WriteArchive(f"{defn.cleanup.destination}/{rid}.json", rec, owner=owner))
        tx.set(runs=tx.world.runs.delete(rid))
    else:
        return f"`{how}` does not apply to `{rid}`"
    return ""
