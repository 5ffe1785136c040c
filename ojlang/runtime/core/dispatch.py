"""Input dispatch: one input in, the call to the machine that owns it out (RUNTIME.md §5.2).

Commands answer with a `Reply` (error codes of §7.2: `invalid`, `not_found`, `conflict`,
`denied`, `stale_claim`, `stale_task`). Effect results find their owner through the outbox
entry of their `effect_id`; a result whose id is not in the outbox is a duplicate and ignored.
Timers fire only while `World.timers` holds them with the same due time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ojlang.runtime.core import (
    action,
    cron,
    escalation,
    guard,
    lock,
    phase,
    scanner,
    semaphore,
    strategy,
    task,
    watcher,
    worker,
    workspace,
)
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core import pipeline as pl
from ojlang.runtime.core import queue as q
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.events import RESERVED_SCOPES
from ojlang.runtime.core.records import parse_shell
from ojlang.runtime.core.routing import live_run
from ojlang.runtime.core.run import Run, phase_of, put
from ojlang.runtime.core.templates import render_opt
from ojlang.runtime.core.world import load_graph

MAX_PAYLOAD = 64 * 1024


def _split(code: str) -> tuple[str, str]:
    head, _, msg = code.partition(": ")
    return head, msg


def _key(tx: Tx, kind: str, name: str) -> str | None:
    """A loop's key from its exact key or its unique bare name."""
    table = getattr(tx.world, kind)
    if name in table:
        return name
    found = [k for k in table if k.rpartition(".")[2] == name]
    return found[0] if len(found) == 1 else None


def _run(tx: Tx, rid: str, request_id: str) -> Run | None:
    run = tx.world.runs.get(rid)
    if run is None:
        tx.reply(request_id, error="not_found", msg=f"no run `{rid}`")
        return None
    tx.pinned = run.graph_hash
    return run


# -- commands ---------------------------------------------------------------------------------


def _pipeline_start(tx: Tx, inp: i.PipelineStart) -> None:
    run, error = pl.start(tx, inp.pipeline, dict(inp.vars), inp.run_name)
    if run is None:
        code, msg = _split(error)
        tx.reply(inp.request_id, error=code, msg=msg)
    else:
        tx.reply(inp.request_id, {"run": run.id})


def _pipeline_transition(tx: Tx, inp: i.PipelineTransition) -> None:
    run = _run(tx, inp.run, inp.request_id)
    if run is not None:
        tx.reply(inp.request_id, error=pl.transition(tx, run, inp.action, inp.phase, inp.reason))


def _pipeline_resume(tx: Tx, inp: i.PipelineResume) -> None:
    run = _run(tx, inp.run, inp.request_id)
    if run is not None:
        tx.reply(inp.request_id, error=pl.resume(tx, run, inp.phase))


def _pipeline_block(tx: Tx, inp: i.PipelineBlock) -> None:
    run = _run(tx, inp.run, inp.request_id)
    if run is not None:
        tx.reply(inp.request_id, error=pl.block(tx, run))


def _pipeline_set(tx: Tx, inp: i.PipelineSet) -> None:
    run = _run(tx, inp.run, inp.request_id)
    if run is not None:
        put(tx, evolve(run, vars={**run.vars, **inp.values}))
        tx.reply(inp.request_id, True)


def _cancel(tx: Tx, inp: i.Cancel) -> None:
    run = _run(tx, inp.run, inp.request_id)
    if run is None:
        return
    if run.terminal:
        tx.reply(inp.request_id, error="conflict", msg=f"run `{run.id}` already ended")
        return
    pl.end(tx, run, "cancelled", inp.reason, keep_workspace=inp.keep_workspace)
    tx.reply(inp.request_id, True)


def _queue_add(tx: Tx, inp: i.QueueAdd) -> None:
    if inp.queue not in tx.graph.queues:
        tx.reply(inp.request_id, error="not_found", msg=f"no queue `{inp.queue}`")
        return
    iid, deduped = q.push(tx, inp.queue, inp.data, inp.priority, inp.allow_duplicate)
    tx.reply(inp.request_id, {"item": iid, "deduped": deduped})


