"""`oj fmt [PATHS] [--check]`: which files, what is printed, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ojlang.cli.main import main

MESSY = "[command.a]\nrun='true'\n[command.b]\nrun = 'true'\n"
CLEAN = "[command.a]\nrun = 'true'\n\n[command.b]\nrun = 'true'\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    (root / ".oj" / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "a.toml").write_text(MESSY, encoding="utf-8")
    (root / "runbooks" / "b.toml").write_text(CLEAN, encoding="utf-8")
    (root / ".oj" / "runbooks" / "c.toml").write_text(MESSY, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def oj(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(["fmt", *argv])
    code = exit_info.value.code
    assert isinstance(code, int)
    return code


def test_check_lists_the_files_that_would_change(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert oj("--check") == 1
    assert capsys.readouterr().out == (
        "Would reformat runbooks/a.toml\n"
        "Would reformat .oj/runbooks/c.toml\n"
        "2 files would be reformatted, 1 file already formatted.\n"
    )
    assert (project / "runbooks" / "a.toml").read_text(encoding="utf-8") == MESSY


def test_fmt_rewrites_the_project_runbooks(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert oj() == 0
    assert capsys.readouterr().out == "2 files reformatted, 1 file left unchanged.\n"
    for path in ("runbooks/a.toml", "runbooks/b.toml", ".oj/runbooks/c.toml"):
        assert (project / path).read_text(encoding="utf-8") == CLEAN
    assert oj("--check") == 0


def test_named_files_and_directories(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert oj("--check", "runbooks") == 1
    assert capsys.readouterr().out.endswith(
        "1 file would be reformatted, 1 file already formatted.\n"
    )
    assert oj("runbooks/b.toml") == 0


def test_a_file_that_is_not_toml(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "runbooks" / "bad.toml").write_text("[a\n", encoding="utf-8")
    assert oj("runbooks/bad.toml") == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("error: cannot format `runbooks/bad.toml`: 1:3: ")
    assert captured.err.endswith("(see `oj check runbooks/bad.toml`)\n")
    assert (
        captured.out
        == "0 files reformatted, 0 files left unchanged, 1 file could not be formatted.\n"
    )


def test_a_missing_path_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert oj("nope.toml") == 2
    assert "no such file or directory: `nope.toml`" in capsys.readouterr().err
