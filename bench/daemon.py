"""The daemon as users meet it (RUNTIME.md §13, issue 7): a real daemon process per project.

1. Wake latency: `queue.add` sent → `queue:item:claimed` received on an event stream, for a
   worker woken by the push (`wake_on`), 200 pushes, each once the previous item's run ended
   (its handler is one `true` phase): p50 and p95 (budget p50 ≤ 50 ms), against the round
   trip of a push to a queue without workers — one commit, the baseline of the same run
   (§13: one commit + ≤ 20 ms) — and of `ping` (no commit).
2. Idle CPU: the daemon's user+system CPU over a quiet window (60 s by default; set
   `OJ_BENCH_IDLE_S` or `run(idle_s=…)` for quick runs), as a percentage of one core (budget
   ≤ 1 %). The figure reports the window it was measured over.
3. Timer lateness: 8 crons ticking every second for 20 s (`OJ_BENCH_TIMER_S`): the fire
   time of each `timer:fired` op (its `ts`: the loop's clock when it took the timer off the
   wheel, before the commit) minus the due time it carries, p50 and p99 (budget
   p99 ≤ 50 ms); read from the op log once the daemon stopped. Wake latency also reports p99
   (budget ≤ 100 ms).
4. `oj status` with 1,000 runs in the store (999 waiting on a lock, 1 holding it): the whole
   CLI process (cold client, daemon running), median of 10 (budget ≤ 150 ms), each run beside
   a `python -c pass` of the same interpreter (the baseline, interleaved so both see the same
   load), in wall time and in CPU time of the child (`getrusage`). Measured twice: from source
   (`PYTHONDONTWRITEBYTECODE=1` and no `.pyc` of `ojlang`: every start compiles the modules it
   imports, as in an editable install here) and precompiled (`python -m compileall`), both
   from a copy of the package on `PYTHONPATH`, so no `.pyc` of the worktree counts and none
   is left in it. Plus `oj status` of an empty project and the `status` round trip alone
   (budget ≤ 100 ms p50). With `OJ_BENCH_CALLGRIND=1` also the instructions of one
   `oj status` and one `python -c pass` (valgrind; repeatable under load).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench._kit import daemon_env, package_copy

OJ = str(Path(sys.executable).parent / "oj")
PUSHES = 200
RUNS = 1_000
TIMER_CRONS = 8
TIMER_S = float(os.environ.get("OJ_BENCH_TIMER_S", "20"))
STATUS_REPEAT = 10
CALLGRIND = os.environ.get("OJ_BENCH_CALLGRIND") == "1"  # read before `run` drops OJ_*
CLIENT_FROM = os.environ.get("OJ_BENCH_CLIENT_FROM", "")
RUNBOOK = """
[queue.q]
fields = { n = "int" }

[queue.plain]
fields = { n = "int" }

[worker.w]
queue = "q"
handler = "pipeline.p"
concurrency = 4
wake_on = ["queue:item:added@q"]

[pipeline.p]
inputs = ["n"]

[[pipeline.p.phase]]
name = "one"
run = "true"

[pipeline.held]

[[pipeline.held.phase]]
name = "hold"
lock = "L"
run = "sleep 600"

