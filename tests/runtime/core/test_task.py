"""Task runs (agents): start-up, liveness, the stuck ladder, `oj done` fencing, timeouts."""

from __future__ import annotations

from typing import Any

import pytest
from core_kit import Driver, S, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Phase, Pipeline, Settings, Task, chain


def driver(**task_kw: Any) -> tuple[Driver, str]:
    settings = task_kw.pop("settings", Settings())
    t = Task("coder", "rb", prompt="Do {{ name }}", **task_kw)
    phase = Phase("code", "task", task="rb.coder")
    g = graph(
        pipelines={"rb.p": Pipeline("p", "rb", (phase,))}, tasks={"rb.coder": t}, settings=settings
    )
    d = Driver(g)
    d(i.PipelineStart("rb.p", {}, "x"))
    return d, "p-x.code.1"


def spawn(d: Driver, trid: str) -> None:
    eid = next(e.effect_id for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))
    d(i.SessionResult("spawned", eid, pane_pid=7))


def test_start_and_done_sets_outputs() -> None:
    d, trid = driver(command=tpl("claude --model x"))
    spawn_effect = d.history[0][1]
    argv = next(e for e in spawn_effect if isinstance(e, fx.SpawnSession)).argv
    assert argv == ("claude", "--model", "x", "Do x")
    spawn(d, trid)
    assert "session:started" in d.names()
    d(i.AgentSignal("ready", trid))
    assert "task:started" in d.names()
    d(i.Done(trid, 1, outputs={"pr": "u"}, request_id="r"))
    assert d.reply().result is True
    run = d.world.runs["p-x"]
    assert run.state == "done" and run.vars["pr"] == "u"
    d(i.Done(trid, 1, request_id="r"))
    assert d.reply().result == "already done"
    d.fire(f"task:{trid}:linger")
    assert d.of(fx.KillSession)


def test_generic_agent_runs_at_spawn_and_stale_generation_is_refused() -> None:
    d, trid = driver(command=lit("aider"))
    spawn(d, trid)
    assert d.world.tasks[trid].state == "running"
    d(i.Done(trid, 2, request_id="r"))
    assert d.reply().error == "stale_task"
    d(i.Done("nope", request_id="r"))
    assert d.reply().error == "not_found"


def test_stuck_ladder_nudges_restarts_then_escalates() -> None:
    d, trid = driver(on_stuck=chain("nudge:2", "restart", "escalate"))
    spawn(d, trid)
    d(i.AgentSignal("ready", trid))
    seen = []
    for _ in range(8):
        tr = d.world.tasks[trid]
        if tr.state in ("running", "idle"):
            d.fire(f"task:{trid}:idle")
            probe = d.of(fx.ProbeSession)[0]
            d(i.AgentProbe(probe.effect_id, changed=False))
        elif tr.state == "stuck" and f"task:{trid}:idle" in d.world.timers:
            d.fire(f"task:{trid}:idle")
        elif tr.state == "starting":
            spawn(d, trid)
            d(i.AgentSignal("ready", trid, tr.generation))
        seen += [n for n in d.names() if n.startswith(("task:", "escalation:"))]
    assert seen.count("task:nudged") == 4  # two before the restart, two after
    assert "task:restarted" in seen
    assert "escalation:created" in seen
    assert d.world.tasks[trid].generation == 2


def test_recovery_resets_the_ladder_but_keeps_restarts() -> None:
    d, trid = driver(on_stuck=chain("nudge", "restart:2"))
    spawn(d, trid)
    d(i.AgentSignal("ready", trid))
    d(i.AgentSignal("idle", trid, source="stop"))
    assert d.world.tasks[trid].state == "idle" and "session:idle" in d.names()
    d(i.AgentSignal("activity", trid))
    assert "session:active" in d.names()
    d.fire(f"task:{trid}:idle")
    d(i.AgentProbe(d.of(fx.ProbeSession)[0].effect_id, changed=False))
    assert "task:nudged" in d.names()
    d(i.AgentSignal("activity", trid, source="pane"), S)  # the echo of the nudge
    assert d.world.tasks[trid].state == "stuck"
    d(i.AgentSignal("activity", trid, source="pane"), 10 * S)
    assert "task:recovered" in d.names()
    assert d.world.tasks[trid].cursor == 0


