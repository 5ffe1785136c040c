"""Fake agent sessions (RUNTIME.md §9.6): hooks in claude's order, messages captured, failures
printed as claude prints them (checked with the agent adapter's `read_screen`), and one run
inside a real private tmux server driven by the tmux adapter."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ojlang.fake_agent.agent import FakeAgent
from ojlang.fake_agent.scenario import Failure, load_scenario
from ojlang.fake_agent.screens import failure_text
from ojlang.runtime.adapters.agent import read_screen
from ojlang.runtime.adapters.tmux import Pacing, TmuxSessionAdapter
from ojlang.runtime.adapters.workspace_files import dump_settings, hook_settings

RECORD = 'cat >> "$CLAUDE_PROJECT_DIR/hooks.jsonl"; echo >> "$CLAUDE_PROJECT_DIR/hooks.jsonl"'
BLOCK_ONCE = (
    "python3 -c 'import json, sys; d = json.load(sys.stdin); "
    'print("" if d["stop_hook_active"] else json.dumps('
    '{"decision": "block", "reason": "Are you done? Run oj done"}))\''
)
SCENARIO = """\
name = "t"
[config]
startup_ms = 0
idle_notify_ms = 60000
typing_ms = 0

[[responses]]
pattern = { type = "contains", text = "plan" }
times = 1
text = "Writing the plan"
steps = [{ shell = "echo planned > plan.md && echo ok" }, { say = "planned" }]

