"""In-step event routing (RUNTIME.md §3, §5.3): an emitted event in, calls to the machines that
wait for it out — owners of guards, strategies and task runs, runs waiting for a lock or slot,
workers, watchers, `[events]` hooks (`RunShell(hook)`) and `[notify]` rules (`Notify`)."""

from __future__ import annotations

from collections.abc import Callable

from ojlang.runtime.core import guard as guard_m
from ojlang.runtime.core import phase, strategy, subs, watcher, worker
from ojlang.runtime.core import pipeline as pl
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import Notify, RunShell
from ojlang.runtime.core.events import RESERVED_SCOPES, Event
from ojlang.runtime.core.graph import Hook, NotifyRule
from ojlang.runtime.core.patterns import name_matches, subject_matches
from ojlang.runtime.core.run import Run, put
from ojlang.runtime.core.templates import RenderError, render_opt, render_template


def live_run(tx: Tx, run_id: object) -> Run | None:
    run = tx.world.runs.get(str(run_id))
    if run is None or run.terminal:
        return None
    tx.pinned = run.graph_hash
    return run


def route(tx: Tx, event: Event) -> None:
    handler = _BY_NAME.get(event.name)
    if handler is not None:
        handler(tx, event)
        tx.pinned = ""
    if tx.world.subscriptions:
        _subscribers(tx, event)
    plan = _PLANS.get((tx.world.graph_hash, event.name))
    if plan is None:
        plan = _plan(tx, event.name)
    if plan:
        _hooks(tx, event, plan)


def _granted(tx: Tx, event: Event) -> None:
    p = event.payload
    if not p.get("extended"):
        run = live_run(tx, p["holder"])
        if run is not None:
            phase.on_granted(tx, run, event.name.partition(":")[0])


def _lock_lost(tx: Tx, event: Event) -> None:
    run = live_run(tx, event.payload["holder"])
    if run is not None and run.holds_lock:
        phase.fail(tx, evolve(run, holds_lock=False), "lock lost")


def _item_added(tx: Tx, event: Event) -> None:
    for key, w in sorted(tx.world.workers.items()):
        if tx.graph.workers[key].queue == event.subject and w.state in ("idle", "running"):
            worker.wake(tx, key, event.name)


def _run_ended(tx: Tx, event: Event) -> None:
    run = tx.world.runs[event.payload["id"]]
    if run.worker and run.worker in tx.world.workers:
        worker.on_run_end(tx, run.worker, run.id, event.name == "pipeline:complete")


def _waiting(tx: Tx, run_id: object, child: object) -> Run | None:
    """The live run `run_id` while `child` is what it waits on, else None: a verdict queued
    earlier in this step for a run that has ended or moved on since is dropped."""
    run = live_run(tx, run_id)
    return run if run is not None and run.child == child else None


def _guard(tx: Tx, event: Event) -> None:
    p = event.payload
    run = _waiting(tx, p.get("owner"), p.get("instance"))
    if run is not None:
        phase.on_guard(tx, run, event.name.partition(":")[2], dict(p))


def _strategy(tx: Tx, event: Event) -> None:
    verb = event.name.partition(":")[2]
    run = _waiting(tx, event.payload.get("owner"), event.payload.get("instance"))
    if run is None:
        return
    if verb == "succeeded":
        phase.on_action(tx, run, True)
    elif verb == "failed":
        phase.on_action(tx, run, False, str(event.payload.get("error", "strategy failed")))
    else:
        p = event.payload
        pl.on_exhausted(tx, run, str(p.get("on_exhaust", "fail")), str(p.get("target", "")))


def _task_end(tx: Tx, event: Event) -> None:
    p = event.payload
    owner = str(p.get("owner", ""))
    kind, _, ident = owner.partition(":")
    if kind == "strategy":
        inst = tx.world.strategies.get(ident)
        if inst is not None and inst.child == p.get("task_run"):
            tx.pinned = tx.world.runs[inst.owner].graph_hash if inst.owner in tx.world.runs else ""
            strategy.on_attempt_result(
                tx, inst, event.name == "task:complete", str(p.get("error", ""))
            )
        return
    run = _waiting(tx, ident, p.get("task_run"))
    if run is None:
        return
    if event.name == "task:complete":
        outputs = {k: v for k, v in dict(p.get("outputs") or {}).items()}
        run = put(tx, evolve(run, vars={**run.vars, **outputs}))
        phase.on_action(tx, run, True)
    elif p.get("end_run"):
        pl.end_by_word(tx, run, str(p["end_run"]))
    else:
        phase.on_action(tx, run, False, str(p.get("error", "task failed")))


def _subscribers(tx: Tx, event: Event) -> None:
    for sub in subs.subscribers_of(tx, event):
        kind, _, ident = sub.partition(":")
        if kind == "guard":
            inst = tx.world.guards.get(ident)
            if inst is not None:
                guard_m.on_event(tx, inst)
        elif kind == "worker":
            worker.wake(tx, ident, event.name)
        elif kind == "watcher":
            watcher.check(tx, ident, event.name)
        else:  # watcher-events
            watcher.on_event(tx, ident, watcher.record_text(event.payload))


