"""`on_fail` values (LANGUAGE.md §4.6): variants, OJ410 and OJ408."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ojlang.parser.mini import MiniSyntaxError
from ojlang.parser.onfail import (
    Escalate,
    FailRun,
    OnFail,
    PhaseTarget,
    Retry,
    StrategyRef,
    parse_on_fail,
)
from ojlang.parser.spans import Pos, SourceMap, StringStyle


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("escalate", Escalate(start=0, end=8)),
        ("fail", FailRun(start=0, end=4)),
        ("retry", Retry(count=3, delay_ms=60_000, start=0, end=5)),
        ("retry:5", Retry(count=5, delay_ms=60_000, start=0, end=7)),
        ("retry:2:30s", Retry(count=2, delay_ms=30_000, start=0, end=11)),
        ("retry:1:0s", Retry(count=1, delay_ms=0, start=0, end=10)),
        ("retry:99:1h30m", Retry(count=99, delay_ms=5_400_000, start=0, end=14)),
        ("strategy:merge", StrategyRef(ref="merge", start=0, end=14, ref_start=9, ref_end=14)),
        (
            "strategy:common.strategy.merge",
            StrategyRef(ref="common.strategy.merge", start=0, end=30, ref_start=9, ref_end=30),
        ),
        ("strategy:fail", StrategyRef(ref="fail", start=0, end=13, ref_start=9, ref_end=13)),
        ("done", PhaseTarget(name="done", start=0, end=4)),
        ("failed", PhaseTarget(name="failed", start=0, end=6)),
        ("fix-tests", PhaseTarget(name="fix-tests", start=0, end=9)),
        ("verify_and_retry", PhaseTarget(name="verify_and_retry", start=0, end=16)),
        ("retry_tests", PhaseTarget(name="retry_tests", start=0, end=11)),
        ("escalated", PhaseTarget(name="escalated", start=0, end=9)),
        ("strategy_b", PhaseTarget(name="strategy_b", start=0, end=10)),
    ],
)
def test_valid(text: str, value: OnFail) -> None:
    assert parse_on_fail(text) == value


@pytest.mark.parametrize(
    ("text", "code", "message", "span", "help"),
    [
        (
            "retry:3:5",
            "OJ410",
            "invalid `on_fail` value `retry:3:5`",
            (8, 9),
            "a duration needs a unit, e.g. `retry:3:5s`",
        ),
        (
            "retry:3:5minuts",
            "OJ410",
            "invalid `on_fail` value `retry:3:5minuts`",
            (9, 15),
            "unknown unit `minuts`; a unit with a similar name exists: `minutes`",
        ),
        (
            "retry:30s",
            "OJ410",
            "invalid `on_fail` value `retry:30s`",
            (6, 9),
            "the first part is a count, the second the delay: e.g. `retry:3:30s`",
        ),
        (
            "retry:x",
            "OJ410",
            "invalid `on_fail` value `retry:x`",
            (6, 7),
            "the count is a whole number from 1 to 99, e.g. `retry:3`",
        ),
        (
            "retry:",
            "OJ410",
            "invalid `on_fail` value `retry:`",
            (6, 6),
            "write `retry`, `retry:N` or `retry:N:DUR`, e.g. `retry:3:30s`",
        ),
        (
            "retry:1:2s:3",
            "OJ410",
            "invalid `on_fail` value `retry:1:2s:3`",
            (10, 11),
            "write `retry`, `retry:N` or `retry:N:DUR`, e.g. `retry:3:30s`",
        ),
        (
            "retry:3:5 s",
            "OJ410",
            "invalid `on_fail` value `retry:3:5 s`",
            (9, 10),
            "write `retry`, `retry:N` or `retry:N:DUR`, e.g. `retry:3:30s`",
        ),
        (
            "strategy:",
            "OJ410",
            "invalid `on_fail` value `strategy:`",
            (9, 9),
            "write `strategy:NAME`, e.g. `strategy:merge`",
        ),
        (
            "strategy",
            "OJ410",
            "invalid `on_fail` value `strategy`",
            (8, 8),
            "write `strategy:NAME`, e.g. `strategy:merge`",
        ),
        ("retry:0", "OJ408", "`retry:0` never retries", (6, 7), "counts go from 1 to 99"),
        (
            "retry:100:5s",
            "OJ408",
            "count `100` of `retry:100:5s` is more than 99",
            (6, 9),
            "counts go from 1 to 99",
        ),
        (
            "escalate:2",
            "OJ410",
            "invalid `on_fail` value `escalate:2`",
            (8, 9),
            "write `escalate`, `fail`, `retry`, `retry:N`, `retry:N:DUR`, `strategy:NAME` "
            "or a phase",
        ),
        ("go to fix", "OJ410", "invalid `on_fail` value `go to fix`", (2, 3), None),
        ("", "OJ410", "invalid `on_fail` value ``", (0, 0), None),
        (" fail", "OJ410", "invalid `on_fail` value ` fail`", (0, 1), None),
    ],
)
def test_invalid(
    text: str, code: str, message: str, span: tuple[int, int], help: str | None
) -> None:
    with pytest.raises(MiniSyntaxError) as info:
        parse_on_fail(text)
    err = info.value
    assert (err.code, err.message, (err.start, err.end)) == (code, message, span)
    if help is not None:
        assert err.help == help


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=10**9))
def test_retry_round_trip(count: int, seconds: int) -> None:
    value = parse_on_fail(f"retry:{count}:{seconds}s")
    assert value == Retry(count=count, delay_ms=seconds * 1000, start=0, end=value.end)


@given(st.text(max_size=20))
def test_never_raises_anything_but_syntax_errors(text: str) -> None:
    try:
        value = parse_on_fail(text)
    except MiniSyntaxError as err:
        assert err.code in ("OJ410", "OJ408")
        assert 0 <= err.start <= err.end <= len(text)
    else:
        assert (value.start, value.end) == (0, len(text))


def test_error_in_multiline_string_points_at_the_file() -> None:
    file_text = '[[pipeline.ship.phase]]\nname = "test"\non_fail = """\nretry:3:\\\n  5"""\n'
    raw = '"""\nretry:3:\\\n  5"""'
    at = file_text.index(raw)
    sm = SourceMap("runbooks/ship.toml", raw, Pos(3, 11, at), StringStyle.ML_BASIC)
    assert sm.decoded == "retry:3:5"
    with pytest.raises(MiniSyntaxError) as info:
        parse_on_fail(sm.decoded)
    d = info.value.to_diagnostic(sm)
    assert d.code == "OJ410"
    assert d.message == "invalid `on_fail` value `retry:3:5`"
    assert (d.span.line, d.span.col, d.span.end_line, d.span.end_col) == (5, 3, 5, 4)
    assert d.span.byte_start == file_text.index('5"""')
    assert d.help == "a duration needs a unit, e.g. `retry:3:5s`"
