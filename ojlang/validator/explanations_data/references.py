"""Explanations of the reference codes (OJ2xx): data only."""

from __future__ import annotations

from ojlang.validator.explanations import Explanation

_COMMON_REVIEW = """\
[task.review]
prompt = "Review the changes on this branch and list the problems you find."
"""

_COMMON_MERGE = """\
[strategy.merge]

[[strategy.merge.attempt]]
name = "fast-forward"
run = "git merge --ff-only {branch}"
"""

_BUGFIX = """\
[semaphore.agents]
max = 2

[pipeline.bugfix]
phase = [{ name = "fix", task = "fixer", semaphore = "agents" }]

[task.fixer]
prompt = "Make the failing test pass."
"""

_OPS = """\
[command.deploy]
args = "<stage>"
run = "scripts/deploy.sh {stage}"
"""

ENTRIES = (
    Explanation(
        code="OJ201",
        trigger=(
            "A reference to a task, guard, strategy, pipeline, watcher, scanner, action or "
            "function that is not defined where the reference looks (§1.4): the same runbook "
            "for a bare or `kind.name` reference, the named runbook for `runbook.kind.name`."
        ),
        why=(
            "The phase, worker or cron that uses it could never start. The help names a "
            "definition with a similar name when there is one."
        ),
        bad="""\
[pipeline.plan]
phase = [{ name = "plan", task = "plannig" }]

[task.planning]
prompt = "Write PLAN.md, a step-by-step plan for {{ name }}."
""",
        good="""\
[pipeline.plan]
phase = [{ name = "plan", task = "planning" }]

[task.planning]
prompt = "Write PLAN.md, a step-by-step plan for {{ name }}."
""",
        related=("OJ202", "OJ204", "OJ205"),
    ),
    Explanation(
        code="OJ202",
        trigger=(
            "A queue, lock or semaphore that no loaded runbook defines. These resources are "
            "shared by bare name across the project, so a name not defined locally is looked "
            "up in every runbook before this is reported."
        ),
        why=(
            "A phase waiting for a lock nobody defines, or a worker reading a queue that does "
            "not exist, would wait forever."
        ),
        bad="""\
[pipeline.land]
phase = [{ name = "push", run = "git push origin HEAD:main", lock = "main_brnch" }]

[lock.main_branch]
timeout = "10m"
""",
        good="""\
[pipeline.land]
phase = [{ name = "push", run = "git push origin HEAD:main", lock = "main_branch" }]

[lock.main_branch]
timeout = "10m"
""",
        related=("OJ201", "OJ208", "OJ209"),
    ),
    Explanation(
        code="OJ203",
        trigger=(
            "`next`, `on_fail` or a strategy's `on_exhaust` names no phase of the pipeline "
            "(and is not `done`, `failed` or, for `on_fail`, a recovery such as `retry` or "
            "`strategy:NAME`)."
        ),
        why=(
            "The run would have nowhere to go when it follows that edge. Graph checks "
            "(OJ5xx) are skipped for a pipeline with an undefined phase."
        ),
        bad="""\
[pipeline.release]
inputs = ["version"]
phase = [
  { name = "tag", run = "git tag v{version}", next = "publsh" },
  { name = "publish", run = "make publish VERSION={version}" },
]
""",
        good="""\
[pipeline.release]
inputs = ["version"]
phase = [
  { name = "tag", run = "git tag v{version}", next = "publish" },
  { name = "publish", run = "make publish VERSION={version}" },
]
""",
        related=("OJ112", "OJ410", "OJ501"),
    ),
    Explanation(
        code="OJ204",
        trigger=(
            "A reference resolves to a definition of the wrong kind, e.g. `task = "
            '"guard.review"` or `task = "common.guard.review"`: the site needs a task.'
        ),
        why=(
            "A guard cannot be run as an agent task (nor a task used as a guard); the "
            "reference names the wrong thing."
        ),
        bad="""\
[pipeline.review]
phase = [{ name = "review", task = "guard.review" }]

[guard.review]
condition = "test -f REVIEW.md"
timeout = "1h"
""",
        good="""\
[pipeline.review]
phase = [{ name = "review", task = "reviewer", post = ["review"] }]

[task.reviewer]
prompt = "Review the changes on this branch and write REVIEW.md."

[guard.review]
condition = "test -f REVIEW.md"
timeout = "1h"
""",
        related=("OJ201", "OJ206"),
    ),
    Explanation(
        code="OJ205",
        trigger=(
            "A cross-runbook reference `runbook.kind.name` whose first part names no loaded "
            "runbook. A runbook's name is its file stem."
        ),
        why="The reference can never resolve, so whatever uses it can never start.",
        bad="""\
[pipeline.review]
phase = [{ name = "review", task = "comon.task.review" }]
""",
        good="""\
[pipeline.review]
phase = [{ name = "review", task = "common.task.review" }]
""",
        files=(("runbooks/common.toml", _COMMON_REVIEW),),
        related=("OJ201", "OJ206", "OJ107"),
    ),
    Explanation(
        code="OJ206",
        trigger=(
            "A reference that is not one of the three forms of §1.4 (`name`, `kind.name`, "
            "`runbook.kind.name`): a two-part reference whose first part is not a kind word, "
            "four or more parts, or an empty part (`a..b`)."
        ),
        why=(
            "`common.merge` could mean a strategy `merge` in runbook `common` or something "
            "else entirely; ojlang asks you to say which."
        ),
        bad="""\
[pipeline.land]
phase = [{ name = "merge", strategy = "common.merge" }]
""",
        good="""\
[pipeline.land]
phase = [{ name = "merge", strategy = "common.strategy.merge" }]
""",
        files=(("runbooks/common.toml", _COMMON_MERGE),),
        related=("OJ204", "OJ205"),
    ),
    Explanation(
        code="OJ207",
        trigger=(
            "A worker's bare `handler` names both a pipeline and a task of the runbook. The "
            "pipeline is used."
        ),
        why=(
            "Someone reading the worker cannot tell which one runs, and adding a pipeline "
            "with a task's name would silently change what the worker does."
        ),
        bad="""\
[queue.bugs]

[worker.fixer]
queue = "bugs"
handler = "fix"

[pipeline.fix]
inputs = ["title"]
phase = [{ name = "fix", task = "fix" }]

[task.fix]
prompt = "Fix this bug: {{ title }}"
""",
        good="""\
[queue.bugs]

[worker.fixer]
queue = "bugs"
handler = "pipeline.fix"

[pipeline.fix]
inputs = ["title"]
phase = [{ name = "fix", task = "fix" }]

[task.fix]
prompt = "Fix this bug: {{ title }}"
""",
        related=("OJ201", "OJ210"),
    ),
    Explanation(
        code="OJ208",
        trigger=(
            "Two runbooks define a semaphore with the same name but a different `max`, or a "
            "queue with the same name but any field that differs. Queues, locks and "
            "semaphores are one runtime object per name across the project (§1.3)."
        ),
        why=(
            "There is only one `agents` semaphore at run time; it cannot have 2 slots and 4 "
            "slots at once, and which definition wins would depend on load order."
        ),
        bad="""\
[semaphore.agents]
max = 4

[pipeline.feature]
phase = [{ name = "build", task = "builder", semaphore = "agents" }]

[task.builder]
prompt = "Implement the feature described in FEATURE.md."
""",
        good="""\
[semaphore.agents]
max = 2

[pipeline.feature]
phase = [{ name = "build", task = "builder", semaphore = "agents" }]

[task.builder]
prompt = "Implement the feature described in FEATURE.md."
""",
        files=(("runbooks/bugfix.toml", _BUGFIX),),
        related=("OJ202", "OJ505"),
    ),
    Explanation(
        code="OJ209",
        trigger="A scanner with a `queue` source names a queue that no runbook defines.",
        why=(
            "The scanner would scan an empty queue forever and never clean anything. It is a "
            "warning because the queue may be defined in a runbook that is not loaded."
        ),
        bad="""\
[scanner.stale_merges]
source = { type = "queue", name = "merges" }
condition = { type = "stale", threshold = "1d" }
cleanup = { type = "dead_letter" }
interval = "1h"
""",
        good="""\
[queue.merges]
max_retries = 1

[scanner.stale_merges]
source = { type = "queue", name = "merges" }
condition = { type = "stale", threshold = "1d" }
cleanup = { type = "dead_letter" }
interval = "1h"
""",
        related=("OJ202",),
    ),
    Explanation(
        code="OJ210",
        trigger=(
            "The queue declares `fields`, and an input of the worker's handler cannot be "
            "bound by the rules of §5.3: it is not an item field, not the worker's "
            "`item_as`, the handler has more than one input, and it has no default."
        ),
        why=(
            "Every item would fail with `missing input` and use up its retries without doing "
            "any work."
        ),
        bad="""\
[queue.bugs]
fields = { title = "string", url = "string" }

[worker.fixer]
queue = "bugs"
handler = "pipeline.fix"

[pipeline.fix]
inputs = ["bug", "url"]
phase = [{ name = "fix", run = "scripts/fix.sh {url} {bug.title}" }]
""",
        good="""\
[queue.bugs]
fields = { title = "string", url = "string" }

[worker.fixer]
queue = "bugs"
handler = "pipeline.fix"
item_as = "bug"

[pipeline.fix]
inputs = ["bug", "url"]
phase = [{ name = "fix", run = "scripts/fix.sh {url} {bug.title}" }]
""",
        related=("OJ207", "OJ301"),
    ),
    Explanation(
        code="OJ211",
        trigger=(
            "Several loaded runbooks define a command with the same name. `oj run NAME` runs "
            "the first one in discovery order; the others are reachable as "
            "`oj run RUNBOOK.NAME`."
        ),
        why=(
            "`oj run deploy` may not run the command you are editing. This is information, "
            "not an error: rename one of them if that is a surprise."
        ),
        bad="""\
[command.deploy]
args = "<stage>"
run = "make deploy STAGE={stage}"
""",
        good="""\
[command.deploy_web]
args = "<stage>"
run = "make deploy STAGE={stage}"
""",
        files=(("runbooks/ops.toml", _OPS),),
        related=("OJ901",),
    ),
    Explanation(
        code="OJ212",
        trigger=(
            "Guards built from `all`, `any` and `not` refer to each other in a cycle, e.g. "
            '`ready` needs `not_busy`, which is `not = "ready"`.'
        ),
        why="Evaluating any guard on the cycle would never finish.",
        bad="""\
[pipeline.ship]
phase = [{ name = "ship", run = "make ship", pre = ["ready"] }]

[guard.ready]
all = ["tests_green", "not_busy"]
timeout = "1h"

[guard.not_busy]
not = "ready"
timeout = "1h"

[guard.tests_green]
condition = "make test"
timeout = "1h"
""",
        good="""\
[pipeline.ship]
phase = [{ name = "ship", run = "make ship", pre = ["ready"] }]

[guard.ready]
all = ["tests_green", "not_busy"]
timeout = "1h"

[guard.not_busy]
not = "busy"
timeout = "1h"

[guard.busy]
condition = "test -f .oj/busy"
timeout = "1h"

[guard.tests_green]
condition = "make test"
timeout = "1h"
""",
        related=("OJ201", "OJ304"),
    ),
)
