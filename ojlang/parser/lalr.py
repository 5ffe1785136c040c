"""Text in, a lark-style parse tree out: runs the LALR tables of `generated/<name>.py`.

Theory of operation. `lalr_gen` wrote down, at build time, everything lark derives from a
grammar; this module replays lark's run-time behaviour on that data without importing lark:
a contextual lexer (in each parser state, one regex alternation of the terminals the state
can shift, see `Scanner`; string terminals folded into a regex terminal come back
by their literal), the LALR loop, and lark's tree shaping (`-> alias`, `?rule`, filtered and
`_inlined` children, `[x]` placeholders, positions propagated through inlined rules). Trees,
tokens and errors have lark's names and attributes (`Tree.data/children/meta`,
`Token.type/start_pos/end_pos…`, `UnexpectedToken.token/expected`,
`UnexpectedCharacters.pos_in_stream/allowed`), so the mini-language parsers read them as
they read lark's. `tests/parser/test_lalr.py` checks trees and errors against lark itself.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any

END = "$END"


class Token(str):
    """A terminal: its text (the `str` value) with type and position (lark's `Token`)."""

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

    # Positions are None only on the `$END` token of an empty text (as in lark).
    type: str
    value: Any
    start_pos: Any
    line: Any
    column: Any
    end_line: Any
    end_column: Any
    end_pos: Any

    def __new__(
        cls,
        type: str,
        value: Any,
        start_pos: int | None = None,
        line: int | None = None,
        column: int | None = None,
        end_line: int | None = None,
        end_column: int | None = None,
        end_pos: int | None = None,
    ) -> Token:
        inst = super().__new__(cls, value)
        inst.type = type
        inst.start_pos = start_pos
        inst.value = value
        inst.line = line
        inst.column = column
        inst.end_line = end_line
        inst.end_column = end_column
        inst.end_pos = end_pos
        return inst

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Token) and self.type != other.type:
            return False
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def __reduce__(self) -> Any:
        return (Token, (self.type, self.value, self.start_pos, self.line, self.column))


class Meta:
    """Positions of a tree node; attributes exist only once known (`empty` until then)."""

    __slots__ = (
        "column",
        "container_column",
        "container_end_column",
        "container_end_line",
        "container_end_pos",
        "container_line",
        "container_start_pos",
        "empty",
        "end_column",
        "end_line",
        "end_pos",
        "line",
        "start_pos",
    )

    empty: bool
    line: int
    column: int
    start_pos: int
    end_line: int
    end_column: int
    end_pos: int
    # Where the node's text starts and ends when inlined rules around it took more.
    container_line: int
    container_column: int
    container_start_pos: int
    container_end_line: int
    container_end_column: int
    container_end_pos: int

    def __init__(self) -> None:
        self.empty = True


class Tree:
    """A rule's node: `data` (rule or alias name), `children` (trees, tokens, None)."""

    __slots__ = ("_meta", "children", "data")

    def __init__(self, data: str, children: list[Any], meta: Meta | None = None) -> None:
        self.data = data
        self.children = children
        self._meta = meta

    @property
    def meta(self) -> Meta:
        if self._meta is None:
            self._meta = Meta()
        return self._meta

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tree):
            return NotImplemented
        return bool(self.data == other.data and self.children == other.children)

    def __hash__(self) -> int:
        return hash((self.data, tuple(self.children)))

    def iter_subtrees(self) -> Iterator[Tree]:
        """Every subtree, this one included, children before their parents."""
        out: list[Tree] = []
        stack: list[Tree] = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(c for c in reversed(node.children) if isinstance(c, Tree))
        return reversed(out)

    def scan_values(self, pred: Callable[[Any], bool]) -> Iterator[Any]:
        """The leaves (not trees) for which `pred` holds, in order."""
        for child in self.children:
            if isinstance(child, Tree):
                yield from child.scan_values(pred)
            elif pred(child):
                yield child

    def pretty(self, indent: str = "  ") -> str:
        lines: list[str] = []

        def walk(node: Any, level: int) -> None:
            if not isinstance(node, Tree):
                lines.append(indent * level + str(node))
                return
            if len(node.children) == 1 and not isinstance(node.children[0], Tree):
                lines.append(f"{indent * level}{node.data}\t{node.children[0]}")
                return
            lines.append(indent * level + str(node.data))
            for child in node.children:
                walk(child, level + 1)

        walk(self, 0)
        return "\n".join(lines) + "\n"


