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
from ojlang.runtime.core.graph import Phase, Pipeline
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


def enter(tx: Tx, run: Run, name: str, pipe: Pipeline | None = None) -> None:
    """Enter phase `name`; `run` may be unwritten (the step that waits writes it)."""
    if pipe is None:
        pipe = tx.pipeline(run)
    defn = pipe.by_name[name]
    visits = run.attempts.get(name, 0) + 1
    settings = tx.graph.settings
    limit = min(defn.max_visits or settings.max_phase_visits, settings.max_phase_visits)
    if visits > limit:
        run = put(tx, evolve(run, phase=name, step="", child=""))
        pl.escalate(tx, run, f"enter: phase `{name}` exceeded {limit} visits")
        return
    run = tx.edit_run(
        run,
        state="running",
        phase=name,
        step="pre",
        index=0,
        child="",
        recovering=False,
        attempts={**run.attempts, name: visits},
        phase_since_us=tx.now,
    )
    payload = pl.payload(tx, run, pipe)
    payload["attempt"] = visits
    tx.emit_event("pipeline:phase", run.name, payload)
    advance(tx, run, defn, pipe)


def _cwd(tx: Tx, run: Run, defn: Phase) -> str:
    if defn.cwd is None:
        return run.workspace or tx.graph.settings.project_root
    return render_template(defn.cwd, scope(tx, run))


def _fence(run: Run, lock_name: str | None) -> Fence | None:
    return Fence(lock_name, run.lock_token) if lock_name and run.holds_lock else None


def _start_guard(tx: Tx, run: Run, key: str, phase_name: str, defn: Phase) -> None:
    """Start the guard instance; the run is written with it as its child (guard instances never
    change their owner run synchronously, so `run` is current)."""
    cwd = _cwd(tx, run, defn)
    gid = guard.start(
        tx, key, run.id, phase_name, scope(tx, run, guard=key.rpartition(".")[2]), cwd, env(tx, run)
    )
    tx.put_run(evolve(run, child=gid))


def advance(tx: Tx, run: Run, defn: Phase | None = None, pipe: Pipeline | None = None) -> None:
    """Execute steps from `run.step` until one must wait; records the step it waits in.
    `run` may be unwritten: every step that waits writes it."""
    if defn is None:
        defn = phase_of(tx, run)
    step = run.step
    if step in ("pre", "post"):
        guards = defn.pre if step == "pre" else defn.post
        if run.index < len(guards):
            _start_guard(tx, run, guards[run.index], run.phase, defn)
            return
        if step == "post":
            pl.route(tx, release(tx, run, defn, write=False), ok=True)
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
    _act(tx, run, defn, pipe)


def _wait(tx: Tx, run: Run, on: str, name: str) -> None:
    if run.state != "waiting":
        run = put(tx, evolve(run, state="waiting"))
        tx.emit("pipeline:waiting", run.name, **pl.payload(tx, run), on=on, waiting_for=name)


def _resume(tx: Tx, run: Run) -> Run:
    if run.state in ("waiting", "escalated"):
        run = put(tx, evolve(run, state="running", escalation=""))
        tx.emit("pipeline:resumed", run.name, **pl.payload(tx, run), by="core")
    return run


