"""The engine loop over fake adapters and a real store: runs end, replies come after commit,
timers fire from the clock, a restart recovers intents by class."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_kit import FAST, SHELLS, project, running

from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.clock import FakeClock
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.engine.loop import Engine, EngineError


def test_a_shell_pipeline_runs_to_done_and_events_follow_commit(tmp_path: Path) -> None:
    graph = project(tmp_path, {"demo": SHELLS})
    with running(tmp_path, graph) as engine:
        sub = engine.subscribe()
        reply = engine.request(i.PipelineStart("demo.ship", {"msg": "hi there"}, "a"))
        assert reply.error is None and reply.result == {"run": "ship-a"}
        assert engine.wait_for(lambda w: w.runs["ship-a"].terminal, 10)
        assert engine.world.runs["ship-a"].state == "done"
        names = []
        while (event := sub.get(0.2)) is not None and event.name != "pipeline:complete":
            names.append(event.name)
        assert names[:3] == ["pipeline:created", "pipeline:started", "pipeline:phase"]
        scripts = [c.args[1] for c in engine.adapters.shell.called("start")]  # type: ignore[attr-defined]
        assert scripts == ["echo 'hi there'", "echo two"]
        assert engine.quiet(5) and len(engine.world.outbox) == 0
    assert (tmp_path / ".oj" / ".gitignore").read_text() == "*\n"


def test_errors_come_back_as_replies(tmp_path: Path) -> None:
    graph = project(tmp_path, {"demo": SHELLS})
    with running(tmp_path, graph) as engine:
        missing = engine.request(i.PipelineStart("demo.ship", {}))
        assert missing.error == "invalid" and "msg" in missing.message
        unknown = engine.request(i.PipelineStart("demo.nope", {}))
        assert unknown.error == "not_found"
        stale = engine.request(i.Done("nobody.x.1", 1))
        assert stale.error == "not_found"
    with pytest.raises(EngineError):
        engine.request(i.PipelineStart("demo.ship", {"msg": "x"}))


def test_a_second_engine_on_the_same_project_is_refused(tmp_path: Path) -> None:
    graph = project(tmp_path, {"demo": SHELLS})
    with running(tmp_path, graph):
        second = Engine(tmp_path, graph, fake_adapters(tmp_path), settings=FAST)
        with pytest.raises(EngineError, match="could not start"):
            second.start()


RETRY = """
[pipeline.flaky]

[[pipeline.flaky.phase]]
name = "try"
run = "exit 3"
on_fail = "retry:1:30s"
"""


def test_timers_fire_from_the_engine_clock(tmp_path: Path) -> None:
    graph = project(tmp_path, {"demo": RETRY})
    clock = FakeClock()
    with running(tmp_path, graph, clock=clock) as engine:
        engine.request(i.PipelineStart("demo.flaky", {}, "f"))
        assert engine.wait_for(lambda w: "run:flaky-f:retry" in w.timers, 5)
        assert engine.quiet(2)
        assert engine.world.runs["flaky-f"].attempts == {"try": 1}
        clock.advance(31_000_000)
        engine.kick()
        assert engine.wait_for(lambda w: w.runs["flaky-f"].attempts.get("try") == 2, 5)
        assert engine.wait_for(lambda w: w.runs["flaky-f"].state == "escalated", 5)


HANG = """
[pipeline.slow]

[[pipeline.slow.phase]]
name = "work"
run = "sleep 30"
"""


def test_restart_recovers_intents_by_class(tmp_path: Path) -> None:
    graph = project(tmp_path, {"demo": HANG})
    adapters = fake_adapters(tmp_path)
    shell = adapters.shell
    shell.on_script("sleep 30", code=0, duration_s=30)  # type: ignore[attr-defined]
    engine = Engine(tmp_path, graph, adapters, settings=FAST)
    engine.start()
    # hold the shell result back: stop before it is fed, as a crash after commit would
    engine.io_pool.stop()
    engine.shell_pool.stop()
    engine.request(i.PipelineStart("demo.slow", {}, "s"))
    engine.stop()
    [intent] = engine.world.outbox.values()
    assert isinstance(intent, fx.RunShell) and intent.purpose == "phase"
    lost = fake_adapters(tmp_path)
    with running(tmp_path, graph, lost) as again:
        assert again.wait_for(lambda w: w.runs["slow-s"].state != "running", 5)
        run = again.world.runs["slow-s"]
        assert run.state == "escalated" and "interrupted" in run.error
        assert again.report["lost"] == 1
