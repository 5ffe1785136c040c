"""Recovery on start (RUNTIME.md §4.2, §7.5): the recovered `World` and the adapters in, what
to do about each intent left without a result, and the inputs reconcile synthesizes, out.

Intents (the outbox) are resolved by recovery class: *idempotent* effects run again;
*probe-then-run* effects probe the world first (a live session, a registered worktree, a branch
already merged) and run again only when the probe says nothing happened; *re-attach* shells
use the runner's files (an exit file → its result, a live runner → wait for it, neither →
`lost`); *at-most-once* effects are never repeated (`effect:abandoned`). Then task runs with a
session are checked with one `liveness()` call (dead pane → `agent:exited`, missing session →
`session:gone`), and signals spooled while the engine was down are read (and deleted) in
mtime order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import attrs

from ojlang.runtime.adapters import interfaces as ai
from ojlang.runtime.adapters.errors import AdapterError
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.world import World
from ojlang.runtime.engine.execute import Executor, shell_exited

READ_ONLY_SHELLS = frozenset({"guard", "source", "function", "probe"})
AT_MOST_ONCE = (fx.SendKeys, fx.Notify)
PROBE_THEN_RUN = (fx.SpawnSession, fx.WorktreeAdd, fx.Merge)
SPOOL = ("run", "spool")


@attrs.frozen
class Plan:
    """What recovery decided: effects to run again, shells to wait for, inputs to feed."""

    rerun: tuple[fx.IoEffect, ...] = ()
    reattach: tuple[tuple[fx.RunShell, ai.ShellHandle], ...] = ()
    inputs: tuple[i.Input, ...] = ()
    reattached: int = 0
    lost: int = 0


def recovery_class(effect: fx.IoEffect) -> str:
    if isinstance(effect, AT_MOST_ONCE):
        return "at-most-once"
    if isinstance(effect, fx.IssueCall):
        return "idempotent" if effect.op in ("get", "list") else "at-most-once"
    if isinstance(effect, PROBE_THEN_RUN):
        return "probe-then-run"
    if isinstance(effect, fx.RunShell):
        read_only = effect.purpose in READ_ONLY_SHELLS or (
            effect.purpose == "checkpoint" and effect.owner.startswith("strategy:")
        )
        return "idempotent" if read_only else "re-attach"
    return "idempotent"


def _probe(ex: Executor, effect: fx.IoEffect) -> list[i.Input] | None:
    """The synthesized result when the effect evidently already happened, else None."""
    a = ex.adapters
    try:
        if isinstance(effect, fx.SpawnSession):
            live = a.session.liveness().get(effect.session)
            if live is not None and live.alive:
                return [i.SessionResult("spawned", effect.effect_id, pane_pid=live.pane_pid)]
        elif isinstance(effect, fx.WorktreeAdd):
            want = ex.path(effect.path).resolve()
            for wt in a.repo.worktree_list():
                if wt.path.resolve() == want and wt.branch == effect.branch:
                    return [i.WorkspaceResult("ready", effect.effect_id)]
        elif isinstance(effect, fx.Merge):
            repo = a.repo
            if repo.branch_exists(effect.branch) and repo.is_ancestor(effect.branch, effect.into):
                head = repo.rev_parse(effect.into)
                return [i.MergeResult(effect.effect_id, True, head=head)]
    except AdapterError:
        return None
    return None


def emission_order(effect: fx.IoEffect) -> tuple[int, int]:
    """`SEQ.K` as numbers: intents are recovered in the order they were issued."""
    seq, _, k = effect.effect_id.partition(".")
    return (int(seq), int(k)) if seq.isdigit() and k.isdigit() else (0, 0)


def plan(world: World, ex: Executor) -> Plan:
    """Decide, for every intent of `world.outbox`, how it is resolved."""
    rerun: list[fx.IoEffect] = []
    reattach: list[tuple[fx.RunShell, ai.ShellHandle]] = []
    inputs: list[i.Input] = []
    lost = 0
    for effect in sorted(world.outbox.values(), key=emission_order):
        kind = recovery_class(effect)
        if kind == "at-most-once":
            inputs.append(i.EffectOutcome("abandoned", effect.effect_id, "engine restarted"))
        elif kind == "probe-then-run":
            found = _probe(ex, effect)
            if found is None:
                rerun.append(effect)
            else:
                inputs += found
        elif kind == "re-attach":
            assert isinstance(effect, fx.RunShell)
            try:
                seen = ex.adapters.shell.recover(effect.effect_id, capture=effect.capture)
            except AdapterError:
                seen = None
            if isinstance(seen, ai.ShellHandle):
                reattach.append((effect, seen))
            elif isinstance(seen, ai.ShellResult):
                lost += int(seen.lost)
                inputs.append(shell_exited(seen))
            else:
                lost += 1
                inputs.append(i.ShellExited(effect.effect_id, None, lost=True))
        else:
            rerun.append(effect)
    inputs += sessions(world, ex)
    inputs += spooled(ex.state_dir)
    return Plan(tuple(rerun), tuple(reattach), tuple(inputs), len(reattach), lost)


def sessions(world: World, ex: Executor) -> list[i.Input]:
    """Task runs past their spawn: dead panes exit, missing sessions are gone (§7.5)."""
    spawning = {e.session for e in world.outbox.values() if isinstance(e, fx.SpawnSession)}
    watched = [
        t
        for t in sorted(world.tasks.values(), key=lambda t: t.id)
        if t.live and t.session and t.state != "pending" and t.session not in spawning
    ]
    if not watched:
        return []
    try:
        panes = ex.adapters.session.liveness()
    except AdapterError:
        return []
    out: list[i.Input] = []
    for tr in watched:
        pane = panes.get(tr.session)
        if pane is None:
            out.append(i.SessionGone(tr.id))
        elif pane.dead:
            code = pane.dead_status if pane.dead_status is not None else 1
            out.append(i.AgentSignal("exited", tr.id, tr.generation, "process", code=code))
    return out


def spool_dir(state_dir: Path) -> Path:
    return state_dir.joinpath(*SPOOL)


def _spool_files(state_dir: Path) -> Iterator[Path]:
    directory = spool_dir(state_dir)
    if not directory.is_dir():
        return iter(())
    files = [p for p in directory.glob("*.json") if p.is_file()]
    return iter(sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name)))


def spooled(state_dir: Path) -> list[i.Input]:
    """Signals `oj hook`/`oj done` spooled while the engine was unreachable, oldest first."""
    from ojlang.runtime.engine.signals import signal_input

    out: list[i.Input] = []
    for path in _spool_files(state_dir):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            inp = signal_input(str(record.get("method", "")), dict(record.get("params") or {}))
        except (OSError, ValueError, TypeError, KeyError):
            inp = None
        if inp is not None:
            out.append(inp)
        path.unlink(missing_ok=True)
    return out
