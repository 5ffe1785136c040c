"""Explanations of the template and variable codes (OJ3xx): data only."""

from __future__ import annotations

from ojlang.validator.explanations import Explanation

_PLAN_PROMPT = "Write PLAN.md, a step-by-step plan for {{ name }}.\n"

ENTRIES = (
    Explanation(
        code="OJ301",
        trigger=(
            "An interpolation, Jinja prompt, pattern placeholder or expression uses a root "
            "variable that is not in the field's scope (§5.2): not an input, default or "
            "output of the pipeline, not a builtin of that field, not a command argument. "
            "Each undefined name is reported once per field; a shared task or guard is "
            "checked at each use site, and a note names the site."
        ),
        why=(
            "At run time the field would fail to render and the phase would fail, possibly "
            "hours into a run."
        ),
        bad="""\
[pipeline.release]
inputs = ["version"]
phase = [{ name = "tag", run = "git tag -a v{version} -m {notes}" }]
""",
        good="""\
[pipeline.release]
inputs = ["version", "notes"]
phase = [{ name = "tag", run = "git tag -a v{version} -m {notes}" }]
""",
        related=("OJ302", "OJ303", "OJ305", "OJ311"),
    ),
    Explanation(
        code="OJ302",
        trigger=(
            "A field that does not exist on a value whose fields are known: a key of "
            "`config` the runbook does not define, an argument under `args` the command does "
            "not declare, a field of a builtin object (`event`, a typed record) or of a queue "
            "item with declared `fields`."
        ),
        why="The value would be missing at run time and the field would fail to render.",
        bad="""\
[config]
base = "main"

[pipeline.sync]
phase = [{ name = "fetch", run = "git fetch origin {config.bse}" }]
""",
        good="""\
[config]
base = "main"

[pipeline.sync]
phase = [{ name = "fetch", run = "git fetch origin {config.base}" }]
""",
        related=("OJ301", "OJ312", "OJ418"),
    ),
    Explanation(
        code="OJ303",
        trigger=(
            "A pipeline input that no field of the pipeline reads: not its phases, defaults, "
            "`group` or `notify`, nor the tasks (Jinja prompts included), guards and strategies "
            "its phases use, nor the runbook's `[events]` hooks. Inputs named `name`, "
            "`workspace` or `branch` are used by the run itself. A pipeline with a reference "
            "that does not resolve, or a prompt that cannot be read, is not judged."
        ),
        why=(
            "Callers must supply it for nothing, and it often means a template uses a "
            "misspelled name instead."
        ),
        bad="""\
[pipeline.release]
inputs = ["version", "notes"]
phase = [{ name = "tag", run = "git tag v{version}" }]
""",
        good="""\
[pipeline.release]
inputs = ["version", "notes"]
phase = [{ name = "tag", run = "git tag -a v{version} -m {notes}" }]
""",
        related=("OJ301", "OJ403"),
    ),
    Explanation(
        code="OJ304",
        trigger=(
            "Pipeline defaults that depend on each other in a cycle, directly or through "
            "other defaults. The message names every default on the cycle."
        ),
        why="Defaults are evaluated in dependency order; a cycle has no first one.",
        bad="""\
[pipeline.feature]
inputs = ["slug"]
defaults = { branch = "feature/{title}", title = "{branch}: {slug}" }
phase = [{ name = "build", run = "echo {title} > TITLE" }]
""",
        good="""\
[pipeline.feature]
inputs = ["slug"]
defaults = { branch = "feature/{slug}", title = "{slug} on {branch}" }
phase = [{ name = "build", run = "echo {title} > TITLE" }]
""",
        related=("OJ212", "OJ301"),
    ),
    Explanation(
        code="OJ305",
        trigger=(
            "An input, default, output, command argument, task `vars` name or function "
            "parameter is named like a builtin variable of the same scope (`id`, `phase`, "
            "`attempt`, `config`, `env`, …). Pipelines may declare `name`, `workspace` and "
            "`branch` on purpose to replace those builtins, and a command argument may be "
            "called `env` (as in `<env>`): it replaces the environment object in that "
            "command's `run`."
        ),
        why=(
            "`{id}` would be ambiguous: the run id or your value. ojlang keeps builtins "
            "reserved so that templates mean the same thing everywhere."
        ),
        bad="""\
[pipeline.fix]
inputs = ["id"]
phase = [{ name = "fix", run = "scripts/fix.sh {id}" }]
""",
        good="""\
[pipeline.fix]
inputs = ["ticket_id"]
phase = [{ name = "fix", run = "scripts/fix.sh {ticket_id}" }]
""",
        related=("OJ113", "OJ301"),
    ),
    Explanation(
        code="OJ306",
        trigger=(
            "An interpolation uses a filter that does not exist. The filters are `raw`, "
            "`default`, `upper`, `lower`, `trim`, `replace`, `slug`, `truncate`, `basename`, "
            "`dirname`, `join`, `first`, `last`, `length` and `json` (§4.1.2). In Jinja "
            "prompts the filters are Jinja's own plus `slug`, `json`, `basename` and `dirname`."
        ),
        why="The field would fail to render every time.",
        bad="""\
[pipeline.deploy]
inputs = ["stage"]
phase = [{ name = "deploy", run = "scripts/deploy.sh {stage | uppercase}" }]
""",
        good="""\
[pipeline.deploy]
inputs = ["stage"]
phase = [{ name = "deploy", run = "scripts/deploy.sh {stage | upper}" }]
""",
        related=("OJ307", "OJ313"),
    ),
    Explanation(
        code="OJ307",
        trigger=(
            "A filter called with the wrong number of arguments (`truncate` needs one, "
            "`replace` two), or applied to a value whose type is known to be wrong (`join` "
            "on a string)."
        ),
        why="The field would fail to render every time.",
        bad="""\
[pipeline.feature]
inputs = ["title"]
phase = [{ name = "branch", run = "git switch -c feature/{title | slug | truncate}" }]
""",
        good="""\
[pipeline.feature]
inputs = ["title"]
phase = [{ name = "branch", run = "git switch -c feature/{title | slug | truncate(40)}" }]
""",
        related=("OJ306", "OJ416"),
    ),
    Explanation(
        code="OJ308",
        trigger=(
            "A Jinja prompt (`prompt`, or the file of `prompt_file` or `context_template`) "
            "does not parse: an unclosed block, an unknown tag, a stray `}}`. Jinja reports "
            "lines; the column is that of the tag on that line."
        ),
        why=(
            "The task could never render its prompt, so every run of it would fail before "
            "the agent starts."
        ),
        bad='''\
[pipeline.fix]
inputs = ["goal", "files"]
phase = [{ name = "fix", task = "coder" }]

[task.coder]
prompt = """
Fix {{ goal }}. Start with these files:
{% for f in files %}
- {{ f }}
"""
''',
        good='''\
[pipeline.fix]
inputs = ["goal", "files"]
phase = [{ name = "fix", task = "coder" }]

[task.coder]
prompt = """
Fix {{ goal }}. Start with these files:
{% for f in files %}
- {{ f }}
{% endfor %}
"""
''',
        related=("OJ301", "OJ310"),
    ),
    Explanation(
        code="OJ309",
        trigger=(
            "The file named by `prompt_file` or `context_template` does not exist. The path "
            "is looked up in the runbook's directory first, then in the project root. A "
            "template named by `{% include %}`, `{% import %}` or `{% extends %}` must exist "
            "in the including template's directory (the runbook's directory for an inline "
            "prompt) and may not leave it."
        ),
        why="The task would fail at every start.",
        bad="""\
[pipeline.plan]
phase = [{ name = "plan", task = "planner" }]

[task.planner]
prompt_file = "prompts/plna.md"
""",
        good="""\
[pipeline.plan]
phase = [{ name = "plan", task = "planner" }]

[task.planner]
prompt_file = "prompts/plan.md"
""",
        files=(("prompts/plan.md", _PLAN_PROMPT),),
        related=("OJ308",),
    ),
    Explanation(
        code="OJ310",
        trigger=(
            "A Jinja prompt contains `{x}` with single braces where `x` is a variable in "
            "scope. In Jinja single braces are plain text. The unsafe fix rewrites it to "
            "`{{ x }}`."
        ),
        why=(
            "The agent would read the literal text `{branch}` instead of the branch name. "
            "Other fields use single braces, so the mix-up is easy."
        ),
        bad="""\
[pipeline.build]
phase = [{ name = "build", task = "coder" }]

[task.coder]
prompt = "Implement FEATURE.md on branch {branch}, then run the tests."
""",
        good="""\
[pipeline.build]
phase = [{ name = "build", task = "coder" }]

[task.coder]
prompt = "Implement FEATURE.md on branch {{ branch }}, then run the tests."
""",
        related=("OJ311", "OJ313"),
    ),
    Explanation(
        code="OJ311",
        trigger=(
            "A template field that is not Jinja (a shell or text template) contains "
            "`{{ x }}` where `x` is a variable in scope. In these fields `{{…}}` is literal "
            "text, so that tools such as `docker --format '{{.Names}}'` keep working."
        ),
        why="The command would receive the literal text `{{ branch }}`, not the branch name.",
        bad="""\
[pipeline.build]
phase = [{ name = "push", run = "git push origin {{ branch }}" }]
""",
        good="""\
[pipeline.build]
phase = [{ name = "push", run = "git push origin {branch}" }]
""",
        related=("OJ310", "OJ313"),
    ),
    Explanation(
        code="OJ312",
        trigger=(
            "A field is read from a value known to be a scalar: `{phase.name}` where `phase` "
            "is a string, or a field of a `config` value that is a number."
        ),
        why="The field would fail to render: a string has no fields.",
        bad="""\
[pipeline.build]
phase = [{ name = "build", run = "echo {phase.name} > .oj/current-phase" }]
""",
        good="""\
[pipeline.build]
phase = [{ name = "build", run = "echo {phase} > .oj/current-phase" }]
""",
        related=("OJ302",),
    ),
    Explanation(
        code="OJ313",
        trigger=(
            "Text that looks like an interpolation but does not parse, so it is kept "
            "literally: a space right inside the braces (`{ tag }`), or a path followed by a "
            "broken filter (`{name | upper(}`). It is reported only when the path names a "
            "variable in scope; a space inside braces is the way to keep `{ x }` literal on "
            "purpose (§4.1.1)."
        ),
        why="The value is not inserted; the command receives the literal braces.",
        bad="""\
[pipeline.image]
phase = [{ name = "build", run = "docker build -t app:{ branch } ." }]
""",
        good="""\
[pipeline.image]
phase = [{ name = "build", run = "docker build -t app:{branch | slug} ." }]
""",
        related=("OJ306", "OJ311"),
    ),
)
