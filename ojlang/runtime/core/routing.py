"""In-step event routing (RUNTIME.md §3, §5.3): an emitted event in, calls to the machines that
wait for it out — owners of guards, strategies and task runs, runs waiting for a lock or slot,
workers, watchers, `[events]` hooks (`RunShell(hook)`) and `[notify]` rules (`Notify`)."""

from __future__ import annotations

from ojlang.runtime.core import guard as guard_m
from ojlang.runtime.core import phase, strategy, subs, watcher, worker
from ojlang.runtime.core import pipeline as pl
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import Notify, RunShell
from ojlang.runtime.core.events import RESERVED_SCOPES, Event
from ojlang.runtime.core.patterns import first_segment, matches
from ojlang.runtime.core.run import Run, put
from ojlang.runtime.core.templates import RenderError, render_opt, render_template


def live_run(tx: Tx, run_id: object) -> Run | None:
    run = tx.world.runs.get(str(run_id))
    if run is None or run.terminal:
        return None
    tx.pinned = run.graph_hash
    return run


def route(tx: Tx, event: Event) -> None:
    name, p = event.name, event.payload
    scope = event.scope
    if scope == "guard":
        _guard(tx, event)
    elif scope == "strategy":
        _strategy(tx, event)
    elif name in ("task:complete", "task:failed"):
        _task_end(tx, event)
    elif name == "lock:acquired" and not p.get("extended"):
        run = live_run(tx, p["holder"])
        if run is not None:
            phase.on_granted(tx, run, "lock")
    elif name == "semaphore:acquired" and not p.get("extended"):
        run = live_run(tx, p["holder"])
        if run is not None:
            phase.on_granted(tx, run, "semaphore")
    elif name == "lock:lost":
        run = live_run(tx, p["holder"])
        if run is not None and run.holds_lock:
            phase.fail(tx, evolve(run, holds_lock=False), "lock lost")
    elif name == "queue:item:added":
        for key, w in tx.world.workers.items():
            if tx.graph.workers[key].queue == event.subject and w.state in ("idle", "running"):
                worker.wake(tx, key, name)
    elif name in ("pipeline:complete", "pipeline:failed", "pipeline:cancelled"):
        run = tx.world.runs[p["id"]]
        if run.worker and run.worker in tx.world.workers:
            worker.on_run_end(tx, run.worker, run.id, name == "pipeline:complete")
    tx.pinned = ""
    _subscribers(tx, event)
    _hooks(tx, event)


def _guard(tx: Tx, event: Event) -> None:
    run = live_run(tx, event.payload.get("owner"))
    if run is not None:
        phase.on_guard(tx, run, event.name.partition(":")[2], dict(event.payload))


def _strategy(tx: Tx, event: Event) -> None:
    verb = event.name.partition(":")[2]
    if verb not in ("succeeded", "failed", "exhausted"):
        return
    run = live_run(tx, event.payload.get("owner"))
    if run is None or run.phase != event.payload.get("phase") or run.step != "act":
        return
    run = evolve(run, child=str(event.payload.get("instance")))
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
    run = live_run(tx, ident)
    if run is None or run.child != p.get("task_run"):
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


_INTEREST: dict[str, frozenset[str]] = {}


def _interest(tx: Tx) -> frozenset[str]:
    """First segments that some hook or notify pattern of the current graph can match."""
    h = tx.world.graph_hash
    found = _INTEREST.get(h)
    if found is None:
        heads: set[str] = set()
        for rb in tx.graph.runbooks.values():
            texts = [x.pattern.text for x in rb.hooks] + [p.text for p in rb.notify.on]
            texts += [r.on.text for r in rb.notify.rules]
            heads.update(first_segment(t) for t in texts)
        found = _INTEREST[h] = frozenset(heads)
    return found


def _hooks(tx: Tx, event: Event) -> None:
    interest = _interest(tx)
    if event.scope not in interest and "*" not in interest:
        return
    graph = tx.graph
    runbook = event.payload.get("runbook")
    custom = event.scope not in RESERVED_SCOPES
    for rb_name, rb in graph.runbooks.items():
        mine = custom or runbook == rb_name
        scope = None
        if mine:
            for hook in rb.hooks:
                if matches(hook.pattern.text, event):
                    scope = scope or {
                        "config": rb.config,
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
        if runbook == rb_name or (runbook is None and rb_name == next(iter(graph.runbooks))):
            _notify(tx, rb_name, event)


def _notify(tx: Tx, rb_name: str, event: Event) -> None:
    rb = tx.graph.runbooks[rb_name]
    cfg = rb.notify
    if any(matches(p.text, event) for p in cfg.ignore):
        return
    rule = next((r for r in cfg.rules if matches(r.on.text, event)), None)
    if rule is None and not any(matches(p.text, event) for p in cfg.on):
        return
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
