"""`--select` / `--ignore` (LANGUAGE.md §8): selection words -> a predicate over codes.

Words are codes (`OJ301`), code prefixes (`OJ3`, `OJ30`), slugs (`undefined-variable`) or
`ALL`, case-insensitive. Ignoring never hides OJ001–OJ004 (a file that does not parse cannot
be checked at all, so hiding that would hide everything).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ojlang import rec
from ojlang.parser.mini import close_match
from ojlang.validator.catalogue import BY_SLUG, CATALOGUE

UNIGNORABLE = ("OJ001", "OJ002", "OJ003", "OJ004")
_PREFIX_RE = re.compile(r"OJ\d{0,3}\Z")


class SelectionError(ValueError):
    """An unknown word in a selection (a usage error, exit 2)."""


def _codes_of(word: str) -> frozenset[str]:
    text = word.strip()
    upper = text.upper()
    if upper == "ALL":
        return frozenset(CATALOGUE)
    if _PREFIX_RE.match(upper):
        found = frozenset(c for c in CATALOGUE if c.startswith(upper))
        if found:
            return found
    if text.lower() in BY_SLUG:
        return frozenset({BY_SLUG[text.lower()].code})
    best = close_match(upper if upper.startswith("OJ") else text.lower(), [*CATALOGUE, *BY_SLUG])
    hint = f"; did you mean `{best}`?" if best else ""
    raise SelectionError(f"unknown code or slug `{text}` in the selection{hint}")


def parse_words(words: Iterable[str]) -> frozenset[str]:
    """Codes named by comma-separated selection words."""
    codes: set[str] = set()
    for chunk in words:
        for word in chunk.split(","):
            if word.strip():
                codes |= _codes_of(word)
    return frozenset(codes)


@rec.frozen
class Selection:
    selected: frozenset[str]
    ignored: frozenset[str]

    @classmethod
    def from_words(cls, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Selection:
        select = list(select)
        chosen = parse_words(select) if select else frozenset(CATALOGUE)
        return cls(chosen, parse_words(ignore))

    def keeps(self, code: str) -> bool:
        if code in UNIGNORABLE:
            return True
        return code in self.selected and code not in self.ignored
