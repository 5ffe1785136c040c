"""Jinja prompts (LANGUAGE.md §4.2): syntax (OJ308), files (OJ309), filters (OJ306), variables
(OJ301, OJ302, OJ312) and single braces (OJ310), with positions mapped into the right file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scope_kit import found, templates

from ojlang.validator.diagnostic import Applicability, Diagnostic


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "project"


def task(fields: str) -> str:
    return f"""[pipeline.p]
inputs = ["goal", "files"]
phase = [{{ name = "a", task = "t" }}]

[task.t]
{fields}
"""


def run(root: Path, fields: str, **files: str) -> list[Diagnostic]:
    return [
        d for d in templates(root, {"runbooks/r.toml": task(fields), **files}) if d.code != "OJ303"
    ]


def one(root: Path, fields: str, **files: str) -> Diagnostic:
    diagnostics = run(root, fields, **files)
    assert len(diagnostics) == 1, diagnostics
    return diagnostics[0]


def test_valid_prompt_of_the_spec(root: Path) -> None:
    prompt = 'prompt = """\nImplement {{ goal }} on branch {{ branch }}.\n'
    prompt += '{% for f in files %}- {{ f | basename }}{{ loop.index }}{% endfor %}\n"""'
    assert run(root, prompt) == []


def test_undefined_variable_in_a_multiline_prompt_maps_through_the_source_map(root: Path) -> None:
    d = one(root, 'prompt = """\nFix {{ goal }}.\n  {{ gaol }} and {{ gaol }}\n"""')
    assert (d.code, d.span.line, d.span.col, d.span.end_col) == ("OJ301", 8, 6, 10)
    assert d.help == "a variable with a similar name exists: `goal`"
    assert d.notes[:2] == (
        "task `t` is used by phase `a` of pipeline `p`",
        "`gaol` is used 1 more time here",
    )


@pytest.mark.parametrize(
    "prompt, message, where",
    [
        ('"x {% if goal %}"', "unexpected end of template, expected `endif`", (6, 13, 26)),
        (
            '"""\n{% for f in files %}\n{% if x %}{% endfor %}"""',
            "unexpected `endfor`, expected `endif`",
            (8, 14, 20),
        ),
        ('"{% foo %}"', "unknown tag `foo`", (6, 14, 17)),
        ('"{{ goal + }}"', "unexpected end of print statement", (6, 11, 23)),
        ('"{{ goal }"', "unexpected `}`", (6, 19, 20)),
        ('"{# note"', "missing end of comment tag", (6, 11, 18)),
        ('"{{ goal is frob }}"', "unknown test `frob`", (6, 22, 26)),
    ],
)
def test_syntax_errors(root: Path, prompt: str, message: str, where: tuple[int, int, int]) -> None:
    d = one(root, f"prompt = {prompt}")
    assert d.code == "OJ308"
    assert d.message == f"jinja syntax error: {message}"
    assert (d.span.line, d.span.col, d.span.end_col) == where


def test_unclosed_block_points_at_its_tag(root: Path) -> None:
    d = one(root, 'prompt = "{% if a %}{% if b %}{% endif %}"')
    assert (d.span.col, d.span.end_col) == (11, 21)
    assert d.label == "this `if` is never closed"


def test_unknown_filters_even_inside_if_blocks(root: Path) -> None:
    d = one(root, 'prompt = "{% if goal %}{{ goal | uppercase }}{% endif %}"')
    assert (d.code, d.message) == ("OJ306", "unknown filter `uppercase`")
    assert d.help == "a filter with a similar name exists: `upper`"
    assert (d.span.col, d.span.end_col) == (34, 43)


def test_ojlang_filters_are_available(root: Path) -> None:
    assert run(root, 'prompt = "{{ goal | slug }} {{ files | json }} {{ goal | dirname }}"') == []


# -- files (OJ309) ---------------------------------------------------------------------------------


def test_missing_prompt_file_suggests_a_close_file(root: Path) -> None:
    d = one(root, 'prompt_file = "prompts/plna.md"', **{"runbooks/prompts/plan.md": "x"})
    assert (d.code, d.message) == ("OJ309", "prompt file `prompts/plna.md` not found")
    assert d.notes == ("looked in `runbooks/` and the project root",)
    assert d.help == "a file with a similar name exists: `prompts/plan.md`"
    assert (d.span.line, d.span.col) == (6, 15)


