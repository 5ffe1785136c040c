"""Test kit for the core: graph builders and a `Driver` that steps a world with rising seq/time."""

from __future__ import annotations

from typing import Any

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.graph import Edge, Graph, Phase, Pipeline, Runbook, Template
from ojlang.runtime.core.world import World, initial_world, step

T0 = 1_767_225_600_000_000
S = 1_000_000


def lit(text: str) -> Template:
    return Template.literal(text)


def shell_pipeline(name: str, n: int, runbook: str = "rb", **kw: Any) -> Pipeline:
    phases = tuple(
        Phase(
            f"s{k}",
            action="run",
            run=lit(f"step {k}"),
            next=Edge(phase=f"s{k + 1}") if k < n - 1 else Edge(terminal="done"),
        )
        for k in range(n)
    )
    return Pipeline(name, runbook, phases=phases, **kw)


def graph(**kw: Any) -> Graph:
    runbooks = kw.pop("runbooks", {"rb": Runbook("rb")})
    return Graph(runbooks=runbooks, **kw)


class Driver:
    """Steps a world; keeps every effect and event of the last step and of all steps."""

    def __init__(self, g: Graph, now: int = T0, machine_id: str = "m1") -> None:
        self.world: World = initial_world(g, now)
        self.now = now
        self.seq = 0
        self.machine_id = machine_id
        self.effects: tuple[fx.Effect, ...] = ()
        self.history: list[tuple[i.Input, tuple[fx.Effect, ...]]] = []

    def __call__(self, inp: i.Input, advance_us: int = 0) -> tuple[fx.Effect, ...]:
        self.now += advance_us
        self.seq += 1
        self.world, self.effects = step(self.world, inp, self.now, self.seq, self.machine_id)
        self.history.append((inp, self.effects))
        errors = [e for e in self.effects if isinstance(e, fx.Log) and e.level == "error"]
        assert not errors, errors
        return self.effects

    def events(self, prefix: str = "") -> list[Event]:
        return [
            e.event
            for e in self.effects
            if isinstance(e, fx.Emit) and e.event.name.startswith(prefix)
        ]

    def names(self) -> list[str]:
        return [e.name for e in self.events()]

    def all_names(self) -> list[str]:
        return [e.event.name for _, effs in self.history for e in effs if isinstance(e, fx.Emit)]

    def of(self, cls: type[Any]) -> list[Any]:
        return [e for e in self.effects if isinstance(e, cls)]

    def reply(self) -> fx.Reply:
        replies = self.of(fx.Reply)
        assert len(replies) == 1, self.effects
        return replies[0]

    def shell(self, purpose: str = "") -> fx.RunShell:
        shells = [e for e in self.of(fx.RunShell) if not purpose or e.purpose == purpose]
        assert shells, self.effects
        return shells[0]

    def fire(self, timer_id: str) -> tuple[fx.Effect, ...]:
        due = self.world.timers[timer_id]
        return self(i.TimerFired(timer_id, due), max(0, due - self.now))

    def exit(self, eid: str, code: int = 0, stdout: str = "") -> tuple[fx.Effect, ...]:
        return self(i.ShellExited(eid, code, stdout_tail=stdout))


def tpl(*parts: str | tuple[str, ...]) -> Template:
    """A template from literal strings and paths (tuples): `tpl("echo ", ("name",))`."""
    from ojlang.runtime.core.graph import Piece

    return Template(tuple(Piece(p) if isinstance(p, str) else Piece(path=p) for p in parts))


def rich_graph() -> Graph:
    """Most primitives at once, wired together: for world-level properties and scenarios."""
    from ojlang.runtime.core import graph as g

    phases = (
        g.Phase("init", "run", run=tpl("git fetch ", ("name",))),
        g.Phase("blocked", pre=("rb.ready",)),
        g.Phase("plan", "task", task="rb.planner", semaphore="agents", post=("rb.ready",)),
        g.Phase(
            "land", "strategy", strategy="rb.land", lock="main", on_fail=g.OnFail("retry", 1, S)
        ),
        g.Phase(
            "check", "run", run=lit("make check"), on_fail=g.OnFail("goto", target=g.Edge("plan"))
        ),
    )
    pipe = g.Pipeline(
        "build",
        "rb",
        phases=tuple(
            attrs_evolve(
                p,
                next=g.Edge(phase=phases[k + 1].name)
                if k + 1 < len(phases)
                else g.Edge(terminal="done"),
            )
            for k, p in enumerate(phases)
        ),
        inputs=("name",),
        worktree=True,
        notify=g.PipelineNotify(on_done=tpl(("name",), " landed")),
    )
    rb = g.Runbook(
        "rb",
        config={"base": "main"},
        hooks=(g.Hook(g.Pattern("pipeline:complete"), lit("echo done"), "rb"),),
    )
    return g.Graph(
        runbooks={"rb": rb},
        pipelines={"rb.build": pipe},
        tasks={
            "rb.planner": g.Task("planner", "rb", prompt="Plan {{ name }}", idle_timeout_us=60 * S)
        },
        guards={
            "rb.ready": g.Guard(
                "ready",
                "rb",
                g.Cond("shell", script=lit("test -f ready")),
                retry_max=3,
                retry_interval_us=5 * S,
            )
        },
        strategies={
            "rb.land": g.Strategy(
                "land",
                "rb",
                (
                    g.Attempt("ff", run=lit("merge ff"), rollback=lit("undo")),
                    g.Attempt("rb", run=lit("merge rb")),
                ),
            )
        },
        locks={"main": g.Lock("main", heartbeat_us=30 * S)},
        semaphores={"agents": g.Semaphore("agents", max=1)},
        queues={"builds": g.Queue("builds", "rb", max_retries=1)},
        workers={"rb.builds": g.Worker("builds", "rb", "builds", "rb.build", concurrency=2)},
        crons={"rb.tick": g.Cron("tick", "rb", 60 * S, enabled=True, run=lit("tick"))},
        actions={
            "rb.page": g.Action(
                "page",
                "rb",
                10 * S,
                mode="builtin",
                builtin="notify",
                args={"message": tpl(("id",))},
            )
        },
    )


def attrs_evolve(inst: Any, **changes: Any) -> Any:
    import attrs

    return attrs.evolve(inst, **changes)