def _queue_command(tx: Tx, inp: i.QueueCommand) -> None:
    of_claim = inp.claim.rpartition("~")[0]
    name = inp.queue or next(
        (n for n in sorted(tx.world.queues) if of_claim in tx.world.queues[n].items), ""
    )
    if name not in tx.world.queues:
        tx.reply(inp.request_id, error="not_found", msg=f"no queue `{inp.queue or inp.claim}`")
        return
    verb = inp.verb
    if verb == "claim":
        item = q.claim(tx, name, inp.holder or "cli", inp.visibility_us)
        tx.reply(
            inp.request_id,
            None
            if item is None or item.claim is None
            else {"item": item.id, "claim": item.claim.id},
        )
        return
    if verb in ("retry", "drop"):
        ok = q.retry(tx, name, inp.item) if verb == "retry" else q.drop(tx, name, inp.item)
        tx.reply(inp.request_id, ok or None, None if ok else "conflict")
        return
    if verb == "extend":
        ok = q.extend(tx, name, inp.claim, inp.visibility_us)
    elif verb == "complete":
        ok = q.complete(tx, name, inp.claim)
    elif verb == "release":
        ok = q.release(tx, name, inp.claim, inp.reason or "released")
    else:
        ok = q.fail(tx, name, inp.claim, inp.reason or "failed") is not None
    tx.reply(inp.request_id, ok or None, None if ok else "stale_claim")


def _loop_command(tx: Tx, inp: Any, kind: str, name: str, fn: Callable[[str], str | None]) -> None:
    key = _key(tx, kind, name)
    if key is None:
        tx.reply(inp.request_id, error="not_found", msg=f"no {kind[:-1]} `{name}`")
        return
    error = fn(key)
    tx.reply(inp.request_id, error is None or None, error)


def _worker_command(tx: Tx, inp: i.WorkerCommand) -> None:
    _loop_command(
        tx,
        inp,
        "workers",
        inp.worker,
        lambda k: worker.command(tx, k, inp.verb, inp.now, inp.concurrency),
    )


def _cron_command(tx: Tx, inp: i.CronCommand) -> None:
    _loop_command(tx, inp, "crons", inp.cron, lambda k: cron.command(tx, k, inp.verb))


def _watcher_command(tx: Tx, inp: i.WatcherCommand) -> None:
    _loop_command(tx, inp, "watchers", inp.watcher, lambda k: watcher.command(tx, k, inp.verb))


def _scanner_command(tx: Tx, inp: i.ScannerCommand) -> None:
    _loop_command(
        tx, inp, "scanners", inp.scanner, lambda k: scanner.command(tx, k, inp.verb, inp.dry_run)
    )


def _lock_command(tx: Tx, inp: i.LockCommand) -> None:
    if inp.verb == "acquire":
        tx.reply(inp.request_id, lock.acquire(tx, inp.lock, inp.holder))
    elif inp.verb == "release":
        ok = lock.release(tx, inp.lock, inp.holder, force=inp.force, lost=inp.force)
        tx.reply(inp.request_id, ok or None, None if ok else "denied")
    elif inp.verb == "leave":  # a waiter that gives up (`oj lock acquire --wait`) leaves
        ok = _waits(tx.world.locks.get(inp.lock), inp.holder)
        lock.leave(tx, inp.lock, inp.holder)
        tx.reply(inp.request_id, ok or None, None if ok else "denied")
    else:
        ok = lock.heartbeat(tx, inp.lock, inp.holder)
        tx.reply(inp.request_id, ok or None, None if ok else "denied")


def _semaphore_command(tx: Tx, inp: i.SemaphoreCommand) -> None:
    if inp.verb == "acquire":
        got = semaphore.acquire(tx, inp.semaphore, inp.holder, inp.weight)
        bad = got in ("conflict", "invalid")
        tx.reply(inp.request_id, None if bad else got, got if bad else None)
    elif inp.verb == "leave":
        ok = _waits(tx.world.semaphores.get(inp.semaphore), inp.holder)
        semaphore.leave(tx, inp.semaphore, inp.holder)
        tx.reply(inp.request_id, ok or None, None if ok else "denied")
    else:
        ok = semaphore.release(tx, inp.semaphore, inp.holder)
        tx.reply(inp.request_id, ok or None, None if ok else "denied")


def _waits(state: Any, holder: str) -> bool:
    """Whether `holder` is among the waiters of a lock or semaphore state."""
    return state is not None and any(w.holder == holder for w in state.waiters)


def _session_command(tx: Tx, inp: i.SessionCommand) -> None:
    tr = next((t for t in tx.world.tasks.values() if t.session == inp.session and t.live), None)
    if tr is None:
        tx.reply(inp.request_id, error="not_found", msg=f"no live session `{inp.session}`")
        return
    tx.pinned = tx.world.runs[tr.run].graph_hash
    if inp.verb == "nudge":
        task.nudge(
            tx, tr, inp.message or render_opt(tx.graph.tasks[tr.task].nudge_message, tr.scope)
        )
    else:
        task.cancel(tx, tr.id, "session killed")
    tx.reply(inp.request_id, True)


