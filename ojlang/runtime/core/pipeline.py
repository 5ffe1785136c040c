"""Pipeline run machine (RUNTIME.md §3.1, §3.1.1): start requests, phase outcomes and
operator commands in; run records, routing along declared edges, and ending effects out.

Theory of operation. A run is created with its inputs bound and defaults rendered (§L5.3–5.4),
is pinned to the graph it was created with, may wait `queued` for a concurrency or group slot,
then (after its worktree, if any) runs phase by phase (`phase.py`). A phase outcome follows
exactly one declared edge: success → `next` (a phase or a terminal), failure → `on_fail`
(`escalate`, `fail`, `retry:N:D`, `strategy:S`, or a phase). Every run ends `done`, `failed` or
`cancelled`, or pauses `escalated` until an operator resumes it. Ending releases everything
the run holds, settles its queue claim, and frees its concurrency slot for the next queued run.
"""

from __future__ import annotations

from typing import Any

from ojlang.runtime.core import escalation, phase, workspace
from ojlang.runtime.core import queue as q
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import Notify
from ojlang.runtime.core.graph import Edge, Phase, Pipeline
from ojlang.runtime.core.ids import numbered, sanitize
from ojlang.runtime.core.run import Run, pipeline_of, put, scope
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_template

TABLE = (
    Transition(
        "-", "cmd:pipeline_start", "inputs bind, group policy allows", "created", "pipeline:created"
    ),
    Transition("-", "cmd:pipeline_start", "group_policy skip and key busy", "-", "reply conflict"),
    Transition(
        "created",
        "-",
        "concurrency or group full (queue policy)",
        "queued",
        "pipeline:waiting{concurrency}",
    ),
    Transition("queued", "run ended", "slot free, FIFO", "created", "WorktreeAdd"),
    Transition("created", "workspace:ready", "", "running", "pipeline:started, enter first phase"),
    Transition("created", "workspace:failed", "", "failed", "pipeline:failed"),
    Transition("running", "phase succeeded", "edge to phase P", "running", "pipeline:phase"),
    Transition(
        "running", "phase succeeded", "edge to done, or phase `done`", "done", "pipeline:complete"
    ),
    Transition("running", "phase failed", "on_fail", "per on_fail", ""),
    Transition("running", "cmd:cancel", "", "cancelled", "pipeline:cancelled"),
    Transition("waiting", "cmd:cancel", "", "cancelled", "pipeline:cancelled"),
    Transition("escalated", "cmd:cancel", "", "cancelled", "pipeline:cancelled"),
    Transition("created", "cmd:cancel", "", "cancelled", "pipeline:cancelled"),
    Transition("queued", "cmd:cancel", "", "cancelled", "pipeline:cancelled"),
    Transition("escalated", "escalation:resolved", "option", "per option", "pipeline:resumed"),
    Transition("escalated", "cmd:pipeline_resume", "", "running at P", "pipeline:resumed"),
    Transition(
        "failed", "cmd:pipeline_resume", "graph still present", "running at P", "pipeline:resumed"
    ),
    Transition(
        "running",
        "cmd:pipeline_block",
        "pipeline has `blocked`",
        "running, phase blocked",
        "pipeline:blocked",
    ),
    Transition(
        "running",
        "cmd:pipeline_transition",
        "complete / fail / goto:P",
        "as success / failure / edge",
        "",
    ),
    Transition(
        "waiting",
        "cmd:pipeline_transition",
        "complete / fail / goto:P",
        "as success / failure / edge",
        "",
    ),
    Transition("running", "retry timer", "", "running, phase re-entered", ""),
    Transition("running", "cmd:pipeline_set", "", "unchanged, vars set", ""),
    Transition("waiting", "cmd:pipeline_set", "", "unchanged, vars set", ""),
    Transition("escalated", "cmd:pipeline_set", "", "unchanged, vars set", ""),
)


def payload(tx: Tx, run: Run, pipe: Pipeline | None = None) -> dict[str, Any]:
    return {
        "id": run.id,
        "name": run.name,
        "pipeline": (pipe or pipeline_of(tx, run)).name,
        "runbook": run.runbook,
        "phase": run.phase,
    }


