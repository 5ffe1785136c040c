"""Event matching (RUNTIME.md §13: ≥ 50,000 events/s with 1,000 subscriptions).

1,000 subscriptions are added to a `World` through `core.subs.add`, shaped like a busy
project's: 400 guards waiting for one item (`queue:item:complete@q-N`), 300 for one run's end
(`run:done@r-N`), 200 workers woken by their queue (`queue:item:added@qN`), 80 watchers with a
wildcard segment (`task:*:stuck`), 20 catch-alls (`**@r-N`). 20,000 events are then matched
with `core.subs.subscribers_of` — the routing step's lookup — cycling through names that hit
each index bucket, with subjects that match one subscriber in ten. Reported: events/s (median
of 5 passes) against the baseline of the same events matched against an empty subscription
table (the per-event cost of the lookup alone), plus the subscribers found per event.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from ojlang.runtime.core import subs
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.graph import Graph
from ojlang.runtime.core.world import initial_world

EVENTS = 20_000
PASSES = 5
NAMES = (
    "queue:item:complete",
    "queue:item:added",
    "run:done",
    "task:t:stuck",
    "phase:started",
    "session:idle",
)


def _patterns() -> list[tuple[str, str]]:
    out = [(f"queue:item:complete@q-{k}", f"guard:g{k}") for k in range(400)]
    out += [(f"run:done@r-{k}", f"guard:r{k}") for k in range(300)]
    out += [(f"queue:item:added@q{k}", f"worker:w{k}") for k in range(200)]
    out += [("task:*:stuck", f"watcher:s{k}") for k in range(80)]
    out += [(f"**@r-{k}", f"watcher:a{k}") for k in range(20)]
    return out


def _tx(patterns: list[tuple[str, str]]) -> Tx:
    tx = Tx(initial_world(Graph()), 0, 0, "bench")
    for pattern, subscriber in patterns:
        subs.add(tx, pattern, subscriber)
    return Tx(tx.freeze(), 0, 0, "bench")


def _events() -> list[Event]:
    out = []
    for n in range(EVENTS):
        name = NAMES[n % len(NAMES)]
        subject = f"q-{n % 4000}" if name.startswith("queue") else f"r-{n % 3000}"
        out.append(Event(name=name, subject=subject, time_us=n, seq=n))
    return out


def _rate(tx: Tx, events: list[Event]) -> tuple[float, int]:
    found = 0
    began = time.perf_counter()
    for event in events:
        found += len(subs.subscribers_of(tx, event))
    return len(events) / (time.perf_counter() - began), found


def run() -> dict[str, Any]:
    events = _events()
    full, empty = _tx(_patterns()), _tx([])
    rates, baseline = [], []
    found = 0
    for _ in range(PASSES):
        rate, found = _rate(full, events)
        rates.append(rate)
        baseline.append(_rate(empty, events)[0])
    cpu_began = time.process_time()
    _rate(full, events)
    cpu = time.process_time() - cpu_began
    median = statistics.median(rates)
    return {
        "events_per_s_median": round(median),
        "events_per_s_cpu": round(EVENTS / cpu) if cpu else None,
        "baseline_empty_table_events_per_s": round(statistics.median(baseline)),
        "ratio_to_empty_table": round(median / statistics.median(baseline), 3),
        "subscribers_found_per_event": round(found / EVENTS, 2),
        "subscriptions": len(_patterns()),
        "budget_events_per_s": 50_000,
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
