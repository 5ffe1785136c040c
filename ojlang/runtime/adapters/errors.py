"""Adapter failures (RUNTIME.md §8.1): each is an `AdapterError` with a `kind`, a message and
whether a retry may help; the engine turns them into result inputs (`effect:failed{error}`, …).

`kind` is a stable snake_case word the engine and the core may match on; `message` is lowercase,
for humans, and names things in backticks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class AdapterError(Exception):
    """Base of every adapter failure: `kind`, `message`, `retryable`."""

    KIND: ClassVar[str] = "adapter"
    RETRYABLE: ClassVar[bool] = False

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = self.KIND
        self.retryable = self.RETRYABLE if retryable is None else retryable


class InvalidArgument(AdapterError):
    """A value the adapter refuses before doing anything (a bad name, a path outside the root)."""

    KIND = "invalid"


# -- tmux ---------------------------------------------------------------------------------------


class TmuxUnavailable(AdapterError):
    KIND = "tmux_unavailable"


class SessionExists(AdapterError):
    KIND = "session_exists"


class SpawnFailed(AdapterError):
    KIND = "spawn_failed"
    RETRYABLE = True


class SessionNotFound(AdapterError):
    KIND = "session_not_found"


# -- git ----------------------------------------------------------------------------------------


class GitFailed(AdapterError):
    """A git command failed in a way no narrower error describes (its stderr is the message)."""

    KIND = "git_failed"


class RefNotFound(AdapterError):
    KIND = "ref_not_found"


class BranchExists(AdapterError):
    KIND = "branch_exists"


class PathExists(AdapterError):
    KIND = "path_exists"


class DirtyWorktree(AdapterError):
    KIND = "dirty_worktree"

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class MergeConflict(AdapterError):
    KIND = "merge_conflict"

    def __init__(self, message: str, paths: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.paths = tuple(paths)


class NotFastForward(MergeConflict):
    """`ff` asked, but the target is not an ancestor of the branch (no paths conflict)."""

    KIND = "not_fast_forward"


class TargetDirty(AdapterError):
    KIND = "target_dirty"
    RETRYABLE = True

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class RefMoved(AdapterError):
    KIND = "ref_moved"
    RETRYABLE = True


class Fenced(AdapterError):
    KIND = "fenced"


class PushFailed(AdapterError):
    KIND = "push_failed"
    RETRYABLE = True


# -- shell, notify, issues ----------------------------------------------------------------------


class ShellStartFailed(AdapterError):
    KIND = "shell_start_failed"


class NotifyUnavailable(AdapterError):
    KIND = "notify_unavailable"


class NotifyFailed(AdapterError):
    KIND = "notify_failed"
    RETRYABLE = True


class IssueUnavailable(AdapterError):
    KIND = "issue_unavailable"
