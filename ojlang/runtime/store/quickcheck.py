"""The integrity check at open (RUNTIME.md §6.5): a database path in, the `PRAGMA quick_check`
verdict out (`"ok"` or the first problems), now or from a background thread.

`quick_check` reads every page, so on a large store (a long-running daemon keeps up to
`store.events_max_rows` events) it costs about as much as the rest of the start together.
`QuickCheck` runs it on its own connection in a thread while the caller loads the snapshot and
replays the tail (SQLite releases the GIL while it reads): the store joins it before its first
write and before `load()` returns, so a store that fails the check is still refused before
anything is served or written.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


def quick_check(conn: sqlite3.Connection) -> str:
    """`"ok"`, or the first three problems `PRAGMA quick_check` reports, joined by `; `."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    return "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])


class QuickCheck:
    """`PRAGMA quick_check` of `path` in a daemon thread, started at construction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._verdict = ""
        self._thread = threading.Thread(target=self._run, name="oj-store-quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None)
            try:
                conn.execute("PRAGMA busy_timeout = 5000")
                self._verdict = quick_check(conn)
            finally:
                conn.close()
        except sqlite3.Error as err:
            self._verdict = f"{type(err).__name__}: {err}"

    def wait(self) -> str:
        """Block until the check is done; its verdict out."""
        self._thread.join()
        return self._verdict
