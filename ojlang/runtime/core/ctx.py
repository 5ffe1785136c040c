"""The step context: one input's working state; machines read and replace `tx.world` and
append effects. Created and finished by `world.step`, never kept between steps.

`Tx` is the only mutable object in the core and lives for one step. It numbers effects
(`SEQ.K`), issues ids (`SeededIdGen`, created on first use), records I/O effects in the
outbox, keeps timers in `World.timers`, and queues emitted events for in-step routing
(breadth first). Hot writers (`put_run`, `io`, `emit`, timers) write the draft's fields
directly instead of going through `set`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.ids import SeededIdGen

if TYPE_CHECKING:
    from ojlang.runtime.core.graph import Graph, Pipeline
    from ojlang.runtime.core.run import Run
    from ojlang.runtime.core.world import World

MAX_DEPTH = 32
_new = object.__new__
_stamp = object.__setattr__


class Tx:
    __slots__ = (
        "_d",
        "_ids",
        "_owned",
        "depth",
        "effects",
        "machine_id",
        "now",
        "pending",
        "pinned",
        "seq",
        "world",
    )

    def __init__(self, world: World, now: int, seq: int, machine_id: str) -> None:
        # The draft is a new `World` whose fields the step replaces in place (through its
        # `__dict__`); nothing outside the step sees it before `freeze` hands it out.
        draft = _new(type(world))
        self._d: dict[str, Any] = world.__dict__.copy()
        _stamp(draft, "__dict__", self._d)
        self.world = draft
        self.now = now
        self.seq = seq
        self.machine_id = machine_id
        self._ids: SeededIdGen | None = None
        self.effects: list[fx.Effect] = []
        self.pending: list[tuple[Event, int]] = []  # routed in order by `world.step`
        self.depth = 0
        self.pinned = ""
        self._owned: dict[str, Run] | None = None

    @property
    def ids(self) -> SeededIdGen:
        """The step's id generator (`blake2b(machine:seq:n)`), made on first use."""
        if self._ids is None:
            self._ids = SeededIdGen(self.machine_id, self.seq)
        return self._ids

    @property
    def graph(self) -> Graph:
        """The graph in force: the pinned run's graph while handling one of its parts."""
        graph: Graph = self._d["graphs"][self.pinned or self._d["graph_hash"]]
        return graph

    def graph_of(self, graph_hash: str) -> Graph:
        graph: Graph = self._d["graphs"][graph_hash]
        return graph

    def pipeline(self, run: Run) -> Pipeline:
        """The definition of a run's pipeline, in the graph the run is pinned to."""
        pipe: Pipeline = self._d["graphs"][run.graph_hash].pipelines[run.pipeline]
        return pipe

    def set(self, **changes: Any) -> None:
        self._d.update(changes)

    def edit_run(self, run: Run, **changes: Any) -> Run:
        """`run` with `changes`, not written. The first edit of a run in this step copies it;
        edits of that copy change it in place: it was made in this step, so nothing outside
        the step holds it (callers must not keep the pre-edit value of an edited copy)."""
        owned = self._owned
        if owned is None:
            owned = self._owned = {}
        elif owned.get(run.id) is run:
            run.__dict__.update(changes)
            return run
        new = _new(type(run))
        d = run.__dict__.copy()
        d.update(changes)
        _stamp(new, "__dict__", d)
        owned[run.id] = new
        return new

    def put_run(self, run: Run) -> Run:
        d = self._d
        d["runs"] = d["runs"].set(run.id, run)
        return run

    def freeze(self, **changes: Any) -> World:
        """The world as it stands, with `changes`: the draft itself, so this is the last use
        of the context."""
        self._d.update(changes)
        return self.world

    # -- effects ------------------------------------------------------------------------------

    def io(self, effect: fx.IoEffect) -> str:
        """Issue a freshly built I/O effect: stamp its id `SEQ.K` (the effect is not shared yet,
        so this is its last step of construction), record it in the outbox, return the id."""
        effects = self.effects
        eid = f"{self.seq}.{len(effects) + 1}"
        _stamp(effect, "effect_id", eid)
        effects.append(effect)
        d = self._d
        d["outbox"] = d["outbox"].set(eid, effect)
        return eid

    def emit(self, name: str, subject: str, /, **payload: Any) -> Event:
        return self.emit_event(name, subject, payload)

    def emit_event(
        self, name: str, subject: str, payload: dict[str, Any], handoff: bool = False
    ) -> Event:
        """Emit an event whose payload dict the caller built (and gives away). It is routed one
        level deeper than the event being routed, except a `handoff` (a lock or slot passed to
        its next waiter): a chain of hand-offs is bounded by the waiters, not a loop, so it
        keeps the depth of the release that caused it."""
        event = _new(Event)
        event.__dict__.update(
            name=name, subject=subject, time_us=self.now, seq=self.seq, payload=payload
        )
        emit = _new(fx.Emit)
        _stamp(emit, "event", event)
        self.effects.append(emit)
        self.pending.append((event, self.depth if handoff else self.depth + 1))
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
        d = self._d
        d["timers"] = d["timers"].set(timer_id, due_us)
        self.effects.append(fx.SetTimer(timer_id, due_us))

    def cancel_timer(self, timer_id: str) -> None:
        d = self._d
        timers = d["timers"]
        if timer_id in timers:
            d["timers"] = timers.delete(timer_id)
            self.effects.append(fx.CancelTimer(timer_id))
