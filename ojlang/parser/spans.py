"""Positions: file spans, and source maps from decoded TOML strings back to file positions.

A `Span` is where something stands in a file (LANGUAGE.md §2.2): 1-based line and column
(columns count code points, a tab is one column), exclusive end, and 0-based byte offsets.

A `SourceMap` belongs to one TOML string value. Mini-languages parse the *decoded* string;
the map turns a decoded code-point range back into the exact file range (§2.3): an escape
maps to the whole escape, a line-ending backslash yields nothing, CRLF yields one `\\n` with
a two-byte span, and an empty range at the end maps to the closing delimiter. The map is
built lazily, on the first question, so parsing stays cheap for strings nobody asks about.
"""

from __future__ import annotations

import enum

from ojlang import rec


@rec.frozen(slots=True)
class Pos:
    """One point in a file: 1-based line and column, 0-based byte offset."""

    line: int
    col: int
    byte: int


@rec.frozen(slots=True)
class Span:
    """A range in a file; `end_col` and `byte_end` are exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int
    byte_start: int
    byte_end: int

    @classmethod
    def between(cls, file: str, start: Pos, end: Pos) -> Span:
        return cls(file, start.line, start.col, end.line, end.col, start.byte, end.byte)

    @property
    def start(self) -> Pos:
        return Pos(self.line, self.col, self.byte_start)

    @property
    def end(self) -> Pos:
        return Pos(self.end_line, self.end_col, self.byte_end)

    def cover(self, other: Span) -> Span:
        """The smallest span holding both (same file assumed)."""
        first = self if (self.byte_start <= other.byte_start) else other
        last = self if (self.byte_end >= other.byte_end) else other
        return Span(
            self.file,
            first.line,
            first.col,
            last.end_line,
            last.end_col,
            first.byte_start,
            last.byte_end,
        )


class StringStyle(enum.Enum):
    """The four TOML string forms."""

    BASIC = "basic"
    LITERAL = "literal"
    ML_BASIC = "ml_basic"
    ML_LITERAL = "ml_literal"

    @property
    def delimiter(self) -> str:
        return {
            StringStyle.BASIC: '"',
            StringStyle.LITERAL: "'",
            StringStyle.ML_BASIC: '"""',
            StringStyle.ML_LITERAL: "'''",
        }[self]

    @property
    def has_escapes(self) -> bool:
        return self in (StringStyle.BASIC, StringStyle.ML_BASIC)

    @property
    def multiline(self) -> bool:
        return self in (StringStyle.ML_BASIC, StringStyle.ML_LITERAL)


_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class SourceMap:
    """Maps decoded code-point offsets of one TOML string to positions in the file.

    `raw` is the token exactly as written, delimiters included; `start` is where it begins.
    """

    __slots__ = ("_decoded", "_ends", "_starts", "file", "raw", "start", "style")

    def __init__(self, file: str, raw: str, start: Pos, style: StringStyle) -> None:
        self.file = file
        self.raw = raw
        self.start = start
        self.style = style
        self._starts: list[tuple[int, int, int]] | None = None
        self._ends: list[tuple[int, int, int]] = []
        self._decoded = ""

    # -- building -------------------------------------------------------------------------

    def _build(self) -> None:
        raw = self.raw
        style = self.style
        delim = len(style.delimiter)
        line, col, byte = self.start.line, self.start.col, self.start.byte
        starts: list[tuple[int, int, int]] = []
        ends: list[tuple[int, int, int]] = []
        out: list[str] = []

        def advance(text: str) -> None:
            nonlocal line, col, byte
            for ch in text:
                byte += len(ch.encode("utf-8"))
                if ch == "\n":
                    line += 1
                    col = 1
                else:
                    col += 1

        advance(raw[:delim])
        i = delim
        stop = len(raw) - delim
        if style.multiline:
            if raw.startswith("\r\n", i):
                advance("\r\n")
                i += 2
            elif raw.startswith("\n", i):
                advance("\n")
                i += 1
        while i < stop:
            ch = raw[i]
            here = (line, col, byte)
            if ch == "\\" and style.has_escapes:
                nxt = raw[i + 1] if i + 1 < stop else ""
                if style is StringStyle.ML_BASIC and nxt in (" ", "\t", "\r", "\n"):
                    # A line-ending backslash: it, trailing blanks, and all whitespace after.
                    j = i + 1
                    while j < stop and raw[j] in " \t\r\n":
                        j += 1
                    advance(raw[i:j])
                    i = j
                    continue
                if nxt == "u":
                    width = 6
                    decoded = chr(int(raw[i + 2 : i + 6], 16))
                elif nxt == "U":
                    width = 10
                    decoded = chr(int(raw[i + 2 : i + 10], 16))
                else:
                    width = 2
                    decoded = _ESCAPES.get(nxt, nxt)
                advance(raw[i : i + width])
                starts.append(here)
                ends.append((line, col, byte))
                out.append(decoded)
                i += width
                continue
            if ch == "\r" and raw.startswith("\r\n", i) and style.multiline:
                # CRLF decodes to one LF mapped to the CR, with a two-byte span on that line.
                starts.append(here)
                ends.append((line, col + 2, byte + 2))
                out.append("\n")
                advance("\r\n")
                i += 2
                continue
            if ch == "\n":
                starts.append(here)
                ends.append((line, col + 1, byte + 1))
                out.append("\n")
                advance("\n")
                i += 1
                continue
            advance(ch)
            starts.append(here)
            ends.append((line, col, byte))
            out.append(ch)
            i += 1
        # Sentinel: the closing delimiter, used for empty ranges at the end.
        starts.append((line, col, byte))
        advance(raw[stop:])
        ends.append((line, col, byte))
        self._starts = starts
        self._ends = ends
        self._decoded = "".join(out)

    def _tables(self) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
        if self._starts is None:
            self._build()
        assert self._starts is not None
        return self._starts, self._ends

    # -- questions ------------------------------------------------------------------------

    @property
    def decoded(self) -> str:
        """The decoded text, rebuilt from the raw token (equals the TOML value)."""
        self._tables()
        return self._decoded

    def pos(self, offset: int) -> Pos:
        """Where decoded character `offset` starts (len(decoded) = the closing delimiter)."""
        starts, _ = self._tables()
        offset = max(0, min(offset, len(starts) - 1))
        line, col, byte = starts[offset]
        return Pos(line, col, byte)

    def span(self, a: int, b: int | None = None) -> Span:
        """The file span of decoded range [a, b); an empty range is a point (§2.3)."""
        starts, ends = self._tables()
        n = len(starts) - 1  # decoded length
        b = a if b is None else b
        a = max(0, min(a, n))
        b = max(a, min(b, n))
        if a == b:
            if a == n:
                sl, sc, sb = starts[n]
                el, ec, eb = ends[n]
                return Span(self.file, sl, sc, el, ec, sb, eb)
            sl, sc, sb = starts[a]
            return Span(self.file, sl, sc, sl, sc, sb, sb)
        sl, sc, sb = starts[a]
        el, ec, eb = ends[b - 1]
        return Span(self.file, sl, sc, el, ec, sb, eb)


def decoded_line_offset(text: str, line: int) -> int:
    """Offset where decoded line `line` (1-based) starts: after the (line-1)-th newline."""
    offset = 0
    for _ in range(line - 1):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    return offset
