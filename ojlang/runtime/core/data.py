"""A fast `evolve` for the core's frozen attrs classes: an instance + changes in, a copy out.

`attrs.evolve` re-runs `__init__`; the core evolves records on every step, so this copies the
fields directly (no validators or converters are used by core records). Hot state records are
declared `@attrs.frozen(slots=False)` so a copy is one `__dict__` update.
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

T = TypeVar("T")
_NAMES: dict[type, tuple[str, ...]] = {}
_set = object.__setattr__
_new = object.__new__


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
