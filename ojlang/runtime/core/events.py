"""Events (RUNTIME.md §5.1): what the core tells the world happened; frozen data, no behaviour.

An event is `{name, subject, time_us, seq, payload}`; `name` is `scope:verb[:more]`. The
payload is a str-keyed JSON object.
"""

from __future__ import annotations

from typing import Any

import attrs

RESERVED_SCOPES = frozenset(
    {
        "pipeline",
        "task",
        "session",
        "workspace",
        "queue",
        "worker",
        "lock",
        "semaphore",
        "guard",
        "strategy",
        "cron",
        "action",
        "watcher",
        "scanner",
        "escalation",
        "daemon",
    }
)


@attrs.frozen(slots=False)
class Event:
    name: str
    subject: str
    time_us: int
    seq: int
    payload: dict[str, Any] = attrs.Factory(dict)

    @property
    def scope(self) -> str:
        return self.name.partition(":")[0]
