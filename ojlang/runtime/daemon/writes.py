"""Write methods (RUNTIME.md §7.2, §10): a request's params in, the `cmd:*` input it becomes,
and its answer after commit out.

Ids are matched first (§2.3), so the core only ever sees exact ids. Each function answers a
small JSON object; refusals are `RemoteError`s (`conflict`, `denied`, `stale_claim` exit 1).
`queue.add` adds a `warning` when every worker of the queue is disabled. Locks, semaphores,
sessions and workspaces are in `resources.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ojlang.runtime.core import inputs as i
from ojlang.runtime.daemon.context import Ctx, micros, text
from ojlang.runtime.daemon.protocol import RemoteError
from ojlang.runtime.daemon.views import bare, graph_of

Params = dict[str, Any]


# -- pipelines --------------------------------------------------------------------------------


def start_params(ctx: Ctx, params: Params) -> Params:
    """`pipeline.start` params with the pipeline key matched and the run cap checked."""
    key = ctx.pipeline_key(text(params, "pipeline"))
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
    rid = ctx.run_id(text(params, "id"))
    action = text(params, "action")
    phase = ""
    if action.startswith("goto:"):
        action, phase = "goto", action[5:]
    if action not in ("complete", "fail", "goto") or (action == "goto" and not phase):
        raise RemoteError(
            "invalid", f"unknown transition `{action}`", "use complete, fail or goto:PHASE"
        )
    reason = text(params, "reason", required=False)
    ctx.ask(i.PipelineTransition(rid, action, phase, reason), f"run `{rid}`")
    return {"run": rid, "action": action, "phase": phase or None}


def pipeline_resume(ctx: Ctx, params: Params) -> Any:
    rid = ctx.run_id(text(params, "id"))
    phase = text(params, "phase", required=False) or None
    ctx.ask(i.PipelineResume(rid, phase), f"run `{rid}` cannot be resumed")
    return {"run": rid}


def pipeline_cancel(ctx: Ctx, params: Params) -> Any:
    rid = ctx.run_id(text(params, "id"))
    keep = bool(params.get("keep_workspace"))
    reason = text(params, "reason", required=False) or "operator"
    ctx.ask(i.Cancel(rid, reason, keep), f"run `{rid}`")
    return {"run": rid, "state": "cancelled"}


def pipeline_block(ctx: Ctx, params: Params) -> Any:
    rid = ctx.run_id(text(params, "id"))
    ctx.ask(
        i.PipelineBlock(rid), f"run `{rid}` cannot be blocked (no `blocked` phase, or not running)"
    )
    return {"run": rid}


def pipeline_set(ctx: Ctx, params: Params) -> Any:
    rid = ctx.run_id(text(params, "id"))
    values = params.get("values")
    if not isinstance(values, dict) or not values:
        raise RemoteError("invalid", "`pipeline set` needs KEY=VALUE pairs")
    ctx.ask(i.PipelineSet(rid, dict(values)), f"run `{rid}`")
    return {"run": rid, "set": sorted(values)}


# -- queues -----------------------------------------------------------------------------------


def queue_add(ctx: Ctx, params: Params) -> Any:
    name = text(params, "queue")
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
    name = ctx.queue_name(text(params, "queue"))
    holder = text(params, "holder", required=False) or "cli"
    inp = i.QueueCommand(
        "claim", queue=name, holder=holder, visibility_us=micros(params, "visibility_s")
    )
    return ctx.ask(inp, f"queue `{name}`")


def _settle(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        name, cid = ctx.claim(text(params, "claim"))
        inp = i.QueueCommand(
            verb,
            queue=name,
            claim=cid,
            visibility_us=micros(params, "visibility_s"),
            reason=text(params, "reason", required=False),
        )
        ctx.ask(inp, f"claim `{cid}`")
        return {"claim": cid, "queue": name, "verb": verb}

    return run


def _item_verb(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        queue = text(params, "queue", required=False)
        name, iid = ctx.item(text(params, "item"), queue)
        state = ctx.world.queues[name].items[iid].state
        try:
            ctx.ask(i.QueueCommand(verb, queue=name, item=iid))
        except RemoteError as err:
            raise RemoteError(err.code, f"item `{iid}` is `{state}`: cannot {verb} it") from None
        return {"item": iid, "queue": name, "verb": verb}

    return run


def queue_drain(ctx: Ctx, params: Params) -> Any:
    name = ctx.queue_name(text(params, "queue"))
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
        key = ctx.loop_key("worker", text(params, "worker"))
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
        key = ctx.loop_key("cron", text(params, "cron"))
        ctx.ask(i.CronCommand(verb, key), f"cron `{bare(key)}`")
        return {"cron": bare(key), "state": ctx.world.crons[key].state}

    return run


def watcher_command(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        key = ctx.loop_key("watcher", text(params, "watcher"))
        ctx.ask(i.WatcherCommand(verb, key), f"watcher `{bare(key)}`")
        return {"watcher": bare(key), "state": ctx.world.watchers[key].state}

    return run


def scanner_command(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        key = ctx.loop_key("scanner", text(params, "scanner"))
        dry = bool(params.get("dry_run"))
        ctx.ask(i.ScannerCommand(verb, key, dry), f"scanner `{bare(key)}`")
        return {"scanner": bare(key), "state": ctx.world.scanners[key].state}

    return run


def emit(ctx: Ctx, params: Params) -> Any:
    name = text(params, "name")
    payload = params.get("payload") if isinstance(params.get("payload"), dict) else {}
    subject = text(params, "subject", required=False)
    ctx.ask(i.EmitCommand(name, subject, dict(payload or {})), f"event `{name}`")
    return {"event": name, "subject": subject}


def escalation_resolve(ctx: Ctx, params: Params) -> Any:
    eid = ctx.escalation_id(text(params, "id"))
    option = text(params, "option")
    esc = ctx.world.escalations[eid]
    if esc.state != "open":
        raise RemoteError("conflict", f"`{eid}` is already {esc.state}")
    inp = i.EscalationResolve(
        eid,
        option,
        text(params, "message", required=False),
        text(params, "by", required=False) or "operator",
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
