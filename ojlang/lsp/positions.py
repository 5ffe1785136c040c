"""Spans (1-based lines, code-point columns) <-> LSP positions (0-based lines, code units).

LSP clients count columns in UTF-16 code units unless the server and client agreed on UTF-8 or
UTF-32 at initialisation (LANGUAGE.md §2.2: editors get these positions from this layer, never
from spans). Lines are split at `\\n` only, so a `\\r` of a CRLF ending is one more column, as
it is in spans.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from ojlang.parser.spans import Span

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


def lines_of(text: str) -> list[str]:
    """The lines of `text` as spans count them."""
    return text.split("\n")


def units(text: str, encoding: str = UTF16) -> int:
    """The length of `text` in code units of `encoding`."""
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    if encoding == UTF32:
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def to_position(lines: Sequence[str], line: int, col: int, encoding: str = UTF16) -> types.Position:
    """The LSP position of 1-based `line` and code-point column `col`."""
    index = max(0, line - 1)
    text = lines[index] if index < len(lines) else ""
    return types.Position(line=index, character=units(text[: max(0, col - 1)], encoding))


def to_range(span: Span, lines: Sequence[str], encoding: str = UTF16) -> types.Range:
    return types.Range(
        start=to_position(lines, span.line, span.col, encoding),
        end=to_position(lines, span.end_line, span.end_col, encoding),
    )


def from_position(
    lines: Sequence[str], position: types.Position, encoding: str = UTF16
) -> tuple[int, int]:
    """The 1-based line and code-point column of an LSP position (clamped to the line)."""
    text = lines[position.line] if position.line < len(lines) else ""
    count = 0
    for index, char in enumerate(text):
        if count >= position.character:
            return position.line + 1, index + 1
        count += units(char, encoding)
    return position.line + 1, len(text) + 1


def contains(span: Span, line: int, col: int) -> bool:
    """Whether the cursor at (`line`, `col`) touches `span` (its end included)."""
    return (span.line, span.col) <= (line, col) <= (span.end_line, span.end_col)
