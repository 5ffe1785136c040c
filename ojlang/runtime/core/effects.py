"""Effects (RUNTIME.md §4.1): instructions the core returns; frozen data, no behaviour.

Internal effects (`Emit`, `SetTimer`, `CancelTimer`, `Log`, `Reply`) are handled on the engine
loop. I/O effects carry `effect_id` (`SEQ.K`, the idempotency key, assigned by the core) and
`owner` (who gets the result: `run:ID`, `guard:GID`, `strategy:SID`, `task:TRID`, `cron:KEY`,
`watcher:KEY`, `scanner:KEY`, `action:KEY`, `queue:NAME`, `workspace:ID`, `hook`, …); the result
input names the `effect_id`, and the core routes it through the outbox entry to the owner.
Effects issued under a lock carry `fence`.
"""

from __future__ import annotations

from typing import Any

import attrs

from ojlang.runtime.core.events import Event


@attrs.frozen(slots=False)
class Fence:
    lock: str
    token: int


@attrs.frozen(slots=False)
class Emit:
    event: Event


@attrs.frozen(slots=False)
class SetTimer:
    timer_id: str
    due_us: int


@attrs.frozen(slots=False)
class CancelTimer:
    timer_id: str


@attrs.frozen(slots=False)
class Log:
    level: str
    message: str
    fields: dict[str, Any] = attrs.Factory(dict)


@attrs.frozen(slots=False)
class Reply:
    request_id: str
    result: Any = None
    error: str | None = None  # invalid | not_found | conflict | denied | stale_claim | stale_task
    message: str = ""


@attrs.frozen(slots=False)
class SpawnSession:
    session: str
    cwd: str
    argv: tuple[str, ...]
    env: dict[str, str] = attrs.Factory(dict)
    log_path: str = ""
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class SendKeys:
    session: str
    text: str = ""
    enter: bool = True
    clear_first: bool = True
    keys: tuple[str, ...] = ()
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class CapturePane:
    session: str
    lines: int = 200
    save_to: str = ""
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class ProbeSession:
    session: str
    since_hash: str = ""
    confirm: bool = False
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class KillSession:
    session: str
    capture_to: str = ""
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class FileSpec:
    path: str
    content: str
    mode: int = 0o644
    marker_block: bool = False
    skip_worktree: bool = False


@attrs.frozen(slots=False)
class WriteFiles:
    workspace: str
    files: tuple[FileSpec, ...]
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class WorktreeAdd:
    workspace: str
    path: str
    branch: str
    base: str = ""
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class WorktreeRemove:
    workspace: str
    path: str
    delete_branch_if_merged_into: str | None = None
    archive_dir: str | None = None
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class Merge:
    branch: str
    into: str
    strategy: str = "ff"
    workdir: str | None = None
    push: bool = False
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class ListWorktrees:
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class ListSessions:
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class RunShell:
    purpose: (
        str  # guard source function checkpoint probe phase attempt rollback action cron hook on_add
    )
    script: str
    cwd: str
    env: dict[str, str] = attrs.Factory(dict)
    timeout_s: float | None = None
    capture: bool = True
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class KillProcessGroup:
    target_effect_id: str
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class Probe:
    predicate: str
    args: tuple[str, ...] = ()
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class Notify:
    title: str
    message: str
    urgency: str = "normal"
    sound: bool = False
    channels: tuple[str, ...] = ("desktop", "webhook")
    event: str = ""
    webhook: str = ""
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class WriteArchive:
    path: str
    record: dict[str, Any]
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


@attrs.frozen(slots=False)
class IssueCall:
    op: str
    args: dict[str, Any] = attrs.Factory(dict)
    effect_id: str = ""
    owner: str = ""
    fence: Fence | None = None


IoEffect = (
    SpawnSession
    | SendKeys
    | CapturePane
    | ProbeSession
    | KillSession
    | WriteFiles
    | WorktreeAdd
    | WorktreeRemove
    | Merge
    | ListWorktrees
    | ListSessions
    | RunShell
    | KillProcessGroup
    | Probe
    | Notify
    | WriteArchive
    | IssueCall
)
Effect = Emit | SetTimer | CancelTimer | Log | Reply | IoEffect

IO_EFFECTS: tuple[type, ...] = IoEffect.__args__
ALL_EFFECTS: tuple[type, ...] = (Emit, SetTimer, CancelTimer, Log, Reply, *IO_EFFECTS)
