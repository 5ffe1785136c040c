"""Queue machine (RUNTIME.md §3.4): queue state + push/claim/settle/timers → new state and events.

Theory of operation. Every pushed item is in exactly one state: `ready`, `claimed`, `parked`,
`done`, `dead` or `dropped`. A claim takes the first ready item in queue order that passes the
filter, counts an attempt, and issues claim id `ITEM~N` (N = claims ever made on the item), which
is also its fencing token; a visibility timer `vis:CLAIM` returns it. `complete`/`fail`/
`release`/`extend` with a claim that is not current answer `stale_claim` and change nothing, so
no item completes twice. Failures retry until `max_retries` is used up, then `on_exhaust`
applies (`dead`, `escalate` → parked, `wait[:D]` → parked, `abandon` → done). A live item's
dedupe key (its `id`/`name`, else a hash of its data) blocks duplicates. A filter that calls a
`[functions]` entry needs input: the item is skipped while the call's shell runs (one shell
per distinct call and item, `fncalls.py`), the answer is cached on the item for 30 s, and the
queue's workers try to claim again (`on_call`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import attrs
from immutables import Map

from ojlang.runtime.core import escalation, expr, fncalls
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.data import evolve, later
from ojlang.runtime.core.effects import RunShell
from ojlang.runtime.core.fncalls import CallResult
from ojlang.runtime.core.graph import ChainWord, OrderKey, Queue
from ojlang.runtime.core.ids import claim_id, item_id, short_hash
from ojlang.runtime.core.table import Transition
from ojlang.runtime.core.templates import RenderError, lookup, render_template

TABLE = (
    Transition("-", "push", "no live duplicate", "ready", "queue:item:added"),
    Transition("-", "push", "live duplicate", "(existing)", "queue:item:deduped"),
    Transition("done", "push", "same id", "ready, attempts 0", "queue:item:added"),
    Transition("dead", "push", "same id", "ready, attempts 0", "queue:item:added"),
    Transition("dropped", "push", "same id", "ready, attempts 0", "queue:item:added"),
    Transition(
        "ready",
        "claim",
        "filter true, first in order",
        "claimed",
        "SetTimer(vis), queue:item:claimed",
    ),
    Transition("claimed", "extend", "claim current", "claimed", "timer moved"),
    Transition("claimed", "complete", "claim current", "done", "queue:item:complete"),
    Transition(
        "claimed", "fail", "claim current, attempts <= max_retries", "ready", "queue:item:failed"
    ),
    Transition(
        "claimed",
        "fail",
        "retries used up",
        "per on_exhaust",
        "queue:item:deadlettered / parked / done",
    ),
    Transition(
        "claimed", "release", "claim current", "ready, attempt not counted", "queue:item:released"
    ),
    Transition(
        "claimed", "vis", "claim current", "as fail(visibility timeout)", "queue:item:released"
    ),
    Transition("dead", "retry", "", "ready, attempts 0", "queue:item:added{retry}"),
    Transition("parked", "retry", "", "ready, attempts 0", "queue:item:added{retry}"),
    Transition("done", "retry", "", "ready, attempts 0", "queue:item:added{retry}"),
    Transition("parked", "park", "wait:D elapsed", "ready, attempts 0", "queue:item:added{retry}"),
    Transition("ready", "drop", "", "dropped", "queue:item:dropped"),
    Transition("parked", "drop", "", "dropped", "queue:item:dropped"),
    Transition("done", "drop", "", "dropped", "queue:item:dropped"),
    Transition("dead", "drop", "", "dropped", "queue:item:dropped"),
    Transition("dead", "retention", "older than dead.retention", "deleted", ""),
    Transition("ready", "claim", "filter calls a function", "ready", "RunShell(function)"),
    Transition("parked", "escalation", "retry / dead / drop", "ready / dead / dropped", ""),
    Transition("ready", "function result", "", "ready, result cached 30 s", "claims retried"),
)
LIVE = frozenset({"ready", "claimed", "parked"})


@attrs.frozen(slots=False)
class Claim:
    id: str
    holder: str
    claimed_us: int
    visible_until_us: int


@attrs.frozen(slots=False)
class Item:
    id: str
    queue: str
    data: dict[str, Any]
    priority: int
    created_us: int
    arrival: int
    state: str = "ready"
    attempts: int = 0
    claim: Claim | None = None
    claims: int = 0
    dedupe_key: str = ""
    last_error: str = ""
    parked_until_us: int | None = None
    outcome: str = ""
    ended_us: int = 0
    calls: dict[str, CallResult] = later(factory=dict)  # filter function calls (§3.4)

    def fields(self) -> dict[str, Any]:
        """The item as templates and expressions see it (§L3.4 builtin fields)."""
        return {
            **self.data,
            "id": self.id,
            "priority": self.priority,
            "created_at": self.created_us,
            "attempts": self.attempts,
        }


@attrs.frozen(slots=False)
class QueueState:
    name: str
    items: Map[str, Item] = Map()
    arrivals: int = 0
    dedupe: Map[str, str] = Map()  # live dedupe key → item id
    calls: dict[str, tuple[str, str, str]] = later(factory=dict)  # shell → item, call, function


def _defn(tx: Tx, name: str) -> Queue:
    return tx.graph.queues.get(name) or Queue(name, "")


def get(tx: Tx, name: str) -> QueueState:
    return tx.world.queues.get(name) or QueueState(name)


def _put_item(tx: Tx, q: QueueState, item: Item) -> QueueState:
    if item.calls and item.state not in LIVE:  # cached calls matter only to live items
        item = evolve(item, calls={})
    dedupe = q.dedupe
    if item.dedupe_key:
        if item.state in LIVE:
            dedupe = dedupe.set(item.dedupe_key, item.id)
        elif dedupe.get(item.dedupe_key) == item.id:
            dedupe = dedupe.delete(item.dedupe_key)
    q = evolve(q, items=q.items.set(item.id, item), dedupe=dedupe)
    tx.set(queues=tx.world.queues.set(q.name, q))
    return q


def _event(tx: Tx, verb: str, item: Item, **extra: Any) -> None:
    tx.emit(
        f"queue:item:{verb}",
        item.queue,
        queue=item.queue,
        item=item.id,
        attempts=item.attempts,
        **extra,
    )


def push(
    tx: Tx,
    name: str,
    data: Mapping[str, Any],
    priority: int | None = None,
    allow_duplicate: bool = False,
) -> tuple[str, bool]:
    """Add an item; returns (item id, deduped)."""
    q = get(tx, name)
    explicit = data.get("id", data.get("name"))
    iid = str(explicit) if explicit is not None else item_id(name, tx.ids)
    key = "" if allow_duplicate else (iid if explicit is not None else short_hash(_canon(data), 16))
    existing = q.dedupe.get(key) if key else None
    if existing is not None:
        _event(tx, "deduped", q.items[existing], existing=existing)
        return existing, True
    old = q.items.get(iid)
    if old is not None and old.state in LIVE:  # same id pushed with --allow-duplicate
        iid = item_id(name, tx.ids)
    prio = priority if priority is not None else int(data.get("priority", 0) or 0)
    claims = old.claims if old is not None and old.id == iid else 0  # claim ids are never reused
    item = Item(iid, name, dict(data), prio, tx.now, q.arrivals + 1, dedupe_key=key, claims=claims)
    q = _put_item(tx, evolve(q, arrivals=q.arrivals + 1), item)
    _event(tx, "added", item, priority=prio, retry=False)
    return iid, False


def _canon(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def _cmp(a: Any, b: Any) -> int:
    if a is None or b is None:
        return int(a is None) - int(b is None)  # missing sorts last
    if type(a) is not type(b) and not (isinstance(a, int | float) and isinstance(b, int | float)):
        ta, tb = type(a).__name__, type(b).__name__
        return (ta > tb) - (ta < tb)
    return int(a > b) - int(a < b)


def _sorted(items: list[Item], order: tuple[OrderKey, ...]) -> list[Item]:
    def compare(x: Item, y: Item) -> int:
        fx, fy = x.fields(), y.fields()
        for key in order:
            a, b = lookup(fx, key.path), lookup(fy, key.path)
            a = None if not isinstance(a, int | float | str | bool) else a
            b = None if not isinstance(b, int | float | str | bool) else b
            c = _cmp(a, b)
            if c and key.desc and a is not None and b is not None:
                c = -c
            if c:
                return c
        return x.arrival - y.arrival

    return sorted(items, key=functools.cmp_to_key(compare))


def passes(tx: Tx, defn: Queue, item: Item) -> bool:
    """The filter's verdict; false while a function it calls is still running (§3.4)."""
    if defn.filter is None or defn.filter.node is None:
        return True
    fields = item.fields()
    scope = {
        **fields,
        "item": fields,
        "config": _config(tx, defn.runbook),
        "env": tx.graph.settings.env,
    }
    try:
        return (
            expr.evaluate(defn.filter.node, scope, _caller(tx, defn, item, scope), tx.now) is True
        )
    except (expr.EvaluationError, fncalls.NeedsInput):  # an error excludes the item (§L4.8)
        return False


