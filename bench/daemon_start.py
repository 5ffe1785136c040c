"""Daemon start to `welcome` with an empty store (RUNTIME.md §13, budget ≤ 400 ms).

Each round makes a fresh project (one small runbook, no `.oj/`), spawns `python -m
ojlang.runtime.daemon --root ROOT` as the CLI does and polls the socket every 5 ms with a
`hello` until the `welcome` arrives: the wall time from spawn to `welcome`, and the daemon's
CPU time (user + system, from `/proc`) at that moment. Each round is paired with a `python -c
pass` of the same interpreter (the baseline, interleaved so both see the same load) and with
the bare import of the daemon's start modules (`import ojlang.runtime.daemon.lifecycle`).
Medians of `OJ_BENCH_START_ROUNDS` rounds (default 7), measured twice from a copy of the
package on `PYTHONPATH`: from source (`PYTHONDONTWRITEBYTECODE=1`, no `.pyc`: every start
compiles what it imports) and precompiled (`python -m compileall`), as `bench/daemon.py` does
for `oj status`. With `OJ_BENCH_CALLGRIND=1` also the instructions of one precompiled start up
to `welcome` (the daemon is stopped by SIGTERM at the welcome; valgrind; repeatable under load).
"""

from __future__ import annotations

import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._kit import daemon_env, package_copy

ROUNDS = int(os.environ.get("OJ_BENCH_START_ROUNDS", "7"))
RUNBOOK = """
[queue.q]
fields = { n = "int" }

[worker.w]
queue = "q"
handler = "pipeline.p"

[pipeline.p]
inputs = ["n"]

[[pipeline.p.phase]]
name = "one"
run = "true"
"""


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _child_cpu(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one child run in `cwd` (not the worktree: `-c` imports from
    the working directory first)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def start_once(root: Path, env: dict[str, str]) -> tuple[float, float]:
    """Spawn to `welcome`: wall seconds and the daemon's CPU seconds; the daemon is stopped."""
    from ojlang.runtime.daemon.protocol import Client, RemoteError, socket_path

    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "bench.toml").write_text(RUNBOOK)
    sock = socket_path(root / ".oj")
    argv = [sys.executable, "-m", "ojlang.runtime.daemon", "--root", str(root)]
    began = time.perf_counter()
    child = subprocess.Popen(
        argv, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"the daemon exited with {child.returncode}")
            try:
                client = Client(sock, timeout=5.0, root=str(root)).connect()
                break
            except RemoteError:
                time.sleep(0.005)
        wall = time.perf_counter() - began
        cpu = _cpu_s(child.pid)
        client.close()
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(60)
    return wall, cpu


def _instructions(root: Path, env: dict[str, str]) -> int | None:
    """Callgrind instructions of one daemon start, stopped at its first `welcome`."""
    import re
    import shutil

    from ojlang.runtime.daemon.protocol import Client, RemoteError, socket_path

    if not shutil.which("valgrind"):
        return None
    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "bench.toml").write_text(RUNBOOK)
    sock = socket_path(root / ".oj")
    out = root / "callgrind.out"
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    argv += [sys.executable, "-m", "ojlang.runtime.daemon", "--root", str(root)]
    child = subprocess.Popen(
        argv, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and child.poll() is None:
        try:
            Client(sock, timeout=30.0, root=str(root)).connect().close()
            break
        except RemoteError:
            time.sleep(0.05)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=300)
    found = re.search(r"Collected : (\d+)", err)
    return int(found.group(1)) if found else None


def _rounds(base: Path, env: dict[str, str], label: str) -> dict[str, Any]:
    times: dict[str, list[float]] = {k: [] for k in ("wall", "cpu", "pw", "pc", "iw", "ic")}
    importing = [sys.executable, "-c", "import ojlang.runtime.daemon.lifecycle"]
    for k in range(ROUNDS):
        wall, cpu = _child_cpu([sys.executable, "-c", "pass"], env, base)
        times["pw"].append(wall)
        times["pc"].append(cpu)
        wall, cpu = _child_cpu(importing, env, base)
        times["iw"].append(wall)
        times["ic"].append(cpu)
        wall, cpu = start_once(base / f"{label}{k}", env)
        times["wall"].append(wall)
        times["cpu"].append(cpu)
    m = {key: statistics.median(values) for key, values in times.items()}
    return {
        f"start_{label}_to_welcome_median_ms": round(m["wall"] * 1000, 1),
        f"start_{label}_to_welcome_max_ms": round(max(times["wall"]) * 1000, 1),
        f"start_{label}_daemon_cpu_median_ms": round(m["cpu"] * 1000, 1),
        f"import_lifecycle_{label}_median_ms": round(m["iw"] * 1000, 1),
        f"import_lifecycle_{label}_cpu_median_ms": round(m["ic"] * 1000, 1),
        f"python_pass_{label}_median_ms": round(m["pw"] * 1000, 1),
        f"python_pass_{label}_cpu_median_ms": round(m["pc"] * 1000, 1),
        f"start_{label}_ratio_to_pass": round(m["wall"] / m["pw"], 2),
    }


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="oj-bench-start-") as tmp:
        base = Path(tmp)
        package = package_copy(base)
        env = {**daemon_env(base), "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"}
        figures = _rounds(base, env, "source")
        compile_all = [sys.executable, "-m", "compileall", "-q", str(package / "ojlang")]
        subprocess.run(compile_all, check=True, capture_output=True)
        figures.update(_rounds(base, env, "pyc"))
        figures.update(
            start_budget_ms=400, rounds=ROUNDS, load_average_1m=round(os.getloadavg()[0], 2)
        )
        if os.environ.get("OJ_BENCH_CALLGRIND") == "1":
            ir = _instructions(base / "cg", env)
            if ir:
                figures["start_pyc_instructions_m"] = round(ir / 1e6, 1)
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
