"""TOML text in, the inline transformer's result out: lark's LALR table run by a fused loop.

Theory of operation. `lalr_gen` compiled `grammars/toml.lark` into an LALR(1) table ahead
of time (`generated/toml.py`) and `ojlang.parser.lalr` wraps our transformer methods as one
callback per rule, as lark would; `LalrTables` takes both. `run` then does, in one
loop, what lark's contextual lexer and parser loop do: in the current parser state, match
only the terminals that state can shift (one compiled alternation per state, in lark's
terminal priority order), then shift or reduce as the table says, calling the callback of
each reduced rule. It exists for speed: lark's own loop builds a full `Token` per token,
runs a generic line counter, and hashes and compares `Rule` objects on every reduction,
which together made the positioned parse more than 4x slower than `tomllib`.

A syntax error raises `ParseFailure`, plain data (position, token met, the parser stacks)
that `ojlang.parser.toml_errors` turns into a diagnostic.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from ojlang.parser.lalr import Scanner, Tables, compile_whole

# Terminals whose text may contain `\n` (all others are single-line by their regexes).
_MULTILINE = frozenset({"NL", "LSQB", "RSQB", "COMMA", "ML_BASIC_STRING", "ML_LITERAL_STRING"})
# Blanks that may hold comments: a comment runs to the end of its line, so only those of
# these tokens that hold a line end (and `COMMENT` itself, at the end of the file) can.
_GAPS = frozenset({"NL", "LSQB", "RSQB", "COMMA"})
END = "$END"

# Where the running parse collects comment-bearing tokens (one list per parse and thread).
COMMENTS: contextvars.ContextVar[list[Tok]] = contextvars.ContextVar("ojlang_toml_comments")


class Tok(tuple[str, str, int, int, int, int, int, int, int, int]):
    """One token: terminal name, text, 0-based code-point and byte offsets, 1-based line and
    column (ends exclusive). Byte offsets count from the start of the text given to `run`.

    A tuple (built with `tuple.__new__`, read through attribute names) because the lexer
    makes one per token: three times cheaper than a slotted object.
    """

    __slots__ = ()

    type = property(itemgetter(0))
    value = property(itemgetter(1))
    start_pos = property(itemgetter(2))
    end_pos = property(itemgetter(3))
    line = property(itemgetter(4))
    column = property(itemgetter(5))
    end_line = property(itemgetter(6))
    end_column = property(itemgetter(7))
    byte_start = property(itemgetter(8))
    byte_end = property(itemgetter(9))

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.line}:{self.column})"


def make_tok(
    type: str,
    value: str,
    start_pos: int,
    end_pos: int,
    line: int,
    column: int,
    end_line: int,
    end_column: int,
    byte_start: int,
    byte_end: int,
) -> Tok:
    """A token (the readable spelling of the `_new(Tok, …)` the lexer loop uses)."""
    return _new(
        Tok,
        (type, value, start_pos, end_pos, line, column, end_line, end_column, byte_start, byte_end),
    )


_new = tuple.__new__


class ParseFailure(Exception):
    """The parser could not go on at offset `pos`: `token` (None at the end of the text or
    at a character no terminal matches) was met in the state on top of `state_stack`. A
    line-end token may be a placeholder: use `pos`, not its offsets."""

    def __init__(
        self,
        tables: LalrTables,
        pos: int,
        token: Tok | None,
        state_stack: list[int],
        value_stack: list[Any],
    ) -> None:
        super().__init__(f"syntax error at offset {pos}")
        self.tables = tables
        self.in_comment = False  # the character at `pos` ends a comment early
        self.pos = pos
        self.token = token
        self.state_stack = state_stack
        self.value_stack = value_stack

    def expected(self) -> set[str]:
        """The terminals the parser could really take next (see `LalrTables.accepts`)."""
        return self.tables.accepts(self.state_stack)


# Shifted in place of line-end tokens without comments (their text is never used).
_LINE_END = make_tok("NL", "\n", -1, -1, 0, 0, 0, 0, -1, -1)

# A table entry: (True, next state) to shift, (False, (size, rule name, callback)) to reduce.
Action = tuple[bool, Any]


class LalrTables:
    """The parse table, the rule callbacks and the lexer's terminals of the TOML grammar."""

    def __init__(self, tables: Tables, handlers: object) -> None:
        reductions = tables.reductions(handlers)
        self.actions: dict[int, dict[str, Action]] = {
            state: {
                symbol: (True, n) if n >= 0 else (False, reductions[~n])
                for symbol, n in row.items()
            }
            for state, row in enumerate(tables.actions)
        }
        self.start: int = tables.start
        self.end: int = tables.end
        self.ignore = tables.ignore
        self.root = tables.root
        # One alternation per state (lark's contextual lexer): the terminals it can shift,
        # plus the ignored ones; compiled on first use, once per distinct alternation.
        self.matchers: list[Matcher] = []
        for state, scanner in enumerate(tables.lexers):
            self.matchers.append(_lazy(self.matchers, state, scanner))

    def everything(self, text: str, pos: int) -> re.Match[str] | None:
        """Match all terminals (to name what stands where the state's terminals do not)."""
        return self.root.match(text, pos)

    def accepts(self, state_stack: list[int]) -> set[str]:
        """The terminals that can be shifted next, after any reductions they cause.

        LALR merges the states that follow a value, so the table row of the state after `1`
        lists what may follow a value anywhere (`,` `]` `}` newline). Running the reductions
        on a copy of the stack, one candidate at a time, gives the set for this very context.
        """
        actions = self.actions
        found: set[str] = set()
        for terminal in actions[state_stack[-1]]:
            if not terminal.isupper() and terminal != END:
                continue
            stack = list(state_stack)
            for _ in range(1000):
                action = actions[stack[-1]].get(terminal)
                if action is None:
                    break
                shift, arg = action
                if shift:
                    found.add(terminal)
                    break
                size, origin, _ = arg
                if size:
                    del stack[-size:]
                stack.append(actions[stack[-1]][origin][1])
                if terminal == END and stack[-1] == self.end:
                    found.add(terminal)
                    break
        return found


