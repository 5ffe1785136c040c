"""The template family: variables, fields and filters of templates, patterns and expressions
(OJ301–OJ307, OJ311–OJ313, OJ201, OJ415/OJ416) and declarations (OJ303–OJ305)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scope_kit import found, templates

from ojlang.validator.diagnostic import Applicability, Diagnostic
from ojlang.validator.render import render

RELEASE = """\
[pipeline.release]
inputs = ["version", "notes"]

[[pipeline.release.phase]]
name = "tag"
run = "git tag v{version} && git push origin v{version}"
next = "publsh"

[[pipeline.release.phase]]
name = "publish"
task = "announce"
on_fail = "retry_later"

[task.announce]
prompt = "Announce {{ version }} in {{ channel }}."
"""

# LANGUAGE.md §9.2, the two diagnostics of this family.
RELEASE_OUT = """\
warning[OJ303]: input `notes` is never used
 --> runbooks/release.toml:2:22
  |
2 | inputs = ["version", "notes"]
  |                      ^^^^^^^ not read by any field of pipeline `release`
  |
  = help: remove it, or use it as `{notes}`

error[OJ301]: undefined variable `channel`
  --> runbooks/release.toml:15:40
   |
15 | prompt = "Announce {{ version }} in {{ channel }}."
   |                                        ^^^^^^^ not defined in pipeline `release`
   |
   = note: task `announce` is used by phase `publish` of pipeline `release`
   = note: in scope: `version`, `notes`, `config`, `env`, `project`, `runbook`, `name`, `id`, \
`pipeline`, `workspace`, `branch`, `phase`, `attempt`, `task`, `session`
   = help: declare it in `inputs`, `defaults` or `outputs` of pipeline `release`
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "project"


def run(root: Path, text: str, **files: str) -> list[Diagnostic]:
    return templates(root, {"runbooks/r.toml": text, **files})


def codes(root: Path, text: str, *, unused: bool = False) -> list[tuple[str, int, int]]:
    """Codes and positions; OJ303 (unused inputs of the examples) only when asked."""
    return [f for f in found(run(root, text)) if unused or f[0] != "OJ303"]


def one(root: Path, text: str, code: str) -> Diagnostic:
    matching = [d for d in run(root, text) if d.code == code]
    assert len(matching) == 1, matching
    return matching[0]


def test_release_example_prints_exactly_as_in_the_spec(root: Path) -> None:
    diagnostics = templates(root, {"runbooks/release.toml": RELEASE})
    sources = {"runbooks/release.toml": RELEASE}
    out = render(diagnostics, "full", sources=sources, runbooks=1, color=False).stdout
    assert out.startswith(RELEASE_OUT)


# -- OJ301 -----------------------------------------------------------------------------------------


def pipeline(run_text: str, extra: str = "") -> str:
    return (
        f'[pipeline.p]\ninputs = ["goal"]\nphase = [{{ name = "a", run = "{run_text}" }}]\n{extra}'
    )


def test_undefined_root_is_reported_once_per_field_with_a_count(root: Path) -> None:
    d = one(root, pipeline("echo {gaol} {gaol} {gaol.x}"), "OJ301")
    assert (d.span.line, d.span.col, d.span.end_col) == (3, 37, 41)
    assert d.message == "undefined variable `gaol`"
    assert d.notes[0] == "`gaol` is used 2 more times here"
    assert d.help == "a variable with a similar name exists: `goal`"


def test_builtins_inputs_and_env_are_in_scope(root: Path) -> None:
    text = pipeline("cd {workspace} && echo {goal} {env.HOME} {phase} {attempt} {config}")
    assert codes(root, text) == []


def test_shared_task_is_checked_per_use_site_and_reported_once(root: Path) -> None:
    text = """
[pipeline.a]
inputs = ["goal"]
phase = [{ name = "one", task = "t" }]
[pipeline.b]
inputs = ["other"]
phase = [{ name = "two", task = "t" }]
[task.t]
command = "agent {goal} {missing}"
"""
    diagnostics = [d for d in run(root, text) if d.code == "OJ301"]
    assert found(diagnostics) == [("OJ301", 9, 19), ("OJ301", 9, 26)]
    goal, missing = diagnostics
    assert goal.notes[0] == "task `t` is used by phase `two` of pipeline `b`"
    assert missing.notes[0] == "task `t` is used by phase `one` of pipeline `a`"


