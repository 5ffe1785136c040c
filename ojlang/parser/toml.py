"""TOML 1.0 text (str or UTF-8 bytes) in, a positioned `TomlDocument` out, or `TomlError`.

The grammar (`grammars/toml.lark`) is parsed by lark's LALR parser with the contextual lexer.
Values are built while parsing by an inline transformer (no lark trees), and each statement
goes into the document as soon as it is reduced, so the first error in the file wins.
Per-parse state (the `Source` and the comments seen) travels in context variables, which
keeps the shared parser safe to use from several threads.
"""

from __future__ import annotations

import contextvars
import re
import threading
from typing import Any, cast

from lark import Lark, Transformer
from lark.exceptions import UnexpectedInput

from ojlang.parser.errors import TomlError
from ojlang.parser.spans import Span, StringStyle
from ojlang.parser.toml_errors import syntax_diagnostic
from ojlang.parser.toml_lexer import COMMENTS, Tok, TomlLexer
from ojlang.parser.toml_source import Source
from ojlang.parser.toml_tables import DocumentBuilder, Header, build_inline
from ojlang.parser.toml_values import (
    atom_node,
    decode_basic,
    decode_literal,
    decode_ml_basic,
    decode_ml_literal,
    string_node,
)
from ojlang.parser.tomltree import (
    ArrayOrigin,
    Comment,
    Key,
    Scalar,
    TableOrigin,
    TArray,
    TomlDocument,
    TString,
    TTable,
    Value,
)
from ojlang.validator.diagnostic import diag

__all__ = ["parse_toml"]

_COMMENT_IN_GAP = re.compile(r"#[^\r\n]*")
_BARE_PART = re.compile(r"[A-Za-z0-9_-]+")


_SOURCE: contextvars.ContextVar[Source] = contextvars.ContextVar("ojlang_toml_source")

Pair = tuple[tuple[Key, ...], Value]


class _Build(Transformer[Tok, Any]):
    """Inline transformer: each method gets a rule's children and returns tree nodes."""

    def start(self, children: list[Any]) -> DocumentBuilder | None:
        for child in children:
            if isinstance(child, DocumentBuilder):
                return child
        return None

    def body(self, children: list[Any]) -> DocumentBuilder:
        if len(children) == 1:
            src = _SOURCE.get()
            builder = DocumentBuilder(src, src.span(0, len(src.text)))
            statement = children[0]
        else:
            builder = children[0]
            statement = children[2]
        if type(statement) is tuple:
            builder.add_pair(*statement)
        else:
            builder.add_header(statement)
        return builder

    def keyval(self, children: list[Any]) -> Pair:
        if len(children) == 2:
            return (_bare_keys(children[0]), children[1])
        return (children[0], children[2])

    def table(self, children: list[Any]) -> Header:
        return _header(children, False)

    def array_table(self, children: list[Any]) -> Header:
        return _header(children, True)

    def key(self, children: list[Any]) -> tuple[Key, ...]:
        if len(children) == 1:
            return (_key(children[0]),)
        keys: tuple[Key, ...] = children[0]
        return (*keys, _key(children[2]))

    def basic_string(self, children: list[Tok]) -> TString:
        src = _SOURCE.get()
        token = children[0]
        return string_node(src, token, StringStyle.BASIC, decode_basic(src, token))

    def literal_string(self, children: list[Tok]) -> TString:
        src = _SOURCE.get()
        token = children[0]
        return string_node(src, token, StringStyle.LITERAL, decode_literal(src, token))

    def ml_basic_string(self, children: list[Tok]) -> TString:
        src = _SOURCE.get()
        token = children[0]
        return string_node(src, token, StringStyle.ML_BASIC, decode_ml_basic(src, token))

    def ml_literal_string(self, children: list[Tok]) -> TString:
        src = _SOURCE.get()
        token = children[0]
        return string_node(src, token, StringStyle.ML_LITERAL, decode_ml_literal(src, token))

    def atom(self, children: list[Tok]) -> Scalar:
        return atom_node(_SOURCE.get(), children[0])

    def items(self, children: list[Any]) -> list[Value]:
        if len(children) == 1:
            return [children[0]]
        items: list[Value] = children[0]
        items.append(children[2])
        return items

    def array(self, children: list[Any]) -> TArray:
        span = _SOURCE.get().tokens_span(children[0], children[-1])
        return TArray(span, ArrayOrigin.INLINE, children[1] if len(children) > 2 else [])

    def pairs(self, children: list[Any]) -> list[Pair]:
        if len(children) == 1:
            return [children[0]]
        _one_line(children[1], "an inline table")
        pairs: list[Pair] = children[0]
        pairs.append(children[2])
        return pairs

    def inline_table(self, children: list[Any]) -> TTable:
        span = _SOURCE.get().tokens_span(children[0], children[-1])
        return build_inline(span, children[1] if len(children) > 2 else [])


