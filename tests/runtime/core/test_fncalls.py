"""Queue filters that call `[functions]` (§3.4): a shell per distinct call, results cached per item
for 30 s, claims re-tried on results."""

from __future__ import annotations

from typing import Any

import pytest
from core_kit import Driver, S, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import expr, fncalls
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import (
    Expression,
    Function,
    Phase,
    Pipeline,
    Queue,
    Runbook,
    Template,
    Worker,
)


def driver(node: expr.Node, **functions: Function) -> Driver:
    pipe = Pipeline("fix", "rb", (Phase("a", "run", run=lit("fix")),))
    q = Queue("bugs", "rb", filter=Expression("…", node))
    g = graph(
        runbooks={"rb": Runbook("rb", functions=functions)},
        pipelines={"rb.fix": pipe},
        workers={"rb.w": Worker("w", "rb", "bugs", "rb.fix", concurrency=5)},
        queues={"bugs": q},
    )
    return Driver(g)


def calls(d: Driver) -> list[fx.RunShell]:
    return [e for e in d.of(fx.RunShell) if e.purpose == "function"]


READY = expr.Call("is_ready", (expr.Path("id"),))
IS_READY = Function("is_ready", lit('test -f "ready/$1"'))


def test_a_call_runs_once_per_item_and_its_answer_retries_the_claim() -> None:
    d = driver(READY, is_ready=IS_READY)
    d(i.QueueAdd("bugs", {"id": "b1"}))
    (call,) = calls(d)
    assert call.script == 'set -- b1\ntest -f "ready/$1"'
    assert call.owner == "queue:bugs" and call.timeout_s == 120.0
    item = f'{{"attempts":0,"created_at":{d.now},"id":"b1","priority":0}}'
    assert call.env["OJ_ITEM"] == item
    assert not d.world.runs, "the item waits for the answer"
    d(i.QueueAdd("bugs", {"id": "b 2"}))
    assert [c.script.splitlines()[0] for c in calls(d)] == ["set -- 'b 2'"], "b1 is in flight"
    d.exit(call.effect_id, 0)
    assert "fix-b1" in d.world.runs and d.world.queues["bugs"].items["b1"].state == "claimed"


def test_false_and_failing_answers_are_cached_for_30_seconds() -> None:
    d = driver(READY, is_ready=IS_READY)
    d(i.QueueAdd("bugs", {"id": "b1"}))
    d.exit(calls(d)[0].effect_id, 1)
    assert not d.world.runs
    d(i.WorkerCommand("wake", "w"), 29 * S)
    assert not calls(d), "the answer is cached"
    d(i.WorkerCommand("wake", "w"), 2 * S)
    (again,) = calls(d)
    d.exit(again.effect_id, 2)  # neither true nor false: an evaluation error excludes the item
    assert not d.world.runs
    d(i.WorkerCommand("wake", "w"), 31 * S)
    d.exit(calls(d)[0].effect_id, 0)
    assert "fix-b1" in d.world.runs


def test_table_form_functions_bind_params_and_parse_their_results() -> None:
    prio = Function(
        "prio", tpl("rank ", ("key",)), params=("key",), returns="int", string_form=False
    )
    node = expr.Compare(">", expr.Call("prio", (expr.Path("id"),)), expr.Const(2))
    d = driver(node, prio=prio)
    d(i.QueueAdd("bugs", {"id": "low"}))
    (low,) = calls(d)
    d(i.QueueAdd("bugs", {"id": "high"}))
    (high,) = calls(d)
    assert (low.script, high.script) == ("rank low", "rank high")
    d.exit(low.effect_id, 0, " 1\n")
    d.exit(high.effect_id, 0, "5")
    assert sorted(d.world.runs) == ["fix-high"]
    items = d.world.queues["bugs"].items
    assert items["low"].calls['prio["low"]'].value == 1


@pytest.mark.parametrize(
    "node, functions",
    [
        (expr.Call("nope", ()), {}),  # unknown function
        (
            expr.Call("two", (expr.Const(1),)),
            {"two": Function("two", lit("x"), ("a", "b"), string_form=False)},
        ),
        (expr.Call("bad", ()), {"bad": Function("bad", tpl("echo ", ("missing",)))}),
    ],
    ids=["unknown", "arity", "render"],
)
def test_calls_that_cannot_run_exclude_the_item(node: expr.Node, functions: Any) -> None:
    d = driver(node, **functions)
    d(i.QueueAdd("bugs", {"id": "b1"}))
    assert not calls(d) and not d.world.runs
    assert d.world.queues["bugs"].items["b1"].state == "ready"


def test_answers_for_items_that_left_are_dropped() -> None:
    d = driver(READY, is_ready=IS_READY)
    d(i.QueueAdd("bugs", {"id": "b1"}))
    call = calls(d)[0]
    d(i.QueueCommand("drop", "bugs", item="b1"))
    assert d.world.queues["bugs"].items["b1"].calls == {}, "a dropped item keeps no cache"
    d.exit(call.effect_id, 0)
    assert not d.world.runs and not d.world.queues["bugs"].calls


def test_a_claimed_item_keeps_its_cache_until_it_is_done() -> None:
    d = driver(READY, is_ready=IS_READY)
    d(i.QueueAdd("bugs", {"id": "b1"}))
    d.exit(calls(d)[0].effect_id, 0)
    assert d.world.queues["bugs"].items["b1"].calls
    d.exit(d.world.runs["fix-b1"].child)
    assert d.world.queues["bugs"].items["b1"].calls == {}


@pytest.mark.parametrize(
    "returns, code, stdout, expected",
    [
        ("bool", 0, "", (True, "")),
        ("bool", 1, "", (False, "")),
        ("bool", 3, "", (None, "`f` exited 3")),
        ("bool", None, "", (None, "`f` exited None")),
        ("string", 0, "  hi \n", ("hi", "")),
        ("string", 1, "hi", (None, "`f` exited 1")),
        ("int", 0, "42\n", (42, "")),
        ("int", 0, "4.2", (None, "`f` printed `4.2`, not a `int` value")),
        ("float", 0, "4.5", (4.5, "")),
        ("json", 0, '{"a": [1]}', ({"a": [1]}, "")),
        ("json", 0, "{", (None, "`f` printed `{`, not a `json` value")),
    ],
)
def test_results_follow_returns(
    returns: str, code: int | None, stdout: str, expected: tuple[Any, str]
) -> None:
    fn = Function("f", Template(), returns=returns)
    assert fncalls.result(fn, code, stdout) == expected


def test_call_keys_tell_distinct_calls_apart() -> None:
    assert fncalls.call_key("f", [1, "a"]) == 'f[1,"a"]'
    assert fncalls.call_key("f", [{"b": 1, "a": 2}]) == fncalls.call_key("f", [{"a": 2, "b": 1}])
