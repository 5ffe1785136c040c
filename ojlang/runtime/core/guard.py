"""Guard instance machine (RUNTIME.md §3.7): a guard definition + scope in, evaluations as
effects and a verdict event (`guard:passed`, `guard:waiting`, `guard:failed`, `guard:timeout`) out.

Theory of operation. One instance per (run, phase, pre/post index). Its condition tree is
rendered once at start. An evaluation walks the tree: pure predicates read `World`; shell
leaves and world predicates need input (`RunShell(purpose=guard)` / `Probe`), one at a time, so
at most one evaluation is in flight. A false verdict waits `retry.interval` (or a `wake_on`
event; events during an evaluation set `dirty` and re-evaluate once it ends) until `retry.max`
failed evaluations or the deadline, then `on_timeout` applies. The first false verdict emits
`guard:waiting` (the `blocked` gate of §L6.2 reads it as "the gate is closed"). Verdicts go to
the owner run through events carrying `owner`; finished instances are removed with their
subscriptions and timers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ojlang.runtime.core import escalation, subs
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import KillProcessGroup, Probe, RunShell
from ojlang.runtime.core.graph import Cond, Guard
from ojlang.runtime.core.patterns import render_pattern
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_template

TABLE = (
    Transition("-", "start", "", "evaluating", "subscribe, SetTimer(deadline), evaluation"),
    Transition("evaluating", "result", "true", "passed", "guard:passed"),
    Transition(
        "evaluating",
        "result",
        "false, evaluations < retry.max",
        "waiting",
        "SetTimer(retry), guard:waiting once",
    ),
    Transition("evaluating", "result", "false, retry.max reached", "timed_out", "on_timeout"),
    Transition("evaluating", "result", "needs input", "evaluating", "RunShell(guard) / Probe"),
    Transition("evaluating", "event", "", "evaluating (dirty)", ""),
    Transition("waiting", "retry", "", "evaluating", "evaluation"),
    Transition("waiting", "event", "", "evaluating", "evaluation"),
    Transition("evaluating", "deadline", "", "timed_out", "guard:timeout, on_timeout"),
    Transition("waiting", "deadline", "", "timed_out", "guard:timeout, on_timeout"),
    Transition(
        "timed_out", "escalation", "retry / skip / fail", "evaluating / passed / failed", ""
    ),
    Transition("*", "cancel", "", "cancelled", "unsubscribe, cancel timers, kill shell"),
)
PURE = frozenset({"lock_free", "lock_held_by", "semaphore_available", "run_done", "session_alive"})
WAKE = {
    "lock_free": "lock:released@{0}",
    "lock_held_by": "lock:acquired@{0}",
    "semaphore_available": "semaphore:released@{0}",
    "run_done": "pipeline:complete@{0}",
    "session_alive": "session:**",
}


@attrs.frozen
class Leaf:
    kind: str  # shell | pred
    script: str = ""
    name: str = ""
    args: tuple[str, ...] = ()


@attrs.frozen
class Node:
    kind: str  # leaf | all | any | not
    leaf: Leaf | None = None
    items: tuple[Node, ...] = ()


@attrs.frozen(slots=False)
class GuardInst:
    id: str
    guard: str  # guard key
    owner: str  # run id
    phase: str
    tree: Node
    cwd: str
    env: dict[str, str]
    on_timeout_script: str = ""
    state: str = "evaluating"
    forever: bool = False  # `on_timeout = wait`: timed out once, keeps waiting
    dirty: bool = False
    evaluations: int = 0
    results: dict[str, bool] = attrs.Factory(dict)  # leaf position → value, this evaluation
    pending: str = ""  # leaf position awaiting input
    in_flight: str = ""  # effect id
    waited: bool = False
    escalation: str = ""


def _render(tx: Tx, cond: Cond, scope: Mapping[str, Any], depth: int = 0) -> Node:
    if cond.kind == "ref":
        return _render(tx, tx.graph.guards[cond.ref].condition, scope, depth + 1)
    if cond.kind in ("all", "any", "not"):
        return Node(cond.kind, items=tuple(_render(tx, c, scope, depth + 1) for c in cond.items))
    if cond.kind == "shell":
        assert cond.script is not None
        return Node("leaf", Leaf("shell", script=render_template(cond.script, scope)))
    return Node(
        "leaf",
        Leaf("pred", name=cond.name, args=tuple(render_template(a, scope) for a in cond.args)),
    )


def _leaves(node: Node) -> list[Leaf]:
    if node.leaf is not None:
        return [node.leaf]
    return [leaf for n in node.items for leaf in _leaves(n)]


def _put(tx: Tx, inst: GuardInst) -> GuardInst:
    tx.set(guards=tx.world.guards.set(inst.id, inst))
    return inst


def _sub(inst: GuardInst) -> str:
    return f"guard:{inst.id}"


def start(
    tx: Tx,
    key: str,
    owner: str,
    phase: str,
    scope: Mapping[str, Any],
    cwd: str,
    env: dict[str, str],
) -> str:
    """Start an instance and return its id; when rendering fails, a `guard:failed` event
    queued for the owner says why."""
    defn = tx.graph.guards[key]
    gid = f"{owner}:{phase}:{defn.name}:{tx.ids.hex(6)}"
    try:
        tree = _render(tx, defn.condition, scope)
        patterns = [render_pattern(p.text, scope) for p in defn.wake_on]
        hook = (
            "" if defn.on_timeout_shell is None else render_template(defn.on_timeout_shell, scope)
        )
    except RenderError as exc:
        _verdict(
            tx, GuardInst(gid, key, owner, phase, Node("all"), cwd, env), "failed", error=str(exc)
        )
        return gid
    inst = _put(tx, GuardInst(gid, key, owner, phase, tree, cwd, env, hook))
    patterns += [WAKE[leaf.name].format(*leaf.args) for leaf in _leaves(tree) if leaf.name in WAKE]
    for p in patterns:
        subs.add(tx, p, _sub(inst))
    if defn.timeout_us is not None:
        tx.set_timer(f"guard:{gid}:deadline", tx.now + defn.timeout_us)
    _evaluate(tx, inst)
    return gid


def _pure(tx: Tx, leaf: Leaf) -> bool:
    a = leaf.args
    if leaf.name == "lock_free":
        lock = tx.world.locks.get(a[0])
        return lock is None or lock.holder is None
    if leaf.name == "lock_held_by":
        lock = tx.world.locks.get(a[0])
        return lock is not None and lock.holder == a[1]
    if leaf.name == "semaphore_available":
        sem = tx.world.semaphores.get(a[0])
        need = int(a[1]) if len(a) > 1 else 1
        cap = tx.graph.semaphores[a[0]].max if a[0] in tx.graph.semaphores else 1
        return cap - (sem.used if sem is not None else 0) >= need
    if leaf.name == "run_done":
        return any(r.name == a[0] and r.state == "done" for r in tx.world.runs.values())
    return any(t.session == a[0] and t.live for t in tx.world.tasks.values())  # session_alive


def _value(tx: Tx, node: Node, pos: str, results: dict[str, bool]) -> bool | str:
    """True/False, or the position of the first leaf that needs input."""
    if node.leaf is not None:
        if pos in results:
            return results[pos]
        if node.leaf.kind == "pred" and node.leaf.name in PURE:
            return _pure(tx, node.leaf)
        return pos
    if node.kind == "not":
        v = _value(tx, node.items[0], pos + ".0", results)
        return v if isinstance(v, str) else not v
    want = node.kind == "any"  # the value that decides early
    for i, child in enumerate(node.items):
        v = _value(tx, child, f"{pos}.{i}", results)
        if isinstance(v, str) or v is want:
            return v
    return not want


def _leaf_at(node: Node, pos: str) -> Leaf:
    for part in pos.split(".")[1:]:
        node = node.items[int(part)]
    assert node.leaf is not None
    return node.leaf


def _evaluate(tx: Tx, inst: GuardInst) -> None:
    v = _value(tx, inst.tree, "r", inst.results)
    if isinstance(v, str):
        leaf = _leaf_at(inst.tree, v)
        owner = _sub(inst)
        if leaf.kind == "shell":
            eid = tx.io(RunShell("guard", leaf.script, inst.cwd, inst.env, 120.0, owner=owner))
        else:
            eid = tx.io(Probe(leaf.name, leaf.args, owner=owner))
        _put(tx, evolve(inst, state="evaluating", pending=v, in_flight=eid))
        return
    inst = evolve(inst, results={}, pending="", in_flight="", evaluations=inst.evaluations + 1)
    if v:
        _verdict(tx, inst, "passed")
        return
    if inst.dirty:
        _evaluate(tx, _put(tx, evolve(inst, dirty=False)))
        return
    defn = tx.graph.guards[inst.guard]
    if defn.retry_max is not None and inst.evaluations >= defn.retry_max and not inst.forever:
        _timed_out(tx, inst)
        return
    _wait(tx, inst, "condition false")


def _wait(tx: Tx, inst: GuardInst, reason: str) -> None:
    defn = tx.graph.guards[inst.guard]
    first = not inst.waited
    inst = _put(tx, evolve(inst, state="waiting", waited=True))
    tx.set_timer(f"guard:{inst.id}:retry", tx.now + defn.retry_interval_us)
    if first:
        tx.emit("guard:waiting", defn.name, **_payload(inst), reason=reason)


def _payload(inst: GuardInst) -> dict[str, Any]:
    return {
        "guard": inst.guard.rpartition(".")[2],
        "id": inst.owner,
        "phase": inst.phase,
        "instance": inst.id,
        "owner": inst.owner,
    }


def on_result(tx: Tx, inst: GuardInst, ok: bool) -> None:
    """A shell exit or probe answered the pending leaf."""
    inst = evolve(inst, results={**inst.results, inst.pending: ok}, in_flight="")
    _evaluate(tx, _put(tx, inst))


def on_event(tx: Tx, inst: GuardInst) -> None:
    if inst.in_flight:
        _put(tx, evolve(inst, dirty=True))
    elif inst.state == "waiting":
        tx.cancel_timer(f"guard:{inst.id}:retry")
        _evaluate(tx, inst)
    else:
        tx.ignored(inst.state, "event")


def on_timer(tx: Tx, inst: GuardInst, which: str) -> None:
    if which == "retry":
        _evaluate(tx, inst)
        return
    if inst.in_flight:  # deadline: stop the evaluation in flight
        tx.io(KillProcessGroup(inst.in_flight, owner=_sub(inst)))
        tx.set(outbox=tx.world.outbox.delete(inst.in_flight))
        inst = evolve(inst, in_flight="", pending="", results={})
    _timed_out(tx, inst)


def _timed_out(tx: Tx, inst: GuardInst) -> None:
    defn: Guard = tx.graph.guards[inst.guard]
    tx.cancel_timer(f"guard:{inst.id}:retry")
    tx.cancel_timer(f"guard:{inst.id}:deadline")
    word = defn.on_timeout
    if word == "wait":  # once: the deadline is not set again and retry.max no longer counts
        tx.emit("guard:timeout", defn.name, **_payload(inst), on_timeout="wait")
        _wait(tx, _put(tx, evolve(inst, forever=True)), "timed out")
        return
    if word == "escalate":
        eid = escalation.open_(
            tx, "guard_timeout", _sub(inst), defn.name, f"guard `{defn.name}` timed out"
        )
        _put(tx, evolve(inst, state="timed_out", escalation=eid))
        tx.emit("guard:timeout", defn.name, **_payload(inst), on_timeout="escalate", escalation=eid)
        return
    tx.emit("guard:timeout", defn.name, **_payload(inst), on_timeout=word)
    if word == "shell":
        tx.io(RunShell("hook", inst.on_timeout_script, inst.cwd, inst.env, 120.0, owner="hook"))
    _verdict(tx, inst, "failed", error="timed out")


def on_escalation(tx: Tx, inst: GuardInst, option: str) -> None:
    if option == "retry":
        inst = _put(tx, evolve(inst, state="evaluating", escalation="", evaluations=0))
        _evaluate(tx, inst)
    elif option == "skip":
        _verdict(tx, inst, "passed")
    else:
        _verdict(tx, inst, "failed", error="guard timed out")


def _verdict(tx: Tx, inst: GuardInst, verdict: str, error: str = "") -> None:
    _finish(tx, inst)
    payload = _payload(inst)
    if error:
        payload["error"] = error
    tx.emit(f"guard:{verdict}", tx.graph.guards[inst.guard].name, **payload)


def _finish(tx: Tx, inst: GuardInst) -> None:
    subs.remove_all(tx, _sub(inst))
    tx.cancel_timer(f"guard:{inst.id}:retry")
    tx.cancel_timer(f"guard:{inst.id}:deadline")
    if inst.id in tx.world.guards:
        tx.set(guards=tx.world.guards.delete(inst.id))


def cancel(tx: Tx, gid: str) -> None:
    inst = tx.world.guards[gid]
    if inst.in_flight:
        tx.io(KillProcessGroup(inst.in_flight, owner=_sub(inst)))
        tx.set(outbox=tx.world.outbox.delete(inst.in_flight))
    escalation.moot(tx, _sub(inst))
    _finish(tx, inst)
