"""`oj explain` examples are tests: each failing example reports its code, and each fixed
example checks clean (LANGUAGE.md §8; STYLE.md lesson 13)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ojlang.api import check
from ojlang.validator.explanations import EXPLANATIONS

CODES = sorted(code for code, e in EXPLANATIONS.items() if e.checkable)


def run(tmp_path: Path, code: str, which: str) -> set[str]:
    e = EXPLANATIONS[code]
    text = e.bad if which == "bad" else e.good
    path = e.path if which == "bad" else (getattr(e, "good_path", None) or e.path)
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "runbooks").mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    for name, content in e.files:
        extra = tmp_path / name
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(content, encoding="utf-8")
    report = check([], cwd=tmp_path, flags={"shellcheck": code == "OJ602"})
    return {d.code for d in report.diagnostics}


@pytest.fixture(autouse=True)
def _alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.mark.parametrize("code", CODES)
def test_failing_example_reports_its_code(code: str, tmp_path: Path) -> None:
    if code == "OJ602" and shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed")
    assert code in run(tmp_path, code, "bad")


@pytest.mark.parametrize("code", CODES)
def test_fixed_example_does_not(code: str, tmp_path: Path) -> None:
    assert code not in run(tmp_path, code, "good")
