"""Queue items at the end of their retries: `dead.on_add`, `on_exhaust = escalate` and its
options; ordering by a field that is missing or of mixed types."""

from __future__ import annotations

import pytest
from core_kit import Driver, graph, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import ChainWord, DeadLetters, OrderKey, Queue


def exhausted(q: Queue) -> Driver:
    d = Driver(graph(queues={"q": q}))
    d(i.QueueAdd("q", {"id": "x", "n": 1}))
    d(i.QueueCommand("claim", "q", holder="t", request_id="r"))
    d(i.QueueCommand("fail", "q", claim="x~1", reason="boom"))
    return d


def test_dead_on_add_runs_once_with_the_reason() -> None:
    on_add = tpl("echo ", ("id",), " ", ("item", "n"), " ", ("reason",))
    d = exhausted(Queue("q", "rb", max_retries=0, dead=DeadLetters(on_add=on_add)))
    assert d.world.queues["q"].items["x"].state == "dead"
    shell = d.shell("on_add")
    assert shell.script == "echo x 1 boom"
    assert shell.env["OJ_RUNBOOK"] == "rb"
    assert '"id":"x"' in shell.env["OJ_ITEM"]


def test_dead_on_add_that_does_not_render_is_a_warning() -> None:
    d = exhausted(Queue("q", "rb", max_retries=0, dead=DeadLetters(on_add=tpl(("nope",)))))
    assert d.world.queues["q"].items["x"].state == "dead"
    assert not d.of(fx.RunShell)
    warnings = [e.message for e in d.of(fx.Log) if e.level == "warning"]
    assert any("`dead.on_add` of `q` for `x`" in m for m in warnings), warnings


@pytest.mark.parametrize(
    "option, state, attempts", [("retry", "ready", 0), ("dead", "dead", 1), ("drop", "dropped", 1)]
)
def test_an_exhausted_item_escalates_and_the_option_decides(
    option: str, state: str, attempts: int
) -> None:
    d = exhausted(Queue("q", "rb", max_retries=0, on_exhaust=ChainWord("escalate")))
    assert d.world.queues["q"].items["x"].state == "parked"
    (esc,) = d.world.escalations.values()
    assert (esc.kind, esc.subject) == ("item_exhausted", "item:q:x")
    d(i.EscalationResolve(esc.id, option, request_id="r"))
    assert d.reply().result == {"option": option}
    item = d.world.queues["q"].items["x"]
    assert (item.state, item.attempts) == (state, attempts)
    assert d.world.escalations[esc.id].state == "resolved"


def test_order_puts_missing_values_last_and_sorts_mixed_types_by_type_name() -> None:
    d = Driver(graph(queues={"q": Queue("q", "rb", order=(OrderKey(("rank",)),))}))
    d(i.QueueAdd("q", {"id": "none"}))
    d(i.QueueAdd("q", {"id": "text", "rank": "a"}))
    d(i.QueueAdd("q", {"id": "two", "rank": 2}))
    d(i.QueueAdd("q", {"id": "one", "rank": 1.5}))
    order = []
    for _ in range(4):
        d(i.QueueCommand("claim", "q", holder="t", request_id="r"))
        order.append(d.reply().result["item"])
    assert order == ["one", "two", "text", "none"]


def test_a_retried_dead_item_keeps_its_dedupe_key_while_it_is_free() -> None:
    d = exhausted(Queue("q", "rb", max_retries=0))
    assert "x" not in d.world.queues["q"].dedupe
    d(i.QueueCommand("retry", "q", item="x", request_id="r"))
    q = d.world.queues["q"]
    assert q.items["x"].state == "ready" and q.dedupe["x"] == "x"
    d(i.QueueAdd("q", {"id": "x", "n": 2}, request_id="r"))
    assert len(d.world.queues["q"].items) == 1, "the retried item blocks a duplicate again"


def test_dropping_a_dead_item_leaves_the_dedupe_keys_alone() -> None:
    d = exhausted(Queue("q", "rb", max_retries=0))
    d(i.QueueAdd("q", {"id": "y"}))
    dedupe = d.world.queues["q"].dedupe
    d(i.QueueCommand("drop", "q", item="x", request_id="r"))
    q = d.world.queues["q"]
    assert q.items["x"].state == "dropped" and q.dedupe == dedupe and dict(dedupe) == {"y": "y"}