Matcher = Callable[[str, int], "re.Match[str] | None"]


def _lazy(matchers: list[Matcher], state: int, scanner: Scanner) -> Matcher:
    """A stand-in for `matchers[state]` that compiles the alternation on its first call (as
    one regex: TOML lexes every token in its state's alternation, and trying the terminals
    one by one, as `lalr.Scanner` does for the rare misses of a root, costs more per token
    than the compilation saves)."""

    def first(text: str, pos: int) -> re.Match[str] | None:
        match = matchers[state] = compile_whole(scanner.source)
        return match(text, pos)

    return first


def _token(
    kind: str, value: str, pos: int, stop: int, line: int, line_start: int, byte: int
) -> Tok:
    column = pos - line_start + 1
    byte_end = byte + len(value.encode("utf-8", "surrogatepass"))
    if "\n" in value:
        last = pos + value.rindex("\n") + 1
        end_line = line + value.count("\n")
        return make_tok(
            kind, value, pos, stop, line, column, end_line, stop - last + 1, byte, byte_end
        )
    return make_tok(kind, value, pos, stop, line, column, line, column + stop - pos, byte, byte_end)


def run(tables: LalrTables, text: str) -> Any:
    """Lex and parse `text`; the value of the start rule's callback, or `ParseFailure`."""
    actions = tables.actions
    matchers = tables.matchers
    ignore = tables.ignore
    accept = tables.end
    new = _new
    comments = COMMENTS.get()
    ascii = text.isascii()
    end = len(text)
    state = tables.start
    state_stack = [state]
    value_stack: list[Any] = []
    pos = 0
    byte = 0
    line = 1
    line_start = 0
    while True:
        token: Tok | None
        start = pos
        if pos < end:
            match = matchers[state](text, pos)
            if match is None:
                raise _failure(tables, text, pos, line, line_start, byte, state_stack, value_stack)
            kind: str = match.lastgroup  # type: ignore[assignment]
            pos = match.end()
            value = text[start:pos]
            byte_start = byte
            if ascii or value.isascii():
                byte += pos - start
            else:
                byte += len(value.encode("utf-8", "surrogatepass"))
            if kind in _MULTILINE and "\n" in value:
                if kind == "NL" and "#" not in value:
                    # The commonest token carries nothing the callbacks use: no `Tok` for it.
                    line += value.count("\n")
                    line_start = start + value.rindex("\n") + 1
                    token = _LINE_END
                else:
                    column = start - line_start + 1
                    end_line = line + value.count("\n")
                    line_start = start + value.rindex("\n") + 1
                    token = new(Tok, (
                        kind, value, start, pos, line, column, end_line, pos - line_start + 1,
                        byte_start, byte,
                    ))  # fmt: skip
                    line = end_line
                    if "#" in value and kind in _GAPS:
                        comments.append(token)
            else:
                column = start - line_start + 1
                token = new(Tok, (
                    kind, value, start, pos, line, column, line, column + pos - start,
                    byte_start, byte,
                ))  # fmt: skip
                if kind in ignore:
                    if kind == "COMMENT":
                        comments.append(token)
                    continue
        else:
            kind = END
            token = None
        row = actions[state]
        while True:
            action = row.get(kind)
            if action is None:
                raise ParseFailure(tables, start, token, state_stack, value_stack)
            shift, arg = action
            if shift:
                state = arg
                state_stack.append(state)
                value_stack.append(token)
                break
            size, origin, callback = arg
            if size:
                children = value_stack[-size:]
                del value_stack[-size:]
                del state_stack[-size:]
            else:
                children = []
            result = callback(children)
            state = actions[state_stack[-1]][origin][1]
            state_stack.append(state)
            value_stack.append(result)
            if token is None and state == accept:
                return result
            row = actions[state]


def _failure(
    tables: LalrTables,
    text: str,
    pos: int,
    line: int,
    line_start: int,
    byte: int,
    state_stack: list[int],
    value_stack: list[Any],
) -> ParseFailure:
    """No terminal of this state matches at `pos`: name what is there if any terminal does."""
    match = tables.everything(text, pos)
    token = None
    if match is not None and match.lastgroup not in tables.ignore:
        kind = match.lastgroup or ""
        token = _token(kind, match.group(), pos, match.end(), line, line_start, byte)
    failure = ParseFailure(tables, pos, token, state_stack, value_stack)
    comments = COMMENTS.get()
    last = comments[-1] if comments else None
    failure.in_comment = last is not None and last.type == "COMMENT" and last.end_pos == pos
    return failure
