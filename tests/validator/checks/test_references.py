"""The references family: OJ211 order under any hash seed, OJ201 help for action-or-verb fields."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ojlang.api import check
from ojlang.validator.checker import CheckOptions

RUNBOOKS = {
    name: f'[command.deploy]\nrun = "echo {name}"\n\n[semaphore.s]\nmax = {max_}\n'
    for name, max_ in (("a", 1), ("b", 2), ("c", 3), ("d", 4))
}
SCRIPT = (
    "import sys; from ojlang.cli.main import main; "
    "sys.argv = ['oj', 'check', '--no-shellcheck', '--format', 'concise']; main()"
)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    (project / "runbooks").mkdir(parents=True)
    return project


def _concise(root: Path, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed, "XDG_CONFIG_HOME": str(root.parent / "xdg")}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=root, env=env, capture_output=True, text=True
    )
    return done.stdout


def test_shared_name_findings_do_not_depend_on_the_hash_seed(root: Path) -> None:
    for name, text in RUNBOOKS.items():
        (root / "runbooks" / f"{name}.toml").write_text(text, encoding="utf-8")
    first, second = _concise(root, "1"), _concise(root, "2")
    assert first == second
    shown = [line.split(": ", 1)[1] for line in first.splitlines() if "[OJ211]" in line]
    assert shown == [
        f"info[OJ211] command `deploy` is also defined in runbook `{other}`; "
        "`oj run deploy` runs this one"
        for other in "bcd"
    ]


RULES = """\
[action.cleanup]
cooldown = "1m"
run = "echo cleanup"

[action.decide]
cooldown = "1m"
rules = [{{ then = "{word}" }}]
"""


@pytest.mark.parametrize(
    ("word", "help_text"),
    [
        ("restrat", "a verb with a similar name exists: `restart`"),
        ("cleanpu", "an action with a similar name exists: `cleanup`"),
    ],
)
def test_undefined_action_or_verb_suggests_the_closest_of_both(
    root: Path, word: str, help_text: str
) -> None:
    (root / "runbooks" / "r.toml").write_text(RULES.format(word=word), encoding="utf-8")
    report = check([], cwd=root, options=CheckOptions(shellcheck=False))
    (found,) = [d for d in report.diagnostics if d.code == "OJ201"]
    assert found.message == f"undefined action `{word}`"
    assert found.help == help_text
