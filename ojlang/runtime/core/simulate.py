"""A deterministic simulator: a world, timed inputs and scripted outcomes in; the trace of
(input, effects, events) and the final world out. The engine of `oj run --dry-run`.

Time is simulated (an integer µs clock that jumps to the next due item), so no clock is read.
Every I/O effect is answered after `Outcomes.latency_us` by a scripted result input: shell
exit codes by script substring, agents that finish, fail, hang or exit, merges that land or
conflict, probes that answer. Timers fire at their due time when still armed. Same arguments,
same trace.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import attrs

from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.world import World, step

START_US = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z, the FakeClock default


@attrs.frozen
class Outcomes:
    """Scripted answers to effects. `shell` maps a script substring to an exit code (first
    match wins; otherwise `shell_default`); `stdout` likewise maps to stdout text. `agent` is
    `done`, `error`, `hang` or `exit:N`; `agent_delay_us` is how long an agent works."""

    shell: tuple[tuple[str, int], ...] = ()
    shell_default: int = 0
    stdout: tuple[tuple[str, str], ...] = ()
    agent: str = "done"
    agent_delay_us: int = 60_000_000
    merge_ok: bool = True
    probe_value: Any = True
    latency_us: int = 1_000


@attrs.frozen
class TraceStep:
    time_us: int
    seq: int
    input: i.Input
    effects: tuple[fx.Effect, ...]

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(e.event for e in self.effects if isinstance(e, fx.Emit))


@attrs.frozen
class SimResult:
    world: World
    trace: tuple[TraceStep, ...]
    steps: int
    time_us: int
    events: int = 0


def _first(rules: tuple[tuple[str, Any], ...], script: str, default: Any) -> Any:
    return next((v for k, v in rules if k in script), default)


def _agent(out: Outcomes, effect: fx.SpawnSession) -> list[tuple[int, i.Input]]:
    trid = effect.env.get("OJ_TASK_ID", effect.owner.partition(":")[2])
    gen = int(effect.env.get("OJ_GEN", "1"))
    ready = (out.latency_us, i.AgentSignal("ready", trid, gen))
    later = out.latency_us + out.agent_delay_us
    if out.agent == "hang":
        return [ready]
    if out.agent.startswith("exit:"):
        return [ready, (later, i.AgentSignal("exited", trid, gen, code=int(out.agent[5:])))]
    error = "scripted failure" if out.agent == "error" else None
    return [ready, (later, i.Done(trid, gen, error=error))]


def answers(out: Outcomes, effect: fx.Effect) -> list[tuple[int, i.Input]]:
    """The scripted result inputs of one effect, with their delays."""
    lat = out.latency_us
    if isinstance(effect, fx.SetTimer | fx.Emit | fx.Log | fx.Reply | fx.CancelTimer):
        return []
    eid = effect.effect_id
    if isinstance(effect, fx.RunShell):
        code = _first(out.shell, effect.script, out.shell_default)
        stdout = _first(out.stdout, effect.script, "")
        return [(lat, i.ShellExited(eid, code, stdout_tail=stdout, duration_us=lat))]
    if isinstance(effect, fx.SpawnSession):
        return [(lat, i.SessionResult("spawned", eid, pane_pid=4242)), *_agent(out, effect)]
    if isinstance(effect, fx.KillSession):
        return [(lat, i.SessionResult("killed", eid))]
    if isinstance(effect, fx.ProbeSession):
        return [(lat, i.AgentProbe(eid, alive=True, changed=False))]
    if isinstance(effect, fx.WorktreeAdd):
        return [(lat, i.WorkspaceResult("ready", eid))]
    if isinstance(effect, fx.WorktreeRemove):
        return [(lat, i.WorkspaceResult("removed", eid))]
    if isinstance(effect, fx.Merge):
        return [
            (lat, i.MergeResult(eid, out.merge_ok, conflicts=() if out.merge_ok else ("a.txt",)))
        ]
    if isinstance(effect, fx.ListWorktrees | fx.ListSessions):
        return [(lat, i.ScanListed(eid))]
    if isinstance(effect, fx.Probe):
        return [(lat, i.ProbeResult(eid, out.probe_value))]
    return [(lat, i.EffectOutcome("done", eid))]


def simulate(
    world: World,
    inputs: Sequence[tuple[int, i.Input]],
    outcomes: Outcomes = Outcomes(),
    *,
    start_us: int = START_US,
    machine_id: str = "sim",
    max_steps: int = 100_000,
    until_us: int | None = None,
    record: bool = True,
) -> SimResult:
    """Drive `step` from `inputs` (offsets from `start_us`) and the scripted answers."""
    heap: list[tuple[int, int, i.Input]] = []
    n = 0
    for offset, inp in inputs:
        heapq.heappush(heap, (start_us + offset, n, inp))
        n += 1
    trace: list[TraceStep] = []
    now, seq = start_us, world.last_seq
    steps = events = 0
    while heap and steps < max_steps:
        due, _, inp = heapq.heappop(heap)
        if until_us is not None and due > start_us + until_us:
            break
        now = max(now, due)
        seq += 1
        steps += 1
        world, effects = step(world, inp, now, seq, machine_id)
        if record:
            trace.append(TraceStep(now, seq, inp, effects))
        for effect in effects:
            if isinstance(effect, fx.Emit):
                events += 1
                continue
            if isinstance(effect, fx.SetTimer):
                heapq.heappush(
                    heap, (effect.due_us, n, i.TimerFired(effect.timer_id, effect.due_us))
                )
                n += 1
                continue
            for delay, answer in answers(outcomes, effect):
                heapq.heappush(heap, (now + delay, n, answer))
                n += 1
    return SimResult(world, tuple(trace), steps, now, events)
