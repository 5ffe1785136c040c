"""Cron machine (RUNTIME.md §3.10): enable/disable/run commands and tick timers in; tick
effects (`RunShell(cron)`, then watchers, then scanners) and cron events out.

Theory of operation. `disabled`, `enabled{next_us}` or `running{tick}`. A tick runs `run`,
then checks the listed watchers and runs the listed scanners, one part after the other, in
order (§L3.3); a part that waits for effects (a shell source, probes, a listing) tells the cron
when it has ended (`part_done`), and the tick ends once every part has: `cron:completed`, or
`cron:failed` with the errors of the parts that failed. A timer that fires while a tick is
running is skipped (`cron:skipped{overlap}`), so two ticks never overlap. The next due time is
the previous due time plus the interval; ticks missed while the daemon was down coalesce into
one (`cron:triggered{missed}`).
"""

from __future__ import annotations

import attrs

from ojlang.runtime.core import scanner, watcher
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve, later
from ojlang.runtime.core.effects import RunShell
from ojlang.runtime.core.graph import Cron
from ojlang.runtime.core.ids import cron_tick_id
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_template

TABLE = (
    Transition("disabled", "enable", "", "enabled{now + interval}", "SetTimer, cron:enabled"),
    Transition("enabled", "disable", "", "disabled", "CancelTimer, cron:disabled"),
    Transition(
        "running", "disable", "", "disabled (the tick finishes)", "CancelTimer, cron:disabled"
    ),
    Transition(
        "enabled",
        "timer",
        "",
        "running{tick}",
        "cron:triggered, RunShell(cron), watchers, scanners",
    ),
    Transition("enabled", "run", "", "running", "same; schedule unchanged"),
    Transition("disabled", "run", "", "running", "same; schedule unchanged"),
    Transition("running", "timer", "", "running", "cron:skipped{overlap}; next due += interval"),
    Transition("running", "exited", "", "running", "first watcher check or scanner run"),
    Transition("running", "part done", "more parts", "running", "next part"),
    Transition("running", "part done", "all ok", "enabled{next} / disabled", "cron:completed"),
    Transition("running", "part done", "a part failed", "enabled{next} / disabled", "cron:failed"),
)


@attrs.frozen(slots=False)
class CronState:
    key: str
    state: str = "disabled"
    enabled: bool = False  # the schedule is on (also while a tick runs)
    next_us: int = 0
    ticks: int = 0
    tick_effect: str = ""
    operator: bool = False  # enable/disable override persisted over the file's value
    parts: tuple[str, ...] = later(())  # `watcher:KEY` / `scanner:KEY` left in this tick
    errors: tuple[str, ...] = later(())  # errors of the tick's parts so far


def _defn(tx: Tx, key: str) -> Cron:
    return tx.graph.crons[key]


def _put(tx: Tx, c: CronState) -> CronState:
    tx.set(crons=tx.world.crons.set(c.key, c))
    return c


def _name(key: str) -> str:
    return key.rpartition(".")[2]


def _timer(key: str) -> str:
    return f"cron:{key}:tick"


def init(tx: Tx, key: str, previous: CronState | None) -> None:
    defn = _defn(tx, key)
    if previous is not None:
        _put(tx, previous)
        return
    library = defn.runbook in tx.graph.runbooks and tx.graph.runbooks[defn.runbook].library
    c = _put(tx, CronState(key))
    if defn.enabled and not library:
        _enable(tx, c)


def _enable(tx: Tx, c: CronState) -> None:
    due = tx.now + _defn(tx, c.key).interval_us
    c = _put(
        tx,
        evolve(
            c, state="running" if c.state == "running" else "enabled", enabled=True, next_us=due
        ),
    )
    tx.set_timer(_timer(c.key), due)
    tx.emit("cron:enabled", _name(c.key), cron=_name(c.key))


def command(tx: Tx, key: str, verb: str) -> None:
    c = tx.world.crons[key]
    if verb == "enable":
        if not c.enabled:
            _enable(tx, evolve(c, operator=True))
    elif verb == "disable":
        if c.enabled:
            tx.cancel_timer(_timer(key))
            c = _put(
                tx,
                evolve(
                    c,
                    enabled=False,
                    operator=True,
                    state="running" if c.state == "running" else "disabled",
                ),
            )
            tx.emit("cron:disabled", _name(key), cron=_name(key))
    elif c.state == "running":  # run once now, but never overlap
        tx.emit("cron:skipped", _name(key), cron=_name(key), reason="overlap")
    else:
        _tick(tx, c, missed=0)


