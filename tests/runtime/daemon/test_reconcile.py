"""The daemon's reconcile (RUNTIME.md §7.5): orphan worktrees under `.oj/worktrees/` are reported
and left alone; a recorded workspace whose directory is gone fails its live run's phase."""

from __future__ import annotations

from pathlib import Path

from immutables import Map

from ojlang.runtime.adapters.fake_repo import FakeRepoAdapter
from ojlang.runtime.core import inputs as i
from ojlang.runtime.core.run import Run
from ojlang.runtime.core.workspace import Workspace
from ojlang.runtime.core.world import World
from ojlang.runtime.daemon.reconcile import worktrees


def world_with(root: Path) -> World:
    kept = root / ".oj" / "worktrees" / "build-a"
    kept.mkdir(parents=True)
    spaces = {
        "build-a": Workspace("build-a", str(kept), "build/a", state="in_use", run="build-a"),
        "build-b": Workspace(
            "build-b", ".oj/worktrees/build-b", "build/b", state="in_use", run="build-b"
        ),
        "build-c": Workspace("build-c", ".oj/worktrees/build-c", "build/c", state="removed"),
        "ws-x": Workspace("ws-x", ".oj/worktrees/ws-x", "oj/ws-x", state="creating"),
    }
    runs = {
        "build-a": Run("build-a", "build", "build.build", "h", "a", state="running"),
        "build-b": Run("build-b", "build", "build.build", "h", "b", state="running"),
    }
    return World(workspaces=Map(spaces), runs=Map(runs))


def test_unknown_directories_are_orphans_and_missing_workspaces_fail_their_phase(
    tmp_path: Path,
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    world = world_with(root)
    stray = root / ".oj" / "worktrees" / "old-run"
    stray.mkdir()
    (root / ".oj" / "worktrees" / "build-c").mkdir()
    report = worktrees(world, root, root / ".oj", FakeRepoAdapter(root))
    assert report.orphans == (
        str((root / ".oj" / "worktrees" / "build-c").resolve()),
        str(stray.resolve()),
    )
    assert report.missing == ("build-b",)
    assert report.inputs == (i.PipelineTransition("build-b", "fail", reason="workspace missing"),)
    assert stray.is_dir()  # never removed automatically


def test_reconcile_is_idempotent_and_quiet_without_worktrees(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    report = worktrees(World(), root, root / ".oj", FakeRepoAdapter(root))
    assert (report.orphans, report.missing, report.inputs) == ((), (), ())
    world = world_with(root)
    first = worktrees(world, root, root / ".oj", FakeRepoAdapter(root))
    assert worktrees(world, root, root / ".oj", FakeRepoAdapter(root)) == first


def test_a_repository_that_cannot_list_worktrees_still_gets_the_directory_scan(
    tmp_path: Path,
) -> None:
    class Broken:
        def worktree_list(self) -> list[object]:
            raise RuntimeError("not a git repository")

    root = tmp_path / "proj"
    (root / ".oj" / "worktrees" / "left").mkdir(parents=True)
    report = worktrees(World(), root, root / ".oj", Broken())
    assert [Path(p).name for p in report.orphans] == ["left"]
