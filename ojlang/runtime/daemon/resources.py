"""Write methods on shared resources (RUNTIME.md §3.5–3.6, §3.15, §9, §10): a request's params
in; the `cmd:lock_*`, `cmd:semaphore_*`, `cmd:session_*` and `cmd:workspace_*` inputs they
become, and their answers after commit, out.

CLI holders are `cli:H` (a run id given as holder stays as it is). `acquire` without a wait
refuses a lock held by another (`conflict`); with `wait_s` it queues, waits for the grant and
leaves the queue (`cmd:lock_leave`) when the wait expires (`timeout`, exit 124). A plain request
may wait at most `WAIT_CAP_S`, inside the 30 s request deadline (§7.2), and a longer `wait_s`
is `invalid`; as a stream request (`oj lock acquire --wait D` sends one) it waits as long as
asked: one `lock:waiting` (`semaphore:waiting`) event while it queues, the grant as the `end`
result, and a client that cancels or hangs up leaves the queue at once. A merge waits
for its result (up to 25 s, within the request deadline) and answers `conflict` when it was
refused; `prune` removes worktrees of ended runs and the orphans reconcile found.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from ojlang.runtime.core import inputs as i
from ojlang.runtime.daemon.context import Ctx, text
from ojlang.runtime.daemon.protocol import RemoteError

Params = dict[str, Any]
MERGE_WAIT_S = 25.0  # the request deadline is 30 s
WAIT_CAP_S = 25.0  # the longest wait of a plain (not stream) acquire
WAIT_POLL_S = 0.25  # how often a waiting stream looks for a cancel
Events = Generator[dict[str, Any], None, Any]


# -- locks and semaphores ---------------------------------------------------------------------


def _holder(ctx: Ctx, params: Params) -> str:
    """CLI holders are `cli:H`; a run id given as holder stays as it is."""
    holder = text(params, "holder", required=False) or "cli"
    if holder.startswith("cli:") or holder in ctx.world.runs:
        return holder
    return f"cli:{holder}"


def _wait_of(params: Params, streamed: bool) -> float:
    wait = float(params.get("wait_s") or 0)
    if wait > WAIT_CAP_S and not streamed:
        raise RemoteError(
            "invalid",
            f"a request waits at most {WAIT_CAP_S:g}s (the request deadline is 30s)",
            "send it as a stream request to wait longer (`oj lock acquire --wait D` does)",
        )
    return wait


def _hold_on(
    ctx: Ctx, granted: Callable[[Any], bool], wait: float, cancelled: Callable[[], bool]
) -> bool:
    """Wait up to `wait` seconds for `granted(world)`; False on expiry or a cancel."""
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or cancelled():
            return granted(ctx.world)
        if ctx.engine.wait_for(granted, min(left, WAIT_POLL_S)):
            return True


def _never() -> bool:
    return False


def lock_acquire(ctx: Ctx, params: Params) -> Any:
    return _drain(lock_acquiring(ctx, params, _never, streamed=False))


def lock_acquiring(
    ctx: Ctx, params: Params, cancelled: Callable[[], bool], *, streamed: bool = True
) -> Events:
    name = text(params, "lock")
    holder = _holder(ctx, params)
    wait = _wait_of(params, streamed)
    current = ctx.world.locks.get(name)
    if wait <= 0 and current is not None and current.holder not in (None, holder):
        raise RemoteError(
            "conflict",
            f"lock `{name}` is held by `{current.holder}`",
            "wait for it with `--wait D`, or release it with `--force`",
        )
    got = ctx.ask(i.LockCommand("acquire", name, holder), f"lock `{name}`")
    if got == "waiting":
        now = ctx.world.locks.get(name)
        yield {"name": "lock:waiting", "payload": {"lock": name, "holder": now and now.holder}}
        held = _hold_on(
            ctx, lambda w: name in w.locks and w.locks[name].holder == holder, wait, cancelled
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
    name = text(params, "lock")
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
    name = text(params, "lock")
    holder = _holder(ctx, params)
    ctx.ask(i.LockCommand("heartbeat", name, holder), f"lock `{name}` is not held by `{holder}`")
    return {"lock": name, "holder": holder}


def semaphore_acquire(ctx: Ctx, params: Params) -> Any:
    return _drain(semaphore_acquiring(ctx, params, _never, streamed=False))


def semaphore_acquiring(
    ctx: Ctx, params: Params, cancelled: Callable[[], bool], *, streamed: bool = True
) -> Events:
    name = text(params, "semaphore")
    holder = _holder(ctx, params)
    weight = params.get("weight") or 1
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise RemoteError("invalid", "`--weight` must be an integer ≥ 1")
    wait = _wait_of(params, streamed)
    got = ctx.ask(i.SemaphoreCommand("acquire", name, holder, weight), f"semaphore `{name}`")
    if got == "waiting":
        yield {"name": "semaphore:waiting", "payload": {"semaphore": name, "weight": weight}}
        held = _hold_on(
            ctx,
            lambda w: name in w.semaphores and holder in w.semaphores[name].holders,
            wait,
            cancelled,
        )
        if not held:
            ctx.ask(i.SemaphoreCommand("leave", name, holder))
            raise RemoteError(
                "timeout" if wait > 0 else "conflict",
                f"semaphore `{name}` has no room for {weight}",
            )
        got = "granted"
    return {"semaphore": name, "holder": holder, "weight": weight, "result": got}


def _drain(events: Events) -> Any:
    """The `end` result of a stream whose events nobody reads."""
    while True:
        try:
            next(events)
        except StopIteration as stop:
            return stop.value


STREAMS = {"lock.acquire": lock_acquiring, "semaphore.acquire": semaphore_acquiring}


def semaphore_release(ctx: Ctx, params: Params) -> Any:
    name = text(params, "semaphore")
    holder = _holder(ctx, params)
    ctx.ask(
        i.SemaphoreCommand("release", name, holder), f"semaphore `{name}` is not held by `{holder}`"
    )
    return {"semaphore": name, "released": holder}


# -- sessions, workspaces, events, escalations ------------------------------------------------


def session_command(verb: str) -> Callable[[Ctx, Params], Any]:
    def run(ctx: Ctx, params: Params) -> Any:
        name = ctx.session(text(params, "session"), live_only=True)
        message = text(params, "message", required=False)
        capture = params.get("capture", True) is not False
        ctx.ask(i.SessionCommand(verb, name, message, capture), f"session `{name}`")
        return {"session": name, "verb": verb}

    return run


def workspace_create(ctx: Ctx, params: Params) -> Any:
    name = text(params, "name")
    inp = i.WorkspaceCommand(
        "create",
        workspace=name,
        branch=text(params, "branch", required=False),
        base=text(params, "base", required=False),
    )
    return ctx.ask(inp, f"workspace `{name}`")


def workspace_remove(ctx: Ctx, params: Params) -> Any:
    wid = ctx.workspace_id(text(params, "workspace"))
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
    given = text(params, "workspace", required=False)
    wid = ctx.workspace_id(given) if given else ""
    inp = i.WorkspaceCommand(
        "merge",
        workspace=wid,
        path="" if wid else given,
        branch=text(params, "branch"),
        into=text(params, "into"),
        strategy=text(params, "strategy", required=False) or "ff",
        run=text(params, "run", required=False),
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
    path = text(params, "path")
    if not Path(path).is_dir():
        raise RemoteError("invalid", f"`{path}` is not a directory")
    branch = text(params, "branch", required=False)
    if not branch:
        try:
            branch = ctx.engine.adapters.repo.current_branch(Path(path)) or ""
        except Exception as exc:  # not a worktree of this repository
            raise RemoteError("invalid", f"`{path}` is not a git worktree: {exc}") from None
    inp = i.WorkspaceCommand(
        "adopt", workspace=text(params, "name", required=False), path=path, branch=branch
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
