"""Helpers of the daemon tests: a project in a temp directory and a daemon serving it in this
process (fake adapters by default, a real SQLite store), reached through the real socket."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.adapters.interfaces import Adapters
from ojlang.runtime.daemon.lifecycle import Daemon
from ojlang.runtime.engine.settings import EngineSettings

FAST = EngineSettings(
    poll_interval_s=0.05,
    idle_wait_s=0.05,
    probe_confirm_s=0.01,
    shutdown_grace_s=1.0,
    maintenance_interval_s=0.2,
)

QUEUES = """
[queue.jobs]
fields = { n = "string" }
visibility_timeout = "30s"

[queue.once]
max_retries = 0
on_exhaust = "dead"

[worker.jobber]
queue = "jobs"
handler = "pipeline.job"
concurrency = 2
wake_on = ["queue:item:added@jobs"]

[pipeline.job]
inputs = ["n"]

[[pipeline.job.phase]]
name = "one"
run = "echo one {n}"

[pipeline.greet]
inputs = ["who"]

[[pipeline.greet.phase]]
name = "hello"
run = "echo hello {who}"

[pipeline.bad]

[[pipeline.bad.phase]]
name = "boom"
run = "false"

[lock.main_branch]

[semaphore.agents]
max = 2
"""


def write_project(root: Path, runbooks: dict[str, str], config: str = "") -> Path:
    for name, text in runbooks.items():
        path = root / "runbooks" / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if config:
        (root / ".oj").mkdir(parents=True, exist_ok=True)
        (root / ".oj" / "config.toml").write_text(config)
    return root


@contextmanager
def serving(
    root: Path, adapters: Adapters | None = None, settings: EngineSettings = FAST
) -> Iterator[Daemon]:
    daemon = Daemon(root, adapters=adapters or fake_adapters(root), engine_settings=settings)
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


def call(root: Path, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
    from ojlang.client import call as client_call

    return client_call(method, params or {}, root=root, autostart=False, **kw)


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def with_real_shell(root: Path) -> Adapters:
    from ojlang.runtime.adapters.shell import SubprocessShellAdapter

    return attrs.evolve(fake_adapters(root), shell=SubprocessShellAdapter(root / ".oj"))