def _workspace_command(tx: Tx, inp: i.WorkspaceCommand) -> None:
    if inp.verb == "create":
        wid = f"ws-{inp.workspace}"
        path = inp.path or f"{tx.graph.settings.project_root}/.oj/worktrees/{wid}"
        workspace.create(tx, wid, path, inp.branch or f"oj/{wid}", base=inp.base)
        tx.reply(inp.request_id, {"workspace": wid})
    elif inp.verb == "adopt":
        wid = inp.workspace or inp.path.rstrip("/").rpartition("/")[2]
        workspace.adopt(tx, wid, inp.path, inp.branch)
        tx.reply(inp.request_id, {"workspace": wid})
    elif inp.verb == "remove":
        ok = workspace.remove(tx, inp.workspace)
        tx.reply(inp.request_id, ok or None, None if ok else "not_found")
    else:  # merge: carries the run's lock fence
        run = tx.world.runs.get(inp.run)
        fence = None
        if run is not None and run.holds_lock:
            name = phase_of(tx, run).lock
            fence = fx.Fence(str(name), run.lock_token)
        ws = tx.world.workspaces.get(inp.workspace)
        workdir = ws.path if ws is not None else (inp.path or None)
        eid = tx.io(
            fx.Merge(inp.branch, inp.into, inp.strategy, workdir, False, owner="merge", fence=fence)
        )
        tx.reply(inp.request_id, {"effect": eid})


def _emit(tx: Tx, inp: i.EmitCommand) -> None:
    if inp.event.partition(":")[0] in RESERVED_SCOPES or not inp.event:
        tx.reply(inp.request_id, error="invalid", msg=f"`{inp.event}` is in a reserved scope")
        return
    if len(json.dumps(inp.payload, default=str)) > MAX_PAYLOAD:
        tx.reply(inp.request_id, error="invalid", msg="payloads are limited to 64 KiB")
        return
    tx.emit(inp.event, inp.subject, **inp.payload)
    tx.reply(inp.request_id, True)


def _action_trigger(tx: Tx, inp: i.ActionTrigger) -> None:
    key = next((k for k in tx.graph.actions if inp.action in (k, k.rpartition(".")[2])), None)
    if key is None:
        tx.reply(inp.request_id, error="not_found", msg=f"no action `{inp.action}`")
        return
    ok = action.trigger(tx, key, "operator", dict(inp.record), dict(inp.args))
    tx.reply(inp.request_id, ok)


def _escalation_resolve(tx: Tx, inp: i.EscalationResolve) -> None:
    if inp.option == "dismiss":  # `oj escalation dismiss`: close it, decide nothing
        ok = escalation.dismiss(tx, inp.id, inp.message, inp.by)
        tx.reply(
            inp.request_id, {"option": "dismissed"} if ok else None, None if ok else "conflict"
        )
        return
    esc, chosen = escalation.resolve(tx, inp.id, inp.option, inp.message, inp.by)
    if esc is None:
        tx.reply(inp.request_id, error=chosen, msg=f"cannot resolve `{inp.id}` with `{inp.option}`")
        return
    kind, _, ident = esc.subject.partition(":")
    if kind == "run":  # open: the run is live (its end moots it)
        run = tx.world.runs[ident]
        tx.pinned = run.graph_hash
        pl.on_escalation(tx, run, chosen)
    elif kind == "task" or (kind == "confirm" and chosen == "fail"):
        tr = tx.world.tasks[ident]
        tx.pinned = tx.world.runs[tr.run].graph_hash
        task.on_escalation(tx, tr, chosen, inp.message)
    elif kind == "guard" and ident in tx.world.guards:
        inst = tx.world.guards[ident]
        tx.pinned = tx.world.runs[inst.owner].graph_hash
        guard.on_escalation(tx, inst, chosen)
    elif kind == "strategy" and ident in tx.world.strategies:
        inst_s = tx.world.strategies[ident]
        tx.pinned = tx.world.runs[inst_s.owner].graph_hash
        strategy.on_escalation(tx, inst_s, chosen)
    elif kind == "item":
        name, _, iid = ident.partition(":")
        q.on_escalation(tx, name, iid, chosen)
    elif kind == "lock" and chosen == "release":
        lk = tx.world.locks.get(ident)
        if lk is not None and lk.holder is not None:
            lock.release(tx, ident, lk.holder, force=True, lost=True)
    elif kind == "slot" and chosen == "release":
        name, _, holder = ident.partition(":")
        semaphore.release(tx, name, holder, reclaimed=True)
    elif kind == "worker" and chosen == "resume":
        worker.command(tx, ident, "resume")
    tx.reply(inp.request_id, {"option": chosen})