class BindError(Exception):
    """Inputs could not be bound (`missing input x`) or a default did not render."""


def _bind(
    tx: Tx, pipe: Pipeline, given: dict[str, Any], item: dict[str, Any] | None, item_as: str | None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in pipe.inputs:
        if name in given:
            values[name] = given[name]
        elif item is not None and name in item:
            values[name] = item[name]
        elif item is not None and (name == item_as or len(pipe.inputs) == 1):
            values[name] = item
        elif name not in pipe.defaults:
            raise BindError(f"missing input {name}")
    if pipe.defaults:
        _defaults(tx, pipe, given, item, values)
    for name in pipe.outputs:
        values.setdefault(name, given.get(name))
    return values


def _defaults(
    tx: Tx,
    pipe: Pipeline,
    given: dict[str, Any],
    item: dict[str, Any] | None,
    values: dict[str, Any],
) -> None:
    """Render the defaults not given, in dependency order (§L5.4), into `values`."""
    rb = tx.graph.runbooks.get(pipe.runbook)
    base = {
        "config": rb.config if rb else {},
        "env": tx.graph.settings.env,
        "project": tx.graph.settings.project_root,
        "runbook": pipe.runbook,
        "pipeline": pipe.name,
    }
    if item is not None:
        base["item"] = item
    for name in pipe.defaults_order or tuple(pipe.defaults):
        if name in given or name in values:
            continue
        dv = pipe.defaults[name]
        try:
            values[name] = (
                render_template(dv.template, {**base, **values}) if dv.template else dv.literal
            )
        except RenderError as exc:
            raise BindError(f"default `{name}`: {exc}") from None


def _live_of(tx: Tx, pipe_key: str) -> list[Run]:
    """The pipeline's live runs, oldest first (a `Map` iterates in hash order)."""
    live = [r for r in tx.world.runs.values() if r.pipeline == pipe_key and not r.terminal]
    return sorted(live, key=lambda r: (r.created_us, r.id))


def start(
    tx: Tx,
    pipe_key: str,
    given: dict[str, Any],
    run_name: str | None = None,
    item: dict[str, Any] | None = None,
    item_as: str | None = None,
    claim: tuple[str, str] = ("", ""),
    worker: str = "",
) -> tuple[Run | None, str]:
    """Create a run; returns (run, "") or (None, error) with error `invalid`/`conflict`/…."""
    pipe = tx.graph.pipelines.get(pipe_key)
    if pipe is None:
        return None, f"not_found: no pipeline `{pipe_key}`"
    try:
        values = _bind(tx, pipe, given, item, item_as)
    except BindError as exc:
        return None, f"invalid: {exc}"
    name = str(values.get("name") or run_name or (item or {}).get("id") or tx.ids.hex(6))
    base = sanitize(f"{pipe.name}-{name}")
    issued = tx.world.issued.get(base, 0)
    rid = numbered(base, issued)
    root = tx.graph.settings.project_root
    ws = str(values.get("workspace") or (f"{root}/.oj/worktrees/{rid}" if pipe.worktree else root))
    branch = str(values.get("branch") or (f"oj/{rid}" if pipe.worktree else ""))
    run = Run(
        rid,
        pipe.runbook,
        pipe_key,
        tx.world.graph_hash,
        name,
        vars=values,
        workspace=ws,
        branch=branch,
        item_queue=claim[0],
        item_claim=claim[1],
        item=item,
        worker=worker,
        created_us=tx.now,
    )
    if pipe.group is not None:
        try:
            run = evolve(run, group_key=render_template(pipe.group, scope(tx, run)))
        except RenderError as exc:
            return None, f"invalid: group: {exc}"
        busy = [
            r
            for r in _live_of(tx, pipe_key)
            if r.group_key == run.group_key and r.state != "queued"
        ]
        if busy and pipe.group_policy == "skip":
            return None, f"conflict: group `{run.group_key}` is busy"
        if busy and pipe.group_policy == "replace":
            for other in busy:
                end(tx, other, "cancelled", "replaced")
    tx.set(issued=tx.world.issued.set(base, issued + 1))
    run = put(tx, run)
    tx.emit(
        "pipeline:created",
        run.name,
        **payload(tx, run, pipe),
        inputs={k: values.get(k) for k in pipe.inputs},
    )
    if not _slot_free(tx, run, pipe):
        run = put(tx, evolve(run, state="queued"))
        tx.emit("pipeline:waiting", run.name, **payload(tx, run, pipe), on="concurrency")
        return run, ""
    _prepare(tx, run, pipe)
    return tx.world.runs[run.id], ""


def _slot_free(tx: Tx, run: Run, pipe: Pipeline) -> bool:
    if pipe.concurrency is None and pipe.group is None:
        return True
    active = [r for r in _live_of(tx, run.pipeline) if r.state != "queued" and r.id != run.id]
    if pipe.concurrency is not None and len(active) >= pipe.concurrency:
        return False
    return not (pipe.group is not None and any(r.group_key == run.group_key for r in active))


def _prepare(tx: Tx, run: Run, pipe: Pipeline) -> None:
    if pipe.worktree:
        put(tx, evolve(run, state="created"))
        workspace.create(tx, run.workspace, run.workspace, run.branch, owner=run.id)
    else:
        begin(tx, run, pipe)


def begin(tx: Tx, run: Run, pipe: Pipeline | None = None) -> None:
    """Start the first phase (the run is written by the phase entry)."""
    if pipe is None:
        pipe = pipeline_of(tx, run)
    run = tx.edit_run(run, state="running")
    tx.emit("pipeline:started", run.name, **payload(tx, run, pipe))
    if pipe.notify is not None:
        _notify(tx, run, "on_start")
    first = pipe.phases[0].name
    _go(tx, run, Edge(phase=first), first != "init", pipe)


def _go(tx: Tx, run: Run, edge: Edge, from_init: bool, pipe: Pipeline | None = None) -> None:
    """Follow an edge; leaving `init` (or starting without one) passes the blocked gate.
    `run` may be unwritten (a phase entry writes it)."""
    if edge.terminal:
        end(tx, tx.put_run(run), edge.terminal, run.error if edge.terminal == "failed" else "")
        return
    if pipe is None:
        pipe = pipeline_of(tx, run)
    if (
        from_init
        and edge.phase != "blocked"
        and pipe.has_phase("blocked")
        and pipe.phase("blocked").pre
    ):
        phase.gate(tx, run, edge.phase)
    else:
        phase.enter(tx, run, edge.phase, pipe)


def route(
    tx: Tx, run: Run, ok: bool, pipe: Pipeline | None = None, defn: Phase | None = None
) -> None:
    """A phase ended: follow its success edge or apply its `on_fail` (§3.1, §L4.6). `run` may
    be unwritten: every branch writes it before anything reads it back."""
    if pipe is None or defn is None:
        pipe = tx.pipeline(run)
        defn = pipe.by_name[run.phase]
    if run.last_ok is not ok or run.step:
        run = tx.edit_run(run, last_ok=ok, step="")
    if run.phase == "failed":
        end(tx, tx.put_run(run), "failed", run.error or "failed")
        return
    if ok:
        if run.phase == "done":
            end(tx, tx.put_run(run), "done")
            return
        edge = defn.next
        if not edge.phase and not edge.terminal:  # `blocked` returns to the gate target
            edge = Edge(phase=run.gate_target) if run.gate_target else _after(pipe, run.phase)
            run = tx.edit_run(run, gate_target="")  # used once: a later entry is by an edge
        _go(tx, run, edge, run.phase == "init", pipe)
        return
    if run.recovering:
        escalate(tx, run, run.error)
        return
    of = defn.on_fail
    if of.kind == "fail":
        if pipe.has_phase("failed"):
            phase.enter(tx, run, "failed", pipe)
        else:
            end(tx, tx.put_run(run), "failed", run.error)
    elif of.kind == "retry" and run.retries.get(run.phase, 0) < of.count:
        count = run.retries.get(run.phase, 0) + 1
        run = put(tx, evolve(run, retries={**run.retries, run.phase: count}, step="retry"))
        tx.set_timer(f"run:{run.id}:retry", tx.now + of.delay_us)
        tx.emit(
            "pipeline:retry", run.name, **payload(tx, run), count=count, after_s=of.delay_us / 1e6
        )
    elif of.kind == "strategy":
        phase.start_recovery(tx, run, of.strategy)
    elif of.kind == "goto":
        _go(tx, run, of.target, False, pipe)
    else:  # escalate, or retries used up
        escalate(tx, run, run.error)


def escalate(tx: Tx, run: Run, error: str) -> None:
    eid = escalation.open_(tx, "phase_failed", f"run:{run.id}", run.name, error or "phase failed")
    run = put(tx, evolve(run, state="escalated", escalation=eid, error=error, step=""))
    tx.emit("pipeline:escalated", run.name, **payload(tx, run), escalation=eid, error=error)
    _notify(tx, run, "on_escalate")


def on_exhausted(tx: Tx, run: Run, on_exhaust: str, target: str) -> None:
    """The phase's strategy ran out of attempts (§L3.8 `on_exhaust`)."""
    error = "act: strategy exhausted"
    if on_exhaust == "escalate":  # the strategy's escalation decides (retry, skip, fail)
        run = put(tx, evolve(run, state="escalated", error=error))
        tx.emit("pipeline:escalated", run.name, **payload(tx, run), escalation="", error=error)
    elif on_exhaust == "goto":
        phase.release(tx, put(tx, evolve(run, child="", error=error)))
        terminal = target in ("done", "failed") and not pipeline_of(tx, run).has_phase(target)
        edge = Edge(terminal=target) if terminal else Edge(phase=target)
        _go(tx, tx.world.runs[run.id], edge, from_init=False)
    elif run.recovering:  # `fail` during recovery ends the run
        phase.release(tx, put(tx, evolve(run, child="")))
        end(tx, tx.world.runs[run.id], "failed", error)
    else:
        phase.on_action(tx, run, False, "strategy exhausted")


def end(tx: Tx, run: Run, state: str, error: str = "", keep_workspace: bool = False) -> None:
    """§3.1.1: release everything, settle the claim, notify, free the concurrency slot."""
    phase.stop_child(tx, run)
    run = tx.world.runs[run.id]
    if (run.phase and run.step not in ("", "retry", "gate")) or run.holds_lock or run.holds_slot:
        phase.release(tx, run)
    else:
        for which in ("retry", "timeout"):
            tx.cancel_timer(f"run:{run.id}:{which}")
    run = put(
        tx,
        evolve(tx.world.runs[run.id], state=state, error=error, ended_us=tx.now, step="", child=""),
    )
    escalation.moot(tx, f"run:{run.id}")
    if run.item_claim:
        if state == "done":
            q.complete(tx, run.item_queue, run.item_claim)
        elif state == "failed":
            q.fail(tx, run.item_queue, run.item_claim, error or "failed")
        else:
            q.complete(tx, run.item_queue, run.item_claim, outcome="abandoned")
    pipe = pipeline_of(tx, run)
    if (
        pipe.worktree
        and state == "done"
        and not tx.graph.settings.keep_worktrees
        and not keep_workspace
    ):
        workspace.remove(tx, run.workspace)
    p = payload(tx, run)
    if state == "done":
        tx.emit("pipeline:complete", run.name, **p, duration_s=(tx.now - run.created_us) / 1e6)
        _notify(tx, run, "on_done")
    elif state == "failed":
        tx.emit("pipeline:failed", run.name, **p, error=error)
        _notify(tx, run, "on_fail")
    else:
        tx.emit("pipeline:cancelled", run.name, **p, reason=error)
    _dequeue(tx, run)


def end_by_word(tx: Tx, run: Run, word: str) -> None:
    """`requeue`, `dead` or `abandon` from a ladder, a rule or `on_orphan_work` (§L4.5)."""
    if word == "abandon":
        end(tx, run, "cancelled", "abandoned")
        return
    if not run.item_claim:  # not started by a worker: `fail`
        end(tx, run, "failed", word)
        return
    queue, claim = run.item_queue, run.item_claim
    run = put(tx, evolve(run, item_claim=""))
    if word == "requeue":
        q.release(tx, queue, claim, "requeue")
        end(tx, run, "cancelled", "requeued")
    else:
        q.dead_letter(tx, queue, claim, "dead")
        end(tx, run, "failed", "dead")


def _dequeue(tx: Tx, ended: Run) -> None:
    pipe = pipeline_of(tx, ended)
    if pipe.concurrency is None and pipe.group is None:
        return
    for run in _live_of(tx, ended.pipeline):
        if run.state == "queued" and _slot_free(tx, run, pipe):
            _prepare(tx, put(tx, evolve(run, state="created")), pipe)


def _notify(tx: Tx, run: Run, which: str) -> None:
    cfg = pipeline_of(tx, run).notify
    template = getattr(cfg, which) if cfg is not None and not cfg.muted else None
    if template is None:
        return
    try:
        message = render_template(template, scope(tx, run, error=run.error))
    except RenderError as exc:
        tx.log("warning", f"pipeline notify of `{run.id}` did not render: {exc}")
        return
    urgency = "critical" if which == "on_escalate" else "normal"
    tx.io(
        Notify(f"{run.name}: {which[3:]}", message, urgency, urgency == "critical", owner="notify")
    )


# -- operator commands ------------------------------------------------------------------------


def resume(tx: Tx, run: Run, at: str | None, by: str = "operator") -> str | None:
    if run.state not in ("escalated", "failed"):
        return "conflict"
    pipe = pipeline_of(tx, run)
    target = at or run.phase
    if not pipe.has_phase(target):
        return "invalid"
    escalation.moot(tx, f"run:{run.id}")
    phase.stop_child(tx, run)
    run = put(
        tx,
        evolve(tx.world.runs[run.id], state="running", escalation="", error="", ended_us=0),
    )
    tx.emit("pipeline:resumed", run.name, **payload(tx, run), by=by)
    phase.enter(tx, run, target)
    return None


def transition(tx: Tx, run: Run, action: str, target: str, reason: str) -> str | None:
    if run.state not in ("running", "waiting"):
        return "conflict"
    if action == "goto" and not pipeline_of(tx, run).has_phase(target):
        return "invalid"
    phase.stop_child(tx, run)
    run = tx.world.runs[run.id]
    if action == "fail":
        phase.fail(tx, run, reason or "failed by operator")
        return None
    phase.release(tx, run)
    run = tx.world.runs[run.id]
    if action == "complete":
        route(tx, run, ok=True)
    else:
        phase.enter(tx, run, target)
    return None


def block(tx: Tx, run: Run) -> str | None:
    pipe = pipeline_of(tx, run)
    if run.state != "running" or not pipe.has_phase("blocked"):
        return "conflict"
    phase.stop_child(tx, run)
    phase.release(tx, tx.world.runs[run.id])
    run = put(tx, evolve(tx.world.runs[run.id], gate_target=run.phase))
    phase.enter(tx, run, "blocked")
    return None


def on_escalation(tx: Tx, run: Run, option: str) -> None:
    """`phase_failed` options: retry, skip, goto:P, fail, cancel."""
    if option == "retry":
        resume(tx, run, None, by="escalation")
    elif option == "skip":
        run = put(tx, evolve(run, state="running", escalation=""))
        tx.emit("pipeline:resumed", run.name, **payload(tx, run), by="escalation")
        route(tx, run, ok=True)
    elif option.startswith("goto:"):
        resume(tx, run, option[5:], by="escalation")
    elif option == "fail":
        end(tx, run, "failed", run.error)
    else:
        end(tx, run, "cancelled", "escalation")


def _after(pipe: Pipeline, name: str) -> Edge:
    """The phase after `name` in file order, else terminal `done`: where `blocked` goes when
    it was entered by an ordinary edge rather than through the gate (§L6.2)."""
    names = [p.name for p in pipe.phases]
    index = names.index(name) + 1
    return Edge(phase=names[index]) if index < len(names) else Edge(terminal="done")
