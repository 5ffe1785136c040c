"""Reconcile on restart, the daemon's share (RUNTIME.md §7.5): the recovered `World`, the
repository's worktrees and `.oj/worktrees/` in; orphan worktrees, missing workspaces and the
inputs that fail their runs' phases out.

The engine resolves intents, re-attaches live sessions (their monitoring resumes), reports dead
ones, feeds spooled signals, heartbeats live holders and claims, and lists tmux sessions unknown
to the state before any overdue timer fires (`engine/recovery.py`, `Engine._startup`). Here the
daemon adds the worktrees: a directory under `.oj/worktrees/` that no workspace records is an
orphan (reported in `oj status`, never removed automatically); a workspace recorded `ready` or
`in_use` whose directory is gone is `missing`, and the current phase of its live run fails with
`workspace missing` (its `on_fail` decides). Running it twice changes nothing more.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import attrs

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.world import World

log = logging.getLogger("oj.daemon")
FAILPOINT = "daemon.reconcile.mid"


@attrs.frozen
class WorktreeReport:
    orphans: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # workspace ids
    inputs: tuple[i.Input, ...] = ()


def _abs(root: Path, path: str) -> Path:
    p = Path(path)
    return (p if p.is_absolute() else root / p).resolve()


def _listed(repo: Any) -> list[Path]:
    try:
        return [Path(wt.path).resolve() for wt in repo.worktree_list()]
    except Exception:  # not a git repository, or git failed: the directory scan still works
        return []


def worktrees(world: World, root: Path, state_dir: Path, repo: Any) -> WorktreeReport:
    """Orphan worktrees under `.oj/worktrees/` and workspaces whose directory is gone."""
    base = (state_dir / "worktrees").resolve()
    if not base.is_dir() and not world.workspaces:
        return WorktreeReport()  # nothing recorded, nothing on disk: no need to ask git
    known = {
        _abs(root, ws.path) for ws in world.workspaces.values() if ws.state not in ("removed",)
    }
    found = {p for p in _listed(repo) if p.parent == base}
    if base.is_dir():
        found |= {p.resolve() for p in base.iterdir() if p.is_dir()}
    orphans = tuple(sorted(str(p) for p in found if p not in known))
    missing: list[str] = []
    inputs: list[i.Input] = []
    for ws in world.workspaces.values():
        if ws.state not in ("ready", "in_use") or _abs(root, ws.path).exists():
            continue
        missing.append(ws.id)
        run = world.runs.get(ws.run) if ws.run else None
        if run is not None and run.state in ("running", "waiting"):
            inputs.append(i.PipelineTransition(run.id, "fail", reason="workspace missing"))
    return WorktreeReport(orphans, tuple(sorted(missing)), tuple(inputs))


def reconcile(engine: Any, root: Path, state_dir: Path) -> dict[str, Any]:
    """Run the daemon's reconcile against a started engine; the summary for `oj status`."""
    from ojlang.runtime.store.failpoints import hit

    report = worktrees(engine.world, root, state_dir, engine.adapters.repo)
    hit(FAILPOINT)
    for inp in report.inputs:
        engine.post(inp)
    summary: dict[str, Any] = {
        **{k: v for k, v in engine.report.items()},
        "orphan_worktrees": list(report.orphans),
        "missing_workspaces": list(report.missing),
    }
    log.info(
        "reconciled",
        extra={
            "fields": {
                "reattached": summary.get("reattached", 0),
                "lost": summary.get("lost", 0),
                "orphan_sessions": len(summary.get("orphans", [])),
                "orphan_worktrees": len(report.orphans),
                "missing_workspaces": len(report.missing),
            }
        },
    )
    return summary
