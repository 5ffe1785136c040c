"""Helpers for the core's frozen attrs classes: a fast `evolve` (an instance + changes in, a
copy out) and `later` fields (a default in, a field the canonical JSON omits while default).

`attrs.evolve` re-runs `__init__`; the core evolves records on every step, so this copies the
fields directly (no validators or converters are used by core records). Hot state records are
declared `@attrs.frozen(slots=False)` so a copy is one `__dict__` copy.

A field added to a state record after a store format was released is declared with `later`:
`codec` leaves it out of the canonical JSON while it holds its default, so worlds that do not
use it serialize exactly as before (the store's golden exports stay byte for byte).
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

T = TypeVar("T")
_NAMES: dict[type, tuple[str, ...]] = {}
_set = object.__setattr__
_new = object.__new__


LATER = "omit_if_default"


def later(default: Any = None, factory: Any = None) -> Any:
    """A field omitted from the canonical JSON while it equals its default (or `factory()`)."""
    if factory is not None:
        return attrs.field(factory=factory, metadata={LATER: True})
    return attrs.field(default=default, metadata={LATER: True})


def evolve(inst: T, **changes: Any) -> T:
    cls = type(inst)
    new = _new(cls)
    d = getattr(inst, "__dict__", None)
    if d is not None:
        d = d.copy()
        d.update(changes)
        _set(new, "__dict__", d)
        return new
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(a.name for a in attrs.fields(cls))  # type: ignore[arg-type]
    for name in names:
        _set(new, name, changes[name] if name in changes else getattr(inst, name))
    return new
