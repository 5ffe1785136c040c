"""Reduced grammar rules in, tree nodes out: the inline transformer of `grammars/toml.lark`.

`ojlang.parser.lalr` binds one method per rule (or alias), as lark does; `toml_lalr.run` calls
it with the rule's children (tokens and earlier results) on each reduction. Statements go
straight into the `DocumentBuilder`, so the document grows, and fails, in file order. The
fused tokens of the grammar (`KEY_VALUE`, `KEY_EQ`, bare headers) are split here with string
methods; their key parts are bare and on one line, so positions inside them are simple
offsets.

The `Source` of the running parse is in the context variable `SOURCE`.
"""

from __future__ import annotations

import contextvars
import re
from typing import Any

from ojlang.parser.errors import TomlError
from ojlang.parser.spans import Pos, SourceMap, Span, StringStyle
from ojlang.parser.toml_lalr import Tok, make_tok
from ojlang.parser.toml_source import Source
from ojlang.parser.toml_tables import DocumentBuilder, Header, build_inline
from ojlang.parser.toml_values import (
    BASIC_SLOW,
    atom_node,
    decode_basic,
    decode_literal,
    decode_ml_basic,
    decode_ml_literal,
    string_node,
)
from ojlang.parser.tomltree import (
    ArrayOrigin,
    Key,
    Scalar,
    TArray,
    TBool,
    TInteger,
    TString,
    TTable,
    Value,
)
from ojlang.validator.diagnostic import diag

SOURCE: contextvars.ContextVar[Source] = contextvars.ContextVar("ojlang_toml_source")

# The root table spans the whole file; `parse_toml` sets it once the text is read.
PENDING_ROOT = Span("", 1, 1, 1, 1, 0, 0)

Pair = tuple[tuple[Key, ...], Value]

_BARE_PART = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = StringStyle.BASIC  # enum members are slow to look up on the hot path


def basic(token: Tok) -> TString:
    src = SOURCE.get()
    _, raw, _, _, line, column, end_line, end_column, byte_start, byte_end = token
    body = raw[1:-1]
    if BASIC_SLOW.search(body) is not None:  # escapes or control characters
        body = decode_basic(src, token)
    path = src.path
    base = src.byte_base
    span = Span(path, line, column, end_line, end_column, byte_start + base, byte_end + base)
    source_map = SourceMap(path, raw, Pos(line, column, byte_start + base), _BASIC)
    return TString(body, span, _BASIC, source_map)


def literal(token: Tok) -> TString:
    src = SOURCE.get()
    return string_node(src, token, StringStyle.LITERAL, decode_literal(src, token))


def atom(token: Tok) -> Scalar:
    return atom_node(SOURCE.get(), token)


def split_pair(token: Tok) -> tuple[Tok, Tok]:
    """A `KEY_VALUE` token as its `KEY_EQ` part and its scalar part."""
    _, text, start, end, line, column, _, end_column, byte, byte_end = token
    rest = text[text.index("=") + 1 :].lstrip(" \t")
    at = len(text) - len(rest)  # the key part is ASCII: offsets count bytes too
    kind = "BASIC_STRING" if rest[0] == '"' else "LITERAL_STRING" if rest[0] == "'" else "ATOM"
    head = make_tok("KEY_EQ", text[:at], start, start + at, line, column, line, column + at,
                    byte, byte + at)  # fmt: skip
    scalar = make_tok(kind, rest, start + at, end, line, column + at, line, end_column,
                      byte + at, byte_end)  # fmt: skip
    return head, scalar


def _pair(token: Tok) -> Pair:
    head, scalar = split_pair(token)
    kind = scalar.type
    value = (
        basic(scalar)
        if kind == "BASIC_STRING"
        else atom(scalar)
        if kind == "ATOM"
        else literal(scalar)
    )
    return bare_keys(head), value


_SMALL_INT = re.compile(r"-?[1-9][0-9]{0,17}|0")


def _fast_parts(src: Source, token: Tok) -> tuple[Key, Value] | None:
    """The key and value of the commonest line, `key = "text"`, `key = true`, `key = 12`,
    with both spans straight from the one `KEY_VALUE` token; None for anything else (dotted
    keys, escapes, other numbers, dates), which `_pair` handles with full error positions."""
    _, text, _, _, line, column, _, end_column, byte, byte_end = token
    eq = text.index("=")
    head = text[:eq].rstrip(" \t")
    if "." in head:
        return None
    rest = text[eq + 1 :].lstrip(" \t")
    at = len(text) - len(rest)  # the key part is ASCII: offsets count bytes too
    path = src.path
    byte += src.byte_base
    first = rest[0]
    if first == '"':
        body = rest[1:-1]
        if BASIC_SLOW.search(body) is not None:
            return None
        start = column + at
        span = Span(path, line, start, line, end_column, byte + at, byte_end + src.byte_base)
        source_map = SourceMap(path, rest, Pos(line, start, byte + at), _BASIC)
        value: Value = TString(body, span, _BASIC, source_map)
    elif rest == "true" or rest == "false":
        span = Span(path, line, column + at, line, end_column, byte + at, byte_end + src.byte_base)
        value = TBool(rest == "true", span)
    elif _SMALL_INT.fullmatch(rest):
        span = Span(path, line, column + at, line, end_column, byte + at, byte_end + src.byte_base)
        value = TInteger(int(rest), span)
    else:
        return None
    size = len(head)
    return Key(head, Span(path, line, column, line, column + size, byte, byte + size)), value


