"""`oj check` on 10 runbooks of ~150 lines in a cold process vs `python -c pass`.

Budget (issues 2 and 3): median <= 150 ms and <= 8x the `python -c pass` median measured in the
same run, with `bash -n` on and shellcheck off. Each sample is a fresh interpreter, so imports
are part of the cost, as for a user. Both commands alternate within each repetition, so that a
burst of load on a shared machine hits both alike. Reported: the median wall time and the
median CPU time (user + system of the process and its children, e.g. `bash -n`) of each, and
both ratios; the CPU figures are the steadier ones on a loaded machine.

Bytecode caches are written first (a warm-up run without `PYTHONDONTWRITEBYTECODE`): an
installed package has them, and without them every run would compile the modules again.

Run: `python -m bench.check_cold` (or `python -m bench check_cold`).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "runbooks"
REPEAT = 15


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _time(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU: the child and its own children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        argv,
        cwd=cwd,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run() -> dict[str, object]:
    exe = Path(sys.executable)
    oj = exe.parent / "oj"
    files = sorted(FIXTURES.glob("*.toml"))
    lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
    commands = {
        "python -c pass": [str(exe), "-c", "pass"],
        "oj check": [str(oj), "check", "--no-shellcheck", *map(str, files)],
    }
    for argv in commands.values():  # bytecode and OS caches, not the interpreter
        _time(argv, HERE)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(REPEAT):
        for name, argv in commands.items():
            samples[name].append(_time(argv, HERE))
    wall = {name: statistics.median(s[0] for s in runs) * 1000 for name, runs in samples.items()}
    cpu = {name: statistics.median(s[1] for s in runs) * 1000 for name, runs in samples.items()}
    base, check = "python -c pass", "oj check"
    return {
        "runbooks": len(files),
        "lines": lines,
        "python -c pass median ms": round(wall[base], 1),
        "python -c pass CPU median ms": round(cpu[base], 1),
        "oj check median ms": round(wall[check], 1),
        "oj check CPU median ms": round(cpu[check], 1),
        "ratio vs python -c pass": round(wall[check] / wall[base], 2),
        "ratio vs python -c pass (CPU)": round(cpu[check] / cpu[base], 2),
        "budget": "<= 150 ms and <= 8x",
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
