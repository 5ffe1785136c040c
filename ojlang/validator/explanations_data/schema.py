"""Explanations of the schema codes (OJ1xx): data only."""

from __future__ import annotations

from ojlang.validator.explanations import Explanation

_BUILD = """\
[pipeline.build]
phase = [{ name = "test", run = "make test" }]
"""

ENTRIES = (
    Explanation(
        code="OJ101",
        trigger=(
            "A top-level table other than `command`, `worker`, `cron`, `queue`, `pipeline`, "
            "`task`, `guard`, `strategy`, `lock`, `semaphore`, `watcher`, `scanner`, "
            "`action`, `events`, `notify`, `config`, `functions` and `meta`."
        ),
        why=(
            "ojlang would ignore the table, so whatever it was meant to configure silently "
            "does not happen. Usually it is a typo; free-form settings belong in `[config]`."
        ),
        bad=_BUILD
        + """
[safety]
max_cost = 10
""",
        good=_BUILD
        + """
[config]
max_cost = 10
""",
        related=("OJ102",),
    ),
    Explanation(
        code="OJ102",
        trigger=(
            "A key that the table does not define, e.g. `timout` in a `[task.NAME]` table. "
            "Every table that defines a primitive also accepts `name` and `description`."
        ),
        why=(
            "An unknown key is ignored, so the setting you wrote has no effect: here the task "
            "would keep its default 30 minute timeout."
        ),
        bad="""\
[pipeline.fix]
phase = [{ name = "fix", task = "coder" }]

[task.coder]
prompt = "Make `make test` pass."
timout = "1h"
""",
        good="""\
[pipeline.fix]
phase = [{ name = "fix", task = "coder" }]

[task.coder]
prompt = "Make `make test` pass."
timeout = "1h"
""",
        related=("OJ101", "OJ103"),
    ),
    Explanation(
        code="OJ103",
        trigger=(
            "A value of the wrong TOML type: a number where a duration string is expected, a "
            "string where a list is expected, a command `defaults` value that does not fit its "
            'argument. Durations are always strings; an integer gets the safe fix `"600s"`.'
        ),
        why=(
            "Guessing a unit or a conversion would make the runbook mean something you did "
            "not write; `600` could be seconds or minutes."
        ),
        bad="""\
[cron.sweep]
interval = 600
enabled = true
run = "make clean"
""",
        good="""\
[cron.sweep]
interval = "10m"
enabled = true
run = "make clean"
""",
        related=("OJ102", "OJ401"),
    ),
    Explanation(
        code="OJ104",
        trigger=(
            "A required field is absent: `interval` of a cron or scanner, `check_interval` of "
            "a watcher, `queue` and `handler` of a worker, `cooldown` of an action, `phase` of "
            "a pipeline, `attempt` of a strategy, `name` of a phase or attempt."
        ),
        why=(
            "There is no sensible default for these fields, so the primitive cannot run "
            "without them."
        ),
        bad="""\
[cron.sweep]
enabled = true
run = "make clean"
""",
        good="""\
[cron.sweep]
interval = "10m"
enabled = true
run = "make clean"
""",
        related=("OJ103", "OJ512"),
    ),
    Explanation(
        code="OJ105",
        trigger="Two phases of one pipeline, or two attempts of one strategy, share a name.",
        why=(
            "`next`, `on_fail` and `on_exhaust` refer to phases by name, and runs report the "
            "phase they are in by name; two phases with one name make both ambiguous."
        ),
        bad="""\
[pipeline.ship]
phase = [
  { name = "verify", run = "make lint" },
  { name = "verify", run = "make test" },
]
""",
        good="""\
[pipeline.ship]
phase = [
  { name = "lint", run = "make lint" },
  { name = "test", run = "make test" },
]
""",
        related=("OJ002", "OJ106"),
    ),
    Explanation(
        code="OJ106",
        trigger=(
            "A name outside the grammar of LANGUAGE.md §1.2. Primitive, phase and attempt "
            "names match `[A-Za-z_][A-Za-z0-9_-]{0,63}` (no `.`, which separates the parts of "
            "a reference); variable names match `[A-Za-z_][A-Za-z0-9_]*` (no `-`, because "
            "`{a-b}` is not an interpolation)."
        ),
        why=(
            "A name with a `.` cannot be referred to, and a variable with a `-` cannot be "
            "interpolated; the definition would be unusable."
        ),
        bad="""\
[pipeline.release]
phase = [
  { name = "build", run = "make dist" },
  { name = "upload.pypi", run = "make upload" },
]
""",
        good="""\
[pipeline.release]
phase = [
  { name = "build", run = "make dist" },
  { name = "upload_pypi", run = "make upload" },
]
""",
        related=("OJ107", "OJ113", "OJ305"),
    ),
    Explanation(
        code="OJ107",
        trigger=(
            "A runbook's name is its file stem, and the stem is not a valid name (§1.2): "
            "`runbooks/deploy.v2.toml` would be runbook `deploy.v2`. The file is skipped."
        ),
        why=(
            "Cross-runbook references such as `deploy.v2.task.x` could not be parsed, so the "
            "file is not loaded at all: none of its definitions exist."
        ),
        bad="""\
[pipeline.deploy]
phase = [{ name = "deploy", run = "make deploy" }]
""",
        good="""\
[pipeline.deploy]
phase = [{ name = "deploy", run = "make deploy" }]
""",
        path="runbooks/deploy.v2.toml",
        good_path="runbooks/deploy_v2.toml",
        related=("OJ106", "OJ205"),
    ),
    Explanation(
        code="OJ108",
        trigger=(
            "A value outside a fixed set: a source, condition or cleanup `type`, a task "
            "`heartbeat`, a notification `urgency`, a `group_policy`, a queue field type."
        ),
        why=(
            "These words select behaviour; an unknown one has no meaning, and a misspelling "
            "would otherwise fall back to a default you did not ask for."
        ),
        bad="""\
[watcher.idle_agents]
source = { type = "sesion", pattern = "fix-*" }
check_interval = "5m"
response = ["nudge", "escalate"]
""",
        good="""\
[watcher.idle_agents]
source = { type = "session", pattern = "fix-*" }
check_interval = "5m"
response = ["nudge", "escalate"]
""",
        related=("OJ102", "OJ114", "OJ407"),
    ),
    Explanation(
        code="OJ109",
        trigger=(
            "A phase without exactly one of `run`, `task` and `strategy` (phases named "
            "`init`, `blocked`, `done` and `failed` may have none); a strategy attempt "
            "without exactly one of `run` and `task`; a guard without exactly one of "
            "`condition`, `all`, `any` and `not`."
        ),
        why=(
            "A phase does one thing; with two actions it is unclear which runs and which "
            "result decides the next phase. Split the work into two phases."
        ),
        bad="""\
[pipeline.ship]
phase = [{ name = "build", run = "make", task = "coder" }]

[task.coder]
prompt = "Fix the build."
""",
        good="""\
[pipeline.ship]
phase = [
  { name = "fix", task = "coder" },
  { name = "build", run = "make" },
]

[task.coder]
prompt = "Fix the build."
""",
        related=("OJ110",),
    ),
    Explanation(
        code="OJ110",
        trigger=(
            "Fields that exclude each other are both set: two bodies of an action (`command` "
            "and `run` are one field with two spellings; `task`; `rules`), `prompt` and "
            '`prompt_file` on a task, `else = "WORD"` together with `then` in a rule, or '
            "`if` together with `else` in a rule."
        ),
        why=("Only one of them could take effect, and ojlang will not guess which one you meant."),
        bad="""\
[watcher.idle_agents]
check_interval = "5m"
response = [{ action = "page" }]

[action.page]
cooldown = "30m"
command = "notify"
run = "notify"
args = { message = "an agent has been idle for 5 minutes" }
""",
        good="""\
[watcher.idle_agents]
check_interval = "5m"
response = [{ action = "page" }]

[action.page]
cooldown = "30m"
command = "notify"
args = { message = "an agent has been idle for 5 minutes" }
""",
        related=("OJ109", "OJ115"),
    ),
    Explanation(
        code="OJ111",
        trigger=(
            "An integer outside its range. Counts (`concurrency`, `max`, `max_visits`, "
            "`retry.max`, …) must be at least 1; `max_retries` may be 0."
        ),
        why=(
            "A worker with `concurrency = 0` never claims an item and a semaphore with "
            "`max = 0` never grants a slot: the runbook would hang without an error."
        ),
        bad="""\
[queue.bugs]

[worker.fixer]
queue = "bugs"
handler = "fix"
concurrency = 0

[pipeline.fix]
inputs = ["title"]
phase = [{ name = "fix", run = "scripts/fix.sh {title}" }]
""",
        good="""\
[queue.bugs]

[worker.fixer]
queue = "bugs"
handler = "fix"
concurrency = 2

[pipeline.fix]
inputs = ["title"]
phase = [{ name = "fix", run = "scripts/fix.sh {title}" }]
""",
        related=("OJ408", "OJ505"),
    ),
    Explanation(
        code="OJ112",
        trigger=(
            "An edge out of a terminal phase: `next` on a phase named `done` or `failed`, or "
            "`on_fail` on a phase named `failed`."
        ),
        why=(
            "The run ends right after these phases (`done` ends it done, `failed` ends it "
            "failed whatever happens), so the edge would never be followed."
        ),
        bad="""\
[pipeline.ship]
phase = [
  { name = "build", run = "make", next = "done", on_fail = "failed" },
  { name = "failed", run = "scripts/report-failure.sh", on_fail = "escalate" },
]
""",
        good="""\
[pipeline.ship]
phase = [
  { name = "build", run = "make", next = "done", on_fail = "failed" },
  { name = "failed", run = "scripts/report-failure.sh" },
]
""",
        related=("OJ203", "OJ501"),
    ),
    Explanation(
        code="OJ113",
        trigger=(
            "A phase named `escalate`, `fail`, `retry` or `strategy`, or a `[functions]` "
            "entry named like a builtin function of expressions (`len`, `now`, `age`, "
            "`matches`, …)."
        ),
        why=(
            "These words already mean something in `on_fail` and expressions: "
            '`on_fail = "retry"` re-enters the failed phase, it never goes to a phase named '
            "`retry`; a function named `len` would silently replace the builtin."
        ),
        bad="""\
[pipeline.ci]
phase = [
  { name = "test", run = "make test" },
  { name = "retry", run = "make clean test" },
]
""",
        good="""\
[pipeline.ci]
phase = [
  { name = "test", run = "make test" },
  { name = "clean_test", run = "make clean test" },
]
""",
        related=("OJ106", "OJ305", "OJ410"),
    ),
    Explanation(
        code="OJ114",
        trigger=(
            "A watcher or scanner `condition` or `cleanup` type that does not fit its source "
            "type, e.g. `exceeds` (which reads a record's `count`) on `session` records, or "
            "`dead_letter` on locks. LANGUAGE.md §3.11 and §3.12 list the valid pairs."
        ),
        why=(
            "The condition would read fields the records never have, so it could never be "
            "met (or the cleanup never apply)."
        ),
        bad="""\
[watcher.chatty]
source = { type = "session", pattern = "fix-*" }
condition = { type = "exceeds", count = 10 }
check_interval = "5m"
response = ["notify"]
""",
        good="""\
[watcher.chatty]
source = { type = "session", pattern = "fix-*" }
condition = { type = "idle", threshold = "30m" }
check_interval = "5m"
response = ["notify"]
""",
        related=("OJ108",),
    ),
    Explanation(
        code="OJ115",
        trigger=(
            "A rule of an action follows a rule that always matches: one with `else = true`, "
            '`else = "WORD"`, or neither `if` nor `else`. Rules are tried in order and the '
            "first match wins."
        ),
        why="The later rule can never be chosen, which is almost never what you meant.",
        bad="""\
[watcher.failing_runs]
source = { type = "pipelines", pattern = "ship-*" }
condition = { type = "matches", pattern = "error" }
check_interval = "10m"
response = [{ action = "triage" }]

[action.triage]
cooldown = "10m"
rules = [
  { if = "attempt < 3", then = "retry" },
  { else = "escalate" },
  { if = "'flaky' in error", then = "retry" },
]
""",
        good="""\
[watcher.failing_runs]
source = { type = "pipelines", pattern = "ship-*" }
condition = { type = "matches", pattern = "error" }
check_interval = "10m"
response = [{ action = "triage" }]

[action.triage]
cooldown = "10m"
rules = [
  { if = "attempt < 3", then = "retry" },
  { if = "'flaky' in error", then = "retry" },
  { else = "escalate" },
]
""",
        related=("OJ110", "OJ409"),
    ),
    Explanation(
        code="OJ116",
        trigger=(
            "A built-in action operation (`command` or `run` exactly `notify`, `escalate`, "
            "`send_to_session`, `restart_session`, `enable_cron` or `disable_cron`) with an "
            "argument it does not take, or without one it needs: `notify` and "
            "`send_to_session` need `message`, `enable_cron` and `disable_cron` need "
            "`pattern`."
        ),
        why="The operation would fail every time it fires, usually when you need it most.",
        bad="""\
[watcher.idle_agents]
check_interval = "5m"
response = [{ action = "page" }]

[action.page]
cooldown = "30m"
command = "notify"
args = { title = "agent idle" }
""",
        good="""\
[watcher.idle_agents]
check_interval = "5m"
response = [{ action = "page" }]

[action.page]
cooldown = "30m"
command = "notify"
args = { title = "agent idle", message = "session {session} needs a look" }
""",
        related=("OJ102", "OJ904"),
    ),
)
