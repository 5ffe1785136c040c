"""Regex fast paths for common mini-language strings agree with the grammars exactly."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ojlang.parser import chains, durations, patterns
from ojlang.parser.mini import MiniSyntaxError


def _outcome(parse: Any, text: str) -> Any:
    try:
        return ("ok", parse(text))
    except MiniSyntaxError as err:
        return ("error", err.code, err.message, err.start, err.end, err.help)


def _duration_by_grammar(text: str) -> Any:
    return [durations._part(text, *raw) for raw in durations._grammar_parts(text)]


def _duration_fast(text: str) -> Any:
    return [
        durations._part(text, m[1], m.start(1), m.end(1), m[2], m.start(2), m.end(2))
        for m in durations._COMMON_PART.finditer(text)
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123 \thmsdayweksMx", min_size=1, max_size=14))
def test_durations(text: str) -> None:
    if durations._COMMON.fullmatch(text):
        assert _outcome(_duration_fast, text) == _outcome(_duration_by_grammar, text)


def _chain_by_grammar(text: str) -> Any:
    name, found = chains._grammar_word(text)
    return name, found and found[0]


def _chain_fast(text: str) -> Any:
    match = chains._COMMON.fullmatch(text)
    assert match is not None
    return match[1], match[2]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab_-9:3s \t.é", min_size=1, max_size=12))
def test_chain_words(text: str) -> None:
    if chains._COMMON.fullmatch(text):
        assert _outcome(_chain_fast, text) == _outcome(_chain_by_grammar, text)
    else:
        assert _outcome(_chain_by_grammar, text)[0] == "error"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab0_.-:*@{}/", min_size=1, max_size=14))
def test_patterns(text: str) -> None:
    if patterns._COMMON.fullmatch(text):
        assert _outcome(patterns._common, text) == _outcome(patterns._grammar, text)
