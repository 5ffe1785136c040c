"""Valid TOML 1.0 text in, a layout tree for `oj fmt` out: statements, values and comments as
written (no value is decoded: strings, numbers and dates keep their exact text).

The input has already been accepted by `ojlang.parser.toml.parse_toml`, so this reader only
has to tell the layout apart: what is a statement (table header, key/value, comment, blank
line), where the comments and line breaks of arrays are, and the exact text of each key part
and scalar. It never reorders or drops anything.
"""

from __future__ import annotations

import re

import attrs

_BLANKS = re.compile(r"[ \t]*")
_COMMENT = re.compile(r"#[^\r\n]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\r\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\r\n]*'")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
    r"|\d{2}:\d{2}:\d{2}(?:\.\d+)?"
)
_ATOM = re.compile(r"[A-Za-z0-9_+.:-]+")


class LayoutError(ValueError):
    """The text is not the TOML this reader expects (it was not validated first)."""


# -- the tree ----------------------------------------------------------------------------------


@attrs.frozen
class Scalar:
    text: str  # exactly as written (multi-line strings with their line breaks as `\n`)


@attrs.frozen
class Element:
    """One array item with the comments around it: own-line comments (or `None` for a blank
    line) before it, and the comment at the end of its line."""

    value: Value
    before: tuple[str | None, ...] = ()
    comment: str | None = None


@attrs.frozen
class Array:
    elements: tuple[Element, ...]
    multiline: bool  # a line break between the brackets, outside the items
    opening_comment: str | None = None  # on the line of `[`
    closing: tuple[str | None, ...] = ()  # own-line comments (None: blank line) before `]`


@attrs.frozen
class InlineTable:
    pairs: tuple[tuple[tuple[str, ...], Value], ...]


Value = Scalar | Array | InlineTable


@attrs.frozen
class KeyValue:
    keys: tuple[str, ...]
    value: Value
    comment: str | None = None


@attrs.frozen
class Header:
    keys: tuple[str, ...]
    array: bool  # `[[…]]`
    comment: str | None = None


@attrs.frozen
class Comment:
    text: str


@attrs.frozen
class Blank:
    pass


Statement = KeyValue | Header | Comment | Blank


