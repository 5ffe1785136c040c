"""The pure helpers of the adapters: environment sanitising, typing chunks, notification texts,
agent profiles and screens, marker blocks, porcelain parsing, output tails and fake knobs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ojlang.runtime.adapters.agent import ClaudeAgentAdapter, keys_for, profile_of, read_screen
from ojlang.runtime.adapters.environment import overlay, sanitized_env
from ojlang.runtime.adapters.errors import (
    InvalidArgument,
    NotFastForward,
    SessionNotFound,
    SpawnFailed,
    TargetDirty,
    TmuxUnavailable,
)
from ojlang.runtime.adapters.fake_session import FakeSessionAdapter
from ojlang.runtime.adapters.fake_shell import FakeShellAdapter
from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.adapters.git import GitRepoAdapter
from ojlang.runtime.adapters.gitcmd import parse_worktrees
from ojlang.runtime.adapters.interfaces import Notification, Screen
from ojlang.runtime.adapters.notify import (
    DesktopNotifyAdapter,
    osascript_source,
    urgency,
    webhook_body,
)
from ojlang.runtime.adapters.panes import check_name, chunks, output_hash
from ojlang.runtime.adapters.shell import SubprocessShellAdapter, tail
from ojlang.runtime.adapters.tmux import TmuxSessionAdapter
from ojlang.runtime.adapters.workspace_files import (
    hook_settings,
    is_oj_hook,
    merge_marker_block,
)

# -- environment --------------------------------------------------------------------------------


def test_sanitized_env_keeps_the_allow_list_and_passthrough_only() -> None:
    source = {
        "PATH": "/bin",
        "LC_ALL": "C",
        "TZ": "UTC",
        "AWS_SECRET": "x",
        "OJ_RUN": "old",
        "OTTER_PHASE": "old",
        "TMUX": "t",
        "CLAUDECODE": "1",
        "MY_TOKEN": "keep",
    }
    assert sanitized_env(source, ["MY_*", "OJ_RUN", "TMUX"]) == {
        "PATH": "/bin",
        "LC_ALL": "C",
        "TZ": "UTC",
        "MY_TOKEN": "keep",
        "TERM": "xterm-256color",
    }
    assert "CLAUDECODE" in sanitized_env(source, ["CLAUDECODE"], term=False)
    assert "TERM" not in sanitized_env(source, term=False)


def test_overlay_puts_effect_variables_on_top_and_drops_tmux_ones() -> None:
    merged = overlay({"PATH": "/bin", "A": "1"}, {"A": "2", "TMUX_PANE": "%1", "OJ_RUN": "r"})
    assert merged == {"PATH": "/bin", "A": "2", "OJ_RUN": "r"}


# -- panes --------------------------------------------------------------------------------------


def test_chunks_never_split_a_character_or_exceed_the_limit() -> None:
    text = "é" * 300 + "abc"
    pieces = chunks(text, 512)
    assert "".join(pieces) == text
    assert all(len(p.encode()) <= 512 for p in pieces) and len(pieces) == 2
    assert chunks("") == []


def test_session_names_are_checked() -> None:
    assert check_name("build-auth-plan-1-g2") == "build-auth-plan-1-g2"
    with pytest.raises(InvalidArgument, match=r"invalid session name `a\.b`"):
        check_name("a.b")


def test_output_hash_ignores_trailing_blanks() -> None:
    assert output_hash("a  \nb\n\n\n") == output_hash("a\nb")
    assert output_hash("a\nb") != output_hash("a\nc")


# -- notify -------------------------------------------------------------------------------------


def test_osascript_escapes_quotes_and_backslashes_and_adds_a_sound() -> None:
    n = Notification('say "hi"', "a\\b", urgency="critical")
    assert osascript_source(n) == (
        'display notification "a\\\\b" with title "say \\"hi\\"" sound name "default"'
    )
    quiet = Notification("t", "m", urgency="warning")
    assert osascript_source(quiet) == 'display notification "m" with title "t"'
    assert urgency("warning") == "normal" and urgency("info") == "low"


def test_desktop_argv_picks_the_notifier_of_the_platform(tmp_path: Path) -> None:
    for program in ("notify-send", "osascript"):
        (tmp_path / program).write_text("#!/bin/sh\n")
        (tmp_path / program).chmod(0o755)
    n = Notification("t", "m")
    mac = DesktopNotifyAdapter(env={"PATH": str(tmp_path)}, platform="darwin")
    assert mac.desktop_argv(n) == [str(tmp_path / "osascript"), "-e", osascript_source(n)]
    headless = DesktopNotifyAdapter(env={"PATH": str(tmp_path)}, platform="linux")
    assert headless.desktop_argv(n) is None
    bus = DesktopNotifyAdapter(
        env={"PATH": str(tmp_path), "DBUS_SESSION_BUS_ADDRESS": "x"}, platform="linux"
    )
    notify_send = str(tmp_path / "notify-send")
    assert bus.desktop_argv(n) == [notify_send, "-u", "normal", "-a", "oj", "t", "m"]


def test_webhook_body_without_a_time_is_null() -> None:
    assert webhook_body(Notification("t", "m"))["time"] is None


def test_no_desktop_and_no_terminal_is_unavailable() -> None:
    adapter = DesktopNotifyAdapter(env={"PATH": ""}, platform="linux", terminal=None)
    with pytest.raises(Exception, match="no desktop notifier") as info:
        adapter.notify(Notification("t", "m", channels=("desktop",)))
    assert type(info.value).__name__ == "NotifyUnavailable"


# -- agents -------------------------------------------------------------------------------------


def test_profiles_follow_the_program_name() -> None:
    assert profile_of(["/usr/bin/claude", "--model", "x"]).kind == "claude"
    assert not profile_of(["claude", "-p"]).interactive
    assert profile_of(["oj-fake-agent"]).hooks
    assert profile_of(["aider"]).kind == "generic" and not profile_of(["aider"]).hooks


def test_build_argv_appends_the_prompt_or_a_pointer_to_it(tmp_path: Path) -> None:
    adapter = ClaudeAgentAdapter(tmp_path / ".oj")
    assert adapter.build_argv("claude --model 'x y'", "do it") == [
        "claude",
        "--model",
        "x y",
        "do it",
    ]
    long = "x" * (100 * 1024 + 1)
    argv = adapter.build_argv("claude", long, task_run="r.p.1")
    path = tmp_path / ".oj" / "run" / "prompts" / "r.p.1.md"
    assert argv == ["claude", f"Read and follow the task in {path}"]
    assert path.read_text() == long
    with pytest.raises(InvalidArgument):
        adapter.build_argv("claude 'unclosed", "p")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Welcome\n│ > ", Screen(ready=True)),
        ("Do you trust the files in this folder?\n❯ 1. Yes, proceed", Screen(prompt="trust")),
        ("Do you want to make this edit to a.py?\n❯ 1. Yes", Screen(prompt="permission")),
        ("Ready to code?\nWould you like to proceed?", Screen(prompt="plan")),
        ("Select login method:", Screen(prompt="login")),
        ("API Error: 401 authentication_error\n> ", Screen(True, error="auth")),
        ("Credit balance is too low\n> ", Screen(True, error="credits")),
        (
            "API Error: 429 rate_limit_error · Retrying in 7 seconds…\n> ",
            Screen(True, error="rate_limit", retry_after_s=7.0),
        ),
        ("usage limit reached, retry after 2 minutes", Screen(False, None, "rate_limit", 120.0)),
        ("API Error: Connection error.\n> ", Screen(True, error="network")),
        ("API Error: Request timed out.", Screen(error="network", detail="timeout")),
        ("API Error: bad JSON: {oops", Screen(error="network", detail="malformed")),
        ("API Error: Connection error.\n" + "working\n" * 30, Screen()),
    ],
)
def test_read_screen_recognises_claude_screens(text: str, expected: Screen) -> None:
    assert read_screen(text) == expected


def test_answers_map_to_keys() -> None:
    assert keys_for("approve") == ["Enter"] and keys_for("deny") == ["Escape"]
    with pytest.raises(InvalidArgument):
        keys_for("maybe")


# -- workspace files ----------------------------------------------------------------------------


def test_marker_blocks_replace_only_their_lines() -> None:
    text = "top\n<!-- oj:begin -->\nold\n<!-- oj:end -->\nbottom\n"
    assert merge_marker_block(text, "new") == (
        "top\n<!-- oj:begin -->\nnew\n<!-- oj:end -->\nbottom\n"
    )
    assert merge_marker_block("top\n<!-- oj:begin -->\nhalf", "new") == (
        "top\n<!-- oj:begin -->\nnew\n<!-- oj:end -->\n"
    )
    assert merge_marker_block(None, "") == "<!-- oj:begin -->\n<!-- oj:end -->\n"


def test_hook_settings_quote_the_executable_and_are_recognised() -> None:
    settings = hook_settings("/path with space/oj")
    command = settings["hooks"]["Stop"][0]["hooks"][0]["command"]
    assert command == "'/path with space/oj' hook stop"
    assert is_oj_hook(command) and is_oj_hook("oj hook prime")
    assert not is_oj_hook("echo hook stop") and not is_oj_hook(None)
    assert json.loads(json.dumps(settings)) == settings


# -- git porcelain, shell tails -----------------------------------------------------------------


def test_parse_worktrees_reads_porcelain_blocks() -> None:
    text = (
        "worktree /r\nHEAD aaa\nbranch refs/heads/main\n\n"
        "worktree /r/.oj/worktrees/w\nHEAD bbb\ndetached\nlocked reason\nprunable gone\n"
    )
    primary, other = parse_worktrees(text)
    assert (primary.path, primary.head, primary.branch) == (Path("/r"), "aaa", "main")
    assert other.branch is None and other.locked and other.prunable


def test_tails_do_not_start_inside_a_character(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.write_bytes(("é" * 10).encode())
    assert tail(path, 5) == "éé"
    assert tail(path, 100) == "é" * 10
    assert tail(tmp_path / "missing", 5) == ""


# -- real adapters without their tools ----------------------------------------------------------


def test_without_tmux_spawning_fails_and_listings_are_empty(tmp_path: Path) -> None:
    adapter = TmuxSessionAdapter(tmp_path / "s", tmp_path / "c", base_env={"PATH": "/nope"})
    assert adapter.list() == [] and adapter.liveness() == {}
    with pytest.raises(TmuxUnavailable, match="install tmux"):
        adapter.spawn("s1", tmp_path, ["cat"], {}, tmp_path / "s1.log")


def test_a_directory_that_is_no_repository_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="is not a git repository"):
        GitRepoAdapter(tmp_path)


def test_purge_deletes_old_results_only(tmp_path: Path) -> None:
    shell = SubprocessShellAdapter(tmp_path / ".oj")
    shell.wait(shell.start("1.1", "echo hi", tmp_path, {}, 10))
    assert shell.purge(3600) == 0
    assert shell.purge(0) == 1
    assert list((tmp_path / ".oj" / "run" / "shell").iterdir()) == []
    assert shell.recover("1.1") is None


# -- fake knobs ---------------------------------------------------------------------------------


def test_fail_next_latency_and_the_call_log(tmp_path: Path) -> None:
    fake = FakeSessionAdapter(base_env={})
    fake.fail_next("spawn", SpawnFailed("boom"))
    with pytest.raises(SpawnFailed):
        fake.spawn("s", tmp_path, ["cat"], {}, tmp_path / "s.log")
    fake.latency(1)
    info = fake.spawn("s", tmp_path, ["cat"], {}, tmp_path / "s.log")
    fake.set_pane("s", "screen text")
    assert fake.capture("s") == "screen text"
    assert [call.method for call in fake.calls] == ["spawn", "spawn", "capture"]
    assert len(fake.called("spawn")) == 2 and info.pane_pid > 0
    with pytest.raises(SessionNotFound):
        fake.set_pane("nope", "x")


def test_canned_shell_answers(tmp_path: Path) -> None:
    fake = FakeShellAdapter(base_env={})
    fake.on_script("make check", code=2, stdout="FAIL\n")
    result = fake.wait(fake.start("1.1", "cd x && make check", tmp_path, {}, None))
    assert (result.code, result.stdout_tail) == (2, "FAIL\n")
    assert fake.env_of("1.1")["OJ_EFFECT_ID"] == "1.1"


def test_fake_bundle_and_error_kinds(tmp_path: Path) -> None:
    bundle = fake_adapters(tmp_path)
    assert bundle.issue is None and bundle.repo.rev_parse("main")
    assert NotFastForward("x").kind == "not_fast_forward"
    assert TargetDirty("x", "/p").retryable and not SessionNotFound("x").retryable
    assert SpawnFailed("x", retryable=False).retryable is False
