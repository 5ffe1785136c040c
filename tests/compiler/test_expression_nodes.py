"""Parsed expressions -> evaluator nodes (`ojlang.compiler.expressions`): `to_core` keeps the
meaning, so evaluating the converted tree gives the expression's value."""

from __future__ import annotations

from ojlang.compiler.expressions import to_core
from ojlang.parser.expressions import Expr, parse_expression
from ojlang.runtime.core import expr as core

H = 3_600_000


def parse(text: str) -> Expr:
    return parse_expression(text)


def test_to_core_and_evaluate() -> None:
    node = to_core(parse("item.priority >= 2 and age(item.created) > 1h and 'x{n}' in tags"))
    assert node == core.BoolOp(
        "and",
        (
            core.Compare(">=", core.Path("item", ("priority",)), core.Const(2)),
            core.Compare(
                ">", core.Call("age", (core.Path("item", ("created",)),)), core.DurationConst(H)
            ),
            core.Compare("in", core.Concat((core.Const("x"), core.Path("n"))), core.Path("tags")),
        ),
    )
    env = {"item": {"priority": 3, "created": 0}, "n": 7, "tags": ["x7"]}
    assert core.evaluate(node, env, None, now_us=2 * H * 1000) is True
    assert core.evaluate(node, env, None, now_us=H * 1000) is False


def test_core_nodes_survive_the_graph_codec() -> None:
    from ojlang.runtime.core.codec import CONVERTER

    text = "a.b[0] > 1 and not (x in [1, 2.5, null, true]) or age(t) > 1h or 'x{y}' == {w | f(1)}"
    node = to_core(parse(text))
    assert CONVERTER.structure(CONVERTER.unstructure(node, core.Node), core.Node) == node


def test_to_core_keeps_filters_and_drops_plain_placeholders() -> None:
    assert to_core(parse("{a}")) == core.Path("a")
    assert to_core(parse("{a | default('x')} == 'x'")) == core.Compare(
        "==",
        core.Filtered(core.Path("a"), (core.Filter("default", ("x",)),)),
        core.Const("x"),
    )
    assert to_core(parse("not [true]")) == core.Not(core.ListOf((core.Const(True),)))