# -- errors ----------------------------------------------------------------------------------


class UnexpectedInput(Exception):
    """The text is not in the language; `pos_in_stream`, `line`, `column` say where."""

    pos_in_stream: int | None = None
    line: int | None = None
    column: int | None = None
    state: int | None = None


class UnexpectedCharacters(UnexpectedInput):
    """No terminal matches at `pos_in_stream`; `allowed` lists those the state could take."""

    def __init__(
        self, text: str, pos: int, line: int, column: int, allowed: frozenset[str], state: int
    ) -> None:
        self.char = text[pos]
        self.pos_in_stream = pos
        self.line = line
        self.column = column
        self.allowed = allowed
        self.state = state
        super().__init__(f"no terminal matches {self.char!r} at line {line} col {column}")


class UnexpectedToken(UnexpectedInput):
    """`token` cannot come next; `expected` lists the terminals the state could take."""

    def __init__(self, token: Token, expected: set[str] | frozenset[str], state: int) -> None:
        self.token = token
        self.expected = expected
        self.pos_in_stream = token.start_pos
        self.line = token.line
        self.column = token.column
        self.state = state
        super().__init__(f"unexpected token {token!r}, expected one of {sorted(expected)}")


# -- the tables ------------------------------------------------------------------------------


class Scanner:
    """One contextual lexer: a regex alternation of terminals.

    `names` are the terminals of the alternation. When the alternation of all terminals
    (the root scanner's) matches one of them, the state's own alternation would match the
    same: its terminals come in the same order and none before that one matches. So the
    parsers try the root's first, and use a state's own only when the root's finds a
    terminal the state cannot take. Compiling a big alternation costs more than a whole
    runbook's lexing, so a state's own is not compiled as one: `match` tries its terminals
    one by one, in order, each compiled once for all states (`alternatives`); the first that
    matches is what the alternation would match (Python's `|` takes the first alternative
    that matches at the position). Only the root's alternation (`whole`) is compiled as one.
    """

    __slots__ = ("_match", "allowed", "names", "newline", "source", "unless", "whole")

    def __init__(self, spec: Any, *, whole: bool = False) -> None:
        source, allowed, newline, unless, names = spec
        self.source: str | None = source
        self.allowed = frozenset(allowed)
        self.newline = frozenset(newline)
        self.unless: dict[str, dict[str, str]] = unless
        self.names = frozenset(names)
        self.whole = whole
        self._match: Callable[[str, int], re.Match[str] | None] | None = None

    @property
    def match(self) -> Callable[[str, int], re.Match[str] | None]:
        """The alternation's `match` (compiled on first use)."""
        found = self._match
        if found is None:
            made = compile_whole if self.whole else _one_by_one
            found = self._match = made(self.source)
        return found


def _no_match(text: str, pos: int) -> None:
    return None


@functools.cache
def compile_whole(source: str | None) -> Callable[[str, int], re.Match[str] | None]:
    """The `match` of `source` compiled as one regex (None: a scanner that matches nothing)."""
    if source is None:
        return _no_match
    return re.compile(source).match


@functools.cache
def _one_by_one(source: str | None) -> Callable[[str, int], re.Match[str] | None]:
    if source is None:
        return _no_match
    parts = alternatives(source)
    if parts is None:
        return compile_whole(source)
    matchers = tuple(compile_whole(part) for part in parts)

    def match(text: str, pos: int) -> re.Match[str] | None:
        for one in matchers:
            found = one(text, pos)
            if found is not None:
                return found
        return None

    return match


def alternatives(source: str) -> list[str] | None:
    """The top-level alternatives of `(?P<A>…)|(?P<B>…)|…`, or None if `source` is not one."""
    parts: list[str] = []
    depth = 0
    start = 0
    index = 0
    in_class = False
    size = len(source)
    while index < size:
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source.startswith("^", index + 1):
                index += 1
            if source.startswith("]", index + 1):
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:index])
            start = index + 1
        index += 1
    parts.append(source[start:])
    if depth != 0 or not all(_NAMED.match(part) and part.endswith(")") for part in parts):
        return None
    return parts


