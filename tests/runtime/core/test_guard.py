"""Guard instances: shell and typed conditions, retries, wake-ups, deadlines, `on_timeout`."""

from __future__ import annotations

from typing import Any

import pytest
from core_kit import Driver, S, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Cond, Guard, Lock, Pattern, Phase, Pipeline, Semaphore


def driver(guard: Guard, post: bool = False, extra: dict[str, Any] | None = None) -> Driver:
    kw = {"post": ("rb.g",)} if post else {"pre": ("rb.g",)}
    phase = Phase("work", "run", run=lit("work"), **kw)  # type: ignore[arg-type]
    g = graph(
        pipelines={"rb.p": Pipeline("p", "rb", (phase,), inputs=("dep",))},
        guards={"rb.g": guard, **(extra or {})},
        locks={"L": Lock("L")},
        semaphores={"S": Semaphore("S", max=2)},
    )
    d = Driver(g)
    d(i.PipelineStart("rb.p", {"dep": "auth"}, "x"))
    return d


def shell(**kw: Any) -> Guard:
    return Guard("g", "rb", Cond("shell", script=tpl("test ", ("dep",))), **kw)


def test_passing_guard_lets_the_action_run() -> None:
    d = driver(shell())
    assert d.shell("guard").script == "test auth"
    d.exit(d.shell("guard").effect_id, 0)
    assert "guard:passed" in d.names()
    assert d.shell("phase").script == "work"


def test_retries_until_retry_max_then_on_timeout_fail() -> None:
    d = driver(shell(retry_max=2, retry_interval_us=5 * S, on_timeout="fail"))
    d.exit(d.shell("guard").effect_id, 1)
    assert "guard:waiting" in d.names() and d.world.runs["p-x"].state == "waiting"
    d.fire(next(t for t in d.world.timers if t.endswith(":retry")))
    d.exit(d.shell("guard").effect_id, 1)
    assert "guard:failed" in d.names()
    assert d.world.runs["p-x"].state == "escalated"  # the phase's on_fail
    assert not d.world.guards and not d.world.subscriptions


def test_wake_on_event_re_evaluates_and_dirty_evaluations_repeat() -> None:
    d = driver(shell(wake_on=(Pattern("build:done@{dep}"),)))
    first = d.shell("guard").effect_id
    d(i.EmitCommand("build:done", "auth"))  # during the evaluation: dirty
    assert not d.of(fx.RunShell)
    d.exit(first, 1)  # false, but dirty: evaluates again at once
    second = d.shell("guard").effect_id
    d.exit(second, 1)
    assert d.world.runs["p-x"].state == "waiting"
    d(i.EmitCommand("build:done", "other"))  # subject does not match
    assert not d.of(fx.RunShell)
    d(i.EmitCommand("build:done", "auth"))  # wakes the waiting guard
    d.exit(d.shell("guard").effect_id, 0)
    assert d.world.runs["p-x"].state == "running" and "pipeline:resumed" in d.names()


def test_deadline_escalates_and_the_escalation_decides() -> None:
    d = driver(shell(timeout_us=60 * S))
    d.exit(d.shell("guard").effect_id, 1)
    d.fire(next(t for t in d.world.timers if t.endswith(":deadline")))
    assert "guard:timeout" in d.names()
    run = d.world.runs["p-x"]
    assert run.state == "escalated"
    d(i.EscalationResolve(run.escalation, "skip"))
    assert "guard:passed" in d.names() and d.world.runs["p-x"].state == "running"


@pytest.mark.parametrize("option, verdict", [("retry", "RunShell"), ("fail", "guard:failed")])
def test_guard_timeout_options(option: str, verdict: str) -> None:
    d = driver(shell(timeout_us=60 * S))
    d.fire(next(t for t in d.world.timers if t.endswith(":deadline")))  # kills the evaluation
    assert d.of(fx.KillProcessGroup)
    d(i.EscalationResolve(d.world.runs["p-x"].escalation, option))
    names = d.names() + [type(e).__name__ for e in d.effects]
    assert verdict in names


def test_on_timeout_wait_keeps_waiting_and_shell_runs_a_hook() -> None:
    d = driver(shell(retry_max=1, on_timeout="wait"))
    d.exit(d.shell("guard").effect_id, 1)
    assert "guard:timeout" in d.names()
    d.fire(next(t for t in d.world.timers if t.endswith(":retry")))
    d.exit(d.shell("guard").effect_id, 1)
    assert "guard:timeout" not in d.names()
    d = driver(shell(retry_max=1, on_timeout="shell", on_timeout_shell=lit("echo late")))
    d.exit(d.shell("guard").effect_id, 1)
    assert d.shell("hook").script == "echo late" and "guard:failed" in d.names()