def _caller(tx: Tx, defn: Queue, item: Item, scope: dict[str, Any]) -> expr.CallFn:
    """Answers calls to the runbook's functions from the item's cache, or starts the shell."""

    def call(name: str, args: list[object]) -> object:
        key = fncalls.call_key(name, args)
        current = get(tx, defn.name).items[item.id]
        hit = current.calls.get(key)
        if hit is not None and hit.effect:
            raise fncalls.NeedsInput(name)
        if hit is not None and hit.until_us > tx.now:
            if hit.error:
                raise expr.EvaluationError(hit.error)
            return hit.value
        rb = tx.graph.runbooks.get(defn.runbook)
        fn = rb.functions.get(name) if rb is not None else None
        if fn is None:
            raise expr.EvaluationError(f"unknown function `{name}`")
        env = {
            "OJ_PROJECT": tx.graph.settings.project_root,
            "OJ_RUNBOOK": defn.runbook,
            "OJ_ITEM": _canon(scope["item"]),
        }
        eid = fncalls.start(tx, fn, args, scope, env, owner=f"queue:{defn.name}")
        q = get(tx, defn.name)
        current = evolve(current, calls={**current.calls, key: CallResult(effect=eid)})
        q = _put_item(tx, q, current)
        _put_queue(tx, evolve(q, calls={**q.calls, eid: (item.id, key, name)}))
        raise fncalls.NeedsInput(name)

    return call


