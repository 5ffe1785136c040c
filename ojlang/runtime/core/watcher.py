"""Watcher machine (RUNTIME.md §3.11): checks (timer, `wake_on`, cron tick) in; episodes per
record and their response ladder (actions and verbs) out.

Theory of operation. A watcher is `active` or `paused`. Each check reads records (core sources
from `World`, shell sources through `RunShell(source)`) and tests the condition per record.
A record that meets it starts an episode (`watcher:triggered`): response 0 fires after its
delay; a later response without `requires_previous_failure` follows right after the one
before it; one with it waits until the one before it failed — the record still meets the
condition at the next check. A response `:N` may fire N times before the ladder moves on.
When nothing is left, the episode is `exhausted` (`watcher:escalated`, with an escalation
unless the last response was `escalate`) and fires nothing more until it resolves. A record
that no longer meets the condition ends its episode (`watcher:resolved`). The response index
never decreases within an episode.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from ojlang.runtime.core import action, escalation, subs
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve, later
from ojlang.runtime.core.effects import RunShell
from ojlang.runtime.core.graph import Watcher
from ojlang.runtime.core.patterns import render_pattern
from ojlang.runtime.core.records import core_records, failing, meets, parse_shell
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, render_template

TABLE = (
    Transition("active", "check", "", "active", "records from World or RunShell(source)"),
    Transition(
        "quiet", "record", "meets condition", "delaying(0) / responding(0)", "watcher:triggered"
    ),
    Transition("delaying", "timer", "", "responding(i)", "trigger response i"),
    Transition("responding", "record", "still meets, next response exists", "delaying(i+1)", ""),
    Transition("responding", "record", "still meets, none left", "exhausted", "watcher:escalated"),
    Transition("*", "record", "no longer meets", "removed", "watcher:resolved"),
    Transition("active", "disable", "", "paused", "cancel timers, watcher:paused"),
    Transition("paused", "enable", "", "active", "watcher:resumed"),
    Transition("paused", "check", "", "paused", "ignored"),
    Transition("active", "records", "shell condition", "active", "RunShell(probe) per record"),
    Transition("active", "probe results", "all in", "active", "records judged, check ended"),
)


@attrs.frozen(slots=False)
class Episode:
    record: dict[str, Any]
    state: str = "responding"  # delaying responding exhausted
    index: int = 0
    uses: int = 0


@attrs.frozen(slots=False)
class WatcherState:
    key: str
    state: str = "active"
    episodes: dict[str, Episode] = attrs.Factory(dict)
    streaks: dict[str, int] = attrs.Factory(dict)
    event_count: int = 0
    event_last_us: int = 0
    event_texts: tuple[str, ...] = ()
    polling: bool = False  # a check is in flight (a source read or condition probes)
    waiters: tuple[str, ...] = later(())  # crons whose tick waits for the check in flight
    probes: dict[str, str] = later(factory=dict)  # condition effect id → record id
    records: tuple[dict[str, Any], ...] = later(())  # the records under test
    met: tuple[str, ...] = later(())  # ids of the records whose condition held


def _defn(tx: Tx, key: str) -> Watcher:
    return tx.graph.watchers[key]


def _put(tx: Tx, w: WatcherState) -> WatcherState:
    tx.set(watchers=tx.world.watchers.set(w.key, w))
    return w


def _name(key: str) -> str:
    return key.rpartition(".")[2]


def _scope(tx: Tx, defn: Watcher) -> dict[str, Any]:
    rb = tx.graph.runbooks.get(defn.runbook)
    return {
        "config": rb.config if rb else {},
        "env": tx.graph.settings.env,
        "project": tx.graph.settings.project_root,
        "runbook": defn.runbook,
    }


def init(tx: Tx, key: str, previous: WatcherState | None) -> None:
    defn = _defn(tx, key)
    library = defn.runbook in tx.graph.runbooks and tx.graph.runbooks[defn.runbook].library
    w = previous or WatcherState(key, "active" if defn.enabled and not library else "paused")
    _put(tx, w)
    subs.remove_all(tx, f"watcher:{key}")
    patterns = [p.text for p in defn.wake_on]
    for text in patterns:
        try:
            subs.add(tx, render_pattern(text, _scope(tx, defn)), f"watcher:{key}")
        except RenderError as exc:
            tx.log("warning", f"watcher `{key}` wake_on `{text}`: {exc}")
    if defn.source.type == "events":
        subs.add(tx, defn.source.pattern, f"watcher-events:{key}")
    if w.state == "active" and f"watcher:{key}:check" not in tx.world.timers:
        tx.set_timer(f"watcher:{key}:check", tx.now + defn.check_interval_us)


def on_event(tx: Tx, key: str, text: str) -> None:
    """An event matched an `events` source: count it for the next check."""
    w = tx.world.watchers[key]
    _put(
        tx,
        evolve(
            w,
            event_count=w.event_count + 1,
            event_last_us=tx.now,
            event_texts=(*w.event_texts, text)[-50:],
        ),
    )


def check(tx: Tx, key: str, by: str, waiter: str = "") -> None:
    """Check the records now; `waiter` (a cron key) is told when the check has ended."""
    w = tx.world.watchers[key]
    defn = _defn(tx, key)
    if w.state != "active":
        tx.ignored(w.state, "check")
        if waiter:
            _tell(tx, key, (waiter,))
        return
    if by == "timer":
        tx.set_timer(f"watcher:{key}:check", tx.now + defn.check_interval_us)
    if waiter:
        w = _put(tx, evolve(w, waiters=(*w.waiters, waiter)))
    if w.polling:  # the check in flight answers the waiter too
        return
    src = defn.source
    if src.type == "command" or src.command is not None:
        try:
            script = (
                render_template(src.command, _scope(tx, defn)) if src.command is not None else ""
            )
        except RenderError as exc:
            tx.log("warning", f"watcher `{key}` source: {exc}")
            _ended(tx, key, f"source: {exc}")
            return
        _put(tx, evolve(w, polling=True))
        tx.io(RunShell("source", script, _root(tx), _env(tx, defn), 120.0, owner=f"watcher:{key}"))
        return
    if src.type == "events":
        last = tx.now - w.event_last_us if w.event_last_us else None
        records = [
            {
                "id": src.pattern,
                "count": w.event_count,
                "last": last,
                "text": "\n".join(w.event_texts),
            }
        ]
        _put(tx, evolve(w, event_count=0, event_texts=()))
    else:
        records = core_records(tx, src, tx.now)
    evaluate(tx, key, records)


def _root(tx: Tx) -> str:
    return tx.graph.settings.project_root


def _env(tx: Tx, defn: Watcher) -> dict[str, str]:
    """`OJ_*` variables of the watcher's helper shells (§L5.5)."""
    return {"OJ_PROJECT": _root(tx), "OJ_RUNBOOK": defn.runbook}


