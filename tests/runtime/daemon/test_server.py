"""The socket server with the engine's methods (fake adapters): the handshake, calls, agent
signals with generation fences, the stop gate, and event streams."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "engine"))
from engine_kit import project, running

from ojlang.runtime.core import inputs as i
from ojlang.runtime.daemon.methods import Methods
from ojlang.runtime.daemon.protocol import Client, RemoteError
from ojlang.runtime.daemon.server import SocketServer
from ojlang.runtime.engine.loop import Engine

AGENT = """
[task.work]
command = "oj-fake-agent"
prompt = "go"

[pipeline.p]

[[pipeline.p.phase]]
name = "work"
task = "work"

[[pipeline.p.phase]]
name = "after"
run = "echo after"
"""


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, Path]]:
    monkeypatch.setenv("OJ_STDLIB_DIR", "")
    monkeypatch.setenv("OJ_MACHINE_ID", "server-test")
    graph = project(tmp_path, {"rb": AGENT}, "[agents]\nstop_gate = true\n")
    sock = Path("/tmp") / f"oj-test-{tmp_path.name[-20:]}.sock"
    with running(tmp_path, graph) as engine:
        server = SocketServer(sock, Methods(engine), project_id="p").start()
        try:
            yield engine, sock
        finally:
            server.stop()
    assert not sock.exists()


def test_a_task_is_signalled_over_the_socket(served: tuple[Engine, Path]) -> None:
    engine, sock = served
    with Client(sock, timeout=5) as client:
        assert client.welcome["protocol"] == 1 and client.welcome["project_id"] == "p"
        assert client.request("ping")["ok"] is True
        run = client.request("pipeline.start", {"pipeline": "rb.p", "name": "a"})["run"]
        assert run == "p-a"
        trid = "p-a.work.1"
        assert engine.wait_for(lambda w: w.tasks.get(trid) is not None, 5)
        client.request("hook", {"task_run": trid, "generation": 1, "kind": "prime"})
        assert engine.wait_for(lambda w: w.tasks[trid].state == "running", 5)
        gated = client.request("hook", {"run": run, "kind": "stop", "data": {}})
        assert gated["decision"] == "block" and "oj done" in gated["reason"]
        allowed = client.request(
            "hook", {"run": run, "kind": "stop", "data": {"stop_hook_active": True}}
        )
        assert allowed == {}
        with pytest.raises(RemoteError) as stale:
            client.request("done", {"task_run": trid, "generation": 7})
        assert stale.value.code == "stale_task" and stale.value.exit_code == 1
        assert client.request("done", {"run": run, "generation": 1}) == {
            "task_run": trid,
            "already": False,
        }
        again = client.request("done", {"task_run": trid})
        assert again["already"] is True
        for _ in client.stream("run.wait", {"run": run, "timeout": 10}):
            pass
        assert engine.world.runs[run].state == "done"


def test_unknown_methods_and_targets_are_errors(served: tuple[Engine, Path]) -> None:
    _, sock = served
    with Client(sock, timeout=5) as client:
        with pytest.raises(RemoteError, match="unknown method"):
            client.request("bogus")
        with pytest.raises(RemoteError) as missing:
            client.request("pipeline.start", {"pipeline": "rb.nope"})
        assert missing.value.code == "not_found"
        with pytest.raises(RemoteError) as outside:
            client.request("done", {})
        assert (
            outside.value.code == "not_found" and "not inside an oj task" in outside.value.message
        )


def test_start_stream_follows_the_run_to_its_end(served: tuple[Engine, Path]) -> None:
    engine, sock = served
    with Client(sock, timeout=5) as client:
        stream = client.stream("pipeline.start", {"pipeline": "rb.p", "name": "b"}, timeout=20)
        names: list[str] = []
        for event in stream:
            names.append(str(event["name"]))
            if event["name"] == "pipeline:phase" and event["payload"]["phase"] == "work":  # type: ignore[index]
                engine.post(i.AgentSignal("ready", "p-b.work.1", 1))
                engine.post(i.Done("p-b.work.1", 1))
        assert names[0] == "oj:started" and names[-1] == "pipeline:complete"
