"""The pure expression evaluator (LANGUAGE.md §4.8, RUNTIME.md §1): nodes and values in, a value."""

from __future__ import annotations

import ast
import datetime as dt
import math
from pathlib import Path as FilePath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ojlang.runtime.core import expr
from ojlang.runtime.core.expr import (
    BoolOp,
    Call,
    Compare,
    Concat,
    Const,
    Duration,
    DurationConst,
    EvaluationError,
    Filter,
    Filtered,
    ListOf,
    Not,
    Path,
    evaluate,
    parse_duration_ms,
    timestamp,
)

S, M, H = 1_000, 60_000, 3_600_000
NOW_US = 1_700_000_000 * 1_000_000  # 2023-11-14T22:13:20Z
UTC = dt.UTC


def ev(node: expr.Node, **env: object) -> object:
    return evaluate(node, env, None, NOW_US)


def c(value: object) -> Const:
    return Const(value)  # type: ignore[arg-type]


def cmp(op: str, a: object, b: object) -> object:
    return ev(Compare(op, c(a), c(b)))


def call(name: str, *args: expr.Node, **env: object) -> object:
    return ev(Call(name, args), **env)


def fails(node: expr.Node, message: str, **env: object) -> None:
    with pytest.raises(EvaluationError) as info:
        ev(node, **env)
    assert str(info.value) == message


# -- values and paths -------------------------------------------------------------------------


def test_literals() -> None:
    assert ev(c("a")) == "a"
    assert ev(c(None)) is None
    assert ev(DurationConst(90 * M)) == Duration(90 * M)
    assert ev(ListOf((c(1), ListOf(())))) == [1, []]


def test_paths_walk_objects_and_lists() -> None:
    env = {"item": {"labels": ["a", "b"], "meta": {"a-b": 1}}}
    assert ev(Path("item", ("labels", 1)), **env) == "b"
    assert ev(Path("item", ("meta", "a-b")), **env) == 1


@pytest.mark.parametrize(
    "path",
    [
        Path("nope"),
        Path("item", ("nope",)),
        Path("item", ("nope", "deeper", 3)),
        Path("item", ("labels", 5)),
        Path("item", ("meta", 0)),
    ],
)
def test_a_missing_field_or_index_is_null(path: Path) -> None:
    assert ev(path, item={"labels": ["a"], "meta": {}}) is None


def test_a_field_of_a_scalar_is_an_error() -> None:
    fails(Path("title", ("x",)), "a `string` value has no field `x`", title="t")
    fails(Path("items", ("x",)), "a `list` value has no field `x`", items=[])


# -- comparisons ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1.0, True),
        (1, "1", False),
        (True, 1, False),
        (None, None, True),
        (None, 0, False),
        ("a", "a", True),
        ([1, [2]], [1.0, [2]], True),
        ([1], [True], False),
        ({"a": 1}, {"a": 1.0}, True),
        ({"a": 1}, {"b": 1}, False),
        (Duration(S), Duration(1000), True),
        (dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 1, tzinfo=UTC), True),
    ],
)
def test_equality(a: object, b: object, equal: bool) -> None:
    assert cmp("==", a, b) is equal
    assert cmp("!=", a, b) is (not equal)


@pytest.mark.parametrize(
    ("a", "op", "b", "result"),
    [
        (1, "<", 2.5, True),
        (3, ">=", 3, True),
        ("abc", "<", "abd", True),
        ("b", "<=", "a", False),
        (Duration(H), ">", Duration(59 * M), True),
        (dt.datetime(2024, 1, 1, tzinfo=UTC), "<", dt.datetime(2024, 1, 2, tzinfo=UTC), True),
    ],
)
def test_ordering(a: object, op: str, b: object, result: bool) -> None:
    assert cmp(op, a, b) is result


@pytest.mark.parametrize(
    ("a", "op", "b", "message"),
    [
        (1, ">", "high", "cannot compare `int` with `string` using `>`"),
        (None, "<", 1, "cannot compare `null` with `int` using `<`"),
        (True, "<", False, "cannot compare `bool` with `bool` using `<`"),
        ([1], "<", [2], "cannot compare `list` with `list` using `<`"),
        (Duration(1), "<", 5, "cannot compare `duration` with `int` using `<`"),
        (
            dt.datetime(2024, 1, 1),
            "<",
            dt.datetime(2024, 1, 1, tzinfo=UTC),
            "cannot compare `timestamp` with `timestamp` using `<`",
        ),
    ],
)
def test_ordering_type_errors(a: object, op: str, b: object, message: str) -> None:
    fails(Compare(op, c(a), c(b)), message)


