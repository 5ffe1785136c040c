"""`oj check` on 10 runbooks of ~150 lines in a cold process vs `python -c pass`.

Budget (issues 2 and 3): median <= 150 ms and <= 8x the `python -c pass` median measured in the
same run, with `bash -n` on and shellcheck off. Each sample is a fresh interpreter, so imports
are part of the cost, as for a user. Both commands alternate within each repetition, so that a
burst of load on a shared machine hits both alike. Reported: the median wall time and the
median CPU time (user + system of the process and its children, e.g. `bash -n`) of each, and
both ratios; the CPU figures are the steadier ones on a loaded machine.

Two `oj check` variants run side by side. *With bytecode*: the package's `.pyc` files are
written first (a warm-up without `PYTHONDONTWRITEBYTECODE`), as in a real install or after
`make setup` (which byte-compiles the package). *Without bytecode*: a copy of the package
without `__pycache__` comes first on `PYTHONPATH`, with `PYTHONDONTWRITEBYTECODE=1`, so every
ojlang module is compiled at each start (the standard library and dependencies keep their
bytecode): what an editable install costs in an environment that never writes `.pyc` files.
The budget applies to the first; the second is reported so the difference stays visible.
The load average is printed before and after: wall times are only comparable at equal load.

Run: `python -m bench.check_cold` (or `python -m bench check_cold`).
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

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "runbooks"
REPEAT = 15


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPATH", None)
    env.update(extra or {})
    return env


def _without_bytecode(tmp: Path) -> dict[str, str]:
    """The environment of the *without bytecode* variant: a copy of the package first on the
    path, nothing written (the standard library runbooks are found beside the copy)."""
    import ojlang

    package = Path(ojlang.__file__).parent
    shutil.copytree(package, tmp / "ojlang", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp / "stdlib_runbooks").symlink_to(package.parent / "stdlib_runbooks")
    return {"PYTHONPATH": str(tmp), "PYTHONDONTWRITEBYTECODE": "1"}


def _time(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU: the child and its own children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="oj-bench-") as tmp:
        return _run(Path(tmp))


def _run(tmp: Path) -> dict[str, object]:
    exe = Path(sys.executable)
    oj = exe.parent / "oj"
    files = sorted(FIXTURES.glob("*.toml"))
    lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
    check = [str(oj), "check", "--no-shellcheck", *map(str, files)]
    base, pyc, nopyc = "python -c pass", "oj check", "oj check without bytecode"
    commands = {
        base: ([str(exe), "-c", "pass"], _env()),
        pyc: (check, _env()),
        nopyc: (check, _env(_without_bytecode(tmp))),
    }
    load_before = os.getloadavg()
    for argv, env in commands.values():  # bytecode and OS caches, not the interpreter
        _time(argv, HERE, env)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(REPEAT):
        for name, (argv, env) in commands.items():
            samples[name].append(_time(argv, HERE, env))
    load_after = os.getloadavg()
    wall = {name: statistics.median(s[0] for s in runs) * 1000 for name, runs in samples.items()}
    cpu = {name: statistics.median(s[1] for s in runs) * 1000 for name, runs in samples.items()}
    out: dict[str, object] = {
        "runbooks": len(files),
        "lines": lines,
        "load average before, after (1 min)": f"{load_before[0]:.2f}, {load_after[0]:.2f}",
        "python -c pass median ms": round(wall[base], 1),
        "python -c pass CPU median ms": round(cpu[base], 1),
    }
    for name in (pyc, nopyc):
        out[f"{name} median ms"] = round(wall[name], 1)
        out[f"{name} CPU median ms"] = round(cpu[name], 1)
        out[f"{name} ratio vs python -c pass"] = round(wall[name] / wall[base], 2)
        out[f"{name} ratio vs python -c pass (CPU)"] = round(cpu[name] / cpu[base], 2)
    out["budget"] = "oj check (with bytecode): <= 150 ms and <= 8x"
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
