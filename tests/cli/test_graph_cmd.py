"""`oj graph TARGET` (RUNTIME.md §10): the phases and edges of a pipeline as Mermaid (the
default, `--mermaid` or `--format mermaid`) or Graphviz (`--dot`, `--format dot`), computed
from the compiled runbooks alone: no daemon. Pinned by snapshots of the stdlib `build`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.cli import common
from ojlang.cli.main import main

STDLIB = Path(__file__).resolve().parents[2] / "stdlib_runbooks"
LAND = """
[pipeline.ship]

[[pipeline.ship.phase]]
name = "test"
run = "make test"
on_fail = "retry:2:10s"

[[pipeline.ship.phase]]
name = "land"
strategy = "land"
lock = "main_branch"

[strategy.land]

[[strategy.land.attempt]]
name = "ff"
run = "git merge --ff-only work"

[lock.main_branch]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "runbooks").mkdir(parents=True)
    shutil.copy(STDLIB / "build.toml", root / "runbooks" / "build.toml")
    shutil.copytree(STDLIB / "prompts", root / "runbooks" / "prompts")
    (root / "runbooks" / "land.toml").write_text(LAND)
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    monkeypatch.setenv("OJ_NO_AUTOSTART", "1")
    monkeypatch.chdir(root)
    return root


def oj(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    common.FLAGS.update(json=False)
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out, out.err


def test_mermaid_of_the_stdlib_build(
    project: Path, capsys: pytest.CaptureFixture[str], snapshot: SnapshotAssertion
) -> None:
    code, out, err = oj(capsys, "graph", "build.build", "--format", "mermaid")
    assert code == 0, err
    assert out == snapshot
    assert oj(capsys, "graph", "build.build", "--mermaid")[1] == out
    assert oj(capsys, "graph", "build.build")[1] == out


def test_dot_of_the_stdlib_build(
    project: Path, capsys: pytest.CaptureFixture[str], snapshot: SnapshotAssertion
) -> None:
    code, out, err = oj(capsys, "graph", "build.build", "--dot")
    assert code == 0, err
    assert out == snapshot
    assert oj(capsys, "graph", "build", "--format", "dot")[1] == out


def test_retries_strategies_and_locks_are_drawn(
    project: Path, capsys: pytest.CaptureFixture[str], snapshot: SnapshotAssertion
) -> None:
    code, out, err = oj(capsys, "graph", "land.ship")
    assert code == 0, err
    assert "retry ×2" in out and "lock main_branch" in out and "strategy land" in out
    assert out == snapshot


def test_an_unknown_pipeline_is_a_usage_error_with_a_close_match(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = oj(capsys, "graph", "build.biuld")
    assert code == 2
    assert "unknown pipeline `build.biuld`" in err and "`build.build`" in err
    code, _, err = oj(capsys, "graph", "build.build", "--format", "svg")
    assert code == 2 and "unknown format `svg`" in err


def test_json_wraps_the_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _ = oj(capsys, "graph", "land.ship", "--dot", "--json")
    doc = json.loads(out)
    assert (code, doc["schema"], doc["format"], doc["pipeline"]) == (
        0,
        "oj.graph/1",
        "dot",
        "land.ship",
    )
    assert doc["text"].startswith('digraph "land.ship" {')
