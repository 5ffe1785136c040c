"""Explanations of the graph and resource codes (OJ5xx): data only."""

from __future__ import annotations

from ojlang.validator.explanations import Explanation

ENTRIES = (
    Explanation(
        code="OJ501",
        trigger=(
            "A phase that no path of edges reaches from the first phase (§6.4). Edges are "
            "`next` (or the following phase when `next` is absent), `on_fail` phase targets "
            "and strategy `on_exhaust` targets. `init` and `blocked` are exempt (OJ503)."
        ),
        why="The phase never runs; usually a `next` skips it by mistake.",
        bad="""\
[pipeline.ci]
phase = [
  { name = "test", run = "make test", next = "done" },
  { name = "lint", run = "make lint" },
]
""",
        good="""\
[pipeline.ci]
phase = [
  { name = "test", run = "make test" },
  { name = "lint", run = "make lint" },
]
""",
        related=("OJ203", "OJ502", "OJ503"),
    ),
    Explanation(
        code="OJ502",
        trigger=(
            "A cycle of phases where none has `max_visits` or a `pre`/`post` guard (§6.4). "
            "It is reported once, at the edge that returns to the earliest phase of the "
            "cycle. A `retry` recovery is bounded and is not part of the graph."
        ),
        why=("A fix/verify loop whose fix never works would run, and spend agent time, forever."),
        bad="""\
[pipeline.fix]
phase = [
  { name = "fix", task = "coder" },
  { name = "verify", run = "make test", on_fail = "fix" },
]

[task.coder]
prompt = "Make `make test` pass."
""",
        good="""\
[pipeline.fix]
phase = [
  { name = "fix", task = "coder", max_visits = 3 },
  { name = "verify", run = "make test", on_fail = "fix" },
]

[task.coder]
prompt = "Make `make test` pass."
""",
        related=("OJ504", "OJ501"),
    ),
    Explanation(
        code="OJ503",
        trigger=(
            "A phase named `init` or `blocked` that no edge reaches. `blocked` is then "
            "entered only through the dependency gate (§6.2), which is often what you want; "
            "the first phase is never reported."
        ),
        why=(
            "Information only: it confirms that the phase is entered through the gate and "
            "not by an edge, and that phases reached from it are not reported as "
            "unreachable. The fixed example expresses the dependency as a `pre` guard "
            "instead."
        ),
        bad="""\
[pipeline.feature]
inputs = ["after"]
phase = [
  { name = "init", run = "git fetch origin", next = "build" },
  { name = "blocked", pre = ["dependency_landed"] },
  { name = "build", run = "make" },
]

[guard.dependency_landed]
condition = "git merge-base --is-ancestor origin/{after} origin/main"
wake_on = ["pipeline:complete@{after}"]
timeout = "24h"
""",
        good="""\
[pipeline.feature]
inputs = ["after"]
phase = [
  { name = "init", run = "git fetch origin" },
  { name = "build", run = "make", pre = ["dependency_landed"] },
]

[guard.dependency_landed]
condition = "git merge-base --is-ancestor origin/{after} origin/main"
wake_on = ["pipeline:complete@{after}"]
timeout = "24h"
""",
        related=("OJ501", "OJ510"),
    ),
    Explanation(
        code="OJ504",
        trigger=(
            "A cycle of phases from which neither `done` nor `failed` can be reached by any "
            "edge. Reported instead of OJ502."
        ),
        why="A run that enters the cycle can only end by escalation or cancellation.",
        bad="""\
[pipeline.watch]
phase = [
  { name = "poll", run = "scripts/poll.sh", next = "wait" },
  { name = "wait", run = "sleep 60", next = "poll" },
]
""",
        good="""\
[pipeline.watch]
phase = [
  { name = "poll", run = "scripts/poll.sh", on_fail = "done", max_visits = 60 },
  { name = "wait", run = "sleep 60", next = "poll" },
]
""",
        related=("OJ502",),
    ),
    Explanation(
        code="OJ505",
        trigger=(
            "A worker whose `concurrency` is larger than the `max` of a semaphore that its "
            "handler's phases use."
        ),
        why=(
            "The extra runs are claimed from the queue only to wait for a slot, holding "
            "their items (and their visibility timeouts) while other workers could take "
            "them."
        ),
        bad="""\
[queue.features]

[worker.shipper]
queue = "features"
handler = "pipeline.feature"
concurrency = 4

[pipeline.feature]
inputs = ["goal"]
phase = [{ name = "implement", task = "coder", semaphore = "agents" }]

[task.coder]
prompt = "Implement: {{ goal }}"

[semaphore.agents]
max = 2
""",
        good="""\
[queue.features]

[worker.shipper]
queue = "features"
handler = "pipeline.feature"
concurrency = 2

[pipeline.feature]
inputs = ["goal"]
phase = [{ name = "implement", task = "coder", semaphore = "agents" }]

[task.coder]
prompt = "Implement: {{ goal }}"

[semaphore.agents]
max = 2
""",
        related=("OJ208", "OJ111"),
    ),
    Explanation(
        code="OJ506",
        trigger=(
            "A lock without `heartbeat` is held over an agent task, directly by the phase or "
            "through a strategy attempt."
        ),
        why=(
            "Agents can run for hours. Without heartbeats a crashed or stuck holder is only "
            "noticed at the lock's `timeout`, if any, and everyone else waits until then."
        ),
        bad="""\
[pipeline.land]
phase = [{ name = "rebase", task = "rebaser", lock = "main_branch" }]

[task.rebaser]
prompt = "Rebase this branch on main and resolve the conflicts."

[lock.main_branch]
timeout = "1h"
""",
        good="""\
[pipeline.land]
phase = [{ name = "rebase", task = "rebaser", lock = "main_branch" }]

[task.rebaser]
prompt = "Rebase this branch on main and resolve the conflicts."

[lock.main_branch]
timeout = "1h"
heartbeat = "30s"
""",
        related=("OJ511",),
    ),
    Explanation(
        code="OJ507",
        trigger=(
            "A phase `timeout` shorter than the `timeout` of the task it runs (30 minutes "
            "when the task does not set one)."
        ),
        why=(
            "The phase would always cut the task off first, so the task's own `timeout` and "
            "`on_timeout` (checkpoint, escalate) never apply."
        ),
        bad="""\
[pipeline.feature]
phase = [{ name = "implement", task = "coder", timeout = "1h" }]

[task.coder]
prompt = "Implement FEATURE.md."
timeout = "3h"
""",
        good="""\
[pipeline.feature]
phase = [{ name = "implement", task = "coder" }]

[task.coder]
prompt = "Implement FEATURE.md."
timeout = "3h"
""",
        related=("OJ401",),
    ),
    Explanation(
        code="OJ508",
        trigger="A cron whose `interval` is shorter than 10 seconds.",
        why=(
            "Ticks that close together load the machine and the daemon; react to events "
            "(`wake_on`) instead of polling that fast."
        ),
        bad="""\
[cron.poll]
interval = "5s"
enabled = true
run = "scripts/poll.sh"
""",
        good="""\
[cron.poll]
interval = "30s"
enabled = true
run = "scripts/poll.sh"
""",
        related=("OJ401", "OJ903"),
    ),
    Explanation(
        code="OJ509",
        trigger=(
            "A guard listed in a phase's `pre` or `post` with neither `timeout` nor "
            "`retry.max`. Guards used only inside `all`/`any`/`not` are bounded by the outer "
            "guard; a `post` guard of a phase holding a lock or slot is OJ511 instead."
        ),
        why=(
            "Information: a guard that never holds keeps its run waiting forever, silently. "
            "Add a limit so that `on_timeout` (escalate by default) tells someone."
        ),
        bad="""\
[pipeline.land]
phase = [{ name = "merge", run = "make merge", pre = ["ci_green"] }]

[guard.ci_green]
condition = "scripts/ci-status.sh | grep -q success"
wake_on = ["ci:finished"]
""",
        good="""\
[pipeline.land]
phase = [{ name = "merge", run = "make merge", pre = ["ci_green"] }]

[guard.ci_green]
condition = "scripts/ci-status.sh | grep -q success"
wake_on = ["ci:finished"]
timeout = "2h"
""",
        related=("OJ511", "OJ411"),
    ),
    Explanation(
        code="OJ510",
        trigger="A phase named `blocked` without `pre` guards.",
        why=(
            "The dependency gate of §6.2 evaluates the `pre` guards of `blocked`; with none "
            "it always opens, so the phase gates nothing."
        ),
        bad="""\
[pipeline.feature]
phase = [
  { name = "init", run = "git fetch origin" },
  { name = "blocked" },
  { name = "build", run = "make" },
]
""",
        good="""\
[pipeline.feature]
phase = [
  { name = "init", run = "git fetch origin" },
  { name = "blocked", pre = ["deps_landed"] },
  { name = "build", run = "make" },
]

[guard.deps_landed]
condition = "test -f .oj/deps-landed"
timeout = "24h"
""",
        related=("OJ503",),
    ),
    Explanation(
        code="OJ511",
        trigger=(
            "A phase that holds a lock or a semaphore slot has a `post` guard without "
            "`timeout` and without `retry.max`."
        ),
        why=(
            "Post guards run while the phase still holds its resources, so a guard that "
            "never holds would keep the lock forever and stall every other run that needs "
            "it."
        ),
        bad="""\
[[pipeline.land.phase]]
name = "push"
run = "git push origin HEAD:main"
lock = "main_branch"
post = ["ci_green"]

[lock.main_branch]
timeout = "30m"

[guard.ci_green]
condition = "scripts/ci-status.sh | grep -q success"
""",
        good="""\
[[pipeline.land.phase]]
name = "push"
run = "git push origin HEAD:main"
lock = "main_branch"
post = ["ci_green"]

[lock.main_branch]
timeout = "30m"

[guard.ci_green]
condition = "scripts/ci-status.sh | grep -q success"
timeout = "20m"
""",
        related=("OJ509", "OJ506"),
    ),
    Explanation(
        code="OJ512",
        trigger="A pipeline whose `phase` array is empty.",
        why="A run of it would have no first phase to start in.",
        bad="""\
[pipeline.ship]
phase = []
""",
        good="""\
[pipeline.ship]
phase = [{ name = "ship", run = "make ship" }]
""",
        related=("OJ104",),
    ),
)