def _act(tx: Tx, run: Run, defn: Phase, pipe: Pipeline | None = None) -> None:
    """Start the action (the run is written here: earlier steps may leave it unwritten)."""
    action = defn.action
    if action == "none":
        advance(tx, put(tx, evolve(run, step="post", index=0)), defn)
        return
    run = tx.edit_run(run, step="act")
    try:
        cwd = run.workspace if defn.cwd is None and run.workspace else _cwd(tx, run, defn)
        if action == "run":
            assert defn.run is not None
            pieces = defn.run.pieces
            if len(pieces) == 1 and not pieces[0].path:
                script = pieces[0].text
            else:
                script = render_template(defn.run, scope(tx, run))
    except RenderError as exc:
        fail(tx, tx.put_run(run), f"template error: {exc}")
        return
    timeout = defn.timeout_us
    if action == "run":
        t = None if timeout is None else timeout / 1e6
        fence = None if defn.lock is None else _fence(run, defn.lock)
        child = tx.io(
            RunShell(
                "phase", script, cwd, env(tx, run, pipe), t, owner=f"run:{run.id}", fence=fence
            )
        )
        tx.put_run(tx.edit_run(run, child=child))
    else:
        tx.put_run(run)
        if action == "task":
            assert defn.task is not None
            child = task.start(
                tx, defn.task, owner(run), run.id, run.phase, scope(tx, run), env(tx, run)
            )
        else:
            assert defn.strategy is not None
            child = strategy.start(
                tx,
                defn.strategy,
                run.id,
                run.phase,
                scope(tx, run),
                cwd,
                env(tx, run),
                timeout,
                _fence(run, defn.lock),
            )
        put(tx, evolve(tx.world.runs[run.id], child=child))
    if timeout is not None and action != "run":
        tx.set_timer(f"run:{run.id}:timeout", tx.now + timeout)


def start_recovery(tx: Tx, run: Run, key: str) -> None:
    """`on_fail = strategy:S`: run S in this phase as recovery (its verdict routes as the act)."""
    defn = phase_of(tx, run)
    sc = scope(tx, run)
    run = put(tx, evolve(run, state="running", step="act", recovering=True))
    child = strategy.start(
        tx, key, run.id, run.phase, sc, _cwd(tx, run, defn), env(tx, run), defn.timeout_us, None
    )
    put(tx, evolve(tx.world.runs[run.id], child=child))


def on_guard(tx: Tx, run: Run, verdict: str, payload: dict[str, Any]) -> None:
    """The verdict of the guard instance the run waits on (routing checked it is its child)."""
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
    blocked = pipeline_of(tx, run).phase("blocked")
    if run.index < len(blocked.pre):
        _start_guard(tx, run, blocked.pre[run.index], "blocked", blocked)
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
    pipe = tx.pipeline(run)
    defn = pipe.by_name[run.phase]
    if defn.timeout_us is not None:
        tx.cancel_timer(f"run:{run.id}:timeout")
    if run.state != "running":
        run = _resume(tx, run)
    if not ok:
        fail(tx, put(tx, evolve(run, child="")), error)
        return
    if defn.post:
        advance(tx, put(tx, evolve(run, child="", step="post", index=0)), defn)
    else:  # no post guards: release and route at once
        pl.route(tx, release(tx, run, defn, False, child="", index=0), True, pipe, defn)


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


def release(tx: Tx, run: Run, defn: Phase | None = None, write: bool = True, **changes: Any) -> Run:
    """Release the slot, then the lock; leave any wait queue. Returns the run out of its phase
    step with `changes` applied; written unless `write` is false (the caller routes it)."""
    if defn is None:
        defn = phase_of(tx, run)
    rid = run.id
    if defn.semaphore is not None:
        if run.holds_slot:
            semaphore.release(tx, defn.semaphore, rid)
        else:
            semaphore.leave(tx, defn.semaphore, rid)
    if defn.lock is not None:
        if run.holds_lock:
            lock.release(tx, defn.lock, rid)
        else:
            lock.leave(tx, defn.lock, rid)
    if defn.timeout_us is not None:
        tx.cancel_timer(f"run:{rid}:timeout")
    current = run if changes or not write else tx.world.runs[rid]
    current = tx.edit_run(current, holds_lock=False, holds_slot=False, step="", **changes)
    return tx.put_run(current) if write else current


def fail(tx: Tx, run: Run, reason: str) -> None:
    step = run.step or "enter"
    stop_child(tx, run)
    release(tx, tx.world.runs[run.id])
    run = put(tx, evolve(tx.world.runs[run.id], error=f"{step}: {reason}"))
    pl.route(tx, run, ok=False)