def bare_keys(token: Tok) -> tuple[Key, ...]:
    """The parts of a `KEY_EQ` or all-bare header token (ASCII, one line), with spans."""
    src = SOURCE.get()
    path = src.path
    kind, text, _, _, line, column, _, _, byte, _ = token
    byte += src.byte_base
    if "." not in text:  # the common case: one bare key
        if kind == "KEY_EQ":
            start = 0
            name = text.partition("=")[0].rstrip(" \t")
        else:  # `[ name ]` or `[[ name ]]`
            name = text.strip("[]").strip(" \t")
            start = text.index(name)
        stop = start + len(name)
        span = Span(path, line, column + start, line, column + stop, byte + start, byte + stop)
        return (Key(name, span),)
    return tuple(
        Key(
            match.group(),
            Span(
                path,
                line,
                column + match.start(),
                line,
                column + match.end(),
                byte + match.start(),
                byte + match.end(),
            ),
        )
        for match in _BARE_PART.finditer(text)
    )


def _key_part(token: Tok) -> Key:
    src = SOURCE.get()
    kind = token.type
    if kind == "BARE_KEY":
        name = token.value
    elif kind == "BASIC_STRING":
        name = decode_basic(src, token)
    else:
        name = decode_literal(src, token)
    return Key(name, src.token_span(token))


def _header(children: list[Any], array: bool) -> Header:
    if len(children) == 1:
        token = children[0]
        return Header(bare_keys(token), SOURCE.get().token_span(token), array)
    opening, keys, closing = children
    _one_line(opening, "a table header")
    _one_line(closing, "a table header")
    return Header(keys, SOURCE.get().tokens_span(opening, closing), array)


def _one_line(token: Tok, what: str) -> None:
    """`[`, `]` and `,` may absorb line breaks (for arrays); elsewhere that is an error."""
    text = token.value
    if "\n" not in text:
        return
    index = text.index("\n")
    if index and text[index - 1] == "\r":
        index -= 1
    help = "in TOML 1.0 an inline table stays on one line; use a `[table]` for longer ones"
    raise TomlError(
        diag(
            "OJ001",
            f"line break inside {what}",
            SOURCE.get().span(token.start_pos + index),
            "line break",
            help=help if what == "an inline table" else f"write {what} on one line",
        )
    )


class Build:
    """The inline transformer: each method gets a rule's children and returns tree nodes."""

    def start(self, children: list[Any]) -> DocumentBuilder | None:
        for child in children:
            if isinstance(child, DocumentBuilder):
                return child
        return None

    def body(self, children: list[Any]) -> DocumentBuilder:
        # `[statement…]` starts the document, `[body, NL, statement…]` continues it.
        first = children[0]
        if isinstance(first, DocumentBuilder):
            builder = first
            at = 2
        else:
            builder = DocumentBuilder(SOURCE.get(), PENDING_ROOT)
            at = 0
        size = len(children) - at
        statement = children[at]
        if size == 2:  # KEY_EQ value
            builder.add_pair(bare_keys(statement), children[at + 1])
        elif size == 3:  # key EQUAL value
            builder.add_pair(statement, children[at + 2])
        elif isinstance(statement, Header):
            builder.add_header(statement)
        elif statement[0] == "KEY_VALUE":
            parts = _fast_parts(builder.src, statement)
            if parts is None:
                builder.add_pair(*_pair(statement))
            else:
                builder.add_one(*parts)
        else:  # TABLE_HEADER or ARRAY_HEADER
            builder.add_header(_header([statement], statement.type == "ARRAY_HEADER"))
        return builder

    def keyval(self, children: list[Any]) -> Pair:
        if len(children) == 1:
            parts = _fast_parts(SOURCE.get(), children[0])
            return _pair(children[0]) if parts is None else ((parts[0],), parts[1])
        if len(children) == 2:
            return (bare_keys(children[0]), children[1])
        return (children[0], children[2])

    def table(self, children: list[Any]) -> Header:
        return _header(children, False)

    def array_table(self, children: list[Any]) -> Header:
        return _header(children, True)

    def key(self, children: list[Any]) -> tuple[Key, ...]:
        if len(children) == 1:
            return (_key_part(children[0]),)
        keys: tuple[Key, ...] = children[0]
        return (*keys, _key_part(children[2]))

    def basic_string(self, children: list[Tok]) -> TString:
        return basic(children[0])

    def literal_string(self, children: list[Tok]) -> TString:
        return literal(children[0])

    def ml_basic_string(self, children: list[Tok]) -> TString:
        src = SOURCE.get()
        token = children[0]
        return string_node(src, token, StringStyle.ML_BASIC, decode_ml_basic(src, token))

    def ml_literal_string(self, children: list[Tok]) -> TString:
        src = SOURCE.get()
        token = children[0]
        return string_node(src, token, StringStyle.ML_LITERAL, decode_ml_literal(src, token))

    def atom(self, children: list[Tok]) -> Scalar:
        return atom(children[0])

    def items(self, children: list[Any]) -> list[Value]:
        if len(children) == 1:
            return [children[0]]
        items: list[Value] = children[0]
        items.append(children[2])
        return items

    def array(self, children: list[Any]) -> TArray:
        span = SOURCE.get().tokens_span(children[0], children[-1])
        return TArray(span, ArrayOrigin.INLINE, children[1] if len(children) > 2 else [])

    def pairs(self, children: list[Any]) -> list[Pair]:
        if len(children) == 1:
            return [children[0]]
        _one_line(children[1], "an inline table")
        pairs: list[Pair] = children[0]
        pairs.append(children[2])
        return pairs

    def inline_table(self, children: list[Any]) -> TTable:
        span = SOURCE.get().tokens_span(children[0], children[-1])
        return build_inline(span, children[1] if len(children) > 2 else [])
