"""Daemon memory and the liveness poll at 32 sessions (RUNTIME.md §13: RSS ≤ 150 MiB with 200
runs and 32 sessions; one tmux call per poll for all sessions, ≤ 5 % of a core).

A git project (`bench/daemon_signal.py`'s): 32 runs whose task is a hanging `oj-fake-agent` in
the private tmux server (`max_sessions = 32`) and 168 runs waiting on a lock (one more holds
it with `sleep 600`), 200 active runs in all. `tmux` is a shim on `PATH` that logs each
subcommand before running the real one. Once the 32 sessions run: the daemon's RSS (from
`oj status --json`), beside its RSS with the same project and no runs (the baseline, same
run); then, over a quiet window (`OJ_BENCH_MEMORY_S`, default 20 s, liveness polled every 2 s),
the daemon's CPU as a percentage of one core and the tmux calls per poll by subcommand.
Needs tmux and git.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.daemon_signal import OJ, RUNBOOK, SCENARIO, _env

SESSIONS = 32
WAITING = 168
WINDOW_S = float(os.environ.get("OJ_BENCH_MEMORY_S", "20"))
POLL_S = 2.0
HELD = """
[pipeline.held]

[[pipeline.held.phase]]
name = "hold"
lock = "L"
run = "sleep 600"

[lock.L]
"""
CONFIG = (
    f"[runtime]\nmax_active_runs = 5000\nmax_sessions = {SESSIONS}\n\n[agents]\nstop_gate = false\n"
)
SHIM = '#!/bin/sh\necho "CALL $1 $2 $3 $4 $5 $6" >> {log}\nexec {real} "$@"\n'
TAKES_ARG = {"-S", "-f", "-L"}


def _project(base: Path, env: dict[str, str]) -> Path:
    root = base / "proj"
    (root / "runbooks").mkdir(parents=True)
    (root / ".oj").mkdir()
    (root / ".oj" / "config.toml").write_text(CONFIG)
    scenario = base / "hang.toml"
    scenario.write_text(SCENARIO)
    (root / "runbooks" / "bench.toml").write_text(RUNBOOK.format(scenario=scenario) + HELD)
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "init", "-q", "-b", "main"], env=env, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "init"], env=env, check=True)
    return root


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _calls(log: Path) -> collections.Counter[str]:
    """tmux subcommands logged by the shim, counted."""
    found: collections.Counter[str] = collections.Counter()
    lines = log.read_text().splitlines() if log.exists() else []
    for line in lines:
        words = line.split()
        if not words or words[0] != "CALL":
            continue
        k = 1
        while k < len(words) and words[k].startswith("-"):
            k += 2 if words[k] in TAKES_ARG else 1
        found[words[k] if k < len(words) else "?"] += 1
    return found


def measure(root: Path, log: Path) -> dict[str, Any]:
    from ojlang.client import connect

    with connect(root, autostart=False) as client:
        status = client.request("status", {})
        rss_empty = int(status["daemon"]["rss_bytes"])
        pid = int(status["daemon"]["pid"])
        client.request("pipeline.start", {"pipeline": "held", "name": "holder"})
        for k in range(WAITING - 1):
            client.request("pipeline.start", {"pipeline": "held", "name": f"w{k}"})
        for k in range(SESSIONS):
            client.request("pipeline.start", {"pipeline": "p", "name": f"a{k}"})
        deadline = time.monotonic() + 300
        running = 0
        while time.monotonic() < deadline:
            status = client.request("status", {})
            running = int(status["sessions"]["counts"].get("running", 0))
            if running >= SESSIONS:
                break
            time.sleep(0.5)
        time.sleep(POLL_S * 2)  # the spawns settle
        before_calls, before_cpu, began = _calls(log), _cpu_s(pid), time.monotonic()
        time.sleep(WINDOW_S)
        cpu, elapsed = _cpu_s(pid) - before_cpu, time.monotonic() - began
        calls = _calls(log) - before_calls
        status = client.request("status", {})
    polls = elapsed / POLL_S
    mib = 1024 * 1024
    return {
        "active_runs": len(status["runs"]),
        "sessions_running": running,
        "rss_mib": round(int(status["daemon"]["rss_bytes"]) / mib, 1),
        "rss_no_runs_mib": round(rss_empty / mib, 1),
        "rss_budget_mib": 150,
        "window_s": round(elapsed, 1),
        "cpu_percent_of_core": round(100 * cpu / elapsed, 2),
        "cpu_budget_percent": 5,
        "tmux_calls_per_poll": {k: round(v / polls, 2) for k, v in sorted(calls.items())},
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def run() -> dict[str, Any]:
    real = shutil.which("tmux")
    if not (real and shutil.which("git")):
        return {"skipped": "tmux and git are needed"}
    with tempfile.TemporaryDirectory(prefix="oj-bench-memory-") as tmp:
        base = Path(tmp)
        env = _env(base)
        shim_dir, log = base / "shim", base / "tmux-calls.log"
        shim_dir.mkdir()
        shim = shim_dir / "tmux"
        shim.write_text(SHIM.format(log=log, real=real))
        shim.chmod(0o755)
        env["PATH"] = f"{shim_dir}{os.pathsep}{env['PATH']}"
        root = _project(base, env)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            subprocess.run([OJ, "daemon", "start"], cwd=root, env=env, check=True)
            try:
                return measure(root, log)
            finally:
                subprocess.run(
                    [OJ, "daemon", "stop", "--kill-agents"], cwd=root, env=env, timeout=300
                )
                sock = root / ".oj" / "run" / "tmux.sock"
                if sock.exists():
                    subprocess.run([real, "-S", str(sock), "kill-server"], capture_output=True)
        finally:
            os.environ.clear()
            os.environ.update(saved)


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
