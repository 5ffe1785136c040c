"""Escalation machine (RUNTIME.md §3.14): a source's request in, an open decision record out;
an operator's resolution in, the chosen option (applied by `world` to the subject) out.

Theory of operation. At most one escalation per subject is open: opening a new one resolves the
earlier one as `superseded`. Resolving applies only while `open` (a second resolve answers
`conflict`); the option's input is applied to the subject in the same step by the dispatcher in
`world`. When the subject ends by other means the record is resolved `moot`. An escalation
may carry a deadline (`oj confirm --timeout`): its timer `esc:ID:timeout` resolves it `timeout`.
"""

from __future__ import annotations

import attrs

from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.ids import escalation_id
from ojlang.runtime.core.table import Transition

TABLE = (
    Transition("-", "open", "", "open", "superseded earlier ones, escalation:created, Notify"),
    Transition(
        "open", "resolve", "valid option", "resolved", "option applied, escalation:resolved"
    ),
    Transition("open", "moot", "subject ended", "resolved{moot}", "escalation:resolved"),
    Transition("open", "deadline", "", "resolved{timeout}", "escalation:resolved"),
)

OPTIONS: dict[str, tuple[str, ...]] = {
    "phase_failed": ("retry", "skip", "goto", "fail", "cancel"),
    "task_stuck": ("nudge", "restart", "done", "fail", "wait"),
    "agent_prompt": ("approve", "deny", "attach", "fail"),
    "agent_error": ("restart", "fail", "wait"),
    "guard_timeout": ("retry", "skip", "fail"),
    "strategy_exhausted": ("retry", "retry_last", "skip", "fail"),
    "item_exhausted": ("retry", "dead", "drop"),
    "lock_stale": ("release", "keep"),
    "slot_orphaned": ("release", "keep"),
    "worker_unhealthy": ("resume", "dismiss"),
    "watcher_exhausted": ("acknowledge", "dismiss"),
    "action": ("acknowledge", "dismiss"),
}


@attrs.frozen
class Resolution:
    option: str
    message: str = ""
    by: str = ""
    at_us: int = 0


@attrs.frozen(slots=False)
class Escalation:
    id: str
    kind: str
    subject: str  # `run:ID`, `task:TRID`, `item:QUEUE:ID`, `lock:NAME`, `slot:SEM:HOLDER`, …
    subject_name: str
    reason: str
    options: tuple[str, ...]
    urgency: str = "critical"
    state: str = "open"
    resolution: Resolution | None = None
    created_us: int = 0


def open_for(tx: Tx, subject: str) -> list[Escalation]:
    """The open escalations about `subject` (e.g. `task:ID`), in creation order."""
    return [e for e in tx.world.escalations.values() if e.subject == subject and e.state == "open"]


def open_(tx: Tx, kind: str, subject: str, subject_name: str, reason: str) -> str:
    for esc in open_for(tx, subject):
        _close(tx, esc, "superseded", "", "core")
    eid = escalation_id(tx.ids, tx.world.escalations)
    esc = Escalation(eid, kind, subject, subject_name, reason, OPTIONS[kind], created_us=tx.now)
    tx.set(escalations=tx.world.escalations.set(eid, esc))
    tx.emit(
        "escalation:created",
        subject_name,
        id=eid,
        kind=kind,
        reason=reason,
        options=list(esc.options),
        urgency=esc.urgency,
    )
    return eid


def timer_id(eid: str) -> str:
    return f"esc:{eid}:timeout"


def expire(tx: Tx, eid: str) -> Escalation | None:
    """The deadline of an open escalation passed: resolve it `timeout`."""
    esc = tx.world.escalations[eid]
    _close(tx, esc, "timeout", "", "core")
    return esc


def _close(tx: Tx, esc: Escalation, option: str, message: str, by: str) -> None:
    tx.cancel_timer(timer_id(esc.id))
    esc = evolve(esc, state="resolved", resolution=Resolution(option, message, by, tx.now))
    tx.set(escalations=tx.world.escalations.set(esc.id, esc))
    tx.emit(
        "escalation:resolved", esc.subject_name, id=esc.id, option=option, message=message, by=by
    )


def choose(esc: Escalation, option: str) -> str | None:
    """An option by key or 1-based number (`goto:P` keeps its target), else None."""
    if option.isdigit() and 1 <= int(option) <= len(esc.options):
        return esc.options[int(option) - 1]
    if option.partition(":")[0] in esc.options:
        return option
    return None


def resolve(tx: Tx, eid: str, option: str, message: str, by: str) -> tuple[Escalation | None, str]:
    """Returns (the record, chosen option) or (None, error code)."""
    esc = tx.world.escalations.get(eid)
    if esc is None:
        return None, "not_found"
    if esc.state != "open":
        return None, "conflict"
    chosen = choose(esc, option)
    if chosen is None:
        return None, "invalid"
    _close(tx, esc, chosen, message, by)
    return esc, chosen


def dismiss(tx: Tx, eid: str, message: str, by: str) -> bool:
    """Close an open escalation without acting on its subject; False when it is not open."""
    esc = tx.world.escalations.get(eid)
    if esc is None or esc.state != "open":
        return False
    _close(tx, esc, "dismissed", message, by)
    return True


def moot(tx: Tx, subject: str) -> None:
    for esc in open_for(tx, subject):
        _close(tx, esc, "moot", "", "core")