def _task_of(tx: Tx, trid: str, generation: int, request_id: str) -> task.TaskRun | None:
    tr = tx.world.tasks.get(trid)
    if tr is None:
        tx.reply(request_id, error="not_found", msg=f"no task run `{trid}`")
        return None
    if generation and generation != tr.generation:
        tx.reply(request_id, error="stale_task", msg=f"generation {generation} is not current")
        return None
    tx.pinned = tx.world.runs[tr.run].graph_hash if tr.run in tx.world.runs else ""
    return tr


def _done(tx: Tx, inp: i.Done) -> None:
    tr = _task_of(tx, inp.task_run, inp.generation, inp.request_id)
    if tr is not None:
        already = not tr.live
        error = task.on_done(tx, tr, inp.error, inp.restart, inp.message, dict(inp.outputs))
        tx.reply(inp.request_id, "already done" if already else True, error)


def _checkpoint(tx: Tx, inp: i.Checkpoint) -> None:
    tr = _task_of(tx, inp.task_run, inp.generation, inp.request_id)
    if tr is not None:
        task.on_checkpoint(tx, tr, inp.message)
        tx.reply(inp.request_id, True)


def _confirm(tx: Tx, inp: i.Confirm) -> None:
    """`oj confirm` (§9.4): an `agent_prompt` escalation the agent waits on; its resolution
    (`escalation:resolved{option}`: approve, deny, fail, attach, or `timeout` at the deadline)
    answers it. `fail` also fails the task run."""
    tr = _task_of(tx, inp.task_run, inp.generation, inp.request_id)
    if tr is None:
        return
    if not tr.live:
        tx.reply(inp.request_id, error="conflict", msg=f"task run `{tr.id}` already ended")
        return
    name = tr.task.rpartition(".")[2]
    eid = escalation.open_(
        tx, "agent_prompt", f"confirm:{tr.id}", name, inp.message or "the agent asks to confirm"
    )
    if inp.timeout_us is not None:
        tx.set_timer(escalation.timer_id(eid), tx.now + inp.timeout_us)
    tx.reply(inp.request_id, {"escalation": eid})


def _reload(tx: Tx, inp: i.Reload) -> None:
    load_graph(tx, inp.graph)
    tx.emit(
        "daemon:reloaded", "", graph_hash=tx.world.graph_hash, runbooks=sorted(inp.graph.runbooks)
    )
    tx.reply(inp.request_id, {"graph_hash": tx.world.graph_hash})


# -- signals and results ----------------------------------------------------------------------


def _agent_signal(tx: Tx, inp: i.AgentSignal) -> None:
    tr = _task_of(tx, inp.task_run, inp.generation, "")
    if tr is not None:
        task.on_signal(
            tx,
            tr,
            inp.verb,
            inp.source,
            prompt=inp.prompt,
            error=inp.error,
            retry_after_us=inp.retry_after_us,
            code=inp.code,
        )


def _session_gone(tx: Tx, inp: i.SessionGone) -> None:
    tr = _task_of(tx, inp.task_run, 0, "")
    if tr is not None:
        task.on_signal(tx, tr, "gone")


def _owner(tx: Tx, eid: str, name: str) -> tuple[str, str, fx.IoEffect] | None:
    """Take the outbox entry a result answers: (owner kind, owner id, effect), or None."""
    outbox = tx.world.outbox
    effect = outbox.get(eid)
    if effect is None:
        tx.log("debug", f"ignored `{name}` for `{eid}`: not in the outbox")
        return None
    tx.set(outbox=outbox.delete(eid))
    kind, _, ident = effect.owner.partition(":")
    return kind, ident, effect


