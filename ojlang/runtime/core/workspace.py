"""Workspace machine (RUNTIME.md §3.15): create/remove requests in, worktree effects out;
worktree results in, workspace states and events out.

Theory of operation. `WorktreeAdd` makes a workspace `creating`; its result makes it `ready`
(or `in_use` by the run that asked for it) or `failed`. A run's end requests removal:
`removing`, then `removed` on the adapter's answer. At most one non-terminal run uses a
workspace. Results are routed here through the outbox owner `workspace:ID`.
"""

from __future__ import annotations

import attrs

from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import WorktreeAdd, WorktreeRemove
from ojlang.runtime.core.table import Transition

TABLE = (
    Transition("-", "create", "", "creating", "WorktreeAdd"),
    Transition(
        "creating", "ready", "", "ready / in_use{run}", "workspace:created, workspace:ready"
    ),
    Transition("creating", "failed", "", "failed", ""),
    Transition("ready", "remove", "", "removing", "WorktreeRemove"),
    Transition("in_use", "remove", "", "removing", "WorktreeRemove"),
    Transition("failed", "remove", "", "removing", "WorktreeRemove"),
    Transition("removing", "removed", "", "removed", "workspace:deleted"),
    Transition("removing", "failed", "", "failed", ""),
    Transition("-", "adopt", "", "ready", "workspace:ready"),
)


@attrs.frozen(slots=False)
class Workspace:
    id: str
    path: str
    branch: str
    base: str = ""
    state: str = "creating"
    run: str = ""
    created_us: int = 0
    error: str = ""


def _put(tx: Tx, ws: Workspace) -> Workspace:
    tx.set(workspaces=tx.world.workspaces.set(ws.id, ws))
    return ws


def create(tx: Tx, wid: str, path: str, branch: str, owner: str = "", base: str = "") -> None:
    _put(tx, Workspace(wid, path, branch, base, "creating", owner, tx.now))
    tx.io(WorktreeAdd(wid, path, branch, base, owner=f"workspace:{wid}"))


def adopt(tx: Tx, wid: str, path: str, branch: str) -> None:
    _put(tx, Workspace(wid, path, branch, state="ready", created_us=tx.now))
    tx.emit("workspace:ready", wid, path=path, branch=branch)


def on_added(tx: Tx, ws: Workspace, ok: bool, error: str = "") -> None:
    if not ok:
        _put(tx, evolve(ws, state="failed", error=error))
        return
    ws = _put(tx, evolve(ws, state="in_use" if ws.run else "ready"))
    subject = ws.run or ws.id
    tx.emit("workspace:created", subject, path=ws.path, branch=ws.branch, base=ws.base)
    tx.emit("workspace:ready", subject, path=ws.path, branch=ws.branch)


def remove(tx: Tx, wid: str, base: str | None = None) -> bool:
    ws = tx.world.workspaces.get(wid)
    if ws is None or ws.state not in ("ready", "in_use", "failed"):
        return False
    _put(tx, evolve(ws, state="removing"))
    tx.io(WorktreeRemove(wid, ws.path, base, ".oj/archive", owner=f"workspace:{wid}"))
    return True


def on_removed(tx: Tx, ws: Workspace, ok: bool, patch: str = "", error: str = "") -> None:
    if not ok:
        _put(tx, evolve(ws, state="failed", error=error))
        return
    _put(tx, evolve(ws, state="removed"))
    tx.emit("workspace:deleted", ws.run or ws.id, path=ws.path, branch=ws.branch, patch=patch)
