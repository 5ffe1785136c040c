"""Explanations of the shell (OJ6xx), security (OJ7xx) and style (OJ9xx) codes: data only."""

from __future__ import annotations

from ojlang.validator.explanations import Explanation

_SHADOWED = """\
[pipeline.ship]
phase = [{ name = "ship", run = "make release" }]
"""

_SHIP = """\
[pipeline.ship]
phase = [{ name = "ship", run = "make ship" }]
"""

ENTRIES = (
    Explanation(
        code="OJ601",
        trigger=(
            "`bash -n` rejects a shell field. Interpolations are replaced by placeholders of "
            "the same length first, so positions map back exactly; the span is the line "
            "bash reports."
        ),
        why="The script would fail with a syntax error every time it runs.",
        bad="""\
[cron.poll]
interval = "1m"
enabled = true
run = "if [ -f .oj/stop ]; then exit 0; fi; fi"
""",
        good="""\
[cron.poll]
interval = "1m"
enabled = true
run = "if [ -f .oj/stop ]; then exit 0; fi; scripts/poll.sh"
""",
        related=("OJ602",),
    ),
    Explanation(
        code="OJ602",
        trigger=(
            "ShellCheck reports a finding in a shell field (only when `shellcheck` is "
            "installed; `--no-shellcheck` turns it off). ShellCheck errors become errors, "
            "warnings warnings, info and style findings info. The message starts with the "
            "SC code."
        ),
        why=(
            "ShellCheck catches scripts that parse but misbehave: here, if `cd docs` fails "
            "the next command runs in the wrong directory."
        ),
        bad="""\
[pipeline.docs]
phase = [{ name = "build", run = "cd docs; make html" }]
""",
        good="""\
[pipeline.docs]
phase = [{ name = "build", run = "make -C docs html" }]
""",
        related=("OJ601",),
    ),
    Explanation(
        code="OJ603",
        trigger=(
            "Shell text runs `oj emit NAME` with a reserved scope (`pipeline`, `task`, "
            "`session`, `workspace`, `queue`, `worker`, `lock`, `semaphore`, `guard`, "
            "`strategy`, `cron`, `action`, `watcher`, `scanner`, `escalation`, `daemon`)."
        ),
        why="`oj emit` refuses reserved names, so the command would fail at run time.",
        bad="""\
[pipeline.build]
phase = [{ name = "build", run = "make && oj emit pipeline:built" }]
""",
        good="""\
[pipeline.build]
phase = [{ name = "build", run = "make && oj emit build:complete" }]
""",
        related=("OJ413", "OJ906"),
    ),
    Explanation(
        code="OJ701",
        trigger="An interpolation in a shell field uses the `raw` filter.",
        why=(
            "`raw` inserts the value without shell escaping, so a value such as "
            "`x; rm -rf ~` runs as code. Use it only for values that are trusted shell."
        ),
        bad="""\
[command.logs]
args = "<pattern>"
run = "journalctl -u app | grep {pattern | raw}"
""",
        good="""\
[command.logs]
args = "<pattern>"
run = "journalctl -u app | grep -e {pattern}"
""",
        related=("OJ702", "OJ703", "OJ704"),
    ),
    Explanation(
        code="OJ702",
        trigger=(
            "An interpolation inside the body of a quoted heredoc (`<<'EOF'`, `<<\"EOF\"`, "
            "`<<\\EOF`). Such bodies are copied verbatim, so the value is inserted without "
            "escaping."
        ),
        why=(
            "A value containing the delimiter line would end the heredoc early and run the "
            "rest as commands."
        ),
        bad='''\
[pipeline.release]
inputs = ["version"]

[[pipeline.release.phase]]
name = "notes"
run = """
cat > NOTES.md <<'EOF'
Release {version}
EOF
"""
''',
        good='''\
[pipeline.release]
inputs = ["version"]

[[pipeline.release.phase]]
name = "notes"
run = """
cat > NOTES.md <<EOF
Release {version}
EOF
"""
''',
        related=("OJ701",),
    ),
    Explanation(
        code="OJ703",
        trigger=(
            "An interpolation in an argument that is evaluated as shell a second time: the "
            "script of `bash -c`, `sh -c`, `eval`, the command of `ssh HOST …`, or an "
            "unquoted heredoc fed to `bash` or `ssh HOST`."
        ),
        why=(
            "ojlang escapes the value once, for the outer shell; the inner shell evaluates "
            "it again unescaped, so a crafted value runs as code."
        ),
        bad="""\
[pipeline.build]
inputs = ["target"]
phase = [{ name = "build", run = "bash -c 'make {target}'" }]
""",
        good="""\
[pipeline.build]
inputs = ["target"]
phase = [{ name = "build", run = "make {target}" }]
""",
        related=("OJ701", "OJ704"),
    ),
    Explanation(
        code="OJ704",
        trigger="An interpolation in command position: the value chooses the program to run.",
        why=(
            "Whoever controls the value controls what runs. Pass the value as data to a "
            "fixed program instead."
        ),
        bad="""\
[pipeline.lint]
inputs = ["tool"]
phase = [{ name = "lint", run = "{tool} check ." }]
""",
        good="""\
[pipeline.lint]
inputs = ["tool"]
phase = [{ name = "lint", run = "make lint TOOL={tool}" }]
""",
        related=("OJ703", "OJ701"),
    ),
    Explanation(
        code="OJ705",
        trigger=(
            "A literal value that looks like a credential (a known token prefix, a private "
            "key, a long random string under a key such as `token` or `password`) in task "
            "`env`, `[config]`, action or response `args`, or a `webhook` URL."
        ),
        why=(
            "Runbooks are committed and shared; a secret written in one leaks to everyone "
            "who can read the repository. Read it from the environment instead."
        ),
        bad="""\
[pipeline.fix]
phase = [{ name = "fix", task = "coder" }]

[task.coder]
prompt = "Fix the failing tests and open a pull request."
env = { GH_TOKEN = "ghp_Z3x9QmT4LbV7cN2rK8wD5yH1sF6jP0aE4uGt" }
""",
        good="""\
[pipeline.fix]
phase = [{ name = "fix", task = "coder" }]

[task.coder]
prompt = "Fix the failing tests and open a pull request."
env = { GH_TOKEN = "{env.GH_TOKEN}" }
""",
        related=("OJ706",),
    ),
    Explanation(
        code="OJ706",
        trigger="A `webhook` URL with plain `http://` to a host other than a loopback address.",
        why=(
            "Notifications carry run names, errors and sometimes tokens in the URL; over "
            "plain HTTP anyone on the path can read or change them."
        ),
        bad="""\
[notify]
webhook = "http://hooks.example.com/oj"
""",
        good="""\
[notify]
webhook = "https://hooks.example.com/oj"
""",
        related=("OJ705",),
    ),
    Explanation(
        code="OJ901",
        trigger=(
            "A runbook shadows a later runbook of the same name in discovery order (§1.1): "
            "project `runbooks/` before `.oj/runbooks/`, before the user library, before the "
            "standard library. The later file is not loaded at all."
        ),
        why=(
            "Information: nothing in the shadowed file exists, which surprises people who "
            "edit it. Rename one of them if both are needed."
        ),
        bad=_SHIP,
        good=_SHIP,
        path="runbooks/ship.toml",
        good_path="runbooks/ship_fast.toml",
        files=((".oj/runbooks/ship.toml", _SHADOWED),),
        related=("OJ211",),
    ),
    Explanation(
        code="OJ902",
        trigger=(
            "A guard, task, strategy, lock, semaphore, action or function that nothing in "
            "the loaded runbooks refers to. Library runbooks are exempt; definitions that "
            "are close matches of an unresolved reference are not reported (OJ201 is)."
        ),
        why=(
            "Dead definitions rot: nobody notices when they break. Often a reference to it "
            "was forgotten, as with the `post` guard here."
        ),
        bad="""\
[pipeline.plan]
phase = [{ name = "plan", task = "planner" }]

[task.planner]
prompt = "Write PLAN.md, a step-by-step plan for {{ name }}."

[guard.plan_ready]
condition = "test -s PLAN.md"
timeout = "1h"
""",
        good="""\
[pipeline.plan]
phase = [{ name = "plan", task = "planner", post = ["plan_ready"] }]

[task.planner]
prompt = "Write PLAN.md, a step-by-step plan for {{ name }}."

[guard.plan_ready]
condition = "test -s PLAN.md"
timeout = "1h"
""",
        related=("OJ201", "OJ303"),
    ),
    Explanation(
        code="OJ903",
        trigger=(
            "A cron without `enabled = true`. Crons start disabled by default. Library "
            "runbooks are exempt: their crons start disabled in every project anyway."
        ),
        why=(
            "Information: the cron never ticks until someone runs `oj cron enable`, which is "
            "easy to forget."
        ),
        bad="""\
[cron.nightly]
interval = "24h"
run = "scripts/nightly.sh"
""",
        good="""\
[cron.nightly]
interval = "24h"
enabled = true
run = "scripts/nightly.sh"
""",
        related=("OJ508", "OJ904"),
    ),
    Explanation(
        code="OJ904",
        trigger=(
            "A command or cron with nothing to run (no `run`; for a cron also no `watchers` "
            "or `scanners`), or an action with no `command`, `run`, `task` or `rules`."
        ),
        why=(
            "Information: such a definition does nothing when it fires (an empty action "
            "only records that it fired). Usually the body was forgotten."
        ),
        bad="""\
[command.deploy]
description = "deploy the web app"
""",
        good="""\
[command.deploy]
description = "deploy the web app"
run = "make deploy"
""",
        related=("OJ903", "OJ116"),
    ),
    Explanation(
        code="OJ905",
        trigger=(
            "A suppression comment (`# oj: ignore[CODE]` or `# oj: ignore-file[CODE]`) that "
            "suppressed no diagnostic: one word per unused code, prefix or slug; also a "
            "suppression without codes, with an unknown code or verb, or an `ignore-file` "
            "after the first table. Suppressions of checks that did not run (OJ602 without "
            "shellcheck) are not reported. OJ905 itself can be suppressed only by "
            "`# oj: ignore-file[OJ905]`; `oj check --fix` removes unused suppressions."
        ),
        why=(
            "The problem it silenced was fixed or moved; a stale suppression would hide a "
            "new problem on that line later."
        ),
        bad="""\
[pipeline.release]
inputs = ["version"]
phase = [
  { name = "tag", run = "git tag v{version}" },  # oj: ignore[OJ301]
]
""",
        good="""\
[pipeline.release]
inputs = ["version"]
phase = [
  { name = "tag", run = "git tag v{version}" },
]
""",
        related=("OJ301",),
    ),
    Explanation(
        code="OJ906",
        trigger=(
            "An `[events]` key of the form `on_A_B…` that is not a built-in hook alias: it "
            "listens for the custom event `A:B…` (the first `_` becomes `:`)."
        ),
        why=(
            "Information: `on_fix_complete` means `fix:complete`, not `fix_complete`; "
            "writing the event name as the key makes that explicit."
        ),
        bad="""\
[pipeline.fix]
phase = [{ name = "fix", run = "make fix && oj emit fix:complete" }]

[events]
on_fix_complete = "scripts/announce.sh"
""",
        good="""\
[pipeline.fix]
phase = [{ name = "fix", run = "make fix && oj emit fix:complete" }]

[events]
"fix:complete" = "scripts/announce.sh"
""",
        related=("OJ413", "OJ603"),
    ),
)
