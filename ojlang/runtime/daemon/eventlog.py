"""The event log, read (RUNTIME.md §5.3, §6.1): `.oj/state.db` and a filter in, the newest
matching events out, oldest first.

The engine's loop thread is the only writer; readers open their own read-only connection, so
they never block it (WAL). Patterns follow §L4.7 (`queue:*`, `task:**@build-*`); `subject`
is matched exactly, `since_us` bounds `ts`, `run` keeps events whose payload `id` is that run.
At most `scan` rows are read per query, newest first, so a rare pattern stays cheap.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ojlang.runtime.core.events import Event

SCAN = 200_000
PAGE = 2_000


def _connect(db: Path) -> sqlite3.Connection | None:
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5.0)
        conn.execute("PRAGMA busy_timeout = 5000")
    except sqlite3.Error:
        return None
    return conn


def event_json(event: Event) -> dict[str, Any]:
    return {
        "name": event.name,
        "subject": event.subject,
        "time_us": event.time_us,
        "seq": event.seq,
        "payload": event.payload,
    }


def keep(
    event: Event, patterns: Sequence[str], subject: str = "", run: str = "", since_us: int = 0
) -> bool:
    from ojlang.runtime.core.patterns import matches

    if subject and event.subject != subject:
        return False
    if run and event.payload.get("id") != run:
        return False
    if since_us and event.time_us < since_us:
        return False
    return not patterns or any(matches(p, event) for p in patterns)


def query(
    db: Path,
    patterns: Sequence[str] = (),
    *,
    limit: int = 50,
    subject: str = "",
    run: str = "",
    since_us: int = 0,
) -> list[dict[str, Any]]:
    """The newest `limit` matching events, oldest first."""
    conn = _connect(db)
    if conn is None or limit <= 0:
        return []
    found: list[dict[str, Any]] = []
    try:
        before = None
        scanned = 0
        while len(found) < limit and scanned < SCAN:
            sql = "SELECT id, seq, ts, name, subject, payload FROM events"
            args: list[Any] = []
            clauses = []
            if before is not None:
                clauses.append("id < ?")
                args.append(before)
            if subject:
                clauses.append("subject = ?")
                args.append(subject)
            if since_us:
                clauses.append("ts >= ?")
                args.append(since_us)
            if clauses:
                sql += " WHERE " + " AND ".join(clauses)
            sql += " ORDER BY id DESC LIMIT ?"
            args.append(PAGE)
            rows = conn.execute(sql, args).fetchall()
            if not rows:
                break
            for _rid, seq, ts, name, subj, payload in rows:
                try:
                    body = json.loads(payload)
                except ValueError:
                    body = {}
                event = Event(name, subj, ts, seq, body if isinstance(body, dict) else {})
                if keep(event, patterns, run=run):
                    found.append(event_json(event))
                    if len(found) >= limit:
                        break
            scanned += len(rows)
            before = rows[-1][0]
    except sqlite3.Error:
        return list(reversed(found))
    finally:
        conn.close()
    return list(reversed(found))


def result_of(db: Path, effect_id: str, after_seq: int = 0) -> dict[str, Any] | None:
    """The result input (`{name, payload}`) recorded for `effect_id` after `after_seq`."""
    conn = _connect(db)
    if conn is None:
        return None
    needle = json.dumps(effect_id)
    try:
        rows = conn.execute(
            "SELECT body FROM ops WHERE type = 'input' AND seq > ? AND instr(body, ?) > 0 "
            "ORDER BY seq",
            (after_seq, f'"effect_id":{needle}'),
        ).fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    for (body,) in rows:
        try:
            doc = json.loads(body)
        except ValueError:
            continue
        if isinstance(doc, dict) and doc.get("payload", {}).get("effect_id") == effect_id:
            return doc
    return None


def shells_of(db: Path, owner: str, limit: int = 50) -> list[dict[str, Any]]:
    """The newest `limit` `RunShell` intents of `owner` (`run:ID`): effect id, purpose, script."""
    conn = _connect(db)
    if conn is None:
        return []
    needle = f'"owner":{json.dumps(owner)}'
    try:
        rows = conn.execute(
            "SELECT body FROM ops WHERE type = 'intent' AND instr(body, ?) > 0 "
            'AND instr(body, \'"type":"RunShell"\') > 0 ORDER BY seq DESC LIMIT ?',
            (needle, limit),
        ).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    out = []
    for (body,) in reversed(rows):
        try:
            doc = json.loads(body)
        except ValueError:
            continue
        effect = doc.get("effect") or {}
        if effect.get("owner") == owner:
            out.append(
                {
                    "effect": str(doc.get("effect_id")),
                    "purpose": effect.get("purpose"),
                    "script": effect.get("script"),
                }
            )
    return out
