"""An expression AST and the types of its names in, static errors out (OJ415, OJ416, OJ419).

Types are the §4.8 names; `any` (unknown fields, function results, filtered placeholders)
fits everything and is checked at run time. One error per faulty node: a node whose type is
wrong still reports its declared type upward, so a mistake is not reported twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ojlang.parser.expressions import (
    BUILTIN_FUNCTIONS,
    BoolOp,
    Call,
    Compare,
    Expr,
    FunctionSig,
    InterpString,
    ListExpr,
    Literal,
    Not,
    PathRef,
    Placeholder,
)
from ojlang.parser.mini import MiniSyntaxError

NUMBERS = frozenset({"int", "float"})
ORDERED = NUMBERS | {"string", "duration", "timestamp"}


def check(
    expr: Expr,
    scope_types: Mapping[str, str],
    functions: Mapping[str, FunctionSig],
    *,
    expect_bool: bool = True,
) -> list[MiniSyntaxError]:
    checker = _Checker(scope_types, functions)
    kind = checker.infer(expr)
    if expect_bool and kind not in ("bool", "any") and not checker.errors:
        checker.error(
            f"the expression must be `bool`, found `{kind}`",
            expr,
            label=f"this is a `{kind}`",
            help=_bool_help(kind),
        )
    return checker.errors


def _bool_help(kind: str) -> str | None:
    if kind in ("string", "list", "object"):
        return "test its size with `len(…) > 0`, or compare it with `==`"
    if kind in NUMBERS:
        return "compare it, e.g. `… > 0`"
    return None


def fits(actual: str, param: str) -> bool:
    """Whether a value of type `actual` may be passed where `param` (`a|b`, `any`) is expected."""
    return actual == "any" or param == "any" or actual in param.split("|")


def _names(param: str) -> str:
    kinds = [f"`{k}`" for k in param.split("|")]
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]


class _Checker:
    def __init__(self, scope: Mapping[str, str], functions: Mapping[str, FunctionSig]) -> None:
        self.scope = scope
        self.functions = functions
        self.errors: list[MiniSyntaxError] = []

    def error(
        self,
        message: str,
        node: Expr,
        *,
        code: str = "OJ415",
        label: str = "",
        help: str | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> None:
        self.errors.append(
            MiniSyntaxError(
                code,
                message,
                node.start if start is None else start,
                node.end if end is None else end,
                label=label,
                help=help,
            )
        )

    def path_type(self, path: PathRef) -> str:
        for key in (path.text, path.root if not path.segments else None):
            if key is not None and key in self.scope:
                return self.scope[key]
        return "any"

    def infer(self, node: Expr) -> str:
        if isinstance(node, Literal):
            return node.type
        if isinstance(node, PathRef):
            return self.path_type(node)
        if isinstance(node, Placeholder):
            return "any" if node.filters else self.path_type(node.path)
        if isinstance(node, InterpString):
            return "string"
        if isinstance(node, ListExpr):
            for item in node.items:
                self.infer(item)
            return "list"
        if isinstance(node, Not):
            self.want_bool(node.operand, "not")
            return "bool"
        if isinstance(node, BoolOp):
            for operand in node.operands:
                self.want_bool(operand, node.op)
            return "bool"
        if isinstance(node, Compare):
            self.compare(node)
            return "bool"
        return self.call(node)

    def want_bool(self, node: Expr, op: str) -> None:
        kind = self.infer(node)
        if kind not in ("bool", "any"):
            self.error(
                f"`{op}` needs `bool` operands, found `{kind}`",
                node,
                label=f"this is a `{kind}`",
                help=_bool_help(kind),
            )

    def compare(self, node: Compare) -> None:
        left, right = self.infer(node.left), self.infer(node.right)
        op = node.op
        if op in ("in", "not in"):
            self.membership(node, left, right)
            return
        if "any" in (left, right):
            other = right if left == "any" else left
            if op in ("==", "!=") or other in ORDERED or other == "any":
                return
        elif op in ("==", "!="):
            if left == right or "null" in (left, right) or {left, right} <= NUMBERS:
                return
        elif {left, right} <= NUMBERS or (left == right and left in ORDERED):
            return
        self.error(
            f"cannot compare `{left}` with `{right}` using `{op}`",
            node,
            label=f"`{left}` {op} `{right}`",
            help=_compare_help(left, right, op),
        )

    def membership(self, node: Compare, left: str, right: str) -> None:
        if right == "any" or right == "list":
            return
        if right in ("string", "object"):
            if left in ("string", "any"):
                return
            where = "a `string`" if right == "string" else "the keys of an `object`"
            self.error(
                f"cannot look for `{left}` in {where}",
                node,
                label=f"`{left}` {node.op} `{right}`",
                help="only a string can be found in a string or among object keys",
            )
            return
        self.error(
            f"`{node.op}` needs a list, string or object on the right, found `{right}`",
            node.right,
            label=f"this is a `{right}`",
        )

    def call(self, node: Call) -> str:
        kinds = [self.infer(a) for a in node.args]
        sig = self.functions.get(node.name) or BUILTIN_FUNCTIONS.get(node.name)
        if sig is None:
            return "any"  # unknown functions are the caller's concern (OJ201)
        params = sig.overload(len(kinds))
        if params is None:
            self.arity(node, sig)
            return sig.returns
        for index, (arg, kind, param) in enumerate(zip(node.args, kinds, params, strict=True)):
            if not fits(kind, param):
                self.error(
                    f"argument {index + 1} of `{node.name}` must be {_names(param)}, "
                    f"found `{kind}`",
                    arg,
                    label=f"this is a `{kind}`",
                )
        if node.name == "matches" and len(node.args) == 2 and sig is BUILTIN_FUNCTIONS["matches"]:
            self.regex(node.args[1])
        return sig.returns

    def arity(self, node: Call, sig: FunctionSig) -> None:
        counts = sorted({len(o) for o in sig.overloads})
        found = len(node.args)
        message = f"`{node.name}` takes {sig.arity_text}, found {found}"
        if found > counts[-1]:
            extra = node.args[counts[-1] :]
            self.error(
                message,
                node,
                code="OJ416",
                start=extra[0].start,
                end=extra[-1].end,
                label="unexpected argument" + ("s" if len(extra) > 1 else ""),
            )
        else:
            self.error(message, node, code="OJ416", label=f"expects {sig.arity_text}")

    def regex(self, node: Expr) -> None:
        if not isinstance(node, Literal) or not isinstance(node.value, str):
            return
        try:
            re.compile(node.value)
        except re.error as err:
            reason = re.sub(r" at position \d+$", "", str(err))
            self.error(
                f"invalid regex `{node.value}`: {reason}",
                node,
                code="OJ419",
                label=reason,
                help="the pattern is a Python regular expression (`re.search`)",
            )


def _compare_help(left: str, right: str, op: str) -> str | None:
    if {left, right} == {"duration", "string"}:
        return "write a duration without quotes, e.g. `1h`"
    if {left, right} <= {"int", "float", "string"} and left != right:
        return "convert one side with `int(…)`, `float(…)` or `str(…)`"
    if op not in ("==", "!="):
        return "ordering needs two numbers, strings, durations or timestamps"
    return None
