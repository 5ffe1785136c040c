"""TOML 1.0 text (str or UTF-8 bytes) in, a positioned `TomlDocument` out, or `TomlError`.

`grammars/toml.lark` is compiled to LALR tables ahead of time (`lalr_gen`, in
`generated/toml.py`) and the inline transformer of `toml_build` is bound to its rules;
`toml_lalr` runs that table with a contextual lexer. Values are built while parsing (no
trees) and each statement goes into the document as soon as it is reduced, so the first
error in the file wins. Per-parse state (the `Source`, the comments seen) travels in context
variables: the shared tables are safe to use from several threads.

Errors: OJ001 (syntax, escapes, numbers, dates), OJ002 (a key or table defined twice),
OJ003 (not UTF-8, a byte order mark, a forbidden control character).
"""

from __future__ import annotations

import functools
import re
from typing import cast

from ojlang.parser.errors import TomlError
from ojlang.parser.spans import Span
from ojlang.parser.toml_build import SOURCE, Build
from ojlang.parser.toml_errors import syntax_diagnostic
from ojlang.parser.toml_lalr import COMMENTS, LalrTables, ParseFailure, Tok, run
from ojlang.parser.toml_source import Source
from ojlang.parser.toml_tables import DocumentBuilder
from ojlang.parser.tomltree import Comment, TableOrigin, TomlDocument, TTable
from ojlang.validator.diagnostic import diag

__all__ = ["parse_toml"]

_COMMENT_IN_GAP = re.compile(r"#[^\r\n]*")


@functools.cache
def _tables() -> LalrTables:
    """The generated tables of the grammar with `Build` bound to its rules, once (two
    threads may both build them first: the result is the same)."""
    from ojlang.parser.lalr import tables

    return LalrTables(tables("toml"), Build())


def parse_toml(text: str | bytes, path: str, *, allow_bom: bool = False) -> TomlDocument:
    """Parse a TOML 1.0 document; every span's `file` is `path`.

    Raises `TomlError` (OJ001-OJ003). A leading UTF-8 byte order mark is OJ003
    (LANGUAGE.md §2.1) unless `allow_bom` is set, as the toml-test decoder needs: then it is
    skipped, and byte offsets still count its three bytes.
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
    reset_source = SOURCE.set(src)
    reset_comments = COMMENTS.set(comments)
    try:
        builder = cast(DocumentBuilder | None, run(_tables(), text))
    except ParseFailure as failure:
        raise TomlError(syntax_diagnostic(src, failure)) from None
    finally:
        COMMENTS.reset(reset_comments)
        SOURCE.reset(reset_source)
    whole = src.whole()
    if builder is None:
        root = TTable(whole, TableOrigin.ROOT)
    else:
        root = builder.root
        root.span = whole
    return TomlDocument(path, text, root, _comments(src, comments))


def _decode_utf8(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8")
        line = prefix.count("\n") + 1
        col = len(prefix) - (prefix.rfind("\n") + 1) + 1
        span = Span(path, line, col, line, col + 1, exc.start, exc.start + 1)
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
    path = src.path
    base = src.byte_base
    found = []
    for token in tokens:
        value = token.value
        for match in _COMMENT_IN_GAP.finditer(value):
            start = match.start()
            body = match.group()
            offset = token.start_pos + start
            before = value[:start]
            newline = before.rfind("\n")
            line = token.line + before.count("\n")
            column = token.column + start if newline < 0 else start - newline
            byte = token.byte_start + base + len(before.encode("utf-8", "surrogatepass"))
            end_byte = byte + len(body.encode("utf-8", "surrogatepass"))
            span = Span(path, line, column, line, column + len(body), byte, end_byte)
            line_start = text.rfind("\n", 0, offset) + 1
            own_line = not text[line_start:offset].strip(" \t")
            found.append(Comment(body[1:], span, own_line))
    return tuple(found)
