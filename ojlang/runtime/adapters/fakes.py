"""The in-memory fakes of every adapter interface, in one place (RUNTIME.md §8.6).

Each keeps a call log (`calls`, `called(method)`) and the knobs `fail_next(method, error)` and
`latency(ms)`, plus its own: sessions `set_pane`/`print`/`exit_pane`, repositories
`commit`/`make_dirty`/`conflict_on`/`occupy`, shells `on_script`/`lose`/`restart`, notifiers
`desktop_available`/`webhook_failures`. `fake_adapters(root)` bundles them.
"""

from __future__ import annotations

from pathlib import Path

from ojlang.runtime.adapters.fake_base import Call, FakeBase
from ojlang.runtime.adapters.fake_notify import FakeAgentAdapter, FakeNotifyAdapter
from ojlang.runtime.adapters.fake_repo import FakeRepoAdapter
from ojlang.runtime.adapters.fake_session import FakeSessionAdapter
from ojlang.runtime.adapters.fake_shell import FakeShellAdapter
from ojlang.runtime.adapters.interfaces import Adapters

__all__ = [
    "Call",
    "FakeAgentAdapter",
    "FakeBase",
    "FakeNotifyAdapter",
    "FakeRepoAdapter",
    "FakeSessionAdapter",
    "FakeShellAdapter",
    "fake_adapters",
]


def fake_adapters(root: Path) -> Adapters:
    """A bundle of fresh fakes for a project at `root` (its repository starts with `main`)."""
    return Adapters(
        session=FakeSessionAdapter(),
        repo=FakeRepoAdapter(root),
        shell=FakeShellAdapter(),
        notify=FakeNotifyAdapter(),
        agent=FakeAgentAdapter(root / ".oj"),
    )
