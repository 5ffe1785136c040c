"""`oj hook` and `oj done` with a warm daemon (RUNTIME.md §13: ≤ 50 ms / ≤ 80 ms p50).

A git project whose task runs `oj-fake-agent` with a scenario that hangs (a live agent in a
private tmux server that never signals by itself). Each round starts a run, waits until its
task is `running`, then times, as the agent would call them (the `OJ_*` identity of the task,
a cold client process each): `oj hook activity` (JSON on stdin) and `oj done` (which ends the
task, one commit). Each round also times a `python -c pass` of the same interpreter (the
baseline, interleaved so both see the same load) and the `hook` round trip alone from this
process (what the daemon adds to the client's own start). Wall and CPU time (`getrusage` of
the child) medians of `OJ_BENCH_SIGNAL_ROUNDS` rounds (default 10), measured twice with the
clients run from a copy of the package on `PYTHONPATH`: from source (`PYTHONDONTWRITEBYTECODE=1`,
no `.pyc`) and precompiled (`python -m compileall`). Needs tmux and git.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._kit import package_copy

BIN = Path(sys.executable).parent
OJ = str(BIN / "oj")
ROUNDS = int(os.environ.get("OJ_BENCH_SIGNAL_ROUNDS", "10"))
SCENARIO = """name = "hangs"
[config]
startup_ms = 50
idle_notify_ms = 600000

[[responses]]
pattern = { type = "any" }
text = "thinking"
failure = { type = "hang" }
"""
RUNBOOK = """[task.t]
command = "oj-fake-agent --scenario {scenario}"
prompt = "wait"
idle_timeout = "1h"

[pipeline.p]

[[pipeline.p.phase]]
name = "t"
task = "t"
"""
CONFIG = "[runtime]\nmax_active_runs = 5000\n\n[agents]\nstop_gate = false\n"


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OJ_", "TMUX"))}
    env.update(
        OJ_STDLIB_DIR="",
        OJ_MACHINE_ID="bench",
        XDG_STATE_HOME=str(home / "state"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.invalid",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.invalid",
    )
    return env


def _project(base: Path, env: dict[str, str]) -> Path:
    root = base / "proj"
    (root / "runbooks").mkdir(parents=True)
    (root / ".oj").mkdir()
    (root / ".oj" / "config.toml").write_text(CONFIG)
    scenario = base / "hang.toml"
    scenario.write_text(SCENARIO)
    (root / "runbooks" / "bench.toml").write_text(RUNBOOK.format(scenario=scenario))
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "init", "-q", "-b", "main"], env=env, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "init"], env=env, check=True)
    return root


def _child(
    argv: list[str], cwd: Path, env: dict[str, str], stdin: bytes = b""
) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, input=stdin, check=True, capture_output=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _running_task(client: Any, run: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for row in client.request("status", {})["runs"]:
            task = row.get("task")
            if row["id"] == run and task and task.get("state") == "running":
                return dict(task)
        time.sleep(0.05)
    raise RuntimeError(f"the task of `{run}` did not start")


def measure(root: Path, env: dict[str, str], label: str) -> dict[str, Any]:
    from ojlang.client import connect
    from ojlang.runtime.daemon.protocol import socket_path

    times: dict[str, list[float]] = {
        k: [] for k in ("hook", "hook_cpu", "done", "done_cpu", "pass", "pass_cpu", "rt")
    }
    with connect(root, autostart=False) as client:
        for k in range(ROUNDS):
            name = f"{label}{k}"
            run = str(client.request("pipeline.start", {"pipeline": "p", "name": name})["run"])
            task = _running_task(client, run)
            agent = {
                **env,
                "OJ_SOCKET": str(socket_path(root / ".oj")),
                "OJ_RUN": run,
                "OJ_TASK_ID": str(task["id"]),
                "OJ_GEN": "1",
            }
            began = time.perf_counter()
            params = {"run": run, "task_run": task["id"], "kind": "activity", "data": {}}
            client.request("hook", params)
            times["rt"].append(time.perf_counter() - began)
            for key, argv, stdin in (
                ("pass", [sys.executable, "-c", "pass"], b""),
                ("hook", [OJ, "hook", "activity"], b"{}"),
                ("done", [OJ, "done"], b""),
            ):
                wall, cpu = _child(argv, root, agent, stdin)
                times[key].append(wall)
                times[f"{key}_cpu"].append(cpu)
    m = {key: statistics.median(values) for key, values in times.items()}
    return {
        f"hook_cli_{label}_median_ms": round(m["hook"] * 1000, 1),
        f"hook_cli_{label}_cpu_median_ms": round(m["hook_cpu"] * 1000, 1),
        f"done_cli_{label}_median_ms": round(m["done"] * 1000, 1),
        f"done_cli_{label}_cpu_median_ms": round(m["done_cpu"] * 1000, 1),
        f"hook_round_trip_{label}_median_ms": round(m["rt"] * 1000, 1),
        f"python_pass_{label}_median_ms": round(m["pass"] * 1000, 1),
        f"python_pass_{label}_cpu_median_ms": round(m["pass_cpu"] * 1000, 1),
        f"hook_{label}_ratio_to_pass": round(m["hook"] / m["pass"], 2),
        f"done_{label}_ratio_to_pass": round(m["done"] / m["pass"], 2),
    }


def run() -> dict[str, Any]:
    if not (shutil.which("tmux") and shutil.which("git")):
        return {"skipped": "tmux and git are needed"}
    with tempfile.TemporaryDirectory(prefix="oj-bench-signal-") as tmp:
        base = Path(tmp)
        env = _env(base)
        root = _project(base, env)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            subprocess.run([OJ, "daemon", "start"], cwd=root, env=env, check=True)
            package = package_copy(base)
            client_env = {**env, "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"}
            try:
                figures = measure(root, client_env, "source")
                compile_all = [sys.executable, "-m", "compileall", "-q", str(package / "ojlang")]
                subprocess.run(compile_all, check=True, capture_output=True)
                figures.update(measure(root, client_env, "pyc"))
                figures.update(
                    hook_budget_ms=50,
                    done_budget_ms=80,
                    rounds=ROUNDS,
                    load_average_1m=round(os.getloadavg()[0], 2),
                )
                return figures
            finally:
                subprocess.run(
                    [OJ, "daemon", "stop", "--kill-agents"], cwd=root, env=env, timeout=120
                )
                sock = root / ".oj" / "run" / "tmux.sock"
                if sock.exists():
                    subprocess.run(["tmux", "-S", str(sock), "kill-server"], capture_output=True)
        finally:
            os.environ.clear()
            os.environ.update(saved)


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
