"""Event patterns (LANGUAGE.md §4.7): parsing, OJ412/OJ413, rendering and matching."""

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
    Matcher,
    PatternIndex,
    PatternRenderError,
    Placeholder,
    Segment,
    Subject,
    check_pattern,
    compile_pattern,
    never_matches_builtin,
    parse_pattern,
)
from ojlang.parser.spans import Pos, SourceMap, StringStyle
from ojlang.validator.render import render


def matcher(text: str, **values: str) -> Matcher:
    return compile_pattern(parse_pattern(text), values)


def error(text: str) -> MiniSyntaxError:
    with pytest.raises(MiniSyntaxError) as info:
        parse_pattern(text)
    assert info.value.code == "OJ412"
    return info.value


# -- the §4.7 table, row by row ---------------------------------------------------------------


def test_star_matches_exactly_one_segment() -> None:
    m = matcher("pipeline:*")
    assert m.matches("pipeline:failed", "auth")
    assert not m.matches("pipeline:failed:x", "auth")
    assert not m.matches("queue:item:added", "builds")
    assert not m.matches("pipeline", "auth")


def test_double_star_matches_zero_or_more_segments() -> None:
    m = matcher("queue:**")
    assert m.matches("queue:item:added", "builds")
    assert m.matches("queue", "builds")
    assert not m.matches("pipeline:failed", "auth")


def test_subject_placeholder_renders_from_values() -> None:
    m = matcher("pipeline:complete@{after}", after="auth")
    assert m.matches("pipeline:complete", "auth")
    assert not m.matches("pipeline:complete", "auth2")
    assert not m.matches("pipeline:failed", "auth")


def test_custom_events_match_exactly() -> None:
    m = matcher("build:queued")
    assert m.matches("build:queued", "")
    assert not m.matches("build:queued:x", "")
    assert not m.matches("Build:queued", "")


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
    assert matcher("**").matches("anything:at:all", "x")


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


# -- rendering and matching -------------------------------------------------------------------


def test_placeholders_render_into_segments() -> None:
    m = matcher("merge:{kind}-landed@{cfg.name}", kind="fast", **{"cfg.name": "auth"})
    assert m == Matcher(("merge", "fast-landed"), False, m.subject)
    assert m.matches("merge:fast-landed", "auth")
    assert not m.matches("merge:slow-landed", "auth")


@pytest.mark.parametrize("value", ["a:b", "x@y", ":", "@"])
def test_a_rendered_value_with_colon_or_at_is_an_error(value: str) -> None:
    with pytest.raises(PatternRenderError, match="which contains"):
        matcher("pipeline:complete@{after}", after=value)
    with pytest.raises(PatternRenderError):
        matcher("build:{verb}", verb=value)


def test_a_missing_value_is_an_error() -> None:
    with pytest.raises(PatternRenderError, match=r"no value for `\{after\}`"):
        matcher("pipeline:complete@{after}")


def test_subject_globs() -> None:
    m = matcher("pipeline:failed@auth-*")
    assert m.matches("pipeline:failed", "auth-1")
    assert m.matches("pipeline:failed", "auth-")
    assert not m.matches("pipeline:failed", "xauth-1")
    assert matcher("a@*/prod").matches("a", "team/x/prod")
    assert matcher("a@*").matches("a", "")
    assert not matcher("a@x.y").matches("a", "xzy")


def test_a_rendered_star_is_literal() -> None:
    m = matcher("a@{who}", who="*")
    assert m.matches("a", "*")
    assert not m.matches("a", "bob")
    assert matcher("a:{v}", v="*").matches("a:*", "")
    assert not matcher("a:{v}", v="*").matches("a:b", "")


def test_index_returns_matches_in_insertion_order() -> None:
    index: PatternIndex[str] = PatternIndex()
    for key, text in [
        ("p1", "pipeline:failed"),
        ("any", "*:failed"),
        ("q", "queue:**"),
        ("p2", "pipeline:*@auth"),
        ("all", "**"),
    ]:
        index.add(matcher(text), key)
    assert len(index) == 5
    assert index.match("pipeline:failed", "auth") == ["p1", "any", "p2", "all"]
    assert index.match("pipeline:failed", "web") == ["p1", "any", "all"]
    assert index.match("queue:item:added", "q") == ["q", "all"]
    assert index.match("build:queued", "") == ["all"]


# -- properties -------------------------------------------------------------------------------

segment = st.from_regex(r"[A-Za-z0-9_.-]{1,6}", fullmatch=True)
names = st.lists(segment, min_size=1, max_size=5)
subjects = st.from_regex(r"[A-Za-z0-9_./-]{0,8}", fullmatch=True)  # no `*`: literal globs


@settings(max_examples=150, deadline=None)
@given(names, subjects, st.data())
def test_wildcards_only_widen_a_pattern(
    parts: list[str], subject: str, data: st.DataObject
) -> None:
    name = ":".join(parts)
    assert matcher(name).matches(name, subject)
    starred = [p if not data.draw(st.booleans()) else "*" for p in parts]
    assert matcher(":".join(starred)).matches(name, subject)
    keep = data.draw(st.integers(min_value=0, max_value=len(parts)))
    prefix = ":".join([*parts[:keep], "**"])
    assert matcher(prefix).matches(name, subject)
    longer = matcher(":".join([*starred, "*"]))
    assert not longer.matches(name, subject)
    if subject:
        assert matcher(f"{name}@{subject}").matches(name, subject)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(names, st.booleans(), st.booleans()), min_size=1, max_size=6),
    names,
    subjects,
)
def test_index_agrees_with_matching_one_by_one(
    specs: list[tuple[list[str], bool, bool]], parts: list[str], subject: str
) -> None:
    index: PatternIndex[int] = PatternIndex()
    matchers = []
    for i, (segs, star_first, rest) in enumerate(specs):
        segs = ["*", *segs[1:]] if star_first else segs
        text = ":".join([*segs, "**"] if rest else segs)
        m = matcher(text)
        matchers.append(m)
        index.add(m, i)
    name = ":".join(parts)
    assert index.match(name, subject) == [
        i for i, m in enumerate(matchers) if m.matches(name, subject)
    ]


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
