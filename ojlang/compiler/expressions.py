"""Parsed expressions -> `graph.Expression` holding evaluator nodes (`runtime.core.expr`)."""

from __future__ import annotations

from ojlang.parser.fields import Parsed
from ojlang.runtime.core import graph


def compile_expression(value: Parsed | None) -> graph.Expression | None:
    if value is None or value.ast is None:
        return None
    from ojlang.parser.expressions import to_core

    return graph.Expression(value.node.value, to_core(value.ast))