def _shell_exited(tx: Tx, inp: i.ShellExited) -> None:
    found = _owner(tx, inp.effect_id, inp.name)
    if found is None:
        return
    kind, ident, _ = found
    ok = inp.code == 0 and not inp.timed_out
    error = (
        ""
        if ok
        else "interrupted"
        if inp.lost
        else "timed out"
        if inp.timed_out
        else f"exited {inp.code}"
    )
    if kind == "run":
        run = live_run(tx, ident)
        if run is not None and run.child == inp.effect_id:
            phase.on_action(tx, run, ok, error)
    elif kind == "guard" and ident in tx.world.guards:
        inst = tx.world.guards[ident]
        tx.pinned = tx.world.runs[inst.owner].graph_hash
        guard.on_result(tx, inst, ok)
    elif kind == "strategy" and ident in tx.world.strategies:
        inst_s = tx.world.strategies[ident]
        tx.pinned = tx.world.runs[inst_s.owner].graph_hash
        strategy.on_shell(tx, inst_s, 0 if ok else (inp.code if inp.code else -1), inp.stdout_tail)
    elif kind == "worker" and ident in tx.world.workers:
        worker.on_source(
            tx,
            ident,
            inp.code == 0,
            parse_shell(inp.code, inp.stdout_tail, inp.stderr_tail) if inp.code == 0 else [],
        )
    elif kind == "watcher" and ident in tx.world.watchers:
        if watcher.is_probe(tx, ident, inp.effect_id):
            watcher.on_probe(tx, ident, inp.effect_id, inp.code)
        else:
            watcher.on_source(tx, ident, inp.code, inp.stdout_tail, inp.stderr_tail)
    elif kind == "scanner" and ident in tx.world.scanners:
        if scanner.is_probe(tx, ident, inp.effect_id):
            scanner.on_probe(tx, ident, inp.effect_id, inp.code)
        else:
            scanner.on_shell(tx, ident, inp.code, inp.stdout_tail, inp.stderr_tail)
    elif kind == "cron" and ident in tx.world.crons:
        cron.on_exited(tx, ident, inp.code)
    elif kind == "queue" and ident in tx.world.queues:
        q.on_call(tx, ident, inp.effect_id, inp.code, inp.stdout_tail)
        for key, w in sorted(tx.world.workers.items()):  # re-try the claims held up (§3.4)
            if tx.graph.workers[key].queue == ident and w.state in worker.ACTIVE:
                worker.claim_loop(tx, key)
    elif kind == "action" and ident in tx.graph.actions:
        action.finish(tx, ident, ok, "" if ok else error, inp.stdout_tail)


def _session_result(tx: Tx, inp: i.SessionResult) -> None:
    found = _owner(tx, inp.effect_id, inp.name)
    if found is None or inp.verb not in ("spawned", "spawn_failed"):
        return
    tr = tx.world.tasks.get(found[1])
    if tr is not None and tr.session == getattr(found[2], "session", None):
        tx.pinned = tx.world.runs[tr.run].graph_hash if tr.run in tx.world.runs else ""
        task.on_spawn_result(tx, tr, inp.verb == "spawned", inp.pane_pid, inp.error)


def _workspace_result(tx: Tx, inp: i.WorkspaceResult) -> None:
    found = _owner(tx, inp.effect_id, inp.name)
    if found is None or found[0] != "workspace":  # e.g. a scanner's removal: nothing waits
        return
    ws = tx.world.workspaces[found[1]]
    if inp.verb == "removed" or ws.state == "removing":
        workspace.on_removed(tx, ws, inp.verb == "removed", inp.patch, inp.error)
        return
    workspace.on_added(tx, ws, inp.verb == "ready", inp.error)
    run = live_run(tx, ws.run)
    if run is None or run.state != "created":
        return
    if inp.verb == "ready":
        pl.begin(tx, run)
    else:
        pl.end(tx, run, "failed", f"workspace: {inp.error}")


def _probe(tx: Tx, inp: i.AgentProbe | i.ProbeResult) -> None:
    found = _owner(tx, inp.effect_id, inp.name)
    if found is None:
        return
    kind, ident, _ = found
    if kind == "task" and isinstance(inp, i.AgentProbe):
        tr = tx.world.tasks[ident]
        tx.pinned = tx.world.runs[tr.run].graph_hash if tr.run in tx.world.runs else ""
        task.on_probe(tx, tr, inp.changed)
    elif kind == "guard" and ident in tx.world.guards and isinstance(inp, i.ProbeResult):
        inst = tx.world.guards[ident]
        tx.pinned = tx.world.runs[inst.owner].graph_hash
        guard.on_result(tx, inst, inp.value is True)


def _scan_listed(tx: Tx, inp: i.ScanListed) -> None:
    found = _owner(tx, inp.effect_id, inp.name)
    if found is not None and found[1] in tx.world.scanners:
        scanner.resources(tx, found[1], [dict(r) for r in inp.resources])