@pytest.mark.parametrize(
    ("item", "container", "found"),
    [
        ("a", ["a", "b"], True),
        (1, [1.0], True),
        ("c", ["a"], False),
        ("ell", "hello", True),
        ("x", "hello", False),
        ("k", {"k": None}, True),
        ("z", {"k": 1}, False),
    ],
)
def test_membership(item: object, container: object, found: bool) -> None:
    assert cmp("in", item, container) is found
    assert cmp("not in", item, container) is (not found)
    assert call("contains", c(container), c(item)) is found


@pytest.mark.parametrize(
    ("item", "container", "message"),
    [
        (1, "abc", "cannot look for `int` in a `string`"),
        (1, {"1": 1}, "cannot look for `int` in a `object`"),
        ("a", 5, "`in` needs a list, string or object on the right, found `int`"),
        ("a", None, "`in` needs a list, string or object on the right, found `null`"),
    ],
)
def test_membership_errors(item: object, container: object, message: str) -> None:
    fails(Compare("in", c(item), c(container)), message)


# -- boolean operators ------------------------------------------------------------------------


def test_and_or_not() -> None:
    t, f = c(True), c(False)
    assert ev(BoolOp("and", (t, t, t))) is True
    assert ev(BoolOp("and", (t, f))) is False
    assert ev(BoolOp("or", (f, f, t))) is True
    assert ev(BoolOp("or", (f, f))) is False
    assert ev(Not(f)) is True


def test_short_circuit_skips_later_operands() -> None:
    bad = Compare("<", c(1), c("x"))
    assert ev(BoolOp("and", (c(False), bad))) is False
    assert ev(BoolOp("or", (c(True), bad))) is True


def test_operands_must_be_bool() -> None:
    fails(BoolOp("and", (c(True), c(1))), "`and` needs `bool` operands, found `int`")
    fails(BoolOp("or", (c(None), c(True))), "`or` needs `bool` operands, found `null`")
    fails(Not(c("x")), "`not` needs `bool` operands, found `string`")


# -- builtins ---------------------------------------------------------------------------------


def test_len() -> None:
    assert call("len", c("héllo")) == 5
    assert call("len", c([1, 2])) == 2
    assert call("len", c({"a": 1})) == 1
    fails(Call("len", (c(3),)), "`len` needs a string, list or object, found `int`")


def test_now_and_age() -> None:
    now = timestamp(NOW_US)
    assert call("now") == now == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    hour_ago = now - dt.timedelta(hours=1)
    assert call("age", c(hour_ago)) == Duration(H)
    assert call("age", c("2023-11-14T21:13:20Z")) == Duration(H)
    assert call("age", c("2023-11-14T22:13:20+01:00")) == Duration(H)
    assert call("age", c(1_700_000_000 - 90)) == Duration(90 * S)
    fails(Call("age", (c("yesterday"),)), "`yesterday` is not an RFC 3339 timestamp")
    fails(Call("age", (c(True),)), "`age` needs a timestamp, found `bool`")


def test_now_needs_the_time() -> None:
    with pytest.raises(EvaluationError, match="needs the current time"):
        evaluate(Call("now"), {})


@pytest.mark.parametrize(
    ("labels", "found"),
    [
        (["bug", "hold"], True),
        ("bug, hold", True),
        ("bugs,holdx", False),
        ([], False),
        (None, False),
    ],
)
def test_has_label(labels: object, found: bool) -> None:
    item = {} if labels is None else {"labels": labels}
    assert call("has_label", c("hold"), item=item) is found
    assert call("has_label", Path("other"), c("hold"), other=item) is found


def test_has_label_without_item_or_labels() -> None:
    assert call("has_label", c("x")) is False
    fails(
        Call("has_label", (c("x"),)),
        "labels must be a list or a string, found `int`",
        item={"labels": 3},
    )
    fails(Call("has_label", (c(1), c("x"))), "`has_label` needs an object, found `int`")


def test_string_functions() -> None:
    assert call("starts_with", c("feature/x"), c("feature/")) is True
    assert call("ends_with", c("a.py"), c(".rs")) is False
    assert call("lower", c("ÀB")) == "àb"
    assert call("upper", c("ab")) == "AB"
    fails(Call("upper", (c(1),)), "`upper` needs a `string`, found `int`")


def test_matches_uses_re_search() -> None:
    assert call("matches", c("test flaky here"), c("flak(y|ey)")) is True
    assert call("matches", c("abc"), c("^b")) is False
    fails(
        Call("matches", (c("x"), c("flaky("))),
        "invalid regex `flaky(`: missing ), unterminated subpattern",
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (3, "3"),
        (2.5, "2.5"),
        (Duration(90 * M), "1h30m"),
        (["a", 1], "a 1"),
        ({"a": [1]}, '{"a":[1]}'),
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
    ],
)
def test_str_uses_values_as_text(value: object, text: str) -> None:
    assert call("str", c(value)) == text


