"""Runbook text in, its canonical layout out (`oj fmt`); comments, table order and every value
stay exactly as written.

Canonical means, and only means:

- line endings are all those of the file's first line (LF or CRLF), inside multi-line strings
  too (their values do not change: a CRLF there decodes to LF);
- no trailing whitespace (outside multi-line strings), no blank lines at the start, at most one
  blank line in a row, and the file ends with exactly one line break (an empty file stays empty);
- exactly one blank line before each table header, or before the comments right above it
  (those comments stay attached to the header); a header at the very top keeps none;
- nothing is indented at the top level (keys, headers, own-line comments);
- `key = value` with one space on each side of `=`; dotted keys and headers without blanks
  around `.` or inside the brackets (`[a.b]`, `[[a.b]]`); keys keep their quoting;
- a trailing comment is preceded by exactly two spaces; comment text is kept (right-trimmed);
- an array written on one line stays on one line: `[a, b]`, no padding, no trailing comma;
  an array with a line break between its brackets has one item per line, indented two spaces
  per level, each followed by a comma, and `]` on its own line; its comments stay where they
  were (after an item, on their own line, or after `[`), blank lines between items are kept
  (at most one), none right after `[` or before `]`;
- inline tables are `{ a = 1, b = 2 }` (`{}` when empty);
- strings, numbers, dates and booleans keep their exact text; tables are never reordered.

The result is checked before it is returned: it must parse to the same values
(`ojlang.parser.tomltree.plain`) and the same comments as the input, else `FormatBug`.
Formatting is idempotent: `format_text(format_text(x)) == format_text(x)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from ojlang.fmt_syntax import (
    Array,
    Blank,
    Comment,
    Header,
    LayoutError,
    Scalar,
    Statement,
    Value,
    read_layout,
)

INDENT = "  "
COMMENT_GAP = "  "


class FormatError(ValueError):
    """The input is not valid TOML 1.0 (`where` is `line:col`)."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(f"{where}: {message}")
        self.message = message
        self.where = where


class FormatBug(RuntimeError):
    """The formatted text would mean something else than the input (a bug in `oj fmt`)."""


# -- layout -------------------------------------------------------------------------------------


def _trailing(comment: str | None) -> str:
    return "" if comment is None else COMMENT_GAP + comment


def _between(lines: list[str], items: Sequence[str | None], indent: str) -> None:
    """Add own-line comments (None = a blank line) at `indent`; blank runs become one."""
    for item in items:
        if item is None:
            if lines[-1] != "":
                lines.append("")
        else:
            lines.append(indent + item)


def _array(value: Array, indent: str) -> str:
    if not value.multiline:
        return "[" + ", ".join(_value(e.value, indent) for e in value.elements) + "]"
    if not value.elements and not value.closing and value.opening_comment is None:
        return "[]"
    inner = indent + INDENT
    lines = ["[" + _trailing(value.opening_comment), ""]  # a blank right after `[` is dropped
    for element in value.elements:
        _between(lines, element.before, inner)
        lines.append(inner + _value(element.value, inner) + "," + _trailing(element.comment))
    _between(lines, value.closing, inner)
    while lines[-1] == "" and len(lines) > 1:
        lines.pop()
    return "\n".join([lines[0], *lines[2:], indent + "]"])


def _value(value: Value, indent: str) -> str:
    if isinstance(value, Scalar):
        return value.text
    if isinstance(value, Array):
        return _array(value, indent)
    if not value.pairs:
        return "{}"
    pairs = (".".join(keys) + " = " + _value(v, indent) for keys, v in value.pairs)
    return "{ " + ", ".join(pairs) + " }"


def _spaced(statements: Sequence[Statement]) -> list[Statement]:
    """Blank lines collapsed and trimmed, and one before each header (or its comments)."""
    collapsed: list[Statement] = []
    for st in statements:
        if isinstance(st, Blank) and (not collapsed or isinstance(collapsed[-1], Blank)):
            continue
        collapsed.append(st)
    while collapsed and isinstance(collapsed[-1], Blank):
        collapsed.pop()
    out: list[Statement] = []
    for st in collapsed:
        if isinstance(st, Header):
            block = 0
            while block < len(out) and isinstance(out[len(out) - 1 - block], Comment):
                block += 1
            at = len(out) - block
            if at > 0 and not isinstance(out[at - 1], Blank):
                out.insert(at, Blank())
        out.append(st)
    return out


def _statement(st: Statement) -> str:
    if isinstance(st, Blank):
        return ""
    if isinstance(st, Comment):
        return st.text
    if isinstance(st, Header):
        name = ".".join(st.keys)
        return (f"[[{name}]]" if st.array else f"[{name}]") + _trailing(st.comment)
    return ".".join(st.keys) + " = " + _value(st.value, "") + _trailing(st.comment)


def layout(text: str) -> str:
    """The canonical layout of valid TOML `text`, with LF line endings (not verified)."""
    lines = [_statement(st) for st in _spaced(read_layout(text))]
    return "\n".join(lines) + "\n" if lines else ""


# -- checked formatting -------------------------------------------------------------------------


def _crlf(text: str) -> bool:
    first = text.find("\n")
    return first > 0 and text[first - 1] == "\r"


def format_text(text: str, path: str = "<text>") -> str:
    """The canonical form of runbook `text` (see the module docstring).

    Raises `FormatError` when `text` is not valid TOML 1.0, `FormatBug` when the result would
    not mean the same as `text` (then nothing should be written).
    """
    from ojlang.parser.errors import TomlError
    from ojlang.parser.toml import parse_toml
    from ojlang.parser.tomltree import plain

    try:
        before = parse_toml(text, path)
    except TomlError as err:
        d = err.diagnostic
        raise FormatError(d.message, f"{d.span.line}:{d.span.col}") from None
    try:
        out = layout(text)
    except LayoutError as err:
        raise FormatBug(f"the layout reader failed: {err}") from None
    if _crlf(text):
        out = out.replace("\n", "\r\n")
    try:
        after = parse_toml(out, path)
    except TomlError as err:
        raise FormatBug(f"the formatted text does not parse: {err.diagnostic.message}") from None
    if plain(after.root) != plain(before.root):
        raise FormatBug("the formatted text has other values")
    if [c.text.rstrip() for c in after.comments] != [c.text.rstrip() for c in before.comments]:
        raise FormatBug("the formatted text has other comments")
    return out


# -- files -------------------------------------------------------------------------------------


@attrs.frozen
class FileResult:
    """What formatting did (or would do) to one file; `error` when it could not."""

    display: str
    changed: bool
    error: str | None = None


def format_file(path: Path, display: str, *, write: bool) -> FileResult:
    """Format one file in place (when `write`), or just tell whether it would change."""
    try:
        data = path.read_bytes()
    except OSError as err:
        return FileResult(display, False, f"cannot read it: {(err.strerror or str(err)).lower()}")
    try:
        text = data.decode("utf-8")
        out = format_text(text, display)
    except UnicodeDecodeError:
        return FileResult(display, False, "it is not valid UTF-8")
    except FormatError as err:
        return FileResult(display, False, f"{err} (see `oj check {display}`)")
    if out == text:
        return FileResult(display, False)
    if write:
        try:
            path.write_bytes(out.encode("utf-8"))
        except OSError as err:
            return FileResult(display, True, f"cannot write it: {err.strerror or err}")
    return FileResult(display, True)
