"""Strategy instance machine (RUNTIME.md §3.8): a strategy + phase scope in, attempts as
effects and a verdict event (`strategy:succeeded/failed/exhausted`) out.

Theory of operation. The optional checkpoint runs first; its trimmed stdout becomes
`{checkpoint}`. Attempts run strictly in order, each at most once per start: success ends the
strategy `succeeded`; a failure (or attempt timeout) runs that attempt's rollback *before* the
next attempt starts, and a failing rollback fails the strategy at once. When no attempt is
left the strategy is `exhausted` and the owner applies `on_exhaust`; with `escalate` the
instance stays to take the escalation's `retry`, `retry_last`, `skip` or `fail`. Shell steps
are `RunShell` effects owned by `strategy:SID`; task attempts are task runs owned likewise.
"""

from __future__ import annotations

from typing import Any

import attrs

from ojlang.runtime.core import escalation, task
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import Fence, KillProcessGroup, RunShell
from ojlang.runtime.core.graph import Strategy
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_template

TABLE = (
    Transition(
        "-", "start", "has checkpoint", "checkpointing", "RunShell(checkpoint), strategy:started"
    ),
    Transition("-", "start", "no checkpoint", "trying(0)", "attempt 0, strategy:started"),
    Transition("checkpointing", "exited", "0", "trying(0)", "store checkpoint"),
    Transition("checkpointing", "exited", "non-zero", "failed", "strategy:failed"),
    Transition("trying", "success", "", "succeeded", "strategy:succeeded"),
    Transition(
        "trying",
        "failure",
        "has rollback",
        "rolling_back(k)",
        "kill attempt, RunShell(rollback), strategy:attempt:failed",
    ),
    Transition(
        "trying", "failure", "no rollback", "trying(k+1) / exhausted", "strategy:attempt:failed"
    ),
    Transition(
        "rolling_back", "exited", "0", "trying(k+1) / exhausted", "strategy:rollback:complete"
    ),
    Transition("rolling_back", "exited", "non-zero", "failed", "strategy:failed"),
    Transition("exhausted", "escalation", "retry / retry_last / skip / fail", "per option", ""),
)


@attrs.frozen(slots=False)
class StrategyInst:
    id: str
    strategy: str  # key
    owner: str  # run id
    phase: str
    scope: dict[str, Any]
    cwd: str
    env: dict[str, str]
    phase_timeout_us: int | None = None
    fence: Fence | None = None
    state: str = "trying"
    k: int = 0
    checkpoint: str = ""
    child: str = ""  # effect id (shell) or task run id (task attempt)
    child_kind: str = ""


def _defn(tx: Tx, inst: StrategyInst) -> Strategy:
    return tx.graph.strategies[inst.strategy]


def _put(tx: Tx, inst: StrategyInst) -> StrategyInst:
    tx.set(strategies=tx.world.strategies.set(inst.id, inst))
    return inst


def owner_of(inst: StrategyInst) -> str:
    return f"strategy:{inst.id}"


def _payload(tx: Tx, inst: StrategyInst, **extra: Any) -> dict[str, Any]:
    return {
        "strategy": _defn(tx, inst).name,
        "id": inst.owner,
        "phase": inst.phase,
        "instance": inst.id,
        "owner": inst.owner,
        **extra,
    }


def _emit(tx: Tx, inst: StrategyInst, verb: str, **extra: Any) -> None:
    tx.emit(f"strategy:{verb}", _defn(tx, inst).name, **_payload(tx, inst, **extra))


def _shell(tx: Tx, inst: StrategyInst, purpose: str, script: str, timeout_s: float | None) -> str:
    return tx.io(
        RunShell(
            purpose, script, inst.cwd, inst.env, timeout_s, owner=owner_of(inst), fence=inst.fence
        )
    )


def start(
    tx: Tx,
    key: str,
    owner: str,
    phase: str,
    scope: dict[str, Any],
    cwd: str,
    env: dict[str, str],
    phase_timeout_us: int | None,
    fence: Fence | None,
    sid: str = "",
) -> str:
    sid = sid or f"{owner}:{phase}:{key.rpartition('.')[2]}:{tx.ids.hex(6)}"
    inst = StrategyInst(sid, key, owner, phase, scope, cwd, env, phase_timeout_us, fence)
    defn = _defn(tx, inst)
    _emit(tx, inst, "started")
    if defn.checkpoint is not None:
        try:
            script = render_template(defn.checkpoint, scope)
        except RenderError as exc:
            _fail(tx, inst, f"checkpoint: {exc}")
            return sid
        eid = _shell(tx, inst, "checkpoint", script, 120.0)
        _put(tx, evolve(inst, state="checkpointing", child=eid, child_kind="shell"))
    else:
        _attempt(tx, inst, 0)
    return sid


