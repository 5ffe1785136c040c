"""Expression text (LANGUAGE.md §4.8) in, a frozen AST with decoded offsets out; plus its uses.

`parse_expression` parses `rules.if`/`queue.filter` (OJ414 on syntax errors, OJ401 on a bad
duration literal); `check_types` is the static checker (OJ415, OJ416, OJ419);
`free_names`/`called_functions` list what the caller must resolve (OJ301, OJ201);
`format_expr` prints an expression back. The parser and the checker live in
`expression_parser.py` and `expression_types.py`, imported on first use; the compiler converts
the AST to the evaluator's nodes (`ojlang.compiler.expressions.to_core`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeAlias

from ojlang import rec

if TYPE_CHECKING:
    from ojlang.parser.mini import MiniSyntaxError

TYPES = ("string", "int", "float", "bool", "null", "duration", "timestamp", "list", "object", "any")


# -- AST --------------------------------------------------------------------------------------


@rec.frozen(slots=True)
class Literal:
    """`'text'`, `3`, `2.5`, `1h` (value in milliseconds), `true`, `null`; `type` per §4.8."""

    value: str | int | float | bool | None
    type: str
    start: int
    end: int


@rec.frozen(slots=True)
class PathRef:
    """`item.labels[0]`: root name and segments (names and keys as `str`, indexes as `int`)."""

    root: str
    segments: tuple[str | int, ...]
    start: int
    end: int

    @property
    def root_end(self) -> int:
        return self.start + len(self.root)

    @property
    def text(self) -> str:
        return self.root + "".join(_segment_text(s) for s in self.segments)


@rec.frozen(slots=True)
class FilterCall:
    """`default("x")` inside a placeholder; args are plain values."""

    name: str
    args: tuple[str | int | float | bool | None, ...]
    start: int
    end: int


@rec.frozen(slots=True)
class Placeholder:
    """`{path | filters}`; without filters it has the same value as the bare path."""

    path: PathRef
    filters: tuple[FilterCall, ...]
    start: int
    end: int


@rec.frozen(slots=True)
class InterpString:
    """A string literal with `{path}` interpolations: literal text and placeholders."""

    parts: tuple[str | Placeholder, ...]
    start: int
    end: int


@rec.frozen(slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    start: int
    end: int

    @property
    def name_end(self) -> int:
        return self.start + len(self.name)


@rec.frozen(slots=True)
class ListExpr:
    items: tuple[Expr, ...]
    start: int
    end: int


@rec.frozen(slots=True)
class Not:
    operand: Expr
    start: int
    end: int


@rec.frozen(slots=True)
class BoolOp:
    """`op` is `and` or `or` (also for `&&`, `||`); two or more operands."""

    op: str
    operands: tuple[Expr, ...]
    start: int
    end: int


@rec.frozen(slots=True)
class Compare:
    """`op` is one of `== != < <= > >= in`, `not in`; `op_start`/`op_end` locate it."""

    op: str
    left: Expr
    right: Expr
    start: int
    end: int
    op_start: int
    op_end: int


Expr: TypeAlias = (
    Literal | PathRef | Placeholder | InterpString | Call | ListExpr | Not | BoolOp | Compare
)


# -- functions --------------------------------------------------------------------------------


@rec.frozen(slots=True)
class FunctionSig:
    """A function's signature: `overloads` are tuples of parameter types, each a type of §4.8
    or a union written `string|list|object`; `variadic` takes any number of `any` arguments
    (string-form `[functions]`)."""

    name: str
    overloads: tuple[tuple[str, ...], ...]
    returns: str = "any"
    variadic: bool = False

    def overload(self, count: int) -> tuple[str, ...] | None:
        """The parameter types for `count` arguments, or None when the arity is wrong."""
        if self.variadic:
            return ("any",) * count
        return next((o for o in self.overloads if len(o) == count), None)

    @property
    def arity_text(self) -> str:
        """`1 argument`, `no arguments`, `1 or 2 arguments`, `any number of arguments`."""
        if self.variadic:
            return "any number of arguments"
        counts = sorted({len(o) for o in self.overloads})
        if counts == [0]:
            return "no arguments"
        words = " or ".join(str(c) for c in counts)
        return f"{words} argument" + ("" if counts == [1] else "s")


def _sig(name: str, returns: str, *overloads: tuple[str, ...]) -> FunctionSig:
    return FunctionSig(name, overloads, returns)


BUILTIN_FUNCTIONS: dict[str, FunctionSig] = {
    s.name: s
    for s in (
        _sig("len", "int", ("string|list|object",)),
        _sig("now", "timestamp", ()),
        _sig("age", "duration", ("timestamp|string|int",)),
        _sig("has_label", "bool", ("string",), ("object", "string")),
        _sig("contains", "bool", ("list|string|object", "any")),
        _sig("starts_with", "bool", ("string", "string")),
        _sig("ends_with", "bool", ("string", "string")),
        _sig("matches", "bool", ("string", "string")),
        _sig("lower", "string", ("string",)),
        _sig("upper", "string", ("string",)),
        _sig("str", "string", ("any",)),
        _sig("int", "int", ("string|int|float",)),
        _sig("float", "float", ("string|int|float",)),
        _sig("duration", "duration", ("string|duration",)),
        _sig("default", "any", ("any", "any")),
    )
}


# -- public API -------------------------------------------------------------------------------


def parse_expression(text: str) -> Expr:
    """Parse a §4.8 expression; raise `MiniSyntaxError` (OJ414, or OJ401 for a bad duration)."""
    from ojlang.parser.expression_parser import parse

    return parse(text)


def check_types(
    expr: Expr,
    scope_types: Mapping[str, str],
    functions: Mapping[str, FunctionSig],
    *,
    expect_bool: bool = True,
) -> list[MiniSyntaxError]:
    """Static type errors (OJ415), arity (OJ416) and literal regexes (OJ419).

    `scope_types` maps roots (`priority`) or whole paths (`item.priority`) to types; unknown
    names are `any`. `functions` are the user functions; builtins are known already. Names
    and functions that exist nowhere are the caller's concern (`free_names`,
    `called_functions`).
    """
    from ojlang.parser.expression_types import check

    return check(expr, scope_types, functions, expect_bool=expect_bool)


def walk(expr: Expr) -> list[Expr | Placeholder]:
    """Every node in source order, placeholders inside strings included."""
    out: list[Expr | Placeholder] = []

    def visit(node: Expr | Placeholder) -> None:
        out.append(node)
        if isinstance(node, Placeholder):
            visit(node.path)
        elif isinstance(node, InterpString):
            for part in node.parts:
                if isinstance(part, Placeholder):
                    visit(part)
        elif isinstance(node, Call):
            for arg in node.args:
                visit(arg)
        elif isinstance(node, ListExpr):
            for item in node.items:
                visit(item)
        elif isinstance(node, Not):
            visit(node.operand)
        elif isinstance(node, BoolOp):
            for operand in node.operands:
                visit(operand)
        elif isinstance(node, Compare):
            visit(node.left)
            visit(node.right)

    visit(expr)
    return out


def free_names(expr: Expr) -> tuple[PathRef, ...]:
    """Every path (bare, in a placeholder or inside a string), in source order."""
    return tuple(n for n in walk(expr) if isinstance(n, PathRef))


def called_functions(expr: Expr) -> tuple[Call, ...]:
    """Every call, in source order."""
    return tuple(n for n in walk(expr) if isinstance(n, Call))


# -- printing ---------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
_ESCAPE = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t"}
_DESCAPE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def quote(text: str) -> str:
    """`text` as a single-quoted expression string."""
    return "'" + "".join(_ESCAPE.get(c, c) for c in text) + "'"


def dquote(text: str) -> str:
    """`text` as a double-quoted string: the form used inside `{…}` and `[…]`."""
    return '"' + "".join(_DESCAPE.get(c, c) for c in text) + '"'


def _segment_text(seg: str | int) -> str:
    if isinstance(seg, int):
        return f"[{seg}]"
    if _NAME.fullmatch(seg) and seg not in _KEYWORDS:
        return f".{seg}"
    return f"[{dquote(seg)}]"


def _value_text(value: object, quoting: Callable[[str], str] = quote) -> str:
    if isinstance(value, str):
        return quoting(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _placeholder_text(node: Placeholder) -> str:
    filters = "".join(
        f" | {f.name}"
        + (f"({', '.join(_value_text(a, dquote) for a in f.args)})" if f.args else "")
        for f in node.filters
    )
    return "{" + node.path.text + filters + "}"


def format_expr(expr: Expr) -> str:
    """Canonical text of `expr`: parsing it again gives the same tree (offsets aside)."""
    return _fmt(expr, 0)


_PREC = {"or": 1, "and": 2}


def _fmt(node: Expr, outer: int) -> str:
    if isinstance(node, BoolOp):
        prec = _PREC[node.op]
        text = f" {node.op} ".join(_fmt(o, prec + 1) for o in node.operands)
    elif isinstance(node, Not):
        prec = 3
        text = "not " + _fmt(node.operand, 3)
    elif isinstance(node, Compare):
        prec = 4
        text = f"{_fmt(node.left, 5)} {node.op} {_fmt(node.right, 5)}"
    else:
        return _atom_text(node)
    return f"({text})" if prec < outer else text


def _atom_text(node: Expr) -> str:
    if isinstance(node, Literal):
        if node.type == "duration":
            from ojlang.parser.durations import format_duration

            assert isinstance(node.value, int)
            return format_duration(node.value)
        return _value_text(node.value)
    if isinstance(node, PathRef):
        return node.text
    if isinstance(node, Placeholder):
        return _placeholder_text(node)
    if isinstance(node, InterpString):
        inner = "".join(
            quote(p)[1:-1] if isinstance(p, str) else _placeholder_text(p) for p in node.parts
        )
        return f"'{inner}'"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_fmt(a, 0) for a in node.args)})"
    assert isinstance(node, ListExpr)
    return f"[{', '.join(_fmt(i, 0) for i in node.items)}]"