[[responses]]
pattern = { type = "glob", text = "Are you done*" }
steps = [{ shell = "echo $OJ_NAME > done.txt" }]
"""


def settings(cwd: Path, stop: str = RECORD) -> None:
    base = hook_settings("oj")
    for event, groups in base["hooks"].items():
        command = stop if event == "Stop" else RECORD
        groups[0]["hooks"][0]["command"] = command
        if event == "Stop" and stop != RECORD:
            groups.append({"hooks": [{"type": "command", "command": RECORD}]})
    (cwd / ".claude").mkdir(exist_ok=True)
    (cwd / ".claude" / "settings.local.json").write_text(dump_settings(base))


def hook_log(cwd: Path) -> list[dict[str, object]]:
    path = cwd / "hooks.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def captured(cwd: Path) -> list[dict[str, object]]:
    path = cwd / ".oj-fake" / "capture.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def session(
    tmp_path: Path, scenario: str, typed: str = "", prompt: str = "make a plan"
) -> tuple[int, str]:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, typed.encode())
    os.close(write_fd)
    out = io.StringIO()
    env = {**os.environ, "OJ_NAME": "auth"}
    with os.fdopen(read_fd) as inp:
        agent = FakeAgent(
            load_scenario(scenario, "s.toml"),
            tmp_path,
            env,
            out,
            inp,
            tmp_path / ".oj-fake" / "capture.jsonl",
        )
        code = agent.run(prompt)
    return code, out.getvalue()


def test_a_turn_runs_steps_and_fires_hooks_in_claudes_order(tmp_path: Path) -> None:
    settings(tmp_path)
    code, out = session(tmp_path, SCENARIO, "what now?\n/exit\n")
    assert code == 0
    assert (tmp_path / "plan.md").read_text() == "planned\n"
    assert "⏺ Writing the plan" in out and "  ⎿  ok" in out and "⏺ planned" in out
    events = [(e["hook_event_name"], e.get("tool_name")) for e in hook_log(tmp_path)]
    assert events == [
        ("SessionStart", None),
        ("UserPromptSubmit", None),
        ("PostToolUse", "Bash"),
        ("Stop", None),
        ("UserPromptSubmit", None),
        ("Stop", None),
    ]
    first = hook_log(tmp_path)[0]
    assert first["source"] == "startup" and first["cwd"] == str(tmp_path)
    assert [(m["kind"], m["text"]) for m in captured(tmp_path)] == [
        ("message", "make a plan"),
        ("message", "what now?"),
    ]
    assert "(no response matches this message)" in out


def test_a_blocking_stop_hook_continues_the_turn(tmp_path: Path) -> None:
    settings(tmp_path, stop=BLOCK_ONCE)
    code, _ = session(tmp_path, SCENARIO)
    assert code == 0
    assert (tmp_path / "done.txt").read_text() == "auth\n"
    stops = [e["stop_hook_active"] for e in hook_log(tmp_path) if e["hook_event_name"] == "Stop"]
    assert stops == [False, True]
    assert captured(tmp_path)[1] == {
        **captured(tmp_path)[1],
        "kind": "message",
        "text": "Are you done? Run oj done",
        "source": "stop_hook",
    }


def test_waiting_at_the_prompt_sends_one_idle_notification(tmp_path: Path) -> None:
    settings(tmp_path)
    scenario = SCENARIO.replace("idle_notify_ms = 60000", "idle_notify_ms = 50")
    read_fd, write_fd = os.pipe()
    agent = FakeAgent(
        load_scenario(scenario, "s.toml"),
        tmp_path,
        dict(os.environ),
        io.StringIO(),
        os.fdopen(read_fd),
        tmp_path / "capture.jsonl",
    )
    with agent.inp:
        deadline = time.monotonic() + 20
        thread = threading.Thread(target=agent.run, args=("",))
        thread.start()
        while not any(e["hook_event_name"] == "Notification" for e in hook_log(tmp_path)):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.close(write_fd)
        thread.join(20)
    notes = [e for e in hook_log(tmp_path) if e["hook_event_name"] == "Notification"]
    assert [n["notification_type"] for n in notes] == ["idle_prompt"]


@pytest.mark.parametrize(
    "failure, error, detail",
    [
        (Failure("network_unreachable"), "network", None),
        (Failure("auth_error", message="bad key"), "auth", None),
        (Failure("rate_limit", retry_after=2), "rate_limit", None),
        (Failure("connection_timeout", after_ms=10), "network", "timeout"),
        (Failure("malformed_json", raw="{oops"), "network", "malformed"),
        (Failure("out_of_credits"), "credits", None),
    ],
)
def test_failure_screens_read_as_claudes(failure: Failure, error: str, detail: str | None) -> None:
    screen = read_screen(failure_text(failure) + "\n> ")
    assert (screen.error, screen.detail, screen.ready) == (error, detail, True)
    if failure.type == "rate_limit":
        assert screen.retry_after_s == 2.0


def test_failures_print_crash_or_wait(tmp_path: Path) -> None:
    scenario = SCENARIO + '\n[[responses]]\npattern = { type = "exact", text = "%s" }\n'
    crash = scenario % "die" + 'failure = { type = "crash", exit_code = 7 }\n'
    assert session(tmp_path, crash, prompt="die")[0] == 7
    auth = scenario % "key" + 'failure = { type = "auth_error", message = "bad key" }\n'
    code, out = session(tmp_path, auth, prompt="key")
    assert code == 0 and "authentication_error" in out and "bad key" in out


def test_hang_never_returns(tmp_path: Path) -> None:
    scenario = load_scenario(
        SCENARIO + '\n[[responses]]\npattern = { type = "any" }\nfailure = { type = "hang" }\n',
        "s.toml",
    )
    slept: list[float] = []

    class Hung(Exception):
        pass

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) > 3:
            raise Hung

    agent = FakeAgent(scenario, tmp_path, {}, io.StringIO(), io.StringIO(), tmp_path / "c.jsonl")
    agent.sleep = sleep
    with pytest.raises(Hung):
        agent.run("anything")
    assert slept[-2:] == [3600, 3600]


# -- in a real tmux session ---------------------------------------------------------------------


@pytest.fixture
def tmux_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="oj-fa-", dir="/tmp")).resolve()
    adapter = TmuxSessionAdapter(path / "tmux.sock", path / "tmux.conf", pacing=Pacing.fast())
    yield path
    adapter.shutdown()
    shutil.rmtree(path, ignore_errors=True)


def test_the_fake_agent_runs_in_tmux_and_takes_nudges(tmux_dir: Path) -> None:
    settings(tmux_dir)
    scenario = tmux_dir / "s.toml"
    scenario.write_text(
        SCENARIO.replace("idle_notify_ms = 60000", "idle_notify_ms = 100")
        + '\n[[responses]]\npattern = { type = "any" }\n'
        + 'failure = { type = "rate_limit", retry_after = 3 }\n'
    )
    tmux = TmuxSessionAdapter(tmux_dir / "tmux.sock", tmux_dir / "tmux.conf", pacing=Pacing.fast())
    argv = [sys.executable, "-m", "ojlang.fake_agent", "--scenario", str(scenario), "make a plan"]
    env = {"PYTHONPATH": str(Path(__file__).parents[2]), "OJ_NAME": "auth"}
    tmux.spawn("agent-1", tmux_dir, argv, env, tmux_dir / "agent.log")
    deadline = time.monotonic() + 60  # generous: CI machines are shared

    def wait_for(kind: str) -> None:
        while not any(e["hook_event_name"] == kind for e in hook_log(tmux_dir)):
            assert time.monotonic() < deadline, tmux.capture("agent-1")
            time.sleep(0.05)

    wait_for("Notification")
    tmux.send("agent-1", "Are you still working?")
    while len(captured(tmux_dir)) < 2:
        assert time.monotonic() < deadline, tmux.capture("agent-1")
        time.sleep(0.05)
    while read_screen(tmux.capture("agent-1")).error is None:
        assert time.monotonic() < deadline, tmux.capture("agent-1")
        time.sleep(0.05)
    screen = read_screen(tmux.capture("agent-1"))
    assert (screen.error, screen.retry_after_s) == ("rate_limit", 3.0)
    assert [m["text"] for m in captured(tmux_dir)] == ["make a plan", "Are you still working?"]
    tmux.send("agent-1", "/exit")
    while not tmux.liveness()["agent-1"].dead:
        assert time.monotonic() < deadline, tmux.capture("agent-1")
        time.sleep(0.05)
    assert tmux.liveness()["agent-1"].dead_status == 0
