"""A watcher's response ladder step by step: repeated responses, a delayed one, running out
(a `watcher_exhausted` escalation), disabling mid-delay, and `wake_on` patterns."""

from __future__ import annotations

from core_kit import Driver, S, graph, lit, tpl

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Condition, Cron, Pattern, Response, Source, Watcher

EP = "watcher:rb.w:ep:x:**"  # events source: the record id is the pattern


def driver(**kw: object) -> Driver:
    w = Watcher(
        "w",
        "rb",
        10 * S,
        source=Source("events", pattern="x:**"),
        condition=Condition("exceeds", count=0),
        response=(
            Response("fail", verb=True, count=2),  # no run to fail: the response fails
            Response("notify", verb=True, delay_us=S),
        ),
        **kw,  # type: ignore[arg-type]
    )
    d = Driver(graph(watchers={"rb.w": w}))
    d(i.EmitCommand("x:y", "s"))
    d.fire("watcher:rb.w:check")
    return d


def test_a_failing_response_is_used_count_times_then_the_delayed_one_waits() -> None:
    d = driver()
    assert d.names() == ["watcher:triggered"]
    ep = d.world.watchers["rb.w"].episodes["x:**"]
    assert (ep.state, ep.index) == ("delaying", 1)
    assert d.world.timers[EP] == d.now + S
    d.fire(EP)
    ep = d.world.watchers["rb.w"].episodes["x:**"]
    assert (ep.state, ep.index, ep.uses) == ("responding", 1, 1)
    assert d.of(fx.Notify)


def test_a_ladder_that_runs_out_without_escalate_opens_an_escalation() -> None:
    d = driver()
    d.fire(EP)
    d(i.EmitCommand("x:y", "s"))
    d.fire("watcher:rb.w:check")
    assert d.names() == ["watcher:escalated", "escalation:created"]
    (esc,) = d.world.escalations.values()
    assert (esc.kind, esc.subject) == ("watcher_exhausted", "watcher:rb.w:x:**")


def test_disabling_mid_delay_cancels_the_episode_and_twice_is_ignored() -> None:
    d = driver()
    d(i.WatcherCommand("disable", "w", request_id="r"))
    assert d.names() == ["watcher:paused"]
    assert EP not in d.world.timers and d.world.watchers["rb.w"].episodes == {}
    d(i.WatcherCommand("disable", "w", request_id="r"))
    assert d.names() == [] and d.world.watchers["rb.w"].state == "paused"


def test_a_cron_tick_does_not_wait_for_a_paused_watcher() -> None:
    w = Watcher("w", "rb", 10 * S, source=Source("events", pattern="x:**"), enabled=False)
    cron = Cron("c", "rb", 60 * S, enabled=True, run=lit("tick"), watchers=("rb.w",))
    d = Driver(graph(watchers={"rb.w": w}, crons={"rb.c": cron}))
    d.fire("cron:rb.c:tick")
    d.exit(d.shell("cron").effect_id)
    assert "cron:completed" in d.names()
    assert d.world.crons["rb.c"].state == "enabled"


def test_wake_on_checks_at_once_and_a_pattern_that_does_not_render_is_a_warning() -> None:
    d = driver(wake_on=(Pattern("deploy:*"), Pattern("x:{nope}")))
    d(i.Reload(d.world.graphs[d.world.graph_hash]))  # init again, with its log in sight
    assert any("wake_on `x:{nope}`" in e.message for e in d.of(fx.Log))
    d.fire(EP)
    d(i.EmitCommand("x:y", "s"))
    d(i.EmitCommand("deploy:done", "s"))
    assert "watcher:escalated" in d.names()


def test_a_response_whose_args_do_not_render_counts_as_failed() -> None:
    w = Watcher(
        "w",
        "rb",
        10 * S,
        source=Source("events", pattern="x:**"),
        condition=Condition("exceeds", count=0),
        response=(
            Response("notify", verb=True, args={"message": tpl(("nope",))}),
            Response("notify", verb=True, requires_previous_failure=True),
        ),
    )
    d = Driver(graph(watchers={"rb.w": w}))
    d(i.EmitCommand("x:y", "s"))
    d.fire("watcher:rb.w:check")
    ep = d.world.watchers["rb.w"].episodes["x:**"]
    assert (ep.state, ep.index) == ("responding", 1)
    assert len(d.of(fx.Notify)) == 1


def test_a_check_during_the_delay_leaves_the_delaying_episode_alone() -> None:
    d = driver()
    ep = d.world.watchers["rb.w"].episodes["x:**"]
    d(i.EmitCommand("x:y", "s"))
    d.fire("watcher:rb.w:check")
    assert d.world.watchers["rb.w"].episodes["x:**"] == ep and EP in d.world.timers
    assert "watcher:triggered" not in d.names()
