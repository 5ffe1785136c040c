"""Queue `order` (LANGUAGE.md §4.9): keys, directions, OJ417."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ojlang.parser.interpolation import Attr, Index, Key, Name, Path
from ojlang.parser.mini import MiniSyntaxError
from ojlang.parser.order import Order, OrderKey, parse_order
from ojlang.parser.spans import Pos, SourceMap, StringStyle


def keys(text: str) -> list[tuple[str, bool]]:
    return [(k.path.text(), k.descending) for k in parse_order(text).keys]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("priority", [("priority", False)]),
        ("priority DESC, created_at ASC", [("priority", True), ("created_at", False)]),
        ("meta.rank desc", [("meta.rank", True)]),
        ("a asc,b desc", [("a", False), ("b", True)]),
        (" a , b ", [("a", False), ("b", False)]),
        ("a\tDESC", [("a", True)]),
        ('tags[0], meta["x-y"] DESC', [("tags[0]", False), ('meta["x-y"]', True)]),
        ("a.b, a.c", [("a.b", False), ("a.c", False)]),
    ],
)
def test_valid(text: str, expected: list[tuple[str, bool]]) -> None:
    assert keys(text) == expected


def test_offsets() -> None:
    assert parse_order("priority DESC, meta.rank") == Order(
        (
            OrderKey(Path(Name("priority", 0, 8), (), 0, 8), True, 0, 13),
            OrderKey(Path(Name("meta", 15, 19), (Attr("rank", 20, 24),), 15, 24), False, 15, 24),
        )
    )
    (key,) = parse_order('x[1]["k"]').keys
    assert key.path.segments == (Index(1, 1, 4), Key("k", 4, 9))


def error(text: str) -> MiniSyntaxError:
    with pytest.raises(MiniSyntaxError) as info:
        parse_order(text)
    assert info.value.code == "OJ417"
    return info.value


@pytest.mark.parametrize(
    ("text", "message", "span", "help"),
    [
        (
            "priority DOWN",
            "invalid order `priority DOWN`",
            (9, 13),
            "a direction is `ASC` or `DESC`",
        ),
        (
            "priority Desc",
            "invalid order `priority Desc`",
            (9, 13),
            "a direction is `ASC` or `DESC`: write `DESC`",
        ),
        ("priority,", "invalid order `priority,`", (8, 9), "remove the comma"),
        ("priority , ", "invalid order `priority , `", (9, 10), "remove the comma"),
        ("", "invalid order ``", (0, 0), "write a field, e.g. `priority DESC`"),
        ("   ", "invalid order `   `", (0, 3), "write a field, e.g. `priority DESC`"),
        (
            "a DESC ASC",
            "invalid order `a DESC ASC`",
            (7, 10),
            "keys are fields with an optional `ASC` or `DESC`, separated by `,`",
        ),
        (
            ",a",
            "invalid order `,a`",
            (0, 1),
            "keys are fields with an optional `ASC` or `DESC`, separated by `,`",
        ),
        ("a,,b", "invalid order `a,,b`", (2, 3), None),
        ("a-b", "invalid order `a-b`", (1, 2), None),
        ("a.", "invalid order `a.`", (2, 2), None),
        (
            "priority, created_at, priority DESC",
            "invalid order `priority, created_at, priority DESC`: key `priority` appears twice",
            (22, 30),
            "remove one of them: later keys only break ties of earlier ones",
        ),
        (
            'm["a"], m.a',
            'invalid order `m["a"], m.a`: key `m.a` appears twice',
            (8, 11),
            None,
        ),
    ],
)
def test_invalid(text: str, message: str, span: tuple[int, int], help: str | None) -> None:
    err = error(text)
    assert (err.message, (err.start, err.end)) == (message, span)
    if help is not None:
        assert err.help == help


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)


@given(
    st.lists(
        st.tuples(NAMES, st.sampled_from(["", " ASC", " DESC", " asc", " desc"])),
        min_size=1,
        max_size=5,
        unique_by=lambda t: t[0],
    ),
    st.sampled_from([",", ", ", " ,", " , "]),
)
def test_round_trip(parts: list[tuple[str, str]], sep: str) -> None:
    text = sep.join(name + direction for name, direction in parts)
    assert keys(text) == [(name, direction.strip().lower() == "desc") for name, direction in parts]


def test_error_in_multiline_string_points_at_the_file() -> None:
    file_text = '[queue.bugs]\norder = """\npriority DESC, \\\n  created_at DOWN"""\n'
    raw = '"""\npriority DESC, \\\n  created_at DOWN"""'
    at = file_text.index(raw)
    sm = SourceMap("runbooks/bugs.toml", raw, Pos(2, 9, at), StringStyle.ML_BASIC)
    assert sm.decoded == "priority DESC, created_at DOWN"
    d = error(sm.decoded).to_diagnostic(sm)
    assert (d.span.line, d.span.col, d.span.end_line, d.span.end_col) == (4, 14, 4, 18)
    assert d.span.byte_start == file_text.index("DOWN")
    assert d.help == "a direction is `ASC` or `DESC`"
