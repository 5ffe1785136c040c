"""The shell family: OJ601 (`bash -n`), OJ602 (shellcheck, real or fake) and OJ603 (`oj emit`)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.api import CheckReport, check
from ojlang.errors import UsageError
from ojlang.validator.checker import CheckOptions
from ojlang.validator.checks.shell import line_range
from ojlang.validator.diagnostic import Severity
from ojlang.validator.explanations import EXPLANATIONS
from ojlang.validator.render import render

CODES = ("OJ601", "OJ602", "OJ603")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    (project / "runbooks").mkdir(parents=True)
    return project


def run(root: Path, text: str, *, shellcheck: bool = False, name: str = "r") -> CheckReport:
    (root / "runbooks" / f"{name}.toml").write_text(text, encoding="utf-8")
    return check(cwd=root, options=CheckOptions(shellcheck=shellcheck))


def found(report: CheckReport, codes: tuple[str, ...] = CODES) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in report.diagnostics if d.code in codes]


# -- OJ601 --------------------------------------------------------------------------------------

ML = '''[pipeline.p]
inputs = ["dir"]

[[pipeline.p.phase]]
name = "build"
run = """
cd {dir}
if [ -f Makefile ]; then
\tmake \\
    all
fi
done
"""
'''


def test_syntax_error_in_a_multiline_string_points_at_its_line(root: Path) -> None:
    report = run(root, ML)
    [d] = [d for d in report.diagnostics if d.code == "OJ601"]
    assert d.message == "shell syntax error near unexpected token `done`"
    assert (d.span.line, d.span.col, d.span.end_line, d.span.end_col) == (12, 1, 12, 5)
    assert d.runbook == "r"


def test_the_span_is_the_whole_decoded_line(root: Path, snapshot: SnapshotAssertion) -> None:
    text = '[cron.poll]\ninterval = "1m"\nenabled = true\nrun = "echo \\"a\\"; fi"\n'
    report = run(root, text)
    [d] = [d for d in report.diagnostics if d.code == "OJ601"]
    assert (d.span.line, d.span.col, d.span.end_col) == (4, 8, 22)
    out = render(report.diagnostics, "full", sources=report.sources, runbooks=1, color=False)
    assert out.stdout == snapshot


def test_end_of_file_errors_point_at_the_last_line(root: Path) -> None:
    text = '[command.c]\nrun = """\nif true; then\n  echo a\n\n"""\n'
    assert found(run(root, text)) == [("OJ601", 4, 1)]
    d = run(root, text).diagnostics[0]
    assert d.message == "shell syntax error: unexpected end of file"


def test_line_range_skips_blank_lines_back() -> None:
    text = "a\nbc\n\n"
    assert line_range(text, 2) == (2, 4)
    assert line_range(text, 4) == (2, 4)
    assert line_range(text, 99) == (2, 4)
    assert line_range("", 1) == (0, 0)


def test_interpolations_become_placeholders(root: Path) -> None:
    text = (
        '[command.c]\nargs = "<n> <word>"\n'
        'run = "echo $(( {n} + 1 )) {word | default(\\")\\")} {{x}} {word | upper(}"\n'
    )
    assert found(run(root, text), ("OJ601",)) == []


def test_every_shell_field_is_checked(root: Path) -> None:
    bad = "fi"
    text = f"""
[command.c]
run = "{bad}"

[cron.k]
interval = "1m"
enabled = true
run = "{bad}"

[queue.q]
source = "{bad}"
dead = {{ on_add = "{bad}" }}

[pipeline.p]
phase = [
  {{ name = "a", run = "{bad}", next = "b" }},
  {{ name = "b", task = "t", pre = ["g"] }},
  {{ name = "c", strategy = "s" }},
]

[task.t]
prompt = "hi"
command = "{bad}"
checkpoint = "{bad}"
prime = ["{bad}", "{bad}"]
vars = [{{ name = "v", source = "{bad}" }}]

[guard.g]
condition = "{bad}"
on_timeout = "{bad}"

[strategy.s]
checkpoint = "{bad}"
attempt = [{{ name = "x", run = "{bad}", rollback = "{bad}" }}]

[watcher.w]
source = {{ type = "command", command = "{bad}", pattern = "{bad}" }}
condition = "{bad}"
check_interval = "1m"

[watcher.w2]
source = "{bad}"
check_interval = "1m"

[scanner.sc]
source = "{bad}"
condition = "{bad}"
cleanup = "{bad}"
interval = "1m"

[action.a]
cooldown = "1m"
command = "{bad}"

[action.b]
cooldown = "1m"
run = "{bad}"

[events]
on_complete = "{bad}"