def on_source(tx: Tx, key: str, code: int | None, stdout: str, stderr: str) -> None:
    w = _put(tx, evolve(tx.world.watchers[key], polling=False))
    if w.state != "active":  # disabled while the source ran
        _ended(tx, key)
        return
    evaluate(tx, key, parse_shell(code, stdout, stderr))


def evaluate(tx: Tx, key: str, records: list[dict[str, Any]]) -> None:
    """Test the condition on every record (shell conditions: one probe each), then judge."""
    defn = _defn(tx, key)
    w = tx.world.watchers[key]
    streaks = {
        str(r.get("id")): (w.streaks.get(str(r.get("id")), 0) + 1 if failing(r) else 0)
        for r in records
    }
    w = _put(tx, evolve(w, streaks=streaks))
    cond = defn.condition
    if cond.shell is None:
        met = {
            str(r.get("id")): r for r in records if meets(tx, cond, r, streaks[str(r.get("id"))])
        }
        _judge(tx, key, met)
        return
    scope = _scope(tx, defn)
    probes: dict[str, str] = {}
    for rec in records:
        try:
            script = render_template(cond.shell, {**rec, **scope, "record": rec})
        except RenderError as exc:  # a condition that does not render is not met
            tx.log("warning", f"watcher `{key}` condition for `{rec.get('id')}`: {exc}")
            continue
        eid = tx.io(
            RunShell("probe", script, _root(tx), _env(tx, defn), 120.0, owner=f"watcher:{key}")
        )
        probes[eid] = str(rec.get("id"))
    if not probes:
        _judge(tx, key, {})
        return
    _put(tx, evolve(w, polling=True, probes=probes, records=tuple(records), met=()))


def on_probe(tx: Tx, key: str, eid: str, code: int | None) -> None:
    """One record's shell condition answered (exit 0 = met); the last answer judges them."""
    w = tx.world.watchers[key]
    probes = {k: v for k, v in w.probes.items() if k != eid}
    met = (*w.met, w.probes[eid]) if code == 0 else w.met
    w = _put(tx, evolve(w, probes=probes, met=met))
    if probes:
        return
    held = {str(r.get("id")): r for r in w.records if str(r.get("id")) in met}
    w = _put(tx, evolve(w, polling=False, records=(), met=()))
    if w.state != "active":  # disabled while the probes ran
        _ended(tx, key)
        return
    _judge(tx, key, held)


def is_probe(tx: Tx, key: str, eid: str) -> bool:
    return eid in tx.world.watchers[key].probes


