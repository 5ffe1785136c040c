"""Adapter interfaces (RUNTIME.md §8.1): the Protocols the engine calls and the plain values
they take and return; real adapters and their fakes both satisfy them.

All methods block and are called from the engine's thread pool. Failures raise an
`AdapterError` subclass (`ojlang.runtime.adapters.errors`, re-exported here). Values are frozen
attrs records of plain data: adapters never see core state, and the engine maps effects to
these calls and these results back to inputs.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import attrs

from ojlang.runtime.adapters.errors import (
    AdapterError,
    BranchExists,
    DirtyWorktree,
    Fenced,
    GitFailed,
    InvalidArgument,
    IssueUnavailable,
    MergeConflict,
    NotFastForward,
    NotifyFailed,
    NotifyUnavailable,
    PathExists,
    PushFailed,
    RefMoved,
    RefNotFound,
    SessionExists,
    SessionNotFound,
    ShellStartFailed,
    SpawnFailed,
    TargetDirty,
    TmuxUnavailable,
)

__all__ = [
    "AdapterError",
    "Adapters",
    "AgentAdapter",
    "AgentProfile",
    "BranchExists",
    "DirtyWorktree",
    "Fenced",
    "FileSpec",
    "GitFailed",
    "InvalidArgument",
    "Issue",
    "IssueAdapter",
    "IssueUnavailable",
    "Liveness",
    "MergeConflict",
    "MergeResult",
    "MergeStrategy",
    "NotFastForward",
    "Notification",
    "NotifyAdapter",
    "NotifyFailed",
    "NotifyUnavailable",
    "PathExists",
    "PushFailed",
    "RefMoved",
    "RefNotFound",
    "RemoveResult",
    "RepoAdapter",
    "Screen",
    "SessionAdapter",
    "SessionExists",
    "SessionInfo",
    "SessionNotFound",
    "ShellAdapter",
    "ShellHandle",
    "ShellResult",
    "ShellStartFailed",
    "SpawnFailed",
    "TargetDirty",
    "TaskSpec",
    "TmuxUnavailable",
    "WorktreeInfo",
]

MergeStrategy = Literal["ff", "rebase", "merge", "squash"]

# -- sessions -----------------------------------------------------------------------------------


@attrs.frozen
class SessionInfo:
    name: str
    pane_pid: int
    dead: bool = False
    dead_status: int | None = None


@attrs.frozen
class Liveness:
    """One pane: `alive` = not `dead` and the process `pane_pid` exists (§8.2)."""

    pane_pid: int
    dead: bool
    dead_status: int | None
    alive: bool


class SessionAdapter(Protocol):
    def spawn(
        self, name: str, cwd: Path, argv: Sequence[str], env: Mapping[str, str], log_path: Path
    ) -> SessionInfo: ...  # SessionExists, SpawnFailed, TmuxUnavailable, InvalidArgument

    def send(
        self, name: str, text: str, *, enter: bool = True, clear_first: bool = True
    ) -> None: ...  # SessionNotFound

    def send_keys(self, name: str, keys: Sequence[str]) -> None: ...  # SessionNotFound

    def capture(self, name: str, lines: int = 200) -> str: ...  # SessionNotFound

    def pane_hash(self, name: str) -> str: ...  # SessionNotFound

    def liveness(self) -> dict[str, Liveness]: ...

    def kill(self, name: str, *, capture_to: Path | None = None) -> None: ...

    def list(self) -> list[SessionInfo]: ...

    def attach_argv(self, name: str) -> builtins.list[str]: ...


# -- git ----------------------------------------------------------------------------------------


@attrs.frozen
class WorktreeInfo:
    path: Path
    head: str
    branch: str | None  # None when detached
    dirty: bool = False
    locked: bool = False
    prunable: bool = False
    primary: bool = False


@attrs.frozen
class RemoveResult:
    path: Path
    existed: bool
    branch: str | None = None
    branch_deleted: bool = False
    patch: Path | None = None  # the archived diff of a dirty worktree
    untracked: Path | None = None  # the archived tarball of its untracked files


@attrs.frozen
class MergeResult:
    head: str  # the target's new tip
    branch_head: str  # the branch tip that landed (after a rebase: the rebased tip)
    strategy: MergeStrategy
    noop: bool = False  # the branch was already an ancestor of the target
    pushed: bool = False


class RepoAdapter(Protocol):
    def worktree_add(
        self, path: Path, branch: str, base: str, *, reuse_branch: bool = False
    ) -> WorktreeInfo: ...  # BranchExists, PathExists, RefNotFound, InvalidArgument

    def worktree_remove(
        self,
        path: Path,
        *,
        archive_dir: Path | None,
        delete_branch_if_merged_into: str | None,
    ) -> RemoveResult: ...  # DirtyWorktree (only without an archive_dir)

    def worktree_list(self) -> list[WorktreeInfo]: ...

    def current_branch(self, path: Path) -> str | None: ...

    def rev_parse(self, ref: str) -> str: ...  # RefNotFound

    def branch_exists(self, branch: str) -> bool: ...

    def is_ancestor(self, a: str, b: str) -> bool: ...  # RefNotFound

    def merge(
        self,
        branch: str,
        into: str,
        strategy: MergeStrategy,
        *,
        workdir: Path | None,
        check_fence: Callable[[], bool],
        push: bool,
    ) -> MergeResult: ...  # MergeConflict(paths), NotFastForward, TargetDirty, RefMoved, Fenced

    def save_patch(self, path: Path, dest: Path) -> Path: ...

    def hide_file(self, worktree: Path, relpath: str) -> None: ...


# -- shell --------------------------------------------------------------------------------------


@attrs.frozen
class ShellHandle:
    effect_id: str
    pid: int  # the process group of the script
    started_us: int
    capture: bool = False


@attrs.frozen
class ShellResult:
    effect_id: str
    code: int | None
    signal: int | None = None
    timed_out: bool = False
    stdout_tail: str = ""
    stderr_tail: str = ""
    duration_us: int = 0
    lost: bool = False  # neither an exit file nor a live process was found (§4.2)


class ShellAdapter(Protocol):
    def start(
        self,
        effect_id: str,
        script: str,
        cwd: Path,
        env: Mapping[str, str],
        timeout_s: float | None,
        *,
        capture: bool = False,
    ) -> ShellHandle: ...  # ShellStartFailed, InvalidArgument

    def wait(self, handle: ShellHandle) -> ShellResult: ...

    def kill(self, effect_id: str) -> None: ...

    def recover(
        self, effect_id: str, *, capture: bool = False
    ) -> ShellResult | ShellHandle | None: ...


# -- notifications ------------------------------------------------------------------------------


@attrs.frozen
class Notification:
    title: str
    message: str
    urgency: str = "normal"  # low | normal | critical
    sound: bool = False
    channels: tuple[str, ...] = ("desktop", "webhook")
    event: str = ""
    subject: str = ""
    project: str = ""
    time_us: int = 0
    webhook: str = ""  # the rendered URL; empty disables the webhook channel
    effect_id: str = ""  # sent as `Idempotency-Key`


class NotifyAdapter(Protocol):
    def notify(self, n: Notification) -> None: ...  # NotifyUnavailable, NotifyFailed


# -- agents -------------------------------------------------------------------------------------


@attrs.frozen
class AgentProfile:
    kind: Literal["claude", "fake", "generic"]
    hooks: bool
    interactive: bool = True


@attrs.frozen
class FileSpec:
    """A workspace file: `marker_block` merges `content` between the oj markers of an existing
    file; `hook_settings` merges JSON hook settings (§9.2); `skip_worktree` hides the file from
    git (§8.4 context file hygiene)."""

    path: str  # relative to the workspace root
    content: str
    mode: int = 0o644
    marker_block: bool = False
    skip_worktree: bool = False
    hook_settings: bool = False


@attrs.frozen
class TaskSpec:
    task_run: str
    profile: AgentProfile
    context_file: str = "CLAUDE.md"
    oj_executable: str = "oj"  # absolute path found at daemon start
    primary_root: Path | None = None  # its untracked `.claude/settings.local.json` is synced in


@attrs.frozen
class Screen:
    ready: bool = False
    prompt: str | None = None  # trust | bypass | login | permission | question | plan
    error: str | None = None  # auth | credits | rate_limit | network | timeout | malformed
    retry_after_s: float | None = None
    detail: str | None = None  # the specific error: `timeout`, `malformed`


class AgentAdapter(Protocol):
    def profile(self, argv: Sequence[str]) -> AgentProfile: ...

    def build_argv(self, command: str, prompt: str, *, task_run: str = "") -> list[str]: ...

    def files(self, spec: TaskSpec, context: str) -> list[FileSpec]: ...

    def write_files(self, root: Path, files: Sequence[FileSpec]) -> None: ...

    def read_screen(self, text: str) -> Screen: ...

    def keys_for(self, answer: str) -> list[str]: ...


# -- issues (optional) --------------------------------------------------------------------------


@attrs.frozen
class Issue:
    id: str
    title: str
    status: str = "open"
    labels: tuple[str, ...] = ()
    body: str = ""
    data: Mapping[str, Any] = attrs.Factory(dict)


class IssueAdapter(Protocol):
    def list(self, query: Mapping[str, Any]) -> list[Issue]: ...

    def get(self, id: str) -> Issue: ...

    def update(
        self,
        id: str,
        *,
        status: str | None = None,
        add_labels: Sequence[str] = (),
        remove_labels: Sequence[str] = (),
        note: str | None = None,
    ) -> None: ...

    def create(self, title: str, body: str, labels: Sequence[str] = ()) -> Issue: ...


# -- the bundle ---------------------------------------------------------------------------------


@attrs.frozen
class Adapters:
    """What the engine receives: real or fake as a whole, or mixed per test."""

    session: SessionAdapter
    repo: RepoAdapter
    shell: ShellAdapter
    notify: NotifyAdapter
    agent: AgentAdapter
    issue: IssueAdapter | None = None
