"""Phase execution (RUNTIME.md §3.2, §L6.3): a run entering a phase in, the step sequence
enter → pre guards → lock → slot → act → post guards → release out, as effects and events.

Theory of operation. `run.step` records where a run is inside its phase, so a restart resumes
exactly there. `advance` executes steps until one must wait (a guard verdict, a lock or slot
grant, the action's result); the answers come back as routed events or results and call the
`on_*` functions here, which advance again. Resources are held only between `lock` and
`release`, and the lock is always taken before the slot, so no wait-for cycle can form. Any
failure releases the slot, then the lock, records `error = "<step>: <reason>"` and lets the
pipeline route the failure (`on_fail`). The `blocked` gate (§L6.2) evaluates the pre guards of
phase `blocked` in step `gate`; the first waiting verdict moves the run into `blocked`.
"""

from __future__ import annotations

from typing import Any

from ojlang.runtime.core import guard, lock, semaphore, strategy, task
from ojlang.runtime.core import pipeline as pl
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import Fence, KillProcessGroup, RunShell
from ojlang.runtime.core.run import Run, env, owner, phase_of, pipeline_of, put, scope
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_template

TABLE = (
    Transition("enter", "-", "max_visits exceeded", "escalated", "pipeline:escalated"),
    Transition("enter", "-", "", "pre[0] or lock", "attempts+=1, pipeline:phase"),
    Transition("pre", "guard:passed", "more guards", "pre[i+1], else lock", ""),
    Transition("pre", "guard:waiting", "", "pre[i] (run waiting)", "pipeline:waiting{guard}"),
    Transition("pre", "guard:failed", "", "fail(pre)", ""),
    Transition("pre", "guard:timeout", "escalate", "pre[i] (run escalated)", "pipeline:escalated"),
    Transition("lock", "-", "phase has a lock", "lock waiting, or slot on grant", "lock acquire"),
    Transition("lock", "lock:acquired", "waiting", "slot", "pipeline:resumed"),
    Transition(
        "slot", "-", "phase has a semaphore", "slot waiting, or act on grant", "semaphore acquire"
    ),
    Transition("slot", "semaphore:acquired", "waiting", "act", "pipeline:resumed"),
    Transition("act", "-", "run", "waits for shell:exited", "RunShell(phase)"),
    Transition("act", "-", "task", "waits for the task run", "task run"),
    Transition("act", "-", "strategy", "waits for the strategy", "strategy instance"),
    Transition("act", "result", "success", "post[0] or release", ""),
    Transition("act", "result", "failure or timeout", "fail(act)", ""),
    Transition("act", "strategy:exhausted", "escalate / phase P", "escalated / edge to P", ""),
    Transition("post", "guard:passed", "more guards", "post[i+1], else release", ""),
    Transition("post", "guard:waiting", "", "post[i] (run waiting)", "pipeline:waiting{guard}"),
    Transition("post", "guard:failed", "", "fail(post)", ""),
    Transition("gate", "guard:passed", "more guards", "gate[i+1], else the target phase", ""),
    Transition(
        "gate", "guard:waiting", "", "phase blocked, pre[i]", "pipeline:phase, pipeline:blocked"
    ),
    Transition("*", "lock:lost", "holds the lock", "fail(lock lost)", "stop the action"),
)


def enter(tx: Tx, run: Run, name: str) -> None:
    pipe = pipeline_of(tx, run)
    defn = pipe.phase(name)
    visits = run.attempts.get(name, 0) + 1
    limit = min(
        defn.max_visits or tx.graph.settings.max_phase_visits, tx.graph.settings.max_phase_visits
    )
    if visits > limit:
        run = put(tx, evolve(run, phase=name, step="", child=""))
        pl.escalate(tx, run, f"enter: phase `{name}` exceeded {limit} visits")
        return
    run = put(
        tx,
        evolve(
            run,
            state="running",
            phase=name,
            step="pre",
            index=0,
            child="",
            recovering=False,
            attempts={**run.attempts, name: visits},
            phase_since_us=tx.now,
        ),
    )
    tx.emit("pipeline:phase", run.name, **pl.payload(tx, run), attempt=visits)
    advance(tx, run)


def _cwd(tx: Tx, run: Run) -> str:
    cwd = phase_of(tx, run).cwd
    if cwd is None:
        return run.workspace or tx.graph.settings.project_root
    return render_template(cwd, scope(tx, run))


def _fence(run: Run, lock_name: str | None) -> Fence | None:
    return Fence(lock_name, run.lock_token) if lock_name and run.holds_lock else None


