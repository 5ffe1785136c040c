"""Records for watchers and scanners (§L3.11, §L3.12): World state or shell output in, record
dicts out; plus the typed conditions that select records."""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.graph import Condition, Source


def parse_shell(code: int | None, stdout: str, stderr: str) -> list[dict[str, Any]]:
    """Shell records: a JSON array → one per element, an object → one, else one per line."""
    if code != 0:
        return [{"id": "error", "failed": True, "text": stderr}]
    try:
        data = json.loads(stdout)
    except ValueError:
        return [{"id": line, "text": line} for line in stdout.splitlines() if line.strip()]
    items = data if isinstance(data, list) else [data]
    out = []
    for i, el in enumerate(items):
        rec = dict(el) if isinstance(el, dict) else {"value": el, "text": json.dumps(el)}
        rec.setdefault("id", str(rec.get("name", i)))
        out.append(rec)
    return out


def core_records(tx: Tx, source: Source, now: int) -> list[dict[str, Any]]:
    """Records of the sources read from `World`: session, pipelines, queue, locks, semaphores,
    tasks (scanner `pipelines`/`tasks` include terminal ones). Records come in a fixed order
    (by id; items by arrival): a `Map` iterates in hash order, which differs between processes."""
    w = tx.world
    kind = source.type or "session"
    if kind in ("session", "sessions"):
        return [
            {
                "id": t.session,
                "kind": "session",
                "session": t.session,
                "pipeline": t.run,
                "task": t.task.rpartition(".")[2],
                "phase": t.phase,
                "idle": now - t.last_heartbeat_us,
                "age": now - t.last_heartbeat_us,
                "state": t.state,
                "text": "",
            }
            for _, t in sorted(w.tasks.items())
            if t.session
            and t.state in ("running", "idle", "confirming", "stuck")
            and fnmatch.fnmatchcase(t.session, source.pattern or "*")
        ]
    if kind in ("pipelines", "tasks"):
        return [
            {
                "id": r.id,
                "kind": "pipeline",
                "name": r.name,
                "pipeline": r.pipeline.rpartition(".")[2],
                "runbook": r.runbook,
                "phase": r.phase,
                "state": r.state,
                "attempt": r.attempts.get(r.phase, 0),
                "age": now - (r.ended_us if r.terminal else r.phase_since_us or r.created_us),
                "error": r.error,
            }
            for _, r in sorted(w.runs.items())
            if fnmatch.fnmatchcase(r.id, source.pattern or "*")
        ]
    if kind == "queue":
        qs = w.queues.get(source.name)
        items = sorted(qs.items.values(), key=lambda i: i.arrival) if qs is not None else ()
        return [
            {**i.fields(), "kind": "item", "state": i.state, "age": now - i.created_us}
            for i in items
        ]
    if kind == "locks":
        return [
            {
                "id": lk.name,
                "kind": "lock",
                "name": lk.name,
                "holder": lk.holder,
                "state": "held",
                "age": now - lk.heartbeat_us,
            }
            for _, lk in sorted(w.locks.items())
            if lk.holder is not None
        ]
    return [
        {
            "id": f"{s.name}:{h}",
            "kind": "slot",
            "name": s.name,
            "holder": h,
            "state": "held",
            "age": now - slot.heartbeat_us,
        }
        for _, s in sorted(w.semaphores.items())
        for h, slot in sorted(s.holders.items())
    ]  # semaphores


def _num(rec: dict[str, Any], *keys: str) -> float | None:
    for k in keys:
        v = rec.get(k)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
    return None


def meets(tx: Tx, cond: Condition, rec: dict[str, Any], streak: int = 0) -> bool:
    """Typed conditions of watchers and scanners (shell conditions are decided elsewhere)."""
    kind = cond.type
    if kind in ("idle", "stale", ""):
        age = _num(rec, "idle", "last", "age")
        return age is not None and age >= cond.threshold_us
    if kind == "exceeds":
        n = _num(rec, "count", "value")
        return n is not None and n > cond.count
    if kind == "consecutive_failures":
        return streak >= cond.count
    if kind == "matches":
        text = (
            rec.get("text")
            if isinstance(rec.get("text"), str)
            else json.dumps(rec, sort_keys=True, default=str)
        )
        return re.search(cond.pattern, str(text)) is not None
    if kind == "exceeded_attempts":
        return int(rec.get("attempts", 0)) >= cond.count
    if kind == "terminal_for":
        return (
            rec.get("state") in ("done", "failed", "cancelled", "dead")
            and int(rec.get("age", 0)) >= cond.threshold_us
        )
    return _orphaned(tx, rec)  # orphaned


def failing(rec: dict[str, Any]) -> bool:
    return rec.get("failed") is True or (isinstance(rec.get("count"), int) and rec["count"] > 0)


def _orphaned(tx: Tx, rec: dict[str, Any]) -> bool:
    holder = rec.get("holder")
    if isinstance(holder, str):
        run = tx.world.runs.get(holder)
        return not holder.startswith("cli:") and (run is None or run.terminal)
    if rec.get("kind") == "session":
        return not any(t.session == rec.get("session") and t.live for t in tx.world.tasks.values())
    if rec.get("kind") == "item":
        return rec.get("state") == "claimed" and not any(
            r.item_claim and r.item_claim.rpartition("~")[0] == rec.get("id") and not r.terminal
            for r in tx.world.runs.values()
        )
    return False
