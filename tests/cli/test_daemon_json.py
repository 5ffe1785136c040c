"""`--json` of `oj status` and of every list command (RUNTIME.md §10): each output is one object
with `"schema": "oj.<kind>/1"`; field names are stable, so they are pinned by snapshots. The
commands run in this process against a daemon serving a temp project (fake adapters); times,
pids, sizes and paths are normalized."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.cli import common
from ojlang.cli.main import main
from ojlang.runtime.adapters.fakes import fake_adapters
from ojlang.runtime.daemon.lifecycle import Daemon
from ojlang.runtime.engine.settings import EngineSettings

RUNBOOK = """
[queue.jobs]
fields = { n = "string" }

[queue.once]
max_retries = 0

[worker.jobber]
queue = "jobs"
handler = "pipeline.job"
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

[cron.sweep]
interval = "1h"
run = "true"

[watcher.stalled]
source = { type = "pipelines", pattern = "job-*" }
condition = { type = "idle", threshold = "2h" }
check_interval = "10m"
response = ["notify"]
enabled = false

[scanner.stale_locks]
source = { type = "locks" }
condition = { type = "stale", threshold = "1h" }
interval = "1h"
enabled = false
"""
FAST = EngineSettings(poll_interval_s=0.05, idle_wait_s=0.05, shutdown_grace_s=1.0)
US = re.compile(r"_us$")
VOLATILE = {"pid", "uptime_s", "rss_bytes", "bytes", "duration_s", "nofile"}


def run_oj(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    common.FLAGS.update(json=False, quiet=False, verbose=False, no_color=False)
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out, out.err


def normalize(value: Any, root: str, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: normalize(v, root, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v, root, key) for v in value]
    if value is not None and (US.search(key) or key in VOLATILE):
        return f"<{key}>"
    if isinstance(value, str):
        if key in ("socket", "tmux_socket"):
            return f"<{key}>"
        return value.replace(root, "<root>")
    return value


def wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project whose daemon holds one of everything, built once for the module."""
    mp = pytest.MonkeyPatch()
    mp.setenv("OJ_STDLIB_DIR", "")
    mp.setenv("OJ_MACHINE_ID", "cli-json")
    mp.setenv("OJ_NO_AUTOSTART", "1")
    mp.setenv("USER", "tester")
    mp.delenv("OJ_STATE_DIR", raising=False)
    root = tmp_path_factory.mktemp("cli") / "proj"
    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "demo.toml").write_text(RUNBOOK)
    daemon = Daemon(root, adapters=fake_adapters(root), engine_settings=FAST).start()
    from ojlang.client import call

    def ask(method: str, params: dict[str, Any]) -> Any:
        answer = call(method, params, root=root, autostart=False)
        assert daemon.engine.quiet(10.0)  # every effect's result lands: op order is fixed
        return answer

    world = lambda: daemon.engine.world  # noqa: E731
    try:
        ask("worker.disable", {"worker": "jobber"})
        ask("queue.add", {"queue": "jobs", "data": {"n": "1"}, "priority": 2})
        ask("queue.add", {"queue": "once", "data": {"k": "v"}})
        claim = ask("queue.claim", {"queue": "once", "holder": "me"})["claim"]
        ask("queue.fail", {"claim": claim, "reason": "broken"})
        done = ask("pipeline.start", {"pipeline": "greet", "vars": {"who": "x"}})["run"]
        wait(lambda: world().runs[done].state == "done")
        bad = ask("pipeline.start", {"pipeline": "bad"})["run"]
        wait(lambda: world().runs[bad].state == "escalated")
        ask("lock.acquire", {"lock": "main_branch", "holder": "alice"})
        ask("semaphore.acquire", {"semaphore": "agents", "holder": "bob"})
        ask("emit", {"name": "deploy:done", "subject": "web", "payload": {"sha": "abc"}})
        mp.chdir(root)
        yield root
    finally:
        daemon.stop()
        mp.undo()


LISTS = [
    ("status",),
    ("status", "--all"),
    ("pipeline", "list", "--all"),
    ("queue", "list"),
    ("queue", "show", "jobs"),
    ("queue", "dead", "once"),
    ("worker", "list"),
    ("cron", "list"),
    ("watcher", "list"),
    ("scanner", "list"),
    ("lock", "list"),
    ("semaphore", "list"),
    ("session", "list", "--all"),
    ("workspace", "list", "--all"),
    ("escalation", "list", "--all"),
    ("events", "tail", "deploy:*", "-n", "5"),
    ("daemon", "status"),
]


@pytest.mark.parametrize("argv", LISTS, ids=[" ".join(a) for a in LISTS])
def test_json_output(
    argv: tuple[str, ...],
    project: Path,
    capsys: pytest.CaptureFixture[str],
    snapshot: SnapshotAssertion,
) -> None:
    code, out, err = run_oj(capsys, *argv, "--json")
    assert code == 0, out + err
    lines = out.splitlines()
    assert len(lines) == 1, out
    doc = json.loads(lines[0])
    assert re.fullmatch(r"oj\.[a-z_]+/1", doc["schema"])
    assert normalize(doc, os.path.realpath(project)) == snapshot


def test_the_global_json_flag_works_before_the_command(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_oj(capsys, "--json", "queue", "list")
    assert code == 0
    assert json.loads(out)["schema"] == "oj.queues/1"


def test_unknown_ids_exit_5_with_a_close_match(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_oj(capsys, "queue", "show", "jbos")
    assert code == 5
    assert err == "error: no queue `jbos`\n  help: a queue with a similar id exists: `jobs`\n"
    code, _, err = run_oj(capsys, "pipeline", "show", "nope-run")
    assert code == 5 and err.startswith("error: no run `nope-run`")


def test_human_tables_show_the_same_facts(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_oj(capsys, "status")
    assert code == 0
    assert "escalation esc-" in out and "bad" in out
    assert "main_branch  cli:alice" in out
    assert re.search(r"agents\s+1/2\s+cli:bob", out)
    code, out, _ = run_oj(capsys, "queue", "list")
    assert re.search(r"once\s+0\s+0\s+0\s+1", out)