def _plain_result(tx: Tx, inp: i.MergeResult | i.IssueResult) -> None:
    _owner(tx, inp.effect_id, inp.name)


def _effect_outcome(tx: Tx, inp: i.EffectOutcome) -> None:
    found = _owner(tx, inp.effect_id, inp.name)
    if found is None:
        return
    kind, ident, effect = found
    if isinstance(effect, fx.RunShell):  # fenced or abandoned shell: a failed result
        tx.set(outbox=tx.world.outbox.set(inp.effect_id, effect))
        _shell_exited(tx, i.ShellExited(inp.effect_id, code=None, lost=True))
    elif isinstance(effect, fx.WorktreeRemove) and inp.verb == "failed" and kind == "workspace":
        workspace.on_removed(tx, tx.world.workspaces[ident], False, error=inp.error)
    elif isinstance(effect, fx.Probe) and kind == "guard" and ident in tx.world.guards:
        inst = tx.world.guards[ident]
        tx.pinned = tx.world.runs[inst.owner].graph_hash
        guard.on_result(tx, inst, False)
    elif inp.verb == "failed" and effect.owner == "notify":
        tx.emit(
            "daemon:notify_failed",
            "",
            channel=",".join(getattr(effect, "channels", ())),
            error=inp.error,
        )


# -- time -------------------------------------------------------------------------------------


def _timer(tx: Tx, inp: i.TimerFired) -> None:
    tid = inp.timer_id
    if tx.world.timers.get(tid) != inp.due_us:
        tx.log("debug", f"ignored `timer:fired` for `{tid}`: not armed at {inp.due_us}")
        return
    tx.set(timers=tx.world.timers.delete(tid))
    from ojlang.runtime.core import timers

    timers.fire(tx, tid)


def _maintenance(tx: Tx, inp: i.MaintenanceTick) -> None:
    """Heartbeats of live holders and claims (§3.4–3.6): runs whose action is alive."""
    for _, run in sorted(tx.world.runs.items()):
        if run.terminal or run.state == "escalated":
            continue
        defn = phase_of(tx, run) if run.phase else None
        if defn is not None and run.holds_lock and defn.lock is not None:
            stuck = run.child in tx.world.tasks and tx.world.tasks[run.child].state == "stuck"
            if not stuck:
                lock.heartbeat(tx, defn.lock, run.id)
        if defn is not None and run.holds_slot and defn.semaphore is not None:
            semaphore.heartbeat(tx, defn.semaphore, run.id)
        if run.item_claim:
            q.extend(tx, run.item_queue, run.item_claim)


def _engine(tx: Tx, inp: i.EngineEvent) -> None:
    tx.emit(f"daemon:{inp.verb}", "", **inp.data)


HANDLERS: dict[type, Callable[[Tx, Any], None]] = {
    i.PipelineStart: _pipeline_start,
    i.PipelineTransition: _pipeline_transition,
    i.PipelineResume: _pipeline_resume,
    i.PipelineBlock: _pipeline_block,
    i.PipelineSet: _pipeline_set,
    i.Cancel: _cancel,
    i.QueueAdd: _queue_add,
    i.QueueCommand: _queue_command,
    i.WorkerCommand: _worker_command,
    i.CronCommand: _cron_command,
    i.WatcherCommand: _watcher_command,
    i.ScannerCommand: _scanner_command,
    i.LockCommand: _lock_command,
    i.SemaphoreCommand: _semaphore_command,
    i.SessionCommand: _session_command,
    i.WorkspaceCommand: _workspace_command,
    i.EmitCommand: _emit,
    i.ActionTrigger: _action_trigger,
    i.EscalationResolve: _escalation_resolve,
    i.Done: _done,
    i.Checkpoint: _checkpoint,
    i.Confirm: _confirm,
    i.Reload: _reload,
    i.AgentSignal: _agent_signal,
    i.AgentProbe: _probe,
    i.SessionGone: _session_gone,
    i.ShellExited: _shell_exited,
    i.SessionResult: _session_result,
    i.WorkspaceResult: _workspace_result,
    i.MergeResult: _plain_result,
    i.ScanListed: _scan_listed,
    i.ProbeResult: _probe,
    i.IssueResult: _plain_result,
    i.EffectOutcome: _effect_outcome,
    i.TimerFired: _timer,
    i.MaintenanceTick: _maintenance,
    i.EngineEvent: _engine,
}


def handle(tx: Tx, inp: i.Input) -> None:
    HANDLERS[type(inp)](tx, inp)