def on_call(tx: Tx, name: str, eid: str, code: int | None, stdout: str) -> None:
    """A function call's shell exited: cache the answer on the item (30 s)."""
    q = get(tx, name)
    iid, key, fn_name = q.calls[eid]
    q = _put_queue(tx, evolve(q, calls={k: v for k, v in q.calls.items() if k != eid}))
    item = q.items.get(iid)
    rb = tx.graph.runbooks.get(_defn(tx, name).runbook)
    fn = rb.functions.get(fn_name) if rb is not None else None
    if item is None or key not in item.calls or fn is None:
        return  # the item left, or a reload removed the function: nothing to cache
    value, error = fncalls.result(fn, code, stdout)
    answer = CallResult(value, error, tx.now + fncalls.CACHE_US)
    _put_item(tx, q, evolve(item, calls={**item.calls, key: answer}))


def _put_queue(tx: Tx, q: QueueState) -> QueueState:
    tx.set(queues=tx.world.queues.set(q.name, q))
    return q


def _config(tx: Tx, runbook: str) -> dict[str, Any]:
    rb = tx.graph.runbooks.get(runbook)
    return rb.config if rb is not None else {}


def claimable(tx: Tx, name: str) -> list[Item]:
    defn = _defn(tx, name)
    ready = [i for i in get(tx, name).items.values() if i.state == "ready"]
    return [i for i in _sorted(ready, defn.order) if passes(tx, defn, i)]