def test_probe_with_change_counts_as_activity() -> None:
    d, trid = driver()
    spawn(d, trid)
    d(i.AgentSignal("activity", trid))
    d.fire(f"task:{trid}:idle")
    d(i.AgentProbe(d.of(fx.ProbeSession)[0].effect_id, changed=True))
    assert d.world.tasks[trid].state == "running"


@pytest.mark.parametrize(
    "code, state, run_state", [(0, "done", "done"), (3, "failed", "escalated")]
)
def test_agent_exit(code: int, state: str, run_state: str) -> None:
    d, trid = driver()
    spawn(d, trid)
    d(i.AgentSignal("exited", trid, code=code))
    assert d.world.tasks[trid].state == state
    assert d.world.runs["p-x"].state == run_state
    assert "session:dead" in d.all_names()


def test_done_restart_spawns_a_new_generation_at_most_five_times() -> None:
    d, trid = driver()
    spawn(d, trid)
    for gen in range(1, 7):
        d(i.Done(trid, gen, restart=True, message="again", request_id="r"))
        if gen <= 5:
            assert d.reply().error is None
            assert d.world.tasks[trid].generation == gen + 1
        else:
            assert d.reply().error == "denied"


@pytest.mark.parametrize(
    "prompt, error, expect",
    [
        ("permission", "", "escalation:created"),
        ("trust", "", "escalation:created"),
        ("", "auth", "escalation:created"),
        ("", "rate_limit", "task:stuck"),
        ("", "network", "task:stuck"),
    ],
)
def test_screens(prompt: str, error: str, expect: str) -> None:
    d, trid = driver()
    spawn(d, trid)
    if prompt != "trust":
        d(i.AgentSignal("ready", trid))
    d(i.AgentSignal("screen", trid, prompt=prompt, error=error, retry_after_us=5 * S))
    assert expect in d.names()
    if error in ("rate_limit", "network"):
        d.fire(f"task:{trid}:restart")
        assert "task:restarted" in d.names()


def test_auto_trust_answers_the_trust_prompt() -> None:
    d, trid = driver(settings=Settings(auto_trust=True))
    spawn(d, trid)
    d(i.AgentSignal("screen", trid, prompt="trust"))
    assert d.of(fx.SendKeys)[0].keys == ("trust",)


def test_session_gone_skips_nudges() -> None:
    d, trid = driver()
    spawn(d, trid)
    d(i.AgentSignal("ready", trid))
    d(i.SessionGone(trid))
    assert "task:restarted" in d.names() and "task:nudged" not in d.names()


def test_timeout_runs_the_on_timeout_sequence() -> None:
    d, trid = driver(on_timeout=chain("checkpoint", "fail"), checkpoint=lit("git commit"))
    spawn(d, trid)
    d(i.AgentSignal("ready", trid))
    d.fire(f"task:{trid}:timeout")
    assert "task:timeout" in d.names() and "task:checkpoint" in d.names()
    assert d.world.tasks[trid].state == "failed"


def test_checkpoint_interval_and_manual_checkpoints() -> None:
    d, trid = driver(checkpoint=lit("git commit"), checkpoint_interval_us=60 * S)
    spawn(d, trid)
    d(i.AgentSignal("ready", trid))
    d.fire(f"task:{trid}:checkpoint")
    assert d.shell("checkpoint").script == "git commit"
    d(i.Checkpoint(trid, "half way", request_id="r"))
    assert d.world.tasks[trid].checkpoints == ("half way",)


def test_spawn_failures_retry_then_fail() -> None:
    d, trid = driver()
    for _ in range(3):
        eid = next(e.effect_id for e in d.world.outbox.values() if isinstance(e, fx.SpawnSession))
        d(i.SessionResult("spawn_failed", eid, error="no tmux"))
        if d.world.tasks[trid].state == "failed":
            break
        d.fire(f"task:{trid}:respawn")
    assert d.world.tasks[trid].state == "failed"


def test_startup_timeout_counts_as_a_failed_start() -> None:
    d, trid = driver()
    d.fire(f"task:{trid}:startup")
    assert f"task:{trid}:respawn" in d.world.timers


def test_session_cap_keeps_runs_pending() -> None:
    t = Task("coder", "rb")
    phase = Phase("code", "task", task="rb.coder")
    g = graph(
        pipelines={"rb.p": Pipeline("p", "rb", (phase,))},
        tasks={"rb.coder": t},
        settings=Settings(max_sessions=1),
    )
    d = Driver(g)
    d(i.PipelineStart("rb.p", {}, "a"))
    d(i.PipelineStart("rb.p", {}, "b"))
    assert d.world.tasks["p-b.code.1"].state == "pending"
    d(i.Done("p-a.code.1"))
    assert d.world.tasks["p-b.code.1"].state == "starting"