def _start_guard(tx: Tx, run: Run, key: str, phase_name: str) -> None:
    cwd = _cwd(tx, run)
    gid = guard.start(
        tx, key, run.id, phase_name, scope(tx, run, guard=key.rpartition(".")[2]), cwd, env(tx, run)
    )
    put(tx, evolve(tx.world.runs[run.id], child=gid))


def advance(tx: Tx, run: Run) -> None:
    """Execute steps from `run.step` until one must wait; records the step it waits in."""
    defn = phase_of(tx, run)
    step = run.step
    if step in ("pre", "post"):
        guards = defn.pre if step == "pre" else defn.post
        if run.index < len(guards):
            _start_guard(tx, run, guards[run.index], run.phase)
            return
        if step == "post":
            release(tx, run)
            pl.route(tx, tx.world.runs[run.id], ok=True)
            return
        step = "lock"
    if step == "lock" and defn.lock is not None and not run.holds_lock:
        run = put(tx, evolve(run, step="lock"))
        if lock.acquire(tx, defn.lock, run.id, run.phase) == "waiting":
            _wait(tx, run, "lock", defn.lock)
            return
        token = tx.world.locks[defn.lock].token
        run = put(tx, evolve(run, holds_lock=True, lock_token=token))
    if step in ("lock", "slot") and defn.semaphore is not None and not run.holds_slot:
        run = put(tx, evolve(run, step="slot"))
        if semaphore.acquire(tx, defn.semaphore, run.id) == "waiting":
            _wait(tx, run, "semaphore", defn.semaphore)
            return
        run = put(tx, evolve(run, holds_slot=True))
    _act(tx, run)


def _wait(tx: Tx, run: Run, on: str, name: str) -> None:
    if run.state != "waiting":
        run = put(tx, evolve(run, state="waiting"))
        tx.emit("pipeline:waiting", run.name, **pl.payload(tx, run), on=on, waiting_for=name)


def _resume(tx: Tx, run: Run) -> Run:
    if run.state in ("waiting", "escalated"):
        run = put(tx, evolve(run, state="running", escalation=""))
        tx.emit("pipeline:resumed", run.name, **pl.payload(tx, run), by="core")
    return run


def _act(tx: Tx, run: Run) -> None:
    defn = phase_of(tx, run)
    if defn.action == "none":
        advance(tx, put(tx, evolve(run, step="post", index=0)))
        return
    run = put(tx, evolve(run, step="act"))
    sc = scope(tx, run)
    try:
        cwd = _cwd(tx, run)
        if defn.action == "run":
            assert defn.run is not None
            script = render_template(defn.run, sc)
    except RenderError as exc:
        fail(tx, run, f"template error: {exc}")
        return
    fence = _fence(run, defn.lock)
    timeout = defn.timeout_us
    if defn.action == "run":
        t = None if timeout is None else timeout / 1e6
        child = tx.io(
            RunShell("phase", script, cwd, env(tx, run), t, owner=owner(run), fence=fence)
        )
    elif defn.action == "task":
        assert defn.task is not None
        child = task.start(tx, defn.task, owner(run), run.id, run.phase, sc, env(tx, run))
    else:
        assert defn.strategy is not None
        child = strategy.start(
            tx, defn.strategy, run.id, run.phase, sc, cwd, env(tx, run), timeout, fence
        )
    run = put(tx, evolve(tx.world.runs[run.id], child=child))
    if timeout is not None and defn.action != "run":
        tx.set_timer(f"run:{run.id}:timeout", tx.now + timeout)


def start_recovery(tx: Tx, run: Run, key: str) -> None:
    """`on_fail = strategy:S`: run S in this phase as recovery (its verdict routes as the act)."""
    defn = phase_of(tx, run)
    sc = scope(tx, run)
    run = put(tx, evolve(run, state="running", step="act", recovering=True))
    child = strategy.start(
        tx, key, run.id, run.phase, sc, _cwd(tx, run), env(tx, run), defn.timeout_us, None
    )
    put(tx, evolve(tx.world.runs[run.id], child=child))