def claim(tx: Tx, name: str, holder: str, vt_us: int | None = None) -> Item | None:
    candidates = claimable(tx, name)
    if not candidates:
        return None
    item = candidates[0]
    vt = vt_us if vt_us is not None else _defn(tx, name).visibility_timeout_us
    cid = claim_id(item.id, item.claims + 1)
    item = evolve(
        item,
        state="claimed",
        attempts=item.attempts + 1,
        claims=item.claims + 1,
        claim=Claim(cid, holder, tx.now, tx.now + vt),
    )
    _put_item(tx, get(tx, name), item)
    tx.set_timer(f"vis:{name}:{cid}", tx.now + vt)
    _event(tx, "claimed", item, claim=cid, holder=holder)
    return item


def find_claim(tx: Tx, name: str, cid: str) -> Item | None:
    """The item whose *current* claim is `cid`, else None (stale or unknown)."""
    item = get(tx, name).items.get(cid.rpartition("~")[0])
    if item is None or item.claim is None or item.claim.id != cid:
        return None
    return item


def extend(tx: Tx, name: str, cid: str, vt_us: int | None = None) -> bool:
    item = find_claim(tx, name, cid)
    if item is None or item.claim is None:
        return False
    vt = vt_us if vt_us is not None else _defn(tx, name).visibility_timeout_us
    item = evolve(item, claim=evolve(item.claim, visible_until_us=tx.now + vt))
    _put_item(tx, get(tx, name), item)
    tx.set_timer(f"vis:{name}:{cid}", tx.now + vt)
    return True


def _settle(tx: Tx, name: str, cid: str) -> Item | None:
    item = find_claim(tx, name, cid)
    if item is not None:
        tx.cancel_timer(f"vis:{name}:{cid}")
    return item


def complete(tx: Tx, name: str, cid: str, outcome: str = "done") -> bool:
    item = _settle(tx, name, cid)
    if item is None:
        return False
    item = evolve(item, state="done", claim=None, outcome=outcome, ended_us=tx.now)
    _put_item(tx, get(tx, name), item)
    _event(tx, "complete", item, outcome=outcome)
    return True


def release(tx: Tx, name: str, cid: str, reason: str = "released") -> bool:
    item = _settle(tx, name, cid)
    if item is None:
        return False
    item = evolve(item, state="ready", claim=None, attempts=item.attempts - 1)
    _put_item(tx, get(tx, name), item)
    _event(tx, "released", item, reason=reason)
    return True


def fail(tx: Tx, name: str, cid: str, reason: str = "failed") -> str | None:
    """Fail the current claim; returns the resulting item state (None: stale claim)."""
    item = _settle(tx, name, cid)
    if item is None:
        return None
    defn = _defn(tx, name)
    item = evolve(item, claim=None, last_error=reason)
    if item.attempts <= defn.max_retries:
        item = evolve(item, state="ready")
        _put_item(tx, get(tx, name), item)
        _event(tx, "failed", item, reason=reason)
        return "ready"
    return exhaust(tx, item, defn)


def dead_letter(tx: Tx, name: str, cid: str, reason: str) -> bool:
    item = _settle(tx, name, cid)
    if item is None:
        return False
    defn = evolve(_defn(tx, name), on_exhaust=ChainWord("dead"))
    exhaust(tx, evolve(item, claim=None, last_error=reason), defn)
    return True


def exhaust(tx: Tx, item: Item, defn: Queue) -> str:
    word = defn.on_exhaust
    if word.word == "dead":
        item = evolve(item, state="dead", ended_us=tx.now)
        _event(tx, "deadlettered", item, reason=item.last_error)
        if defn.dead.retention_us:
            tx.set_timer(f"qdead:{item.queue}:{item.id}", tx.now + defn.dead.retention_us)
        if defn.dead.on_add is not None:
            _on_add(tx, defn, item)
    elif word.word == "abandon":
        item = evolve(item, state="done", outcome="abandoned", ended_us=tx.now)
        _event(tx, "complete", item, outcome="abandoned")
    else:  # escalate, wait[:D]
        until = tx.now + word.duration_us if word.duration_us else None
        item = evolve(item, state="parked", parked_until_us=until)
        if until is not None:
            tx.set_timer(f"qpark:{item.queue}:{item.id}", until)
        _event(tx, "failed", item, reason=item.last_error, parked=True)
        if word.word == "escalate":
            reason = f"item `{item.id}` of `{item.queue}` failed {item.attempts} times"
            escalation.open_(tx, "item_exhausted", f"item:{item.queue}:{item.id}", item.id, reason)
    _put_item(tx, get(tx, item.queue), item)
    return item.state


