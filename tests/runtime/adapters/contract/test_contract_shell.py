"""ShellAdapter contract (RUNTIME.md §8.3, §8.6): the same tests against the fake and real
subprocesses under the re-attachable runner."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from adapter_kit import BASE_ENV

from ojlang.runtime.adapters.errors import InvalidArgument, ShellStartFailed
from ojlang.runtime.adapters.fake_shell import FakeShellAdapter
from ojlang.runtime.adapters.interfaces import ShellAdapter, ShellHandle, ShellResult
from ojlang.runtime.adapters.shell import SubprocessShellAdapter


class Harness(Protocol):
    adapter: ShellAdapter
    dir: Path

    def restart(self) -> ShellAdapter: ...
    def lose(self, effect_id: str) -> None: ...


class RealHarness:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.state = directory / ".oj"
        self.adapter: ShellAdapter = self._make()
        self.started: list[str] = []

    def _make(self) -> SubprocessShellAdapter:
        return SubprocessShellAdapter(self.state, base_env=BASE_ENV, kill_grace_s=0.5)

    def restart(self) -> ShellAdapter:
        return self._make()

    def lose(self, effect_id: str) -> None:
        pid_file = self.state / "run" / "shell" / f"{effect_id}.pid"
        deadline = time.monotonic() + 20
        while not pid_file.exists() or json.loads(pid_file.read_text())["pgid"] is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        meta = json.loads(pid_file.read_text())
        os.kill(meta["runner"], signal.SIGKILL)
        os.killpg(meta["pgid"], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while Path(f"/proc/{meta['runner']}").exists():
            if Path(f"/proc/{meta['runner']}/stat").read_text().split()[2] == "Z":
                os.waitpid(meta["runner"], 0)
                break
            assert time.monotonic() < deadline
            time.sleep(0.02)

    def cleanup(self) -> None:
        for pid_file in (self.state / "run" / "shell").glob("*.pid"):
            meta = json.loads(pid_file.read_text())
            if meta["pgid"] is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(meta["pgid"], signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(meta["runner"], signal.SIGKILL)


class FakeHarness:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.fake = FakeShellAdapter(base_env=BASE_ENV)
        self.adapter: ShellAdapter = self.fake

    def restart(self) -> ShellAdapter:
        return self.fake.restart()

    def lose(self, effect_id: str) -> None:
        self.fake.lose(effect_id)


@pytest.fixture(params=["fake", "real"])
def h(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    if request.param == "fake":
        yield FakeHarness(tmp_path)
        return
    real = RealHarness(tmp_path)
    request.addfinalizer(real.cleanup)
    yield real


def run(h: Harness, script: str, *, timeout: float | None = 10.0, eid: str = "7.1") -> ShellResult:
    return h.adapter.wait(h.adapter.start(eid, script, h.dir, {"FOO": "bar"}, timeout))


def test_exit_code_and_output_tails(h: Harness) -> None:
    result = run(h, "echo out\necho err >&2\nexit 3")
    assert (result.code, result.signal, result.timed_out) == (3, None, False)
    assert result.stdout_tail == "out\n" and result.stderr_tail == "err\n"
    assert result.effect_id == "7.1" and not result.lost and result.duration_us >= 0


def test_environment_is_sanitised_and_carries_the_effect_id(h: Harness) -> None:
    result = run(h, "echo $OJ_EFFECT_ID $FOO x${SECRET_TOKEN}x x${OJ_RUN}x $LANG")
    assert result.stdout_tail == "7.1 bar xx xx C.UTF-8\n"


def test_the_script_runs_in_cwd(h: Harness) -> None:
    assert run(h, "pwd").stdout_tail == f"{h.dir}\n"


def test_the_first_failing_command_ends_the_script(h: Harness) -> None:
    result = run(h, "echo before; false; echo after")
    assert result.code == 1 and result.stdout_tail == "before\n"
    missing = run(h, "no-such-command-oj", eid="7.2")
    assert missing.code == 127 and "command not found" in missing.stderr_tail


def test_separators_inside_quotes_belong_to_their_word(h: Harness) -> None:
    result = run(h, 'echo \'a; b\' "c;d"; echo "e\nf"\necho g')
    assert (result.code, result.stdout_tail) == (0, "a; b c;d\ne\nf\ng\n")
    failing = run(h, "echo 'x;'; false; echo after", eid="7.2")
    assert (failing.code, failing.stdout_tail) == (1, "x;\n")


def test_a_timeout_terminates_the_script(h: Harness) -> None:
    result = run(h, "echo started; sleep 5", timeout=0.3)
    assert result.timed_out and result.code is None and result.signal == signal.SIGTERM
    assert result.stdout_tail == "started\n"


def test_kill_terminates_a_running_script(h: Harness) -> None:
    handle = h.adapter.start("7.1", "sleep 5", h.dir, {}, None)
    h.adapter.kill("7.1")
    result = h.adapter.wait(handle)
    assert result.signal == signal.SIGTERM and result.code is None and not result.timed_out
    h.adapter.kill("7.1")
    h.adapter.kill("9.9")


def test_a_restarted_adapter_reattaches_to_a_running_script(h: Harness) -> None:
    h.adapter.start("7.1", "sleep 1; exit 4", h.dir, {}, None)
    later = h.restart()
    handle = later.recover("7.1")
    assert isinstance(handle, ShellHandle) and handle.effect_id == "7.1"
    assert later.wait(handle).code == 4


def test_a_restarted_adapter_finds_finished_results(h: Harness) -> None:
    run(h, "echo done; exit 5")
    result = h.restart().recover("7.1")
    assert isinstance(result, ShellResult)
    assert result.code == 5 and result.stdout_tail == "done\n"


def test_a_lost_runner_and_an_unknown_effect_are_told_apart(h: Harness) -> None:
    h.adapter.start("7.1", "sleep 5", h.dir, {}, None)
    h.lose("7.1")
    later = h.restart()
    lost = later.recover("7.1")
    assert isinstance(lost, ShellResult) and lost.lost and lost.code is None
    assert later.recover("8.1") is None


def test_bad_effect_ids_and_missing_cwds_are_refused(h: Harness) -> None:
    for eid in ("../x", "a/b", "", ".hidden"):
        with pytest.raises(InvalidArgument):
            h.adapter.start(eid, "true", h.dir, {}, None)
    with pytest.raises(ShellStartFailed):
        h.adapter.start("7.1", "true", h.dir / "nope", {}, None)
