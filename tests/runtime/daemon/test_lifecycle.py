"""The daemon's lifecycle in this process (RUNTIME.md §7.1, §7.3–7.4): the state directory, the
single-instance lock, `daemon.json`, the log, graceful stop, reload and the last good graph."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from daemon_kit import FAST, QUEUES, call, serving, write_project

from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.daemon.lifecycle import Daemon, StartError, lock_holder, read_info
from ojlang.runtime.daemon.protocol import RemoteError, socket_path

EXTRA = """
[pipeline.extra]

[[pipeline.extra.phase]]
name = "only"
run = "true"
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_project(tmp_path / "proj", {"demo": QUEUES})


def test_start_prepares_the_state_directory_and_announces_itself(root: Path) -> None:
    with serving(root) as daemon:
        state = root / ".oj"
        assert (state / ".gitignore").read_text() == "*\n"
        info = read_info(state)
        assert info["pid"] == os.getpid() and info["protocol"] == 1
        assert info["socket"] == str(socket_path(state))
        mode = stat.S_IMODE(Path(info["socket"]).stat().st_mode)
        assert mode == 0o600
        assert lock_holder(state) == os.getpid()
        log = (state / "logs" / "daemon.log").read_text().splitlines()
        assert log[0] == f"--- oj daemon starting pid={os.getpid()} version=0.1.0"
        assert any(" INFO daemon ready " in line for line in log)
        assert daemon.info is not None and daemon.info.graph_errors == 0
        assert call(root, "daemon.status", {})["pid"] == os.getpid()
    assert not (state / "run" / "daemon.json").exists()
    assert not Path(info["socket"]).exists()
    assert lock_holder(state) is None
    assert "INFO daemon stopped reason=operator" in (state / "logs" / "daemon.log").read_text()


def test_a_second_daemon_reports_the_running_one(root: Path) -> None:
    with serving(root):
        second = Daemon(root, adapters=fake_adapters(root), engine_settings=FAST)
        with pytest.raises(StartError) as caught:
            second.start()
        assert (caught.value.code, caught.value.message) == (
            0,
            f"already running (pid {os.getpid()})",
        )
        assert call(root, "ping", {})["ok"] is True


def test_a_stopping_daemon_refuses_new_requests(root: Path) -> None:
    with serving(root) as daemon:
        assert call(root, "daemon.stop", {}) == {"pid": os.getpid(), "stopping": True}
        assert daemon.stop_requested.is_set()
        with pytest.raises(RemoteError) as caught:
            call(root, "status", {})
        assert (caught.value.code, caught.value.exit_code) == ("unavailable", 4)


def test_a_bad_config_fails_the_start_with_an_error_line(root: Path) -> None:
    (root / ".oj").mkdir(exist_ok=True)
    (root / ".oj" / "config.toml").write_text('[runtime]\npoll_interval = "soon"\n')
    daemon = Daemon(root, adapters=fake_adapters(root), engine_settings=FAST)
    with pytest.raises(StartError) as caught:
        daemon.start()
    assert caught.value.code == 72
    from ojlang.client import start_errors
    from ojlang.runtime.daemon.logs import teardown

    assert daemon._log_handler is not None
    teardown(daemon._log_handler)
    (line,) = start_errors(root / ".oj")
    assert "`runtime.poll_interval`" in line


def test_reload_picks_up_new_runbooks_and_keeps_the_graph_on_errors(root: Path) -> None:
    with serving(root) as daemon:
        (root / "runbooks" / "more.toml").write_text(EXTRA)
        assert call(root, "daemon.reload", {})["reloaded"] is True
        assert "more.extra" in daemon.engine.world.graphs[daemon.engine.world.graph_hash].pipelines
        (root / "runbooks" / "broken.toml").write_text("[pipeline.x]\nphase = 3\n")
        before = daemon.engine.world.graph_hash
        result = call(root, "daemon.reload", {})
        assert result["reloaded"] is False and result["errors"] >= 1
        assert daemon.engine.world.graph_hash == before


def test_a_restart_with_broken_runbooks_runs_the_last_good_graph(root: Path) -> None:
    with serving(root) as daemon:
        good = daemon.engine.world.graph_hash
    (root / "runbooks" / "demo.toml").write_text("[pipeline.x]\nphase = 3\n")
    with serving(root) as daemon:
        assert daemon.engine.world.graph_hash == good
        status = call(root, "status", {})
        assert any("last good graph" in w for w in status["warnings"])
        assert status["daemon"]["graph_errors"] >= 1


def test_tasks_can_be_started_as_their_implicit_pipelines(root: Path) -> None:
    task = '[task.helper]\ncommand = "true"\nprompt = "help"\n'
    (root / "runbooks" / "tasks.toml").write_text(task)
    with serving(root) as daemon:
        graph = daemon.engine.world.graphs[daemon.engine.world.graph_hash]
        assert [p.name for p in graph.pipelines["tasks.helper"].phases] == ["helper"]


def test_the_status_names_the_daemon_and_its_store(root: Path) -> None:
    with serving(root):
        status = call(root, "status", {})
        d = status["daemon"]
        assert d["pid"] == os.getpid() and d["version"] == "0.1.0"
        assert d["store"]["bytes"] > 0 and d["store"]["path"].endswith("state.db")
        assert d["reconciled"]["orphan_worktrees"] == []
        assert [w["name"] for w in status["workers"]] == ["jobber"]
        assert json.dumps(status)  # plain JSON all the way down


def test_an_unchanged_project_starts_from_the_cached_graph(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ojlang.run_api

    with serving(root) as daemon:
        first = daemon.engine.world.graph_hash
    checked: list[Path] = []
    original = ojlang.run_api.check_or_refuse
    monkeypatch.setattr(
        ojlang.run_api, "check_or_refuse", lambda r: checked.append(r) or original(r)
    )
    with serving(root) as daemon:
        assert daemon.engine.world.graph_hash == first
    assert checked == []
    (root / "runbooks" / "more.toml").write_text(EXTRA)
    with serving(root) as daemon:
        assert "more.extra" in daemon.engine.world.graphs[daemon.engine.world.graph_hash].pipelines
    assert checked == [root]
