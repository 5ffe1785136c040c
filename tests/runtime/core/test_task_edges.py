"""Task runs at the edges: the context file, signals after the end or out of state, the
`checkpoint_and_escalate` word, on_timeout sequences that end the run, approving a prompt."""

from __future__ import annotations

from typing import Any

from core_kit import Driver, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Phase, Pipeline, Task, chain

TRID = "p-x.code.1"


def started(**task_kw: Any) -> Driver:
    t = Task("coder", "rb", prompt="Do {{ name }}", **task_kw)
    pipe = Pipeline("p", "rb", (Phase("code", "task", task="rb.coder"),))
    d = Driver(graph(pipelines={"rb.p": pipe}, tasks={"rb.coder": t}))
    d(i.PipelineStart("rb.p", {}, "x"))
    return d


def running(**task_kw: Any) -> Driver:
    d = started(**task_kw)
    eid = next(e.effect_id for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))
    d(i.SessionResult("spawned", eid, pane_pid=7))
    d(i.AgentSignal("ready", TRID))
    return d


def logs(d: Driver) -> list[str]:
    return [e.message for e in d.of(fx.Log)]


def test_the_context_template_is_written_before_the_spawn() -> None:
    d = started(context_template="Work on {{ name }} in {{ session }}", context_file="AGENTS.md")
    (write,) = [e for _, effs in d.history for e in effs if isinstance(e, fx.WriteFiles)]
    (spec,) = write.files
    assert (spec.path, spec.content, spec.marker_block) == (
        "AGENTS.md",
        f"Work on x in {d.world.tasks[TRID].session}",
        True,
    )


def test_a_context_template_that_does_not_render_fails_the_task() -> None:
    d = started(context_template="{{ name | nosuchfilter }}")  # fails to compile
    tr = d.world.tasks[TRID]
    assert (tr.state, tr.error) == ("failed", "template error: No filter named 'nosuchfilter'.")
    d = started(context_template="{{ nope }}")  # fails while rendering
    assert d.world.tasks[TRID].state == "failed"


def test_signals_after_the_end_and_idle_twice_are_ignored() -> None:
    d = running()
    d(i.AgentSignal("idle", TRID))
    assert d.world.tasks[TRID].state == "idle"
    d(i.AgentSignal("idle", TRID))
    assert any("ignored `idle` in state `idle`" in m for m in logs(d))
    d(i.Done(TRID, request_id="r"))
    d(i.AgentSignal("activity", TRID))
    assert any("ignored `activity` in state `done`" in m for m in logs(d))
    assert d.world.tasks[TRID].state == "done"


def test_a_prompt_while_stuck_changes_nothing_and_approve_answers_it() -> None:
    d = running()
    d(i.AgentSignal("screen", TRID, prompt="permission"))
    assert d.world.tasks[TRID].state == "stuck"
    (esc,) = d.world.escalations.values()
    d(i.AgentSignal("screen", TRID, prompt="question"))
    assert d.names() == [] and len(d.world.escalations) == 1
    d(i.EscalationResolve(esc.id, "approve", request_id="r"))
    (keys,) = d.of(fx.SendKeys)
    assert keys.keys == ("approve",)


def test_checkpoint_and_escalate_checkpoints_then_escalates() -> None:
    d = running(on_stuck=chain("checkpoint_and_escalate"), checkpoint=lit("git stash"))
    d(i.SessionGone(TRID))
    assert d.shell("checkpoint").script == "git stash"
    assert "escalation:created" in d.names()


def test_a_checkpoint_that_is_missing_or_does_not_render_runs_nothing() -> None:
    d = running(on_stuck=chain("checkpoint_and_escalate"))
    d(i.SessionGone(TRID))
    assert not d.of(fx.RunShell) and "escalation:created" in d.names()
    d = running(on_stuck=chain("checkpoint_and_escalate"), checkpoint=tpl(("nope",)))
    d(i.SessionGone(TRID))
    assert not d.of(fx.RunShell)
    assert any(f"checkpoint of `{TRID}` did not render" in m for m in logs(d))


def test_on_timeout_stops_at_the_word_that_ends_the_task() -> None:
    d = running(on_timeout=chain("fail", "escalate"))
    d.fire(f"task:{TRID}:timeout")
    assert d.world.tasks[TRID].state == "failed"
    assert [e.kind for e in d.world.escalations.values()] == ["phase_failed"]  # not task_stuck


def test_a_probe_answered_after_new_activity_is_ignored() -> None:
    d = running()
    d.fire(f"task:{TRID}:idle")
    (probe,) = d.of(fx.ProbeSession)
    assert d.world.tasks[TRID].state == "confirming"
    d(i.AgentSignal("activity", TRID))
    assert d.world.tasks[TRID].state == "running"
    d(i.AgentProbe(probe.effect_id, changed=False))
    assert d.world.tasks[TRID].state == "running"
    assert any("ignored `probe` in state `running`" in m for m in logs(d))


def test_a_spawn_that_lands_after_the_run_failed_is_ignored() -> None:
    d = started()
    eid = next(e.effect_id for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))
    d(i.PipelineTransition("p-x", "fail", request_id="r"))
    assert d.of(fx.KillSession), "the session being spawned is killed"
    d(i.SessionResult("spawned", eid, pane_pid=7))
    assert d.world.tasks[TRID].state == "failed"
    assert any("ignored `spawned` in state `failed`" in m for m in logs(d))