def _key(token: Tok) -> Key:
    src = _SOURCE.get()
    kind = token.type
    if kind == "BARE_KEY":
        name = token.value
    elif kind == "BASIC_STRING":
        name = decode_basic(src, token)
    else:
        name = decode_literal(src, token)
    return Key(name, src.token_span(token))


def _bare_keys(token: Tok) -> tuple[Key, ...]:
    """The parts of a `KEY_EQ` or all-bare header token (ASCII, one line), with spans."""
    src = _SOURCE.get()
    path = src.path
    line = token.line
    column = token.column
    byte = src.byte(token.start_pos)
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
        for match in _BARE_PART.finditer(token.value)
    )


def _header(children: list[Any], array: bool) -> Header:
    if len(children) == 1:
        token = children[0]
        return Header(_bare_keys(token), _SOURCE.get().token_span(token), array)
    opening, keys, closing = children
    _one_line(opening, "a table header")
    _one_line(closing, "a table header")
    return Header(keys, _SOURCE.get().tokens_span(opening, closing), array)


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
            _SOURCE.get().span(token.start_pos + index),
            "line break",
            help=help if what == "an inline table" else f"write {what} on one line",
        )
    )


_PARSER: Lark | None = None
_LOCK = threading.Lock()


def _parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        with _LOCK:
            if _PARSER is None:
                _PARSER = Lark.open_from_package(
                    "ojlang.parser",
                    "grammars/toml.lark",
                    parser="lalr",
                    lexer=TomlLexer,
                    cache=True,
                    transformer=_Build(),
                )
    return _PARSER


def parse_toml(text: str | bytes, path: str, *, allow_bom: bool = False) -> TomlDocument:
    """Parse a TOML 1.0 document; every span's `file` is `path`.

    Raises `TomlError` (OJ001 syntax, OJ002 duplicate key, OJ003 invalid text). A leading
    UTF-8 byte order mark is OJ003 (LANGUAGE.md §2.1) unless `allow_bom` is set, as the
    toml-test decoder needs: then it is skipped and byte offsets still count it.
    """
    if isinstance(text, bytes):
        text = _decode_utf8(text, path)
    base = 0
    if text.startswith("\ufeff"):
        if not allow_bom:
            raise TomlError(
                diag(
                    "OJ003",
                    "file starts with a byte order mark",
                    Span(path, 1, 1, 1, 2, 0, 3),
                    "byte order mark",
                    help="save it as UTF-8 without BOM",
                )
            )
        text = text[1:]
        base = 3
    src = Source(text, path, base)
    comments: list[Tok] = []
    reset_source = _SOURCE.set(src)
    reset_comments = COMMENTS.set(comments)
    try:
        builder = cast(DocumentBuilder | None, _parser().parse(text))
    except UnexpectedInput as exc:
        raise TomlError(syntax_diagnostic(src, exc)) from None
    finally:
        COMMENTS.reset(reset_comments)
        _SOURCE.reset(reset_source)
    root = builder.root if builder is not None else TTable(src.span(0, len(text)), TableOrigin.ROOT)
    return TomlDocument(path, text, root, _comments(src, comments))


def _decode_utf8(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8")
        line = prefix.count("\n") + 1
        col = len(prefix) - (prefix.rfind("\n") + 1) + 1
        span = Span(path, line, col, line, col + 1, exc.start, exc.end)
        raise TomlError(
            diag(
                "OJ003",
                "file is not valid UTF-8",
                span,
                f"invalid byte 0x{data[exc.start]:02X}",
                help="save the file as UTF-8",
            )
        ) from None


def _comments(src: Source, tokens: list[Tok]) -> tuple[Comment, ...]:
    """The comments inside the comment-bearing tokens the lexer set aside, in file order."""
    if not tokens:
        return ()
    text = src.text
    found = []
    for token in tokens:
        for match in _COMMENT_IN_GAP.finditer(token.value):
            offset = token.start_pos + match.start()
            line_start = text.rfind("\n", 0, offset) + 1
            own_line = not text[line_start:offset].strip(" \t")
            span = src.span(offset, offset + len(match.group()))
            found.append(Comment(match.group()[1:], span, own_line))
    return tuple(found)
