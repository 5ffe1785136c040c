"""Inputs (RUNTIME.md §5.2): everything fed to the core, as frozen data; the op-log vocabulary.

Each class has a `name` (the op name, e.g. `cmd:queue_add`); families with a `verb` field
(`WorkerCommand`, `LockCommand`, …) cover `cmd:worker_enable/disable/…` with one class.
Commands carry the socket `request_id` the core answers with a `Reply` effect. Effect results
carry the `effect_id` of the effect they answer. `codec.input_to_json`/`input_from_json` map
them to the op body `{name, payload}`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from ojlang.runtime.core.graph import Graph


class _Named:
    NAME: ClassVar[str] = ""

    @property
    def name(self) -> str:
        return self.NAME


class _Verbed:
    PREFIX: ClassVar[str] = ""
    VERBS: ClassVar[tuple[str, ...]] = ()
    verb: str

    @property
    def name(self) -> str:
        return f"{self.PREFIX}{self.verb}"


# -- commands ---------------------------------------------------------------------------------


@attrs.frozen(slots=False)
class PipelineStart(_Named):
    NAME = "cmd:pipeline_start"
    pipeline: str  # pipeline key `RUNBOOK.NAME`
    vars: dict[str, Any] = attrs.Factory(dict)
    run_name: str | None = None
    request_id: str = ""


@attrs.frozen(slots=False)
class PipelineTransition(_Named):
    NAME = "cmd:pipeline_transition"
    run: str
    action: str  # complete | fail | goto
    phase: str = ""
    reason: str = ""
    request_id: str = ""


@attrs.frozen(slots=False)
class PipelineResume(_Named):
    NAME = "cmd:pipeline_resume"
    run: str
    phase: str | None = None
    request_id: str = ""


@attrs.frozen(slots=False)
class PipelineBlock(_Named):
    NAME = "cmd:pipeline_block"
    run: str
    request_id: str = ""


@attrs.frozen(slots=False)
class PipelineSet(_Named):
    NAME = "cmd:pipeline_set"
    run: str
    values: dict[str, Any] = attrs.Factory(dict)
    request_id: str = ""


@attrs.frozen(slots=False)
class Cancel(_Named):
    NAME = "cmd:cancel"
    run: str
    reason: str = "operator"
    keep_workspace: bool = False
    request_id: str = ""


@attrs.frozen(slots=False)
class QueueAdd(_Named):
    NAME = "cmd:queue_add"
    queue: str
    data: dict[str, Any] = attrs.Factory(dict)
    priority: int | None = None
    allow_duplicate: bool = False
    request_id: str = ""


@attrs.frozen(slots=False)
class QueueCommand(_Verbed):
    """`cmd:queue_claim/extend/complete/fail/release/retry/drop`."""

    PREFIX = "cmd:queue_"
    VERBS = ("claim", "extend", "complete", "fail", "release", "retry", "drop")
    verb: str
    queue: str = ""
    claim: str = ""  # extend/complete/fail/release
    item: str = ""  # retry/drop
    holder: str = ""  # claim
    visibility_us: int | None = None
    reason: str = ""
    request_id: str = ""


@attrs.frozen(slots=False)
class WorkerCommand(_Verbed):
    PREFIX = "cmd:worker_"
    VERBS = ("enable", "disable", "wake", "stop", "resume", "start", "resize")
    verb: str
    worker: str
    now: bool = False
    concurrency: int = 1
    request_id: str = ""


@attrs.frozen(slots=False)
class CronCommand(_Verbed):
    PREFIX = "cmd:cron_"
    VERBS = ("enable", "disable", "run")
    verb: str
    cron: str
    request_id: str = ""


@attrs.frozen(slots=False)
class WatcherCommand(_Verbed):
    PREFIX = "cmd:watcher_"
    VERBS = ("enable", "disable")
    verb: str
    watcher: str
    request_id: str = ""


@attrs.frozen(slots=False)
class ScannerCommand(_Verbed):
    PREFIX = "cmd:scanner_"
    VERBS = ("enable", "disable", "run")
    verb: str
    scanner: str
    dry_run: bool = False
    request_id: str = ""


@attrs.frozen(slots=False)
class LockCommand(_Verbed):
    PREFIX = "cmd:lock_"
    VERBS = ("acquire", "release", "heartbeat", "leave")
    verb: str
    lock: str
    holder: str
    force: bool = False
    request_id: str = ""


@attrs.frozen(slots=False)
class SemaphoreCommand(_Verbed):
    PREFIX = "cmd:semaphore_"
    VERBS = ("acquire", "release", "leave")
    verb: str
    semaphore: str
    holder: str
    weight: int = 1
    request_id: str = ""


@attrs.frozen(slots=False)
class SessionCommand(_Verbed):
    PREFIX = "cmd:session_"
    VERBS = ("nudge", "kill")
    verb: str
    session: str
    message: str = ""
    capture: bool = True
    request_id: str = ""


@attrs.frozen(slots=False)
class WorkspaceCommand(_Verbed):
    PREFIX = "cmd:workspace_"
    VERBS = ("create", "remove", "merge", "adopt")
    verb: str
    workspace: str = ""
    path: str = ""
    branch: str = ""
    base: str = ""
    into: str = ""
    strategy: str = "ff"
    force: bool = False
    run: str = ""  # merge inside a phase: carries that run's lock fence
    request_id: str = ""


@attrs.frozen(slots=False)
class EmitCommand(_Named):
    NAME = "cmd:emit"
    event: str
    subject: str = ""
    payload: dict[str, Any] = attrs.Factory(dict)
    request_id: str = ""


@attrs.frozen(slots=False)
class ActionTrigger(_Named):
    """`cmd:action_trigger` (`oj action trigger NAME`, §3.13)."""

    NAME = "cmd:action_trigger"
    action: str
    record: dict[str, Any] = attrs.Factory(dict)
    args: dict[str, Any] = attrs.Factory(dict)
    request_id: str = ""


@attrs.frozen(slots=False)
class EscalationResolve(_Named):
    NAME = "cmd:escalation_resolve"
    id: str
    option: str  # key or 1-based number
    message: str = ""
    by: str = "operator"
    request_id: str = ""


@attrs.frozen(slots=False)
class Done(_Named):
    NAME = "cmd:done"
    task_run: str
    generation: int = 0  # 0 = not fenced
    error: str | None = None
    restart: bool = False
    message: str = ""
    outputs: dict[str, Any] = attrs.Factory(dict)
    request_id: str = ""


@attrs.frozen(slots=False)
class Checkpoint(_Named):
    NAME = "cmd:checkpoint"
    task_run: str
    message: str = ""
    generation: int = 0
    request_id: str = ""


@attrs.frozen(slots=False)
class Confirm(_Named):
    """`oj confirm MSG [--timeout D]` (§9.4): the agent asks a human before going on."""

    NAME = "cmd:confirm"
    task_run: str
    message: str = ""
    generation: int = 0
    timeout_us: int | None = None
    request_id: str = ""


@attrs.frozen(slots=False)
class Reload(_Named):
    """`cmd:reload{graph_hash}`; the op stores the hash, the graph comes from its `graph` op."""

    NAME = "cmd:reload"
    graph: Graph
    request_id: str = ""


# -- agent signals ----------------------------------------------------------------------------


@attrs.frozen(slots=False)
class AgentSignal(_Verbed):
    """`agent:ready/activity/idle/screen/exited` for a task run (engine maps sessions)."""

    PREFIX = "agent:"
    VERBS = ("ready", "activity", "idle", "screen", "exited")
    verb: str
    task_run: str
    generation: int = 0
    source: str = "hook"
    prompt: str = ""  # screen: trust | permission | question | plan
    error: str = ""  # screen: auth | credits | rate_limit | network
    retry_after_us: int = 0
    code: int = 0  # exited


@attrs.frozen(slots=False)
class AgentProbe(_Named):
    NAME = "agent:probe"
    effect_id: str
    alive: bool = True
    changed: bool = False
    hash: str = ""


@attrs.frozen(slots=False)
class SessionGone(_Named):
    NAME = "session:gone"
    task_run: str


# -- effect results ---------------------------------------------------------------------------


@attrs.frozen(slots=False)
class ShellExited(_Named):
    NAME = "shell:exited"
    effect_id: str
    code: int | None = 0
    signal: int | None = None
    timed_out: bool = False
    stdout_tail: str = ""
    stderr_tail: str = ""
    duration_us: int = 0
    lost: bool = False


@attrs.frozen(slots=False)
class SessionResult(_Verbed):
    """`session:spawned/spawn_failed/captured/killed`."""

    PREFIX = "session:"
    VERBS = ("spawned", "spawn_failed", "captured", "killed")
    verb: str
    effect_id: str
    pane_pid: int = 0
    error: str = ""
    text_tail: str = ""
    path: str = ""


@attrs.frozen(slots=False)
class WorkspaceResult(_Verbed):
    """`workspace:ready/failed/removed`."""

    PREFIX = "workspace:"
    VERBS = ("ready", "failed", "removed")
    verb: str
    effect_id: str
    error: str = ""
    patch: str = ""


@attrs.frozen(slots=False)
class MergeResult(_Named):
    NAME = "merge:result"
    effect_id: str
    ok: bool
    head: str = ""
    conflicts: tuple[str, ...] = ()
    error: str = ""


@attrs.frozen(slots=False)
class ScanListed(_Named):
    NAME = "scan:listed"
    effect_id: str
    resources: tuple[dict[str, Any], ...] = ()


@attrs.frozen(slots=False)
class ProbeResult(_Named):
    NAME = "probe:result"
    effect_id: str
    value: Any = None


@attrs.frozen(slots=False)
class IssueResult(_Named):
    NAME = "issue:result"
    effect_id: str
    data: Any = None


@attrs.frozen(slots=False)
class EffectOutcome(_Verbed):
    """`effect:done/failed/abandoned/fenced`."""

    PREFIX = "effect:"
    VERBS = ("done", "failed", "abandoned", "fenced")
    verb: str
    effect_id: str
    error: str = ""


# -- time and lifecycle -----------------------------------------------------------------------


@attrs.frozen(slots=False)
class TimerFired(_Named):
    NAME = "timer:fired"
    timer_id: str
    due_us: int


@attrs.frozen(slots=False)
class MaintenanceTick(_Named):
    NAME = "maintenance:tick"


@attrs.frozen(slots=False)
class EngineEvent(_Verbed):
    """`engine:started/stopping/reconciled/snapshot/compacted/repaired` → `daemon:*` events."""

    PREFIX = "engine:"
    VERBS = ("started", "stopping", "reconciled", "snapshot", "compacted", "repaired")
    verb: str
    data: dict[str, Any] = attrs.Factory(dict)


NAMED: tuple[type[_Named], ...] = (
    PipelineStart,
    PipelineTransition,
    PipelineResume,
    PipelineBlock,
    PipelineSet,
    Cancel,
    QueueAdd,
    EmitCommand,
    ActionTrigger,
    EscalationResolve,
    Done,
    Checkpoint,
    Confirm,
    Reload,
    AgentProbe,
    SessionGone,
    ShellExited,
    MergeResult,
    ScanListed,
    ProbeResult,
    IssueResult,
    TimerFired,
    MaintenanceTick,
)
VERBED: tuple[type[_Verbed], ...] = (
    QueueCommand,
    WorkerCommand,
    CronCommand,
    WatcherCommand,
    ScannerCommand,
    LockCommand,
    SemaphoreCommand,
    SessionCommand,
    WorkspaceCommand,
    AgentSignal,
    SessionResult,
    WorkspaceResult,
    EffectOutcome,
    EngineEvent,
)

Input = (
    PipelineStart
    | PipelineTransition
    | PipelineResume
    | PipelineBlock
    | PipelineSet
    | Cancel
    | QueueAdd
    | QueueCommand
    | WorkerCommand
    | CronCommand
    | WatcherCommand
    | ScannerCommand
    | LockCommand
    | SemaphoreCommand
    | SessionCommand
    | WorkspaceCommand
    | EmitCommand
    | ActionTrigger
    | EscalationResolve
    | Done
    | Checkpoint
    | Confirm
    | Reload
    | AgentSignal
    | AgentProbe
    | SessionGone
    | ShellExited
    | SessionResult
    | WorkspaceResult
    | MergeResult
    | ScanListed
    | ProbeResult
    | IssueResult
    | EffectOutcome
    | TimerFired
    | MaintenanceTick
    | EngineEvent
)


def class_for(name: str) -> type[Any] | None:
    """The input class for an op name, or None when unknown."""
    for cls in NAMED:
        if name == cls.NAME:
            return cls
    for vcls in VERBED:
        if name.startswith(vcls.PREFIX) and name[len(vcls.PREFIX) :] in vcls.VERBS:
            return vcls
    return None
