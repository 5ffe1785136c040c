"""Generated runbooks of 1k, 2k, 4k and 8k lines in, in-process `oj check` times out.

Each runbook repeats a realistic unit (~50 lines: a queue, a worker, a pipeline of four
phases with guards, a lock and a semaphore, two tasks with Jinja prompts, a strategy, a cron,
multi-line shell, a suppression comment) with its own names, so that every check family has
work proportional to the size. The check runs in this process through the façade, without
shellcheck (an external tool), and with `bash -n` as `oj check` runs it. Names carry a salt per
repetition so that no cache carries over between repetitions.

Reported: the median wall and CPU time of `REPEATS` checks per size, and the ratios 8k / 1k of
the medians (wall, CPU) and of the fastest runs. Target: <= 9 (the work is linear in the size;
8 is perfectly linear). On a shared, loaded machine the wall figures swing with the load; the
CPU ratio and the ratio of the fastest runs are the steadier ones.

Run: `python -m bench.check_scaling` (or `python -m bench check_scaling`).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

SIZES = (1000, 2000, 4000, 8000)
REPEATS = 5

UNIT = """\
[queue.q{n}]
fields = {{ slug = "string", goal = "string", size = "int" }}
filter = "item.size > 0 and not has_label('hold')"
order = "priority DESC, created_at ASC"

[worker.w{n}]
queue = "q{n}"
handler = "pipeline.p{n}"
concurrency = 2

[pipeline.p{n}]
inputs = ["slug", "goal", "size"]
defaults = {{ branch = "feature/{{slug}}-{n}" }}
phase = [
  {{ name = "plan", task = "planner{n}", semaphore = "agents{n}", post = ["planned{n}"] }},
  {{ name = "build", run = \"\"\"
set -euo pipefail
make build SLUG={{slug}} SIZE={{size}}
for f in $(git diff --name-only origin/main); do echo "changed: $f"; done
\"\"\", timeout = "20m", on_fail = "retry:2:30s" }},
  {{ name = "code", task = "coder{n}", semaphore = "agents{n}" }},
  {{ name = "land", strategy = "land{n}", lock = "main{n}" }},
]

[task.planner{n}]
prompt = "Write plans/{{{{ slug }}}}.md for: {{{{ goal }}}} ({{{{ size }}}} points)."
timeout = "30m"

[task.coder{n}]
prompt = \"\"\"
Implement plans/{{{{ slug }}}}.md on {{{{ branch }}}}.
{{% if size > 3 %}}Split the work into commits.{{% endif %}}
\"\"\"
on_stuck = ["nudge:2", "restart", "escalate"]
checkpoint = "git commit -qam 'wip: {{slug}}' || true"  # oj: ignore[OJ602]

[guard.planned{n}]
condition = "test -s plans/{{slug}}.md"
retry = {{ max = 5, interval = "20s" }}

[strategy.land{n}]
checkpoint = "git rev-parse HEAD"

[[strategy.land{n}.attempt]]
name = "push"
run = "git push origin HEAD:main && echo {{checkpoint}}"

[lock.main{n}]
heartbeat = "30s"

[semaphore.agents{n}]
max = 2

[cron.sweep{n}]
interval = "1h"
enabled = true
run = "oj queue list q{n} --json | jq length"

"""


def runbook(lines: int, salt: str) -> str:
    """A runbook of about `lines` lines (whole units), names salted with `salt`."""
    unit_lines = UNIT.count("\n")
    units = max(1, round(lines / unit_lines))
    return "".join(UNIT.format(n=f"{salt}_{i}") for i in range(units))


def _check_once(root: Path, text: str) -> tuple[float, float]:
    """Wall and CPU seconds of one check (CPU: this process only, steadier when shared)."""
    from ojlang.api import check
    from ojlang.validator.checker import CheckOptions

    (root / "runbooks" / "big.toml").write_text(text, encoding="utf-8")
    wall, cpu = time.perf_counter(), time.process_time()
    report = check(["runbooks/big.toml"], cwd=root, options=CheckOptions(shellcheck=False))
    elapsed = time.perf_counter() - wall, time.process_time() - cpu
    if report.diagnostics:  # the generated runbook must be clean, or we time error paths
        first = report.diagnostics[0]
        raise AssertionError(f"generated runbook is not clean: {first.code} {first.message}")
    return elapsed


def run() -> dict[str, object]:
    os.environ["OJ_STDLIB_DIR"] = ""
    figures: dict[str, object] = {}
    medians: dict[int, float] = {}
    cpu: dict[int, float] = {}
    best: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="oj-bench-") as tmp:
        root = Path(tmp)
        os.environ["XDG_CONFIG_HOME"] = str(root / "xdg")
        (root / "runbooks").mkdir()
        _check_once(root, runbook(200, "warm"))  # imports, grammar tables
        # Sizes interleaved within each repetition, so that a burst of load hits all alike.
        runs: dict[int, list[tuple[float, float]]] = {size: [] for size in SIZES}
        for rep in range(REPEATS):
            for size in SIZES:
                runs[size].append(_check_once(root, runbook(size, f"r{rep}")))
        for size in SIZES:
            times = runs[size]
            medians[size] = statistics.median(t[0] for t in times)
            cpu[size] = statistics.median(t[1] for t in times)
            best[size] = min(t[0] for t in times)
            actual = runbook(size, "x").count("\n")
            figures[f"{size} lines ({actual}) median ms"] = round(medians[size] * 1000, 1)
            figures[f"{size} lines CPU median ms"] = round(cpu[size] * 1000, 1)
    figures["ratio 8k / 1k"] = round(medians[SIZES[-1]] / medians[SIZES[0]], 2)
    figures["ratio 8k / 1k (CPU)"] = round(cpu[SIZES[-1]] / cpu[SIZES[0]], 2)
    figures["ratio 8k / 1k (fastest of each)"] = round(best[SIZES[-1]] / best[SIZES[0]], 2)
    figures["target"] = "<= 9 (linear: 8)"
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
