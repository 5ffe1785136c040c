"""SessionAdapter contract (RUNTIME.md §8.2, §8.6): the same tests against the fake and a real
tmux server on a private socket in a temp dir (killed at the end of each test)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest
from adapter_kit import BASE_ENV

from ojlang.runtime.adapters.errors import (
    InvalidArgument,
    SessionExists,
    SessionNotFound,
    SpawnFailed,
)
from ojlang.runtime.adapters.fake_session import FakeSessionAdapter
from ojlang.runtime.adapters.interfaces import SessionAdapter
from ojlang.runtime.adapters.tmux import Pacing, TmuxSessionAdapter

READER = 'while IFS= read -r l; do printf "%s\\n" "$l" >> "$0"; echo "got:$l"; done'


class Harness(Protocol):
    adapter: SessionAdapter
    dir: Path

    def reader(self, name: str) -> None: ...
    def received(self, name: str, count: int) -> list[str]: ...
    def printer(self, name: str, text: str) -> None: ...
    def exiting(self, name: str, code: int) -> None: ...
    def killed(self, name: str, signal: int) -> None: ...
    def pane_env(self, name: str) -> dict[str, str]: ...


def _poll(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the pane"
        time.sleep(0.02)


class RealHarness:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.tmux = TmuxSessionAdapter(
            directory / "tmux.sock",
            directory / "tmux.conf",
            base_env=BASE_ENV,
            pacing=Pacing.fast(),
        )
        self.adapter: SessionAdapter = self.tmux

    def spawn(self, name: str, argv: list[str]) -> None:
        self.adapter.spawn(name, self.dir, argv, {"FOO": "bar"}, self.dir / f"{name}.log")

    def reader(self, name: str) -> None:
        self.spawn(name, ["sh", "-c", READER, str(self.dir / f"{name}.received")])

    def received(self, name: str, count: int) -> list[str]:
        path = self.dir / f"{name}.received"
        _poll(lambda: path.exists() and len(path.read_text().splitlines()) >= count)
        time.sleep(0.05)  # nothing more arrives
        return path.read_text().splitlines()

    def printer(self, name: str, text: str) -> None:
        self.spawn(name, ["sh", "-c", f"sleep 0.05; echo {text}; exec cat"])
        _poll(lambda: text in self.adapter.capture(name))

    def exiting(self, name: str, code: int) -> None:
        self.spawn(name, ["sh", "-c", f"exit {code}"])
        _poll(lambda: self.adapter.liveness()[name].dead)

    def killed(self, name: str, signal: int) -> None:
        self.spawn(name, ["sh", "-c", f"kill -{signal} $$"])
        _poll(lambda: self.adapter.liveness()[name].dead)

    def pane_env(self, name: str) -> dict[str, str]:
        pid = self.adapter.liveness()[name].pane_pid
        raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


class FakeHarness:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.fake = FakeSessionAdapter(base_env=BASE_ENV)
        self.adapter: SessionAdapter = self.fake

    def spawn(self, name: str, argv: list[str]) -> None:
        self.adapter.spawn(name, self.dir, argv, {"FOO": "bar"}, self.dir / f"{name}.log")

    def reader(self, name: str) -> None:
        self.spawn(name, ["sh", "-c", READER])

    def received(self, name: str, count: int) -> list[str]:
        lines = self.fake.received(name)
        echoed = [line for line in self.fake.sessions[name].lines if line.startswith("got:")]
        for line in lines[len(echoed) :]:
            self.fake.print(name, f"got:{line}")
        return lines

    def printer(self, name: str, text: str) -> None:
        self.spawn(name, ["sh", "-c", f"echo {text}; exec cat"])
        self.fake.print(name, text)

    def exiting(self, name: str, code: int) -> None:
        self.spawn(name, ["sh", "-c", f"exit {code}"])
        self.fake.exit_pane(name, code)

    def killed(self, name: str, signal: int) -> None:
        self.spawn(name, ["sh", "-c", f"kill -{signal} $$"])
        self.fake.exit_pane(name, 128 + signal)

    def pane_env(self, name: str) -> dict[str, str]:
        return dict(self.fake.sessions[name].env)


@pytest.fixture(params=["fake", "real"])
def h(request: pytest.FixtureRequest, short_dir: Path) -> Iterator[Harness]:
    if request.param == "fake":
        yield FakeHarness(short_dir)
        return
    real = RealHarness(short_dir)
    request.addfinalizer(real.tmux.shutdown)
    yield real


def test_spawn_lists_a_live_session(h: Harness) -> None:
    h.printer("s1", "hello")
    [info] = h.adapter.list()
    assert info.name == "s1" and info.pane_pid > 0 and not info.dead
    live = h.adapter.liveness()["s1"]
    assert live.alive and not live.dead and live.dead_status is None
    assert live.pane_pid == info.pane_pid


def test_spawning_a_taken_name_fails(h: Harness) -> None:
    h.printer("s1", "hello")
    with pytest.raises(SessionExists):
        h.adapter.spawn("s1", h.dir, ["cat"], {}, h.dir / "x.log")


@pytest.mark.parametrize("name", ["a.b", "a:b", "", "a b", "-a", "=a", "x" * 65])
def test_invalid_names_are_refused(h: Harness, name: str) -> None:
    with pytest.raises(InvalidArgument):
        h.adapter.spawn(name, h.dir, ["cat"], {}, h.dir / "x.log")
    assert h.adapter.list() == []


def test_a_missing_cwd_or_an_empty_command_fails(h: Harness) -> None:
    with pytest.raises(SpawnFailed) as info:
        h.adapter.spawn("s1", h.dir / "nope", ["cat"], {}, h.dir / "x.log")
    assert not info.value.retryable
    with pytest.raises(InvalidArgument):
        h.adapter.spawn("s1", h.dir, [], {}, h.dir / "x.log")


def test_the_pane_environment_is_sanitised(h: Harness) -> None:
    h.printer("s1", "hello")
    env = h.pane_env("s1")
    assert env["FOO"] == "bar"
    assert env["TERM"] == "xterm-256color"
    assert env["PATH"] == BASE_ENV["PATH"] and env["LANG"] == "C.UTF-8"
    assert "SECRET_TOKEN" not in env and "OJ_RUN" not in env
    assert env.get("TMUX", "") != BASE_ENV["TMUX"]


def test_capture_shows_output_and_a_missing_session_fails(h: Harness) -> None:
    h.printer("s1", "hello-pane")
    assert "hello-pane" in h.adapter.capture("s1")
    with pytest.raises(SessionNotFound):
        h.adapter.capture("nope")


def test_send_types_a_line_and_the_log_records_output(h: Harness) -> None:
    h.reader("s1")
    h.adapter.send("s1", "hello world")
    assert h.received("s1", 1) == ["hello world"]
    time.sleep(0.05)
    assert "got:hello world" in (h.dir / "s1.log").read_text()


def test_send_clears_the_input_line_first_unless_told_not_to(h: Harness) -> None:
    h.reader("s1")
    h.adapter.send("s1", "draft", enter=False)
    h.adapter.send("s1", "second")
    h.adapter.send("s1", "ab", enter=False)
    h.adapter.send("s1", "cd", clear_first=False)
    assert h.received("s1", 2) == ["second", "abcd"]


def test_a_typed_newline_ends_a_line(h: Harness) -> None:
    h.reader("s1")
    h.adapter.send("s1", "one\ntwo", enter=False)
    h.adapter.send("s1", "three", clear_first=False)
    assert h.received("s1", 2) == ["one", "twothree"]


def test_send_keys_presses_named_keys(h: Harness) -> None:
    h.reader("s1")
    h.adapter.send_keys("s1", ["x", "y", "BSpace", "z", "Enter"])
    assert h.received("s1", 1) == ["xz"]


def test_sending_to_a_missing_session_fails(h: Harness) -> None:
    with pytest.raises(SessionNotFound):
        h.adapter.send("nope", "hi")
    with pytest.raises(SessionNotFound):
        h.adapter.send_keys("nope", ["Enter"])


def test_a_dead_pane_keeps_its_exit_status(h: Harness) -> None:
    h.exiting("s1", 3)
    live = h.adapter.liveness()["s1"]
    assert live.dead and live.dead_status == 3 and not live.alive
    [info] = h.adapter.list()
    assert info.dead and info.dead_status == 3
    assert "Pane is dead (status 3" in h.adapter.capture("s1")


def test_a_pane_killed_by_a_signal_reports_128_plus_it(h: Harness) -> None:
    h.killed("s1", 15)
    live = h.adapter.liveness()["s1"]
    assert live.dead and live.dead_status == 143 and not live.alive


def test_kill_captures_first_and_tolerates_missing_sessions(h: Harness) -> None:
    h.printer("s1", "final-words")
    final = h.dir / "logs" / "s1.final.txt"
    h.adapter.kill("s1", capture_to=final)
    assert "final-words" in final.read_text()
    assert h.adapter.list() == [] and "s1" not in h.adapter.liveness()
    h.adapter.kill("s1")
    h.adapter.kill("s1", capture_to=h.dir / "other.txt")
    assert not (h.dir / "other.txt").exists()


def test_pane_hash_changes_with_output_only(h: Harness) -> None:
    h.reader("s1")
    first = h.adapter.pane_hash("s1")
    assert h.adapter.pane_hash("s1") == first
    h.adapter.send("s1", "change")
    h.received("s1", 1)
    time.sleep(0.05)
    assert h.adapter.pane_hash("s1") != first
    with pytest.raises(SessionNotFound):
        h.adapter.pane_hash("nope")


def test_no_sessions_means_empty_listings(h: Harness) -> None:
    assert h.adapter.list() == []
    assert h.adapter.liveness() == {}


def test_attach_argv_targets_the_session_exactly(h: Harness) -> None:
    argv = h.adapter.attach_argv("s1")
    assert "attach-session" in argv and argv[-1] == "=s1"