_NAMED = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


# A rule as the parser loop uses it: (size, origin, callback).
Reduction = tuple[int, str, Callable[[list[Any]], Any]]


class Tables:
    """The data of one generated module, ready for the parser loop."""

    def __init__(self, module: Any) -> None:
        self.name: str = module.__name__.rsplit(".", 1)[-1]
        self.module = module
        self.start: int = module.START
        self.end: int = module.END
        self.actions: tuple[dict[str, int], ...] = module.ACTIONS
        self.rules: tuple[tuple[str, int, str, bool, Any, int], ...] = module.RULES
        scanners = [Scanner(spec) for spec in module.LEXERS]
        self.lexers: list[Scanner] = [scanners[i] for i in module.STATE_LEXERS]
        self.root = Scanner(module.ROOT_LEXER, whole=True)
        self.ignore = frozenset(module.IGNORE)
        self.positions: bool = module.POSITIONS

    def reductions(self, handlers: object = None) -> list[Reduction]:
        """(size, origin, callback) per rule: `handlers.<name>` if it has one, else a Tree."""
        out: list[Reduction] = []
        for origin, size, name, expand1, include, append_none in self.rules:
            method = getattr(handlers, name, None) if handlers is not None else None
            callback = _shaper(name, expand1, include, append_none, self.positions, method)
            out.append((size, origin, callback))
        return out

    def expected(self, state: int) -> set[str]:
        """The terminals the table can shift or reduce on in `state` (lark's `expected`)."""
        return {s for s in self.actions[state] if s.isupper()}


def _shaper(
    name: str,
    expand1: bool,
    include: Any,
    append_none: int,
    positions: bool,
    method: Callable[[list[Any]], Any] | None,
) -> Callable[[list[Any]], Any]:
    """Lark's callback chain for one rule: filter children, inline `?rule`, build, position.

    Rules that need no filtering nor positions get the handler itself (or a one-line
    wrapper for `?rule`): the TOML grammar's reductions call `toml_build` directly.
    """
    if include is None and not positions:
        if method is not None:
            if not expand1:
                return method
            return lambda children: children[0] if len(children) == 1 else method(children)
        if not expand1:
            return lambda children: Tree(name, children)

    def build(children: list[Any]) -> Any:
        if include is not None:
            filtered: list[Any] = []
            for i, inline, nones in include:
                if nones:
                    filtered += [None] * nones
                if inline:
                    if filtered:
                        filtered += children[i].children
                    else:  # lark reuses the inlined child's list (left recursion)
                        filtered = children[i].children
                else:
                    filtered.append(children[i])
            if append_none:
                filtered += [None] * append_none
        else:
            filtered = children
        if expand1 and len(filtered) == 1:
            result = filtered[0]
        elif method is not None:
            result = method(filtered)
        else:
            result = Tree(name, filtered)
        if positions and type(result) is Tree:
            _propagate(result.meta, children)
        return result

    return build


def _first_meta(children: Any) -> Any:
    for child in children:
        if isinstance(child, Tree):
            if not child.meta.empty:
                return child.meta
        elif isinstance(child, Token):
            return child
    return None


def _propagate(meta: Meta, children: list[Any]) -> None:
    """Lark's `PropagatePositions`: a node spans its first to its last child's container."""
    first = _first_meta(children)
    if first is not None:
        line = getattr(first, "container_line", first.line)
        column = getattr(first, "container_column", first.column)
        start = getattr(first, "container_start_pos", first.start_pos)
        if not hasattr(meta, "line"):
            meta.line, meta.column, meta.start_pos = line, column, start
            meta.empty = False
        meta.container_line, meta.container_column, meta.container_start_pos = line, column, start
    last = _first_meta(reversed(children))
    if last is not None:
        line = getattr(last, "container_end_line", last.end_line)
        column = getattr(last, "container_end_column", last.end_column)
        end = getattr(last, "container_end_pos", last.end_pos)
        if not hasattr(meta, "end_line"):
            meta.end_line, meta.end_column, meta.end_pos = line, column, end
            meta.empty = False
        meta.container_end_line, meta.container_end_column = line, column
        meta.container_end_pos = end


