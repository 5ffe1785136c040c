"""A landing strategy in a real git repository (RUNTIME.md §3.8): the fast-forward fails, the
rebase fails and rolls back to the checkpoint, the agent-resolve attempt succeeds."""

from __future__ import annotations

from e2e_kit import Project, agent, needs_tools

pytestmark = needs_tools

RESOLVER = """\
name = "resolver"
[config]
startup_ms = 50
idle_notify_ms = 60000

[[responses]]
pattern = { type = "any" }
text = "Resolving the conflict"
steps = [
  { shell = "git checkout -q feature && (git merge -q main || true)" },
  { shell = "echo resolved > file.txt && git add file.txt && git commit -qm resolve" },
  { shell = "git checkout -q main && git merge -q --ff-only feature" },
  { shell = "oj done" },
]
"""


def runbook(command: str) -> str:
    return f"""
[task.resolver]
command = "{command}"
prompt = "resolve the conflict between feature and main"

[strategy.land]
checkpoint = "git rev-parse HEAD"

[[strategy.land.attempt]]
name = "fast-forward"
run = "git merge --ff-only feature"

[[strategy.land.attempt]]
name = "rebase"
run = "git checkout -q feature && git rebase main"
rollback = '''
git rebase --abort || true
git checkout -q main
git reset -q --hard {{checkpoint}}
git rev-parse HEAD > .git/rollback-head'''

[[strategy.land.attempt]]
name = "agent-resolve"
task = "resolver"

[pipeline.land]

[[pipeline.land.phase]]
name = "land"
strategy = "land"
on_fail = "fail"
"""


def test_ff_fails_rebase_rolls_back_agent_resolves(project: Project) -> None:
    project.git("checkout", "-q", "-b", "feature")
    project.write("file.txt", "feature\n")
    project.git("add", "file.txt")
    project.git("commit", "-qm", "feature change")
    project.git("checkout", "-q", "main")
    project.write("file.txt", "main\n")
    project.git("add", "file.txt")
    project.git("commit", "-qm", "main change")
    checkpoint = project.git("rev-parse", "HEAD")
    project.runbook("land", runbook(agent(project.scenario("resolver", RESOLVER))))
    done = project.oj("run", "land.land", "--wait", "--timeout", "90s")
    assert done.returncode == 0, done.stdout + done.stderr
    events = [(n, p) for _, n, _, p in project.events() if n.startswith("strategy:")]
    failed = [(p["attempt_name"], p["rolling_back"]) for n, p in events if n.endswith("failed")]
    assert failed == [("fast-forward", False), ("rebase", True)]
    rolled = [p["attempt_name"] for n, p in events if n == "strategy:rollback:complete"]
    assert rolled == ["rebase"]
    won = [p["attempt_name"] for n, p in events if n == "strategy:succeeded"]
    assert won == ["agent-resolve"]
    assert (project.root / ".git" / "rollback-head").read_text().strip() == checkpoint
    assert project.git("show", "main:file.txt") == "resolved"
    project.git("merge-base", "--is-ancestor", "feature", "main")
    assert project.git("rev-parse", "--abbrev-ref", "HEAD") == "main"
