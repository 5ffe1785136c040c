"""World-level properties: determinism, canonical JSON round trips, never raising."""

from __future__ import annotations

from typing import Any

from core_kit import Driver, S, rich_graph
from hypothesis import given, settings
from hypothesis import strategies as st

from ojlang.runtime.core import codec
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i

MOVES = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "start",
                "push",
                "answer",
                "fail_answer",
                "timers",
                "done",
                "signal",
                "cancel",
                "resolve",
                "lock",
                "tick",
            ]
        ),
        st.integers(0, 5),
    ),
    max_size=25,
)


def apply(d: Driver, move: str, n: int) -> None:
    w = d.world
    if move == "start":
        d(i.PipelineStart("rb.build", {"name": f"n{n}"}))
    elif move == "push":
        d(i.QueueAdd("builds", {"id": f"item{n}", "name": f"q{n}"}))
    elif move in ("answer", "fail_answer") and w.outbox:
        eid, effect = sorted(w.outbox.items())[n % len(w.outbox)]
        code = 0 if move == "answer" else 1
        if isinstance(effect, fx.RunShell):
            d(i.ShellExited(eid, code, stdout_tail="abc"))
        elif isinstance(effect, fx.SpawnSession):
            d(i.SessionResult("spawned" if code == 0 else "spawn_failed", eid))
        elif isinstance(effect, fx.WorktreeAdd):
            d(i.WorkspaceResult("ready" if code == 0 else "failed", eid))
        elif isinstance(effect, fx.ProbeSession):
            d(i.AgentProbe(eid, changed=code == 0))
        else:
            d(i.EffectOutcome("done" if code == 0 else "failed", eid))
    elif move == "timers" and w.timers:
        tid, due = sorted(w.timers.items(), key=lambda kv: (kv[1], kv[0]))[0]
        d(i.TimerFired(tid, due), max(0, due - d.now))
    elif move == "done" and w.tasks:
        tr = sorted(w.tasks)[n % len(w.tasks)]
        d(i.Done(tr, error=None if n % 2 else "gave up"))
    elif move == "signal" and w.tasks:
        tr = sorted(w.tasks)[n % len(w.tasks)]
        verb = ["ready", "activity", "idle", "exited", "ready", "activity"][n]
        d(i.AgentSignal(verb, tr, code=n % 2))
    elif move == "cancel" and w.runs:
        d(i.Cancel(sorted(w.runs)[n % len(w.runs)]))
    elif move == "resolve" and w.escalations:
        d(i.EscalationResolve(sorted(w.escalations)[n % len(w.escalations)], str(1 + n % 3)))
    elif move == "lock":
        d(i.LockCommand(["acquire", "release", "heartbeat"][n % 3], "main", f"cli:{n % 2}"))
    elif move == "tick":
        d(i.MaintenanceTick(), 10 * S)


@settings(max_examples=150, deadline=None)
@given(MOVES)
def test_same_inputs_same_world_and_round_trip(moves: list[tuple[str, int]]) -> None:
    g = rich_graph()
    a, b = Driver(g), Driver(g)
    for move, n in moves:
        apply(a, move, n)
        apply(b, move, n)
        text = codec.to_json(a.world)
        assert text == codec.to_json(b.world)
        assert [codec.effect_to_json(e) for e in a.effects] == [
            codec.effect_to_json(e) for e in b.effects
        ]
        assert codec.world_from_json(text) == a.world
    for inp, _ in a.history:
        assert codec.input_from_json(codec.input_to_json(inp), {}) == inp


def test_inputs_round_trip_through_op_bodies() -> None:
    g = rich_graph()
    samples: list[Any] = [
        i.PipelineStart("rb.build", {"name": "x"}, "x", "r1"),
        i.QueueCommand("claim", "builds", holder="h", visibility_us=5),
        i.AgentSignal("screen", "t.1", 2, prompt="plan"),
        i.ScanListed("1.1", ({"id": "a"},)),
        i.Reload(g, "r2"),
    ]
    graphs = {g.content_hash(): g}
    for inp in samples:
        assert codec.input_from_json(codec.input_to_json(inp), graphs) == inp