def test_definition_without_use_site_is_checked_for_syntax_only(root: Path) -> None:
    text = '[task.t]\ncommand = "agent {missing} {x | uppercase}"\n'
    assert codes(root, text) == [("OJ306", 2, 33)]


@pytest.mark.parametrize(
    "text",
    [
        '[queue.q]\nsource = "cat q.json"\nfilter = "team == \'x\' and size > 2"\n',
        '[queue.q]\ndead = { on_add = "echo {whatever} {reason}" }\n',
        '[watcher.w]\nsource = "cat r.json"\ncondition = "test {level} -gt 3"\n'
        'check_interval = "1m"\n',
        '[action.a]\ncooldown = "1m"\ncommand = "echo {anything}"\n',
        '[events]\n"build:done" = "echo {artifact}"\n',
    ],
)
def test_dynamic_scopes_accept_unknown_roots(root: Path, text: str) -> None:
    assert codes(root, text) == []


def test_typed_queue_filter_reports_unknown_bare_fields(root: Path) -> None:
    text = '[queue.q]\nfields = { team = "string" }\nfilter = "teem == \'x\'"\n'
    d = one(root, text, "OJ301")
    assert (d.span.line, d.span.col) == (3, 11)
    assert d.help == "a variable with a similar name exists: `team`"
    assert d.label == "not a field of items of queue `q`"


def test_pattern_placeholders_are_checked_in_the_guard_scope(root: Path) -> None:
    text = """
[pipeline.p]
inputs = ["after"]
phase = [{ name = "a", run = "true", pre = ["dep"] }]
[guard.dep]
condition = "true"
wake_on = ["pipeline:complete@{after}", "pipeline:complete@{afer}"]
"""
    assert codes(root, text) == [("OJ301", 7, 61)]


def test_expression_placeholders_inside_strings_are_roots(root: Path) -> None:
    text = '[queue.q]\nfields = ["team"]\nfilter = "team == \'{config.x}-{tem}\'"\n'
    assert codes(root, text) == [("OJ302", 3, 28), ("OJ301", 3, 32)]


@pytest.mark.parametrize(
    "text",
    [
        '[pipeline.p]\ninputs = "version"\nphase = [{ name = "a", run = "echo {version}" }]\n',
        '[queue.q]\nfields = { title = "strng", team = "string" }\nfilter = "title == \'x\'"\n',
    ],
)
def test_declarations_lost_to_schema_errors_make_names_unknown(root: Path, text: str) -> None:
    assert codes(root, text) == []


# -- OJ302, OJ312 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message, help_text",
    [
        (
            '[config]\nbase = "main"\n' + pipeline("git fetch {config.bse}"),
            "`config` has no key `bse`",
            "a key with a similar name exists: `base`",
        ),
        (
            '[command.c]\nargs = "<stage>"\nrun = "echo {stage} {args.stag}"\n',
            "`args` has no argument `stag`",
            "a argument with a similar name exists: `stage`",
        ),
        (
            '[events]\non_complete = "echo {event.nmae}"\n',
            "`event` has no field `nmae`",
            "a field with a similar name exists: `name`",
        ),
        (
            '[watcher.w]\nsource = { type = "pipelines" }\ncondition = "echo {record.stat}"\n'
            'check_interval = "1m"\n',
            "`record` has no field `stat`",
            "a field with a similar name exists: `state`",
        ),
    ],
)
def test_unknown_fields_of_known_objects(
    root: Path, text: str, message: str, help_text: str
) -> None:
    d = one(root, text, "OJ302")
    assert (d.message, d.help) == (message, help_text)


