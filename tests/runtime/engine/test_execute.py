"""Effect execution against the fake adapters: every effect ends in its result input, errors
become the failure results of §4.1, stale fences never run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ojlang.runtime.adapters.errors import MergeConflict, SpawnFailed
from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core import inputs as i
from ojlang.runtime.engine.execute import Executor, failure, order_key


def executor(root: Path, fence: bool = True) -> Executor:
    return Executor(
        root,
        root / ".oj",
        fake_adapters(root),
        fence_ok=lambda f: fence,
        session_env={"OJ_SOCKET": "/x.sock"},
        oj_executable="/abs/oj",
        probe_confirm_s=0.0,
    )


def spawn(argv: tuple[str, ...] = ("oj-fake-agent", "go")) -> fx.SpawnSession:
    env = {"OJ_TASK_ID": "r.p.1", "OJ_RUN": "r", "OJ_PHASE": "p", "OJ_WORKSPACE": "/w"}
    return fx.SpawnSession("r-p-1", ".", argv, env, ".oj/logs/s.log", "3.1", "task:r.p.1")


def test_spawn_writes_hook_settings_and_sets_the_agent_environment(tmp_path: Path) -> None:
    ex = executor(tmp_path)
    [result] = ex.run(spawn())
    assert isinstance(result, i.SessionResult) and result.verb == "spawned" and result.pane_pid
    agent = ex.adapters.agent
    written = agent.written  # type: ignore[attr-defined]
    settings = json.loads(written[(tmp_path / ".", ".claude/settings.local.json")])
    assert settings["hooks"]["Stop"][0]["hooks"][0]["command"] == "/abs/oj hook stop"
    pane = ex.adapters.session.sessions["r-p-1"]  # type: ignore[attr-defined]
    assert pane.env["OJ_SOCKET"] == "/x.sock" and pane.env["OTTER_PIPELINE"] == "r"
    assert pane.env["OTTER_TASK"] == "r.p.1"


def test_generic_agents_get_no_hook_settings(tmp_path: Path) -> None:
    ex = executor(tmp_path)
    [result] = ex.run(spawn(("my-agent", "go")))
    assert isinstance(result, i.SessionResult) and result.verb == "spawned"
    assert ex.adapters.agent.written == {}  # type: ignore[attr-defined]


def test_spawn_failure_is_a_result(tmp_path: Path) -> None:
    ex = executor(tmp_path)
    ex.adapters.session.fail_next("spawn", SpawnFailed("no tmux"))  # type: ignore[attr-defined]
    assert ex.run(spawn()) == [i.SessionResult("spawn_failed", "3.1", error="no tmux")]


def test_stale_fence_is_never_executed(tmp_path: Path) -> None:
    ex = executor(tmp_path, fence=False)
    effect = fx.RunShell("phase", "true", ".", effect_id="4.1", fence=fx.Fence("l", 1))
    [result] = ex.run(effect)
    assert isinstance(result, i.EffectOutcome) and result.verb == "fenced"
    assert ex.adapters.shell.calls == []  # type: ignore[attr-defined]


def test_shell_results_and_start_failures(tmp_path: Path) -> None:
    ex = executor(tmp_path)
    [ok] = ex.run(fx.RunShell("phase", "echo hi", ".", effect_id="5.1"))
    assert isinstance(ok, i.ShellExited) and (ok.code, ok.stdout_tail) == (0, "hi\n")
    [bad] = ex.run(fx.RunShell("phase", "true", "missing-dir", effect_id="5.2"))
    assert isinstance(bad, i.ShellExited) and bad.code == 127 and "missing-dir" in bad.stderr_tail


def test_probe_session_compares_pane_hashes(tmp_path: Path) -> None:
    ex = executor(tmp_path)
    ex.run(spawn())
    probe = fx.ProbeSession("r-p-1", confirm=True, effect_id="6.1", owner="task:r.p.1")
    [first] = ex.run(probe)
    assert isinstance(first, i.AgentProbe) and first.alive and not first.changed
    ex.adapters.session.print("r-p-1", "working…")  # type: ignore[attr-defined]
    [second] = ex.run(probe)
    assert isinstance(second, i.AgentProbe) and second.changed
    [gone] = ex.run(fx.ProbeSession("nope", effect_id="6.2"))
    assert gone == i.AgentProbe("6.2", alive=False, changed=False)


def test_worktrees_merges_and_predicates(tmp_path: Path) -> None:
    ex = executor(tmp_path)
    add = fx.WorktreeAdd("ws", ".oj/worktrees/r", "oj/r", effect_id="7.1", owner="workspace:ws")
    assert ex.run(add) == [i.WorkspaceResult("ready", "7.1")]
    [again] = ex.run(add)
    assert isinstance(again, i.WorkspaceResult) and again.verb == "failed"
    probe = fx.Probe("branch_exists", ("oj/r",), effect_id="7.2")
    assert ex.run(probe) == [i.ProbeResult("7.2", True)]
    assert ex.run(fx.Probe("file-missing", ("nope",), effect_id="7.3")) == [
        i.ProbeResult("7.3", True)
    ]
    [unknown] = ex.run(fx.Probe("weather", (), effect_id="7.4"))
    assert isinstance(unknown, i.EffectOutcome) and unknown.verb == "failed"
    repo = ex.adapters.repo
    repo.fail_next("merge", MergeConflict("conflict", ["a.txt"]))  # type: ignore[attr-defined]
    [merged] = ex.run(fx.Merge("oj/r", "main", effect_id="7.5"))
    assert merged == i.MergeResult("7.5", False, conflicts=("a.txt",), error="conflict")
    remove = fx.WorktreeRemove("ws", ".oj/worktrees/r", effect_id="7.6")
    [removed] = ex.run(remove)
    assert isinstance(removed, i.WorkspaceResult) and removed.verb == "removed"


def test_the_rest_of_the_effects(tmp_path: Path) -> None:
    ex = executor(tmp_path)
    assert ex.run(fx.Notify("t", "m", effect_id="8.1")) == [i.EffectOutcome("done", "8.1")]
    assert ex.run(fx.WriteArchive("a/r.json", {"x": 1}, effect_id="8.2")) == [
        i.EffectOutcome("done", "8.2")
    ]
    assert json.loads((tmp_path / "a" / "r.json").read_text()) == {"x": 1}
    [issue] = ex.run(fx.IssueCall("get", {"id": "1"}, effect_id="8.3"))
    assert issue == i.EffectOutcome("failed", "8.3", "no issue tracker configured")
    [listed] = ex.run(fx.ListSessions(effect_id="8.4"))
    assert listed == i.ScanListed("8.4", ())
    files = (fx.FileSpec("CLAUDE.md", "hello", marker_block=True),)
    assert ex.run(fx.WriteFiles(".", files, effect_id="8.5")) == [i.EffectOutcome("done", "8.5")]


@pytest.mark.parametrize(
    "effect, key",
    [
        (fx.SendKeys("s", owner="task:t"), "task:t"),
        (fx.KillSession("s", owner="cli"), "session:s"),
        (fx.WorktreeAdd("ws", "p", "b"), "workspace:ws"),
        (fx.Merge("b", "main"), "merge:main"),
        (fx.RunShell("phase", "x", ".", effect_id="9.1"), "effect:9.1"),
    ],
)
def test_order_keys(effect: fx.IoEffect, key: str) -> None:
    assert order_key(effect) == key


def test_failure_results_per_effect() -> None:
    assert failure(fx.WorktreeAdd("w", "p", "b", effect_id="1.1"), "x") == [
        i.WorkspaceResult("failed", "1.1", error="x")
    ]
    assert failure(fx.Merge("b", "m", effect_id="1.2"), "x") == [
        i.MergeResult("1.2", False, error="x")
    ]
    assert failure(fx.SendKeys("s", effect_id="1.3"), "x") == [
        i.EffectOutcome("failed", "1.3", "x")
    ]


def test_scanner_listings_are_records_with_ids(tmp_path: Path) -> None:
    ex = executor(tmp_path)
    ex.run(fx.WorktreeAdd("ws", ".oj/worktrees/r", "oj/r", effect_id="7.1"))
    [listed] = ex.run(fx.ListWorktrees(effect_id="7.2"))
    assert isinstance(listed, i.ScanListed)
    added = [r for r in listed.resources if r["name"] == "r"]
    assert [(r["id"], r["kind"]) for r in added] == [(r["path"], "worktree") for r in added]
    assert len(added) == 1 and added[0]["path"].endswith("/.oj/worktrees/r")
    ex.run(spawn())
    [sessions] = ex.run(fx.ListSessions(effect_id="7.3"))
    assert isinstance(sessions, i.ScanListed)
    assert [(r["id"], r["kind"], r["session"]) for r in sessions.resources] == [
        ("r-p-1", "session", "r-p-1")
    ]
