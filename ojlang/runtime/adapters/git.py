"""git repository adapter (RUNTIME.md §8.4): RepoAdapter calls in, git commands (GitPython, one
command per step, 60 s timeout each) on the project's repository out.

Behaviour choices:

- Worktree paths resolve against the project root and must stay inside it (`InvalidArgument`);
  branch names must pass `git check-ref-format --branch`.
- `worktree_add` runs `git worktree add -b BRANCH PATH BASE`. An existing branch raises
  `BranchExists` unless `reuse_branch` (a resumed run), then `git worktree add PATH BRANCH`.
  A non-empty existing path raises `PathExists`.
- `worktree_remove` is idempotent: a dirty worktree is first archived (`save_patch`: a binary
  diff against HEAD plus a tarball of untracked files) or, without an `archive_dir`, refused
  with `DirtyWorktree`; then `git worktree remove --force` and `git worktree prune`. The branch
  is deleted only when it is an ancestor of `delete_branch_if_merged_into`. When no worktree
  is left under `.oj/worktrees/`, the `# oj-managed` block of `info/exclude` is removed.
- `hide_file` (context file hygiene): a tracked file gets `git update-index --skip-worktree`
  in the worktree's own index; an untracked one is listed in the shared `info/exclude`
  inside an `# oj-managed` block.
- `worktree_list` reports `dirty` for tracked changes and untracked files.
- Merging is in `git_merge` (see there).
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path

import git

from ojlang.runtime.adapters import git_merge
from ojlang.runtime.adapters.errors import (
    BranchExists,
    DirtyWorktree,
    InvalidArgument,
    PathExists,
    RefNotFound,
)
from ojlang.runtime.adapters.gitcmd import GitRunner, branch_ok, one_line, parse_worktrees
from ojlang.runtime.adapters.interfaces import (
    MergeResult,
    MergeStrategy,
    RemoveResult,
    WorktreeInfo,
)

BLOCK_BEGIN = "# oj-managed"
BLOCK_END = "# oj-managed end"


class GitRepoAdapter:
    """RepoAdapter over the repository whose primary checkout is `root`."""

    def __init__(self, root: Path, *, timeout_s: float = 60.0, scratch: Path | None = None) -> None:
        try:
            repo = git.Repo(str(root))
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise InvalidArgument(f"`{root}` is not a git repository") from exc
        self.root = Path(repo.working_tree_dir or root).resolve()
        self.git = GitRunner(self.root, timeout_s)
        self.scratch = scratch or self.root / ".oj" / "run" / "merge"
        self.worktrees_dir = self.root / ".oj" / "worktrees"

    # -- paths and refs ---------------------------------------------------------------------

    def _inside(self, path: Path) -> Path:
        full = (self.root / path).resolve()
        if full != self.root and self.root not in full.parents:
            raise InvalidArgument(f"path `{path}` is outside the project root `{self.root}`")
        return full

    def _branch(self, branch: str) -> str:
        if not branch_ok(self.git, branch):
            raise InvalidArgument(f"invalid branch name `{branch}`")
        return branch

    def rev_parse(self, ref: str) -> str:
        return self.git.sha(ref)

    def branch_exists(self, branch: str) -> bool:
        return self.git.run("show-ref", "--verify", "--quiet", f"refs/heads/{branch}").ok

    def is_ancestor(self, a: str, b: str) -> bool:
        first, second = self.git.sha(a), self.git.sha(b)
        return self.git.run("merge-base", "--is-ancestor", first, second).ok

    def current_branch(self, path: Path) -> str | None:
        out = self.git.run("symbolic-ref", "--short", "-q", "HEAD", cwd=self._inside(path))
        if not out.ok:
            return None
        return out.stdout.strip() or None

    # -- worktrees --------------------------------------------------------------------------

    def worktree_list(self) -> list[WorktreeInfo]:
        text = self.git.check("worktree", "list", "--porcelain")
        out = []
        for index, entry in enumerate(parse_worktrees(text)):
            if entry.bare:
                continue
            exists = entry.path.is_dir()
            dirty = exists and self.git.dirty(entry.path)
            out.append(
                WorktreeInfo(
                    entry.path,
                    entry.head,
                    entry.branch,
                    dirty,
                    entry.locked,
                    entry.prunable or not exists,
                    index == 0,
                )
            )
        return out

    def _find(self, path: Path) -> WorktreeInfo | None:
        for info in self.worktree_list():
            if info.path.resolve() == path:
                return info
        return None

    def worktree_add(
        self, path: Path, branch: str, base: str, *, reuse_branch: bool = False
    ) -> WorktreeInfo:
        full = self._inside(path)
        self._branch(branch)
        if full.exists() and (not full.is_dir() or any(full.iterdir())):
            raise PathExists(f"path `{full}` already exists; remove it or pick another workspace")
        full.parent.mkdir(parents=True, exist_ok=True)
        if self.branch_exists(branch):
            if not reuse_branch:
                raise BranchExists(
                    f"branch `{branch}` already exists; delete it with `git branch -D {branch}`"
                )
            out = self.git.run("worktree", "add", str(full), branch)
        else:
            base_sha = self.git.sha(base)
            out = self.git.run("worktree", "add", "-b", branch, str(full), base_sha)
        if not out.ok:
            if "already checked out" in out.stderr or "already used by worktree" in out.stderr:
                raise BranchExists(f"branch `{branch}` is checked out in another worktree")
            raise RefNotFound(f"cannot add worktree `{full}`: {one_line(out.stderr)}")
        head = self.git.sha("HEAD", cwd=full)
        return WorktreeInfo(full, head, branch)

    def worktree_remove(
        self,
        path: Path,
        *,
        archive_dir: Path | None,
        delete_branch_if_merged_into: str | None,
    ) -> RemoveResult:
        full = self._inside(path)
        info = self._find(full)
        existed = info is not None and full.is_dir()
        patch = untracked = None
        if existed and self.git.dirty(full):
            if archive_dir is None:
                raise DirtyWorktree(f"worktree `{full}` has uncommitted changes", str(full))
            patch = self.save_patch(full, self._inside(archive_dir))
            candidate = patch.with_name(patch.name.removesuffix(".patch") + ".untracked.tar.gz")
            untracked = candidate if candidate.exists() else None
        if existed:
            self.git.check("worktree", "remove", "--force", str(full))
        self.git.check("worktree", "prune")
        branch = info.branch if info is not None else None
        deleted = False
        if branch and delete_branch_if_merged_into and self.branch_exists(branch):
            try:
                merged = self.is_ancestor(branch, delete_branch_if_merged_into)
            except RefNotFound:
                merged = False
            if merged:
                deleted = self.git.run("branch", "-D", branch).ok
        if not any(self.worktrees_dir in w.path.parents for w in self.worktree_list()):
            self._write_block([])
        return RemoveResult(full, existed, branch, deleted, patch, untracked)

    def save_patch(self, path: Path, dest: Path) -> Path:
        """Archive a worktree's changes: `NAME.patch` (+ `NAME.untracked.tar.gz`) in `dest`."""
        full = self._inside(path)
        dest.mkdir(parents=True, exist_ok=True)
        stem, n = full.name, 1
        while (dest / f"{stem}.patch").exists():
            n += 1
            stem = f"{full.name}.{n}"
        patch = dest / f"{stem}.patch"
        patch.write_text(self.git.check("diff", "--binary", "HEAD", cwd=full))
        listing = self.git.check("ls-files", "--others", "--exclude-standard", "-z", cwd=full)
        names = [name for name in listing.split("\0") if name]
        if names:
            with tarfile.open(dest / f"{stem}.untracked.tar.gz", "w:gz") as tar:
                for name in names:
                    tar.add(full / name, arcname=name, recursive=False)
        return patch

    # -- context file hygiene ---------------------------------------------------------------

    def _exclude_file(self) -> Path:
        common = self.git.check("rev-parse", "--git-common-dir").strip()
        return (self.root / common).resolve() / "info" / "exclude"

    def _read_block(self) -> tuple[list[str], list[str]]:
        """(lines outside the oj block, entries inside it)."""
        exclude = self._exclude_file()
        lines = exclude.read_text().splitlines() if exclude.exists() else []
        outside: list[str] = []
        inside: list[str] = []
        in_block = False
        for line in lines:
            if line == BLOCK_BEGIN:
                in_block = True
            elif line == BLOCK_END:
                in_block = False
            elif in_block:
                inside.append(line)
            else:
                outside.append(line)
        return outside, inside

    def _write_block(self, entries: list[str]) -> None:
        outside, inside = self._read_block()
        if inside == entries:
            return
        lines = outside + ([BLOCK_BEGIN, *entries, BLOCK_END] if entries else [])
        exclude = self._exclude_file()
        exclude.parent.mkdir(parents=True, exist_ok=True)
        exclude.write_text("\n".join(lines) + ("\n" if lines else ""))

    def managed_excludes(self) -> list[str]:
        return self._read_block()[1]

    def hide_file(self, worktree: Path, relpath: str) -> None:
        full = self._inside(worktree)
        if Path(relpath).is_absolute() or ".." in Path(relpath).parts:
            raise InvalidArgument(f"`{relpath}` must be a path inside the worktree")
        if self.git.run("ls-files", "--error-unmatch", "--", relpath, cwd=full).ok:
            self.git.check("update-index", "--skip-worktree", "--", relpath, cwd=full)
            return
        entry = "/" + Path(relpath).as_posix()
        entries = self.managed_excludes()
        if entry not in entries:
            self._write_block([*entries, entry])

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
        wd = self._inside(workdir) if workdir is not None else None
        return git_merge.merge(
            self.git,
            self.worktree_list,
            self.scratch,
            branch,
            into,
            strategy,
            wd,
            check_fence,
            push,
        )
