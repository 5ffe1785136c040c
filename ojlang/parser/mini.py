"""Shared plumbing of the mini-languages (LANGUAGE.md §4): grammar loading and syntax errors.

Mini-language parsers take a *decoded* string and return small frozen AST nodes whose
`start`/`end` are decoded code-point offsets; `MiniSyntaxError` carries offsets too. The
caller maps offsets to the file through the string's `SourceMap` (`to_diagnostic`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ojlang.parser.spans import SourceMap

if TYPE_CHECKING:
    from ojlang.parser.lalr import Parser
    from ojlang.validator.diagnostic import Diagnostic


class MiniSyntaxError(Exception):
    """A problem inside a mini-language string, at decoded offsets [start, end)."""

    def __init__(
        self,
        code: str,
        message: str,
        start: int,
        end: int,
        *,
        label: str = "",
        help: str | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.start = start
        self.end = end
        self.label = label
        self.help = help
        self.notes = notes

    def to_diagnostic(self, source_map: SourceMap, *, offset: int = 0) -> Diagnostic:
        """The diagnostic for this error; `offset` shifts when the text was a substring."""
        from ojlang.validator.diagnostic import diag

        return diag(
            self.code,
            self.message,
            source_map.span(self.start + offset, self.end + offset),
            self.label,
            help=self.help,
            notes=self.notes,
        )


def load_grammar(name: str) -> Parser:
    """The LALR parser of `grammars/<name>.lark`, from the tables generated ahead of time
    (`ojlang.parser.lalr`): it builds lark's trees and raises lark's errors, without lark."""
    from ojlang.parser.lalr import parser

    return parser(name)


def close_match(word: str, candidates: Iterable[str]) -> str | None:
    """The best candidate per LANGUAGE.md §7 (`difflib`, cutoff 0.6), or None."""
    import difflib  # imported when a name is wrong, not on every check

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def suggestion(word: str, candidates: Iterable[str], kind: str) -> str | None:
    """`help` text: a close match, else up to 8 candidates listed, else None."""
    pool = list(candidates)
    best = close_match(word, pool)
    if best is not None:
        return f"a {kind} with a similar name exists: `{best}`"
    if not pool:
        return None
    shown = ", ".join(f"`{c}`" for c in pool[:8])
    more = ", …" if len(pool) > 8 else ""
    return f"expected one of {shown}{more}"