[lock.L]
"""
CONFIG = "[runtime]\nmax_active_runs = 5000\n"


def _project(base: Path, name: str, runbook: str = RUNBOOK) -> Path:
    root = base / name
    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "bench.toml").write_text(runbook)
    (root / ".oj").mkdir()
    (root / ".oj" / "config.toml").write_text(CONFIG)
    return root


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _start(root: Path, env: dict[str, str]) -> int:
    subprocess.run([OJ, "daemon", "start"], cwd=root, env=env, check=True, capture_output=True)
    from ojlang.runtime.daemon.lifecycle import read_info

    return int(read_info(root / ".oj")["pid"])


def _stop(root: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [OJ, "daemon", "stop", "--kill-agents"], cwd=root, env=env, capture_output=True, timeout=120
    )


def wake_latency(root: Path) -> dict[str, Any]:
    from ojlang.client import connect

    claimed: dict[str, float] = {}
    completed: set[str] = set()
    ready = threading.Event()
    stop = threading.Event()
    patterns = ["queue:item:claimed", "queue:item:complete"]

    def listen() -> None:
        with connect(root, autostart=False) as client:
            params = {"patterns": patterns, "n": 0, "follow": True}
            events = client.stream("events.tail", params)
            ready.set()
            for event in events:
                item = str(event["payload"]["item"])
                if event["name"] == "queue:item:claimed":
                    claimed[item] = time.perf_counter()
                else:
                    completed.add(item)
                if stop.is_set():
                    break

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    ready.wait(30)
    time.sleep(0.2)
    latencies: list[float] = []
    pings: list[float] = []
    commits: list[float] = []
    with connect(root, autostart=False) as client:
        for n in range(PUSHES):
            began = time.perf_counter()
            client.request("ping", {})
            pings.append(time.perf_counter() - began)
            began = time.perf_counter()
            client.request("queue.add", {"queue": "plain", "data": {"n": n}})
            commits.append(time.perf_counter() - began)
            began = time.perf_counter()
            item = str(client.request("queue.add", {"queue": "q", "data": {"n": n}})["item"])
            deadline = time.monotonic() + 10
            while item not in claimed and time.monotonic() < deadline:
                time.sleep(0.0005)
            latencies.append(claimed.get(item, float("inf")) - began)
            while item not in completed and time.monotonic() < deadline:  # quiet again
                time.sleep(0.001)
    stop.set()
    p50 = statistics.median(latencies)
    return {
        "wake_p50_ms": _ms(p50),
        "wake_p95_ms": _ms(_pct(latencies, 0.95)),
        "wake_p99_ms": _ms(_pct(latencies, 0.99)),
        "ping_p50_ms": _ms(statistics.median(pings)),
        "commit_p50_ms": _ms(statistics.median(commits)),
        "wake_ratio_to_commit": round(p50 / statistics.median(commits), 2),
        "wake_budget_p50_ms": 50,
        "wake_budget_p99_ms": 100,
    }


TIMER_RUNBOOK = "".join(
    f'[cron.c{k}]\ninterval = "1s"\nenabled = true\nrun = "true"\n\n' for k in range(TIMER_CRONS)
)


def timer_lateness(base: Path, env: dict[str, str]) -> dict[str, Any]:
    """Crons ticking every second for `TIMER_S`: fire time (`ts`) of each `timer:fired` op
    minus the due time it carries, from the op log (read-only, after the daemon stopped)."""
    import json
    import sqlite3

    root = _project(base, "timers", TIMER_RUNBOOK)
    _start(root, env)
    try:
        time.sleep(TIMER_S)
    finally:
        _stop(root, env)
    db = sqlite3.connect(f"file:{root / '.oj' / 'state.db'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT ts, body FROM ops WHERE type = 'input'").fetchall()
    finally:
        db.close()
    late: list[float] = []
    for ts, body in rows:
        op = json.loads(body)
        if op.get("name") == "timer:fired":
            late.append((int(ts) - int(op["payload"]["due_us"])) / 1e6)
    if not late:
        return {"timer_fired": 0}
    return {
        "timer_fired": len(late),
        "timer_lateness_p50_ms": _ms(statistics.median(late)),
        "timer_lateness_p99_ms": _ms(_pct(late, 0.99)),
        "timer_lateness_max_ms": _ms(max(late)),
        "timer_budget_p99_ms": 50,
    }


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def idle_cpu(pid: int, window_s: float) -> dict[str, Any]:
    time.sleep(2.0)  # let the start settle
    before, began = _cpu_s(pid), time.monotonic()
    time.sleep(window_s)
    used, elapsed = _cpu_s(pid) - before, time.monotonic() - began
    return {
        "idle_window_s": round(elapsed, 1),
        "idle_cpu_percent": round(100 * used / elapsed, 2),
        "idle_budget_percent": 1,
    }


def _child(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def _status_vs_pass(root: Path, env: dict[str, str]) -> dict[str, float]:
    """Medians of `oj status` and of `python -c pass`, run in turns."""
    times: dict[str, list[float]] = {"wall": [], "cpu": [], "pass_wall": [], "pass_cpu": []}
    for _ in range(STATUS_REPEAT):
        wall, cpu = _child([sys.executable, "-c", "pass"], root, env)
        times["pass_wall"].append(wall)
        times["pass_cpu"].append(cpu)
        wall, cpu = _child([OJ, "status"], root, env)
        times["wall"].append(wall)
        times["cpu"].append(cpu)
    return {key: statistics.median(values) for key, values in times.items()}


def _instructions(argv: list[str], cwd: Path, env: dict[str, str]) -> int | None:
    if not shutil.which("valgrind"):
        return None
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if found else None


def _cli_figures(root: Path, env: dict[str, str], label: str) -> dict[str, Any]:
    m = _status_vs_pass(root, env)
    figures: dict[str, Any] = {
        f"status_cli_{label}_median_ms": _ms(m["wall"]),
        f"status_cli_{label}_cpu_median_ms": _ms(m["cpu"]),
        f"python_pass_{label}_median_ms": _ms(m["pass_wall"]),
        f"python_pass_{label}_cpu_median_ms": _ms(m["pass_cpu"]),
        f"status_cli_{label}_ratio_to_pass": round(m["wall"] / m["pass_wall"], 2),
    }
    if CALLGRIND:
        status_ir = _instructions([OJ, "status"], root, env)
        pass_ir = _instructions([sys.executable, "-c", "pass"], root, env)
        if status_ir and pass_ir:
            figures[f"status_cli_{label}_instructions_m"] = round(status_ir / 1e6, 1)
            figures[f"python_pass_{label}_instructions_m"] = round(pass_ir / 1e6, 1)
            figures[f"status_cli_{label}_instructions_ratio"] = round(status_ir / pass_ir, 2)
    return figures


def status_with_runs(base: Path, env: dict[str, str]) -> dict[str, Any]:
    from ojlang.client import connect

    package = package_copy(base, Path(CLIENT_FROM) if CLIENT_FROM else None)
    source_env = {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(package)}
    empty = _project(base, "empty")
    _start(empty, env)
    try:
        baseline = statistics.median(_child([OJ, "status"], empty, env)[0] for _ in range(5))
    finally:
        _stop(empty, env)
    root = _project(base, "busy")
    _start(root, env)
    figures: dict[str, Any] = {}
    try:
        with connect(root, autostart=False) as client:
            for k in range(RUNS):
                client.request("pipeline.start", {"pipeline": "held", "name": f"r{k}"})
            client.request("ping", {})
            rounds = []
            for _ in range(STATUS_REPEAT):
                began = time.perf_counter()
                answer = client.request("status", {})
                rounds.append(time.perf_counter() - began)
            listed = len(answer["runs"])
        figures.update(_cli_figures(root, source_env, "source"))
        compile_all = [sys.executable, "-m", "compileall", "-q", str(package / "ojlang")]
        subprocess.run(compile_all, check=True, capture_output=True)
        figures.update(_cli_figures(root, source_env, "pyc"))
    finally:
        _stop(root, env)
    figures.update(
        {
            "status_runs_listed": listed,
            "status_cli_empty_project_median_ms": _ms(baseline),
            "status_round_trip_p50_ms": _ms(statistics.median(rounds)),
            "status_budget_cli_ms": 150,
            "status_budget_round_trip_ms": 100,
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
    )
    return figures


def run(idle_s: float | None = None) -> dict[str, Any]:
    """Every part, or those named in `OJ_BENCH_DAEMON_PARTS` (`idle,wake,timers,status`)."""
    window = idle_s if idle_s is not None else float(os.environ.get("OJ_BENCH_IDLE_S", "60"))
    parts = set(os.environ.get("OJ_BENCH_DAEMON_PARTS", "idle,wake,timers,status").split(","))
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="oj-bench-daemon-") as tmp:
        base = Path(tmp)
        env = daemon_env(base)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            if parts & {"idle", "wake"}:
                root = _project(base, "wake")
                pid = _start(root, env)
                try:
                    if "idle" in parts:
                        figures.update(idle_cpu(pid, window))
                    if "wake" in parts:
                        figures.update(wake_latency(root))
                finally:
                    _stop(root, env)
            if "timers" in parts:
                figures.update(timer_lateness(base, env))
            if "status" in parts:
                figures.update(status_with_runs(base, env))
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