@pytest.mark.parametrize("option", ["1", "2", "3", "4", "5"])
def test_task_stuck_escalation_options(option: str) -> None:
    d, trid = driver(on_stuck=chain("escalate"))
    spawn(d, trid)
    d(i.AgentSignal("ready", trid))
    d(i.SessionGone(trid))
    esc = next(iter(d.world.escalations))
    d(i.EscalationResolve(esc, option, "hello", request_id="r"))
    assert d.reply().error is None
    state = d.world.tasks[trid].state
    assert (
        state == {"1": "stuck", "2": "starting", "3": "done", "4": "failed", "5": "stuck"}[option]
    )


def test_a_task_stuck_again_keeps_its_open_escalation() -> None:
    d, trid = driver(on_stuck=chain("escalate"))
    spawn(d, trid)
    d(i.AgentSignal("ready", trid))
    d(i.SessionGone(trid))
    first = [e.id for e in d.world.escalations.values() if e.state == "open"]
    assert len(first) == 1
    d(i.SessionGone(trid))  # the ladder has run out, the escalation is still open
    assert [e.id for e in d.world.escalations.values() if e.state == "open"] == first
    d(i.EscalationResolve(first[0], "5", request_id="r"))  # wait
    d(i.SessionGone(trid))
    reopened = [e.id for e in d.world.escalations.values() if e.state == "open"]
    assert len(reopened) == 1 and reopened != first  # answered, so a new stuck asks again


def test_a_ladder_that_runs_out_escalates() -> None:
    d, trid = driver(on_stuck=chain("nudge"))
    spawn(d, trid)
    d(i.AgentSignal("ready", trid))
    d(i.SessionGone(trid))  # a gone session is not nudged: the ladder has nothing left
    assert [e.reason for e in d.world.escalations.values()] == ["ladder ran out"]


def test_nudge_and_kill_by_session_command() -> None:
    d, trid = driver()
    spawn(d, trid)
    session = d.world.tasks[trid].session
    d(i.SessionCommand("nudge", session, "hi", request_id="r"))
    assert d.of(fx.SendKeys)[0].text == "hi"
    d(i.SessionCommand("kill", session, request_id="r"))
    assert d.world.tasks[trid].state == "failed"
    d(i.SessionCommand("kill", session, request_id="r"))
    assert d.reply().error == "not_found"


def test_template_error_fails_the_task_run() -> None:
    d, trid = driver(command=tpl("run ", ("missing",)))
    assert d.world.tasks[trid].state == "failed"
    assert d.world.runs["p-x"].error.startswith("act: template error")


def context_files(effects: tuple[fx.Effect, ...]) -> list[fx.FileSpec]:
    return [f for e in effects if isinstance(e, fx.WriteFiles) for f in e.files]


def test_the_default_context_is_written_before_each_spawn_with_the_last_checkpoint() -> None:
    settings = Settings(context_template="run {{ id }} phase {{ phase }} [{{ checkpoint }}]")
    d, trid = driver(command=tpl("claude"), settings=settings)
    [first] = context_files(d.history[0][1])
    assert first == fx.FileSpec(
        "CLAUDE.md", "run p-x phase code []", marker_block=True, skip_worktree=True
    )
    spawn(d, trid)
    d(i.AgentSignal("ready", trid))
    d(i.Checkpoint(trid, "tests pass", 1, request_id="c"))
    d(i.Done(trid, 1, restart=True, message="again", request_id="r"))
    written = [f for _, effects in d.history[-2:] for f in context_files(effects)]
    assert [f.content for f in written] == ["run p-x phase code [tests pass]"]


def test_a_task_context_template_wins_and_none_writes_nothing() -> None:
    own = driver(command=tpl("claude"), context_template="mine", settings=Settings("/p"))[0]
    default = Settings(context_template="default")
    ours = driver(command=tpl("claude"), context_template="mine", settings=default)[0]
    assert [f.content for f in context_files(own.history[0][1])] == ["mine"]
    assert [f.content for f in context_files(ours.history[0][1])] == ["mine"]
    assert context_files(driver(command=tpl("claude"))[0].history[0][1]) == []
