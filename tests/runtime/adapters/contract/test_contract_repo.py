"""RepoAdapter contract (RUNTIME.md §8.4, §8.6): the same tests against the fake and real git
repositories in temp dirs (with a bare `origin` for the push tests)."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

import pytest
from adapter_kit import git_env

from ojlang.runtime.adapters.errors import (
    BranchExists,
    DirtyWorktree,
    Fenced,
    InvalidArgument,
    MergeConflict,
    NotFastForward,
    PathExists,
    RefMoved,
    RefNotFound,
    TargetDirty,
)
from ojlang.runtime.adapters.fake_repo import FakeRepoAdapter
from ojlang.runtime.adapters.git import GitRepoAdapter
from ojlang.runtime.adapters.interfaces import RepoAdapter

WT = Path(".oj/worktrees/w1")


class Harness(Protocol):
    adapter: RepoAdapter
    root: Path

    def commit(self, branch: str, files: Mapping[str, str]) -> str: ...
    def make_dirty(self, path: Path, *, tracked: bool) -> None: ...
    def occupy(self, path: Path) -> None: ...
    def vanish(self, path: Path) -> None: ...
    def read(self, ref: str, relpath: str) -> str | None: ...
    def add_origin(self) -> None: ...
    def origin_commit(self, branch: str, files: Mapping[str, str]) -> None: ...
    def origin_tip(self, branch: str) -> str: ...
    def skip_worktree(self, worktree: Path, relpath: str) -> bool: ...
    def excludes(self) -> list[str]: ...


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=git_env(), capture_output=True, text=True, check=True
    )
    return done.stdout


class RealHarness:
    def __init__(self, root: Path) -> None:
        self.root = root / "repo"
        self.root.mkdir()
        git(self.root, "init", "-q", "-b", "main")
        (self.root / "README").write_text("hello\n")
        (self.root / ".oj").mkdir()
        (self.root / ".oj" / ".gitignore").write_text("*\n")
        git(self.root, "add", "README")
        git(self.root, "commit", "-qm", "init")
        self.git_adapter = GitRepoAdapter(self.root)
        self.adapter: RepoAdapter = self.git_adapter
        self.bare = root / "origin.git"

    def _holder(self, branch: str) -> Path | None:
        for info in self.git_adapter.worktree_list():
            if info.branch == branch:
                return info.path
        return None

    def commit(self, branch: str, files: Mapping[str, str]) -> str:
        where = self._holder(branch)
        temp = None
        if where is None:
            temp = self.root.parent / "tmp-commit"
            git(self.root, "worktree", "add", "-q", str(temp), branch)
            where = temp
        for name, content in files.items():
            (where / name).write_text(content)
        git(where, "add", *files)
        git(where, "commit", "-qm", "change")
        sha = git(where, "rev-parse", "HEAD").strip()
        if temp is not None:
            git(self.root, "worktree", "remove", "--force", str(temp))
        return sha

    def make_dirty(self, path: Path, *, tracked: bool) -> None:
        full = self.root / path
        if tracked:
            (full / "README").write_text("edited\n")
        else:
            (full / "dirty.txt").write_text("dirty\n")

    def vanish(self, path: Path) -> None:
        shutil.rmtree(self.root / path)

    def occupy(self, path: Path) -> None:
        (self.root / path).mkdir(parents=True)
        (self.root / path / "file").write_text("x")

    def read(self, ref: str, relpath: str) -> str | None:
        done = subprocess.run(
            ["git", "show", f"{ref}:{relpath}"], cwd=self.root, capture_output=True, text=True
        )
        return done.stdout if done.returncode == 0 else None

    def add_origin(self) -> None:
        git(self.root.parent, "init", "-q", "--bare", "-b", "main", str(self.bare))
        git(self.root, "remote", "add", "origin", str(self.bare))
        git(self.root, "push", "-q", "origin", "main")

    def origin_commit(self, branch: str, files: Mapping[str, str]) -> None:
        other = self.root.parent / "other"
        if not other.exists():
            git(self.root.parent, "clone", "-q", str(self.bare), str(other))
        git(other, "pull", "-q", "origin", branch)
        for name, content in files.items():
            (other / name).write_text(content)
        git(other, "add", *files)
        git(other, "commit", "-qm", "remote change")
        git(other, "push", "-q", "origin", branch)

    def origin_tip(self, branch: str) -> str:
        return git(self.bare, "rev-parse", branch).strip()

    def skip_worktree(self, worktree: Path, relpath: str) -> bool:
        return git(self.root / worktree, "ls-files", "-v", relpath).startswith("S ")

    def excludes(self) -> list[str]:
        return self.git_adapter.managed_excludes()


class FakeHarness:
    def __init__(self, root: Path) -> None:
        self.root = root / "repo"
        self.root.mkdir()
        self.fake = FakeRepoAdapter(self.root, files={"README": "hello\n"})
        self.adapter: RepoAdapter = self.fake

    def commit(self, branch: str, files: Mapping[str, str]) -> str:
        return self.fake.commit(branch, dict(files))

    def make_dirty(self, path: Path, *, tracked: bool) -> None:
        if tracked:
            self.fake.make_dirty(path, "README", "edited\n", tracked=True)
        else:
            self.fake.make_dirty(path, "dirty.txt", "dirty\n", tracked=False)

    def vanish(self, path: Path) -> None:
        self.fake.vanish(path)

    def occupy(self, path: Path) -> None:
        self.fake.occupy(path)

    def read(self, ref: str, relpath: str) -> str | None:
        return self.fake.read(ref, relpath)

    def add_origin(self) -> None:
        self.fake.add_origin()

    def origin_commit(self, branch: str, files: Mapping[str, str]) -> None:
        self.fake.origin_commit(branch, dict(files))

    def origin_tip(self, branch: str) -> str:
        assert self.fake.origin is not None
        return self.fake.origin[branch]

    def skip_worktree(self, worktree: Path, relpath: str) -> bool:
        return relpath in self.fake.worktrees[(self.root / worktree).resolve()].skip

    def excludes(self) -> list[str]:
        return self.fake.managed_excludes()


@pytest.fixture(params=["fake", "real"])
def h(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    yield FakeHarness(tmp_path) if request.param == "fake" else RealHarness(tmp_path)


def always() -> bool:
    return True


def add_branch(h: Harness, files: Mapping[str, str] | None = None) -> str:
    h.adapter.worktree_add(WT, "feature/x", "main")
    return h.commit("feature/x", files or {"feature.txt": "feature\n"})


# -- worktrees ----------------------------------------------------------------------------------


def test_worktree_add_makes_a_branch_from_the_base(h: Harness) -> None:
    main = h.adapter.rev_parse("main")
    info = h.adapter.worktree_add(WT, "feature/x", "main")
    assert info.path == (h.root / WT).resolve() and info.branch == "feature/x"
    assert info.head == main
    listed = {w.path: w for w in h.adapter.worktree_list()}
    assert listed[h.root.resolve()].primary and listed[h.root.resolve()].branch == "main"
    assert listed[info.path].branch == "feature/x" and not listed[info.path].dirty
    assert h.adapter.current_branch(WT) == "feature/x"
    assert h.adapter.current_branch(Path(".")) == "main"
    assert h.adapter.branch_exists("feature/x")


def test_an_existing_branch_is_reused_only_when_asked(h: Harness) -> None:
    h.adapter.worktree_add(WT, "feature/x", "main")
    with pytest.raises(BranchExists):
        h.adapter.worktree_add(Path(".oj/worktrees/w2"), "feature/x", "main")
    with pytest.raises(BranchExists):
        h.adapter.worktree_add(Path(".oj/worktrees/w2"), "feature/x", "main", reuse_branch=True)
    h.adapter.worktree_remove(WT, archive_dir=None, delete_branch_if_merged_into=None)
    info = h.adapter.worktree_add(Path(".oj/worktrees/w2"), "feature/x", "main", reuse_branch=True)
    assert info.branch == "feature/x"


@pytest.mark.parametrize("branch", ["a..b", "-x", "a b", "x.lock", "a/", "@", "a~1", "a:b"])
def test_invalid_branch_names_are_refused(h: Harness, branch: str) -> None:
    with pytest.raises(InvalidArgument):
        h.adapter.worktree_add(WT, branch, "main")
    assert not h.adapter.branch_exists(branch)


def test_paths_must_stay_inside_the_root_and_be_free(h: Harness) -> None:
    with pytest.raises(InvalidArgument):
        h.adapter.worktree_add(Path("../elsewhere"), "feature/x", "main")
    h.occupy(WT)
    with pytest.raises(PathExists):
        h.adapter.worktree_add(WT, "feature/x", "main")
    assert not h.adapter.branch_exists("feature/x")


def test_unknown_refs_raise(h: Harness) -> None:
    with pytest.raises(RefNotFound):
        h.adapter.worktree_add(WT, "feature/x", "nope")
    with pytest.raises(RefNotFound):
        h.adapter.rev_parse("nope")
    with pytest.raises(RefNotFound):
        h.adapter.is_ancestor("nope", "main")


def test_remove_keeps_unmerged_branches_and_is_idempotent(h: Harness) -> None:
    add_branch(h)
    result = h.adapter.worktree_remove(WT, archive_dir=None, delete_branch_if_merged_into="main")
    assert result.existed and result.branch == "feature/x" and not result.branch_deleted
    assert h.adapter.branch_exists("feature/x")
    again = h.adapter.worktree_remove(WT, archive_dir=None, delete_branch_if_merged_into="main")
    assert not again.existed
    assert [w.branch for w in h.adapter.worktree_list()] == ["main"]


def test_a_vanished_worktree_is_prunable_and_removable(h: Harness) -> None:
    add_branch(h)
    h.vanish(WT)
    listed = {w.path: w for w in h.adapter.worktree_list()}
    gone = listed[(h.root / WT).resolve()]
    assert gone.prunable and not gone.dirty and gone.branch == "feature/x"
    result = h.adapter.worktree_remove(WT, archive_dir=None, delete_branch_if_merged_into="main")
    assert not result.existed and result.branch == "feature/x" and not result.branch_deleted
    assert [w.branch for w in h.adapter.worktree_list()] == ["main"]
    h.adapter.worktree_add(WT, "feature/y", "main")


def test_remove_deletes_a_merged_branch(h: Harness) -> None:
    add_branch(h)
    h.adapter.merge("feature/x", "main", "ff", workdir=None, check_fence=always, push=False)
    result = h.adapter.worktree_remove(WT, archive_dir=None, delete_branch_if_merged_into="main")
    assert result.branch_deleted and not h.adapter.branch_exists("feature/x")


def test_a_dirty_worktree_is_archived_or_refused(h: Harness) -> None:
    add_branch(h)
    h.make_dirty(WT, tracked=True)
    h.make_dirty(WT, tracked=False)
    assert [w.dirty for w in h.adapter.worktree_list()] == [False, True]
    with pytest.raises(DirtyWorktree):
        h.adapter.worktree_remove(WT, archive_dir=None, delete_branch_if_merged_into=None)
    archive = Path(".oj/archive")
    result = h.adapter.worktree_remove(WT, archive_dir=archive, delete_branch_if_merged_into=None)
    assert result.patch is not None and "README" in result.patch.read_text()
    assert result.untracked is not None
    with tarfile.open(result.untracked) as tar:
        assert tar.getnames() == ["dirty.txt"]


def test_hide_file_marks_tracked_files_and_excludes_untracked_ones(h: Harness) -> None:
    add_branch(h)
    h.adapter.hide_file(WT, "README")
    h.adapter.hide_file(WT, "CLAUDE.md")
    h.adapter.hide_file(WT, "CLAUDE.md")
    assert h.skip_worktree(WT, "README")
    assert h.excludes() == ["/CLAUDE.md"]
    h.adapter.worktree_remove(WT, archive_dir=None, delete_branch_if_merged_into=None)
    assert h.excludes() == []


# -- merging ------------------------------------------------------------------------------------


def test_ff_lands_the_branch_and_a_second_landing_is_a_noop(h: Harness) -> None:
    tip = add_branch(h)
    result = h.adapter.merge(
        "feature/x", "main", "ff", workdir=None, check_fence=always, push=False
    )
    assert result.head == tip == h.adapter.rev_parse("main") and not result.noop
    assert h.read("main", "feature.txt") == "feature\n"
    again = h.adapter.merge("feature/x", "main", "ff", workdir=None, check_fence=always, push=False)
    assert again.noop and again.head == tip
    assert h.adapter.is_ancestor("feature/x", "main")


def test_ff_refuses_when_the_target_moved_on(h: Harness) -> None:
    add_branch(h)
    before = h.commit("main", {"other.txt": "other\n"})
    with pytest.raises(NotFastForward) as info:
        h.adapter.merge("feature/x", "main", "ff", workdir=None, check_fence=always, push=False)
    assert isinstance(info.value, MergeConflict)
    assert h.adapter.rev_parse("main") == before


@pytest.mark.parametrize("workdir", [None, WT])
def test_rebase_replays_the_branch_onto_the_target(h: Harness, workdir: Path | None) -> None:
    add_branch(h)
    h.commit("main", {"other.txt": "other\n"})
    result = h.adapter.merge(
        "feature/x", "main", "rebase", workdir=workdir, check_fence=always, push=False
    )
    assert result.head == h.adapter.rev_parse("main") == h.adapter.rev_parse("feature/x")
    assert h.read("main", "feature.txt") == "feature\n"
    assert h.read("main", "other.txt") == "other\n"


def test_rebase_conflicts_leave_both_branches_alone(h: Harness) -> None:
    tip = add_branch(h, {"README": "branch\n"})
    main = h.commit("main", {"README": "main\n"})
    with pytest.raises(MergeConflict) as info:
        h.adapter.merge("feature/x", "main", "rebase", workdir=None, check_fence=always, push=False)
    assert info.value.paths == ("README",)
    assert h.adapter.rev_parse("main") == main and h.adapter.rev_parse("feature/x") == tip
    assert h.adapter.current_branch(WT) == "feature/x"


@pytest.mark.parametrize("strategy", ["merge", "squash"])
def test_merge_and_squash_make_a_commit_on_the_target(h: Harness, strategy: str) -> None:
    tip = add_branch(h)
    h.commit("main", {"other.txt": "other\n"})
    result = h.adapter.merge(
        "feature/x",
        "main",
        strategy,  # type: ignore[arg-type]
        workdir=None,
        check_fence=always,
        push=False,
    )
    assert result.head == h.adapter.rev_parse("main") and result.branch_head == tip
    assert h.read("main", "feature.txt") == "feature\n" and h.read("main", "other.txt")
    assert h.adapter.is_ancestor("feature/x", "main") == (strategy == "merge")


def test_merge_conflicts_leave_the_target_alone(h: Harness) -> None:
    add_branch(h, {"README": "branch\n"})
    main = h.commit("main", {"README": "main\n"})
    with pytest.raises(MergeConflict) as info:
        h.adapter.merge("feature/x", "main", "merge", workdir=None, check_fence=always, push=False)
    assert info.value.paths == ("README",)
    assert h.adapter.rev_parse("main") == main
    assert not [w for w in h.adapter.worktree_list() if w.dirty]


def test_a_dirty_target_checkout_blocks_the_move(h: Harness) -> None:
    add_branch(h)
    main = h.adapter.rev_parse("main")
    h.make_dirty(Path("."), tracked=True)
    with pytest.raises(TargetDirty) as info:
        h.adapter.merge("feature/x", "main", "ff", workdir=None, check_fence=always, push=False)
    assert info.value.retryable and h.adapter.rev_parse("main") == main


def test_untracked_files_in_the_target_checkout_do_not_block(h: Harness) -> None:
    tip = add_branch(h)
    h.make_dirty(Path("."), tracked=False)
    h.adapter.merge("feature/x", "main", "ff", workdir=None, check_fence=always, push=False)
    assert h.adapter.rev_parse("main") == tip


@pytest.mark.parametrize("answers", [[False], [True, False]])
def test_a_stale_fence_stops_the_merge(h: Harness, answers: list[bool]) -> None:
    add_branch(h)
    main = h.adapter.rev_parse("main")
    calls = iter(answers)
    with pytest.raises(Fenced):
        h.adapter.merge(
            "feature/x", "main", "ff", workdir=None, check_fence=lambda: next(calls), push=False
        )
    assert h.adapter.rev_parse("main") == main


def test_a_target_moved_during_the_merge_is_reported(h: Harness) -> None:
    h.commit("main", {"base.txt": "base\n"})
    h.adapter.worktree_add(WT, "release", "main")
    h.adapter.worktree_remove(WT, archive_dir=None, delete_branch_if_merged_into=None)
    add_branch(h)
    state = {"n": 0}

    def fence() -> bool:
        state["n"] += 1
        if state["n"] == 2:
            h.commit("release", {"race.txt": "race\n"})
        return True

    with pytest.raises(RefMoved) as info:
        h.adapter.merge(
            "feature/x", "release", "merge", workdir=None, check_fence=fence, push=False
        )
    assert info.value.retryable
    assert h.read("release", "race.txt") == "race\n"


def test_unknown_strategies_are_refused(h: Harness) -> None:
    add_branch(h)
    with pytest.raises(InvalidArgument):
        h.adapter.merge(
            "feature/x", "main", "octopus", workdir=None, check_fence=always, push=False
        )  # type: ignore[arg-type]


def test_push_sends_the_target_to_origin(h: Harness) -> None:
    h.add_origin()
    tip = add_branch(h)
    result = h.adapter.merge("feature/x", "main", "ff", workdir=None, check_fence=always, push=True)
    assert result.pushed and h.origin_tip("main") == tip


def test_push_redoes_the_strategy_after_a_rejection(h: Harness) -> None:
    h.add_origin()
    add_branch(h)
    once: list[Callable[[], None]] = [lambda: h.origin_commit("main", {"remote.txt": "r\n"})]

    def fence() -> bool:
        if once:
            once.pop()()
        return True

    result = h.adapter.merge(
        "feature/x", "main", "rebase", workdir=None, check_fence=fence, push=True
    )
    assert result.pushed and h.origin_tip("main") == result.head == h.adapter.rev_parse("main")
    assert h.read("main", "remote.txt") == "r\n" and h.read("main", "feature.txt") == "feature\n"
