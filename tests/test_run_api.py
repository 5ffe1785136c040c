"""The `oj run` façade: targets resolve per §L4.4.1, arguments bind or give usage errors, the
dry run walks the graph without a store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ojlang.errors import UsageError
from ojlang.run_api import RunRefused, bind_pipeline, pipeline_usage, prepare, resolve_target
from ojlang.run_local import describe, dry_run
from ojlang.runtime.core import graph

BUILD = """
[command.build]
args = "<name> [--fast]"
run = "echo {name}"

[pipeline.build]
inputs = ["name"]
[[pipeline.build.phase]]
name = "go"
run = "echo {name}"

[task.solo]
prompt = "hi"
command = "my-agent"
"""
TOOLS = """
[pipeline.lint]
inputs = ["path"]
defaults = { mode = "strict" }
[[pipeline.lint.phase]]
name = "check"
run = "echo {path} {mode}"
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "build.toml").write_text(BUILD)
    (tmp_path / "runbooks" / "tools.toml").write_text(TOOLS)
    return tmp_path


@pytest.mark.parametrize(
    "text, kind, runbook, name",
    [
        ("build", "command", "build", "build"),
        ("build.build", "command", "build", "build"),
        ("build.pipeline.build", "pipeline", "build", "build"),
        ("lint", "pipeline", "tools", "lint"),
        ("tools", "pipeline", "tools", "lint"),
        ("solo", "task", "build", "solo"),
        ("build.task.solo", "task", "build", "solo"),
    ],
)
def test_targets_resolve(root: Path, text: str, kind: str, runbook: str, name: str) -> None:
    prep = prepare(text, ["x"] if kind != "task" else [], cwd=root)
    assert (prep.target.kind, prep.target.runbook, prep.target.name) == (kind, runbook, name)


def test_unknown_targets_get_a_close_match(root: Path) -> None:
    with pytest.raises(UsageError) as err:
        prepare("lnit", [], cwd=root)
    assert err.value.message == "unknown target `lnit`"
    assert err.value.help == "a target with a similar name exists: `lint`"
    with pytest.raises(UsageError, match="unknown target"):
        resolve_target({}, "a.b.c.d")


PIPE = graph.Pipeline(
    "p", "rb", (graph.Phase("a"),), inputs=("x", "y"), defaults={"y": graph.DefaultValue()}
)


def test_pipeline_words_bind_inputs_and_keys() -> None:
    assert bind_pipeline("rb.p", PIPE, ["1"]) == {"x": "1"}
    assert bind_pipeline("rb.p", PIPE, ["y=2", "1"]) == {"y": "2", "x": "1"}
    assert bind_pipeline("rb.p", PIPE, ["--", "y=2"]) == {"x": "y=2"}
    assert pipeline_usage("rb.p", PIPE) == "usage: oj run rb.p <x> [y] [KEY=VALUE...]"


@pytest.mark.parametrize(
    "words, message",
    [
        ([], "missing input `x`"),
        (["1", "2", "3"], "unexpected argument `3`"),
        (["z=1"], "unknown input `z` of `rb.p`"),
        (["x=1", "x=2"], "input `x` is given twice"),
    ],
)
def test_pipeline_usage_errors(words: list[str], message: str) -> None:
    with pytest.raises(UsageError) as err:
        bind_pipeline("rb.p", PIPE, words)
    assert err.value.message == message


def test_command_arguments_bind_with_the_spec(root: Path) -> None:
    prep = prepare("build", ["auth", "--fast"], cwd=root)
    assert prep.vars == {"name": "auth", "fast": True}
    with pytest.raises(UsageError) as err:
        prepare("build", [], cwd=root)
    assert err.value.help == "usage: oj run build <name> [--fast]"


def test_errors_refuse_the_run(root: Path) -> None:
    (root / "runbooks" / "bad.toml").write_text("[pipeline.p]\nbogus = 1\n")
    with pytest.raises(RunRefused) as refused:
        prepare("lint", ["x"], cwd=root)
    assert refused.value.errors >= 1 and "OJ102" in refused.value.text


def test_dry_run_prints_phases_and_effects(root: Path) -> None:
    out = io.StringIO()
    assert dry_run(prepare("lint", ["src dir"], cwd=root), out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "phase `check` (attempt 1)"
    assert lines[1] == "  RunShell[phase] echo 'src dir' 'strict'"
    assert lines[-1].endswith("ends `done`")
    assert not (root / ".oj" / "state.db").exists()


def test_progress_lines() -> None:
    assert describe("pipeline:phase", {"phase": "a", "attempt": 2}) == "phase `a` (attempt 2)"
    assert describe("pipeline:complete", {"duration_s": 1.25}) == "done in 1.2s"
    assert describe("queue:item:added", {}) is None
