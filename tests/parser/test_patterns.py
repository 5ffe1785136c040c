"""Event patterns (LANGUAGE.md §4.7): parsing and OJ412/OJ413 (matching is the runtime's)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

from ojlang.parser.mini import MiniSyntaxError
from ojlang.parser.patterns import (
    BUILTIN_EVENT_NAMES,
    BUILTIN_EVENTS,
    RESERVED_SCOPES,
    Placeholder,
    Segment,
    Subject,
    check_pattern,
    never_matches_builtin,
    parse_pattern,
)
from ojlang.parser.spans import Pos, SourceMap, StringStyle
from ojlang.validator.render import render


def error(text: str) -> MiniSyntaxError:
    with pytest.raises(MiniSyntaxError) as info:
        parse_pattern(text)
    assert info.value.code == "OJ412"
    return info.value


# -- the §4.7 table, row by row ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "help"),
    [
        ("pipeline:failed:*", "use `pipeline:failed`"),
        ("pipeline:{after}:merged", "use `pipeline:{after}`"),
    ],
)
def test_reserved_patterns_that_match_no_builtin_event_are_oj413(text: str, help: str) -> None:
    pattern = parse_pattern(text)
    assert never_matches_builtin(pattern)
    (warning,) = check_pattern(pattern)
    assert warning.code == "OJ413"
    assert warning.message == f"pattern `{text}` matches no built-in event"
    assert (warning.start, warning.end) == (0, len(text))
    assert warning.help == help


@pytest.mark.parametrize(
    ("text", "message", "start", "end"),
    [
        ("**:x", "`**` must be the last segment", 0, 2),
        ("**:done", "`**` must be the last segment", 0, 2),
        ("a::b", "empty segment", 1, 3),
        ("a*:b", "`*` must be a whole segment", 1, 2),
    ],
)
def test_invalid_patterns_of_the_table_are_oj412(
    text: str, message: str, start: int, end: int
) -> None:
    err = error(text)
    assert err.message == f"invalid event pattern `{text}`: {message}"
    assert (err.start, err.end) == (start, end)


# -- parsing ----------------------------------------------------------------------------------


def test_segments_and_placeholders_keep_their_offsets() -> None:
    pattern = parse_pattern('merge:{x.y[0]}-done:*@run-{cfg["k"]}*')
    assert pattern.segments == (
        Segment("word", ("merge",), 0, 5),
        Segment("word", (Placeholder("x.y[0]", "x", 6, 14), "-done"), 6, 19),
        Segment("*", (), 20, 21),
    )
    assert pattern.subject == Subject(("run-", Placeholder('cfg["k"]', "cfg", 26, 36), "*"), 22, 37)
    assert [p.path for p in pattern.placeholders] == ["x.y[0]", 'cfg["k"]']
    assert (pattern.start, pattern.end) == (0, 37)


def test_a_lone_double_star_is_valid() -> None:
    assert parse_pattern("**").segments == (Segment("**", (), 0, 2),)


@pytest.mark.parametrize(
    ("text", "message", "start", "end"),
    [
        ("", "the pattern is empty", 0, 0),
        ("a:", "empty segment", 1, 2),
        (":a", "empty segment", 0, 1),
        ("*a:b", "`*` must be a whole segment", 0, 1),
        ("a:**b", "`**` must be a whole segment", 2, 4),
        ("a:b*", "`*` must be a whole segment", 3, 4),
        ("a@", "expected a subject after `@`", 1, 2),
        ("a@b:c", "`:` is not allowed in the subject", 3, 4),
        ("a b", "patterns have no spaces", 1, 2),
        ("a:{x|upper}", "a placeholder in a pattern takes no filters", 4, 5),
        ("a:{x", "unclosed `{`", 2, 4),
        ("a:{}", "expected a path inside `{}`", 2, 4),
        ("a:b!", "unexpected `!`", 3, 4),
        ("a@b@c", "unexpected `@`", 3, 4),
    ],
)
def test_syntax_errors(text: str, message: str, start: int, end: int) -> None:
    err = error(text)
    assert err.message == f"invalid event pattern `{text}`: {message}"
    assert (err.start, err.end) == (start, end)


# -- built-in events and OJ413 ----------------------------------------------------------------


def test_builtin_events_hold_the_spec_table() -> None:
    assert BUILTIN_EVENTS["queue"][:6] == (
        "item:added",
        "item:claimed",
        "item:complete",
        "item:failed",
        "item:released",
        "item:deadlettered",
    )
    assert "attempt:started" in BUILTIN_EVENTS["strategy"]
    assert "rollback:complete" in BUILTIN_EVENTS["strategy"]
    assert {"full", "orphaned"} <= set(BUILTIN_EVENTS["semaphore"])
    assert "full" not in BUILTIN_EVENTS["lock"]
    assert "pipeline:failed" in BUILTIN_EVENT_NAMES
    assert set(BUILTIN_EVENTS) == RESERVED_SCOPES
    assert len(RESERVED_SCOPES) == 16
    assert {"pipeline", "queue", "semaphore", "escalation", "daemon"} <= RESERVED_SCOPES


@pytest.mark.parametrize(
    "text",
    [
        "pipeline:failed",
        "pipeline:*",
        "pipeline:**",
        "queue:item:*",
        "queue:*:added",
        "strategy:attempt:failed",
        "*:failed",
        "**",
        "build:queued:x",
        "{scope}:x",
        "pipeline:{verb}",
        "pipeline:complete@{after}",
        "daemon:started",
        "queue:item:**",
    ],
)
def test_patterns_that_can_match(text: str) -> None:
    assert not never_matches_builtin(parse_pattern(text))
    assert check_pattern(parse_pattern(text)) == []


@pytest.mark.parametrize(
    ("text", "help"),
    [
        ("pipeline:faild", "an event with a similar name exists: `pipeline:failed`"),
        ("queue:added", "an event with a similar name exists: `queue:item:added`"),
        ("queue:item:added:*", "use `queue:item:added`"),
        ("daemon:zzz", None),
        ("lock:full", None),
        ("semaphore:ful", "an event with a similar name exists: `semaphore:full`"),
    ],
)
def test_more_patterns_that_never_match(text: str, help: str | None) -> None:
    (warning,) = check_pattern(parse_pattern(text))
    if help is not None:
        assert warning.help == help
    else:
        assert warning.help is not None
        assert warning.help.startswith(f"`{text.split(':')[0]}` events are ")


# -- properties -------------------------------------------------------------------------------

names = st.lists(st.from_regex(r"[A-Za-z0-9_.-]{1,6}", fullmatch=True), min_size=1, max_size=5)


@settings(max_examples=100, deadline=None)
@given(names)
def test_a_pattern_built_from_a_builtin_name_never_warns(parts: list[str]) -> None:
    for name in BUILTIN_EVENT_NAMES[:: max(1, len(parts))]:
        assert not never_matches_builtin(parse_pattern(name))


# -- source maps --------------------------------------------------------------------------------


def test_error_in_multiline_toml_string_points_at_the_file(snapshot: SnapshotAssertion) -> None:
    file_text = '[worker.w]\nwake_on = """\npipeline:\\\n    **:\\u0064one"""\n'
    raw = '"""\npipeline:\\\n    **:\\u0064one"""'
    at = file_text.index(raw)
    sm = SourceMap("runbooks/w.toml", raw, Pos(2, 11, at), StringStyle.ML_BASIC)
    assert sm.decoded == "pipeline:**:done"
    err = error(sm.decoded)
    assert err.message == "invalid event pattern `pipeline:**:done`: `**` must be the last segment"
    d = err.to_diagnostic(sm)
    assert (d.span.line, d.span.col, d.span.end_line, d.span.end_col) == (4, 5, 4, 7)
    assert file_text[d.span.byte_start : d.span.byte_end] == "**"
    out = render([d], "full", sources={"runbooks/w.toml": file_text}, runbooks=1).stdout
    assert out == snapshot


def test_oj413_in_multiline_string_covers_the_name() -> None:
    file_text = 'on = """\\\n  pipeline:failed:*@x"""\n'
    raw = file_text[len("on = ") : -1]
    sm = SourceMap("r.toml", raw, Pos(1, 6, 5), StringStyle.ML_BASIC)
    assert sm.decoded == "pipeline:failed:*@x"
    (warning,) = check_pattern(parse_pattern(sm.decoded))
    d = warning.to_diagnostic(sm)
    assert (d.span.line, d.span.col, d.span.end_col) == (2, 3, 20)
    assert file_text[d.span.byte_start : d.span.byte_end] == "pipeline:failed:*"
