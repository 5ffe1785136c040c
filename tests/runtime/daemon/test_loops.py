"""Workers and crons wired end to end (RUNTIME.md §3.9–3.10) in a daemon with the real shell
runner: pushes wake the worker and every item runs once; a cron tick never overlaps another."""

from __future__ import annotations

from pathlib import Path

from daemon_kit import call, serving, wait_until, with_real_shell, write_project

RUNBOOK = """
[queue.jobs]
fields = { n = "string" }

[worker.jobber]
queue = "jobs"
handler = "pipeline.job"
concurrency = 2
wake_on = ["queue:item:added@jobs"]

[pipeline.job]
inputs = ["n"]

[[pipeline.job.phase]]
name = "one"
run = "sleep 0.3; echo {n} >> done.log"

[cron.tick]
interval = "1h"
run = "sleep 1; echo tick >> ticks.log"
"""


def test_pushed_items_each_run_once_with_bounded_concurrency(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"demo": RUNBOOK})
    with serving(root, with_real_shell(root)) as daemon:
        peak = 0

        def all_done() -> bool:
            nonlocal peak
            world = daemon.engine.world
            peak = max(peak, len(world.workers["demo.jobber"].active))
            items = world.queues["jobs"].items.values() if "jobs" in world.queues else []
            return len(items) == 5 and all(i.state == "done" for i in items)

        for n in range(5):
            call(root, "queue.add", {"queue": "jobs", "data": {"n": str(n)}})
        assert wait_until(all_done, 30)
        lines = sorted((root / "done.log").read_text().split())
        assert lines == ["0", "1", "2", "3", "4"]
        assert 1 <= peak <= 2
        assert call(root, "worker.show", {"worker": "jobber"})["worker"]["state"] == "idle"


def test_a_cron_tick_never_overlaps_the_running_one(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"demo": RUNBOOK})
    with serving(root, with_real_shell(root)) as daemon:
        assert call(root, "cron.enable", {"cron": "tick"}) == {"cron": "tick", "state": "enabled"}
        assert call(root, "cron.run", {"cron": "tick"})["state"] == "running"
        assert call(root, "cron.run", {"cron": "tick"})["state"] == "running"
        skipped = call(root, "events.tail", {"patterns": ["cron:skipped"]})["events"]
        assert [e["payload"]["reason"] for e in skipped] == ["overlap"]
        assert wait_until(lambda: daemon.engine.world.crons["demo.tick"].state == "enabled", 20)
        assert (root / "ticks.log").read_text() == "tick\n"
        shown = call(root, "cron.show", {"cron": "tick"})["cron"]
        assert (shown["ticks"], shown["enabled"]) == (1, True) and shown["next_us"]
        assert call(root, "cron.disable", {"cron": "tick"})["state"] == "disabled"
        names = [e["name"] for e in call(root, "events.tail", {"patterns": ["cron:*"]})["events"]]
        assert names == [
            "cron:enabled",
            "cron:triggered",
            "cron:skipped",
            "cron:completed",
            "cron:disabled",
        ]
