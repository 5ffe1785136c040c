"""Crons never overlap: no tick starts while the previous one runs."""

from __future__ import annotations

from core_kit import Driver, S, attrs_evolve, graph, lit, tpl
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.graph import Cron, Scanner, Source, Watcher


class CronMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        cron = Cron("sweep", "rb", 60 * S, enabled=True, run=lit("sweep"))
        self.d = Driver(graph(crons={"rb.sweep": cron}))
        self.running = False

    def _track(self) -> None:
        for ev in self.d.events("cron:"):
            if ev.name == "cron:triggered":
                assert not self.running, "two ticks overlap"
                self.running = True
            elif ev.name in ("cron:completed", "cron:failed"):
                self.running = False

    @rule(verb=st.sampled_from(["enable", "disable", "run"]))
    def command(self, verb: str) -> None:
        self.d(i.CronCommand(verb, "sweep", request_id="r"))
        self._track()

    @rule(dt=st.integers(0, 200 * S))
    def advance(self, dt: int) -> None:
        self.d.now += dt
        for tid, due in sorted(self.d.world.timers.items(), key=lambda kv: kv[1]):
            if due <= self.d.now:
                self.d(i.TimerFired(tid, due))
                self._track()

    @rule(code=st.sampled_from([0, 2]))
    def finish(self, code: int) -> None:
        shells = [e for e in self.d.world.outbox.values() if isinstance(e, fx.RunShell)]
        if shells:
            self.d.exit(shells[0].effect_id, code)
            self._track()

    @invariant()
    def state_agrees(self) -> None:
        c = self.d.world.crons["rb.sweep"]
        assert (c.state == "running") == self.running
        assert ("cron:rb.sweep:tick" in self.d.world.timers) == c.enabled


TestCron = CronMachine.TestCase
TestCron.settings = settings(max_examples=500, stateful_step_count=12, deadline=None)


def test_missed_ticks_coalesce() -> None:
    d = Driver(graph(crons={"rb.c": Cron("c", "rb", 10 * S, enabled=True)}))
    due = d.world.timers["cron:rb.c:tick"]
    d(i.TimerFired("cron:rb.c:tick", due), due - d.now + 35 * S)
    triggered = d.events("cron:triggered")[0]
    assert triggered.payload["missed"] == 3
    assert d.world.timers["cron:rb.c:tick"] == due + 40 * S


def parts_driver(**watch_kw: object) -> Driver:
    w = Watcher("health", "rb", 600 * S, source=Source("command", command=lit("check")))
    for key, value in watch_kw.items():
        w = attrs_evolve(w, **{key: value})
    sc = Scanner("janitor", "rb", 600 * S, source=Source("worktrees"))
    cron = Cron(
        "sweep",
        "rb",
        60 * S,
        enabled=True,
        run=lit("sweep"),
        watchers=("rb.health",),
        scanners=("rb.janitor",),
    )
    return Driver(
        graph(crons={"rb.sweep": cron}, watchers={"rb.health": w}, scanners={"rb.janitor": sc})
    )


def test_a_tick_ends_after_its_run_watcher_checks_and_scanner_runs_in_order() -> None:
    d = parts_driver()
    d.fire("cron:rb.sweep:tick")
    assert d.names() == ["cron:triggered"]
    d.exit(d.shell("cron").effect_id, 3)
    source = d.shell("source")
    assert source.owner == "watcher:rb.health" and not d.of(fx.ListWorktrees)
    d.exit(source.effect_id, 0, "[]")
    assert "cron:completed" not in d.names() and "scanner:started" in d.names()
    assert d.world.crons["rb.sweep"].parts == ("scanner:rb.janitor",)
    d(i.ScanListed(d.of(fx.ListWorktrees)[0].effect_id))
    (failed,) = d.events("cron:failed")
    assert failed.payload["error"] == "exited 3" and failed.payload["tick"] == "sweep-t1"
    c = d.world.crons["rb.sweep"]
    assert c.state == "enabled" and c.parts == () and c.errors == ()


def test_a_tick_waits_for_a_check_already_in_flight_and_a_removed_part_ends() -> None:
    d = parts_driver()
    d.fire("watcher:rb.health:check")  # the watcher's own check reads its source
    own = d.shell("source")
    d.fire("cron:rb.sweep:tick")
    d.exit(d.shell("cron").effect_id)
    assert not d.of(fx.RunShell), "the check in flight answers the cron too"
    d.exit(own.effect_id, 0, "[]")
    assert "scanner:started" in d.names()
    g = d.world.graphs[d.world.graph_hash]
    d(i.Reload(attrs_evolve(g, scanners={})))
    assert "cron:completed" in d.names(), "a scanner removed by a reload ends its part"


def test_paused_watchers_and_busy_scanners() -> None:
    d = parts_driver(enabled=False)
    d(i.ScannerCommand("run", "janitor"))
    listing = d.of(fx.ListWorktrees)[0]
    d.fire("cron:rb.sweep:tick")
    d.exit(d.shell("cron").effect_id)  # the paused watcher has nothing to check
    assert d.world.crons["rb.sweep"].parts == ("scanner:rb.janitor",)
    assert not d.of(fx.ListWorktrees), "the scan in flight answers the cron"
    d(i.ScanListed(listing.effect_id))
    assert "cron:completed" in d.names()


def test_a_source_that_does_not_render_fails_the_part() -> None:
    d = parts_driver(source=Source("command", command=tpl("check ", ("nope",))))
    d.fire("cron:rb.sweep:tick")
    d.exit(d.shell("cron").effect_id)
    d(i.ScanListed(d.of(fx.ListWorktrees)[0].effect_id))
    (failed,) = d.events("cron:failed")
    assert failed.payload["error"].startswith("watcher:rb.health: source: no value for `nope`")


def test_a_cron_removed_mid_tick_ignores_the_end_of_its_parts() -> None:
    d = parts_driver()
    d.fire("cron:rb.sweep:tick")
    d.exit(d.shell("cron").effect_id)
    source = d.shell("source")
    g = d.world.graphs[d.world.graph_hash]
    d(i.Reload(attrs_evolve(g, crons={})))
    d.exit(source.effect_id, 0, "[]")
    assert "rb.sweep" not in d.world.crons and not d.events("cron:")


def test_a_part_removed_before_its_turn_is_skipped() -> None:
    d = parts_driver()
    d.fire("cron:rb.sweep:tick")
    d.exit(d.shell("cron").effect_id)
    source = d.shell("source")
    g = d.world.graphs[d.world.graph_hash]
    d(i.Reload(attrs_evolve(g, scanners={})))  # the scanner is next, after the watcher
    d.exit(source.effect_id, 0, "[]")
    assert not d.of(fx.ListWorktrees)
    assert "cron:completed" in d.names()


def test_a_run_that_does_not_render_fails_the_tick() -> None:
    cron = Cron("c", "rb", 60 * S, enabled=True, run=tpl("sweep ", ("nope",)))
    d = Driver(graph(crons={"rb.c": cron}))
    d.fire("cron:rb.c:tick")
    assert not d.of(fx.RunShell)
    (failed,) = d.events("cron:failed")
    assert failed.payload["error"] == "no value for `nope`"
    assert d.world.crons["rb.c"].state == "enabled"