def test_typed_conditions_evaluate_without_a_shell() -> None:
    cond = Cond(
        "all",
        items=(
            Cond("pred", name="lock_free", args=(lit("L"),)),
            Cond("not", items=(Cond("pred", name="lock_held_by", args=(lit("L"), lit("cli:x"))),)),
            Cond("pred", name="semaphore_available", args=(lit("S"), lit("2"))),
            Cond(
                "any",
                items=(Cond("pred", name="run_done", args=(lit("auth"),)), Cond("ref", ref="rb.t")),
            ),
        ),
    )
    extra = {"rb.t": Guard("t", "rb", Cond("pred", name="session_alive", args=(lit("none"),)))}
    d = driver(Guard("g", "rb", cond), extra=extra)
    assert "guard:waiting" in d.names()
    assert not d.of(fx.RunShell)
    d(i.LockCommand("acquire", "L", "cli:x"))
    d(i.LockCommand("release", "L", "cli:x"))  # wakes the guard: still false (no run `auth`)
    assert d.world.runs["p-x"].state == "waiting"


def test_world_predicates_probe() -> None:
    d = driver(Guard("g", "rb", Cond("pred", name="branch_exists", args=(lit("main"),))))
    probe = d.of(fx.Probe)[0]
    assert probe.predicate == "branch_exists" and probe.args == ("main",)
    d(i.ProbeResult(probe.effect_id, True))
    assert "guard:passed" in d.names()
    d = driver(Guard("g", "rb", Cond("pred", name="file_exists", args=(lit("x"),))))
    d(i.EffectOutcome("failed", d.of(fx.Probe)[0].effect_id, "io"))
    assert "guard:waiting" in d.names()


def test_post_guard_failure_releases_resources() -> None:
    d = driver(shell(retry_max=1, on_timeout="fail"), post=True)
    d.exit(d.shell("phase").effect_id, 0)
    d.exit(d.shell("guard").effect_id, 1)
    assert d.world.runs["p-x"].error.startswith("post:")


def test_render_error_fails_the_guard() -> None:
    d = driver(Guard("g", "rb", Cond("shell", script=tpl(("nothing",)))))
    assert "guard:failed" in d.names()
    assert d.world.runs["p-x"].error.startswith("pre:")


def test_shell_leaves_inside_a_tree_run_one_after_the_other() -> None:
    cond = Cond(
        "all",
        items=(Cond("shell", script=lit("first")), Cond("shell", script=tpl("then ", ("dep",)))),
    )
    d = driver(Guard("g", "rb", cond))
    assert d.shell("guard").script == "first"
    d.exit(d.shell("guard").effect_id, 0)
    assert d.shell("guard").script == "then auth"
    d.exit(d.shell("guard").effect_id, 0)
    assert "guard:passed" in d.names()
    assert d.shell("phase").script == "work"


def test_cancelling_the_run_kills_the_guard_shell_in_flight() -> None:
    d = driver(shell())
    eid = d.shell("guard").effect_id
    d(i.Cancel("p-x", request_id="r"))
    assert [k.target_effect_id for k in d.of(fx.KillProcessGroup)] == [eid]
    assert eid not in d.world.outbox and len(d.world.guards) == 0
    d = driver(shell(retry_interval_us=S))
    d.exit(d.shell("guard").effect_id, 1)  # fails: waits for its retry, nothing in flight
    d(i.Cancel("p-x", request_id="r"))
    assert not d.of(fx.KillProcessGroup) and len(d.world.guards) == 0


def test_a_wake_event_while_the_deadline_escalation_is_open_is_ignored() -> None:
    d = driver(shell(timeout_us=60 * S, wake_on=(Pattern("build:done@{dep}"),)))
    d.exit(d.shell("guard").effect_id, 1)
    d.fire(next(t for t in d.world.timers if t.endswith(":deadline")))
    guards = d.world.guards
    d(i.EmitCommand("build:done", "auth"))
    assert not d.of(fx.RunShell) and d.world.guards == guards
    assert any("ignored `event`" in e.message for e in d.of(fx.Log))
