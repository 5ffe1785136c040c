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
