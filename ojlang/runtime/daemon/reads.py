"""Read methods (RUNTIME.md §7.2, §10): a request's params in, an answer from the in-memory
`World` (or the read-only event log and log files) out; no op is written.

`status` is the one-screen summary of `oj status`: the daemon (pid, uptime, store size, last
snapshot, memory), runs with what they wait on, open escalations, workers, queues, crons,
locks, semaphores, sessions by state, orphans (from reconcile) and warnings.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ojlang.runtime.daemon import views
from ojlang.runtime.daemon.context import Ctx
from ojlang.runtime.daemon.eventlog import query, shells_of
from ojlang.runtime.daemon.limits import memory_warning, rss_bytes
from ojlang.runtime.daemon.protocol import RemoteError

Params = dict[str, Any]
Json = dict[str, Any]


def _text(params: Params, key: str) -> str:
    value = params.get(key)
    if value is None or value == "":
        raise RemoteError("invalid", f"missing `{key}`")
    return str(value)


# -- the daemon -------------------------------------------------------------------------------


def _store(state_dir: Path) -> Json:
    db = state_dir / "state.db"
    size = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())
    snapshot = None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2.0)
        try:
            row = conn.execute("SELECT seq, ts FROM snapshots ORDER BY seq DESC LIMIT 1").fetchone()
        finally:
            conn.close()
        if row is not None:
            snapshot = {"seq": row[0], "ts_us": row[1]}
    except sqlite3.Error:
        pass
    return {"path": str(db), "bytes": size, "last_snapshot": snapshot}


def daemon_view(ctx: Ctx) -> Json:
    info = ctx.info
    now = ctx.now_us()
    rss = rss_bytes()
    return {
        "pid": info.pid,
        "version": info.version,
        "root": str(info.root),
        "socket": str(info.socket),
        "tmux_socket": str(info.tmux_socket),
        "started_us": info.started_us,
        "uptime_s": round((now - info.started_us) / 1_000_000, 1),
        "last_seq": ctx.world.last_seq,
        "store": _store(info.state_dir),
        "rss_bytes": rss,
        "graph_errors": info.graph_errors,
        "reconciled": dict(info.reconciled),
    }


def warnings(ctx: Ctx, rss: int) -> list[str]:
    out = list(ctx.info.warnings)
    memory = memory_warning(rss)
    if memory:
        out.append(memory)
    return out


def status(ctx: Ctx, params: Params) -> Json:
    world = ctx.world
    everything = bool(params.get("all"))
    daemon = daemon_view(ctx)
    sessions = views.sessions(world)
    by_state: dict[str, int] = {}
    for s in sessions:
        by_state[s["state"]] = by_state.get(s["state"], 0) + 1
    reconciled = ctx.info.reconciled
    return {
        "daemon": daemon,
        "runs": views.runs(world, everything=everything),
        "escalations": views.escalations(world),
        "workers": views.workers(world),
        "queues": views.queues(world),
        "crons": views.crons(world),
        "locks": [lk for lk in views.locks(world) if everything or lk["holder"] or lk["waiters"]],
        "semaphores": views.semaphores(world),
        "sessions": {"counts": by_state, "list": sessions},
        "orphans": {
            "sessions": list(reconciled.get("orphans", [])),
            "worktrees": list(reconciled.get("orphan_worktrees", [])),
        },
        "warnings": warnings(ctx, daemon["rss_bytes"]),
    }


def daemon_status(ctx: Ctx, params: Params) -> Json:
    return daemon_view(ctx)


# -- runs -------------------------------------------------------------------------------------


def pipeline_list(ctx: Ctx, params: Params) -> Json:
    runs = views.runs(
        ctx.world,
        everything=bool(params.get("all")),
        state=str(params.get("state") or ""),
        runbook=str(params.get("runbook") or ""),
    )
    return {"runs": runs}


def pipeline_show(ctx: Ctx, params: Params) -> Json:
    rid = ctx.run_id(_text(params, "id"))
    return {"run": views.run_view(ctx.world, ctx.world.runs[rid], full=True)}


def pipeline_logs(ctx: Ctx, params: Params) -> Json:
    rid = ctx.run_id(_text(params, "id"))
    phase = str(params.get("phase") or "")
    limit = int(params.get("n") or 50)
    events = query(ctx.info.state_dir / "state.db", limit=limit * 4 if phase else limit, run=rid)
    if phase:
        events = [e for e in events if e["payload"].get("phase") in (phase, None)][-limit:]
    logs = ctx.info.state_dir / "logs" / "sessions"
    sessions = [
        {
            "session": t.session,
            "task_run": t.id,
            "phase": t.phase,
            "log": str(logs / f"{t.session}.log"),
            "final": str(logs / f"{t.session}.final.txt"),
        }
        for t in sorted(ctx.world.tasks.values(), key=lambda t: t.started_us)
        if t.run == rid and t.session and (not phase or t.phase == phase)
    ]
    shell_dir = ctx.info.state_dir / "run" / "shell"
    shells = []
    for shell in shells_of(ctx.info.state_dir / "state.db", f"run:{rid}"):
        outputs = {}
        for stream in ("out", "err"):
            path = shell_dir / f"{shell['effect']}.{stream}"
            outputs[stream] = _tail(path, 20)
        shells.append({**shell, **outputs})
    return {"run": rid, "events": events, "shells": shells, "sessions": sessions}


def _tail(path: Path, lines: int) -> list[str] | None:
    """The last lines of a shell output file; None once it was cleaned up (§7.6: 24 h)."""
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - 16384))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    return text.splitlines()[-lines:]


def graph_live(ctx: Ctx, params: Params) -> Json:
    rid = ctx.run_id(_text(params, "run"))
    run = ctx.world.runs[rid]
    return {
        "run": rid,
        "pipeline": run.pipeline,
        "phase": run.phase,
        "state": run.state,
        "visits": dict(run.attempts),
    }


# -- queues and loops -------------------------------------------------------------------------


def queue_list(ctx: Ctx, params: Params) -> Json:
    return {"queues": views.queues(ctx.world)}


def queue_show(ctx: Ctx, params: Params) -> Json:
    name = ctx.queue_name(_text(params, "queue"))
    state = str(params.get("state") or "")
    states: tuple[str, ...] = (state,) if state else ()
    if not state and not params.get("all"):
        states = ("ready", "claimed", "parked", "dead")
    return {**views.queue_view(ctx.world, name), "items": views.items(ctx.world, name, states)}


def queue_dead(ctx: Ctx, params: Params) -> Json:
    name = ctx.queue_name(_text(params, "queue"))
    return {"queue": name, "items": views.items(ctx.world, name, ("dead",))}


def _loop_reads(kind: str) -> tuple[Callable[[Ctx, Params], Json], Callable[[Ctx, Params], Json]]:
    lister = getattr(views, f"{kind}s")
    viewer = getattr(views, f"{kind}_view")

    def list_(ctx: Ctx, params: Params) -> Json:
        return {f"{kind}s": lister(ctx.world)}

    def show(ctx: Ctx, params: Params) -> Json:
        key = ctx.loop_key(kind, _text(params, kind))
        return {kind: viewer(ctx.world, key)}

    return list_, show


def lock_list(ctx: Ctx, params: Params) -> Json:
    return {"locks": views.locks(ctx.world)}


def lock_show(ctx: Ctx, params: Params) -> Json:
    name = _text(params, "lock")
    known = set(views.graph_of(ctx.world).locks) | set(ctx.world.locks)
    if name not in known:
        from ojlang.runtime.daemon.resolve import resolve

        name = resolve("lock", name, known)
    return {"lock": views.lock_view(ctx.world, name)}


def semaphore_list(ctx: Ctx, params: Params) -> Json:
    return {"semaphores": views.semaphores(ctx.world)}


def semaphore_show(ctx: Ctx, params: Params) -> Json:
    name = _text(params, "semaphore")
    known = set(views.graph_of(ctx.world).semaphores) | set(ctx.world.semaphores)
    if name not in known:
        from ojlang.runtime.daemon.resolve import resolve

        name = resolve("semaphore", name, known)
    return {"semaphore": views.semaphore_view(ctx.world, name)}


# -- sessions and workspaces ------------------------------------------------------------------


def session_list(ctx: Ctx, params: Params) -> Json:
    return {"sessions": views.sessions(ctx.world, everything=bool(params.get("all")))}


def _session_info(ctx: Ctx, name: str) -> Json:
    tasks = [t for t in ctx.world.tasks.values() if t.session == name]
    tr = max(tasks, key=lambda t: (t.live, t.started_us))
    logs = ctx.info.state_dir / "logs" / "sessions"
    return {
        **views.task_view(tr),
        "session": name,
        "task_run": tr.id,
        "live": tr.live,
        "tmux_socket": str(ctx.info.tmux_socket),
        "attach": ["tmux", "-S", str(ctx.info.tmux_socket), "attach-session", "-t", f"={name}"],
        "log": str(logs / f"{name}.log"),
        "final": str(logs / f"{name}.final.txt"),
    }


def session_show(ctx: Ctx, params: Params) -> Json:
    return {"session": _session_info(ctx, ctx.session(_text(params, "session")))}


def session_peek(ctx: Ctx, params: Params) -> Json:
    name = ctx.session(_text(params, "session"))
    info = _session_info(ctx, name)
    lines = int(params.get("lines") or 40)
    text = None
    if info["live"]:
        try:
            text = ctx.engine.adapters.session.capture(name, lines)
        except Exception:  # the pane died meanwhile: fall back to the final capture
            text = None
    source = "pane"
    if text is None:
        source = "final"
        try:
            text = Path(info["final"]).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
            source = "none"
    rows = text.rstrip("\n").splitlines()[-lines:] if text else []
    return {"session": name, "source": source, "lines": rows}


def workspace_list(ctx: Ctx, params: Params) -> Json:
    return {"workspaces": views.workspaces(ctx.world, everything=bool(params.get("all")))}


def workspace_show(ctx: Ctx, params: Params) -> Json:
    wid = ctx.workspace_id(_text(params, "workspace"))
    return {"workspace": views.workspace_view(ctx.world, wid)}


def workspace_prune_plan(ctx: Ctx) -> Json:
    """Workspaces of ended runs still on disk, and orphan worktrees."""
    stale = []
    for ws in ctx.world.workspaces.values():
        if ws.state not in ("ready", "failed") or ws.id.startswith("ws-"):
            continue
        run = ctx.world.runs.get(ws.run) if ws.run else None
        if run is None or run.terminal:
            stale.append(ws.id)
    orphans = list(ctx.info.reconciled.get("orphan_worktrees", []))
    return {"workspaces": sorted(stale), "orphans": [o for o in orphans if os.path.isdir(o)]}


# -- escalations and events -------------------------------------------------------------------


def escalation_list(ctx: Ctx, params: Params) -> Json:
    return {"escalations": views.escalations(ctx.world, bool(params.get("all")))}


def escalation_show(ctx: Ctx, params: Params) -> Json:
    eid = ctx.escalation_id(_text(params, "id"))
    row = next(e for e in views.escalations(ctx.world, True) if e["id"] == eid)
    esc = ctx.world.escalations[eid]
    row["urgency"] = esc.urgency
    row["message"] = esc.resolution.message if esc.resolution else None
    row["by"] = esc.resolution.by if esc.resolution else None
    return {"escalation": row}


def events_tail(ctx: Ctx, params: Params) -> Json:
    patterns = [str(p) for p in params.get("patterns") or []]
    since = params.get("since_s")
    since_us = ctx.now_us() - int(float(since) * 1_000_000) if since else 0
    events = query(
        ctx.info.state_dir / "state.db",
        patterns,
        limit=int(params.get("n") or 50),
        subject=str(params.get("subject") or ""),
        since_us=since_us,
    )
    return {"events": events}
