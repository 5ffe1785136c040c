"""Worker machine (RUNTIME.md §3.9): wake-ups, run ends and operator commands in; claims and
handler runs (created in the same step, so nothing is dispatched twice) out.

Theory of operation. A worker is `disabled`, `stopped`, `idle`, `running` (n active handler
runs, 1 ≤ n ≤ concurrency), `paused` or `draining`. Waking runs the claim loop: while fewer
than `concurrency` runs are active and an item is claimable, claim it and create the handler
run (a task handler is an implicit one-phase pipeline the compiler synthesizes). A run that
cannot be created fails its item (`missing input x`). Three consecutive failed items make the
worker unhealthy (`on_unhealthy`: `restart` backs off 60 s, `pause`, `escalate`). A disabled,
paused or draining worker makes no claim.
"""

from __future__ import annotations

import attrs

from ojlang.runtime.core import escalation, subs
from ojlang.runtime.core import pipeline as pl
from ojlang.runtime.core import queue as q
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import RunShell
from ojlang.runtime.core.graph import Worker
from ojlang.runtime.core.patterns import render_pattern
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_template

TABLE = (
    Transition("disabled", "enable", "", "idle", "worker:started, claim loop"),
    Transition(
        "idle", "wake", "", "claim loop", "worker:woken; RunShell(source) for external queues"
    ),
    Transition("running", "wake", "", "claim loop", "worker:woken"),
    Transition("stopped", "wake", "stopped idle", "claim loop", "worker:woken"),
    Transition("idle", "run_end", "", "claim loop", "settle claim"),
    Transition("running", "run_end", "", "running(n-1) / idle, claim loop", "settle claim"),
    Transition("draining", "run_end", "", "draining / stopped when n = 0", "worker:stopped"),
    Transition("paused", "run_end", "", "paused", ""),
    Transition("stopped", "run_end", "", "stopped", ""),
    Transition("*", "unhealthy", "3 consecutive failures", "per on_unhealthy", "worker:unhealthy"),
    Transition("idle", "stop", "", "stopped", "worker:stopped"),
    Transition("running", "stop", "", "draining", ""),
    Transition("paused", "resume", "", "idle, claim loop", "worker:started"),
    Transition("stopped", "resume", "", "idle, claim loop", "worker:started"),
    Transition("disabled", "resume", "", "idle, claim loop", "worker:started"),
    Transition("*", "disable", "", "disabled", "worker:stopped"),
    Transition("*", "resize", "", "same, concurrency = c", "claim loop"),
    Transition("idle", "source", "exit 0", "claim loop", "queue synced"),
    Transition("idle", "idle_timer", "", "claim loop", "worker:woken"),
    Transition(
        "running", "idle_timer", "wait:DUR, free slots", "claim loop", "worker:woken, source read"
    ),
)
ACTIVE = frozenset({"idle", "running"})


@attrs.frozen(slots=False)
class WorkerState:
    key: str
    state: str = "disabled"
    active: tuple[str, ...] = ()
    concurrency: int = 1
    failures: int = 0
    stop_reason: str = ""
    polling: bool = False  # a source read is in flight


def _defn(tx: Tx, key: str) -> Worker:
    return tx.graph.workers[key]


def _put(tx: Tx, w: WorkerState) -> WorkerState:
    tx.set(workers=tx.world.workers.set(w.key, w))
    return w


def _name(key: str) -> str:
    return key.rpartition(".")[2]


def _event(tx: Tx, w: WorkerState, verb: str, **extra: object) -> None:
    tx.emit(
        f"worker:{verb}", _name(w.key), worker=_name(w.key), queue=_defn(tx, w.key).queue, **extra
    )


def init(tx: Tx, key: str, previous: WorkerState | None) -> None:
    """Create (or carry over across a reload) the worker and subscribe its `wake_on`."""
    defn = _defn(tx, key)
    library = (
        tx.graph.runbooks[defn.runbook].library if defn.runbook in tx.graph.runbooks else False
    )
    state = (
        previous.state
        if previous is not None
        else ("idle" if defn.enabled and not library else "disabled")
    )
    w = previous or WorkerState(key, state, concurrency=defn.concurrency)
    _put(tx, w)
    subs.remove_all(tx, f"worker:{key}")
    rb = tx.graph.runbooks.get(defn.runbook)
    scope = {
        "config": rb.config if rb else {},
        "env": tx.graph.settings.env,
        "runbook": defn.runbook,
    }
    for p in defn.wake_on:
        try:
            subs.add(tx, render_pattern(p.text, scope), f"worker:{key}")
        except RenderError as exc:
            tx.log("warning", f"worker `{key}` wake_on `{p.text}`: {exc}")


def wake(tx: Tx, key: str, by: str) -> None:
    w = tx.world.workers[key]
    if w.state not in ACTIVE and not (w.state == "stopped" and w.stop_reason == "idle"):
        tx.ignored(w.state, "wake")
        return
    tx.cancel_timer(f"worker:{key}:idle")
    _event(tx, w, "woken", by=by)
    defn = _defn(tx, key)
    qdefn = tx.graph.queues.get(defn.queue)
    pushed = by == "queue:item:added"  # the news is the push itself: no re-read
    if qdefn is not None and qdefn.source is not None and not w.polling and not pushed:
        rb = tx.graph.runbooks.get(qdefn.runbook)
        scope = {
            "config": rb.config if rb else {},
            "env": tx.graph.settings.env,
            "project": tx.graph.settings.project_root,
        }
        try:
            script = render_template(qdefn.source, scope)
        except RenderError as exc:
            tx.log("warning", f"queue `{defn.queue}` source: {exc}")
            return
        _put(tx, evolve(w, polling=True))
        tx.io(
            RunShell(
                "source", script, tx.graph.settings.project_root, {}, 120.0, owner=f"worker:{key}"
            )
        )
        return
    claim_loop(tx, key)


