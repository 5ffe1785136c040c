"""World-level properties: determinism, canonical JSON round trips, never raising."""

from __future__ import annotations

from typing import Any

from core_kit import Driver, S, graph, lit, rich_graph
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


_TRANSCRIPT = """
import hashlib, random, sys
from core_kit import Driver, S, attrs_evolve, rich_graph
from test_world import apply
from ojlang.runtime.core import codec, graph as g

base = rich_graph()
extra_worker = g.Worker("builds2", "rb", "builds", "rb.build", concurrency=2)
janitor = g.Scanner("janitor", "rb", 60 * S, source=g.Source("pipelines"),
                    condition=g.Condition("terminal_for", threshold_us=0),
                    cleanup=g.Cleanup("archive"))
watch = g.Watcher("slow", "rb", 30 * S, source=g.Source("pipelines"),
                  condition=g.Condition("idle", threshold_us=0),
                  response=(g.Response("notify", verb=True),))
graph = attrs_evolve(base, workers={**base.workers, "rb.builds2": extra_worker},
                     scanners={"rb.janitor": janitor}, watchers={"rb.slow": watch})
d = Driver(graph)
rng = random.Random(7)
digest = hashlib.sha256()
for _ in range(160):
    move = rng.choice(["start", "push", "push", "answer", "answer", "fail_answer", "timers",
                       "done", "signal", "cancel", "resolve", "lock", "tick"])
    apply(d, move, rng.randrange(6))
    for e in d.effects:
        digest.update(codec.effect_to_json(e).encode())
digest.update(codec.to_json(d.world).encode())
print(digest.hexdigest())
"""


def test_the_same_inputs_give_the_same_output_in_every_process() -> None:
    """`immutables.Map` iterates in hash order, and str hashes differ between processes: a
    step must never let that order reach its effects (replay runs in another process)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).parent
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _TRANSCRIPT],
            cwd=here,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout.strip())
    assert len(outputs) == 1


def test_an_event_loop_is_cut_at_the_routing_depth_limit() -> None:
    """A worker woken by its own `worker:woken` would wake forever: routing stops at depth."""
    from ojlang.runtime.core.ctx import MAX_DEPTH
    from ojlang.runtime.core.graph import Pattern, Phase, Pipeline, Queue, Worker
    from ojlang.runtime.core.world import initial_world, step

    pipe = Pipeline("p", "rb", (Phase("a", "run", run=lit("a")),))
    loop = Worker("w", "rb", "q", "rb.p", wake_on=(Pattern("worker:woken"),))
    g = graph(pipelines={"rb.p": pipe}, queues={"q": Queue("q", "rb")}, workers={"rb.w": loop})
    _, effects = step(initial_world(g), i.WorkerCommand("wake", "w"), 0, 1, "m")
    woken = [e for e in effects if isinstance(e, fx.Emit) and e.event.name == "worker:woken"]
    errors = [e.message for e in effects if isinstance(e, fx.Log) and e.level == "error"]
    assert len(woken) == MAX_DEPTH + 1
    assert errors and all(m.startswith(f"event routing deeper than {MAX_DEPTH}: ") for m in errors)
    assert f"event routing deeper than {MAX_DEPTH}: `worker:woken` cut" in errors
