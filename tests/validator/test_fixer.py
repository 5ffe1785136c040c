"""Applying fixes: span edits on the original bytes, overlaps, broken results, rounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from ojlang.api import check
from ojlang.parser.spans import Span
from ojlang.validator.checker import CheckOptions
from ojlang.validator.diagnostic import Applicability, Diagnostic, Edit, Fix, diag
from ojlang.validator.fixer import applicable, apply_fixes, fix_rounds, fixed_lines

PATH = "runbooks/r.toml"


def span(data: bytes, a: int, b: int) -> Span:
    """A span of bytes [a, b) of one-line `data` (columns = bytes, ASCII)."""
    return Span(PATH, 1, a + 1, 1, b + 1, a, b)


def fixing(data: bytes, *edits: tuple[int, int, str], how: str = "safe") -> Diagnostic:
    fix = Fix(
        Applicability(how),
        "fix",
        tuple(Edit(span(data, a, b), text) for a, b, text in edits),
    )
    return diag("OJ102", "x", span(data, 0, 1), fix=fix)


DATA = b'[task.t]\ntimout = "1h"\nidle_timeout = 60\n'


def test_edits_apply_from_the_end_and_keep_everything_else() -> None:
    a = fixing(DATA, (9, 15, "timeout"))
    b = fixing(DATA, (38, 40, '"60s"'))
    result = apply_fixes(DATA, PATH, [b, a])
    assert result.data == b'[task.t]\ntimeout = "1h"\nidle_timeout = "60s"\n'
    assert (result.fixed, result.broken) == (2, ())


def test_an_overlapping_fix_waits_for_the_next_round() -> None:
    a = fixing(DATA, (9, 15, "timeout"))
    b = fixing(DATA, (12, 15, "x"))
    result = apply_fixes(DATA, PATH, [b, a])
    assert result.fixed == 1
    assert result.data == b'[task.t]\ntimeout = "1h"\nidle_timeout = 60\n'


def test_two_insertions_at_one_point_overlap() -> None:
    a = fixing(DATA, (9, 9, "a"))
    b = fixing(DATA, (9, 9, "b"))
    assert apply_fixes(DATA, PATH, [a, b]).fixed == 1


def test_the_same_fix_of_two_diagnostics_is_applied_once_and_counts_twice() -> None:
    a = fixing(DATA, (9, 15, "timeout"))
    result = apply_fixes(DATA, PATH, [a, a])
    assert result.fixed == 2
    assert result.data.count(b"timeout") == 2  # `timeout` and `idle_timeout`


def test_a_fix_that_breaks_the_file_is_skipped() -> None:
    good = fixing(DATA, (38, 40, '"60s"'))
    bad = fixing(DATA, (9, 15, "time out"))
    result = apply_fixes(DATA, PATH, [good, bad])
    assert result.data == b'[task.t]\ntimout = "1h"\nidle_timeout = "60s"\n'
    assert result.fixed == 1
    assert result.broken == (bad.fix,)


def test_edits_of_another_file_or_past_the_end_are_ignored() -> None:
    other = Diagnostic(
        "OJ102",
        fixing(DATA, (0, 1, "x")).severity,
        "x",
        span(DATA, 0, 1),
        fix=Fix(Applicability.SAFE, "f", (Edit(Span("other.toml", 1, 1, 1, 2, 0, 1), "x"),)),
    )
    past = fixing(DATA, (100, 101, "x"))
    assert apply_fixes(DATA, PATH, [other, past]).fixed == 0


@pytest.mark.parametrize(
    ("how", "unsafe", "expected"),
    [
        ("safe", False, True),
        ("unsafe", False, False),
        ("unsafe", True, True),
        ("display", True, False),
    ],
)
def test_applicability(how: str, unsafe: bool, expected: bool) -> None:
    assert applicable(fixing(DATA, (0, 1, "x"), how=how), unsafe) is expected


def test_fixed_lines() -> None:
    assert fixed_lines({"a.toml": 1, "b.toml": 3}) == (
        "Fixed 1 problem in a.toml.\nFixed 3 problems in b.toml.\n"
    )


# -- rounds ----------------------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    (project / "runbooks").mkdir(parents=True)
    return project


TASK = """# the coder
[task.coder]   # agent
prompt = "Write {goal}"
timout = "3h"       # aligned
idle_timeout = 120

[pipeline.p]
inputs = ["goal"]
phase = [{ name = "a", task = "coder" }]
"""


def test_rounds_fix_the_files_and_return_the_report_of_what_is_left(root: Path) -> None:
    path = root / "runbooks" / "r.toml"
    path.write_text(TASK, encoding="utf-8")
    options = CheckOptions(shellcheck=False)
    outcome = fix_rounds(lambda: check(cwd=root, options=options), root)
    assert outcome.fixed == {PATH: 2}
    assert path.read_text(encoding="utf-8") == TASK.replace("timout", "timeout").replace(
        "120", '"120s"'
    )
    assert [d.code for d in outcome.report.diagnostics] == ["OJ310"]
    outcome = fix_rounds(lambda: check(cwd=root, options=options), root, unsafe=True)
    assert outcome.fixed == {PATH: 1}
    assert 'prompt = "Write {{ goal }}"' in path.read_text(encoding="utf-8")
    assert outcome.report.diagnostics == ()


def test_suppressed_diagnostics_are_not_fixed(root: Path) -> None:
    path = root / "runbooks" / "r.toml"
    text = TASK.replace('timout = "3h"', 'timout = "3h"  # oj: ignore[OJ102]')
    path.write_text(text, encoding="utf-8")
    options = CheckOptions(shellcheck=False)
    outcome = fix_rounds(lambda: check(cwd=root, options=options), root)
    assert outcome.fixed == {PATH: 1}
    assert "timout" in path.read_text(encoding="utf-8")


def test_rounds_stop_when_a_fix_keeps_coming_back(root: Path) -> None:
    from ojlang.validator.checker import CheckReport

    path = root / "runbooks" / "r.toml"
    path.write_text("[meta]\n", encoding="utf-8")
    calls = []

    def endless() -> CheckReport:
        calls.append(1)
        data = path.read_bytes()
        d = fixing(data, (len(data) - 1, len(data) - 1, "\n"))
        return CheckReport((d,), {PATH: data.decode()}, 1)

    outcome = fix_rounds(endless, root)
    assert outcome.fixed == {PATH: 10}
    assert len(calls) == 11
