"""Expressions (LANGUAGE.md §4.8): parsing, OJ414 messages, static types, printing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

from ojlang.compiler.expressions import to_core
from ojlang.parser.durations import parse_duration
from ojlang.parser.expressions import (
    BUILTIN_FUNCTIONS,
    BoolOp,
    Call,
    Compare,
    Expr,
    FilterCall,
    FunctionSig,
    InterpString,
    ListExpr,
    Literal,
    Not,
    PathRef,
    Placeholder,
    called_functions,
    check_types,
    format_expr,
    free_names,
    parse_expression,
)
from ojlang.parser.mini import MiniSyntaxError
from ojlang.parser.spans import Pos, SourceMap, StringStyle
from ojlang.runtime.core import expr as core
from ojlang.validator.render import render

H = 3_600_000


def parse(text: str) -> Expr:
    return parse_expression(text)


def error(text: str, code: str = "OJ414") -> MiniSyntaxError:
    with pytest.raises(MiniSyntaxError) as info:
        parse_expression(text)
    assert info.value.code == code
    return info.value


def types(text: str, scope: dict[str, str] | None = None, **functions: FunctionSig) -> list:
    errs = check_types(parse(text), scope or {}, functions)
    return [(e.code, e.message, e.start, e.end) for e in errs]


# -- the spec's examples ----------------------------------------------------------------------


def test_not_has_label() -> None:
    assert parse("not has_label('hold')") == Not(
        Call("has_label", (Literal("hold", "string", 14, 20),), 4, 21), 0, 21
    )


def test_priority_and_age_across_a_newline() -> None:
    text = "item.priority >= 2 and age(item.\ncreated_at) > 1h"
    assert parse(text) == BoolOp(
        "and",
        (
            Compare(
                ">=",
                PathRef("item", ("priority",), 0, 13),
                Literal(2, "int", 17, 18),
                0,
                18,
                14,
                16,
            ),
            Compare(
                ">",
                Call("age", (PathRef("item", ("created_at",), 27, 43),), 23, 44),
                Literal(H, "duration", 47, 49),
                23,
                49,
                45,
                46,
            ),
        ),
        0,
        49,
    )


def test_symbols_for_or() -> None:
    assert parse("count > 10 || 'flaky' in text") == BoolOp(
        "or",
        (
            Compare(">", PathRef("count", (), 0, 5), Literal(10, "int", 8, 10), 0, 10, 6, 7),
            Compare(
                "in",
                Literal("flaky", "string", 14, 21),
                PathRef("text", (), 25, 29),
                14,
                29,
                22,
                24,
            ),
        ),
        0,
        29,
    )


def test_placeholder_argument() -> None:
    assert parse("is_ready({config.base})") == Call(
        "is_ready",
        (Placeholder(PathRef("config", ("base",), 10, 21), (), 9, 22),),
        0,
        23,
    )


def test_spec_invalid_examples() -> None:
    assert types("priority > 'high'", {"priority": "int"}) == [
        ("OJ415", "cannot compare `int` with `string` using `>`", 0, 17)
    ]
    err = error("a == b == c")
    assert (err.message, err.start, err.end) == ("comparisons cannot be chained", 7, 9)
    err = error("has_label(")
    assert (err.message, err.start, err.end) == (
        "expected an argument or `)` after `has_label(`",
        0,
        10,
    )
    assert types("len(1, 2)") == [("OJ416", "`len` takes 1 argument, found 2", 7, 8)]


# -- grammar ----------------------------------------------------------------------------------


def shape(text: str) -> str:
    """The tree as fully parenthesised text, to check precedence."""

    def show(node: Expr) -> str:
        if isinstance(node, BoolOp):
            return "(" + f" {node.op} ".join(show(o) for o in node.operands) + ")"
        if isinstance(node, Not):
            return f"(not {show(node.operand)})"
        if isinstance(node, Compare):
            return f"({show(node.left)} {node.op} {show(node.right)})"
        return format_expr(node)

    return show(parse(text))


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("a or b and c", "(a or (b and c))"),
        ("a and b or c", "((a and b) or c)"),
        ("a or b or c", "(a or b or c)"),
        ("not a and b", "((not a) and b)"),
        ("not a == b", "(not (a == b))"),
        ("! a || !b && c", "((not a) or ((not b) and c))"),
        ("a && b and c", "(a and b and c)"),
        ("not not a", "(not (not a))"),
        ("(a or b) and c", "((a or b) and c)"),
        ("x not in [1, 2]", "(x not in [1, 2])"),
        ("x not  in\n y", "(x not in y)"),
        ("(a == b) == c", "((a == b) == c)"),
        ("android or notable", "(android or notable)"),
        ("in_x and true_y", "(in_x and true_y)"),
    ],
)
def test_precedence(text: str, tree: str) -> None:
    assert shape(text) == tree


@pytest.mark.parametrize("op", ["==", "!=", "<=", ">=", "<", ">", "in", "not in"])
def test_every_comparison_operator(op: str) -> None:
    node = parse(f"a {op} b")
    assert isinstance(node, Compare)
    assert node.op == op
    assert (node.op_start, node.op_end) == (2, 2 + len(op))


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("'it''s'", None, None),
        ("'a'", "a", "string"),
        ('"a"', "a", "string"),
        (r"'it\'s'", "it's", "string"),
        (r'"say \"hi\""', 'say "hi"', "string"),
        (r"'a\nb\tc\\d'", "a\nb\tc\\d", "string"),
        (r"'^\d+$'", "^\\d+$", "string"),
        ("'{ name }'", "{ name }", "string"),
        ("'{1,3}'", "{1,3}", "string"),
        ("42", 42, "int"),
        ("2.5", 2.5, "float"),
        ("1e3", 1000.0, "float"),
        ("1.5e-3", 0.0015, "float"),
        ("1h", H, "duration"),
        ("1h30m", H + 30 * 60_000, "duration"),
        ("2hours", 2 * H, "duration"),
        ("500ms", 500, "duration"),
        ("0s", 0, "duration"),
        ("true", True, "bool"),
        ("false", False, "bool"),
        ("null", None, "null"),
    ],
)
def test_literals(text: str, value: object, kind: str | None) -> None:
    if kind is None:
        error(text)
        return
    node = parse(text)
    assert node == Literal(value, kind, 0, len(text))  # type: ignore[arg-type]


def test_paths_with_indexes_and_keys() -> None:
    assert parse("""item.labels[0]["a-b"]['c'].d""") == PathRef(
        "item", ("labels", 0, "a-b", "c", "d"), 0, 28
    )


def test_lists_and_calls() -> None:
    assert parse("[]") == ListExpr((), 0, 2)
    assert parse("f()") == Call("f", (), 0, 3)
    assert parse("[1, [a], f(x, 'y')]") == ListExpr(
        (
            Literal(1, "int", 1, 2),
            ListExpr((PathRef("a", (), 5, 6),), 4, 7),
            Call("f", (PathRef("x", (), 11, 12), Literal("y", "string", 14, 17)), 9, 18),
        ),
        0,
        19,
    )


def test_placeholder_with_filters() -> None:
    assert parse('{tag | default("latest", -1) | upper}') == Placeholder(
        PathRef("tag", (), 1, 4),
        (
            FilterCall("default", ("latest", -1), 7, 28),
            FilterCall("upper", (), 31, 36),
        ),
        0,
        37,
    )


def test_interpolation_inside_strings_keeps_offsets() -> None:
    text = "title == 'fix {item.id}: {name | upper}!'"
    node = parse(text)
    assert isinstance(node, Compare)
    assert node.right == InterpString(
        (
            "fix ",
            Placeholder(PathRef("item", ("id",), 15, 22), (), 14, 23),
            ": ",
            Placeholder(PathRef("name", (), 26, 30), (FilterCall("upper", (), 33, 38),), 25, 39),
            "!",
        ),
        9,
        41,
    )
    assert text[14:23] == "{item.id}"


def test_whitespace_and_newlines_are_ignored() -> None:
    assert format_expr(parse("\n  a\n==\tb \r\n and\n  c  ")) == "a == b and c"


# -- OJ414 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "start", "end"),
    [
        ("a and", "expected an operand after `and`", 2, 5),
        ("a && ", "expected an operand after `&&`", 2, 4),
        ("a or )", "expected an operand after `or`, found `)`", 5, 6),
        ("not", "expected an operand after `not`", 0, 3),
        ("a ==", "expected an operand after `==`", 2, 4),
        ("a not in", "expected an operand after `not in`", 2, 8),
        ("a < b < c", "comparisons cannot be chained", 6, 7),
        ("a in b in c", "comparisons cannot be chained", 7, 9),
        ("a == b not in c", "comparisons cannot be chained", 7, 10),
        ("", "expected an expression", 0, 0),
        ("  \n", "expected an expression", 0, 3),
        ("and b", "expected an operand before `and`", 0, 3),
        ("a == and", "expected an operand after `==`, found `and`", 5, 8),
        ("f(", "expected an argument or `)` after `f(`", 0, 2),
        ("f(,)", "expected an argument or `)` after `f(`, found `,`", 2, 3),
        ("f(a,", "expected an operand after `,`", 3, 4),
        ("[1,", "expected an operand after `,`", 2, 3),
        ("x.", "expected a field name after `.`", 1, 2),
        ("x[", "expected an index or a quoted key after `[`", 1, 2),
        ("a.in", "expected a field name after `.`, found `in`", 2, 4),
        ("{}", "expected a path after `{`, found `}`", 1, 2),
        ("{x | }", "expected a filter name after `|`, found `}`", 5, 6),
        ("{ x }", "no space is allowed right inside `{` and `}`", 0, 5),
        ("(a", "`(` is never closed", 0, 1),
        ("[a", "`[` is never closed", 0, 1),
        ("a)", "unmatched `)`", 1, 2),
        ("a not b", "expected `in` after `not`", 6, 7),
        ("a b", "expected an operator after `a`, found `b`", 2, 3),
        ("count > 10 flaky", "expected an operator after `10`, found `flaky`", 11, 16),
        ("a = b", "unexpected character `=`", 2, 3),
        ("a & b", "unexpected character `&`", 2, 3),
        ("x > -1", "expected an operand after `>`, found `-1`", 4, 6),
        ("'abc", "unterminated string", 0, 4),
        ("f(a) g", "expected an operator after `)`, found `g`", 5, 6),
    ],
)
def test_syntax_errors(text: str, message: str, start: int, end: int) -> None:
    err = error(text)
    assert (err.message, err.start, err.end) == (message, start, end)


@pytest.mark.parametrize(
    ("text", "help"),
    [
        ("a == b == c", "join two comparisons with `and`, e.g. `a < b and b < c`"),
        ("age(t) > 2 hours", "a duration has no spaces: `2hours`"),
        ("[1 2]", "separate arguments and list items with `,`"),
        ("a = b", "compare with `==`"),
        ("a & b", "write `and` or `&&`"),
        ("'abc", "close it with `'`"),
        ("x > -1", "numbers are written without a sign; there is no arithmetic"),
    ],
)
def test_syntax_error_helps(text: str, help: str) -> None:
    assert error(text).help == help


def test_bad_duration_literals_are_oj401_at_the_literal() -> None:
    err = error("age(t) > 5minuts", code="OJ401")
    assert err.message == "invalid duration `5minuts`: unknown unit `minuts`"
    assert (err.start, err.end) == (10, 16)
    assert err.help == "a unit with a similar name exists: `minutes`"
    err = error("age(t) > 1.5h", code="OJ401")
    with pytest.raises(MiniSyntaxError) as alone:
        parse_duration("1.5h")
    assert (err.message, err.start, err.end) == (
        alone.value.message,
        9 + alone.value.start,
        9 + alone.value.end,
    )
    err = error("x > 30s1m", code="OJ401")
    assert "units must go from largest to smallest" in err.message


# -- names ------------------------------------------------------------------------------------


def test_free_names_include_placeholders_and_strings() -> None:
    node = parse("a.b > 1 and f({c.d}, 'x{e}') and g(a) in [h]")
    assert [(p.root, p.start, p.root_end) for p in free_names(node)] == [
        ("a", 0, 1),
        ("c", 15, 16),
        ("e", 24, 25),
        ("a", 35, 36),
        ("h", 42, 43),
    ]
    assert [c.name for c in called_functions(node)] == ["f", "g"]
    assert [(c.start, c.name_end) for c in called_functions(node)] == [(12, 13), (33, 34)]


# -- static types -----------------------------------------------------------------------------

SCOPE = {
    "priority": "int",
    "score": "float",
    "title": "string",
    "labels": "list",
    "meta": "object",
    "ready": "bool",
    "item.created_at": "timestamp",
    "item.title": "string",
}


@pytest.mark.parametrize(
    "text",
    [
        "priority > 2",
        "priority == 2.5 and score < 3",
        "title == null",
        "'bug' in labels",
        "'k' in meta",
        "'x' in title",
        "1 in labels",
        "ready",
        "not ready or priority != 1",
        "age(item.created_at) > 1h",
        "age('2024-01-01T00:00:00Z') > 2d",
        "len(title) > 0 and len(labels) > 0 and len(meta) > 0",
        "matches(title, '^fix(es)?:')",
        "matches(title, pattern)",
        "has_label('x') and has_label(item, 'y')",
        "unknown.field > 3 and other == 'x'",
        "my_fn(1, 2, 3)",
        "default(item.size, 0) > 3",
        "lower(item.title) == 'x'",
        "{priority} > 1",
        "{title | upper} > 1",
        "duration('1h') > age(item.created_at)",
        "now() > item.created_at",
        "int(title) > 3 and float(priority) < 2.5 and str(priority) == '1'",
        "starts_with(title, 'x') && ends_with(title, 'y')",
        "contains(labels, 'a') || contains(title, 'b')",
        "[1, 2] == labels",
    ],
)
def test_well_typed(text: str) -> None:
    assert types(text, SCOPE) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("priority > 'high'", ("OJ415", "cannot compare `int` with `string` using `>`", 0, 17)),
        ("title == 1", ("OJ415", "cannot compare `string` with `int` using `==`", 0, 10)),
        ("ready < true", ("OJ415", "cannot compare `bool` with `bool` using `<`", 0, 12)),
        ("labels > 1", ("OJ415", "cannot compare `list` with `int` using `>`", 0, 10)),
        (
            "age(item.created_at) > '1h'",
            ("OJ415", "cannot compare `duration` with `string` using `>`", 0, 27),
        ),
        ("priority", ("OJ415", "the expression must be `bool`, found `int`", 0, 8)),
        ("'x'", ("OJ415", "the expression must be `bool`, found `string`", 0, 3)),
        ("not title", ("OJ415", "`not` needs `bool` operands, found `string`", 4, 9)),
        ("ready and priority", ("OJ415", "`and` needs `bool` operands, found `int`", 10, 18)),
        ("priority || ready", ("OJ415", "`or` needs `bool` operands, found `int`", 0, 8)),
        (
            "1 in 2",
            ("OJ415", "`in` needs a list, string or object on the right, found `int`", 5, 6),
        ),
        ("1 in title", ("OJ415", "cannot look for `int` in a `string`", 0, 10)),
        ("1 not in meta", ("OJ415", "cannot look for `int` in the keys of an `object`", 0, 13)),
        (
            "len(priority) > 1",
            (
                "OJ415",
                "argument 1 of `len` must be `string`, `list` or `object`, found `int`",
                4,
                12,
            ),
        ),
        (
            "starts_with(title, 1)",
            ("OJ415", "argument 2 of `starts_with` must be `string`, found `int`", 19, 20),
        ),
        ("len(1, 2) > 0", ("OJ416", "`len` takes 1 argument, found 2", 7, 8)),
        ("len() > 0", ("OJ416", "`len` takes 1 argument, found 0", 0, 5)),
        ("now(1) > now()", ("OJ416", "`now` takes no arguments, found 1", 4, 5)),
        ("has_label(1, 2, 3)", ("OJ416", "`has_label` takes 1 or 2 arguments, found 3", 16, 17)),
        ("default(1) == 1", ("OJ416", "`default` takes 2 arguments, found 1", 0, 10)),
        (
            "matches(title, 'flaky(')",
            ("OJ419", "invalid regex `flaky(`: missing ), unterminated subpattern", 15, 23),
        ),
        (
            "matches(title, '[a-')",
            ("OJ419", "invalid regex `[a-`: unterminated character set", 15, 20),
        ),
    ],
)
def test_type_errors(text: str, expected: tuple[str, str, int, int]) -> None:
    assert types(text, SCOPE) == [expected]


def test_user_functions_override_arity() -> None:
    two = FunctionSig("pair", (("any", "any"),), "bool")
    anyn = FunctionSig("shell", (), "bool", variadic=True)
    assert types("pair(1, 2) and shell() and shell(1, 2, 3)", pair=two, shell=anyn) == []
    assert types("pair(1)", pair=two) == [("OJ416", "`pair` takes 2 arguments, found 1", 0, 7)]
    assert anyn.arity_text == "any number of arguments"


def test_one_error_per_mistake() -> None:
    assert types("not (priority > 'x')", SCOPE) == [
        ("OJ415", "cannot compare `int` with `string` using `>`", 5, 19)
    ]
    assert types("priority and title", SCOPE) == [
        ("OJ415", "`and` needs `bool` operands, found `int`", 0, 8),
        ("OJ415", "`and` needs `bool` operands, found `string`", 13, 18),
    ]


def test_expect_bool_can_be_off() -> None:
    assert check_types(parse("priority"), SCOPE, {}, expect_bool=False) == []


def test_builtin_table_matches_the_spec() -> None:
    assert set(BUILTIN_FUNCTIONS) == set(
        [
            "len",
            "now",
            "age",
            "has_label",
            "contains",
            "starts_with",
            "ends_with",
            "matches",
            "lower",
            "upper",
            "str",
            "int",
            "float",
            "duration",
            "default",
        ]
    )
    assert BUILTIN_FUNCTIONS["len"].returns == "int"
    assert BUILTIN_FUNCTIONS["age"].returns == "duration"
    assert BUILTIN_FUNCTIONS["now"].returns == "timestamp"


# -- printing and the core --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("a&&b||!c", "a and b or not c"),
        ("(a or b) and c", "(a or b) and c"),
        ("a or (b or c)", "a or (b or c)"),
        ("not (a and b)", "not (a and b)"),
        ("x[\"k\"] == 'it\\'s'", "x.k == 'it\\'s'"),
        ("x['a b'][0]", 'x["a b"][0]'),
        ("age(t) > 90m", "age(t) > 1h30m"),
        ("'{a | default(\"x\")}-{b}'", "'{a | default(\"x\")}-{b}'"),
    ],
)
def test_format(text: str, printed: str) -> None:
    assert format_expr(parse(text)) == printed


# -- round trip -------------------------------------------------------------------------------

KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True).filter(
    lambda n: n not in KEYWORDS
)
texts = st.text(st.characters(blacklist_characters="{}", blacklist_categories=("Cs",)), max_size=8)
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=0, max_value=10**12),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),
    texts,
)
paths = st.builds(
    lambda root, segs: PathRef(root, tuple(segs), 0, 0),
    names,
    st.lists(st.one_of(names, st.integers(0, 99), texts), max_size=3),
)


def placeholders_of(text: st.SearchStrategy[str]) -> st.SearchStrategy[Placeholder]:
    path = st.builds(
        lambda root, segs: PathRef(root, tuple(segs), 0, 0),
        names,
        st.lists(st.one_of(names, st.integers(0, 99), text), max_size=3),
    )
    arg = st.one_of(text, st.booleans(), st.none(), st.integers(-5, 5))
    filters = st.builds(
        lambda n, a: FilterCall(n, tuple(a), 0, 0), names, st.lists(arg, max_size=2)
    )
    return st.builds(
        lambda p, fs: Placeholder(p, tuple(fs), 0, 0), path, st.lists(filters, max_size=2)
    )


placeholders = placeholders_of(texts)
# Inside a string literal a placeholder cannot hold quotes or escapes (tabs and line breaks
# print as `\t`, `\n`): the language has no way to write them there.
plain = st.text(
    st.characters(blacklist_characters="{}'\"\\\n\r\t", blacklist_categories=("Cs",)),
    max_size=6,
)


def _literal(value: object) -> Literal:
    kind = {type(None): "null", bool: "bool", int: "int", float: "float", str: "string"}
    return Literal(value, kind[type(value)], 0, 0)  # type: ignore[arg-type]


atoms = st.one_of(
    values.map(_literal),
    st.integers(0, 10**9).map(lambda ms: Literal(ms, "duration", 0, 0)),
    paths,
    placeholders,
    st.lists(st.one_of(texts, placeholders_of(plain)), min_size=1, max_size=3).map(
        lambda parts: InterpString(tuple(parts), 0, 0)
    ),
)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"])
    return st.one_of(
        st.builds(lambda o, a, b: Compare(o, a, b, 0, 0, 0, 0), ops, children, children),
        st.builds(
            lambda o, xs: BoolOp(o, tuple(xs), 0, 0),
            st.sampled_from(["and", "or"]),
            st.lists(children, min_size=2, max_size=3),
        ),
        children.map(lambda x: Not(x, 0, 0)),
        st.lists(children, max_size=3).map(lambda xs: ListExpr(tuple(xs), 0, 0)),
        st.builds(lambda n, xs: Call(n, tuple(xs), 0, 0), names, st.lists(children, max_size=3)),
    )


expressions = st.recursive(atoms, _extend, max_leaves=8)


def _merge_strings(node: object) -> object:
    """Adjacent text parts of a string print as one: compare them merged."""
    if isinstance(node, core.Concat):
        parts: list[object] = []
        for p in node.parts:
            text = p.value if isinstance(p, core.Const) else None
            if isinstance(text, str) and parts and isinstance(parts[-1], str):
                parts[-1] += text
            elif isinstance(text, str):
                if text:
                    parts.append(text)
            else:
                parts.append(_merge_strings(p))
        if all(isinstance(p, str) for p in parts):
            return core.Const("".join(parts))  # type: ignore[arg-type]
        return core.Concat(
            tuple(core.Const(p) if isinstance(p, str) else p for p in parts)  # type: ignore[misc]
        )
    if hasattr(node, "__attrs_attrs__"):
        import attrs

        return attrs.evolve(
            node,  # type: ignore[arg-type]
            **{
                f.name: _merge_strings(getattr(node, f.name))
                for f in attrs.fields(type(node))  # type: ignore[arg-type]
                if f.name not in ("root", "name", "op", "value", "ms")
            },
        )
    if isinstance(node, tuple):
        return tuple(_merge_strings(x) for x in node)
    return node


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_print_then_parse_gives_the_same_tree(node: Expr) -> None:
    text = format_expr(node)
    again = parse(text)
    assert _merge_strings(to_core(again)) == _merge_strings(to_core(node)), text
    assert format_expr(again) == text


# -- source maps --------------------------------------------------------------------------------


def test_error_in_multiline_toml_string_points_at_the_file(snapshot: SnapshotAssertion) -> None:
    file_text = (
        "[queue.q]\n"
        'filter = """\n'
        "len(labels) > 0 and \\\n"
        '    starts_with(title, \\"wip\\") and"""\n'
    )
    raw = '"""\nlen(labels) > 0 and \\\n    starts_with(title, \\"wip\\") and"""'
    at = file_text.index(raw)
    sm = SourceMap("runbooks/q.toml", raw, Pos(2, 10, at), StringStyle.ML_BASIC)
    assert sm.decoded == 'len(labels) > 0 and starts_with(title, "wip") and'
    err = error(sm.decoded)
    assert err.message == "expected an operand after `and`"
    assert (err.start, err.end) == (46, 49)
    d = err.to_diagnostic(sm)
    assert (d.span.line, d.span.col, d.span.end_line, d.span.end_col) == (4, 33, 4, 36)
    assert file_text[d.span.byte_start : d.span.byte_end] == "and"
    out = render([d], "full", sources={"runbooks/q.toml": file_text}, runbooks=1).stdout
    assert out == snapshot


def test_type_error_in_multiline_string_points_inside_the_escapes() -> None:
    file_text = 'if = """\nmatches(title, \\"flaky(\\")"""\n'
    raw = file_text[len("if = ") : -1]
    sm = SourceMap("r.toml", raw, Pos(1, 6, 5), StringStyle.ML_BASIC)
    assert sm.decoded == 'matches(title, "flaky(")'
    (err,) = check_types(parse(sm.decoded), {}, {})
    d = err.to_diagnostic(sm)
    assert d.code == "OJ419"
    assert (d.span.line, d.span.col, d.span.end_col) == (2, 16, 26)
    assert file_text[d.span.byte_start : d.span.byte_end] == '\\"flaky(\\"'
