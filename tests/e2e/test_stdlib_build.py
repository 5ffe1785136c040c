"""The stdlib `build` and `mergeq` runbooks end to end (RUNTIME.md §11.1), driven as a user
does (docs/operations.md): enable the two workers, `oj run build auth "Add authentication"`,
then poll `oj status` until the run ends. The first build lands by fast-forward; a second one
that conflicts fails its fast-forward and rebase, and the `agent-resolve` attempt lands it."""

from __future__ import annotations

import json
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
  { shell = "test $OJ_BRANCH = build/auth || until git merge-base --is-ancestor build/auth \
main 2>/dev/null; do sleep 0.2; done" },
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


def stdlib_copy(project: Project, name: str, config: dict[str, str]) -> None:
    """A project runbook shadowing stdlib `name` with `[config]` values replaced (and the
    stdlib prompts beside it, where its `prompt_file`s are looked up)."""
    text = (STDLIB / f"{name}.toml").read_text()
    for key, value in config.items():
        start = text.index(f"\n{key} = ") + 1
        end = text.index("\n", start)
        text = text[:start] + f"{key} = {json.dumps(value)}" + text[end:]
    project.runbook(name, text)
    for prompt in (STDLIB / "prompts").iterdir():
        project.write(f"runbooks/prompts/{prompt.name}", prompt.read_text())
    exclude = project.root / ".git" / "info" / "exclude"
    exclude.write_text(exclude.read_text() + "runbooks/\n")


def stop(project: Project) -> None:
    project.oj("daemon", "stop", "--kill-agents", "--timeout", "10s", timeout=60)


def status_of(project: Project, run: str, timeout: float = 100) -> str:
    """Poll `oj status --all` until `run` is terminal; its final state."""
    deadline = time.monotonic() + timeout
    while True:
        shown = project.oj("--json", "status", "--all")
        assert shown.returncode == 0, shown.stdout + shown.stderr
        states = {r["id"]: r["state"] for r in json.loads(shown.stdout)["runs"]}
        if states.get(run) in ("done", "failed", "cancelled"):
            return states[run]
        assert time.monotonic() < deadline, (
            f"{run} is {states.get(run)}\n" + project.oj("status").stdout
        )
        time.sleep(0.5)


def test_two_builds_land_one_by_ff_one_by_agent_resolve(project: Project) -> None:
    use_stdlib(project, AGENT)
    try:
        for worker in ("builds", "mergeq"):
            enabled = project.oj("worker", "enable", worker)
            assert enabled.returncode == 0, enabled.stdout + enabled.stderr
        queued = project.oj("run", "build", "auth", "Add authentication")
        assert queued.returncode == 0, queued.stdout + queued.stderr
        # a second build from the same base writes the same file; its agent commits only once
        # `auth` has landed, so it conflicts with main
        queued = project.oj("run", "build", "login", "Add a login page")
        assert queued.returncode == 0, queued.stdout + queued.stderr

        assert status_of(project, "build-auth") == "done"
        project.git("merge-base", "--is-ancestor", "build/auth", "main")
        events = project.events()
        first = next(seq for seq, n, s, _ in events if (n, s) == ("merge:landed", "build/auth"))
        won = [(seq, p["attempt_name"]) for seq, n, _, p in events if n == "strategy:succeeded"]
        assert won[0][1] == "fast-forward" and won[0][0] < first

        assert status_of(project, "build-login") == "done"
        project.git("merge-base", "--is-ancestor", "build/auth", "main")
        project.git("merge-base", "--is-ancestor", "build/login", "main")
        assert sorted(project.git("show", "main:shared.txt").split()) == ["auth", "login"]
        events = project.events()
        won = [p["attempt_name"] for _, n, _, p in events if n == "strategy:succeeded"]
        assert won == ["fast-forward", "agent-resolve"]
        failed = [p["attempt_name"] for _, n, _, p in events if n == "strategy:attempt:failed"]
        assert failed == ["fast-forward", "rebase"]
        landed = [s for _, n, s, _ in events if n == "merge:landed"]
        assert landed == ["build/auth", "build/login"]
    finally:
        stop(project)