def test_unknown_item_field_in_a_handler_pipeline_points_at_the_field(root: Path) -> None:
    text = """
[queue.bugs]
fields = { title = "string" }
[worker.w]
queue = "bugs"
handler = "fix"
[pipeline.fix]
phase = [{ name = "a", run = "echo {item.title} {item.titel}" }]
"""
    d = one(root, text, "OJ302")
    assert (d.span.line, d.span.col, d.span.end_col) == (8, 55, 60)


def test_field_of_a_scalar(root: Path) -> None:
    d = one(root, pipeline("echo {phase.name}"), "OJ312")
    assert d.message == "`phase` is a string and has no field `name`"
    assert (d.span.col, d.span.end_col) == (43, 47)


# -- filters ---------------------------------------------------------------------------------------


def test_unknown_filter_has_a_close_match(root: Path) -> None:
    d = one(root, pipeline("echo {goal | uppercase}"), "OJ306")
    assert d.help == "a filter with a similar name exists: `upper`"
    assert (d.span.col, d.span.end_col) == (44, 53)


@pytest.mark.parametrize(
    "expression, message",
    [
        ("{goal | truncate}", "filter `truncate` takes 1 argument, found 0"),
        ("{goal | join('a', 'b')}", "filter `join` takes at most 1 argument, found 2"),
        ("{goal | upper(1)}", "filter `upper` takes no arguments, found 1"),
        (
            "{goal | truncate('x')}",
            "argument 1 of filter `truncate` must be an int, found a string",
        ),
        ("{attempt | upper}", "filter `upper` needs a string, found an int"),
        ("{goal | length | upper}", "filter `upper` needs a string, found an int"),
        ("{phase | join}", "filter `join` needs a list, found a string"),
    ],
)
def test_filter_arguments_and_input_types(root: Path, expression: str, message: str) -> None:
    assert one(root, pipeline(f"echo {expression}"), "OJ307").message == message


def test_filters_of_unknown_types_are_not_judged(root: Path) -> None:
    text = pipeline("echo {goal | upper} {goal | default(3) | join} {env.X | trim}")
    assert codes(root, text) == []


# -- braces that are not interpolations ------------------------------------------------------------


def test_double_braces_with_a_variable_in_scope(root: Path) -> None:
    d = one(root, pipeline("git push origin {{ goal }}"), "OJ311")
    assert d.message == "`{{ goal }}` is literal text here"
    assert d.help == "write `{goal}`"
    assert d.fix is not None and d.fix.applicability is Applicability.UNSAFE
    assert [e.replacement for e in d.fix.edits] == ["{goal}"]


@pytest.mark.parametrize("literal", ["docker ps --format '{{.Names}}'", "echo {{ nope }}"])
def test_double_braces_that_are_not_variables_stay_quiet(root: Path, literal: str) -> None:
    assert codes(root, pipeline(literal)) == []


def test_malformed_interpolations_of_variables_in_scope(root: Path) -> None:
    text = pipeline("echo { goal } {goal | upper(} { nope } awk '{ print }'")
    assert codes(root, text) == [("OJ313", 3, 36), ("OJ313", 3, 45)]
    d = run(root, text)[0]
    assert d.help == "remove the spaces: `{goal}`"


# -- expressions -----------------------------------------------------------------------------------


def test_expression_types_arity_and_functions(root: Path) -> None:
    text = """
[queue.q]
fields = { title = "string" }
filter = "len(title, 2) > 0 and priority > 'high' and owned(title) and matches(title, '(')"
[queue.r]
fields = { title = "string" }
filter = "is_ok(title, 1)"
[functions]
is_ok = { params = ["t"], run = "test -n {t}" }
"""
    assert sorted(codes(root, text)) == [
        ("OJ201", 4, 55),
        ("OJ415", 4, 33),
        ("OJ416", 4, 22),
        ("OJ416", 7, 24),
        ("OJ419", 4, 87),
    ]


