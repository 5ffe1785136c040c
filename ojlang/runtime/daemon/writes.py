"""Write methods (RUNTIME.md §7.2, §10): a request's params in, the `cmd:*` input it becomes,
and its answer after commit out.

Ids are matched first (§2.3), so the core only ever sees exact ids. Each function answers a
small JSON object; refusals are `RemoteError`s (`conflict`, `denied`, `stale_claim` exit 1).
`queue.add` adds a `warning` when every worker of the queue is disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ojlang.runtime.core import inputs as i
from ojlang.runtime.daemon.context import Ctx
from ojlang.runtime.daemon.protocol import RemoteError
from ojlang.runtime.daemon.views import bare, graph_of

Params = dict[str, Any]
MERGE_WAIT_S = 25.0  # the request deadline is 30 s


def _text(params: Params, key: str, *, required: bool = True) -> str:
    value = params.get(key)
    if value is None or value == "":
        if required:
            raise RemoteError("invalid", f"missing `{key}`")
        return ""
    return str(value)


def _us(params: Params, key: str) -> int | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise RemoteError("invalid", f"`{key}` must be a positive number of seconds")
    return int(value * 1_000_000)


# -- pipelines --------------------------------------------------------------------------------


def start_params(ctx: Ctx, params: Params) -> Params:
    """`pipeline.start` params with the pipeline key matched and the run cap checked."""
    key = ctx.pipeline_key(_text(params, "pipeline"))
    limit = ctx.info.settings.max_active_runs
    if ctx.active_runs() >= limit:
        raise RemoteError(
            "unavailable",
            f"{limit} runs are active (`runtime.max_active_runs`)",
            "wait for some to end or raise the limit in `.oj/config.toml`",
        )
    values = params.get("vars") if isinstance(params.get("vars"), dict) else {}
    return {**params, "pipeline": key, "vars": values}


def pipeline_start(ctx: Ctx, params: Params) -> Any:
    p = start_params(ctx, params)
    name = p.get("name")
    inp = i.PipelineStart(p["pipeline"], dict(p["vars"]), str(name) if name else None)
    return ctx.ask(inp, f"cannot start `{p['pipeline']}`")


def pipeline_transition(ctx: Ctx, params: Params) -> Any:
    rid = ctx.run_id(_text(params, "id"))
    action = _text(params, "action")
    phase = ""
    if action.startswith("goto:"):
        action, phase = "goto", action[5:]
    if action not in ("complete", "fail", "goto") or (action == "goto" and not phase):
        raise RemoteError(
            "invalid", f"unknown transition `{action}`", "use complete, fail or goto:PHASE"
        )
    reason = _text(params, "reason", required=False)
    ctx.ask(i.PipelineTransition(rid, action, phase, reason), f"run `{rid}`")
    return {"run": rid, "action": action, "phase": phase or None}


def pipeline_resume(ctx: Ctx, params: Params) -> Any:
    rid = ctx.run_id(_text(params, "id"))
    phase = _text(params, "phase", required=False) or None
    ctx.ask(i.PipelineResume(rid, phase), f"run `{rid}` cannot be resumed")
    return {"run": rid}


def pipeline_cancel(ctx: Ctx, params: Params) -> Any:
    rid = ctx.run_id(_text(params, "id"))
    keep = bool(params.get("keep_workspace"))
    reason = _text(params, "reason", required=False) or "operator"
    ctx.ask(i.Cancel(rid, reason, keep), f"run `{rid}`")
    return {"run": rid, "state": "cancelled"}


def pipeline_block(ctx: Ctx, params: Params) -> Any:
    rid = ctx.run_id(_text(params, "id"))
    ctx.ask(
        i.PipelineBlock(rid), f"run `{rid}` cannot be blocked (no `blocked` phase, or not running)"
    )
    return {"run": rid}


def pipeline_set(ctx: Ctx, params: Params) -> Any:
    rid = ctx.run_id(_text(params, "id"))
    values = params.get("values")
    if not isinstance(values, dict) or not values:
        raise RemoteError("invalid", "`pipeline set` needs KEY=VALUE pairs")
    ctx.ask(i.PipelineSet(rid, dict(values)), f"run `{rid}`")
    return {"run": rid, "set": sorted(values)}


# -- queues -----------------------------------------------------------------------------------


def queue_add(ctx: Ctx, params: Params) -> Any:
    name = _text(params, "queue")
    graph = graph_of(ctx.world)
    if name not in graph.queues:
        name = ctx.queue_name(name)
    data = params.get("data") if isinstance(params.get("data"), dict) else {}
    priority = params.get("priority")
    if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
        raise RemoteError("invalid", "`priority` must be an integer")
    inp = i.QueueAdd(name, dict(data or {}), priority, bool(params.get("allow_duplicate")))
    result = dict(ctx.ask(inp, f"queue `{name}`"))
    result["queue"] = name
    workers = [k for k, w in graph.workers.items() if w.queue == name]
    states = [ctx.world.workers[k].state for k in workers if k in ctx.world.workers]
    if states and all(s == "disabled" for s in states):
        names = ", ".join(f"`{bare(k)}`" for k in sorted(workers))
        first = bare(sorted(workers)[0])
        result["warning"] = {
            "message": f"every worker of `{name}` is disabled ({names}): the item waits",
            "help": f"`oj worker enable {first}`",
        }
    return result


def queue_claim(ctx: Ctx, params: Params) -> Any:
    name = ctx.queue_name(_text(params, "queue"))
    holder = _text(params, "holder", required=False) or "cli"
    inp = i.QueueCommand(
        "claim", queue=name, holder=holder, visibility_us=_us(params, "visibility_s")
    )
    return ctx.ask(inp, f"queue `{name}`")


def _settle(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        name, cid = ctx.claim(_text(params, "claim"))
        inp = i.QueueCommand(
            verb,
            queue=name,
            claim=cid,
            visibility_us=_us(params, "visibility_s"),
            reason=_text(params, "reason", required=False),
        )
        ctx.ask(inp, f"claim `{cid}`")
        return {"claim": cid, "queue": name, "verb": verb}

    return run


def _item_verb(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        queue = _text(params, "queue", required=False)
        name, iid = ctx.item(_text(params, "item"), queue)
        state = ctx.world.queues[name].items[iid].state
        try:
            ctx.ask(i.QueueCommand(verb, queue=name, item=iid))
        except RemoteError as err:
            raise RemoteError(err.code, f"item `{iid}` is `{state}`: cannot {verb} it") from None
        return {"item": iid, "queue": name, "verb": verb}

    return run


def queue_drain(ctx: Ctx, params: Params) -> Any:
    name = ctx.queue_name(_text(params, "queue"))
    qs = ctx.world.queues.get(name)
    dropped = []
    for iid, item in qs.items.items() if qs else ():
        if item.state == "ready":
            try:
                ctx.ask(i.QueueCommand("drop", queue=name, item=iid))
                dropped.append(iid)
            except RemoteError:
                continue
    return {"queue": name, "dropped": dropped}


# -- loops ------------------------------------------------------------------------------------


def worker_command(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        key = ctx.loop_key("worker", _text(params, "worker"))
        concurrency = 1
        if verb == "resize":
            raw = params.get("concurrency")
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
                raise RemoteError("invalid", "`resize` needs a concurrency ≥ 1")
            concurrency = raw
        inp = i.WorkerCommand(verb, key, bool(params.get("now")), concurrency)
        ctx.ask(inp, f"worker `{bare(key)}`")
        if verb == "start":
            ctx.ask(i.WorkerCommand("wake", key), f"worker `{bare(key)}`")
        return {"worker": bare(key), "state": ctx.world.workers[key].state}

    return run


def cron_command(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        key = ctx.loop_key("cron", _text(params, "cron"))
        ctx.ask(i.CronCommand(verb, key), f"cron `{bare(key)}`")
        return {"cron": bare(key), "state": ctx.world.crons[key].state}

    return run


def watcher_command(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        key = ctx.loop_key("watcher", _text(params, "watcher"))
        ctx.ask(i.WatcherCommand(verb, key), f"watcher `{bare(key)}`")
        return {"watcher": bare(key), "state": ctx.world.watchers[key].state}

    return run


def scanner_command(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        key = ctx.loop_key("scanner", _text(params, "scanner"))
        dry = bool(params.get("dry_run"))
        ctx.ask(i.ScannerCommand(verb, key, dry), f"scanner `{bare(key)}`")
        return {"scanner": bare(key), "state": ctx.world.scanners[key].state}

    return run


# -- locks and semaphores ---------------------------------------------------------------------


def _holder(ctx: Ctx, params: Params) -> str:
    """CLI holders are `cli:H`; a run id given as holder stays as it is."""
    holder = _text(params, "holder", required=False) or "cli"
    if holder.startswith("cli:") or holder in ctx.world.runs:
        return holder
    return f"cli:{holder}"


def lock_acquire(ctx: Ctx, params: Params) -> Any:
    name = _text(params, "lock")
    holder = _holder(ctx, params)
    wait = float(params.get("wait_s") or 0)
    current = ctx.world.locks.get(name)
    if wait <= 0 and current is not None and current.holder not in (None, holder):
        raise RemoteError(
            "conflict",
            f"lock `{name}` is held by `{current.holder}`",
            "wait for it with `--wait D`, or release it with `--force`",
        )
    got = ctx.ask(i.LockCommand("acquire", name, holder), f"lock `{name}`")
    if got == "waiting":
        held = ctx.engine.wait_for(
            lambda w: w.locks[name].holder == holder if name in w.locks else False, wait
        )
        if not held:
            ctx.ask(i.LockCommand("leave", name, holder))
            now = ctx.world.locks.get(name)
            raise RemoteError(
                "timeout" if wait > 0 else "conflict",
                f"lock `{name}` is held by `{now.holder if now else '?'}`",
            )
        got = "granted"
    lock = ctx.world.locks[name]
    return {"lock": name, "holder": holder, "token": lock.token, "result": got}


def lock_release(ctx: Ctx, params: Params) -> Any:
    name = _text(params, "lock")
    force = bool(params.get("force"))
    holder = _holder(ctx, params)
    lock = ctx.world.locks.get(name)
    if force and lock is not None and lock.holder is not None:
        holder = lock.holder
    ctx.ask(
        i.LockCommand("release", name, holder, force), f"lock `{name}` is not held by `{holder}`"
    )
    return {"lock": name, "released": holder}


def lock_heartbeat(ctx: Ctx, params: Params) -> Any:
    name = _text(params, "lock")
    holder = _holder(ctx, params)
    ctx.ask(i.LockCommand("heartbeat", name, holder), f"lock `{name}` is not held by `{holder}`")
    return {"lock": name, "holder": holder}


def semaphore_acquire(ctx: Ctx, params: Params) -> Any:
    name = _text(params, "semaphore")
    holder = _holder(ctx, params)
    weight = params.get("weight") or 1
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise RemoteError("invalid", "`--weight` must be an integer ≥ 1")
    wait = float(params.get("wait_s") or 0)
    got = ctx.ask(i.SemaphoreCommand("acquire", name, holder, weight), f"semaphore `{name}`")
    if got == "waiting":
        held = ctx.engine.wait_for(
            lambda w: name in w.semaphores and holder in w.semaphores[name].holders, wait
        )
        if not held:
            ctx.ask(i.SemaphoreCommand("leave", name, holder))
            raise RemoteError(
                "timeout" if wait > 0 else "conflict",
                f"semaphore `{name}` has no room for {weight}",
            )
        got = "granted"
    return {"semaphore": name, "holder": holder, "weight": weight, "result": got}


def semaphore_release(ctx: Ctx, params: Params) -> Any:
    name = _text(params, "semaphore")
    holder = _holder(ctx, params)
    ctx.ask(
        i.SemaphoreCommand("release", name, holder), f"semaphore `{name}` is not held by `{holder}`"
    )
    return {"semaphore": name, "released": holder}


# -- sessions, workspaces, events, escalations ------------------------------------------------


def session_command(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        name = ctx.session(_text(params, "session"), live_only=True)
        message = _text(params, "message", required=False)
        capture = params.get("capture", True) is not False
        ctx.ask(i.SessionCommand(verb, name, message, capture), f"session `{name}`")
        return {"session": name, "verb": verb}

    return run


def workspace_create(ctx: Ctx, params: Params) -> Any:
    name = _text(params, "name")
    inp = i.WorkspaceCommand(
        "create",
        workspace=name,
        branch=_text(params, "branch", required=False),
        base=_text(params, "base", required=False),
    )
    return ctx.ask(inp, f"workspace `{name}`")


def workspace_remove(ctx: Ctx, params: Params) -> Any:
    wid = ctx.workspace_id(_text(params, "workspace"))
    ws = ctx.world.workspaces[wid]
    if ws.state == "in_use" and not params.get("force"):
        raise RemoteError(
            "conflict",
            f"workspace `{wid}` is in use by run `{ws.run}`",
            "pass `--force` to remove it anyway",
        )
    ctx.ask(
        i.WorkspaceCommand("remove", workspace=wid, force=bool(params.get("force"))),
        f"workspace `{wid}`",
    )
    return {"workspace": wid, "state": "removing"}


def workspace_merge(ctx: Ctx, params: Params) -> Any:
    text = _text(params, "workspace", required=False)
    wid = ctx.workspace_id(text) if text else ""
    inp = i.WorkspaceCommand(
        "merge",
        workspace=wid,
        path="" if wid else text,
        branch=_text(params, "branch"),
        into=_text(params, "into"),
        strategy=_text(params, "strategy", required=False) or "ff",
        run=_text(params, "run", required=False),
    )
    since = ctx.world.last_seq
    eid = str(ctx.ask(inp, "merge")["effect"])
    if not ctx.engine.wait_for(lambda w: eid not in w.outbox, MERGE_WAIT_S):
        return {"effect": eid, "pending": True}
    from ojlang.runtime.daemon.eventlog import result_of

    found = result_of(ctx.info.state_dir / "state.db", eid, since) or {}
    name, payload = found.get("name"), found.get("payload") or {}
    if name == "merge:result" and payload.get("ok"):
        return {"effect": eid, "pending": False, "head": payload.get("head") or None}
    conflicts = list(payload.get("conflicts") or [])
    error = payload.get("error") or (f"the merge was {str(name).partition(':')[2]}" if name else "")
    raise RemoteError(
        "conflict",
        f"cannot merge `{inp.branch}` into `{inp.into}`: {error or 'failed'}",
        ("conflicts: " + ", ".join(conflicts)) if conflicts else None,
        {"effect": eid, "conflicts": conflicts},
    )


def workspace_adopt(ctx: Ctx, params: Params) -> Any:
    path = _text(params, "path")
    if not Path(path).is_dir():
        raise RemoteError("invalid", f"`{path}` is not a directory")
    branch = _text(params, "branch", required=False)
    if not branch:
        try:
            branch = ctx.engine.adapters.repo.current_branch(Path(path)) or ""
        except Exception as exc:  # not a worktree of this repository
            raise RemoteError("invalid", f"`{path}` is not a git worktree: {exc}") from None
    inp = i.WorkspaceCommand(
        "adopt", workspace=_text(params, "name", required=False), path=path, branch=branch
    )
    return ctx.ask(inp, f"workspace at `{path}`")


def workspace_prune(ctx: Ctx, params: Params) -> Any:
    from ojlang.runtime.daemon.reads import workspace_prune_plan

    plan = workspace_prune_plan(ctx)
    if params.get("dry_run"):
        return {**plan, "dry_run": True, "errors": []}
    errors: list[str] = []
    removed: list[str] = []
    for wid in plan["workspaces"]:
        try:
            ctx.ask(i.WorkspaceCommand("remove", workspace=wid))
            removed.append(wid)
        except RemoteError as err:
            errors.append(f"workspace `{wid}`: {err.message}")
    gone: list[str] = []
    archive = ctx.info.state_dir / "archive"
    for path in plan["orphans"]:
        try:
            ctx.engine.adapters.repo.worktree_remove(
                Path(path), archive_dir=archive, delete_branch_if_merged_into=None
            )
            gone.append(path)
        except Exception as exc:  # not a registered worktree, or git refused
            errors.append(f"`{path}`: {exc}")
    ctx.info.reconciled["orphan_worktrees"] = [
        p for p in ctx.info.reconciled.get("orphan_worktrees", []) if p not in gone
    ]
    return {"workspaces": removed, "orphans": gone, "dry_run": False, "errors": errors}


def emit(ctx: Ctx, params: Params) -> Any:
    name = _text(params, "name")
    payload = params.get("payload") if isinstance(params.get("payload"), dict) else {}
    subject = _text(params, "subject", required=False)
    ctx.ask(i.EmitCommand(name, subject, dict(payload or {})), f"event `{name}`")
    return {"event": name, "subject": subject}


def escalation_resolve(ctx: Ctx, params: Params) -> Any:
    eid = ctx.escalation_id(_text(params, "id"))
    option = _text(params, "option")
    esc = ctx.world.escalations[eid]
    if esc.state != "open":
        raise RemoteError("conflict", f"`{eid}` is already {esc.state}")
    inp = i.EscalationResolve(
        eid,
        option,
        _text(params, "message", required=False),
        _text(params, "by", required=False) or "operator",
    )
    try:
        result = ctx.ask(inp)
    except RemoteError as err:
        if err.code == "invalid":
            options = ", ".join(f"{n} `{o}`" for n, o in enumerate(esc.options, start=1))
            raise RemoteError(
                "invalid", f"`{option}` is not an option of `{eid}`", f"options: {options}"
            ) from None
        raise
    return {"escalation": eid, **(result if isinstance(result, dict) else {})}


def escalation_dismiss(ctx: Ctx, params: Params) -> Any:
    return escalation_resolve(ctx, {**params, "option": "dismiss"})