def _attempt(tx: Tx, inst: StrategyInst, k: int) -> None:
    defn = _defn(tx, inst)
    if k >= len(defn.attempts):
        inst = evolve(inst, state="exhausted", k=k, child="")
        if defn.on_exhaust == "escalate":  # the instance stays to take the escalation's option
            _put(tx, inst)
            reason = f"strategy `{defn.name}` exhausted"
            escalation.open_(tx, "strategy_exhausted", owner_of(inst), defn.name, reason)
        else:
            _finish(tx, inst)
        target = defn.on_exhaust_target
        _emit(
            tx,
            inst,
            "exhausted",
            on_exhaust=defn.on_exhaust,
            target=target.phase or target.terminal,
        )
        return
    att = defn.attempts[k]
    scope = {
        **inst.scope,
        "strategy": defn.name,
        "attempt_name": att.name,
        "checkpoint": inst.checkpoint,
    }
    timeout = att.timeout_us if att.timeout_us is not None else inst.phase_timeout_us
    _emit(tx, inst, "attempt:started", attempt_name=att.name, index=k)
    if att.task is not None:
        trid = task.start(tx, att.task, owner_of(inst), inst.owner, inst.phase, scope, inst.env, k)
        inst = _put(tx, evolve(inst, state="trying", k=k, child=trid, child_kind="task"))
    else:
        assert att.run is not None
        try:
            script = render_template(att.run, scope)
        except RenderError as exc:
            inst = _put(tx, evolve(inst, state="trying", k=k, child="", child_kind=""))
            on_attempt_result(tx, inst, False, str(exc))
            return
        eid = _shell(tx, inst, "attempt", script, None if timeout is None else timeout / 1e6)
        inst = _put(tx, evolve(inst, state="trying", k=k, child=eid, child_kind="shell"))
    if timeout is not None:
        tx.set_timer(f"strat:{inst.id}:timeout", tx.now + timeout)


def _stop_child(tx: Tx, inst: StrategyInst) -> None:
    if inst.child_kind == "shell" and inst.child in tx.world.outbox:
        tx.io(KillProcessGroup(inst.child, owner=owner_of(inst)))
        tx.set(outbox=tx.world.outbox.delete(inst.child))
    elif inst.child_kind == "task":
        task.cancel(tx, inst.child, "cancelled")


def on_shell(tx: Tx, inst: StrategyInst, code: int | None, stdout: str) -> None:
    """A shell step of this instance exited."""
    if inst.state == "checkpointing":
        if code == 0:
            _attempt(tx, evolve(inst, checkpoint=stdout.strip()), 0)
        else:
            _fail(tx, inst, f"checkpoint exited {code}")
    elif inst.state == "rolling_back":
        name = _defn(tx, inst).attempts[inst.k].name
        if code == 0:
            _emit(tx, inst, "rollback:complete", attempt_name=name)
            _attempt(tx, inst, inst.k + 1)
        else:
            _fail(tx, inst, f"rollback of `{name}` exited {code}")
    else:
        on_attempt_result(tx, inst, code == 0, f"exited {code}")


def on_attempt_result(tx: Tx, inst: StrategyInst, ok: bool, error: str = "") -> None:
    defn = _defn(tx, inst)
    att = defn.attempts[inst.k]
    tx.cancel_timer(f"strat:{inst.id}:timeout")
    if ok:
        _finish(tx, inst)
        _emit(tx, inst, "succeeded", attempt_name=att.name)
        return
    _stop_child(tx, inst)
    if att.rollback is not None:
        _emit(tx, inst, "attempt:failed", attempt_name=att.name, error=error, rolling_back=True)
        scope = {
            **inst.scope,
            "strategy": defn.name,
            "attempt_name": att.name,
            "checkpoint": inst.checkpoint,
        }
        try:
            script = render_template(att.rollback, scope)
        except RenderError as exc:
            _fail(tx, inst, f"rollback: {exc}")
            return
        eid = _shell(tx, inst, "rollback", script, 120.0)
        _put(tx, evolve(inst, state="rolling_back", child=eid, child_kind="shell"))
        return
    _emit(tx, inst, "attempt:failed", attempt_name=att.name, error=error, rolling_back=False)
    _attempt(tx, inst, inst.k + 1)


def on_timeout(tx: Tx, inst: StrategyInst) -> None:
    on_attempt_result(tx, inst, False, "attempt timed out")


def _fail(tx: Tx, inst: StrategyInst, error: str) -> None:
    _finish(tx, inst)
    _emit(tx, inst, "failed", error=error)


def _finish(tx: Tx, inst: StrategyInst) -> None:
    if inst.id in tx.world.strategies:
        tx.set(strategies=tx.world.strategies.delete(inst.id))


def on_escalation(tx: Tx, inst: StrategyInst, option: str) -> None:
    defn = _defn(tx, inst)
    if option == "retry":
        _finish(tx, inst)
        start(
            tx,
            inst.strategy,
            inst.owner,
            inst.phase,
            inst.scope,
            inst.cwd,
            inst.env,
            inst.phase_timeout_us,
            inst.fence,
            inst.id,
        )
    elif option == "retry_last":
        _attempt(tx, inst, len(defn.attempts) - 1)
    elif option == "skip":
        _finish(tx, inst)
        _emit(tx, inst, "succeeded", attempt_name="", skipped=True)
    else:
        _fail(tx, inst, "failed by operator")


def cancel(tx: Tx, sid: str) -> None:
    inst = tx.world.strategies[sid]
    tx.cancel_timer(f"strat:{inst.id}:timeout")
    _stop_child(tx, inst)
    escalation.moot(tx, owner_of(inst))
    _finish(tx, inst)
