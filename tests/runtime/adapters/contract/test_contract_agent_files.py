"""AgentAdapter contract for workspace files (RUNTIME.md §9.2, §8.6): the same tests against the
fake (files in a dict) and the real adapter (files on disk)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import pytest

from ojlang.runtime.adapters.agent import ClaudeAgentAdapter
from ojlang.runtime.adapters.errors import InvalidArgument
from ojlang.runtime.adapters.fake_notify import FakeAgentAdapter
from ojlang.runtime.adapters.interfaces import AgentAdapter, AgentProfile, FileSpec, TaskSpec

CLAUDE = AgentProfile("claude", True)
USER_SETTINGS = {
    "model": "opus",
    "hooks": {
        "Stop": [
            {"hooks": [{"type": "command", "command": "/old/bin/oj hook stop"}]},
            {"hooks": [{"type": "command", "command": "say done"}]},
        ]
    },
    "permissions": {"allow": ["Bash(make:*)"]},
}


class Harness(Protocol):
    adapter: AgentAdapter
    root: Path

    def seed(self, relpath: str, text: str) -> None: ...
    def read(self, relpath: str) -> str | None: ...
    def hidden(self) -> list[str]: ...


class RecordingRepo:
    """Stands in for a RepoAdapter: the real adapter only has to call `hide_file`."""

    def __init__(self) -> None:
        self.hidden: list[str] = []

    def hide_file(self, worktree: Path, relpath: str) -> None:
        self.hidden.append(relpath)


class RealHarness:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = RecordingRepo()
        self.adapter: AgentAdapter = ClaudeAgentAdapter(root / ".oj", repo=self.repo)  # type: ignore[arg-type]

    def seed(self, relpath: str, text: str) -> None:
        (self.root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (self.root / relpath).write_text(text)

    def read(self, relpath: str) -> str | None:
        path = self.root / relpath
        return path.read_text() if path.exists() else None

    def hidden(self) -> list[str]:
        return self.repo.hidden


class FakeHarness:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.fake = FakeAgentAdapter(root / ".oj")
        self.adapter: AgentAdapter = self.fake

    def seed(self, relpath: str, text: str) -> None:
        self.fake.written[(self.root, relpath)] = text

    def read(self, relpath: str) -> str | None:
        return self.fake.written.get((self.root, relpath))

    def hidden(self) -> list[str]:
        return [rel for _, rel in self.fake.hidden]


@pytest.fixture(params=["fake", "real"])
def h(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    return FakeHarness(tmp_path) if request.param == "fake" else RealHarness(tmp_path)


def spec(primary: Path | None = None) -> TaskSpec:
    return TaskSpec("build-auth.plan.1", CLAUDE, "CLAUDE.md", "/abs/bin/oj", primary)


def test_the_context_file_gets_a_marker_block(h: Harness) -> None:
    h.adapter.write_files(h.root, h.adapter.files(spec(), "run build-auth"))
    assert h.read("CLAUDE.md") == "<!-- oj:begin -->\nrun build-auth\n<!-- oj:end -->\n"


def test_an_existing_context_file_keeps_its_text(h: Harness) -> None:
    h.seed("CLAUDE.md", "# Project\n\nRules.\n")
    h.adapter.write_files(h.root, h.adapter.files(spec(), "first"))
    h.adapter.write_files(h.root, h.adapter.files(spec(), "second"))
    assert h.read("CLAUDE.md") == (
        "# Project\n\nRules.\n\n<!-- oj:begin -->\nsecond\n<!-- oj:end -->\n"
    )


def test_hook_settings_replace_old_oj_hooks_and_keep_the_users(h: Harness) -> None:
    h.seed(".claude/settings.local.json", json.dumps(USER_SETTINGS))
    h.adapter.write_files(h.root, h.adapter.files(spec(), "ctx"))
    text = h.read(".claude/settings.local.json")
    assert text is not None
    settings = json.loads(text)
    assert settings["model"] == "opus"
    assert settings["permissions"]["allow"] == ["Bash(make:*)", "Bash(oj:*)"]
    assert settings["hooks"]["Stop"] == [
        {"hooks": [{"type": "command", "command": "say done"}]},
        {"hooks": [{"type": "command", "command": "/abs/bin/oj hook stop"}]},
    ]
    assert settings["hooks"]["PostToolUse"] == [
        {"matcher": "*", "hooks": [{"type": "command", "command": "/abs/bin/oj hook activity"}]}
    ]
    assert set(settings["hooks"]) == {
        "SessionStart",
        "UserPromptSubmit",
        "PostToolUse",
        "Notification",
        "Stop",
    }
    h.adapter.write_files(h.root, h.adapter.files(spec(), "ctx"))
    assert h.read(".claude/settings.local.json") == text


def test_the_primary_checkouts_settings_are_synced_in(h: Harness, tmp_path: Path) -> None:
    primary = tmp_path / "primary"
    (primary / ".claude").mkdir(parents=True)
    (primary / ".claude" / "settings.local.json").write_text('{"theme": "dark"}')
    h.adapter.write_files(h.root, h.adapter.files(spec(primary), "ctx"))
    text = h.read(".claude/settings.local.json")
    assert text is not None and json.loads(text)["theme"] == "dark"


def test_unreadable_settings_are_backed_up(h: Harness) -> None:
    h.seed(".claude/settings.local.json", "{not json")
    h.adapter.write_files(h.root, h.adapter.files(spec(), "ctx"))
    assert h.read(".claude/settings.local.json.bak") == "{not json"
    text = h.read(".claude/settings.local.json")
    assert text is not None and "hooks" in json.loads(text)


def test_generated_files_are_hidden_from_git(h: Harness) -> None:
    h.adapter.write_files(h.root, h.adapter.files(spec(), "ctx"))
    assert h.hidden() == ["CLAUDE.md", ".claude/settings.local.json"]


def test_generic_agents_get_no_hook_settings(h: Harness) -> None:
    plain = TaskSpec("r.p.1", AgentProfile("generic", False), "AGENTS.md")
    h.adapter.write_files(h.root, h.adapter.files(plain, "ctx"))
    assert h.read("AGENTS.md") is not None
    assert h.read(".claude/settings.local.json") is None


@pytest.mark.parametrize("path", ["../escape.md", "/etc/x", "a/../../b", ""])
def test_paths_must_stay_inside_the_workspace(h: Harness, path: str) -> None:
    with pytest.raises(InvalidArgument):
        h.adapter.write_files(h.root, [FileSpec(path, "x")])


def test_plain_files_are_written_as_given(h: Harness) -> None:
    h.adapter.write_files(h.root, [FileSpec("notes/a.txt", "one\n")])
    h.adapter.write_files(h.root, [FileSpec("notes/a.txt", "two\n")])
    assert h.read("notes/a.txt") == "two\n"
