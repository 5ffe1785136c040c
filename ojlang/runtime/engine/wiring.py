"""The real adapter bundle of a project (RUNTIME.md §8): a project root and settings in,
`Adapters` over the private tmux server, the git repository, the shell runner, desktop
notifications and the claude-like agent files out.

A project that is not a git repository gets a repository adapter whose every call fails with
"not a git repository": pipelines without worktrees or git predicates still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from ojlang.runtime.adapters.errors import InvalidArgument
from ojlang.runtime.adapters.interfaces import Adapters
from ojlang.runtime.engine.settings import EngineSettings

log = logging.getLogger("oj.engine")


class NoRepoAdapter:
    """A RepoAdapter for a project outside git: every call fails."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise InvalidArgument(f"`{self.root}` is not a git repository")

    def __getattr__(self, name: str) -> Callable[..., NoReturn]:
        return self._fail


def real_adapters(
    root: Path,
    state_dir: Path,
    settings: EngineSettings,
    *,
    tmux_socket: Path,
    terminal: Callable[[str], None] | None = None,
) -> Adapters:
    from ojlang.runtime.adapters.agent import ClaudeAgentAdapter
    from ojlang.runtime.adapters.notify import DesktopNotifyAdapter
    from ojlang.runtime.adapters.shell import SubprocessShellAdapter
    from ojlang.runtime.adapters.tmux import TmuxSessionAdapter

    repo: Any
    try:
        from ojlang.runtime.adapters.git import GitRepoAdapter

        repo = GitRepoAdapter(root)
    except InvalidArgument:
        repo = NoRepoAdapter(root)
    passthrough = settings.env_passthrough
    session = TmuxSessionAdapter(
        tmux_socket, state_dir / "run" / "tmux.conf", passthrough=passthrough
    )
    shell = SubprocessShellAdapter(state_dir, passthrough=passthrough)
    notify = DesktopNotifyAdapter(terminal=terminal or (lambda line: log.warning("%s", line)))
    agent = ClaudeAgentAdapter(state_dir, repo=None if isinstance(repo, NoRepoAdapter) else repo)
    return Adapters(session=session, repo=repo, shell=shell, notify=notify, agent=agent)
