"""Fake NotifyAdapter and AgentAdapter (RUNTIME.md §8.6): the real decision logic with the
transports swapped for in-memory records — desktop commands and webhook POSTs are recorded,
workspace files live in a dict — so they pass the same contract suites.

Knobs: `desktop_available` (whether a desktop notifier "exists"), `webhook_failures(n)` (the
next n POSTs fail with status 500), `fail_next(method, error)`, `latency(ms)`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from ojlang.runtime.adapters.agent import ClaudeAgentAdapter
from ojlang.runtime.adapters.fake_base import FakeBase
from ojlang.runtime.adapters.interfaces import (
    AgentProfile,
    FileSpec,
    Notification,
    Screen,
    TaskSpec,
)
from ojlang.runtime.adapters.notify import DesktopNotifyAdapter, urgency
from ojlang.runtime.adapters.workspace_files import check_relpath, render


@attrs.frozen
class Post:
    url: str
    body: bytes
    headers: dict[str, str]


class FakeNotifyAdapter(FakeBase):
    def __init__(
        self, *, desktop_available: bool = True, terminal: Callable[[str], None] | None = None
    ) -> None:
        super().__init__()
        self.desktop_available = desktop_available
        self.commands: list[list[str]] = []
        self.posts: list[Post] = []
        self.terminal_lines: list[str] = []
        self._http_failures = 0
        outer = self

        class _Inner(DesktopNotifyAdapter):
            def desktop_argv(self, n: Notification) -> list[str] | None:
                if not outer.desktop_available:
                    return None
                return ["notify-send", "-u", urgency(n.urgency), "-a", "oj", n.title, n.message]

            def _execute(self, argv: list[str]) -> tuple[int, str]:
                outer.commands.append(argv)
                return 0, ""

            def _post(self, url: str, body: bytes, headers: dict[str, str]) -> str | None:
                outer.posts.append(Post(url, body, dict(headers)))
                if outer._http_failures:
                    outer._http_failures -= 1
                    return "status 500"
                return None

        def _terminal(line: str) -> None:
            self.terminal_lines.append(line)
            if terminal is not None:
                terminal(line)

        self._inner = _Inner(
            env={},
            platform=sys.platform,
            terminal=_terminal,
            bell=lambda: None,
            sleep=lambda s: None,
        )

    def webhook_failures(self, n: int) -> None:
        self._http_failures = n

    def notify(self, n: Notification) -> None:
        self._enter("notify", n)
        self._inner.notify(n)


class FakeAgentAdapter(FakeBase):
    """Workspace files in `self.written[(root, relpath)]`; the rest is the real adapter's."""

    def __init__(self, state_dir: Path = Path("/nonexistent/.oj")) -> None:
        super().__init__()
        self._real = ClaudeAgentAdapter(state_dir)
        self.written: dict[tuple[Path, str], str] = {}
        self.hidden: list[tuple[Path, str]] = []

    def profile(self, argv: Sequence[str]) -> AgentProfile:
        return self._real.profile(argv)

    def build_argv(self, command: str, prompt: str, *, task_run: str = "") -> list[str]:
        self._enter("build_argv", command, prompt, task_run=task_run)
        return self._real.build_argv(command, prompt, task_run=task_run)

    def files(self, spec: TaskSpec, context: str) -> list[FileSpec]:
        self._enter("files", spec, context)
        return self._real.files(spec, context)

    def write_files(self, root: Path, files: Sequence[FileSpec]) -> None:
        self._enter("write_files", root, tuple(files))
        for spec in files:
            rel = str(check_relpath(spec.path))
            content, backup = render(spec, self.written.get((root, rel)))
            if backup is not None:
                self.written[(root, rel + ".bak")] = backup
            self.written[(root, rel)] = content
            if spec.skip_worktree:
                self.hidden.append((root, rel))

    def read_screen(self, text: str) -> Screen:
        return self._real.read_screen(text)

    def keys_for(self, answer: str) -> list[str]:
        return self._real.keys_for(answer)
