"""Snapshots of every `oj check` format for a varied set of hand-built diagnostics."""

from __future__ import annotations

import json

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.parser.spans import Span
from ojlang.validator.diagnostic import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    Label,
    Severity,
    diag,
)
from ojlang.validator.render import FORMATS, render
from ojlang.validator.render import sarif as sarif_module

SHIP = "runbooks/ship.toml"
BUGFIX = "runbooks/bug,fix.toml"
MISSING = "runbooks/gone.toml"

SHIP_TEXT = """\
[pipeline.ship]
inputs = ["goal"]
phase = [
  { name = "plan", task = "planner", next = "biuld" },
  { name = "build", run = "make" },
]

[task.planner]
prompt = \"\"\"
Plan {{ goal }} ✓
then {{ gaol }} 日本 {{ gaol }}
\"\"\"

[guard.ready]
condition = "\ttest -f {fil}"
timeout = "1h"

[action.page]
cooldown = "5m"
rules = [{ command = "x", run = "y", then = "escalate" }]

[semaphore.agents]
max = 4
"""

BUGFIX_TEXT = """\
[semaphore.agents]
max = 2
"""


def span_at(
    file: str, source: str, line: int, col: int, end_col: int, end_line: int | None = None
) -> Span:
    """A span with byte offsets computed from `source`."""
    end_line = line if end_line is None else end_line
    lines = source.split("\n")

    def byte(ln: int, c: int) -> int:
        before = sum(len(x.encode()) + 1 for x in lines[: ln - 1])
        return before + len(lines[ln - 1][: c - 1].encode())

    return Span(file, line, col, end_line, end_col, byte(line, col), byte(end_line, end_col))


def ship(line: int, col: int, end_col: int, end_line: int | None = None) -> Span:
    return span_at(SHIP, SHIP_TEXT, line, col, end_col, end_line)


def bugfix(line: int, col: int, end_col: int) -> Span:
    return span_at(BUGFIX, BUGFIX_TEXT, line, col, end_col)


def varied() -> list[Diagnostic]:
    """Labels on one line and on other lines and files, notes, help, fixes, tabs, unicode."""
    return [
        diag(
            "OJ203",
            "undefined phase `biuld`",
            ship(4, 45, 52),
            "no phase with this name in pipeline `ship`",
            labels=(Label(ship(5, 12, 19), "a phase with a similar name"),),
            help="a phase with a similar name exists: `build`",
            fix=Fix(
                Applicability.SAFE,
                "rename to `build`",
                (Edit(ship(4, 45, 52), '"build"'),),
            ),
        ),
        diag(
            "OJ301",
            "undefined variable `gaol`",
            ship(11, 9, 13),
            "not defined in pipeline `ship`",
            labels=(
                Label(ship(11, 23, 27), ""),
                Label(ship(2, 11, 17), "did you mean this input?"),
            ),
            notes=("used twice in this field",),
            help="a variable with a similar name exists: `goal`",
        ),
        diag(
            "OJ308",
            "jinja syntax error: something spans lines",
            ship(9, 10, 4, end_line=12),
            "this template",
        ),
        diag(
            "OJ301",
            "undefined variable `fil`",
            ship(15, 24, 27),
            "not defined here",
            notes=("guard `ready` is used by no phase\nso only its own scope applies",),
        ),
        diag(
            "OJ701",
            "`{fil | raw}` is inserted into shell without escaping",
            ship(16, 1, 8),
            "",
        ),
        diag(
            "OJ110",
            "rule 1 of `[action.page]` sets both `command` and `then`",
            ship(20, 28, 31),
            "second body",
            labels=(
                Label(ship(20, 12, 19), "first body"),
                Label(ship(20, 38, 42), "and a verb"),
                Label(ship(19, 1, 9), ""),
            ),
            help="keep one",
        ),
        diag(
            "OJ208",
            "semaphore `agents` has `max = 4` here but `max = 2` in runbook `bug,fix`",
            ship(23, 7, 8),
            "4 slots",
            labels=(
                Label(bugfix(2, 7, 8), "2 slots"),
                Label(ship(14, 1, 14), "far away"),
            ),
        ),
        diag(
            "OJ001",
            "expected a value: 100% sure, really",
            bugfix(2, 8, 8),
            "here",
            help="line one\nline two",
        ),
        diag(
            "OJ903",
            "cron `nightly` starts disabled",
            span_at(MISSING, "", 1, 1, 1),
            "",
            fix=Fix(Applicability.UNSAFE, "add `enabled = true`", ()),
        ),
        diag(
            "OJ602",
            "SC2086: double quote to prevent globbing",
            ship(15, 14, 28),
            "unquoted",
            severity=Severity.INFO,
        ),
    ]


SOURCES = {SHIP: SHIP_TEXT, BUGFIX: BUGFIX_TEXT}


@pytest.fixture(autouse=True)
def fixed_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif_module, "tool_version", lambda: "0.0.0-test")


def shown(fmt: str, stdout: str) -> object:
    """What the snapshot keeps: the text, except that SARIF rules become their count."""
    if fmt != "sarif":
        return stdout
    log = json.loads(stdout)
    driver = log["runs"][0]["tool"]["driver"]
    driver["rules"] = f"<{len(driver['rules'])} rules>"
    return log


