"""Every bundled runbook passes `oj check` with zero diagnostics (RUNTIME.md §11): no error,
warning or info, with shellcheck when it is installed; the demo scenario is a valid one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from e2e_kit import BIN

from ojlang.api import check

STDLIB = Path(__file__).resolve().parents[2] / "stdlib_runbooks"
NAMES = ["bugfix", "build", "janitor", "loop", "mergeq", "triager", "watchdog"]


def test_the_stdlib_has_the_seven_runbooks() -> None:
    assert sorted(p.stem for p in STDLIB.glob("*.toml")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_runbook_has_no_diagnostics(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OJ_STDLIB_DIR", str(STDLIB))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    shellcheck = shutil.which("shellcheck") is not None
    report = check([str(STDLIB / f"{name}.toml")], cwd=tmp_path, flags={"shellcheck": shellcheck})
    found = [f"{d.code} {d.span.line}:{d.span.col} {d.message}" for d in report.diagnostics]
    assert found == []


def test_oj_check_of_the_whole_stdlib_exits_0(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "oj"), "check", str(STDLIB)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No problems found in 7 runbooks" in done.stdout


def test_the_demo_scenario_is_valid() -> None:
    done = subprocess.run(
        [str(BIN / "oj-fake-agent"), "--check", str(STDLIB / "demo" / "agent.toml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
