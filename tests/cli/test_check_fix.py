"""`oj check --fix [--unsafe-fixes]`: files fixed in place, what is printed, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ojlang.cli.main import main

TASK = """[task.coder]
prompt = "Write {goal}"
timout = "3h"

[pipeline.p]
inputs = ["goal"]
phase = [{ name = "a", task = "coder" }]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "r.toml").write_text(TASK, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def oj(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--no-shellcheck", *argv])
    code = exit_info.value.code
    assert isinstance(code, int)
    return code


def test_fix_prints_what_it_fixed_then_the_rest(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert oj("--format", "concise") == 1
    assert oj("--fix", "--format", "concise") == 0
    out = capsys.readouterr().out.split("Found 1 error and 1 warning in 1 runbook.\n", 1)[1]
    assert out.splitlines()[:2] == [
        "For more information, try `oj explain OJ310`.",
        "Fixed 1 problem in runbooks/r.toml.",
    ]
    assert "warning[OJ310]" in out
    text = (project / "runbooks" / "r.toml").read_text(encoding="utf-8")
    assert text == TASK.replace("timout", "timeout")


def test_unsafe_fixes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert oj("--fix", "--unsafe-fixes", "--format", "concise") == 0
    out = capsys.readouterr().out
    assert out == "Fixed 2 problems in runbooks/r.toml.\nNo problems found in 1 runbook.\n"


def test_unsafe_fixes_need_fix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert oj("--unsafe-fixes") == 2
    assert "`--unsafe-fixes` only applies with `--fix`" in capsys.readouterr().err


def test_machine_formats_keep_stdout_parseable(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert oj("--fix", "--format", "json") == 0
    captured = capsys.readouterr()
    assert [d["code"] for d in json.loads(captured.out)] == ["OJ310"]
    assert captured.err.startswith("Fixed 1 problem in runbooks/r.toml.\n")


def test_fix_with_nothing_to_fix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "runbooks" / "r.toml").write_text("[meta]\n", encoding="utf-8")
    assert oj("--fix", "--format", "concise") == 0
    assert capsys.readouterr().out == "No problems found in 1 runbook.\n"