# -- lexing and parsing ----------------------------------------------------------------------


def _scan(
    tables: Tables, text: str, pos: int, line: int, line_start: int, scanner: Scanner, state: int
) -> tuple[Token | None, int, int, int]:
    """The next non-ignored token from `pos` (None at the end), and the new position."""
    end = len(text)
    ignore = tables.ignore
    root = tables.root.match
    names = scanner.names
    while pos < end:
        match = root(text, pos)
        if match is not None and match.lastgroup not in names:
            match = scanner.match(text, pos)
        if match is None:
            raise UnexpectedCharacters(
                text, pos, line, pos - line_start + 1, scanner.allowed, state
            )
        kind: str = match.lastgroup  # type: ignore[assignment]
        stop = match.end()
        value = text[pos:stop]
        column = pos - line_start + 1
        start_line = line
        if kind in scanner.newline and "\n" in value:
            line += value.count("\n")
            line_start = pos + value.rindex("\n") + 1
        if kind not in ignore:
            folded = scanner.unless.get(kind)
            if folded is not None:
                kind = folded.get(value, kind)
            token = Token(kind, value, pos, start_line, column, line, stop - line_start + 1, stop)
            return token, stop, line, line_start
        pos = stop
    return None, pos, line, line_start


class Parser:
    """A generated grammar's parser: `parse(text)` gives lark's tree or raises its errors."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.reductions = tables.reductions()

    def parse(self, text: str) -> Any:
        tables = self.tables
        actions = tables.actions
        lexers = tables.lexers
        reductions = self.reductions
        accept = tables.end
        state = tables.start
        state_stack = [state]
        value_stack: list[Any] = []
        pos = line_start = 0
        line = 1
        last: Token | None = None
        while True:
            try:
                token, pos, line, line_start = _scan(
                    tables, text, pos, line, line_start, lexers[state], state
                )
            except UnexpectedCharacters as err:
                raise _unexpected_characters(tables, text, err) from None
            if token is None:
                if last is None:
                    token = Token(END, "", 0, 1, 1)
                else:
                    token = Token(
                        END, "", last.start_pos, last.line, last.column,
                        last.end_line, last.end_column, last.end_pos,
                    )  # fmt: skip
            else:
                last = token
            kind = token.type
            while True:
                action = actions[state].get(kind)
                if action is None:
                    raise UnexpectedToken(token, tables.expected(state), state)
                if action >= 0:
                    state = action
                    state_stack.append(state)
                    value_stack.append(token)
                    break
                size, origin, callback = reductions[~action]
                if size:
                    children = value_stack[-size:]
                    del value_stack[-size:]
                    del state_stack[-size:]
                else:
                    children = []
                value = callback(children)
                state = actions[state_stack[-1]][origin]
                state_stack.append(state)
                value_stack.append(value)
                if kind == END and state == accept:
                    return value_stack[-1]

    def lex(self, text: str) -> Iterator[Token]:
        """The tokens of `text` by the lexer of all terminals (lark's `Lark.lex`)."""
        tables = self.tables
        pos = line_start = 0
        line = 1
        while True:
            token, pos, line, line_start = _scan(
                tables, text, pos, line, line_start, tables.root, -1
            )
            if token is None:
                return
            yield token


def _unexpected_characters(tables: Tables, text: str, err: UnexpectedCharacters) -> UnexpectedInput:
    """Lark's contextual lexer: a terminal of another state there is an `UnexpectedToken`."""
    pos = err.pos_in_stream or 0
    line_start = pos - (err.column or 1) + 1
    root = tables.root
    match = root.match(text, pos)
    if match is None or match.lastgroup in tables.ignore:
        return err
    try:
        token, _, _, _ = _scan(tables, text, pos, err.line or 1, line_start, root, -1)
    except UnexpectedCharacters:
        return err
    assert token is not None
    return UnexpectedToken(token, err.allowed, err.state or 0)


@functools.cache
def tables(name: str) -> Tables:
    """The generated tables of `grammars/<name>.lark`."""
    return Tables(importlib.import_module(f"ojlang.parser.generated.{name}"))


@functools.cache
def parser(name: str) -> Parser:
    """The parser of `grammars/<name>.lark` (trees built as lark builds them)."""
    return Parser(tables(name))
