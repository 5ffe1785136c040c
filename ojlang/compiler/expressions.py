"""Parsed expressions (the parser's frozen AST) in, evaluator nodes out: `to_core` converts an
expression to `ojlang.runtime.core.expr` nodes, `compile_expression` wraps a parsed field into
the `graph.Expression` of the runtime graph."""

from __future__ import annotations

from typing import Any

from ojlang.parser import expressions as ast
from ojlang.parser.fields import Parsed
from ojlang.runtime.core import expr as core
from ojlang.runtime.core import graph


def to_core(node: ast.Expr) -> core.Node:
    """The evaluator's node tree: same meaning, no offsets; plain placeholders become paths."""
    result: core.Node = _conv(node)
    return result


def _conv(node: ast.Expr | ast.Placeholder) -> Any:
    if isinstance(node, ast.Literal):
        if node.type == "duration":
            assert isinstance(node.value, int)
            return core.DurationConst(node.value)
        return core.Const(node.value)
    if isinstance(node, ast.PathRef):
        return core.Path(node.root, node.segments)
    if isinstance(node, ast.Placeholder):
        path = core.Path(node.path.root, node.path.segments)
        if not node.filters:
            return path
        return core.Filtered(path, tuple(core.Filter(f.name, f.args) for f in node.filters))
    if isinstance(node, ast.InterpString):
        return core.Concat(
            tuple(core.Const(p) if isinstance(p, str) else _conv(p) for p in node.parts)
        )
    if isinstance(node, ast.Call):
        return core.Call(node.name, tuple(_conv(a) for a in node.args))
    if isinstance(node, ast.ListExpr):
        return core.ListOf(tuple(_conv(i) for i in node.items))
    if isinstance(node, ast.Not):
        return core.Not(_conv(node.operand))
    if isinstance(node, ast.BoolOp):
        return core.BoolOp(node.op, tuple(_conv(o) for o in node.operands))
    return core.Compare(node.op, _conv(node.left), _conv(node.right))


def compile_expression(value: Parsed | None) -> graph.Expression | None:
    if value is None or value.ast is None:
        return None
    return graph.Expression(value.node.value, to_core(value.ast))
