"""Task runs out of the usual order: signals and cancels while pending on the session cap,
checkpoints before the session runs, the `wait` word, and the `attach` escalation option."""

from __future__ import annotations

from typing import Any

from core_kit import Driver, graph

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Phase, Pipeline, Settings, Task, chain

TRID = "p-x.code.1"


def started(settings: Settings | None = None, **task_kw: Any) -> Driver:
    t = Task("coder", "rb", prompt="Do it", **task_kw)
    pipe = Pipeline("p", "rb", (Phase("code", "task", task="rb.coder"),))
    extra = {"settings": settings} if settings is not None else {}
    d = Driver(graph(pipelines={"rb.p": pipe}, tasks={"rb.coder": t}, **extra))
    d(i.PipelineStart("rb.p", {}, "x"))
    return d


def running(**task_kw: Any) -> Driver:
    d = started(**task_kw)
    eid = next(e.effect_id for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))
    d(i.SessionResult("spawned", eid, pane_pid=7))
    d(i.AgentSignal("ready", TRID))
    return d


def test_a_task_pending_on_the_session_cap_ignores_activity_and_cancels_without_a_kill() -> None:
    d = started(Settings(max_sessions=1))
    d(i.PipelineStart("rb.p", {}, "y"))
    other = "p-y.code.1"
    assert d.world.tasks[other].state == "pending" and d.world.tasks[other].session == ""
    tr = d.world.tasks[other]
    d(i.AgentSignal("activity", other))
    assert d.world.tasks[other] == tr
    d(i.Cancel("p-y", request_id="r"))
    assert d.world.tasks[other].state == "failed"
    assert not d.of(fx.KillSession)


def test_a_checkpoint_before_the_session_runs_is_kept_without_activity() -> None:
    d = started()
    d(i.Checkpoint(TRID, "half way", request_id="r"))
    tr = d.world.tasks[TRID]
    assert tr.state == "starting" and tr.checkpoints == ("half way",)
    assert d.names() == ["task:checkpoint"]


def test_the_wait_word_lets_a_stuck_trigger_pass() -> None:
    d = running(on_stuck=chain("wait"))
    d.fire(f"task:{TRID}:idle")
    d(i.AgentProbe(d.of(fx.ProbeSession)[0].effect_id, changed=False))
    tr = d.world.tasks[TRID]
    assert tr.live and tr.used == {"0": 1}
    assert not d.world.escalations and not d.of(fx.KillSession)


def test_attach_on_a_prompt_escalation_leaves_the_task_as_it_is() -> None:
    d = running()
    d(i.AgentSignal("screen", TRID, prompt="permission"))
    (esc,) = d.world.escalations.values()
    tr = d.world.tasks[TRID]
    d(i.EscalationResolve(esc.id, "attach", request_id="r"))
    assert d.reply().result == {"option": "attach"}
    assert d.world.tasks[TRID] == tr and not d.of(fx.SendKeys)
