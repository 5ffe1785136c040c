"""`oj check` on 10 runbooks of ~150 lines in a cold process vs `python -c pass`.

Budget (issue 2): median <= 150 ms and <= 8x the `python -c pass` median measured in the same
run. Each sample is a fresh interpreter, so imports are part of the cost, as for a user.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "runbooks"
REPEAT = 15


def _time(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _median_ms(argv: list[str], cwd: Path) -> float:
    _time(argv, cwd)  # warm the OS caches (and lark's grammar cache), not the interpreter
    return statistics.median(_time(argv, cwd) for _ in range(REPEAT)) * 1000


def run() -> dict[str, object]:
    exe = Path(sys.executable)
    oj = exe.parent / "oj"
    files = sorted(FIXTURES.glob("*.toml"))
    lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
    baseline = _median_ms([str(exe), "-c", "pass"], HERE)
    check = _median_ms([str(oj), "check", "--no-shellcheck", *map(str, files)], HERE)
    return {
        "runbooks": len(files),
        "lines": lines,
        "python -c pass median ms": round(baseline, 1),
        "oj check median ms": round(check, 1),
        "ratio vs python -c pass": round(check / baseline, 2),
        "budget": "<= 150 ms and <= 8x",
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
