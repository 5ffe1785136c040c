"""A `ParseFailure` in, a human OJ001-OJ003 diagnostic out (what was expected, what was found).

The failure tells the terminals the parser could accept and the token (or character) it
met instead; the value stack tells what came just before. From those three this module
writes messages such as ``expected `=` after key `interval`, found `30s` ``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

from ojlang.parser.errors import TomlError
from ojlang.parser.spans import Span
from ojlang.parser.toml_build import split_pair
from ojlang.parser.toml_lalr import ParseFailure, Tok
from ojlang.parser.toml_source import Source
from ojlang.parser.toml_tables import key_text
from ojlang.parser.toml_values import (
    atom_node,
    control_name,
    decode_basic,
    decode_literal,
    decode_ml_basic,
    decode_ml_literal,
)
from ojlang.parser.tomltree import Key
from ojlang.validator.diagnostic import Diagnostic, diag

_KEY_TOKENS = frozenset({"BARE_KEY", "BASIC_STRING", "LITERAL_STRING"})


def _decode_pair(src: Source, token: Tok) -> object:
    scalar = split_pair(token)[1]
    return _DECODERS[scalar.type](src, scalar)


_DECODERS: dict[str, Callable[[Source, Tok], object]] = {
    "KEY_VALUE": _decode_pair,
    "ATOM": atom_node,
    "BASIC_STRING": decode_basic,
    "LITERAL_STRING": decode_literal,
    "ML_BASIC_STRING": decode_ml_basic,
    "ML_LITERAL_STRING": decode_ml_literal,
}
_BARE_PART = re.compile(r"[A-Za-z0-9_-]+")
# Closed strings, without the grammar's "not followed by the same quote" guard.
_CLOSED = {
    '"': re.compile(r'"(?:[^"\\\n]|\\[^\n])*"'),
    "'": re.compile(r"'[^'\n]*'"),
}
_BARE_HELP = 'bare keys use only `A-Z a-z 0-9 _ -`; quote any other key, as in `"key name"`'


def _is_control(char: str) -> bool:
    code = ord(char)
    return (code < 0x20 and char not in "\t\n") or code == 0x7F


def syntax_diagnostic(src: Source, failure: ParseFailure) -> Diagnostic:
    """The diagnostic for a syntax error met while parsing `src`."""
    text = src.text
    stack: Sequence[Any] = failure.value_stack
    earlier = _pending_token_error(src, stack)
    if earlier is not None:
        return earlier
    expected = failure.expected()
    token = failure.token
    pos = failure.pos
    if token is None and pos < len(text):
        char = text[pos]
        special = _character_diagnostic(src, pos, char, failure.in_comment)
        if special is not None:
            return special
        found = f"`{char}`" if char.isprintable() and not char.isspace() else control_name(char)
        return _expected(src, expected, found, src.span(pos, pos + 1), stack, pos)
    if token is None:
        end = len(text.rstrip(" \t\r\n"))
        return _expected(src, expected, "end of file", src.span(end), stack, end)
    if token.type == "NL":
        found = "end of file" if _only_blanks(text[pos:]) else "end of line"
        return _expected(src, expected, found, src.span(pos), stack, pos)
    return _expected(src, expected, _shown(token), _core_span(src, token), stack, token.start_pos)


def _only_blanks(rest: str) -> bool:
    """Whether `rest` holds nothing but blanks, line ends and comments."""
    return all(
        not line.strip(" \t\r") or line.lstrip(" \t").startswith("#") for line in rest.split("\n")
    )


_PUNCTUATION = {
    "COMMA": ",",
    "LSQB": "[",
    "RSQB": "]",
    "LDSQB": "[[",
    "RDSQB": "]]",
    "EQUAL": "=",
    "DOT": ".",
    "LBRACE": "{",
    "RBRACE": "}",
}


def _bare_path(token: Tok) -> str:
    """The key of a `KEY_EQ` or `KEY_VALUE` token, as written (bare parts, dots)."""
    return ".".join(_BARE_PART.findall(token.value.partition("=")[0]))


def _core_span(src: Source, token: Tok) -> Span:
    """The token's span without the blanks punctuation absorbs around it (and only the key,
    for the fused key tokens)."""
    if token.type in ("KEY_EQ", "KEY_VALUE"):
        head = token.value.partition("=")[0].rstrip(" \t")
        return src.span(token.start_pos, token.start_pos + len(head))
    mark = _PUNCTUATION.get(token.type)
    if mark is None:
        return src.token_span(token)
    start = token.start_pos + token.value.index(mark)
    return src.span(start, start + len(mark))


def _pending_token_error(src: Source, stack: Sequence[Any]) -> Diagnostic | None:
    """The error of a scalar token not yet decoded (lark reduces it only after the next one).

    In `s = a"` the value `a` comes first in the file, so its error is the one to report.
    """
    if not stack or not isinstance(stack[-1], Tok):
        return None
    token = stack[-1]
    decode = _DECODERS.get(token.type)
    if decode is None:
        return None
    try:
        decode(src, token)
    except TomlError as exc:
        return exc.diagnostic
    return None


def _shown(token: Tok) -> str:
    mark = _PUNCTUATION.get(token.type)
    if mark is not None:
        return f"`{mark}`"
    if token.type in ("KEY_EQ", "KEY_VALUE"):
        return f"`{_bare_path(token)}`"
    first = token.value.strip(" \t\r\n").split("\n", 1)[0]
    if len(first) > 30:
        first = first[:29] + "…"
    return f"`{first}`"


def _character_diagnostic(src: Source, pos: int, char: str, in_comment: bool) -> Diagnostic | None:
    """Characters that no terminal can start with: controls, BOMs, unclosed strings."""
    text = src.text
    where = " in a comment" if in_comment else ""
    if char == "\r":
        return diag(
            "OJ003",
            f"carriage return without a line feed{where}",
            src.span(pos, pos + 1),
            "bare carriage return",
            help="end lines with LF or CRLF",
        )
    if char and _is_control(char):
        return diag(
            "OJ003",
            f"forbidden control character {control_name(char)}{where}",
            src.span(pos, pos + 1),
            "control character",
            help="remove it"
            if in_comment
            else f"remove it; inside a basic string write it as `\\u{ord(char):04X}`",
        )
    if char == "\ufeff":
        return diag(
            "OJ003",
            "byte order mark in the middle of the file",
            src.span(pos, pos + 1),
            "byte order mark",
            help="remove it",
        )
    if char in ('"', "'"):
        triple = char * 3
        if text.startswith(triple, pos):
            return diag(
                "OJ001",
                "multi-line string is never closed",
                src.span(pos, pos + 3),
                "opened here",
                help=f"close it with `{triple}`",
            )
        closed = _CLOSED[char].match(text, pos)
        if pos > 0 and text[pos - 1] == char:
            extra = pos
        elif closed is not None and text.startswith(char, closed.end()):
            extra = closed.end()
        else:
            return diag(
                "OJ001",
                "string is not closed before the end of the line",
                src.span(pos, pos + 1),
                "opened here",
                help=f"add the closing `{char}`; a string over several lines needs `{triple}`",
            )
        return diag(
            "OJ001",
            f"too many `{char}` after the end of a string",
            src.span(extra, extra + 1),
            "extra quote",
            help='a quote inside a basic string is written `\\"`; or use the other kind of string'
            if char == '"'
            else 'a literal string cannot hold its own quote; use a basic string `"…"`',
        )
    return None


def _key_before(stack: Sequence[Any]) -> str:
    """The key written just before the error, from the parser stack (parts or a whole key)."""
    if stack and _is_key(stack[-1]):
        return key_text([k.name for k in stack[-1]])
    if stack and isinstance(stack[-1], Tok) and stack[-1].type in ("KEY_EQ", "KEY_VALUE"):
        return _bare_path(stack[-1])
    parts: list[str] = []
    for item in reversed(stack):
        if isinstance(item, Tok) and item.type in _KEY_TOKENS:
            parts.append(item.value)
        elif not (isinstance(item, Tok) and item.type == "DOT"):
            break
    return ".".join(reversed(parts))


def _is_key(item: Any) -> bool:
    return isinstance(item, tuple) and bool(item) and all(isinstance(k, Key) for k in item)


def _previous(stack: Sequence[Any]) -> str:
    for item in reversed(stack):
        return item.type if isinstance(item, Tok) else ""
    return ""


def _expected(
    src: Source,
    expected: Collection[str],
    found: str,
    span: Span,
    stack: Sequence[Any],
    pos: int,
) -> Diagnostic:
    """An "expected …, found …" diagnostic; `pos` is the code-point offset of what was found."""

    def error(message: str, help: str | None = None, label: str = "") -> Diagnostic:
        return diag("OJ001", f"{message}, found {found}", span, label, help=help)

    previous = _previous(stack)
    help: str | None
    if "EQUAL" in expected:
        key = _key_before(stack)
        what = f" after key `{key}`" if key else ""
        help = "a key and its value are separated by `=`"
        rest = src.text[pos:].split("\n", 1)[0]
        if found.startswith("`") and not found[1:2].isascii():
            help = _BARE_HELP
        elif found.startswith("`") and found[1:2].isalnum() and "=" in rest:
            help += '; a key with spaces must be quoted, as in `"my key" = 1`'
        return error(f"expected `=`{what}", help, "expected `=`")
    if "ATOM" in expected:
        if "RSQB" in expected:
            return error("expected a value or `]` in array", "separate array items with `,`")
        if previous in ("EQUAL", "KEY_EQ"):
            key = _key_before(stack if previous == "KEY_EQ" else stack[:-1])
            help = "write the value on the same line as its key" if found == "end of line" else None
            label = "expected a value"
            if found.startswith("`") and found not in ("`[`", "`{`"):
                help = 'strings must be quoted, as in `key = "text"`'
            return error(f"expected a value after `{key} =`", help, label)
        return error("expected a value", None, "expected a value")
    if "RBRACE" in expected:
        help = None
        if found == "end of line":
            help = "in TOML 1.0 an inline table stays on one line; use a `[table]` for longer ones"
        if "COMMA" in expected:
            return error("expected `,` or `}` in inline table", help)
        return error("expected a key or `}` in inline table", help)
    if "BARE_KEY" in expected:
        bad_char = found.startswith("`") and len(found) == 3 and not found[1].isascii()
        help = _BARE_HELP if bad_char else None
        if "LSQB" in expected:
            if found == "`=`":
                help = "write the key before `=`"
            return error("expected a key or a `[table]` header", help)
        if previous == "COMMA" and found == "`}`":
            comma = stack[-1]
            return diag(
                "OJ001",
                "trailing comma in inline table",
                src.span(comma.start_pos, comma.start_pos + 1),
                "`,` before `}`",
                help="remove the last `,`; TOML 1.0 allows no trailing comma in inline tables",
            )
        if previous == "DOT":
            return error("expected a key after `.`", help)
        if previous in ("LSQB", "LDSQB"):
            return error("expected a table name", help)
        return error("expected a key", help)
    if "COMMA" in expected and "RSQB" in expected:
        return error("expected `,` or `]` in array", "separate array items with `,`")
    if "RDSQB" in expected:
        return error("expected `]]` to close the array-of-tables header")
    if "RSQB" in expected:
        return error("expected `]` to close the table header")
    if "NL" in expected or "$END" in expected:
        return error(f"expected end of line after {_statement_before(stack)}", _NL_HELP)
    return diag("OJ001", f"unexpected {found}", span)


_NL_HELP = "put each key/value pair and each header on its own line"


def _statement_before(stack: Sequence[Any]) -> str:
    """What the statement that just ended was, for "expected end of line after …"."""
    last = stack[-1] if stack else None
    if isinstance(last, Tok) and last.type in ("TABLE_HEADER", "ARRAY_HEADER"):
        path = ".".join(_BARE_PART.findall(last.value))
        return f"`[[{path}]]`" if last.type == "ARRAY_HEADER" else f"`[{path}]`"
    closing = isinstance(last, Tok) and last.type in ("RSQB", "RDSQB")
    if closing and len(stack) >= 3 and _is_key(stack[-2]):
        assert isinstance(last, Tok)
        path = key_text([k.name for k in stack[-2]])
        return f"`[[{path}]]`" if last.type == "RDSQB" else f"`[{path}]`"
    for index in range(len(stack) - 1, -1, -1):
        item = stack[index]
        if isinstance(item, Tok) and item.type in ("KEY_EQ", "KEY_VALUE"):
            return f"the value of `{_bare_path(item)}`"
        after = stack[index + 1] if index + 1 < len(stack) else None
        if _is_key(item) and isinstance(after, Tok) and after.type == "EQUAL":
            return f"the value of `{key_text([k.name for k in item])}`"
    return "the statement"
