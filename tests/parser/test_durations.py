"""Durations (LANGUAGE.md §4.3): values, OJ401 messages and spans, canonical text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ojlang.parser.durations import (
    UNIT_MS,
    UNITS,
    DurationError,
    DurationPart,
    format_duration,
    parse_duration,
)
from ojlang.parser.spans import Pos, SourceMap, StringStyle
from ojlang.runtime.core.render import duration_text

S, M, H, D, W = 1000, 60_000, 3_600_000, 86_400_000, 604_800_000


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("30s", 30 * S),
        ("1h30m", H + 30 * M),
        ("1h 30m", H + 30 * M),
        ("2 hours", 2 * H),
        ("7d", 7 * D),
        ("500ms", 500),
        ("1w2d", W + 2 * D),
        ("1 h", H),
        (" 5m ", 5 * M),
        ("\t5m", 5 * M),
        ("1wk 1day 1hr 1min 1sec 1msec", W + D + H + M + S + 1),
        ("2weeks 3days 4hours 5minutes 6seconds 7ms", 2 * W + 3 * D + 4 * H + 5 * M + 6 * S + 7),
        ("10mins 5secs", 10 * M + 5 * S),
        ("1hrs", H),
        ("007s", 7 * S),
    ],
)
def test_valid(text: str, ms: int) -> None:
    assert parse_duration(text).ms == ms


def test_parts_and_offsets() -> None:
    d = parse_duration(" 1h 30 minutes")
    assert d.parts == (DurationPart(1, "h", 1, 3), DurationPart(30, "m", 4, 14))
    assert (d.start, d.end) == (1, 14)


def error(text: str, **kw: bool) -> DurationError:
    with pytest.raises(DurationError) as info:
        parse_duration(text, **kw)
    assert info.value.code == "OJ401"
    return info.value


@pytest.mark.parametrize(
    ("text", "message", "span", "help"),
    [
        ("90", "invalid duration `90`: missing unit", (0, 2), 'e.g. `"90s"`'),
        (
            "5 minuts",
            "invalid duration `5 minuts`: unknown unit `minuts`",
            (2, 8),
            "a unit with a similar name exists: `minutes`",
        ),
        (
            "30s1m",
            "invalid duration `30s1m`: units must go from largest to smallest",
            (3, 5),
            "write `1m30s`",
        ),
        (
            "1.5h",
            "invalid duration `1.5h`: `1.5` is a fraction",
            (0, 3),
            "durations use whole numbers: write `1h30m`",
        ),
        (
            "1M",
            "invalid duration `1M`: unknown unit `M`",
            (1, 2),
            "months are not supported: use `d` or `w`, e.g. `30d`",
        ),
        (
            "2 months",
            "invalid duration `2 months`: unknown unit `months`",
            (2, 8),
            "months are not supported: use `d` or `w`, e.g. `30d`",
        ),
        (
            "1h 2h",
            "invalid duration `1h 2h`: unit `h` appears twice",
            (3, 5),
            "add the parts up: write `3h`",
        ),
        (
            "1hour 5 hours",
            "invalid duration `1hour 5 hours`: unit `h` appears twice",
            (6, 13),
            "add the parts up: write `6h`",
        ),
        ("1H", "invalid duration `1H`: unknown unit `H`", (1, 2), "units are lowercase: write `h`"),
        (
            "3 jiffies",
            "invalid duration `3 jiffies`: unknown unit `jiffies`",
            (2, 9),
            "units are `ms`, `s`, `m`, `h`, `d` and `w` (or their long names)",
        ),
        ("-5s", "invalid duration `-5s`: unexpected `-`", (0, 1), None),
        ("s", "invalid duration `s`: expected a number before `s`", (0, 1), None),
        ("5s!", "invalid duration `5s!`: unexpected `!`", (2, 3), None),
        ("1,5h", "invalid duration `1,5h`: unexpected `,`", (1, 2), None),
        ("", "invalid duration ``: expected a number and a unit", (0, 0), 'write e.g. `"30s"`'),
        ("  ", "invalid duration `  `: expected a number and a unit", (0, 2), 'write e.g. `"30s"`'),
        ("3 0m", "invalid duration `3 0m`: missing unit", (0, 1), 'e.g. `"3s"`'),
    ],
)
def test_invalid(text: str, message: str, span: tuple[int, int], help: str | None) -> None:
    err = error(text)
    assert err.message == message
    assert (err.start, err.end) == span
    if help is not None:
        assert err.help == help


@pytest.mark.parametrize("text", ["0s", "0h0m", "0 ms"])
def test_zero_only_where_allowed(text: str) -> None:
    err = error(text)
    assert err.message == f"invalid duration `{text}`: zero is not allowed here"
    assert err.help == "only `delay`, `response.delay` and `retry:N:DUR` accept a zero duration"
    assert parse_duration(text, allow_zero=True).ms == 0


def test_fraction_without_exact_rewrite() -> None:
    err = error("1.1234ms")
    assert err.help is not None and "smaller unit" in err.help
    assert error("2.5").reason == "`2.5` is a fraction"


def test_first_problem_in_text_order_wins() -> None:
    assert error("5 minuts 1.5h").reason == "unknown unit `minuts`"
    assert error("1.5h 5 minuts").reason == "`1.5` is a fraction"


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "0s"), (500, "500ms"), (H + 30 * M, "1h30m"), (14 * D, "14d"), (D + 1, "1d1ms")],
)
def test_format_duration(ms: int, text: str) -> None:
    assert format_duration(ms) == text


def test_format_rejects_negative() -> None:
    with pytest.raises(ValueError):
        format_duration(-1)


@given(st.integers(min_value=1, max_value=10**13))
def test_format_parses_back(ms: int) -> None:
    assert parse_duration(format_duration(ms)).ms == ms


@given(st.integers(min_value=0, max_value=10**13))
def test_renderer_formats_like_the_parser(ms: int) -> None:
    assert duration_text(ms) == format_duration(ms)


SPELLINGS = {canon: sorted(k for k, v in UNITS.items() if v == canon) for canon in UNIT_MS}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(UNIT_MS)),
            st.integers(min_value=1, max_value=10**6),
            st.data(),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    ),
    st.sampled_from(["", " ", "\t"]),
)
def test_any_spelling_in_order_parses(
    parts: list[tuple[str, int, st.DataObject]], sep: str
) -> None:
    parts.sort(key=lambda t: list(UNIT_MS).index(t[0]))
    words = []
    for unit, value, data in parts:
        spelling = data.draw(st.sampled_from(SPELLINGS[unit]))
        gap = data.draw(st.sampled_from(["", " "]))
        words.append(f"{value}{gap}{spelling}")
    text = sep.join(words)
    assert parse_duration(text).ms == sum(UNIT_MS[u] * v for u, v, _ in parts)


def test_error_in_multiline_toml_string_points_at_the_file() -> None:
    file_text = '[task.x]\ntimeout = """\n  5 \\\n    minuts"""\n'
    raw = '"""\n  5 \\\n    minuts"""'
    at = file_text.index(raw)
    sm = SourceMap("runbooks/x.toml", raw, Pos(2, 11, at), StringStyle.ML_BASIC)
    assert sm.decoded == "  5 minuts"
    err = error(sm.decoded)
    assert (err.start, err.end) == (4, 10)
    d = err.to_diagnostic(sm)
    assert (d.span.line, d.span.col, d.span.end_line, d.span.end_col) == (4, 5, 4, 11)
    assert d.span.byte_start == file_text.index("minuts")
    assert d.span.byte_end == file_text.index("minuts") + len("minuts")
    assert d.code == "OJ401"
    assert d.help == "a unit with a similar name exists: `minutes`"
