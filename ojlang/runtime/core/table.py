"""Transition tables as data: rows in, acceptance checks and documentation rows out.

Every state machine module lists its transitions as `Transition` rows (RUNTIME.md §3). The
rows are load-bearing: `accepts(table, state, input)` decides whether a (state, input) pair has
a row at all; pairs without one are ignored by the machine and logged at debug level. Docs and
diagrams are generated from the same rows (`rows_as_dicts`).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

ANY = "*"


@attrs.frozen
class Transition:
    from_: str  # a state name, or `*` for any state
    input: str  # the input (or internal trigger) name
    guard: str  # condition in words, "" when none
    to: str  # resulting state (words)
    effects: str  # effects and events (words)


def accepts(table: Iterable[Transition], state: str, input: str) -> bool:
    """True when some row starts in `state` (or `*`) and takes `input`."""
    return any(r.input == input and r.from_ in (state, ANY) for r in table)


def rows_as_dicts(table: Iterable[Transition]) -> list[dict[str, str]]:
    return [attrs.asdict(r) for r in table]
