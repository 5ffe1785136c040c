"""A bounded pool of daemon threads with per-key ordering (RUNTIME.md §1 engine loop): jobs
with a key in, jobs run in submission order per key and concurrently across keys out.

Jobs that share a key (a session, a workspace, a task run) run one at a time in the order they
were submitted; jobs with different keys run on up to `size` threads at once, in FIFO order.
Threads are daemon threads so a shell still being waited on never holds up process exit (its
runner keeps going and is re-attached at the next start, §8.3). A job that raises is reported
to `on_error` and never stops the pool.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable

Job = Callable[[], None]


class KeyedPool:
    def __init__(
        self, size: int, name: str, on_error: Callable[[BaseException], None] | None = None
    ) -> None:
        self.size = max(1, size)
        self.name = name
        self.on_error = on_error
        self._cond = threading.Condition()
        self._ready: collections.deque[tuple[str, Job]] = collections.deque()
        self._waiting: dict[str, collections.deque[Job]] = {}  # key busy → jobs behind it
        self._threads: list[threading.Thread] = []
        self._running = 0
        self._stopped = False

    def submit(self, key: str, job: Job) -> None:
        with self._cond:
            if self._stopped:
                return
            behind = self._waiting.get(key)
            if behind is not None:
                behind.append(job)
                return
            self._waiting[key] = collections.deque()
            self._ready.append((key, job))
            if len(self._threads) < self.size and self._running + len(self._ready) > len(
                self._threads
            ):
                thread = threading.Thread(
                    target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            self._cond.notify()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._ready and not self._stopped:
                    self._cond.wait()
                if self._stopped and not self._ready:
                    return
                key, job = self._ready.popleft()
                self._running += 1
            try:
                job()
            except BaseException as exc:  # a bug in a job: report, keep the pool alive
                if self.on_error is not None:
                    self.on_error(exc)
            with self._cond:
                self._running -= 1
                behind = self._waiting.get(key)
                if behind:
                    self._ready.append((key, behind.popleft()))
                    self._cond.notify()
                else:
                    self._waiting.pop(key, None)
                    self._cond.notify_all()

    @property
    def busy(self) -> int:
        """Jobs submitted and not finished (running, ready or waiting behind a key)."""
        with self._cond:
            return self._running + len(self._ready) + sum(len(d) for d in self._waiting.values())

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is left, at most `timeout` seconds; whether the pool is idle."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._running and not self._ready and not self._waiting, timeout
            )

    def stop(self) -> None:
        """Take no new jobs; drop the ones not started; running jobs finish on their own."""
        with self._cond:
            self._stopped = True
            self._ready.clear()
            self._waiting.clear()
            self._cond.notify_all()
