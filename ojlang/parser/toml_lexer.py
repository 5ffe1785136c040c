"""TOML text in, tokens out: a contextual lexer for the LALR parser of `grammars/toml.lark`.

It does what lark's `ContextualLexer` does (in each parser state, try only the terminals
that state can shift, in lark's priority order, falling back to all terminals to report a
better error) with the grammar's own terminal definitions. It exists for speed: lark's
lexer builds a full `Token` (a `str` subclass with eight attributes) and runs a generic
line counter per token, which was ~40% of parse time. Here a token is a small slotted
object and only terminals that can hold a line break are scanned for one.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from typing import Any, NoReturn

from lark.exceptions import UnexpectedCharacters, UnexpectedToken
from lark.lexer import Lexer, LexerState

# Terminals whose text may contain `\n` (all others are single-line by their regexes).
_MULTILINE = frozenset({"NL", "LSQB", "RSQB", "COMMA", "ML_BASIC_STRING", "ML_LITERAL_STRING"})
# Ignored terminals that carry comments, and kept ones that may (`#` inside a gap).
_COMMENT_BEARING = frozenset({"NL", "LSQB", "RSQB", "COMMA", "COMMENT"})


# Where the running parse collects comment-bearing tokens (one list per parse and thread).
COMMENTS: contextvars.ContextVar[list[Tok]] = contextvars.ContextVar("ojlang_toml_comments")


class Tok:
    """One token: terminal name, text, 0-based offsets, 1-based line/column (end exclusive)."""

    __slots__ = (
        "column",
        "end_column",
        "end_line",
        "end_pos",
        "line",
        "start_pos",
        "type",
        "value",
    )

    def __init__(
        self,
        type: str,
        value: str,
        start_pos: int,
        end_pos: int,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
    ) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.line}:{self.column})"


class TomlLexer(Lexer):
    """The contextual lexer; comment-bearing tokens also go to the `COMMENTS` list."""

    __future_interface__ = 2  # lark passes (lexer_state, parser_state) unwrapped

    def __init__(self, conf: Any) -> None:
        terminals = sorted(
            conf.terminals,
            key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
        )
        self._order = [t.name for t in terminals]
        self._regexps = {t.name: t.pattern.to_regexp() for t in terminals}
        self._ignore = frozenset(conf.ignore)
        self._by_state: dict[Any, re.Pattern[str]] = {}
        self._everything = self._compile(set(self._order))

    def _compile(self, names: set[str]) -> re.Pattern[str]:
        return re.compile(
            "|".join(f"(?P<{n}>{self._regexps[n]})" for n in self._order if n in names)
        )

    def _pattern(self, parser_state: Any) -> re.Pattern[str]:
        state = parser_state.position
        pattern = self._by_state.get(state)
        if pattern is None:
            table = parser_state.parse_conf.states[state]
            names = {n for n in table if n.isupper() and n in self._regexps} | self._ignore
            pattern = self._by_state[state] = self._compile(names)
        return pattern

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Tok]:  # type: ignore[override]
        text: str = lexer_state.text.text
        comments = COMMENTS.get()
        ignore = self._ignore
        by_state = self._by_state
        end = len(text)
        pos = 0
        line = 1
        line_start = 0
        while pos < end:
            pattern = by_state.get(parser_state.position) or self._pattern(parser_state)
            match = pattern.match(text, pos)
            if match is None:
                self._fail(text, pos, line, pos - line_start + 1, parser_state)
            kind: str = match.lastgroup  # type: ignore[assignment]
            value = match.group()
            stop = match.end()
            column = pos - line_start + 1
            if kind in _MULTILINE and "\n" in value:
                end_line = line + value.count("\n")
                line_start = pos + value.rindex("\n") + 1
                token = Tok(kind, value, pos, stop, line, column, end_line, stop - line_start + 1)
                line = end_line
            else:
                token = Tok(kind, value, pos, stop, line, column, line, column + stop - pos)
            pos = stop
            if kind in _COMMENT_BEARING and "#" in value:
                comments.append(token)
            if kind in ignore:
                continue
            yield token

    def _fail(self, text: str, pos: int, line: int, column: int, parser_state: Any) -> NoReturn:
        table = parser_state.parse_conf.states[parser_state.position]
        allowed = {n for n in table if n.isupper()}
        match = self._everything.match(text, pos)
        if match is not None and match.lastgroup not in self._ignore:
            value = match.group()
            lines = value.count("\n")
            end_column = len(value) - value.rindex("\n") if lines else column + len(value)
            token = Tok(
                match.lastgroup or "",
                value,
                pos,
                match.end(),
                line,
                column,
                line + lines,
                end_column,
            )
            raise UnexpectedToken(token, allowed, state=parser_state)  # type: ignore[no-untyped-call]
        raise UnexpectedCharacters(  # type: ignore[no-untyped-call]
            text, pos, line, column, allowed=allowed, state=parser_state
        )
