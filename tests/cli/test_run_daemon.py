"""`oj run PIPELINE` with the project's daemon running (RUNTIME.md §10): the daemon starts the
run; `--wait` follows it to its end (exit 0 done, 1 escalated), without it `oj run` returns
at once with the run id."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ojlang.cli.run_cmd import main
from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.daemon.lifecycle import Daemon
from ojlang.runtime.engine.settings import EngineSettings

RUNBOOK = """
[pipeline.greet]
inputs = ["who"]

[[pipeline.greet.phase]]
name = "hello"
run = "echo hello {who}"

[pipeline.bad]

[[pipeline.bad.phase]]
name = "boom"
run = "false"
"""


@pytest.fixture
def daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Daemon]:
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    monkeypatch.setenv("OJ_MACHINE_ID", "run-daemon")
    monkeypatch.setenv("OJ_NO_AUTOSTART", "1")
    root = tmp_path / "proj"
    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "demo.toml").write_text(RUNBOOK)
    monkeypatch.chdir(root)
    settings = EngineSettings(idle_wait_s=0.05, shutdown_grace_s=1.0)
    running = Daemon(root, adapters=fake_adapters(root), engine_settings=settings).start()
    try:
        yield running
    finally:
        running.stop()


def test_wait_follows_the_run_to_its_end(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo.greet", "who=x", "--wait", "--timeout", "30s"]) == 0
    out = capsys.readouterr().out
    assert "phase `hello` (attempt 1)" in out and "done in" in out
    (run,) = daemon.engine.world.runs.values()
    assert run.state == "done" and run.vars == {"who": "x"}


def test_an_escalated_run_ends_the_wait_with_exit_1(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo.bad", "--wait"]) == 1
    out = capsys.readouterr().out
    assert "escalated" in out and "oj escalation show esc-" in out


def test_without_wait_the_run_id_is_printed_at_once(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--name", "mine", "demo.greet", "who=y"]) == 0
    assert capsys.readouterr().out == "started `greet-mine`\n"
    deadline = time.monotonic() + 10
    while daemon.engine.world.runs["greet-mine"].state != "done":
        assert time.monotonic() < deadline
        time.sleep(0.02)
