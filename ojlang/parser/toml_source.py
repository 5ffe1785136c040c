"""Positions in one TOML text: code-point offsets and lark tokens in, `Span`s and `Pos`es out.

Lark counts lines and columns in code points (a tab is one column), which is what spans use
(LANGUAGE.md §2.2); byte offsets are derived here. ASCII text (the common case) maps offsets
to bytes one to one; otherwise a short table of the non-ASCII characters is bisected.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from ojlang.parser.spans import Pos, Span

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class Source:
    """One decoded TOML text, its display path, and how offsets map to bytes and lines.

    `byte_base` is added to every byte offset (3 when a BOM was stripped before parsing).
    """

    __slots__ = ("_base", "_cum", "_newlines", "_starts", "path", "text")

    def __init__(self, text: str, path: str, byte_base: int = 0) -> None:
        self.text = text
        self.path = path
        self._base = byte_base
        self._newlines: list[int] | None = None
        self._starts: list[int] | None = None
        self._cum: list[int] = []
        if not text.isascii():
            starts: list[int] = []
            cum: list[int] = []
            extra = 0
            for match in _NON_ASCII.finditer(text):
                for index, char in enumerate(match.group(), match.start()):
                    extra += len(char.encode("utf-8", "surrogatepass")) - 1
                    starts.append(index)
                    cum.append(extra)
            self._starts = starts
            self._cum = cum

    def byte(self, offset: int) -> int:
        """The byte offset of code-point offset `offset`."""
        starts = self._starts
        if starts is None:
            return offset + self._base
        index = bisect.bisect_left(starts, offset)
        return offset + self._base + (self._cum[index - 1] if index else 0)

    def token_span(self, token: Any) -> Span:
        """The span of one lark token."""
        if self._starts is None:
            base = self._base
            return Span(
                self.path,
                token.line,
                token.column,
                token.end_line,
                token.end_column,
                token.start_pos + base,
                token.end_pos + base,
            )
        return Span(
            self.path,
            token.line,
            token.column,
            token.end_line,
            token.end_column,
            self.byte(token.start_pos),
            self.byte(token.end_pos),
        )

    def tokens_span(self, first: Any, last: Any) -> Span:
        """The span from the start of token `first` to the end of token `last`."""
        return Span(
            self.path,
            first.line,
            first.column,
            last.end_line,
            last.end_column,
            self.byte(first.start_pos),
            self.byte(last.end_pos),
        )

    def token_pos(self, token: Any) -> Pos:
        return Pos(token.line, token.column, self.byte(token.start_pos))

    # -- arbitrary offsets (errors, comments, the root table) -------------------------------

    def _line_starts(self) -> list[int]:
        if self._newlines is None:
            text = self.text
            found = [0]
            index = text.find("\n")
            while index >= 0:
                found.append(index + 1)
                index = text.find("\n", index + 1)
            self._newlines = found
        return self._newlines

    def pos(self, offset: int) -> Pos:
        """The position of code-point offset `offset` (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        starts = self._line_starts()
        line = bisect.bisect_right(starts, offset)
        return Pos(line, offset - starts[line - 1] + 1, self.byte(offset))

    def span(self, start: int, end: int | None = None) -> Span:
        """The span of code-point range [start, end); a point when `end` is None."""
        first = self.pos(start)
        last = first if end is None or end <= start else self.pos(end)
        return Span.between(self.path, first, last)

    def line_count(self) -> int:
        """Lines as an editor shows them (a final newline does not open a new line)."""
        starts = self._line_starts()
        count = len(starts)
        if count > 1 and starts[-1] == len(self.text):
            count -= 1
        return count
