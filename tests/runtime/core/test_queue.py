"""Queue machine: conservation, no double completion, visibility timeouts, dedupe, retries."""

from __future__ import annotations

from collections import Counter

import pytest
from core_kit import Driver, S, graph
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import ChainWord, DeadLetters, Queue

STATES = {"ready", "claimed", "parked", "done", "dead", "dropped"}
VT = 30 * S


class QueueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        q = Queue(
            "q",
            "rb",
            visibility_timeout_us=VT,
            max_retries=1,
            dead=DeadLetters(retention_us=500 * S),
        )
        self.d = Driver(graph(queues={"q": q}))
        self.claims: list[str] = []
        self.completed: Counter[str] = Counter()
        self.pushed: set[str] = set()

    def _items(self):  # type: ignore[no-untyped-def]
        qs = self.d.world.queues.get("q")
        return dict(qs.items) if qs else {}

    def _record(self) -> None:
        for ev in self.d.events("queue:item:"):
            if ev.name == "queue:item:complete":
                self.completed[ev.payload["item"]] += 1
            if ev.name == "queue:item:added":
                self.pushed.add(ev.payload["item"])

    @rule(key=st.sampled_from(["a", "b", "c", None]), n=st.integers(0, 3), dup=st.booleans())
    def push(self, key: str | None, n: int, dup: bool) -> None:
        data = {"n": n} if key is None else {"id": key, "n": n}
        self.d(i.QueueAdd("q", data, allow_duplicate=dup, request_id="r"))
        self._record()

    @rule()
    def claim(self) -> None:
        self.d(i.QueueCommand("claim", "q", holder="t", request_id="r"))
        result = self.d.reply().result
        if result is not None:
            assert result["claim"] not in self.claims, "claim ids are never reused"
            self.claims.append(result["claim"])

    @precondition(lambda self: self.claims)
    @rule(data=st.data(), verb=st.sampled_from(["complete", "fail", "release", "extend"]))
    def settle(self, data: st.DataObject, verb: str) -> None:
        cid = data.draw(st.sampled_from(self.claims))
        item = self._items().get(cid.rpartition("~")[0])
        current = item is not None and item.claim is not None and item.claim.id == cid
        before = dict(self.completed)
        self.d(i.QueueCommand(verb, "q", claim=cid, request_id="r"))
        assert (self.d.reply().error is None) == current
        if not current:
            assert self.d.events("queue:") == [], "a stale claim changed nothing"
        self._record()
        if verb == "complete" and current:
            assert self.completed[item.id] == before.get(item.id, 0) + 1

    @rule(key=st.sampled_from(["a", "b", "c"]), verb=st.sampled_from(["retry", "drop"]))
    def operate(self, key: str, verb: str) -> None:
        self.d(i.QueueCommand(verb, "q", item=key, request_id="r"))
        self._record()

    @rule(dt=st.integers(0, 60 * S))
    def advance(self, dt: int) -> None:
        self.d.now += dt
        for tid, due in sorted(self.d.world.timers.items(), key=lambda kv: kv[1]):
            if due <= self.d.now and tid in self.d.world.timers:
                self.d(i.TimerFired(tid, due))
                self._record()

    @invariant()
    def conservation(self) -> None:
        items = self._items()
        assert all(item.state in STATES for item in items.values())
        for item in items.values():
            assert (item.claim is not None) == (item.state == "claimed")
            if item.claim is not None:
                assert item.claim.visible_until_us >= self.d.now, (
                    "an expired claim was not returned"
                )
            assert item.attempts <= 2
        live = [
            it.dedupe_key
            for it in items.values()
            if it.dedupe_key and it.state in ("ready", "claimed", "parked")
        ]
        assert len(live) == len(set(live)), "two live items share a dedupe key"


TestQueue = QueueMachine.TestCase
TestQueue.settings = settings(max_examples=500, stateful_step_count=15, deadline=None)


@pytest.mark.parametrize(
    "on_exhaust, state, event",
    [
        (ChainWord("dead"), "dead", "queue:item:deadlettered"),
        (ChainWord("abandon"), "done", "queue:item:complete"),
        (ChainWord("wait", 1, 60 * S), "parked", "queue:item:failed"),
        (ChainWord("escalate"), "parked", "queue:item:failed"),
    ],
)
def test_exhaustion(on_exhaust: ChainWord, state: str, event: str) -> None:
    d = Driver(graph(queues={"q": Queue("q", "rb", max_retries=0, on_exhaust=on_exhaust)}))
    d(i.QueueAdd("q", {"id": "x"}))
    d(i.QueueCommand("claim", "q", holder="t", request_id="r"))
    d(i.QueueCommand("fail", "q", claim="x~1", reason="boom"))
    assert d.world.queues["q"].items["x"].state == state
    assert event in d.names()
    if on_exhaust.duration_us:
        d.fire("qpark:q:x")
        assert d.world.queues["q"].items["x"].state == "ready"
        assert d.world.queues["q"].items["x"].attempts == 0


def test_order_priority_then_arrival_and_missing_last() -> None:
    d = Driver(graph(queues={"q": Queue("q", "rb")}))
    for key, prio in (("low", 0), ("high", 5), ("mid", 2), ("high2", 5)):
        d(i.QueueAdd("q", {"id": key}, priority=prio))
    order = []
    for _ in range(4):
        d(i.QueueCommand("claim", "q", holder="t", request_id="r"))
        order.append(d.reply().result["item"])
    assert order == ["high", "high2", "mid", "low"]


def test_dedupe_by_data_hash_and_reset_of_finished_ids() -> None:
    d = Driver(graph(queues={"q": Queue("q", "rb")}))
    d(i.QueueAdd("q", {"x": 1}, request_id="r"))
    first = d.reply().result["item"]
    d(i.QueueAdd("q", {"x": 1}, request_id="r"))
    assert d.reply().result == {"item": first, "deduped": True}
    d(i.QueueAdd("q", {"id": "k"}))
    d(i.QueueCommand("drop", "q", item="k"))
    d(i.QueueAdd("q", {"id": "k", "v": 2}, request_id="r"))
    item = d.world.queues["q"].items["k"]
    assert item.state == "ready" and item.data["v"] == 2