def _event_scope(event: Event) -> dict[str, object]:
    return {
        **event.payload,
        "event": {"name": event.name, "subject": event.subject, "time": event.time_us},
    }


# (runbook, is the first runbook, hooks, notify ignore, notify rules, notify on): the
# candidates whose pattern names match one event name, per graph; subjects are checked per event.
_Plan = tuple[
    tuple[str, bool, tuple[Hook, ...], tuple[str, ...], tuple[NotifyRule, ...], tuple[str, ...]],
    ...,
]
_PLANS: dict[tuple[str, str], _Plan] = {}
_PLANS_MAX = 8192


def _plan(tx: Tx, name: str) -> _Plan:
    """The hooks and notify patterns of the current graph whose names match `name`, stored in
    `_PLANS` (`route` looks there first)."""
    if len(_PLANS) >= _PLANS_MAX:
        _PLANS.clear()
    graph = tx.graph
    first = next(iter(graph.runbooks), "")
    out = []
    for rb_name, rb in graph.runbooks.items():
        cfg = rb.notify
        hooks = tuple(h for h in rb.hooks if name_matches(h.pattern.text, name))
        ignore = tuple(p.text for p in cfg.ignore if name_matches(p.text, name))
        rules = tuple(r for r in cfg.rules if name_matches(r.on.text, name))
        on = tuple(p.text for p in cfg.on if name_matches(p.text, name))
        if hooks or rules or on:
            out.append((rb_name, rb_name == first, hooks, ignore, rules, on))
    plan = _PLANS[(tx.world.graph_hash, name)] = tuple(out)
    return plan


def _hooks(tx: Tx, event: Event, plan: _Plan) -> None:
    graph = tx.graph
    runbook = event.payload.get("runbook")
    custom = event.scope not in RESERVED_SCOPES
    for rb_name, first, hooks, ignore, rules, on in plan:
        if hooks and (custom or runbook == rb_name):
            scope = None
            for hook in hooks:
                if not subject_matches(hook.pattern.text, event.subject):
                    continue
                scope = scope or {
                    "config": graph.runbooks[rb_name].config,
                    "env": graph.settings.env,
                    "runbook": rb_name,
                    **_event_scope(event),
                }
                try:
                    script = render_template(hook.run, scope)
                except RenderError as exc:
                    tx.log("warning", f"hook `{hook.pattern.text}` of `{rb_name}`: {exc}")
                    continue
                root = graph.settings.project_root
                tx.io(RunShell("hook", script, root, {"OJ_PROJECT": root}, 120.0, owner="hook"))
        if (rules or on) and (runbook == rb_name or (runbook is None and first)):
            _notify(tx, rb_name, event, ignore, rules, on)


def _notify(
    tx: Tx,
    rb_name: str,
    event: Event,
    ignore: tuple[str, ...],
    rules: tuple[NotifyRule, ...],
    on: tuple[str, ...],
) -> None:
    subject = event.subject
    if any(subject_matches(p, subject) for p in ignore):
        return
    rule = next((r for r in rules if subject_matches(r.on.text, subject)), None)
    if rule is None and not any(subject_matches(p, subject) for p in on):
        return
    rb = tx.graph.runbooks[rb_name]
    cfg = rb.notify
    scope = {
        "config": rb.config,
        "env": tx.graph.settings.env,
        "runbook": rb_name,
        **_event_scope(event),
    }
    default_urgency = "critical" if event.name == "escalation:created" else "normal"
    title, message = (
        f"{event.name} {event.subject}".strip(),
        str(event.payload.get("error") or event.payload.get("reason") or ""),
    )
    urgency = default_urgency
    channels: tuple[str, ...] = ("desktop", "webhook")
    if rule is not None:
        try:
            title = render_opt(rule.title, scope, title)
            message = render_opt(rule.message, scope, message)
        except RenderError as exc:
            tx.log("warning", f"notify rule `{rule.on.text}`: {exc}")
        urgency = {"info": "low", "warning": "normal"}.get(
            rule.urgency, rule.urgency or default_urgency
        )
        channels = rule.channels
    if not cfg.desktop:
        channels = tuple(c for c in channels if c != "desktop")
    try:
        webhook = render_opt(cfg.webhook, scope)
    except RenderError:
        webhook = ""
    if not webhook:
        channels = tuple(c for c in channels if c != "webhook")
    if channels:
        tx.io(
            Notify(
                title,
                message,
                urgency,
                urgency == "critical",
                channels,
                event.name,
                webhook,
                owner="notify",
            )
        )


_BY_NAME: dict[str, Callable[[Tx, Event], None]] = {
    "guard:passed": _guard,
    "guard:waiting": _guard,
    "guard:failed": _guard,
    "guard:timeout": _guard,
    "strategy:succeeded": _strategy,
    "strategy:failed": _strategy,
    "strategy:exhausted": _strategy,
    "task:complete": _task_end,
    "task:failed": _task_end,
    "lock:acquired": _granted,
    "semaphore:acquired": _granted,
    "lock:lost": _lock_lost,
    "queue:item:added": _item_added,
    "pipeline:complete": _run_ended,
    "pipeline:failed": _run_ended,
    "pipeline:cancelled": _run_ended,
}
