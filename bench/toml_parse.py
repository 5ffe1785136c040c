"""Runbook fixtures in, timing figures out: positioned `parse_toml` against `tomllib.loads`.

Both parse the same 10 realistic runbooks (`bench/fixtures/runbooks/*.toml`, ~140 lines
each) from text already in memory. One repetition times a pass over all files with each
parser, back to back, so that machine load hits both alike. Reported: the median wall time
of each over `REPEATS` repetitions, and the medians of the per-repetition ratios ours /
tomllib, in wall time and in CPU time (the steadier figure on a busy, shared machine).
Target: a ratio of at most 3.0.

Run: `python -m bench.toml_parse` (or `python -m bench toml_parse`).
"""

from __future__ import annotations

import statistics
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from ojlang.parser.toml import parse_toml

FIXTURES = Path(__file__).parent / "fixtures" / "runbooks"
REPEATS = 21
PASSES = 2  # passes over all files per timed repetition


def _texts() -> list[tuple[str, str]]:
    files = sorted(FIXTURES.glob("*.toml"))
    return [(f"runbooks/{f.name}", f.read_text(encoding="utf-8")) for f in files]


def _time(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds per pass."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(PASSES):
        work()
    return (time.perf_counter() - wall) / PASSES, (time.process_time() - cpu) / PASSES


def run() -> dict[str, float]:
    """Median seconds per pass over all fixtures, for each parser, and their ratio."""
    texts = _texts()

    def ours() -> None:
        for path, text in texts:
            parse_toml(text, path)

    def baseline() -> None:
        for _, text in texts:
            tomllib.loads(text)

    ours()  # load the grammar tables outside the timing
    baseline()
    mine: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for _ in range(REPEATS):
        mine.append(_time(ours))
        theirs.append(_time(baseline))
    lines = sum(text.count("\n") for _, text in texts)
    pairs = list(zip(mine, theirs, strict=True))
    return {
        "files": float(len(texts)),
        "lines": float(lines),
        "ours_ms": statistics.median(m[0] for m in mine) * 1e3,
        "tomllib_ms": statistics.median(t[0] for t in theirs) * 1e3,
        "ratio": statistics.median(m[0] / t[0] for m, t in pairs),
        "cpu_ratio": statistics.median(m[1] / t[1] for m, t in pairs),
    }


def main() -> None:
    figures = run()
    files, lines = int(figures["files"]), int(figures["lines"])
    print(f"positioned TOML parse of {files} runbooks ({lines} lines), median of {REPEATS}:")
    print(f"  parse_toml    {figures['ours_ms']:8.2f} ms")
    print(f"  tomllib.loads {figures['tomllib_ms']:8.2f} ms")
    print(f"  ratio         {figures['ratio']:8.2f}x (median of paired ratios; target <= 3.0x)")
    print(f"  cpu ratio     {figures['cpu_ratio']:8.2f}x (the same in CPU time)")


if __name__ == "__main__":
    main()
