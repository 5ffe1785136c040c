"""Security: a value interpolated into a shell field is data in every context the lexer knows.

Each template prints the value through `printf %s` in one shell context (plain, quotes,
`$(…)`, backticks nested once and twice, heredocs); for random values the rendered script run
by bash prints the value back unchanged and creates no file (LANGUAGE.md §4.1.4).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ojlang.compiler.templates import compile_text
from ojlang.runtime.core.templates import render_template

TEMPLATES = [
    "printf %s {v}",
    'printf %s "{v}"',
    "printf %s '{v}'",
    "printf %s $'{v}'",
    'printf %s "$(printf %s {v})"',
    'printf %s "`printf %s {v}`"',
    'printf %s "$(printf %s "`printf %s {v}`")"',
]
# Unquoted substitutions: the author's own word splitting changes the value, but it must
# still never run as code.
UNQUOTED = [
    "printf %s $(printf %s {v})",
    "printf %s `printf %s {v}`",
    "printf %s `printf %s \\`printf %s {v}\\``",
    'printf %s "`printf %s \\`printf %s {v}\\``"',
]
ATTACKS = [
    "'; touch PWNED #",
    "$(touch PWNED)",
    "`touch PWNED`",
    "`; touch PWNED; echo `",
    "x`;touch PWNED;`",
    "a\\$(touch PWNED)b",
    "\\`touch PWNED\\`",
    "q'`touch PWNED`'",
    '"; touch PWNED; "',
]


def run(template: str, value: str, cwd: Path) -> str:
    script = render_template(compile_text(template, shell=True), {"v": value})
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        cwd=cwd,
        capture_output=True,
        timeout=10,
        check=False,
    )
    return proc.stdout.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("template", TEMPLATES + UNQUOTED)
@pytest.mark.parametrize("value", ATTACKS)
def test_attacks_stay_text(template: str, value: str, tmp_path: Path) -> None:
    out = run(template, value, tmp_path)
    assert not (tmp_path / "PWNED").exists()
    if template in TEMPLATES:
        assert out == value


# Values without NUL (a render error) and without a trailing newline (command substitution
# strips those, whatever the escaping).
VALUES = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
    max_size=30,
).filter(lambda v: not v.endswith("\n"))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=VALUES, template=st.sampled_from(TEMPLATES + UNQUOTED))
def test_random_values_round_trip(value: str, template: str, tmp_path: Path) -> None:
    out = run(template, value, tmp_path)
    assert list(tmp_path.iterdir()) == []
    if template in TEMPLATES:
        assert out == value
