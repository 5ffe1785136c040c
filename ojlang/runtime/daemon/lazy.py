"""The daemon's real adapter bundle, built lazily (RUNTIME.md §8, §13 start budget): the project
root and settings in; an `Adapters` whose tmux and git adapters import libtmux and GitPython
only when first used out.

Those two imports cost most of a cold start, and a restart often needs neither: with no tmux
server socket there are no sessions (`list()` is empty, `liveness()` too, exactly what the tmux
adapter answers when its server is not running), and a project without a `.git` at its root
gets the "not a git repository" adapter, as `engine/wiring.py` decides. Construction is guarded
by a lock: adapter calls come from the engine's pool threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ojlang.runtime.adapters.interfaces import Adapters
from ojlang.runtime.engine.settings import EngineSettings


class Lazy:
    """Any adapter, made on first attribute access."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._impl: Any = None
        self._lock = threading.Lock()

    def real(self) -> Any:
        if self._impl is None:
            with self._lock:
                if self._impl is None:
                    self._impl = self._make()
        return self._impl

    @property
    def made(self) -> bool:
        return self._impl is not None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


class LazySession(Lazy):
    """The tmux adapter; without a server socket (and not made yet) there are no sessions."""

    def __init__(self, make: Callable[[], Any], socket: Path) -> None:
        super().__init__(make)
        self._socket = socket

    def _idle(self) -> bool:
        return not self.made and not self._socket.exists()

    def list(self) -> list[Any]:
        return [] if self._idle() else list(self.real().list())

    def liveness(self) -> dict[str, Any]:
        return {} if self._idle() else dict(self.real().liveness())


def lazy_adapters(
    root: Path, state_dir: Path, settings: EngineSettings, *, tmux_socket: Path
) -> Adapters:
    from ojlang.runtime.adapters.agent import ClaudeAgentAdapter
    from ojlang.runtime.adapters.notify import DesktopNotifyAdapter
    from ojlang.runtime.adapters.shell import SubprocessShellAdapter
    from ojlang.runtime.engine.wiring import NoRepoAdapter, log

    passthrough = settings.env_passthrough

    def make_session() -> Any:
        from ojlang.runtime.adapters.tmux import TmuxSessionAdapter

        return TmuxSessionAdapter(
            tmux_socket, state_dir / "run" / "tmux.conf", passthrough=passthrough
        )

    def make_repo() -> Any:
        from ojlang.runtime.adapters.errors import InvalidArgument
        from ojlang.runtime.adapters.git import GitRepoAdapter

        try:
            return GitRepoAdapter(root)
        except InvalidArgument:
            return NoRepoAdapter(root)

    is_repo = (root / ".git").exists()
    repo: Any = Lazy(make_repo) if is_repo else NoRepoAdapter(root)
    session: Any = LazySession(make_session, tmux_socket)
    return Adapters(
        session=session,
        repo=repo,
        shell=SubprocessShellAdapter(state_dir, passthrough=passthrough),
        notify=DesktopNotifyAdapter(terminal=lambda line: log.warning("%s", line)),
        agent=ClaudeAgentAdapter(state_dir, repo=repo if is_repo else None),
    )
