"""Explanations of the mini-language syntax codes (OJ4xx): data only."""

from __future__ import annotations

from ojlang.validator.explanations import Explanation


def _coder(on_stuck: str) -> str:
    return f"""\
[pipeline.fix]
phase = [{{ name = "fix", task = "coder" }}]

[task.coder]
prompt = "Make `make test` pass."
on_stuck = {on_stuck}
"""


def _ci_guard(condition_extra: str) -> str:
    return f"""\
[pipeline.land]
phase = [{{ name = "merge", run = "make merge", pre = ["ci_green"] }}]

[guard.ci_green]
condition = "scripts/ci-status.sh | grep -q success"
timeout = "2h"
{condition_extra}"""


def _queue(line: str) -> str:
    return f"""\
[queue.bugs]
{line}
"""


ENTRIES = (
    Explanation(
        code="OJ401",
        trigger=(
            'A duration that is not in the grammar of §4.3: no unit (`"90"`), an unknown '
            'unit (`"5 minuts"`), units out of order or repeated (`"30s1m"`), a fraction '
            '(`"1.5h"`), months (`"1M"`). Zero (`"0s"`) is allowed only for `delay`, '
            "`response.delay` and the delay of `retry:N:DUR`."
        ),
        why=(
            "ojlang will not guess what a malformed duration means; a timer that never "
            "fires or fires constantly is worse than an error."
        ),
        bad="""\
[cron.poll]
interval = "5 minuts"
enabled = true
run = "scripts/poll.sh"
""",
        good="""\
[cron.poll]
interval = "5 minutes"
enabled = true
run = "scripts/poll.sh"
""",
        related=("OJ103", "OJ410", "OJ508"),
    ),
    Explanation(
        code="OJ402",
        trigger=(
            "A command's `args` spec does not parse (§4.4): an unclosed `<name` or `[name`, "
            "an empty name (`--x <>`), an option without a value name in brackets."
        ),
        why="`oj run` could not bind any argument of the command.",
        bad="""\
[command.greet]
args = "<name [--loud]"
run = "scripts/greet.sh {name} {loud}"
""",
        good="""\
[command.greet]
args = "<name> [--loud]"
run = "scripts/greet.sh {name} {loud}"
""",
        related=("OJ404", "OJ405"),
    ),
    Explanation(
        code="OJ403",
        trigger="A command argument that no template of the command's `run` reads.",
        why=(
            "Users pass it and nothing happens, or `run` uses a misspelled name and fails at "
            "run time."
        ),
        bad="""\
[command.deploy]
args = "<stage> [--force]"
run = "scripts/deploy.sh {stage}"
""",
        good="""\
[command.deploy]
args = "<stage> [--force]"
run = "scripts/deploy.sh {stage} --force={force}"
""",
        related=("OJ303", "OJ406"),
    ),
    Explanation(
        code="OJ404",
        trigger=(
            "An argument spec that parses but breaks a rule of §4.4: two items with the same "
            "name (after `-` becomes `_`), a required positional after an optional or "
            "variadic one, more than one variadic positional or one that is not last, a "
            "short name used twice, or `-h`/`--help`, which are reserved."
        ),
        why=(
            "`oj run` could not tell which word fills which argument, or the command could "
            "never be called."
        ),
        bad="""\
[command.deploy]
args = "<stage> [targets...] <region>"
run = "scripts/deploy.sh {stage} {region} {targets}"
""",
        good="""\
[command.deploy]
args = "<stage> <region> [targets...]"
run = "scripts/deploy.sh {stage} {region} {targets}"
""",
        related=("OJ402", "OJ405"),
    ),
    Explanation(
        code="OJ405",
        trigger=(
            "`aliases` or `defaults` that do not fit the argument spec: an alias key that is "
            "not one letter, an alias to an option the spec does not define or to a short "
            "name the spec already uses, a default for an argument the spec does not have."
        ),
        why=(
            "`-f` would be accepted and then fail to bind, or a default would silently "
            "apply to nothing."
        ),
        bad="""\
[command.deploy]
args = "<stage> [--tag <version>]"
aliases = { t = "tag", f = "force" }
run = "scripts/deploy.sh {stage} --tag={tag}"
""",
        good="""\
[command.deploy]
args = "<stage> [--tag <version>] [--force]"
aliases = { t = "tag", f = "force" }
run = "scripts/deploy.sh {stage} --tag={tag} --force={force}"
""",
        related=("OJ404", "OJ406"),
    ),
    Explanation(
        code="OJ406",
        trigger="A command `defaults` entry for a required argument.",
        why=(
            "A required argument must always be given, so its default is never used; you "
            "probably meant the argument to be optional."
        ),
        bad="""\
[command.greet]
args = "<name>"
defaults = { name = "world" }
run = "echo hello {name}"
""",
        good="""\
[command.greet]
args = "[name]"
defaults = { name = "world" }
run = "echo hello {name}"
""",
        related=("OJ403", "OJ405"),
    ),
    Explanation(
        code="OJ407",
        trigger=(
            "A word of a recovery or action chain that is not valid where it is used "
            "(§4.5): a misspelling such as `restrat`, a word the context does not allow "
            "(`release` in `on_stuck`), a malformed count (`nudge:often`), or a count "
            "outside a ladder (`restart:3` in `on_unhealthy`: only ladders use a step N times)."
        ),
        why=(
            "The chain decides what happens when an agent is stuck or a lock goes stale; an "
            "invalid step would leave the run without recovery."
        ),
        bad=_coder('["nudge", "restrat", "escalate"]'),
        good=_coder('["nudge", "restart", "escalate"]'),
        related=("OJ408", "OJ409", "OJ410"),
    ),
    Explanation(
        code="OJ408",
        trigger=(
            "A count outside 1 to 99: `restart:0` in a chain, `retry:0` or `retry:100` in "
            "`on_fail`."
        ),
        why=(
            "A step used zero times never runs, and very large counts mean a stuck run is "
            "retried for days."
        ),
        bad=_coder('["nudge:3", "restart:0", "escalate"]'),
        good=_coder('["nudge:3", "restart:1", "escalate"]'),
        related=("OJ407", "OJ111"),
    ),
    Explanation(
        code="OJ409",
        trigger=(
            "Steps after a chain-ending word: `escalate`, `fail`, `requeue`, `dead` and "
            "`abandon` end a ladder, so nothing after them runs."
        ),
        why="The steps after the end look like recovery but never happen.",
        bad=_coder('["nudge", "escalate", "restart"]'),
        good=_coder('["nudge", "restart", "escalate"]'),
        related=("OJ407", "OJ115"),
    ),
    Explanation(
        code="OJ410",
        trigger=(
            "A malformed `on_fail` recovery: `retry` with a count that is not a number or a "
            "delay that is not a duration (`retry:3:5` lacks a unit), or `strategy:` without "
            "a valid reference. Other words that name no phase are OJ203."
        ),
        why="The phase would have no usable recovery when it fails.",
        bad="""\
[pipeline.ci]
phase = [{ name = "test", run = "make test", on_fail = "retry:3:5" }]
""",
        good="""\
[pipeline.ci]
phase = [{ name = "test", run = "make test", on_fail = "retry:3:5s" }]
""",
        related=("OJ203", "OJ401", "OJ408"),
    ),
    Explanation(
        code="OJ411",
        trigger=(
            "A guard's `on_timeout` is one word but not `escalate`, `fail` or `wait`. Any "
            "other string is a shell script run before the phase fails, so a misspelled word "
            "becomes a command."
        ),
        why=(
            "`escalte` would run as a program named `escalte`, fail, and the escalation you "
            "wanted would never open."
        ),
        bad=_ci_guard('on_timeout = "escalte"\n'),
        good=_ci_guard('on_timeout = "escalate"\n'),
        related=("OJ407", "OJ509"),
    ),
    Explanation(
        code="OJ412",
        trigger=(
            "An event pattern that does not parse (§4.7): `**` that is not the last segment, "
            "an empty segment (`a::b`), `*` mixed with other characters in a segment "
            "(`a*:b`), a placeholder with filters."
        ),
        why="The subscription could never be set up, so nothing would ever wake on it.",
        bad="""\
[pipeline.deploy]
phase = [{ name = "deploy", run = "make deploy", pre = ["build_done"] }]

[guard.build_done]
condition = "test -f dist/app.tar.gz"
wake_on = ["**:complete"]
timeout = "1h"
""",
        good="""\
[pipeline.deploy]
phase = [{ name = "deploy", run = "make deploy", pre = ["build_done"] }]

[guard.build_done]
condition = "test -f dist/app.tar.gz"
wake_on = ["pipeline:complete"]
timeout = "1h"
""",
        related=("OJ413",),
    ),
    Explanation(
        code="OJ413",
        trigger=(
            "A pattern whose first segment is a reserved scope (`pipeline`, `task`, "
            "`queue`, …) but which no built-in event can match: `pipeline:failed:*` (built-in "
            "pipeline events have two segments), or an unknown verb."
        ),
        why="The hook, guard or notification would never fire.",
        bad="""\
[pipeline.build]
phase = [{ name = "build", run = "make" }]

[events]
"pipeline:failed:*" = "scripts/report-failure.sh {name}"
""",
        good="""\
[pipeline.build]
phase = [{ name = "build", run = "make" }]

[events]
"pipeline:failed" = "scripts/report-failure.sh {name}"
""",
        related=("OJ412", "OJ603"),
    ),
    Explanation(
        code="OJ414",
        trigger=(
            "An expression (`rules.if`, `queue.filter`) that does not parse (§4.8): a "
            "missing operand, an unclosed call or string, chained comparisons (`a == b == "
            "c`)."
        ),
        why=(
            "A filter that cannot be evaluated would exclude every item; a rule would fail "
            "its action."
        ),
        bad=_queue('filter = "priority >= 2 and"'),
        good=_queue("filter = \"priority >= 2 and not has_label('hold')\""),
        related=("OJ415", "OJ416"),
    ),
    Explanation(
        code="OJ415",
        trigger=(
            "A type error known before running (§4.8): comparing values of different known "
            "types (`priority > 'high'`), ordering values that cannot be ordered, `and`/`or`/"
            "`not` on non-booleans, an expression that is not a boolean as a whole."
        ),
        why="The comparison would fail for every item, so the filter would exclude them all.",
        bad=_queue("filter = \"priority > 'high'\""),
        good=_queue('filter = "priority > 2"'),
        related=("OJ414", "OJ416"),
    ),
    Explanation(
        code="OJ416",
        trigger=(
            "A call with the wrong number of arguments: a builtin (`len(x, y)`) or a "
            "table-form function of `[functions]` with declared `params`. String-form "
            "functions take any number."
        ),
        why="The call would fail every time it is evaluated.",
        bad=_queue('filter = "len(labels, 2) > 0"'),
        good=_queue('filter = "len(labels) > 0"'),
        related=("OJ414", "OJ307"),
    ),
    Explanation(
        code="OJ417",
        trigger=(
            "A queue `order` that does not parse (§4.9), e.g. a direction other than `ASC` "
            "or `DESC`, a trailing comma, an empty string, or a key listed twice."
        ),
        why="The queue could not sort its items, so workers could not claim them in order.",
        bad=_queue('order = "priority DOWN"'),
        good=_queue('order = "priority DESC"'),
        related=("OJ418",),
    ),
    Explanation(
        code="OJ418",
        trigger=(
            "An `order` key that is neither a builtin item field (`id`, `priority`, "
            "`created_at`, `attempts`) nor one of the queue's declared `fields`. Checked "
            "only when the queue declares `fields`."
        ),
        why="Every item would have no value for the key, so the order would not apply.",
        bad="""\
[queue.features]
fields = { slug = "string", goal = "string" }
order = "prio DESC, created_at ASC"
""",
        good="""\
[queue.features]
fields = { slug = "string", goal = "string" }
order = "priority DESC, created_at ASC"
""",
        related=("OJ417", "OJ302"),
    ),
    Explanation(
        code="OJ419",
        trigger=(
            "A literal regular expression that Python's `re` module cannot compile, passed "
            "to `matches(s, re)` in an expression."
        ),
        why="The call would fail every time, so the filter would exclude every item.",
        bad=_queue("filter = \"not matches(name, '(flaky|quarantine')\""),
        good=_queue("filter = \"not matches(name, '(flaky|quarantine)')\""),
        related=("OJ414",),
    ),
)