def test_conversions() -> None:
    assert call("int", c(" 42 ")) == 42
    assert call("int", c(2.9)) == 2
    assert call("int", c(7)) == 7
    assert call("float", c("2.5")) == 2.5
    assert call("float", c(2)) == 2.0
    assert call("duration", c("1h 30m")) == Duration(90 * M)
    assert call("duration", c(Duration(5))) == Duration(5)
    fails(Call("int", (c("x"),)), "cannot convert `string` value `x` to `int`")
    fails(Call("int", (c(True),)), "cannot convert `bool` value `True` to `int`")
    fails(Call("int", (c(math.inf),)), "cannot convert `float` value `inf` to `int`")
    fails(Call("float", (c([]),)), "cannot convert `list` value `[]` to `float`")
    fails(
        Call("duration", (c("5 minuts"),)), "cannot convert `string` value `5 minuts` to `duration`"
    )


def test_default() -> None:
    assert call("default", Path("missing"), c(3)) == 3
    assert call("default", c(0), c(3)) == 0
    assert call("default", c(False), c(True)) is False


def test_builtin_arity_is_checked_at_run_time_too() -> None:
    fails(Call("len", (c(1), c(2))), "`len` takes 1 argument(s), found 2")
    fails(Call("has_label", ()), "`has_label` takes 1 or 2 arguments, found 0")


def test_user_functions_go_through_call() -> None:
    seen: list[tuple[str, list[object]]] = []

    def user(name: str, args: list[object]) -> object:
        seen.append((name, args))
        return True

    node = Call("is_ready", (Path("a"), c(2)))
    assert evaluate(node, {"a": "x"}, user, NOW_US) is True
    assert seen == [("is_ready", ["x", 2])]
    with pytest.raises(EvaluationError, match="unknown function `is_ready`"):
        evaluate(node, {}, None, NOW_US)


# -- strings and placeholders -----------------------------------------------------------------


def test_concat_renders_values_as_text() -> None:
    node = Concat((c("id-"), Path("n"), c("/"), Path("missing"), Path("d")))
    assert ev(node, n=7, d=Duration(30 * S)) == "id-7/30s"


def test_filtered_placeholders_apply_filters() -> None:
    node = Filtered(Path("tag"), (Filter("default", ("latest",)), Filter("upper")))
    assert ev(node) == "LATEST"
    assert ev(node, tag="v1") == "V1"
    with pytest.raises(EvaluationError, match="first"):
        ev(Filtered(Path("xs"), (Filter("first"),)), xs=[])


# -- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("30s", 30 * S),
        ("1h30m", 90 * M),
        ("1h 30m", 90 * M),
        ("2 hours", 2 * H),
        ("7d", 7 * 24 * H),
        ("1w2d", 9 * 24 * H),
        ("500ms", 500),
        ("0s", 0),
        ("  1m  ", M),
    ],
)
def test_parse_duration_ms(text: str, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize("text", ["90", "5 minuts", "30s1m", "1.5h", "1M", "", "1h1h", "h"])
def test_parse_duration_ms_rejects(text: str) -> None:
    assert parse_duration_ms(text) is None


# -- properties and purity --------------------------------------------------------------------

numbers = st.one_of(
    st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32)
)


@settings(max_examples=150, deadline=None)
@given(numbers, numbers)
def test_number_comparisons_agree_with_python(a: float, b: float) -> None:
    assert cmp("<", a, b) is (a < b)
    assert cmp(">=", a, b) is (not a < b)
    assert cmp("==", a, b) is (a == b)
    assert cmp("==", a, b) is cmp("==", b, a)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3)),
    lambda kids: st.one_of(
        st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=2), kids, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(json_values, json_values)
def test_equality_is_symmetric_and_reflexive(a: object, b: object) -> None:
    assert cmp("==", a, a) is True
    assert cmp("==", a, b) is cmp("==", b, a)


def test_the_module_imports_only_the_standard_library_attrs_and_the_core() -> None:
    tree = ast.parse(FilePath(expr.__file__).read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    allowed = {"__future__", "datetime", "math", "re", "collections.abc", "typing", "attrs"}
    assert {m for m in modules if not m.startswith("ojlang.runtime.core.")} <= allowed


def test_conversion_errors_of_strings_and_other_values() -> None:
    fails(Call("float", (c("2.5x"),)), "cannot convert `string` value `2.5x` to `float`")
    fails(Call("duration", (c(3),)), "cannot convert `int` value `3` to `duration`")


def test_age_of_a_naive_timestamp_reads_it_as_utc() -> None:
    moment = dt.datetime(2023, 11, 14, 21, 13, 20)  # one hour before NOW_US, without a zone
    assert call("age", c(moment)) == Duration(H)
    assert call("age", c(moment.replace(tzinfo=UTC))) == Duration(H)


def test_type_of_names_values_the_language_does_not_know_any() -> None:
    assert expr.type_of(object()) == "any"
    assert expr.type_of({"a": 1}) == "object"
