"""Positions in one TOML text: tokens and code-point offsets in, `Span`s and `Pos`es out.

Spans count lines and columns in code points (a tab is one column) and carry byte offsets
into the raw UTF-8 file (LANGUAGE.md §2.2). Tokens come with all of these from the lexer;
arbitrary offsets (errors, comments, the whole file) are mapped here, with a table of the
non-ASCII characters and one of line starts, both built on first use.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from ojlang.parser.spans import Pos, Span

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class Source:
    """One decoded TOML text and its display path.

    `byte_base` is added to every byte offset (3 when a BOM was stripped before parsing).
    """

    __slots__ = ("_extra", "_line_starts", "_wide", "byte_base", "path", "text")

    def __init__(self, text: str, path: str, byte_base: int = 0) -> None:
        self.text = text
        self.path = path
        self.byte_base = byte_base
        self._line_starts: list[int] | None = None
        self._wide: list[int] | None = None  # offsets of non-ASCII characters
        self._extra: list[int] = []  # bytes beyond one, up to and including each of them

    def _tables(self) -> list[int]:
        if self._wide is None:
            wide: list[int] = []
            extra: list[int] = []
            total = 0
            for match in _NON_ASCII.finditer(self.text):
                for index, char in enumerate(match.group(), match.start()):
                    total += len(char.encode("utf-8", "surrogatepass")) - 1
                    wide.append(index)
                    extra.append(total)
            self._wide = wide
            self._extra = extra
        return self._wide

    def byte(self, offset: int) -> int:
        """The byte offset of code-point offset `offset`."""
        wide = self._tables()
        index = bisect.bisect_left(wide, offset)
        return offset + self.byte_base + (self._extra[index - 1] if index else 0)

    def token_span(self, token: Any) -> Span:
        """The span of one lexer token (`toml_lalr.Tok`)."""
        _, _, _, _, line, column, end_line, end_column, byte_start, byte_end = token
        base = self.byte_base
        return Span(
            self.path, line, column, end_line, end_column, byte_start + base, byte_end + base
        )

    def tokens_span(self, first: Any, last: Any) -> Span:
        """The span from the start of token `first` to the end of token `last`."""
        _, _, _, _, line, column, _, _, byte_start, _ = first
        _, _, _, _, _, _, end_line, end_column, _, byte_end = last
        base = self.byte_base
        return Span(
            self.path, line, column, end_line, end_column, byte_start + base, byte_end + base
        )

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            text = self.text
            found = [0]
            index = text.find("\n")
            while index >= 0:
                found.append(index + 1)
                index = text.find("\n", index + 1)
            self._line_starts = found
        return self._line_starts

    def pos(self, offset: int) -> Pos:
        """The position of code-point offset `offset` (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        starts = self._starts()
        line = bisect.bisect_right(starts, offset)
        return Pos(line, offset - starts[line - 1] + 1, self.byte(offset))

    def span(self, start: int, end: int | None = None) -> Span:
        """The span of code-point range [start, end); a point when `end` is None."""
        first = self.pos(start)
        last = first if end is None or end <= start else self.pos(end)
        return Span.between(self.path, first, last)

    def whole(self) -> Span:
        """The span of the whole text (the root table's span)."""
        text = self.text
        last = text.rfind("\n")
        end_byte = self.byte_base + (
            len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        )
        return Span(
            self.path,
            1,
            1,
            text.count("\n") + 1,
            len(text) - last,
            self.byte_base,
            end_byte,
        )

    def line_count(self) -> int:
        """Lines as an editor shows them (a final newline does not open a new line)."""
        starts = self._starts()
        count = len(starts)
        if count > 1 and starts[-1] == len(self.text):
            count -= 1
        return count
