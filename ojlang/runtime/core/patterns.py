"""Event patterns (§L4.7): pattern text + scope in, rendered pattern; rendered pattern + event
in, match or not. `*` is one segment, `**` the rest, `@glob` matches the subject."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ojlang.runtime.core.events import Event
from ojlang.runtime.core.templates import RenderError, lookup

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def render_pattern(text: str, scope: Mapping[str, Any]) -> str:
    """Fill `{path}` placeholders; a missing value or one with `:`/`@` is a `RenderError`."""

    def fill(m: re.Match[str]) -> str:
        value = lookup(scope, tuple(m.group(1).split(".")))
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise RenderError(f"no value for `{m.group(1)}` in pattern `{text}`")
        out = str(value)
        if ":" in out or "@" in out:
            raise RenderError(f"value of `{m.group(1)}` contains `:` or `@`")
        return out

    return _PLACEHOLDER.sub(fill, text)


@lru_cache(maxsize=4096)
def _compile(text: str) -> tuple[tuple[str, ...], str | None]:
    name, _, subject = text.partition("@")
    return tuple(name.split(":")), (subject or None)


@lru_cache(maxsize=4096)
def parts(text: str) -> tuple[str, str | None]:
    """The name part and the `@subject` glob (or None) of pattern `text`."""
    name, _, subject = text.partition("@")
    return name, (subject or None)


def is_literal(text: str) -> bool:
    """Whether a pattern's name or subject part has no wildcard (`*`, `**`, `?`, `[`)."""
    return not any(c in text for c in "*?[")


def first_segment(text: str) -> str:
    """Index key of a pattern: its first segment, or `*` when that is a wildcard."""
    head = _compile(text)[0][0]
    return "*" if head in ("*", "**") else head


def name_matches(text: str, name: str) -> bool:
    """Whether the name part of pattern `text` matches event name `name`."""
    segments = _compile(text)[0]
    names = name.split(":")
    for i, seg in enumerate(segments):
        if seg == "**":
            return True
        if i >= len(names) or (seg != "*" and seg != names[i]):
            return False
    return len(names) == len(segments)


def subject_matches(text: str, subject: str) -> bool:
    """Whether the `@glob` part of pattern `text` (if any) matches `subject`."""
    glob = _compile(text)[1]
    return glob is None or fnmatch.fnmatchcase(subject, glob)


def matches(text: str, event: Event) -> bool:
    return name_matches(text, event.name) and subject_matches(text, event.subject)
