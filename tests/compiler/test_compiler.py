"""The compiler: checked runbooks -> the frozen runtime graph (golden snapshot and edge cases)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.compiler import CompileError, compile_project
from ojlang.loader import load_text
from ojlang.project import Origin, RunbookFile
from ojlang.runtime.core import codec, graph
from ojlang.runtime.core.render import RenderError
from ojlang.runtime.core.templates import render_template
from ojlang.validator.model import ProjectModel

ROOT = Path(__file__).resolve().parents[2]


def compile_texts(tmp_path: Path, **texts: str) -> graph.Graph:
    loaded = []
    for name, text in texts.items():
        path = tmp_path / "runbooks" / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        item = load_text(text.encode(), RunbookFile(path, f"runbooks/{name}.toml", Origin.PROJECT))
        assert [d.message for d in item.diagnostics if d.severity.value == "error"] == []
        loaded.append(item)
    return compile_project(ProjectModel(loaded, set(texts)), root=tmp_path)


def test_stdlib_build_graph_golden(tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    source = ROOT / "stdlib_runbooks" / "build.toml"
    file = RunbookFile(source, "stdlib_runbooks/build.toml", Origin.STDLIB)
    loaded = load_text(source.read_bytes(), file)
    settings = graph.Settings(project_root="/project")  # the snapshot must not name this checkout
    g = compile_project(ProjectModel([loaded], {"build"}), root=ROOT, settings=settings)
    data = json.loads(codec.to_json(g))
    assert json.dumps(data, indent=2, sort_keys=True) == snapshot
    assert codec.graph_from_json(codec.to_json(g)) == g


PIPELINE = """
[pipeline.p]
inputs = ["who"]
defaults = { b = "{a}-x", a = "{who}", n = 3 }

[[pipeline.p.phase]]
name = "first"
run = "echo {who} \\"{who}\\" '{who}' $(( {n} + 1 ))"
on_fail = "retry:2:5s"

[[pipeline.p.phase]]
name = "second"
strategy = "s"
on_fail = "first"

[[pipeline.p.phase]]
name = "failed"
run = "cat <<'EOF'\\n{who}\\nEOF"

[strategy.s]
on_exhaust = "failed"

[[strategy.s.attempt]]
name = "only"
run = "true"
"""


def test_edges_on_fail_and_defaults_order(tmp_path: Path) -> None:
    g = compile_texts(tmp_path, demo=PIPELINE)
    p = g.pipelines["demo.p"]
    first, second, failed = p.phases
    assert first.next == graph.Edge(phase="second")
    assert first.on_fail == graph.OnFail("retry", count=2, delay_us=5_000_000)
    assert second.on_fail.kind == "goto" and second.on_fail.target == graph.Edge(phase="first")
    assert second.next == graph.Edge(phase="failed")
    assert failed.next == graph.Edge(terminal="failed")
    assert p.defaults_order == ("a", "b", "n")
    assert g.strategies["demo.s"].on_exhaust == "goto"


def test_shell_contexts_are_recorded_per_site(tmp_path: Path) -> None:
    g = compile_texts(tmp_path, demo=PIPELINE)
    first, _, failed = g.pipelines["demo.p"].phases
    assert first.run is not None and failed.run is not None
    contexts = [piece.context for piece in first.run.pieces if piece.path]
    assert contexts == ["unquoted", "double", "single", "arithmetic"]
    heredoc = [piece for piece in failed.run.pieces if piece.path]
    assert [(h.context, h.delimiter) for h in heredoc] == [("quoted_heredoc", "EOF")]


DASH_HEREDOC = """
[pipeline.p]
inputs = ["a", "b"]

[[pipeline.p.phase]]
name = "dash"
run = "cat <<-EOF\\n\\t{a}\\n\\tkey: {b}\\n\\tEOF\\ncat <<EOF\\n{a}\\nEOF"
"""


def test_values_a_dash_heredoc_would_change_are_render_errors(tmp_path: Path) -> None:
    run = compile_texts(tmp_path, demo=DASH_HEREDOC).pipelines["demo.p"].phases[0].run
    assert run is not None
    assert [p.strip_tabs for p in run.pieces if p.path] == [True, True, False]
    script = render_template(run, {"a": "x\ty", "b": "\tz"})  # tabs inside a line stay
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == "x\ty\nkey: \tz\nx\ty\n"
    for a, b in (("\tx", "z"), ("x", "z\n\tw")):
        with pytest.raises(RenderError, match="`<<-` heredoc would strip"):
            render_template(run, {"a": a, "b": b})


def test_unresolved_reference_is_a_compile_error(tmp_path: Path) -> None:
    text = '[pipeline.p]\n[[pipeline.p.phase]]\nname = "a"\ntask = "nope"\n'
    with pytest.raises(CompileError, match="undefined task `nope`"):
        compile_texts(tmp_path, demo=text)


def test_shared_resources_are_keyed_by_bare_name(tmp_path: Path) -> None:
    one = '[lock.main]\nheartbeat = "30s"\n[semaphore.agents]\nmax = 2\n'
    two = (
        '[pipeline.p]\n[[pipeline.p.phase]]\nname = "a"\nrun = "true"\nlock = "main"\n'
        'semaphore = "agents"\n'
    )
    g = compile_texts(tmp_path, one=one, two=two)
    phase = g.pipelines["two.p"].phases[0]
    assert (phase.lock, phase.semaphore) == ("main", "agents")
    assert g.locks["main"].heartbeat_us == 30_000_000
    assert g.semaphores["agents"].max == 2


def test_task_handlers_run_as_one_phase_pipelines(tmp_path: Path) -> None:
    text = (
        '[queue.bugs]\n[worker.fixer]\nqueue = "bugs"\nhandler = "task.fix"\n'
        '[task.fix]\nprompt = "Fix it."\n'
        '[action.triage]\ncooldown = "1m"\ntask = "fix"\n'
    )
    g = compile_texts(tmp_path, demo=text)
    assert g.workers["demo.fixer"].handler_kind == "task"
    implicit = g.pipelines["demo.fix"]
    assert implicit.name == "fix"
    assert implicit.phases == (graph.Phase(name="fix", action="task", task="demo.fix"),)