def _judge(tx: Tx, key: str, met: dict[str, dict[str, Any]]) -> None:
    """Episodes for the records that met the condition: start, continue or resolve them."""
    w = tx.world.watchers[key]
    for rid, ep in sorted(w.episodes.items()):
        if rid not in met:
            _resolve(tx, key, rid, ep)
    for rid, rec in met.items():
        cur = tx.world.watchers[key].episodes.get(rid)
        if cur is None:
            tx.emit("watcher:triggered", _name(key), watcher=_name(key), record=rec)
            _schedule(tx, key, rid, Episode(rec, index=0))
        elif cur.state == "responding":
            _advance(tx, key, rid, evolve(cur, record=rec))
    _ended(tx, key)


def _ended(tx: Tx, key: str, error: str = "") -> None:
    """The check ended: tell the crons that waited for it."""
    w = tx.world.watchers[key]
    if w.waiters:
        _put(tx, evolve(w, waiters=()))
        _tell(tx, key, w.waiters, error)


def _tell(tx: Tx, key: str, crons: tuple[str, ...], error: str = "") -> None:
    from ojlang.runtime.core import cron  # cron starts checks: it imports this module

    for c in crons:
        cron.part_done(tx, c, f"watcher:{key}", error)


def _set_episode(tx: Tx, key: str, rid: str, ep: Episode | None) -> None:
    w = tx.world.watchers[key]
    eps = {k: v for k, v in w.episodes.items() if k != rid}
    if ep is not None:
        eps[rid] = ep
    _put(tx, evolve(w, episodes=eps))


def _resolve(tx: Tx, key: str, rid: str, ep: Episode) -> None:
    tx.cancel_timer(f"watcher:{key}:ep:{rid}")
    _set_episode(tx, key, rid, None)
    escalation.moot(tx, f"watcher:{key}:{rid}")
    tx.emit("watcher:resolved", _name(key), watcher=_name(key), record=ep.record)


def _schedule(tx: Tx, key: str, rid: str, ep: Episode) -> None:
    """Fire response `ep.index` now, or after its delay."""
    responses = _defn(tx, key).response
    if ep.index >= len(responses):
        _exhaust(tx, key, rid, ep)
        return
    delay = responses[ep.index].delay_us
    if delay:
        _set_episode(tx, key, rid, evolve(ep, state="delaying"))
        tx.set_timer(f"watcher:{key}:ep:{rid}", tx.now + delay)
        return
    _fire(tx, key, rid, ep)


def _fire(tx: Tx, key: str, rid: str, ep: Episode) -> None:
    defn = _defn(tx, key)
    resp = defn.response[ep.index]
    ep = evolve(ep, state="responding", uses=ep.uses + 1)
    _set_episode(tx, key, rid, ep)
    ok = action.respond(tx, resp, source=_name(key), record=ep.record, scope=_scope(tx, defn))
    nxt = ep.index + 1
    if not ok or (nxt < len(defn.response) and not defn.response[nxt].requires_previous_failure):
        _advance(tx, key, rid, ep)


def _advance(tx: Tx, key: str, rid: str, ep: Episode) -> None:
    """The current response failed (or the next one need not wait): move along the ladder."""
    resp = _defn(tx, key).response
    if ep.index < len(resp) and ep.uses < resp[ep.index].count:
        _schedule(tx, key, rid, ep)
        return
    _schedule(tx, key, rid, evolve(ep, index=ep.index + 1, uses=0))


def _exhaust(tx: Tx, key: str, rid: str, ep: Episode) -> None:
    defn = _defn(tx, key)
    _set_episode(tx, key, rid, evolve(ep, state="exhausted"))
    tx.emit("watcher:escalated", _name(key), watcher=_name(key), record=ep.record)
    if not defn.response or defn.response[-1].action != "escalate":
        reason = f"watcher `{_name(key)}` ran out of responses for `{rid}`"
        escalation.open_(tx, "watcher_exhausted", f"watcher:{key}:{rid}", _name(key), reason)


def on_timer(tx: Tx, key: str, which: str) -> None:
    if which == "check":
        check(tx, key, "timer")
        return
    rid = which[3:]  # `ep:RECORD`
    _fire(tx, key, rid, tx.world.watchers[key].episodes[rid])


def command(tx: Tx, key: str, verb: str) -> None:
    w = tx.world.watchers[key]
    if verb == "disable" and w.state == "active":
        tx.cancel_timer(f"watcher:{key}:check")
        for rid in sorted(w.episodes):
            tx.cancel_timer(f"watcher:{key}:ep:{rid}")
        _put(tx, evolve(w, state="paused", episodes={}))
        tx.emit("watcher:paused", _name(key), watcher=_name(key))
    elif verb == "enable" and w.state == "paused":
        _put(tx, evolve(w, state="active"))
        tx.set_timer(f"watcher:{key}:check", tx.now + _defn(tx, key).check_interval_us)
        tx.emit("watcher:resumed", _name(key), watcher=_name(key))
    else:
        tx.ignored(w.state, verb)


def record_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