def _on_add(tx: Tx, defn: Queue, item: Item) -> None:
    """`dead.on_add`: once per dead-lettered item, in the filter's scope plus `reason`."""
    assert defn.dead.on_add is not None
    fields = item.fields()
    scope = {
        **fields,
        "item": fields,
        "config": _config(tx, defn.runbook),
        "env": tx.graph.settings.env,
        "reason": item.last_error,
    }
    try:
        script = render_template(defn.dead.on_add, scope)
    except RenderError as exc:
        tx.log("warning", f"`dead.on_add` of `{defn.name}` for `{item.id}`: {exc}")
        return
    root = tx.graph.settings.project_root
    env = {"OJ_PROJECT": root, "OJ_RUNBOOK": defn.runbook, "OJ_ITEM": _canon(fields)}
    tx.io(RunShell("on_add", script, root, env, 120.0, owner="hook"))


def on_escalation(tx: Tx, name: str, iid: str, option: str) -> None:
    """`item_exhausted` options: `retry` (attempts 0), `dead` (dead-letter it), `drop`."""
    if option == "retry":
        retry(tx, name, iid)
    elif option == "dead":
        item = get(tx, name).items[iid]
        tx.cancel_timer(f"qpark:{name}:{iid}")
        exhaust(tx, item, evolve(_defn(tx, name), on_exhaust=ChainWord("dead")))
    else:
        drop(tx, name, iid, reason="escalation")


def retry(tx: Tx, name: str, iid: str) -> bool:
    item = get(tx, name).items.get(iid)
    if item is None or item.state not in ("dead", "parked", "done"):
        return False
    tx.cancel_timer(f"qpark:{name}:{iid}")
    tx.cancel_timer(f"qdead:{name}:{iid}")
    escalation.moot(tx, f"item:{name}:{iid}")
    q = get(tx, name)
    if item.dedupe_key and item.dedupe_key in q.dedupe:  # a live duplicate took the key
        item = evolve(item, dedupe_key="")
    item = evolve(item, state="ready", attempts=0, parked_until_us=None, outcome="")
    _put_item(tx, q, item)
    _event(tx, "added", item, priority=item.priority, retry=True)
    return True


def drop(tx: Tx, name: str, iid: str, reason: str = "operator") -> bool:
    item = get(tx, name).items.get(iid)
    if item is None or item.state in ("claimed", "dropped"):
        return False
    tx.cancel_timer(f"qpark:{name}:{iid}")
    tx.cancel_timer(f"qdead:{name}:{iid}")
    escalation.moot(tx, f"item:{name}:{iid}")
    item = evolve(item, state="dropped", ended_us=tx.now)
    _put_item(tx, get(tx, name), item)
    _event(tx, "dropped", item, reason=reason)
    return True


def delete(tx: Tx, name: str, iid: str) -> None:
    q = get(tx, name)
    item = q.items[iid]
    dedupe = q.dedupe.delete(item.dedupe_key) if q.dedupe.get(item.dedupe_key) == iid else q.dedupe
    q = evolve(q, items=q.items.delete(iid), dedupe=dedupe)
    tx.set(queues=tx.world.queues.set(name, q))


def sync_source(tx: Tx, name: str, records: list[dict[str, Any]]) -> None:
    """External queue re-read: new ids become ready; vanished unclaimed ids are dropped."""
    q = get(tx, name)
    seen = set()
    for rec in records:
        iid = str(rec.get("id", rec.get("name", "")))
        if not iid:
            continue
        seen.add(iid)
        if iid not in q.items:
            push(tx, name, rec)
    for item in sorted(get(tx, name).items.values(), key=lambda i: i.arrival):
        if item.id not in seen and item.state in ("ready", "parked"):
            drop(tx, name, item.id, reason="vanished")
