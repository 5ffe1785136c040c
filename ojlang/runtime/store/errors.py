"""Store errors as data: what went wrong, how to recover, and the daemon exit code (§6.5, §7.4).

`StoreRefused` (exit 71): the store is corrupt, unreadable or newer than the code; the message
names the first problem and `help` gives the recovery steps. `StoreIOError` (exit 70): an I/O
error or a failed commit; fatal, never retried in process (a retried fsync may lie).
"""

from __future__ import annotations

EXIT_IO = 70
EXIT_REFUSED = 71


class StoreError(Exception):
    exit_code = EXIT_REFUSED

    def __init__(self, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.help = help


class StoreRefused(StoreError):
    """The store cannot be used as it is; nothing was changed."""

    exit_code = EXIT_REFUSED


class StoreIOError(StoreError):
    """A write failed; the process must stop (the engine exits 70)."""

    exit_code = EXIT_IO


class DeterminismError(StoreRefused):
    """Replay re-derived effects that differ from the recorded intents: a core bug."""


def repair_help(first_bad: int | None = None) -> str:
    """The recovery steps named in every corruption refusal."""
    if first_bad is None:
        return (
            "stop the daemon, then run `oj wal repair`: it copies every op that still reads back "
            "with a valid CRC into a fresh database and keeps the old file as "
            "`state.db.broken-<ts>`"
        )
    return (
        f"run `oj wal repair --from {first_bad}` to set op {first_bad} and every later op aside "
        "(they are kept in the `quarantine` table), or `oj daemon start --salvage` to do the "
        "same without asking"
    )


def refused(path: object, problem: str, first_bad: int | None = None) -> StoreRefused:
    """The refusal for a store that cannot be trusted, with the repair steps."""
    message = f"the store `{path}` cannot be used: {problem}"
    return StoreRefused(message, help=repair_help(first_bad))
