"""The stdlib `triager` runbook end to end (RUNTIME.md §11.1), its periods shortened to a second
in a project copy: a task failing on a rate limit is routed by action `classify` to
`wait-and-retry`; a failure that is neither a rate limit nor flaky escalates."""

from __future__ import annotations

import time

from e2e_kit import Project, agent, needs_tools
from test_stdlib_build import STDLIB, stop

pytestmark = needs_tools

FAILER = """\
name = "failer"
[config]
startup_ms = 50
idle_notify_ms = 60000

[[responses]]
pattern = { type = "contains", text = "limited" }
steps = [{ shell = "oj done --error 'API error 429: rate limit exceeded'" }]

[[responses]]
pattern = { type = "any" }
steps = [{ shell = "oj done --error 'connection timeout after 30s'" }]
"""


def job(command: str) -> str:
    return f"""
[task.job]
command = "{command}"
prompt = "do the {{{{ kind }}}} part"

[pipeline.job]
inputs = ["kind"]

[[pipeline.job.phase]]
name = "work"
task = "job"
on_fail = "fail"
"""


def short_triager() -> str:
    text = (STDLIB / "triager.toml").read_text()
    for long in ('"1m"', '"30s"', '"5m"'):
        text = text.replace(long, '"1s"')
    return text


def triggered(project: Project, after: int) -> list[str]:
    return [p["action"] for s, n, _, p in project.events() if s > after and n == "action:triggered"]


def wait_for_event(project: Project, name: str, after: int, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(s > after and n == name for s, n, _, _ in project.events()):
            return
        time.sleep(0.5)
    raise AssertionError(f"no `{name}` after seq {after}")


def test_rate_limit_waits_and_retries_others_escalate(project: Project) -> None:
    project.env["OJ_STDLIB_DIR"] = str(STDLIB)
    project.write(".git/info/exclude", ".oj/\nrunbooks/\nscenarios/\n.oj-fake/\n")
    project.runbook("triager", short_triager())
    prompt = (STDLIB / "prompts" / "triager-analyze.md").read_text()
    project.write("runbooks/prompts/triager-analyze.md", prompt)
    project.runbook("job", job(agent(project.scenario("failer", FAILER))))
    try:
        enabled = project.oj("watcher", "enable", "flaky-tasks")
        assert enabled.returncode == 0, enabled.stdout + enabled.stderr
        assert project.oj("pipeline", "start", "job.job", "kind=limited").returncode == 0
        wait_for_event(project, "action:completed", 0)
        assert triggered(project, 0) == ["classify", "wait-and-retry"]
        time.sleep(2)  # past the cooldown of `classify`
        mark = project.events()[-1][0]
        assert project.oj("pipeline", "start", "job.job", "kind=other").returncode == 0
        wait_for_event(project, "escalation:created", mark)
        assert triggered(project, mark) == ["classify"]
    finally:
        stop(project)
