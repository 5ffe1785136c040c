"""The keyed pool: one key runs in submission order, different keys run at once, a failing
job is reported and the pool goes on."""

from __future__ import annotations

import threading
import time

from ojlang.runtime.engine.pool import KeyedPool


def test_jobs_of_one_key_run_in_order_and_keys_run_concurrently() -> None:
    pool = KeyedPool(4, "t")
    order: list[str] = []
    lock = threading.Lock()
    both = threading.Barrier(2, timeout=5)

    def job(name: str, meet: bool = False) -> None:
        if meet:
            both.wait()  # fails unless another key runs at the same time
        time.sleep(0.01)
        with lock:
            order.append(name)

    for n in range(5):
        pool.submit("k", lambda n=n: job(f"k{n}", meet=n == 0))
    pool.submit("other", lambda: job("other", meet=True))
    assert pool.wait_idle(5)
    assert [x for x in order if x.startswith("k")] == [f"k{n}" for n in range(5)]
    assert "other" in order
    assert pool.busy == 0


def test_a_failing_job_is_reported_and_the_key_moves_on() -> None:
    errors: list[BaseException] = []
    pool = KeyedPool(1, "t", errors.append)
    seen: list[int] = []

    def boom() -> None:
        raise RuntimeError("boom")

    pool.submit("k", boom)
    pool.submit("k", lambda: seen.append(1))
    assert pool.wait_idle(5)
    assert seen == [1] and [str(e) for e in errors] == ["boom"]


def test_stop_drops_jobs_not_started() -> None:
    pool = KeyedPool(1, "t")
    gate = threading.Event()
    ran: list[int] = []
    pool.submit("a", gate.wait)
    pool.submit("b", lambda: ran.append(1))
    pool.stop()
    gate.set()
    time.sleep(0.05)
    pool.submit("c", lambda: ran.append(2))
    assert ran == []