def on_guard(tx: Tx, run: Run, verdict: str, payload: dict[str, Any]) -> None:
    if run.child != payload.get("instance") or run.step not in ("pre", "post", "gate"):
        tx.ignored(run.step, f"guard:{verdict}")
        return
    if verdict == "passed":
        run = _resume(tx, evolve(run, child="", index=run.index + 1))
        run = put(tx, run)
        if run.step == "gate":
            gate_next(tx, run)
        else:
            advance(tx, run)
    elif verdict == "waiting":
        if run.step == "gate":
            _enter_blocked(tx, run)
        else:
            _wait(tx, run, "guard", str(payload.get("guard", "")))
    elif verdict == "failed":
        put(tx, evolve(run, child=""))
        fail(tx, tx.world.runs[run.id], str(payload.get("error", "guard failed")))
    elif payload.get("on_timeout") == "escalate":
        run = put(tx, evolve(run, state="escalated", escalation=str(payload.get("escalation", ""))))
        tx.emit(
            "pipeline:escalated",
            run.name,
            **pl.payload(tx, run),
            escalation=run.escalation,
            error="guard timed out",
        )
    else:
        tx.ignored(run.step, "guard:timeout")


def gate(tx: Tx, run: Run, target: str) -> None:
    """Leaving `init` (or at creation): evaluate the `blocked` pre guards once (§L6.2)."""
    run = put(
        tx,
        evolve(run, state="running", phase="blocked", step="gate", index=0, gate_target=target),
    )
    gate_next(tx, run)


def gate_next(tx: Tx, run: Run) -> None:
    pre = pipeline_of(tx, run).phase("blocked").pre
    if run.index < len(pre):
        _start_guard(tx, run, pre[run.index], "blocked")
        return
    target = run.gate_target
    enter(tx, put(tx, evolve(run, gate_target="")), target)  # the gate opened: target used


def _enter_blocked(tx: Tx, run: Run) -> None:
    visits = run.attempts.get("blocked", 0) + 1
    run = put(
        tx,
        evolve(
            run,
            state="waiting",
            step="pre",
            attempts={**run.attempts, "blocked": visits},
            phase_since_us=tx.now,
        ),
    )
    tx.emit("pipeline:phase", run.name, **pl.payload(tx, run), attempt=visits)
    tx.emit("pipeline:blocked", run.name, **pl.payload(tx, run), guards=list(phase_of(tx, run).pre))


def on_granted(tx: Tx, run: Run, kind: str) -> None:
    """A lock or slot the run waited for was granted to it."""
    if (kind == "lock" and run.step != "lock") or (kind == "semaphore" and run.step != "slot"):
        tx.ignored(run.step, f"{kind}:acquired")
        return
    run = _resume(tx, run)
    if kind == "lock":
        name = phase_of(tx, run).lock
        assert name is not None
        run = put(
            tx,
            evolve(run, holds_lock=True, lock_token=tx.world.locks[name].token, step="slot"),
        )
    else:
        run = put(tx, evolve(run, holds_slot=True, step="act"))
    advance(tx, run)


def on_action(tx: Tx, run: Run, ok: bool, error: str = "") -> None:
    tx.cancel_timer(f"run:{run.id}:timeout")
    run = _resume(tx, run)
    if ok:
        advance(tx, put(tx, evolve(run, child="", step="post", index=0)))
    else:
        fail(tx, put(tx, evolve(run, child="")), error)


def stop_child(tx: Tx, run: Run) -> None:
    """Cancel whatever the run waits on in its current step."""
    if not run.child:
        return
    if run.child in tx.world.guards:
        guard.cancel(tx, run.child)
    elif run.child in tx.world.strategies:
        strategy.cancel(tx, run.child)
    elif run.child in tx.world.tasks:
        task.cancel(tx, run.child, "cancelled")
    elif run.child in tx.world.outbox:
        tx.io(KillProcessGroup(run.child, owner=owner(run)))
        tx.set(outbox=tx.world.outbox.delete(run.child))
    put(tx, evolve(tx.world.runs[run.id], child=""))


def release(tx: Tx, run: Run) -> None:
    """Release the slot, then the lock; leave any wait queue."""
    defn = phase_of(tx, run)
    if defn.semaphore is not None:
        if run.holds_slot:
            semaphore.release(tx, defn.semaphore, run.id)
        else:
            semaphore.leave(tx, defn.semaphore, run.id)
    if defn.lock is not None:
        if run.holds_lock:
            lock.release(tx, defn.lock, run.id)
        else:
            lock.leave(tx, defn.lock, run.id)
    tx.cancel_timer(f"run:{run.id}:timeout")
    current = tx.world.runs[run.id]
    if current.holds_lock or current.holds_slot or current.step:
        put(tx, evolve(current, holds_lock=False, holds_slot=False, step=""))


def fail(tx: Tx, run: Run, reason: str) -> None:
    step = run.step or "enter"
    stop_child(tx, run)
    release(tx, tx.world.runs[run.id])
    run = put(tx, evolve(tx.world.runs[run.id], error=f"{step}: {reason}"))
    pl.route(tx, run, ok=False)
