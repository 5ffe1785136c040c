"""Agent-side signals (RUNTIME.md §9.3–9.4): a signal request (`done`, `checkpoint`, `hook`)
with a resolved task run in, the core input it stands for out.

Used for live requests (the socket methods) and for signals spooled while the engine was
unreachable (reconcile). `hook` kinds: `prime` → `agent:ready`; `activity` →
`agent:activity{hook}`; `notify` → `agent:idle` for `idle_prompt`, `agent:screen{permission}`
for `permission_prompt`, activity otherwise; `stop` → `agent:idle{stop}`.
"""

from __future__ import annotations

from typing import Any

from ojlang.runtime.core import inputs as i


def _gen(params: dict[str, Any]) -> int:
    try:
        return int(params.get("generation") or 0)
    except (TypeError, ValueError):
        return 0


def notification_kind(data: dict[str, Any]) -> str:
    """`idle_prompt`, `permission_prompt` or `other` from a Notification hook payload."""
    kind = str(data.get("notification_type") or data.get("type") or "")
    if kind in ("idle_prompt", "permission_prompt"):
        return kind
    message = str(data.get("message") or "").lower()
    if "waiting for your input" in message or "idle" in message:
        return "idle_prompt"
    if "permission" in message:
        return "permission_prompt"
    return "other"


def signal_input(method: str, params: dict[str, Any]) -> i.Input | None:
    """The input of one signal whose `task_run` is known; None when it maps to nothing."""
    trid = str(params.get("task_run") or "")
    if not trid:
        return None
    gen = _gen(params)
    if method == "done":
        error = params.get("error")
        outputs = params.get("outputs") or {}
        return i.Done(
            trid,
            gen,
            error=str(error) if error is not None else None,
            restart=bool(params.get("restart")),
            message=str(params.get("message") or ""),
            outputs=dict(outputs) if isinstance(outputs, dict) else {},
        )
    if method == "checkpoint":
        return i.Checkpoint(trid, str(params.get("message") or ""), gen)
    if method != "hook":
        return None
    kind = str(params.get("kind") or "")
    data = params.get("data") if isinstance(params.get("data"), dict) else {}
    assert isinstance(data, dict)
    if kind == "prime":
        return i.AgentSignal("ready", trid, gen, "hook")
    if kind == "activity":
        return i.AgentSignal("activity", trid, gen, "hook")
    if kind == "stop":
        return i.AgentSignal("idle", trid, gen, "stop")
    if kind == "notify":
        note = notification_kind(data)
        if note == "idle_prompt":
            return i.AgentSignal("idle", trid, gen, "notification")
        if note == "permission_prompt":
            return i.AgentSignal("screen", trid, gen, "hook", prompt="permission")
        return i.AgentSignal("activity", trid, gen, "hook")
    return None
