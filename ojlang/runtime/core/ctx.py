"""The step context: one input's working state; machines read and replace `tx.world` and
append effects. Created and finished by `world.step`, never kept between steps.

`Tx` is the only mutable object in the core and lives for one step. It numbers effects
(`SEQ.K`), issues ids (`SeededIdGen`), records I/O effects in the outbox, keeps timers in
`World.timers`, and queues emitted events for in-step routing (breadth first).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, cast

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core.data import evolve
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.ids import SeededIdGen, effect_id

if TYPE_CHECKING:
    from ojlang.runtime.core.graph import Graph
    from ojlang.runtime.core.world import World

MAX_DEPTH = 32


class _Draft:
    """A mutable shadow of the step's `World` (fields as plain attributes)."""

    def __init__(self, world: World) -> None:
        self.__dict__.update(world.__dict__)


class Tx:
    def __init__(self, world: World, now: int, seq: int, machine_id: str) -> None:
        self._cls = type(world)
        self.world: World = cast("World", _Draft(world))
        self.now = now
        self.seq = seq
        self.ids = SeededIdGen(machine_id, seq)
        self.effects: list[fx.Effect] = []
        self.pending: deque[tuple[Event, int]] = deque()
        self.depth = 0
        self.pinned = ""

    @property
    def graph(self) -> Graph:
        """The graph in force: the pinned run's graph while handling one of its parts."""
        return self.world.graphs[self.pinned or self.world.graph_hash]

    def graph_of(self, graph_hash: str) -> Graph:
        return self.world.graphs[graph_hash]

    def set(self, **changes: Any) -> None:
        self.world.__dict__.update(changes)

    def freeze(self, **changes: Any) -> World:
        """The world as it stands, as a frozen `World` (a dict copy: `World` has no slots)."""
        world = object.__new__(self._cls)
        world.__dict__.update(self.world.__dict__)
        world.__dict__.update(changes)
        return world

    # -- effects ------------------------------------------------------------------------------

    def _next_id(self) -> str:
        return effect_id(self.seq, len(self.effects) + 1)

    def io(self, effect: fx.IoEffect) -> str:
        """Issue an I/O effect: assign its id, record it in the outbox, return the id."""
        eid = self._next_id()
        effect = evolve(effect, effect_id=eid)
        self.effects.append(effect)
        self.set(outbox=self.world.outbox.set(eid, effect))
        return eid

    def emit(self, name: str, subject: str, /, **payload: Any) -> Event:
        event = Event(name, subject, self.now, self.seq, payload)
        self.effects.append(fx.Emit(event))
        self.pending.append((event, self.depth + 1))
        return event

    def log(self, level: str, message: str, **fields: Any) -> None:
        self.effects.append(fx.Log(level, message, fields))

    def ignored(self, state: str, input: str) -> None:
        self.log("debug", f"ignored `{input}` in state `{state}`")

    def reply(
        self, request_id: str, result: Any = None, error: str | None = None, msg: str = ""
    ) -> None:
        if request_id:
            self.effects.append(fx.Reply(request_id, result, error, msg))

    def set_timer(self, timer_id: str, due_us: int) -> None:
        self.set(timers=self.world.timers.set(timer_id, due_us))
        self.effects.append(fx.SetTimer(timer_id, due_us))

    def cancel_timer(self, timer_id: str) -> None:
        if timer_id in self.world.timers:
            self.set(timers=self.world.timers.delete(timer_id))
            self.effects.append(fx.CancelTimer(timer_id))

    def take_result(self, eid: str) -> fx.IoEffect | None:
        """Remove and return the outbox entry a result answers (None: duplicate or unknown)."""
        effect = self.world.outbox.get(eid)
        if effect is not None:
            self.set(outbox=self.world.outbox.delete(eid))
        return effect
