"""Typed records and event payloads (LANGUAGE.md §3.11, §3.12, §4.7): a watcher, scanner or
event pattern in, the fields their templates may read out.

Typed sources make record fields checkable; shell sources, `command` sources and queues
without `fields` give records whose fields are unknown statically (`dynamic`). Event payload
fields are listed per reserved scope; custom events have unknown payloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ojlang.parser import ast
from ojlang.validator.vartypes import (
    ANY,
    BOOL,
    DURATION,
    INT,
    LIST,
    OPEN,
    STRING,
    VType,
)

if TYPE_CHECKING:
    from ojlang.validator.scopes import ScopeModel

_S = STRING
WATCHER_RECORDS: dict[str, dict[str, VType]] = {
    "session": {
        "id": _S,
        "session": _S,
        "pipeline": _S,
        "task": _S,
        "phase": _S,
        "idle": DURATION,
        "text": _S,
    },
    "events": {"id": _S, "count": INT, "events": LIST, "last": DURATION, "text": _S},
    "pipelines": {
        "id": _S,
        "name": _S,
        "pipeline": _S,
        "runbook": _S,
        "phase": _S,
        "state": _S,
        "attempt": INT,
        "age": DURATION,
        "error": _S,
    },
}
SCANNER_BASE: dict[str, VType] = {"id": _S, "kind": _S, "age": DURATION, "state": _S}
SCANNER_RECORDS: dict[str, dict[str, VType]] = {
    "locks": {"name": _S, "holder": _S},
    "semaphores": {"name": _S, "holder": _S},
    "sessions": {"session": _S, "task": _S},
    "worktrees": {"path": _S, "branch": _S, "dirty": BOOL},
    "pipelines": {"name": _S, "pipeline": _S, "error": _S},
    "tasks": {"name": _S, "pipeline": _S, "error": _S},
}
DEFAULT_SOURCE = {ast.Watcher: "session", ast.Scanner: "locks"}

# §4.7: payload fields of built-in events by scope (besides `event` itself).
PAYLOADS: dict[str, tuple[str, ...]] = {
    "pipeline": ("id", "name", "pipeline", "runbook", "phase", "attempt", "error"),
    "task": ("id", "task", "phase", "session", "error"),
    "session": ("session", "task", "pipeline"),
    "workspace": ("path", "branch"),
    "queue": ("queue", "item", "attempts", "reason"),
    "worker": ("worker", "queue"),
    "lock": ("holder", "previous", "available"),
    "semaphore": ("holder", "previous", "available"),
    "guard": ("guard", "id", "phase"),
    "strategy": ("strategy", "attempt_name", "error"),
    "cron": ("error", "source", "reason"),
    "action": ("error", "source", "reason"),
    "watcher": ("record", "count", "total"),
    "scanner": ("record", "count", "total"),
    "escalation": ("id", "kind", "reason"),
}
# Events of these scopes also see the variables of the run (§5.2).
RUN_SCOPES = frozenset({"pipeline", "task", "session", "workspace", "guard", "strategy"})


def record_type(
    scopes: ScopeModel, book: str, monitor: ast.Watcher | ast.Scanner
) -> tuple[VType, bool]:
    """The record type of a watcher or scanner, and whether its fields are unknown."""
    source = monitor.source
    if source is None:
        kind = DEFAULT_SOURCE[type(monitor)]
    elif isinstance(source, ast.TypedTable):
        kind = (source.type.value if source.type is not None else "") or DEFAULT_SOURCE[
            type(monitor)
        ]
    else:
        return OPEN, True
    if kind == "queue":
        queue = scopes.resolve(
            source.values.get("name") if isinstance(source, ast.TypedTable) else None,
            ("queue",),
            book,
        )
        item, dynamic = scopes.item([queue if isinstance(queue, ast.Queue) else None])
        if dynamic:
            return OPEN, True
        extra = (
            {"state": _S, "age": DURATION}
            if isinstance(monitor, ast.Watcher)
            else {**SCANNER_BASE, "attempts": INT}
        )
        return VType("object", {**(item.fields or {}), **extra}), False
    if isinstance(monitor, ast.Watcher):
        fields = WATCHER_RECORDS.get(kind)
    else:
        found = SCANNER_RECORDS.get(kind)
        fields = None if found is None else {**SCANNER_BASE, **found}
    if fields is None:
        return OPEN, True
    return VType("object", fields), False


def event_scopes(pattern: object, event: str) -> list[str] | None:
    """The scopes of the events a pattern can match: None for any, [] for custom events."""
    from ojlang.parser.patterns import RESERVED_SCOPES, EventPattern

    if isinstance(pattern, EventPattern):
        if not pattern.segments:
            return None
        first = pattern.segments[0]
        if first.kind != "word" or len(first.parts) != 1 or not isinstance(first.parts[0], str):
            return None
        head = first.parts[0]
    else:
        head = event.split(":", 1)[0]
        if "*" in head or "{" in head:
            return None
    return [head] if head in RESERVED_SCOPES else []


__all__ = ["ANY", "PAYLOADS", "RUN_SCOPES", "event_scopes", "record_type"]
