"""Landing a branch on a target (RUNTIME.md §8.4): branch, target and strategy in, the target
moved under a fence check (and pushed) out, or a typed failure.

Behaviour choices:

- A branch that is already an ancestor of the target is a no-op success (`noop`), which is
  also the probe of the probe-then-run recovery class.
- `ff` lands the branch tip only when the target is an ancestor of it (else `NotFastForward`).
  `rebase` rebases the branch onto the target where it is checked out (`workdir`, else the
  worktree that has it, else a temporary worktree); a conflict aborts the rebase and raises
  `MergeConflict(paths)`; then the target fast-forwards. `merge` / `squash` build the commit
  in a temporary detached worktree at the target, so a conflict never touches a real
  checkout; then the target fast-forwards to it.
- Moving the target: when it is checked out in a worktree W, W must have no tracked changes
  (`TargetDirty`; untracked files are allowed) and its HEAD must still be the old tip
  (`RefMoved`), then `git merge --ff-only` runs in W; otherwise `git update-ref` compares and
  swaps (`RefMoved`). `check_fence()` is called at the start and immediately before the move;
  False raises `Fenced` and nothing has moved.
- `push`: `git push origin TARGET`; after a non-fast-forward rejection, up to 3 times: fetch,
  put the target back on the remote tip (only when the remote merely gained commits, else
  `PushFailed`) and redo the strategy.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ojlang.runtime.adapters.errors import (
    DirtyWorktree,
    Fenced,
    GitFailed,
    InvalidArgument,
    MergeConflict,
    NotFastForward,
    PushFailed,
    RefMoved,
    TargetDirty,
)
from ojlang.runtime.adapters.gitcmd import GitRunner, one_line
from ojlang.runtime.adapters.interfaces import MergeResult, MergeStrategy, WorktreeInfo

STRATEGIES = ("ff", "rebase", "merge", "squash")
PUSH_RETRIES = 3
_REJECTED = ("[rejected]", "non-fast-forward", "fetch first", "[remote rejected]")

ListWorktrees = Callable[[], list[WorktreeInfo]]


def _checked_out(worktrees: ListWorktrees, branch: str) -> WorktreeInfo | None:
    for info in worktrees():
        if info.branch == branch and not info.prunable:
            return info
    return None


@contextlib.contextmanager
def _temp_worktree(g: GitRunner, scratch: Path, *args: str) -> Iterator[Path]:
    scratch.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="merge-", dir=scratch))
    out = g.run("worktree", "add", *args[:-1], str(path), args[-1])
    if not out.ok:
        path.rmdir()
        raise GitFailed(f"cannot make a temporary worktree: {one_line(out.stderr)}")
    try:
        yield path
    finally:
        g.run("worktree", "remove", "--force", str(path))
        g.run("worktree", "prune")


def _fence(check_fence: Callable[[], bool]) -> None:
    if not check_fence():
        raise Fenced("the lock fence is stale; the merge was not applied")


def _rebase(
    g: GitRunner, worktrees: ListWorktrees, scratch: Path, branch: str, onto: str, wd: Path | None
) -> str:
    if wd is None:
        holder = _checked_out(worktrees, branch)
        wd = holder.path if holder is not None else None
    elif g.run("symbolic-ref", "--short", "-q", "HEAD", cwd=wd).stdout.strip() != branch:
        raise InvalidArgument(f"`{wd}` does not have branch `{branch}` checked out")
    if wd is None:
        with _temp_worktree(g, scratch, branch) as tmp:
            return _rebase_in(g, tmp, branch, onto)
    return _rebase_in(g, wd, branch, onto)


def _rebase_in(g: GitRunner, wd: Path, branch: str, onto: str) -> str:
    if g.dirty(wd, untracked=False):
        raise DirtyWorktree(
            f"the checkout of `{branch}` at `{wd}` has uncommitted changes", str(wd)
        )
    out = g.run(*g.identity(), "rebase", onto, cwd=wd)
    if not out.ok:
        paths = g.unmerged(wd)
        g.run("rebase", "--abort", cwd=wd)
        raise MergeConflict(f"rebasing `{branch}` conflicts in {len(paths)} path(s)", paths)
    return g.sha("HEAD", cwd=wd)


def _commit_on(
    g: GitRunner, scratch: Path, branch: str, into: str, target: str, squash: bool
) -> str:
    with _temp_worktree(g, scratch, "--detach", target) as tmp:
        if squash:
            out = g.run("merge", "--squash", branch, cwd=tmp)
        else:
            message = f"Merge branch '{branch}' into {into}"
            out = g.run(*g.identity(), "merge", "--no-ff", "-m", message, branch, cwd=tmp)
        if not out.ok:
            paths = g.unmerged(tmp)
            raise MergeConflict(f"merging `{branch}` conflicts in {len(paths)} path(s)", paths)
        if squash and not g.run("diff", "--cached", "--quiet", cwd=tmp).ok:
            g.check(*g.identity(), "commit", "-q", "-m", f"Squash branch '{branch}'", cwd=tmp)
        return g.sha("HEAD", cwd=tmp)


def move_target(
    g: GitRunner, worktrees: ListWorktrees, into: str, old: str, new: str, *, reset: bool = False
) -> None:
    """Move `refs/heads/INTO` from `old` to `new` (§8.4 "moving the target")."""
    holder = _checked_out(worktrees, into)
    if holder is None:
        out = g.run("update-ref", f"refs/heads/{into}", new, old)
        if not out.ok:
            raise RefMoved(f"`{into}` moved while merging; try again")
        return
    wd = holder.path
    if g.dirty(wd, untracked=False):
        raise TargetDirty(f"the checkout of `{into}` at `{wd}` has uncommitted changes", str(wd))
    if g.sha("HEAD", cwd=wd) != old:
        raise RefMoved(f"`{into}` moved while merging; try again")
    args = ("reset", "--keep", new) if reset else ("merge", "--ff-only", "-q", new)
    out = g.run(*args, cwd=wd)
    if not out.ok:
        raise TargetDirty(f"cannot move `{into}` at `{wd}`: {one_line(out.stderr)}", str(wd))


def _land(
    g: GitRunner,
    worktrees: ListWorktrees,
    scratch: Path,
    branch: str,
    into: str,
    strategy: MergeStrategy,
    wd: Path | None,
) -> tuple[str, str, str]:
    """(old target, new target, landed branch tip) for one strategy run; nothing moved yet."""
    target = g.sha(f"refs/heads/{into}")
    tip = g.sha(f"refs/heads/{branch}")
    if strategy == "ff":
        if not g.run("merge-base", "--is-ancestor", target, tip).ok:
            raise NotFastForward(f"`{into}` is not an ancestor of `{branch}`; rebase first")
        return target, tip, tip
    if strategy == "rebase":
        tip = _rebase(g, worktrees, scratch, branch, target, wd)
        return target, tip, tip
    return target, _commit_on(g, scratch, branch, into, target, strategy == "squash"), tip


def _push(g: GitRunner, into: str) -> bool:
    """True when pushed; False after a non-fast-forward rejection."""
    out = g.run("push", "origin", f"refs/heads/{into}:refs/heads/{into}")
    if out.ok:
        return True
    if any(marker in out.stderr for marker in _REJECTED):
        return False
    raise PushFailed(f"`git push origin {into}` failed: {one_line(out.stderr)}")


def merge(
    g: GitRunner,
    worktrees: ListWorktrees,
    scratch: Path,
    branch: str,
    into: str,
    strategy: MergeStrategy,
    wd: Path | None,
    check_fence: Callable[[], bool],
    push: bool,
) -> MergeResult:
    if strategy not in STRATEGIES:
        raise InvalidArgument(f"unknown merge strategy `{strategy}`")
    _fence(check_fence)
    for _ in range(PUSH_RETRIES + 1):
        target = g.sha(f"refs/heads/{into}")
        tip = g.sha(f"refs/heads/{branch}")
        if g.run("merge-base", "--is-ancestor", tip, target).ok:
            pushed = push and _push(g, into)
            if push and not pushed:
                raise PushFailed(f"`{into}` was rejected by origin")
            return MergeResult(target, tip, strategy, noop=True, pushed=pushed)
        old, new, landed = _land(g, worktrees, scratch, branch, into, strategy, wd)
        _fence(check_fence)
        move_target(g, worktrees, into, old, new)
        if not push:
            return MergeResult(new, landed, strategy)
        if _push(g, into):
            return MergeResult(new, landed, strategy, pushed=True)
        g.check("fetch", "-q", "origin", f"refs/heads/{into}")
        remote = g.sha("FETCH_HEAD")
        if not g.run("merge-base", "--is-ancestor", old, remote).ok:
            raise PushFailed(f"`{into}` has diverged from origin; reconcile it by hand")
        move_target(g, worktrees, into, new, remote, reset=True)
    raise PushFailed(f"`{into}` was rejected by origin {PUSH_RETRIES + 1} times")
