"""In-memory RepoAdapter (RUNTIME.md §8.6): commits as whole-file trees, branches, worktrees
with uncommitted changes and an optional `origin`; passes the contract suite of `git.py`.

Knobs: `commit(branch, files)`, `make_dirty(path, …)`, `conflict_on(branch)`, `occupy(path)`,
`vanish(path)`,
`move_branch(branch, sha)`, `add_origin()`, `origin_commit(branch, files)`, `read(ref, path)`.
Limits, stricter than git and never more lenient: merges compare whole files (two sides
changing one file differently always conflict), refs are branch names, `refs/heads/…` or
commit ids (no `~`/`^` syntax). Archives (patch and untracked tarball) are real files.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import tarfile
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

from ojlang.runtime.adapters.errors import (
    BranchExists,
    DirtyWorktree,
    Fenced,
    InvalidArgument,
    MergeConflict,
    NotFastForward,
    PathExists,
    PushFailed,
    RefMoved,
    RefNotFound,
    TargetDirty,
)
from ojlang.runtime.adapters.fake_base import FakeBase
from ojlang.runtime.adapters.git_merge import PUSH_RETRIES, STRATEGIES
from ojlang.runtime.adapters.interfaces import (
    MergeResult,
    MergeStrategy,
    RemoveResult,
    WorktreeInfo,
)

Tree = dict[str, str]
_BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")
_COUNTER = itertools.count(1)


def valid_branch(name: str) -> bool:
    """The rules of `git check-ref-format --branch` for plain names."""
    if not name or name == "@" or name.startswith(("-", "/")) or name.endswith(("/", ".")):
        return False
    if _BAD_REF.search(name):
        return False
    return all(not (p.startswith(".") or p.endswith(".lock")) for p in name.split("/"))


@attrs.frozen
class FakeCommit:
    sha: str
    parents: tuple[str, ...]
    tree: Mapping[str, str]
    message: str


@attrs.define
class FakeWorktree:
    path: Path
    branch: str | None
    detached_head: str = ""
    changes: Tree = attrs.Factory(dict)
    untracked: Tree = attrs.Factory(dict)
    skip: set[str] = attrs.Factory(set)
    missing: bool = False

    @property
    def dirty(self) -> bool:
        return not self.missing and bool(self.changes or self.untracked)


class FakeRepoAdapter(FakeBase):
    def __init__(
        self, root: Path, *, branch: str = "main", files: Mapping[str, str] | None = None
    ) -> None:
        super().__init__()
        self.root = root.resolve()
        self.commits: dict[str, FakeCommit] = {}
        self.branches: dict[str, str] = {branch: self._new((), dict(files or {}), "init")}
        self.worktrees: dict[Path, FakeWorktree] = {self.root: FakeWorktree(self.root, branch)}
        self.occupied: set[Path] = set()
        self.excludes: list[str] = []
        self.origin: dict[str, str] | None = None
        self._conflicts: set[str] = set()

    # -- model ------------------------------------------------------------------------------

    def _new(self, parents: tuple[str, ...], tree: Tree, message: str) -> str:
        seed = f"{next(_COUNTER)}:{parents}:{sorted(tree.items())}:{message}"
        sha = hashlib.sha1(seed.encode()).hexdigest()
        self.commits[sha] = FakeCommit(sha, parents, dict(tree), message)
        return sha

    def _sha(self, ref: str) -> str:
        name = ref.removeprefix("refs/heads/")
        if name in self.branches:
            return self.branches[name]
        if len(ref) >= 7:
            found = [sha for sha in self.commits if sha.startswith(ref)]
            if len(found) == 1:
                return found[0]
        raise RefNotFound(f"no commit `{ref}`")

    def _ancestors(self, sha: str) -> set[str]:
        seen: set[str] = set()
        todo = [sha]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.commits[current].parents)
        return seen

    def _head(self, wt: FakeWorktree) -> str:
        return self.branches[wt.branch] if wt.branch else wt.detached_head

    def _inside(self, path: Path) -> Path:
        full = (self.root / path).resolve()
        if full != self.root and self.root not in full.parents:
            raise InvalidArgument(f"path `{path}` is outside the project root `{self.root}`")
        return full

    def _holder(self, branch: str) -> FakeWorktree | None:
        found = (w for w in self.worktrees.values() if w.branch == branch and not w.missing)
        return next(found, None)

    # -- knobs ------------------------------------------------------------------------------

    def commit(self, branch: str, files: Mapping[str, str | None], message: str = "change") -> str:
        tree = dict(self.commits[self.branches[branch]].tree)
        for path, content in files.items():
            if content is None:
                tree.pop(path, None)
            else:
                tree[path] = content
        self.branches[branch] = self._new((self.branches[branch],), tree, message)
        return self.branches[branch]

    def make_dirty(
        self, path: Path, relpath: str = "dirty.txt", content: str = "dirty\n", *, tracked: bool
    ) -> None:
        wt = self.worktrees[self._inside(path)]
        (wt.changes if tracked else wt.untracked)[relpath] = content

    def conflict_on(self, branch: str) -> None:
        self._conflicts.add(branch)

    def vanish(self, path: Path) -> None:
        """The worktree's directory is deleted behind git's back (it becomes prunable)."""
        self.worktrees[self._inside(path)].missing = True

    def occupy(self, path: Path) -> None:
        self.occupied.add(self._inside(path))

    def move_branch(self, branch: str, sha: str) -> None:
        self.branches[branch] = sha

    def add_origin(self) -> None:
        self.origin = dict(self.branches)

    def origin_commit(self, branch: str, files: Mapping[str, str]) -> str:
        assert self.origin is not None
        tree = {**self.commits[self.origin[branch]].tree, **files}
        self.origin[branch] = self._new((self.origin[branch],), tree, "remote change")
        return self.origin[branch]

    def read(self, ref: str, relpath: str) -> str | None:
        return self.commits[self._sha(ref)].tree.get(relpath)

    # -- refs -------------------------------------------------------------------------------

    def rev_parse(self, ref: str) -> str:
        self._enter("rev_parse", ref)
        return self._sha(ref)

    def branch_exists(self, branch: str) -> bool:
        self._enter("branch_exists", branch)
        return branch in self.branches

    def is_ancestor(self, a: str, b: str) -> bool:
        self._enter("is_ancestor", a, b)
        first, second = self._sha(a), self._sha(b)
        return first in self._ancestors(second)

    def current_branch(self, path: Path) -> str | None:
        self._enter("current_branch", path)
        full = self._inside(path)
        for wt in sorted(self.worktrees.values(), key=lambda w: -len(w.path.parts)):
            if full == wt.path or wt.path in full.parents:
                return wt.branch
        return None

    # -- worktrees --------------------------------------------------------------------------

    def worktree_list(self) -> list[WorktreeInfo]:
        self._enter("worktree_list")
        return [
            WorktreeInfo(
                w.path, self._head(w), w.branch, w.dirty, False, w.missing, w.path == self.root
            )
            for w in self.worktrees.values()
        ]

    def worktree_add(
        self, path: Path, branch: str, base: str, *, reuse_branch: bool = False
    ) -> WorktreeInfo:
        self._enter("worktree_add", path, branch, base, reuse_branch=reuse_branch)
        full = self._inside(path)
        if not valid_branch(branch):
            raise InvalidArgument(f"invalid branch name `{branch}`")
        if full in self.worktrees or full in self.occupied:
            raise PathExists(f"path `{full}` already exists; remove it or pick another workspace")
        if branch in self.branches:
            if not reuse_branch:
                raise BranchExists(
                    f"branch `{branch}` already exists; delete it with `git branch -D {branch}`"
                )
            if self._holder(branch) is not None:
                raise BranchExists(f"branch `{branch}` is checked out in another worktree")
        else:
            self.branches[branch] = self._sha(base)
        self.worktrees[full] = FakeWorktree(full, branch)
        return WorktreeInfo(full, self.branches[branch], branch)

    def worktree_remove(
        self, path: Path, *, archive_dir: Path | None, delete_branch_if_merged_into: str | None
    ) -> RemoveResult:
        self._enter("worktree_remove", path, archive_dir, delete_branch_if_merged_into)
        full = self._inside(path)
        wt = self.worktrees.get(full) if full != self.root else None
        patch = untracked = None
        if wt is not None and wt.dirty:
            if archive_dir is None:
                raise DirtyWorktree(f"worktree `{full}` has uncommitted changes", str(full))
            patch = self._archive(wt, self._inside(archive_dir))
            candidate = patch.with_name(patch.name.removesuffix(".patch") + ".untracked.tar.gz")
            untracked = candidate if candidate.exists() else None
        if wt is not None:
            del self.worktrees[full]
        branch = wt.branch if wt is not None else None
        deleted = False
        target = delete_branch_if_merged_into
        if branch and target and branch in self.branches:
            try:
                merged = self._sha(branch) in self._ancestors(self._sha(target))
            except RefNotFound:
                merged = False
            if merged:
                del self.branches[branch]
                deleted = True
        managed = self.root / ".oj" / "worktrees"
        if not any(managed in p.parents for p in self.worktrees):
            self.excludes = []
        existed = wt is not None and not wt.missing
        return RemoveResult(full, existed, branch, deleted, patch, untracked)

    def _archive(self, wt: FakeWorktree, dest: Path) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        stem, n = wt.path.name, 1
        while (dest / f"{stem}.patch").exists():
            n += 1
            stem = f"{wt.path.name}.{n}"
        patch = dest / f"{stem}.patch"
        body = "".join(f"diff --git a/{p} b/{p}\n+{c}" for p, c in sorted(wt.changes.items()))
        patch.write_text(body)
        if wt.untracked:
            with tarfile.open(dest / f"{stem}.untracked.tar.gz", "w:gz") as tar:
                for name, content in sorted(wt.untracked.items()):
                    data = content.encode()
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
        return patch

    def save_patch(self, path: Path, dest: Path) -> Path:
        self._enter("save_patch", path, dest)
        return self._archive(self.worktrees[self._inside(path)], dest)

    def hide_file(self, worktree: Path, relpath: str) -> None:
        self._enter("hide_file", worktree, relpath)
        wt = self.worktrees[self._inside(worktree)]
        if Path(relpath).is_absolute() or ".." in Path(relpath).parts:
            raise InvalidArgument(f"`{relpath}` must be a path inside the worktree")
        if relpath in self.commits[self._head(wt)].tree:
            wt.skip.add(relpath)
        elif "/" + relpath not in self.excludes:
            self.excludes.append("/" + relpath)

    def managed_excludes(self) -> list[str]:
        return list(self.excludes)

    # -- merging ----------------------------------------------------------------------------

    def merge(
        self,
        branch: str,
        into: str,
        strategy: MergeStrategy,
        *,
        workdir: Path | None,
        check_fence: Callable[[], bool],
        push: bool,
    ) -> MergeResult:
        self._enter("merge", branch, into, strategy, workdir=workdir, push=push)
        wd = self._inside(workdir) if workdir is not None else None
        if strategy not in STRATEGIES:
            raise InvalidArgument(f"unknown merge strategy `{strategy}`")
        self._fence(check_fence)
        for _ in range(PUSH_RETRIES + 1):
            target, tip = self._sha(into), self._sha(branch)
            if tip in self._ancestors(target):
                pushed = push and self._push(into)
                if push and not pushed:
                    raise PushFailed(f"`{into}` was rejected by origin")
                return MergeResult(target, tip, strategy, noop=True, pushed=pushed)
            new, landed = self._land(branch, into, strategy, wd, target, tip)
            self._fence(check_fence)
            self._move(into, target, new)
            if not push:
                return MergeResult(new, landed, strategy)
            if self._push(into):
                return MergeResult(new, landed, strategy, pushed=True)
            assert self.origin is not None
            remote = self.origin[into]
            if target not in self._ancestors(remote):
                raise PushFailed(f"`{into}` has diverged from origin; reconcile it by hand")
            self._move(into, new, remote)
        raise PushFailed(f"`{into}` was rejected by origin {PUSH_RETRIES + 1} times")

    @staticmethod
    def _fence(check_fence: Callable[[], bool]) -> None:
        if not check_fence():
            raise Fenced("the lock fence is stale; the merge was not applied")

    def _land(
        self, branch: str, into: str, strategy: str, wd: Path | None, target: str, tip: str
    ) -> tuple[str, str]:
        if branch in self._conflicts:
            self._conflicts.discard(branch)
            raise MergeConflict(f"merging `{branch}` conflicts in 1 path(s)", ("<forced>",))
        if strategy == "ff":
            if target not in self._ancestors(tip):
                raise NotFastForward(f"`{into}` is not an ancestor of `{branch}`; rebase first")
            return tip, tip
        if strategy == "rebase":
            new = self._rebase(branch, wd, target, tip)
            return new, new
        return self._three_way(branch, into, target, tip, strategy == "squash"), tip

    def _rebase(self, branch: str, wd: Path | None, target: str, tip: str) -> str:
        holder = self._holder(branch)
        if wd is not None and (holder is None or holder.path != wd):
            raise InvalidArgument(f"`{wd}` does not have branch `{branch}` checked out")
        if holder is not None and holder.changes:
            message = f"the checkout of `{branch}` at `{holder.path}` has uncommitted changes"
            raise DirtyWorktree(message, str(holder.path))
        reachable = self._ancestors(target)
        chain: list[str] = []
        current = tip
        while current not in reachable:
            chain.append(current)
            current = self.commits[current].parents[0]
        new = target
        for sha in reversed(chain):
            commit = self.commits[sha]
            before = self.commits[commit.parents[0]].tree
            tree = dict(self.commits[new].tree)
            conflicts = []
            for path in sorted(set(before) | set(commit.tree)):
                ours, theirs = before.get(path), commit.tree.get(path)
                if ours == theirs:
                    continue
                if tree.get(path) not in (ours, theirs):
                    conflicts.append(path)
                elif theirs is None:
                    tree.pop(path, None)
                else:
                    tree[path] = theirs
            if conflicts:
                raise MergeConflict(
                    f"rebasing `{branch}` conflicts in {len(conflicts)} path(s)", conflicts
                )
            new = self._new((new,), tree, commit.message)
        self.branches[branch] = new
        return new

    def _three_way(self, branch: str, into: str, target: str, tip: str, squash: bool) -> str:
        common = self._ancestors(target) & self._ancestors(tip)
        base = next(c for c in common if not any(c in self._ancestors(d) - {d} for d in common))
        b, t, s = self.commits[base].tree, self.commits[target].tree, self.commits[tip].tree
        tree: Tree = {}
        conflicts = []
        for path in sorted(set(b) | set(t) | set(s)):
            if t.get(path) == s.get(path) or s.get(path) == b.get(path):
                value = t.get(path)
            elif t.get(path) == b.get(path):
                value = s.get(path)
            else:
                conflicts.append(path)
                continue
            if value is not None:
                tree[path] = value
        if conflicts:
            raise MergeConflict(
                f"merging `{branch}` conflicts in {len(conflicts)} path(s)", conflicts
            )
        if squash:
            return target if tree == t else self._new((target,), tree, f"Squash '{branch}'")
        return self._new((target, tip), tree, f"Merge branch '{branch}' into {into}")

    def _move(self, into: str, old: str, new: str) -> None:
        holder = self._holder(into)
        if holder is not None:
            if holder.changes:
                raise TargetDirty(
                    f"the checkout of `{into}` at `{holder.path}` has uncommitted changes",
                    str(holder.path),
                )
            if set(holder.untracked) & (set(self.commits[new].tree) - set(self.commits[old].tree)):
                raise TargetDirty(
                    f"cannot move `{into}` at `{holder.path}`: untracked files would be "
                    "overwritten",
                    str(holder.path),
                )
        if self.branches.get(into) != old:
            raise RefMoved(f"`{into}` moved while merging; try again")
        self.branches[into] = new

    def _push(self, into: str) -> bool:
        if self.origin is None:
            raise PushFailed(f"`git push origin {into}` failed: no remote `origin`")
        remote = self.origin.get(into)
        if remote is not None and remote not in self._ancestors(self.branches[into]):
            return False
        self.origin[into] = self.branches[into]
        return True