# -- the reader --------------------------------------------------------------------------------


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0

    def fail(self, what: str) -> LayoutError:
        return LayoutError(f"expected {what} at offset {self.i}")

    def blanks(self) -> None:
        m = _BLANKS.match(self.text, self.i)
        assert m is not None
        self.i = m.end()

    def newline(self) -> bool:
        if self.text.startswith("\n", self.i):
            self.i += 1
            return True
        if self.text.startswith("\r\n", self.i):
            self.i += 2
            return True
        return False

    def comment(self) -> str | None:
        m = _COMMENT.match(self.text, self.i)
        if m is None:
            return None
        self.i = m.end()
        return m.group().rstrip(" \t")

    def at(self, s: str) -> bool:
        return self.text.startswith(s, self.i)

    def expect(self, s: str) -> None:
        if not self.at(s):
            raise self.fail(f"`{s}`")
        self.i += len(s)

    def end_of_line(self) -> str | None:
        """Blanks, an optional comment, then a line break or the end of the text."""
        self.blanks()
        comment = self.comment()
        if not self.newline() and self.i < self.n:
            raise self.fail("the end of the line")
        return comment

    # -- keys ----------------------------------------------------------------------------

    def simple_key(self) -> str:
        for pattern in (_BARE_KEY, _BASIC, _LITERAL):
            m = pattern.match(self.text, self.i)
            if m is not None:
                self.i = m.end()
                return m.group()
        raise self.fail("a key")

    def keys(self) -> tuple[str, ...]:
        parts = [self.simple_key()]
        while True:
            self.blanks()
            if not self.at("."):
                return tuple(parts)
            self.i += 1
            self.blanks()
            parts.append(self.simple_key())

    # -- values --------------------------------------------------------------------------

    def value(self) -> Value:
        if self.at('"""') or self.at("'''"):
            return Scalar(self.multiline_string())
        for pattern in (_BASIC, _LITERAL):
            m = pattern.match(self.text, self.i)
            if m is not None and self.text[self.i] in "\"'":
                self.i = m.end()
                return Scalar(m.group())
        if self.at("["):
            return self.array()
        if self.at("{"):
            return self.inline_table()
        for pattern in (_DATETIME, _ATOM):
            m = pattern.match(self.text, self.i)
            if m is not None and m.end() > self.i:
                self.i = m.end()
                return Scalar(m.group())
        raise self.fail("a value")

    def multiline_string(self) -> str:
        text, start = self.text, self.i
        quote = text[start : start + 3]
        i = start + 3
        escapes = quote == '"""'
        while i < self.n:
            if escapes and text[i] == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                run = 3
                while run < 5 and i + run < self.n and text[i + run] == quote[0]:
                    run += 1
                self.i = i + run
                return text[start : self.i].replace("\r\n", "\n")
            i += 1
        raise self.fail("the end of a multi-line string")

    def gap(self) -> tuple[list[str | None], str | None, bool]:
        """Blanks, line breaks and comments inside an array: own-line comments and blank
        lines (None) in order, the comment that ends the current line, and whether there
        was a line break."""
        items: list[str | None] = []
        same_line: str | None = None
        broke = False
        while True:
            self.blanks()
            comment = self.comment()
            if comment is not None:
                if broke:
                    items.append(comment)
                else:
                    same_line = comment
            if not self.newline():
                return items, same_line, broke
            if broke and comment is None:
                items.append(None)  # a line with nothing on it
            broke = True

    def array(self) -> Array:
        self.expect("[")
        before, opening, multiline = self.gap()
        elements: list[Element] = []
        while not self.at("]"):
            value = self.value()
            lead, trailing, broke = self.gap()
            if self.at(","):
                self.i += 1
                more, after_comma, broke2 = self.gap()
                if trailing is None and not broke:
                    trailing = after_comma
                    lead = more
                else:
                    lead += ([after_comma] if after_comma else []) + more
                broke = broke or broke2
            multiline = multiline or broke
            elements.append(Element(value, tuple(before), trailing))
            before = lead
        self.i += 1
        return Array(tuple(elements), multiline, opening, tuple(before))

    def inline_table(self) -> InlineTable:
        self.expect("{")
        self.blanks()
        pairs: list[tuple[tuple[str, ...], Value]] = []
        while not self.at("}"):
            keys = self.keys()
            self.blanks()
            self.expect("=")
            self.blanks()
            pairs.append((keys, self.value()))
            self.blanks()
            if self.at(","):
                self.i += 1
                self.blanks()
        self.i += 1
        return InlineTable(tuple(pairs))

    # -- statements ----------------------------------------------------------------------

    def statements(self) -> list[Statement]:
        out: list[Statement] = []
        while self.i < self.n:
            self.blanks()
            if self.newline():
                out.append(Blank())
                continue
            if self.i >= self.n:
                break
            comment = self.comment()
            if comment is not None:
                out.append(Comment(comment))
                if not self.newline() and self.i < self.n:
                    raise self.fail("the end of the line")
                continue
            if self.at("["):
                array = self.at("[[")
                self.i += 2 if array else 1
                self.blanks()
                keys = self.keys()
                self.blanks()
                self.expect("]]" if array else "]")
                out.append(Header(keys, array, self.end_of_line()))
                continue
            keys = self.keys()
            self.blanks()
            self.expect("=")
            self.blanks()
            value = self.value()
            out.append(KeyValue(keys, value, self.end_of_line()))
        return out


def read_layout(text: str) -> list[Statement]:
    """The statements of a valid TOML document, in file order; a line break ends each one
    (`Blank` is a line with nothing on it)."""
    return _Reader(text).statements()