def on_source(tx: Tx, key: str, ok: bool, records: list[dict[str, object]]) -> None:
    w = _put(tx, evolve(tx.world.workers[key], polling=False))
    if ok:
        q.sync_source(tx, _defn(tx, key).queue, records)
        w = _put(tx, evolve(w, failures=0))
    else:
        w = _put(tx, evolve(w, failures=w.failures + 1))
        if _unhealthy(tx, w, "source failed"):
            return
    claim_loop(tx, key)


def claim_loop(tx: Tx, key: str) -> None:
    defn = _defn(tx, key)
    while True:
        w = tx.world.workers[key]
        if w.state not in ACTIVE and not (w.state == "stopped" and w.stop_reason == "idle"):
            return
        if len(w.active) >= w.concurrency:
            return
        item = q.claim(tx, defn.queue, f"worker:{key}")
        if item is None:
            break
        assert item.claim is not None
        run, error = pl.start(
            tx,
            defn.handler,
            {},
            item=item.fields(),
            item_as=defn.item_as,
            claim=(defn.queue, item.claim.id),
            worker=key,
        )
        if run is None:
            q.fail(tx, defn.queue, item.claim.id, error.partition(": ")[2])
            w = _put(tx, evolve(tx.world.workers[key], failures=w.failures + 1))
            if _unhealthy(tx, w, "bad items"):
                return
            continue
        w = tx.world.workers[key]
        if run.terminal:  # it ended at once (its claim is settled already)
            continue
        _put(tx, evolve(w, state="running", active=(*w.active, run.id), stop_reason=""))
    w = tx.world.workers[key]
    if not w.active:
        _idle(tx, w)
        return
    action = defn.idle_action
    if action.duration_us:  # `wait:DUR` with free slots: re-read the source every DUR (§L3.2)
        tx.set_timer(f"worker:{w.key}:idle", tx.now + action.duration_us)


def _idle(tx: Tx, w: WorkerState) -> None:
    action = _defn(tx, w.key).idle_action
    if action.word == "exit":
        _put(tx, evolve(w, state="stopped", stop_reason="idle"))
    else:
        _put(tx, evolve(w, state="idle"))
        if action.duration_us:
            tx.set_timer(f"worker:{w.key}:idle", tx.now + action.duration_us)
    _event(tx, w, "idle")


def _unhealthy(tx: Tx, w: WorkerState, reason: str) -> bool:
    if w.failures < 3:
        return False
    word = _defn(tx, w.key).on_unhealthy
    _event(tx, w, "unhealthy", reason=reason)
    w = _put(tx, evolve(w, failures=0))
    if word == "restart":
        _put(tx, evolve(w, state="idle" if not w.active else w.state))
        tx.set_timer(f"worker:{w.key}:idle", tx.now + 60_000_000)
    else:
        _put(tx, evolve(w, state="paused"))
        if word == "escalate":
            escalation.open_(tx, "worker_unhealthy", f"worker:{w.key}", _name(w.key), reason)
    return True


def on_run_end(tx: Tx, key: str, run_id: str, ok: bool) -> None:
    w = tx.world.workers[key]
    if run_id not in w.active:
        return
    w = evolve(
        w, active=tuple(r for r in w.active if r != run_id), failures=0 if ok else w.failures + 1
    )
    if w.state == "running" and not w.active:
        w = evolve(w, state="idle")
    w = _put(tx, w)
    if not ok and _unhealthy(tx, w, "failed items"):
        return
    if w.state == "draining":
        if not w.active:
            _put(tx, evolve(w, state="stopped", stop_reason="operator"))
            _event(tx, w, "stopped", reason="operator")
        return
    claim_loop(tx, key)


def command(tx: Tx, key: str, verb: str, now: bool = False, concurrency: int = 1) -> str | None:
    w = tx.world.workers[key]
    if verb in ("enable", "resume", "start"):
        if w.state in ACTIVE:
            return None
        escalation.moot(tx, f"worker:{key}")
        w = _put(tx, evolve(w, state="idle", stop_reason=""))
        _event(tx, w, "started")
        claim_loop(tx, key)
    elif verb == "disable":
        _put(tx, evolve(w, state="disabled"))
        _event(tx, w, "stopped", reason="disabled")
    elif verb == "stop":
        if now:
            for rid in w.active:
                pl.end(tx, tx.world.runs[rid], "cancelled", "worker stopped")
            w = tx.world.workers[key]
        if w.active:
            _put(tx, evolve(w, state="draining"))
        else:
            _put(tx, evolve(w, state="stopped", stop_reason="operator"))
            _event(tx, w, "stopped", reason="operator")
    elif verb == "resize":
        if concurrency < 1:
            return "invalid"
        _put(tx, evolve(w, concurrency=concurrency))
        claim_loop(tx, key)
    else:  # wake
        wake(tx, key, "operator")
    return None