def test_template_files_are_found_in_the_project_root_too(root: Path) -> None:
    files = {"prompts/p.md": "{{ goal }}\n", "runbooks/ctx.md": "{{ files }}\n"}
    assert run(root, 'prompt_file = "prompts/p.md"\ncontext_template = "ctx.md"', **files) == []


def test_diagnostics_inside_prompt_files_use_the_files_positions(root: Path) -> None:
    text = "Hi {{ goal }}\n\t{{ config.x }} {{ gaol }}\n{{ phase.name }}\n"
    diagnostics = run(root, 'context_template = "c.md"', **{"c.md": text})
    assert [(d.code, d.span.file, d.span.line, d.span.col) for d in diagnostics] == [
        ("OJ302", "c.md", 2, 12),
        ("OJ301", "c.md", 2, 20),
        ("OJ312", "c.md", 3, 10),
    ]
    assert diagnostics[1].span.byte_start == len("Hi {{ goal }}\n\t{{ config.x }} {{ ")


@pytest.mark.parametrize(
    "include, label",
    [("../secret.md", "outside the template directory"), ("parts/nope.md", "no such template")],
)
def test_includes_must_exist_inside_the_template_directory(
    root: Path, include: str, label: str
) -> None:
    files = {"secret.md": "x", "runbooks/parts/ok.md": "x"}
    prompt = f"prompt = \"{{% include 'parts/ok.md' %}}{{% include '{include}' %}}\""
    d = one(root, prompt, **files)
    assert (d.code, d.message, d.label) == ("OJ309", f"template `{include}` not found", label)
    assert d.notes == ("templates are looked up in `runbooks/` and may not leave it",)


# -- variables -------------------------------------------------------------------------------------


def test_locals_globals_and_method_calls_are_not_variables(root: Path) -> None:
    prompt = "{% set n = 1 %}{{ n }}{{ range(3) }}{{ config.items() }}{{ goal.upper() }}"
    prompt += "{% for k in files %}{{ k.x }}{% endfor %}{% macro m(a) %}{{ a }}{% endmacro %}"
    assert run(root, f'prompt = "{prompt}"') == []


def test_unknown_config_key_in_jinja(root: Path) -> None:
    first, second = run(root, "prompt = \"{{ config.bse }} {{ config['x'] }}\"")
    assert (first.code, first.message) == ("OJ302", "`config` has no key `bse`")
    assert (second.message, second.span.col, second.span.end_col) == (
        "`config` has no key `x`",
        38,
        41,
    )


def test_single_braces_of_variables_in_scope(root: Path) -> None:
    diagnostics = run(
        root, 'prompt = "On {branch} do {goal|upper}; {nope} {% raw %}{goal}{% endraw %}"'
    )
    assert [(d.code, d.span.col, d.message) for d in diagnostics] == [
        ("OJ310", 14, "`{branch}` is literal text in a Jinja prompt"),
        ("OJ310", 26, "`{goal|upper}` is literal text in a Jinja prompt"),
    ]
    fix = diagnostics[1].fix
    assert fix is not None and fix.applicability is Applicability.UNSAFE
    assert [e.replacement for e in fix.edits] == ["{{ goal | upper }}"]
    assert diagnostics[1].help == "write `{{ goal | upper }}`"


def test_single_braces_in_a_context_template_have_no_fix(root: Path) -> None:
    d = one(root, 'context_template = "c.md"', **{"c.md": "branch {branch}\n"})
    assert d.message == "`{branch}` is literal text in a Jinja template"
    assert d.fix is None


def test_dynamic_scopes_accept_unknown_roots_in_jinja(root: Path) -> None:
    text = """
[action.a]
cooldown = "1m"
task = "t"
[task.t]
prompt = "{{ whatever }} {{ config.nope }}"
"""
    diagnostics = templates(root, {"runbooks/r.toml": text})
    assert found(diagnostics) == [("OJ302", 6, 36)]


def test_jinja_is_imported_only_for_projects_with_prompts(root: Path) -> None:
    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "r.toml").write_text(
        '[pipeline.p]\nphase = [{ name = "a", run = "echo {name}" }]\n', encoding="utf-8"
    )
    code = (
        "import sys; from pathlib import Path; from ojlang.api import check; "
        "from ojlang.validator.checker import CheckOptions; "
        f"check(cwd=Path({str(root)!r}), options=CheckOptions(shellcheck=False)); "
        "print('jinja2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
