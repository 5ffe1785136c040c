"""Records and conditions of watchers and scanners."""

from __future__ import annotations

from typing import Any

import pytest
from core_kit import Driver, graph, lit

from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.graph import Condition, Phase, Pipeline, Queue, Source
from ojlang.runtime.core.records import core_records, meets, parse_shell


def tx() -> Tx:
    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a")),))
    d = Driver(graph(pipelines={"rb.p": pipe}, queues={"q": Queue("q", "rb")}))
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.QueueAdd("q", {"id": "it"}))
    d(i.QueueCommand("claim", "q", holder="h"))
    return Tx(d.world, d.now, 99, "m")


@pytest.mark.parametrize(
    "cond, rec, expected",
    [
        (Condition("exceeds", count=2), {"value": 3}, True),
        (Condition("exceeds", count=2), {"text": "3"}, False),
        (Condition("matches", pattern='"n": 1'), {"n": 1}, True),
        (Condition("exceeded_attempts", count=2), {"attempts": 2}, True),
        (Condition("terminal_for", threshold_us=5), {"state": "dead", "age": 9}, True),
        (Condition("orphaned"), {"holder": "cli:me"}, False),
        (Condition("orphaned"), {"holder": "p-gone"}, True),
        (Condition("orphaned"), {"kind": "session", "session": "s"}, True),
        (Condition("orphaned"), {"kind": "item", "state": "claimed", "id": "it"}, True),
        (Condition("orphaned"), {"kind": "other"}, False),
    ],
)
def test_conditions(cond: Condition, rec: dict[str, Any], expected: bool) -> None:
    assert meets(tx(), cond, rec) is expected


def test_sources_read_the_world() -> None:
    t = tx()
    assert [r["id"] for r in core_records(t, Source("pipelines"), t.now)] == ["p-x"]
    assert [r["state"] for r in core_records(t, Source("queue", name="q"), t.now)] == ["claimed"]
    assert core_records(t, Source("queue", name="none"), t.now) == []
    assert core_records(t, Source("semaphores"), t.now) == []


def test_shell_records() -> None:
    assert parse_shell(0, '[{"name": "a"}, 3]', "") == [
        {"name": "a", "id": "a"},
        {"value": 3, "text": "3", "id": "1"},
    ]
    assert parse_shell(0, "one\n\ntwo", "") == [
        {"id": "one", "text": "one"},
        {"id": "two", "text": "two"},
    ]
    assert parse_shell(2, "", "boom") == [{"id": "error", "failed": True, "text": "boom"}]
