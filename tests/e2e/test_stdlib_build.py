"""The stdlib `build` and `mergeq` runbooks end to end (RUNTIME.md §11.1): two builds run by the
daemon with the scripted fake agent; the first lands by fast-forward, the second conflicts,
its rebase fails and the `agent-resolve` attempt lands it."""

from __future__ import annotations

import time
from pathlib import Path

from e2e_kit import BIN, Project, needs_tools

pytestmark = needs_tools

STDLIB = Path(__file__).resolve().parents[2] / "stdlib_runbooks"

AGENT = """\
name = "stdlib-build"
[config]
startup_ms = 50
idle_notify_ms = 60000
typing_ms = 1

[[responses]]
pattern = { type = "contains", text = "You are planning" }
steps = [
  { shell = "n=${OJ_BRANCH#*/}; mkdir -p plans && echo \\"# plan $n\\" > plans/$n.md" },
  { shell = "git add plans && git commit -qm plan" },
  { shell = "oj done" },
]

[[responses]]
pattern = { type = "contains", text = "into small tasks" }
steps = [
  { shell = "n=${OJ_BRANCH#*/}; echo '- one task' > plans/$n.tasks.md" },
  { shell = "git add plans && git commit -qm tasks" },
  { shell = "oj done" },
]

[[responses]]
pattern = { type = "contains", text = "Carry out the tasks" }
steps = [
  { shell = "echo ${OJ_BRANCH#*/} > shared.txt && git add shared.txt && git commit -qm work" },
  { shell = "oj done" },
]

[[responses]]
pattern = { type = "contains", text = "a fast-forward and a rebase both failed" }
steps = [
  { shell = "git rebase -q main || { echo auth login > shared.txt; git add shared.txt; }" },
  { shell = "GIT_EDITOR=true git rebase --continue || true" },
  { shell = "b=$(git rev-parse --abbrev-ref HEAD); oj workspace merge --branch $b --into main" },
  { shell = "oj done" },
]

[[responses]]
pattern = { type = "any" }
steps = [{ shell = "oj done --error 'unexpected prompt'" }]
"""


def use_stdlib(project: Project, scenario: str) -> None:
    """Load the bundled runbooks and make `claude` the fake agent with `scenario`."""
    path = project.scenario("agent", scenario)
    shim = project.root.parent / "bin" / "claude"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(f'#!/bin/sh\nexec "{BIN}/oj-fake-agent" --scenario "{path}" "$@"\n')
    shim.chmod(0o755)
    project.env["OJ_STDLIB_DIR"] = str(STDLIB)
    project.env["PATH"] = f"{shim.parent}:{project.env['PATH']}"
    project.write(".git/info/exclude", ".oj/\nscenarios/\n.oj-fake/\n")


def stop(project: Project) -> None:
    project.oj("daemon", "stop", "--kill-agents", "--timeout", "10s", timeout=60)


def wait_for(project: Project, run: str, timeout: str = "100s") -> None:
    done = project.oj("pipeline", "wait", run, "--timeout", timeout, timeout=150)
    if done.returncode != 0:
        status = project.oj("status").stdout
        raise AssertionError(f"{run} did not end done: {done.stdout}{done.stderr}\n{status}")


def test_two_builds_land_one_by_ff_one_by_agent_resolve(project: Project) -> None:
    use_stdlib(project, AGENT)
    try:
        for worker in ("builds", "mergeq"):
            enabled = project.oj("worker", "enable", worker)
            assert enabled.returncode == 0, enabled.stdout + enabled.stderr
        for name, prompt in (("auth", "Add authentication"), ("login", "Add a login page")):
            queued = project.oj("run", "build", name, prompt)
            assert queued.returncode == 0, queued.stdout + queued.stderr
        wait_for(project, "build-auth")
        wait_for(project, "build-login")
        time.sleep(0.5)
        for branch in ("build/auth", "build/login"):
            project.git("merge-base", "--is-ancestor", branch, "main")
        assert sorted(project.git("show", "main:shared.txt").split()) == ["auth", "login"]
        events = project.events()
        won = sorted(p["attempt_name"] for _, n, _, p in events if n == "strategy:succeeded")
        assert won == ["agent-resolve", "fast-forward"]
        failed = [p["attempt_name"] for _, n, _, p in events if n == "strategy:attempt:failed"]
        assert failed == ["fast-forward", "rebase"]
        names = [n for _, n, _, _ in project.events()]
        assert names.count("merge:landed") == 2
    finally:
        stop(project)