def test_functions_are_checked_in_the_scope_of_their_callers(root: Path) -> None:
    text = """
[queue.q]
fields = { team = "string" }
filter = "owned(team)"
[functions]
owned = { params = ["who"], run = "grep -qx {who} {team} {nope} teams.txt" }
unused = { params = ["x"], run = "echo {nope}" }
"""
    d = one(root, text, "OJ301")
    assert (d.span.line, d.span.col) == (6, 59)
    assert d.notes[0] == "function `owned` is called by the `filter` of queue `q`"


# -- OJ303 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        '[task.t]\nprompt = "{{ notes }}"\n',
        '[task.t]\nprompt = "{% if notes %}x{% endif %}"\n',
        '[task.t]\nenv = { NOTES = "{notes}" }\n',
        '[task.t]\ncommand = "agent {{ notes }}"\n',  # OJ311 explains it instead
        '[task.t]\nprompt_file = "missing.md"\n',  # unknown reads: no OJ303
        '[task.t]\nprompt = "{% if %}"\n',
        '[events]\non_complete = "echo {notes}"\n',
    ],
)
def test_inputs_read_through_use_sites_hooks_or_unknown_are_not_unused(
    root: Path, extra: str
) -> None:
    text = f"""
[pipeline.p]
inputs = ["notes", "name", "branch"]
phase = [{{ name = "a", task = "t" }}]
{extra}"""
    assert [c for c in codes(root, text, unused=True) if c[0] == "OJ303"] == []


def test_unresolved_references_suppress_unused_inputs(root: Path) -> None:
    text = '[pipeline.p]\ninputs = ["notes"]\nphase = [{ name = "a", task = "nope" }]\n'
    assert codes(root, text, unused=True) == []


def test_input_read_only_by_another_pipeline_is_unused(root: Path) -> None:
    text = """
[pipeline.p]
inputs = ["notes"]
phase = [{ name = "a", run = "true" }]
[pipeline.q]
inputs = ["notes"]
phase = [{ name = "a", run = "echo {notes}" }]
"""
    assert codes(root, text, unused=True) == [("OJ303", 3, 11)]


# -- OJ304 -----------------------------------------------------------------------------------------


def test_default_cycle_names_every_default_on_it(root: Path) -> None:
    text = """
[pipeline.p]
inputs = ["slug"]
defaults = { c = "{slug}", a = "{b}", b = "{d}-{slug}", d = "{a}" }
phase = [{ name = "x", run = "echo {a} {c}" }]
"""
    d = one(root, text, "OJ304")
    assert d.message == "defaults form a cycle: `a` → `b` → `d` → `a`"
    assert (d.span.line, d.span.col) == (4, 28)
    assert [label.message for label in d.labels] == ["uses `d`", "uses `a`"]


def test_a_default_using_itself_is_a_cycle(root: Path) -> None:
    text = '[pipeline.p]\ndefaults = { a = "{a}" }\nphase = [{ name = "x", run = "echo {a}" }]\n'
    assert one(root, text, "OJ304").message == "defaults form a cycle: `a` → `a`"


# -- OJ305 -----------------------------------------------------------------------------------------


def test_reserved_declarations(root: Path) -> None:
    text = """
[pipeline.p]
inputs = ["id", "name", "workspace"]
defaults = { attempt = "1" }
outputs = ["phase"]
phase = [{ name = "x", run = "echo {name}", task = "t" }]
[task.t]
vars = [{ name = "session", source = "echo x" }]
[command.c]
args = "<config> <env>"
run = "echo {env}"
[queue.q]
fields = ["team"]
filter = "f(team)"
[functions]
f = { params = ["item"], run = "true" }
"""
    diagnostics = [d for d in run(root, text) if d.code == "OJ305"]
    assert found(diagnostics) == [
        ("OJ305", 3, 11),
        ("OJ305", 4, 14),
        ("OJ305", 5, 12),
        ("OJ305", 8, 18),
        ("OJ305", 10, 10),
        ("OJ305", 16, 17),
    ]
    assert diagnostics[0].message == "`id` is a builtin variable and cannot be declared"
    assert diagnostics[0].help == "rename it, e.g. `p_id`"
