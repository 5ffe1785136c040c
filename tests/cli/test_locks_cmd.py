"""`oj lock acquire --wait D` and `oj semaphore acquire --wait D` (RUNTIME.md §10): a wait
longer than the request deadline of §7.2 (here a short fake of it) ends in the grant; one that
expires leaves the queue with exit 124. The commands run in this process against a daemon
serving a temp project (fake adapters)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ojlang.cli import common
from ojlang.cli.main import main
from ojlang.client import call
from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.daemon import resources
from ojlang.runtime.daemon.lifecycle import Daemon
from ojlang.runtime.engine.settings import EngineSettings

RUNBOOK = """
[lock.main_branch]

[semaphore.agents]
max = 1
"""
FAST = EngineSettings(poll_interval_s=0.05, idle_wait_s=0.05, shutdown_grace_s=1.0)


@pytest.fixture
def daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Daemon]:
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    monkeypatch.setenv("OJ_MACHINE_ID", "cli-locks")
    monkeypatch.setenv("OJ_NO_AUTOSTART", "1")
    monkeypatch.delenv("OJ_STATE_DIR", raising=False)
    monkeypatch.setattr(resources, "WAIT_CAP_S", 0.2)  # a short fake of the 30 s deadline
    root = tmp_path / "proj"
    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "demo.toml").write_text(RUNBOOK)
    monkeypatch.chdir(root)
    started = Daemon(root, adapters=fake_adapters(root), engine_settings=FAST).start()
    try:
        yield started
    finally:
        started.stop()


def run_oj(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    common.FLAGS.update(json=False, quiet=False, verbose=False, no_color=False)
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out, out.err


def release_later(method: str, params: dict[str, object], after: float) -> threading.Thread:
    def release() -> None:
        time.sleep(after)
        call(method, params, root=Path.cwd(), autostart=False)

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def test_a_lock_wait_longer_than_the_request_deadline_gets_the_lock(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_oj(capsys, "lock", "acquire", "main_branch", "--holder", "alice")[0] == 0
    releaser = release_later("lock.release", {"lock": "main_branch", "holder": "alice"}, 0.6)
    began = time.monotonic()
    code, out, err = run_oj(
        capsys, "lock", "acquire", "main_branch", "--holder", "bob", "--wait", "20s"
    )
    releaser.join(10)
    assert (code, out, err) == (0, "lock `main_branch` held by `cli:bob` (token 2)\n", "")
    assert time.monotonic() - began >= 0.6


def test_a_lock_wait_that_expires_leaves_the_queue(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    run_oj(capsys, "lock", "acquire", "main_branch", "--holder", "alice")
    code, out, err = run_oj(
        capsys, "lock", "acquire", "main_branch", "--holder", "bob", "--wait", "1s"
    )
    assert (code, out) == (124, "")
    assert err == "error: lock `main_branch` is held by `cli:alice`\n"
    assert daemon.engine.world.locks["main_branch"].waiters == ()


def test_a_semaphore_wait_longer_than_the_request_deadline_gets_a_slot(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_oj(capsys, "semaphore", "acquire", "agents", "--holder", "a")[0] == 0
    releaser = release_later("semaphore.release", {"semaphore": "agents", "holder": "a"}, 0.6)
    code, out, err = run_oj(
        capsys, "--json", "semaphore", "acquire", "agents", "--holder", "b", "--wait", "20s"
    )
    releaser.join(10)
    assert (code, err) == (0, "")
    assert out == (
        '{"holder": "cli:b", "result": "granted", "schema": "oj.semaphore_acquire/1", '
        '"semaphore": "agents", "weight": 1}\n'
    )
