"""Running the shell tools: `bash -n` in one bash process when all parse, shellcheck in one."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ojlang.validator import shellrun
from ojlang.validator.shellrun import (
    BashError,
    Finding,
    ToolError,
    bash_syntax_errors,
    shellcheck_findings,
)

BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="needs bash")


@needs_bash
def test_clean_scripts_have_no_errors() -> None:
    assert BASH is not None
    scripts = ["echo a", "if true; then :; fi", "cat <<EOF\nx\nEOF", "f() { :; }; f", ""]
    assert bash_syntax_errors(BASH, scripts) == {}


@needs_bash
def test_errors_carry_bash_message_and_script_line() -> None:
    assert BASH is not None
    scripts = [
        "echo ok",
        "if [ -f x ]; then exit 0; fi; fi",
        "echo a\nif true; then\n  echo b\n",
        'echo a\necho "open\necho b',
        "echo a; }",
        "case x in\n  a) echo ;;\n  esac )",
    ]
    assert bash_syntax_errors(BASH, scripts) == {
        1: BashError(1, 1, "syntax error near unexpected token `fi'"),
        2: BashError(2, 4, "syntax error: unexpected end of file"),
        3: BashError(3, 2, "unexpected EOF while looking for matching `\"'"),
        4: BashError(4, 1, "syntax error near unexpected token `}'"),
        5: BashError(5, 3, "syntax error near unexpected token `)'"),
    }


@needs_bash
def test_a_script_that_only_fails_when_wrapped_is_fine() -> None:
    assert BASH is not None
    # bash -n only warns about a heredoc cut by the end of the script.
    assert bash_syntax_errors(BASH, ["cat <<EOF\nno end", "echo b"]) == {}


@needs_bash
def test_a_closing_brace_cannot_hide_an_error_from_the_wrapper() -> None:
    assert BASH is not None
    # Wrapped in `f() {` … `}` this parses; alone it does not.
    assert bash_syntax_errors(BASH, ["echo a; }; { echo b"]) == {
        0: BashError(0, 1, "syntax error near unexpected token `}'")
    }


@needs_bash
def test_many_scripts_and_one_error_are_narrowed_down() -> None:
    assert BASH is not None
    scripts = [f"echo {i}" for i in range(100)]
    scripts[57] = "echo a\n)"
    assert bash_syntax_errors(BASH, scripts) == {
        57: BashError(57, 2, "syntax error near unexpected token `)'")
    }


@needs_bash
def test_nothing_is_executed(tmp_path: Path) -> None:
    assert BASH is not None
    marks = [tmp_path / f"m{i}" for i in range(4)]
    scripts = [
        f"touch {marks[0]}",
        f"touch {marks[1]}; fi",  # an error: the driver runs
        f"touch {marks[2]}; }}; {{ touch {marks[3]}",  # escapes a wrapper
        f"echo $(touch {marks[0]})",
    ]
    errors = bash_syntax_errors(BASH, scripts)
    assert sorted(errors) == [1, 2]
    assert [m.exists() for m in marks] == [False] * 4


@needs_bash
def test_nul_characters_do_not_cut_scripts() -> None:
    assert BASH is not None
    assert bash_syntax_errors(BASH, ["echo a\x00b; fi"])[0].line == 1


def test_missing_bash_is_a_tool_error(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="cannot run"):
        bash_syntax_errors(str(tmp_path / "no-bash"), ["fi"])


@needs_bash
@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", blacklist_characters="\x00")))
def test_ansi_c_quoting_round_trips_through_bash(text: str) -> None:
    assert BASH is not None
    script = f"printf '%s' {shellrun._ansi_c(text)}"
    out = subprocess.run([BASH, "-c", script], capture_output=True, check=False, timeout=30)
    assert out.stdout.decode("utf-8", errors="surrogateescape") == text


# -- shellcheck ---------------------------------------------------------------------------------

FAKE = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["FAKE_SC_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
print(os.environ.get("FAKE_SC_OUT", '{"comments": []}'))
"""


@pytest.fixture
def fake_shellcheck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    tool = tmp_path / "bin" / "shellcheck"
    tool.parent.mkdir()
    tool.write_text(FAKE, encoding="utf-8")
    tool.chmod(0o755)
    monkeypatch.setenv("FAKE_SC_LOG", str(tmp_path / "log"))
    return tool


def comment(
    file: str, line: int, col: int, end_col: int, level: str, code: int
) -> dict[str, object]:
    return {
        "file": file,
        "line": line,
        "endLine": line,
        "column": col,
        "endColumn": end_col,
        "level": level,
        "code": code,
        "message": "Some text.",
        "fix": None,
    }


def test_shellcheck_runs_once_on_all_scripts(
    fake_shellcheck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = {
        "comments": [comment("1.sh", 2, 3, 5, "style", 2086), comment("0.sh", 1, 1, 3, "error", 1)]
    }
    monkeypatch.setenv("FAKE_SC_OUT", json.dumps(out))
    found = shellcheck_findings(str(fake_shellcheck), ["a", "b", "c"])
    assert found == [
        Finding(1, 2, 3, 2, 5, "style", 2086, "Some text."),
        Finding(0, 1, 1, 1, 3, "error", 1, "Some text."),
    ]
    calls = [json.loads(line) for line in (tmp_path / "log").read_text().splitlines()]
    assert calls == [["--format=json1", "--shell=bash", "0.sh", "1.sh", "2.sh"]]


def test_shellcheck_entries_that_make_no_sense_are_skipped(
    fake_shellcheck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = {"comments": [{"file": "x.sh"}, comment("7.sh", 1, 1, 2, "info", 1), "junk"]}
    monkeypatch.setenv("FAKE_SC_OUT", json.dumps(out))
    assert shellcheck_findings(str(fake_shellcheck), ["a"]) == []


def test_shellcheck_output_that_is_not_json_is_a_tool_error(
    fake_shellcheck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SC_OUT", "oops")
    with pytest.raises(ToolError):
        shellcheck_findings(str(fake_shellcheck), ["a"])


def test_no_scripts_run_no_shellcheck(fake_shellcheck: Path, tmp_path: Path) -> None:
    assert shellcheck_findings(str(fake_shellcheck), []) == []
    assert not (tmp_path / "log").exists()


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="needs shellcheck")
def test_real_shellcheck_counts_a_tab_as_one_column() -> None:
    tool = shutil.which("shellcheck")
    assert tool is not None
    found = shellcheck_findings(tool, ["echo ok", "\tcd docs; make"])
    assert [(f.index, f.line, f.column, f.end_column, f.code) for f in found] == [
        (1, 1, 2, 9, 2164)
    ]


@pytest.mark.parametrize("name", ["bash", "sh", "shellcheck", "no-such-tool-oj", "/bin/sh"])
def test_which_finds_what_shutil_finds(name: str) -> None:
    from ojlang.validator.shellrun import which

    assert which(name) == shutil.which(name)
