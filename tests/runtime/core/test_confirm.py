"""`oj confirm` (§9.4): an `agent_prompt` escalation the agent waits on; its resolution answers."""

from __future__ import annotations

import pytest
from core_kit import Driver, S, graph

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Phase, Pipeline, Task

TRID = "p-x.code.1"


def driver() -> Driver:
    phase = Phase("code", "task", task="rb.coder")
    g = graph(
        pipelines={"rb.p": Pipeline("p", "rb", (phase,))}, tasks={"rb.coder": Task("coder", "rb")}
    )
    d = Driver(g)
    d(i.PipelineStart("rb.p", {}, "x"))
    spawn = next(e for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))
    d(i.SessionResult("spawned", spawn.effect_id))
    d(i.AgentSignal("ready", TRID))
    return d


def confirm(d: Driver, timeout_us: int | None = None, generation: int = 1) -> str:
    d(i.Confirm(TRID, "push to main?", generation, timeout_us, request_id="r"))
    reply = d.reply()
    assert reply.error is None, reply
    eid: str = reply.result["escalation"]
    return eid


def resolved(d: Driver) -> dict[str, object]:
    (event,) = d.events("escalation:resolved")
    return event.payload


@pytest.mark.parametrize("option, number", [("approve", "1"), ("deny", "2"), ("attach", "3")])
def test_the_resolution_answers_the_waiting_agent(option: str, number: str) -> None:
    d = driver()
    eid = confirm(d)
    created = d.events("escalation:created")[0].payload
    assert created["kind"] == "agent_prompt" and created["reason"] == "push to main?"
    assert created["options"] == ["approve", "deny", "attach", "fail"]
    d(i.EscalationResolve(eid, number, request_id="op"))
    assert resolved(d)["option"] == option and resolved(d)["id"] == eid
    assert not d.of(fx.SendKeys), "a confirm types nothing into the session"
    assert d.world.tasks[TRID].state == "running"


def test_fail_fails_the_task_run() -> None:
    d = driver()
    eid = confirm(d)
    d(i.EscalationResolve(eid, "fail"))
    assert d.world.tasks[TRID].state == "failed"
    assert d.world.runs["p-x"].error.endswith("failed by operator")


def test_the_deadline_resolves_it_timeout_and_a_resolution_cancels_the_deadline() -> None:
    d = driver()
    eid = confirm(d, timeout_us=30 * S)
    timer = f"esc:{eid}:timeout"
    assert d.world.timers[timer] == d.now + 30 * S
    d.fire(timer)
    assert resolved(d) == {"id": eid, "option": "timeout", "message": "", "by": "core"}
    d(i.EscalationResolve(eid, "approve", request_id="late"))
    assert d.reply().error == "conflict"
    eid = confirm(d, timeout_us=30 * S)
    d(i.EscalationResolve(eid, "approve"))
    assert f"esc:{eid}:timeout" not in d.world.timers


def test_a_second_confirm_supersedes_the_first_and_the_task_end_makes_it_moot() -> None:
    d = driver()
    first = confirm(d, timeout_us=60 * S)
    second = confirm(d)
    assert resolved(d)["id"] == first and resolved(d)["option"] == "superseded"
    assert f"esc:{first}:timeout" not in d.world.timers
    d(i.Done(TRID, 1))
    assert d.world.escalations[second].resolution.option == "moot"  # type: ignore[union-attr]


def test_refused_for_old_generations_unknown_and_ended_task_runs() -> None:
    d = driver()
    d(i.Confirm(TRID, "x", generation=2, request_id="r"))
    assert d.reply().error == "stale_task"
    d(i.Confirm("nope", "x", request_id="r"))
    assert d.reply().error == "not_found"
    d(i.Done(TRID, 1))
    d(i.Confirm(TRID, "x", request_id="r"))
    assert d.reply().error == "conflict" and not d.world.escalations
