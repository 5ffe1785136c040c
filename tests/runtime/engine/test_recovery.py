"""Recovery of intents left without a result (RUNTIME.md §4.2, §7.5), by class."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from immutables import Map

from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.task import TaskRun
from ojlang.runtime.core.world import World
from ojlang.runtime.engine.execute import Executor
from ojlang.runtime.engine.recovery import plan, recovery_class, spooled


@pytest.mark.parametrize(
    "effect, kind",
    [
        (fx.SendKeys("s"), "at-most-once"),
        (fx.Notify("t", "m"), "at-most-once"),
        (fx.IssueCall("update"), "at-most-once"),
        (fx.IssueCall("get"), "idempotent"),
        (fx.SpawnSession("s", ".", ("a",)), "probe-then-run"),
        (fx.WorktreeAdd("w", "p", "b"), "probe-then-run"),
        (fx.Merge("b", "m"), "probe-then-run"),
        (fx.RunShell("guard", "x", "."), "idempotent"),
        (fx.RunShell("checkpoint", "x", ".", owner="strategy:s"), "idempotent"),
        (fx.RunShell("checkpoint", "x", ".", owner="hook"), "re-attach"),
        (fx.RunShell("phase", "x", "."), "re-attach"),
        (fx.KillSession("s"), "idempotent"),
    ],
)
def test_recovery_classes(effect: fx.IoEffect, kind: str) -> None:
    assert recovery_class(effect) == kind


def test_plan_resolves_each_class(tmp_path: Path) -> None:
    adapters = fake_adapters(tmp_path)
    ex = Executor(tmp_path, tmp_path / ".oj", adapters, fence_ok=lambda f: True)
    adapters.session.spawn("alive", tmp_path, ["x"], {}, tmp_path / "l.log")
    handle = adapters.shell.start("9.1", "echo done", tmp_path, {}, None)
    adapters.shell.wait(handle)
    outbox = {
        "1.1": fx.SendKeys("alive", "hi", effect_id="1.1"),
        "2.1": fx.SpawnSession("alive", ".", ("x",), effect_id="2.1"),
        "3.1": fx.SpawnSession("fresh", ".", ("x",), effect_id="3.1"),
        "4.1": fx.KillSession("old", effect_id="4.1"),
        "9.1": fx.RunShell("phase", "echo done", ".", effect_id="9.1"),
        "9.2": fx.RunShell("phase", "never started", ".", effect_id="9.2"),
    }
    world = World(outbox=Map(outbox))
    got = plan(world, ex)
    assert [e.effect_id for e in got.rerun] == ["3.1", "4.1"]
    by_id = {getattr(x, "effect_id", ""): x for x in got.inputs}
    assert by_id["1.1"] == i.EffectOutcome("abandoned", "1.1", "engine restarted")
    spawned = by_id["2.1"]
    assert isinstance(spawned, i.SessionResult) and spawned.verb == "spawned"
    done = by_id["9.1"]
    assert isinstance(done, i.ShellExited) and done.stdout_tail == "done\n"
    assert by_id["9.2"] == i.ShellExited("9.2", None, lost=True)
    assert got.lost == 1


def test_sessions_of_live_task_runs_are_reconciled(tmp_path: Path) -> None:
    adapters = fake_adapters(tmp_path)
    ex = Executor(tmp_path, tmp_path / ".oj", adapters, fence_ok=lambda f: True)
    adapters.session.spawn("dead", tmp_path, ["x"], {}, tmp_path / "l.log")
    adapters.session.exit_pane("dead", 3)  # type: ignore[attr-defined]
    tasks = {
        "r.a.1": TaskRun("r.a.1", "r", "run:r", "a", "k", {}, session="dead", state="running"),
        "r.b.1": TaskRun("r.b.1", "r", "run:r", "b", "k", {}, session="gone", state="idle"),
        "r.c.1": TaskRun("r.c.1", "r", "run:r", "c", "k", {}, session="x", state="done"),
    }
    got = plan(World(tasks=Map(tasks)), ex)
    assert list(got.inputs) == [
        i.AgentSignal("exited", "r.a.1", 1, "process", code=3),
        i.SessionGone("r.b.1"),
    ]


def test_spooled_signals_are_read_in_order_and_deleted(tmp_path: Path) -> None:
    spool = tmp_path / "run" / "spool"
    spool.mkdir(parents=True)
    records = [
        (
            "1-a.json",
            {"method": "hook", "params": {"kind": "activity", "task_run": "t", "generation": 1}},
        ),
        ("2-b.json", {"method": "done", "params": {"task_run": "t", "error": "no"}}),
        ("3-c.json", {"method": "done", "params": {}}),
    ]
    for name, record in records:
        (spool / name).write_text(json.dumps(record))
    (spool / "4-d.json").write_text("{broken")
    assert spooled(tmp_path) == [
        i.AgentSignal("activity", "t", 1, "hook"),
        i.Done("t", 0, error="no"),
    ]
    assert list(spool.iterdir()) == []
