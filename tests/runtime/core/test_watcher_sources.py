"""Watcher sources and conditions: sessions, pipelines, queues, shell records, verbs."""

from __future__ import annotations

from core_kit import Driver, S, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import (
    Condition,
    Cron,
    Phase,
    Pipeline,
    Response,
    Runbook,
    Source,
    Task,
    Watcher,
)


def test_stalled_pipelines_get_notify_then_escalate() -> None:
    w = Watcher(
        "stalled",
        "rb",
        600 * S,
        source=Source("pipelines", pattern="p-*"),
        condition=Condition("idle", threshold_us=3600 * S),
        response=(
            Response("notify", verb=True),
            Response("escalate", verb=True, requires_previous_failure=True),
        ),
    )
    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a")),))
    d = Driver(graph(watchers={"rb.stalled": w}, pipelines={"rb.p": pipe}))
    d(i.PipelineStart("rb.p", {}, "x"))
    d(i.WatcherCommand("disable", "stalled"))
    d(i.WatcherCommand("enable", "stalled"))
    assert "watcher:resumed" in d.names()
    d.fire("watcher:rb.stalled:check")
    assert "watcher:triggered" not in d.names()
    d(
        i.TimerFired("watcher:rb.stalled:check", d.world.timers["watcher:rb.stalled:check"]),
        7200 * S,
    )
    assert "watcher:triggered" in d.names() and d.of(fx.Notify)
    d.fire("watcher:rb.stalled:check")
    assert "escalation:created" in d.names()
    d.fire("watcher:rb.stalled:check")
    assert "watcher:escalated" in d.names()
    d.exit(d.world.runs["p-x"].child)
    d.fire("watcher:rb.stalled:check")
    assert "watcher:resolved" in d.names()


def test_idle_sessions_are_nudged_and_restarted() -> None:
    w = Watcher(
        "idle",
        "rb",
        60 * S,
        condition=Condition("idle", threshold_us=120 * S),
        response=(
            Response("nudge", verb=True),
            Response("restart", verb=True, requires_previous_failure=True),
        ),
    )
    pipe = Pipeline("p", "rb", (Phase("a", "task", task="rb.t"),))
    d = Driver(
        graph(watchers={"rb.idle": w}, pipelines={"rb.p": pipe}, tasks={"rb.t": Task("t", "rb")})
    )
    d(i.PipelineStart("rb.p", {}, "x"))
    spawn = d.of(fx.SpawnSession)[0]
    d(i.SessionResult("spawned", spawn.effect_id))
    d(i.AgentSignal("ready", "p-x.a.1"))
    d(i.TimerFired("watcher:rb.idle:check", d.world.timers["watcher:rb.idle:check"]), 300 * S)
    assert d.of(fx.SendKeys)
    d(i.TimerFired("watcher:rb.idle:check", d.world.timers["watcher:rb.idle:check"]), 60 * S)
    assert "task:restarted" in d.names()


def test_shell_source_records_and_consecutive_failures_from_a_cron() -> None:
    w = Watcher(
        "health",
        "rb",
        60 * S,
        source=Source("command", command=lit("check")),
        condition=Condition("consecutive_failures", count=2),
        response=(Response("notify", verb=True),),
        enabled=False,
    )
    cron = Cron("c", "rb", 60 * S, enabled=True, watchers=("rb.health",))
    d = Driver(graph(watchers={"rb.health": w}, crons={"rb.c": cron}))
    d(i.WatcherCommand("enable", "health"))
    for _ in range(2):
        d.fire("watcher:rb.health:check")
        d.exit(d.shell("source").effect_id, 1)
    assert "watcher:triggered" in d.names()
    d.fire("watcher:rb.health:check")
    d.exit(d.shell("source").effect_id, 0, '{"id": "error", "ok": true}')
    assert "watcher:resolved" in d.names()
    d.fire("cron:rb.c:tick")
    assert d.shell("source").script == "check"


def test_queue_records_match_a_regex() -> None:
    from ojlang.runtime.core.graph import Queue

    w = Watcher(
        "q",
        "rb",
        60 * S,
        source=Source("queue", name="q"),
        condition=Condition("matches", pattern="urgent"),
        response=(Response("notify", verb=True),),
    )
    d = Driver(graph(watchers={"rb.q": w}, queues={"q": Queue("q", "rb")}))
    d(i.QueueAdd("q", {"id": "a", "text": "urgent fix"}))
    d.fire("watcher:rb.q:check")
    assert "watcher:triggered" in d.names()


def test_shell_conditions_probe_each_record_and_judge_once_all_answered() -> None:
    w = Watcher(
        "disk",
        "rb",
        60 * S,
        source=Source("command", command=lit("list")),
        condition=Condition("shell", shell=tpl("full ", ("id",), " ", ("config", "limit"))),
        response=(Response("notify", verb=True),),
    )
    g = graph(runbooks={"rb": Runbook("rb", config={"limit": 90})}, watchers={"rb.disk": w})
    d = Driver(g)
    d.fire("watcher:rb.disk:check")
    d.exit(d.shell("source").effect_id, 0, '[{"id": "a"}, {"id": "b"}, {"id": "c", "x": 1}]')
    probes = [e for e in d.of(fx.RunShell) if e.purpose == "probe"]
    assert [p.script for p in probes] == ["full a 90", "full b 90", "full c 90"]
    assert probes[0].env == {"OJ_PROJECT": "/project", "OJ_RUNBOOK": "rb"}
    d.fire("watcher:rb.disk:check")
    assert not d.of(fx.RunShell), "one check in flight at a time"
    d.exit(probes[0].effect_id, 0)
    d.exit(probes[1].effect_id, 1)
    assert "watcher:triggered" not in d.names()
    d.exit(probes[2].effect_id, 0)
    triggered = [e.payload["record"]["id"] for e in d.events("watcher:triggered")]
    assert triggered == ["a", "c"] and not d.world.watchers["rb.disk"].polling


def test_shell_conditions_that_do_not_render_are_not_met() -> None:
    w = Watcher(
        "q",
        "rb",
        60 * S,
        source=Source("pipelines"),
        condition=Condition("shell", shell=tpl("check ", ("nope",))),
        response=(Response("notify", verb=True),),
    )
    d = Driver(graph(watchers={"rb.q": w}, pipelines={"rb.p": Pipeline("p", "rb", (Phase("a"),))}))
    d(i.PipelineStart("rb.p", {}, "x"), 0)
    d.fire("watcher:rb.q:check")
    assert not d.of(fx.RunShell) and "watcher:triggered" not in d.names()


def test_a_watcher_disabled_during_its_check_drops_the_answers() -> None:
    w = Watcher(
        "h",
        "rb",
        60 * S,
        source=Source("command", command=lit("list")),
        condition=Condition("shell", shell=lit("bad")),
        response=(Response("notify", verb=True),),
    )
    d = Driver(graph(watchers={"rb.h": w}))
    d.fire("watcher:rb.h:check")
    source = d.shell("source")
    d(i.WatcherCommand("disable", "h"))
    d.exit(source.effect_id, 0, "a\n")
    assert not d.of(fx.RunShell)
    d(i.WatcherCommand("enable", "h"))
    d.fire("watcher:rb.h:check")
    d.exit(d.shell("source").effect_id, 0, "a\n")
    probe = d.shell("probe")
    d(i.WatcherCommand("disable", "h"))
    d.exit(probe.effect_id, 0)
    assert "watcher:triggered" not in d.names() and not d.world.watchers["rb.h"].polling