[functions]
f = "{bad}"
g = {{ params = ["x"], run = "{bad}" }}
"""
    report = run(root, text)
    assert len([d for d in report.diagnostics if d.code == "OJ601"]) == 27


def test_bash_missing_is_a_usage_error(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(root / "empty"))
    with pytest.raises(UsageError, match="`bash`"):
        run(root, '[command.c]\nrun = "echo"\n')
    # No shell field, no need for bash.
    assert found(run(root, "[lock.l]\n", name="r")) == []


def test_cli_exits_2_without_bash(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ojlang.cli.main import main

    (root / "runbooks" / "r.toml").write_text('[command.c]\nrun = "echo"\n', encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("PATH", str(root / "empty"))
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--no-shellcheck"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error: `oj check` needs `bash`" in err
    assert "help: install bash" in err


# -- OJ602 --------------------------------------------------------------------------------------

FAKE = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["FAKE_SC_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
print(os.environ["FAKE_SC_OUT"])
"""


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake `shellcheck` first on PATH; returns its log (one JSON argv per run)."""
    tool = tmp_path / "bin" / "shellcheck"
    tool.parent.mkdir()
    tool.write_text(FAKE, encoding="utf-8")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_SC_LOG", str(tmp_path / "sc.log"))
    return tmp_path / "sc.log"


def sc_out(
    monkeypatch: pytest.MonkeyPatch, *comments: tuple[int, int, int, int, str, int, str]
) -> None:
    items = [
        {
            "file": f"{index}.sh",
            "line": line,
            "endLine": line,
            "column": col,
            "endColumn": end_col,
            "level": level,
            "code": code,
            "message": message,
            "fix": None,
        }
        for index, line, col, end_col, level, code, message in comments
    ]
    monkeypatch.setenv("FAKE_SC_OUT", json.dumps({"comments": items}))


SC_RUNBOOK = '''[pipeline.p]
inputs = ["dir", "x"]

[[pipeline.p.phase]]
name = "a"
run = """
echo ok
\tcd docs; make"""

[[pipeline.p.phase]]
name = "b"
run = "test -z {x} && echo 'it''s'"

[[pipeline.p.phase]]
name = "c"
run = "if true; then fi"
'''


def test_fake_shellcheck_findings_map_into_the_file(
    root: Path, fake: Path, monkeypatch: pytest.MonkeyPatch, snapshot: SnapshotAssertion
) -> None:
    sc_out(
        monkeypatch,
        (
            0,
            2,
            2,
            9,
            "warning",
            2164,
            "Use 'cd ... || exit' or 'cd ... || return' in case cd fails.",
        ),
        (0, 1, 1, 5, "style", 2005, "Useless echo? Instead of 'echo $(cmd)', just use 'cmd'."),
        (1, 1, 9, 12, "error", 2157, "Argument to -z is always false due to literal strings."),
        (1, 1, 21, 28, "info", 2026, "This word is outside of quotes."),
    )
    report = run(root, SC_RUNBOOK, shellcheck=True)
    sc = [d for d in report.diagnostics if d.code == "OJ602"]
    assert [(d.span.line, d.span.col, d.span.end_col, d.severity) for d in sc] == [
        (7, 1, 5, Severity.INFO),
        (8, 2, 9, Severity.WARNING),
        (12, 28, 35, Severity.INFO),
    ]
    assert sc[1].message == "SC2164: use `cd ... || exit` or `cd ... || return` in case cd fails"
    assert sc[0].message == "SC2005: useless echo? Instead of `echo $(cmd)`, just use `cmd`"
    # Phase `c` has a syntax error: bash reports it, shellcheck never sees the field.
    assert json.loads(fake.read_text()) == ["--format=json1", "--shell=bash", "0.sh", "1.sh"]
    out = render(sc, "full", sources=report.sources, runbooks=1, color=False)
    assert out.stdout == snapshot


def test_no_shellcheck_option_skips_it(
    root: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sc_out(monkeypatch, (0, 1, 1, 2, "error", 1000, "x"))
    assert found(run(root, SC_RUNBOOK, shellcheck=False), ("OJ602",)) == []
    assert not fake.exists()


def test_a_broken_shellcheck_reports_nothing(
    root: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SC_OUT", "Segmentation fault")
    assert found(run(root, SC_RUNBOOK, shellcheck=True), ("OJ602",)) == []


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="needs shellcheck")
def test_real_shellcheck(root: Path) -> None:
    report = run(root, SC_RUNBOOK, shellcheck=True)
    # SC2157 (`-z` of a placeholder) is the placeholder's doing and is dropped.
    assert found(report, ("OJ602",)) == [("OJ602", 8, 2)]


# -- OJ603 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run_text, expected",
    [
        ("oj emit pipeline:complete", [("OJ603", 3, 16)]),
        ("make && oj emit --subject x task:done:x", [("OJ603", 3, 36)]),
        ("\\\"oj\\\" emit 'queue:x' --data a=b", [("OJ603", 3, 20)]),
        ("sudo oj emit daemon:x", [("OJ603", 3, 21)]),
        ("echo $(oj emit lock:x)", [("OJ603", 3, 23)]),
        ("oj emit build:complete", []),
        ("oj emit pipeline", []),
        ("echo oj emit pipeline:x", []),
        ("oj emit {scope}:x", []),
        ("oj emit build:{x}", []),
        ("# oj emit pipeline:x", []),
        ("oj emit", []),
    ],
)
def test_emit_reserved_scope(
    root: Path, run_text: str, expected: list[tuple[str, int, int]]
) -> None:
    text = f'[command.c]\nargs = "[scope] [x]"\nrun = "{run_text}"\n'
    assert found(run(root, text), ("OJ603",)) == expected


def test_emit_reserved_scope_message(root: Path) -> None:
    report = run(root, '[command.c]\nrun = "oj emit pipeline:complete"\n')
    [d] = report.diagnostics
    assert d.message == "`oj emit pipeline:complete` will be refused: `pipeline` is reserved"
    assert d.help == "use a custom scope, e.g. `build:complete`"
    assert (d.span.col, d.span.end_col) == (16, 33)


# -- oj explain examples --------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_explanation_examples(code: str) -> None:
    if code == "OJ602" and shutil.which("shellcheck") is None:
        pytest.skip("needs shellcheck")
    entry = EXPLANATIONS[code]
    for text, path, expect in (
        (entry.bad, entry.path, True),
        (entry.good, entry.fixed_path, False),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp)
            target = project / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            report = check(cwd=project, options=CheckOptions(shellcheck=True))
            assert (code in {d.code for d in report.diagnostics}) is expect, (code, path)
