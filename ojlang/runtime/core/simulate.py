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
from collections.abc import Callable, Sequence
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
    for k, v in rules:
        if k in script:
            return v
    return default


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


def _shell(out: Outcomes, effect: Any) -> list[tuple[int, i.Input]]:
    lat = out.latency_us
    code = _first(out.shell, effect.script, out.shell_default) if out.shell else out.shell_default
    stdout = _first(out.stdout, effect.script, "") if out.stdout else ""
    return [(lat, i.ShellExited(effect.effect_id, code, stdout_tail=stdout, duration_us=lat))]


def _merge(out: Outcomes, effect: Any) -> list[tuple[int, i.Input]]:
    conflicts = () if out.merge_ok else ("a.txt",)
    return [(out.latency_us, i.MergeResult(effect.effect_id, out.merge_ok, conflicts=conflicts))]


_ANSWERS: dict[type, Callable[[Outcomes, Any], list[tuple[int, i.Input]]]] = {
    fx.RunShell: _shell,
    fx.SpawnSession: lambda out, e: [
        (out.latency_us, i.SessionResult("spawned", e.effect_id, pane_pid=4242)),
        *_agent(out, e),
    ],
    fx.KillSession: lambda out, e: [(out.latency_us, i.SessionResult("killed", e.effect_id))],
    fx.ProbeSession: lambda out, e: [
        (out.latency_us, i.AgentProbe(e.effect_id, alive=True, changed=False))
    ],
    fx.WorktreeAdd: lambda out, e: [(out.latency_us, i.WorkspaceResult("ready", e.effect_id))],
    fx.WorktreeRemove: lambda out, e: [(out.latency_us, i.WorkspaceResult("removed", e.effect_id))],
    fx.Merge: _merge,
    fx.ListWorktrees: lambda out, e: [(out.latency_us, i.ScanListed(e.effect_id))],
    fx.ListSessions: lambda out, e: [(out.latency_us, i.ScanListed(e.effect_id))],
    fx.Probe: lambda out, e: [(out.latency_us, i.ProbeResult(e.effect_id, out.probe_value))],
}
_SILENT = frozenset({fx.Emit, fx.SetTimer, fx.Log, fx.Reply, fx.CancelTimer})


def _done(out: Outcomes, effect: Any) -> list[tuple[int, i.Input]]:
    return [(out.latency_us, i.EffectOutcome("done", effect.effect_id))]


def answers(out: Outcomes, effect: fx.Effect) -> list[tuple[int, i.Input]]:
    """The scripted result inputs of one effect, with their delays."""
    if type(effect) in _SILENT:
        return []
    return _ANSWERS.get(type(effect), _done)(out, effect)


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
    # The agenda is a heap of int keys `due << 32 | n` (n breaks ties in arrival order) with
    # the inputs beside it by key: int keys compare faster than tuples.
    heap: list[int] = []
    agenda: dict[int, i.Input] = {}
    n = 0
    for offset, inp in inputs:
        key = (start_us + offset) << 32 | n
        heap.append(key)
        agenda[key] = inp
        n += 1
    heapq.heapify(heap)
    push, pop = heapq.heappush, heapq.heappop
    trace: list[TraceStep] = []
    now, seq = start_us, world.last_seq
    steps = events = 0
    limit = None if until_us is None else start_us + until_us
    emit, set_timer, run_shell = fx.Emit, fx.SetTimer, fx.RunShell
    silent, table = _SILENT, _ANSWERS
    lat = outcomes.latency_us
    plain_shells = not outcomes.shell and not outcomes.stdout
    while heap and steps < max_steps:
        key = pop(heap)
        due = key >> 32
        if limit is not None and due > limit:
            break
        inp = agenda.pop(key)
        if due > now:
            now = due
        seq += 1
        steps += 1
        world, effects = step(world, inp, now, seq, machine_id)
        if record:
            trace.append(TraceStep(now, seq, inp, effects))
        for effect in effects:
            kind = type(effect)
            if kind is emit:
                events += 1
            elif kind is set_timer:
                assert isinstance(effect, fx.SetTimer)
                key = effect.due_us << 32 | n
                push(heap, key)
                agenda[key] = i.TimerFired(effect.timer_id, effect.due_us)
                n += 1
            elif kind is run_shell and plain_shells:  # the common answer, without a list
                assert isinstance(effect, fx.RunShell)
                key = (now + lat) << 32 | n
                push(heap, key)
                agenda[key] = i.ShellExited(
                    effect.effect_id, outcomes.shell_default, None, False, "", "", lat
                )
                n += 1
            elif kind not in silent:
                for delay, answer in table.get(kind, _done)(outcomes, effect):
                    key = (now + delay) << 32 | n
                    push(heap, key)
                    agenda[key] = answer
                    n += 1
    return SimResult(world, tuple(trace), steps, now, events)