@pytest.mark.parametrize("fmt", FORMATS)
def test_varied(fmt: str, snapshot: SnapshotAssertion) -> None:
    out = render(varied(), fmt, sources=SOURCES, runbooks=2)
    assert {"stdout": shown(fmt, out.stdout), "stderr": out.stderr} == snapshot


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty(fmt: str, snapshot: SnapshotAssertion) -> None:
    out = render([], fmt, sources={}, runbooks=3)
    assert {"stdout": shown(fmt, out.stdout), "stderr": out.stderr} == snapshot


def test_full_in_colour(snapshot: SnapshotAssertion) -> None:
    out = render(varied()[:6], "full", sources=SOURCES, runbooks=1, color=True)
    assert out.stdout == snapshot


def test_concise_in_colour(snapshot: SnapshotAssertion) -> None:
    out = render(varied(), "concise", sources=SOURCES, runbooks=1, color=True)
    assert out.stdout == snapshot


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_escapes_without_colour(fmt: str) -> None:
    out = render(varied(), fmt, sources=SOURCES, runbooks=1)
    assert "\x1b" not in out.stdout + out.stderr


@pytest.mark.parametrize("fmt", ["json", "json-lines", "github", "sarif"])
def test_machine_formats_are_never_coloured(fmt: str) -> None:
    out = render(varied(), fmt, sources=SOURCES, runbooks=1, color=True)
    assert "\x1b" not in out.stdout + out.stderr


def test_colour_marks_severity_and_gutter() -> None:
    out = render(varied()[:1], "full", sources=SOURCES, runbooks=1, color=True).stdout
    assert "\x1b[1;31merror[OJ203]\x1b[0m" in out
    assert "\x1b[1;31m^^^^^^^ no phase with this name in pipeline `ship`\x1b[0m" in out
    assert "\x1b[1;34m------- a phase with a similar name\x1b[0m" in out
    assert "\x1b[1;34m  |\x1b[0m" in out


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format `xml`"):
        render([], "xml", sources={}, runbooks=1)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((1, 0, 0, 1), "Found 1 error in 1 runbook."),
        ((2, 0, 0, 2), "Found 2 errors in 2 runbooks."),
        ((0, 1, 0, 1), "Found 1 warning in 1 runbook."),
        ((0, 3, 0, 1), "Found 3 warnings in 1 runbook."),
        ((0, 0, 1, 1), "Found 1 info in 1 runbook."),
        ((0, 0, 4, 1), "Found 4 info in 1 runbook."),
        ((1, 0, 2, 1), "Found 1 error and 2 info in 1 runbook."),
        ((2, 1, 0, 1), "Found 2 errors and 1 warning in 1 runbook."),
        ((0, 2, 1, 1), "Found 2 warnings and 1 info in 1 runbook."),
        ((2, 1, 3, 5), "Found 2 errors, 1 warning and 3 info in 5 runbooks."),
    ],
)
def test_summary_counts(counts: tuple[int, int, int, int], expected: str) -> None:
    errors, warnings, infos, runbooks = counts
    span = span_at("a.toml", "x\n", 1, 1, 2)
    diags = (
        [diag("OJ301", "e", span)] * errors
        + [diag("OJ303", "w", span)] * warnings
        + [diag("OJ903", "i", span)] * infos
    )
    out = render(diags, "concise", sources={}, runbooks=runbooks).stdout
    first_code = diags[0].code
    assert out.endswith(f"{expected}\nFor more information, try `oj explain {first_code}`.\n")


@pytest.mark.parametrize(("runbooks", "word"), [(0, "0 runbooks"), (1, "1 runbook")])
def test_clean_summary(runbooks: int, word: str) -> None:
    out = render([], "full", sources={}, runbooks=runbooks)
    assert out.stdout == f"No problems found in {word}.\n"


@pytest.mark.parametrize("fmt", ["json", "json-lines", "github", "sarif"])
def test_machine_formats_put_the_summary_on_stderr(fmt: str) -> None:
    out = render(varied(), fmt, sources=SOURCES, runbooks=2)
    assert "Found" not in out.stdout
    assert out.stderr.startswith("Found 7 errors, 1 warning and 2 info in 2 runbooks.\n")


def test_json_records_have_the_spec_keys() -> None:
    records = json.loads(render(varied(), "json", sources=SOURCES, runbooks=1).stdout)
    assert [r["path"] for r in records] == sorted(r["path"] for r in records)
    keys = {"code", "slug", "severity", "message", "path", "runbook", "span", "labels"}
    keys |= {"notes", "help", "fix"}
    span_keys = {"line", "col", "end_line", "end_col", "byte_start", "byte_end"}
    for rec in records:
        assert set(rec) == keys
        assert set(rec["span"]) == span_keys
        assert rec["labels"][0]["primary"] is True
        assert rec["labels"][0]["span"] == rec["span"]
        assert all(set(label["span"]) == span_keys for label in rec["labels"])
    lines = render(varied(), "json-lines", sources=SOURCES, runbooks=1).stdout.splitlines()
    assert [json.loads(line) for line in lines] == records


def test_json_runbook_falls_back_to_the_file_stem() -> None:
    span = span_at("prompts/plan.md", "x\n", 1, 1, 2)
    diags = [
        diag("OJ301", "e", span_at(SHIP, SHIP_TEXT, 1, 1, 2)),
        diag("OJ301", "e", span),
        diag("OJ301", "e", span, runbook="ship"),
    ]
    records = json.loads(render(diags, "json", sources={}, runbooks=1).stdout)
    assert [r["runbook"] for r in records] == [None, "ship", "ship"]