def on_timer(tx: Tx, key: str) -> None:
    c = tx.world.crons[key]
    interval = _defn(tx, key).interval_us
    missed = max(0, (tx.now - c.next_us) // interval)
    nxt = c.next_us + (missed + 1) * interval
    c = _put(tx, evolve(c, next_us=nxt))
    tx.set_timer(_timer(key), nxt)
    if c.state == "running":
        tx.emit("cron:skipped", _name(key), cron=_name(key), reason="overlap")
        return
    _tick(tx, c, missed)


def _tick(tx: Tx, c: CronState, missed: int) -> None:
    defn = _defn(tx, c.key)
    tick = cron_tick_id(_name(c.key), c.ticks + 1)
    c = _put(tx, evolve(c, state="running", ticks=c.ticks + 1, tick_effect=""))
    tx.emit("cron:triggered", _name(c.key), cron=_name(c.key), tick=tick, missed=missed)
    if defn.run is None:
        _finish(tx, c, None)
        return
    rb = tx.graph.runbooks.get(defn.runbook)
    scope = {
        "config": rb.config if rb else {},
        "env": tx.graph.settings.env,
        "project": tx.graph.settings.project_root,
        "runbook": defn.runbook,
    }
    try:
        script = render_template(defn.run, scope)
    except RenderError as exc:
        _finish(tx, c, str(exc))
        return
    root = tx.graph.settings.project_root
    env = {"OJ_PROJECT": root, "OJ_RUNBOOK": defn.runbook}
    eid = tx.io(RunShell("cron", script, root, env, None, owner=f"cron:{c.key}"))
    _put(tx, evolve(c, tick_effect=eid))


def on_exited(tx: Tx, key: str, code: int | None) -> None:
    c = tx.world.crons[key]
    _finish(tx, c, None if code == 0 else f"exited {code}")


def _finish(tx: Tx, c: CronState, error: str | None) -> None:
    """`run` ended: check the listed watchers, then run the listed scanners, one by one."""
    defn = _defn(tx, c.key)
    parts = tuple(f"watcher:{w}" for w in defn.watchers) + tuple(
        f"scanner:{s}" for s in defn.scanners
    )
    c = _put(tx, evolve(c, tick_effect="", parts=parts, errors=(error,) if error else ()))
    _next_part(tx, c)


def _next_part(tx: Tx, c: CronState) -> None:
    if not c.parts:
        _end_tick(tx, c)
        return
    kind, _, key = c.parts[0].partition(":")
    by = f"cron:{cron_tick_id(_name(c.key), c.ticks)}"
    if kind == "watcher" and key in tx.world.watchers:
        watcher.check(tx, key, by, waiter=c.key)
    elif kind == "scanner" and key in tx.world.scanners:
        scanner.scan(tx, key, by, waiter=c.key)
    else:  # removed by a reload since the tick started
        part_done(tx, c.key, c.parts[0], "")


def part_done(tx: Tx, key: str, part: str, error: str) -> None:
    """A watcher check or scanner run this cron waited for has ended."""
    c = tx.world.crons.get(key)
    if c is None or not c.parts or c.parts[0] != part:
        return  # the cron was removed, or did not wait for this part
    errors = (*c.errors, f"{part}: {error}") if error else c.errors
    _next_part(tx, _put(tx, evolve(c, parts=c.parts[1:], errors=errors)))


def _end_tick(tx: Tx, c: CronState) -> None:
    error = "; ".join(c.errors)
    c = _put(tx, evolve(c, state="enabled" if c.enabled else "disabled", errors=()))
    tick = cron_tick_id(_name(c.key), c.ticks)
    if error:
        tx.emit("cron:failed", _name(c.key), cron=_name(c.key), tick=tick, error=error)
    else:
        tx.emit("cron:completed", _name(c.key), cron=_name(c.key), tick=tick)
