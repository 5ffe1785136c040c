"""Timer dispatch: a fired timer id in, the owning machine's timer transition out.

Timer ids (absolute `due_us` in `World.timers`): `run:ID:retry|timeout`, `vis:QUEUE:CLAIM`,
`qpark:QUEUE:ITEM`, `qdead:QUEUE:ITEM`, `lock:NAME:stale`, `sem:NAME:HOLDER`,
`guard:GID:retry|deadline`, `strat:SID:timeout`, `task:TRID:WHICH`, `worker:KEY:idle`,
`cron:KEY:tick`, `watcher:KEY:check|ep:RECORD`, `scanner:KEY:scan`, `action:KEY:cooldown|then`,
`esc:ID:timeout`.
"""

from __future__ import annotations

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
)
from ojlang.runtime.core import pipeline as pl
from ojlang.runtime.core import queue as q
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.effects import KillProcessGroup, KillSession, RunShell
from ojlang.runtime.core.routing import live_run
from ojlang.runtime.core.run import Run, put


def fire(tx: Tx, tid: str) -> None:
    kind, _, rest = tid.partition(":")
    head, _, tail = rest.partition(":")
    ident, _, which = rest.rpartition(":")
    if kind == "run":
        _run(tx, ident, which)
    elif kind == "vis":  # settling a claim cancels its timer: the claim is current
        item = q.get(tx, head).items[tail.rpartition("~")[0]]
        tx.emit(
            "queue:item:released",
            head,
            queue=head,
            item=item.id,
            attempts=item.attempts,
            reason="visibility timeout",
        )
        q.fail(tx, head, tail, "visibility timeout")
    elif kind == "qpark":
        q.retry(tx, head, tail)
    elif kind == "qdead":
        q.delete(tx, head, tail)
    elif kind == "lock":
        holder = lock.on_timer(tx, head)
        if holder is not None:
            on_stale(tx, head, holder)
    elif kind == "sem":
        word = semaphore.on_timer(tx, head, tail)
        _orphan(tx, head, tail, word)
    elif kind == "guard":
        inst = tx.world.guards[ident]
        tx.pinned = tx.world.runs[inst.owner].graph_hash
        guard.on_timer(tx, inst, which)
    elif kind == "strat":
        inst_s = tx.world.strategies[ident]
        tx.pinned = tx.world.runs[inst_s.owner].graph_hash
        strategy.on_timeout(tx, inst_s)
    elif kind == "task":
        tr = tx.world.tasks[ident]
        tx.pinned = tx.world.runs[tr.run].graph_hash if tr.run in tx.world.runs else ""
        task.on_timer(tx, tr, which)
    elif kind == "worker":
        worker.wake(tx, head, "timer")
    elif kind == "cron":
        cron.on_timer(tx, head)
    elif kind == "watcher":
        watcher.on_timer(tx, head, tail)
    elif kind == "scanner":
        scanner.scan(tx, head, "timer")
    elif kind == "esc":
        escalation.expire(tx, head)
    else:  # action
        action.on_timer(tx, head, tail)


def _run(tx: Tx, rid: str, which: str) -> None:
    run = tx.world.runs[rid]  # a run's timers are cancelled when it ends
    tx.pinned = run.graph_hash
    if which == "retry":
        phase.enter(tx, run, run.phase)
    else:  # the phase timeout of a task or strategy action
        phase.fail(tx, run, "timed out")


def on_stale(tx: Tx, name: str, holder: str) -> None:
    """Run the lock's `on_stale` sequence for a live holder (§3.5)."""
    run = live_run(tx, holder)
    for word in tx.graph.locks[name].on_stale if name in tx.graph.locks else ():
        current = tx.world.locks[name]
        if current.holder != holder:
            break
        if word.word == "release":
            lock.release(tx, name, holder, force=True, lost=True)
        elif word.word == "escalate":
            escalation.open_(
                tx, "lock_stale", f"lock:{name}", name, f"lock `{name}` held by `{holder}` is stale"
            )
        elif run is None:
            continue  # rollback/cleanup/fail need a run holder
        elif word.word == "fail":
            phase.fail(tx, run, "lock stale")
        elif word.word == "cleanup":
            _stop_action(tx, run)
        else:  # rollback
            _rollback(tx, run)


def _stop_action(tx: Tx, run: Run) -> None:
    if run.child in tx.world.tasks:
        tr = tx.world.tasks[run.child]
        tx.io(KillSession(tr.session, owner=f"task:{tr.id}"))
    elif run.child in tx.world.outbox:
        tx.io(KillProcessGroup(run.child, owner=f"run:{run.id}"))


def _rollback(tx: Tx, run: Run) -> None:
    inst = tx.world.strategies.get(run.child)
    if inst is None:
        return
    att = tx.graph.strategies[inst.strategy].attempts[
        min(inst.k, len(tx.graph.strategies[inst.strategy].attempts) - 1)
    ]
    if att.rollback is not None:
        from ojlang.runtime.core.templates import render_template

        script = render_template(
            att.rollback, {**inst.scope, "checkpoint": inst.checkpoint, "attempt_name": att.name}
        )
        tx.io(RunShell("rollback", script, inst.cwd, inst.env, 120.0, owner="hook"))


def _orphan(tx: Tx, name: str, holder: str, word: str | None) -> None:
    if word is None or word == "wait":
        return
    if word == "escalate":
        escalation.open_(
            tx, "slot_orphaned", f"slot:{name}:{holder}", name, f"slot of `{holder}` is orphaned"
        )
        return
    run = live_run(tx, holder)
    if run is None:
        return
    work = tx.graph.semaphores[name].on_orphan_work
    run = put(tx, evolve(run, holds_slot=False))
    if work == "fail":
        phase.fail(tx, run, "slot orphaned")
    elif work == "escalate":
        phase.stop_child(tx, run)
        phase.release(tx, tx.world.runs[run.id])
        pl.escalate(tx, tx.world.runs[run.id], "slot orphaned")
    else:
        pl.end_by_word(tx, run, work)
