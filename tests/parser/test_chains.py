"""Recovery and action chains (LANGUAGE.md §4.5): words, contexts, OJ407/OJ408/OJ409/OJ411."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ojlang.parser.chains import (
    CONTEXTS,
    ChainIssue,
    ChainWord,
    Mode,
    check_chain,
    parse_chain_word,
)
from ojlang.parser.durations import DurationError
from ojlang.parser.mini import MiniSyntaxError
from ojlang.parser.spans import Pos, SourceMap, StringStyle
from ojlang.validator.diagnostic import Severity


def check(words: list[str] | str, context: str, actions: tuple[str, ...] = ()) -> list[ChainIssue]:
    """Check a chain written as a TOML string (element None) or array (elements 0, 1, …)."""
    if isinstance(words, str):
        return check_chain([(words, None)], context, actions)
    return check_chain([(w, i) for i, w in enumerate(words)], context, actions)


def summary(issues: list[ChainIssue]) -> list[tuple[int | None, str, str, int, int]]:
    return [(i.element, i.code, i.error.message, i.error.start, i.error.end) for i in issues]


# -- words ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("escalate", ChainWord("escalate", None, None, 0, 8)),
        ("nudge:3", ChainWord("nudge", 3, None, 0, 7, 6, 7)),
        ("wait:30s", ChainWord("wait", None, 30_000, 0, 8, 5, 8)),
        ("wait:1h30m", ChainWord("wait", None, 5_400_000, 0, 10, 5, 10)),
        ("restart:0", ChainWord("restart", 0, None, 0, 9, 8, 9)),
        ("page-oncall", ChainWord("page-oncall", None, None, 0, 11)),
    ],
)
def test_parse_word(text: str, word: ChainWord) -> None:
    assert parse_chain_word(text) == word


@pytest.mark.parametrize(
    ("text", "code", "message", "span"),
    [
        (
            "nudge:often",
            "OJ407",
            "`nudge:often` is not a chain step: `often` is neither a count nor a duration",
            (6, 11),
        ),
        ("", "OJ407", "empty chain step", (0, 0)),
        ("nudge 3", "OJ407", "`nudge 3` is not a chain step", (5, 6)),
        ("nudge:", "OJ407", "`nudge:` is not a chain step", (6, 6)),
        ("a:1:2", "OJ407", "`a:1:2` is not a chain step", (3, 4)),
        (":3", "OJ407", "`:3` is not a chain step", (0, 1)),
        ("wait:5minuts", "OJ401", "invalid duration `5minuts`: unknown unit `minuts`", (6, 12)),
        ("wait:1.5h", "OJ401", "invalid duration `1.5h`: `1.5` is a fraction", (5, 8)),
        ("wait:0s", "OJ401", "invalid duration `0s`: zero is not allowed here", (5, 7)),
    ],
)
def test_parse_word_errors(text: str, code: str, message: str, span: tuple[int, int]) -> None:
    with pytest.raises(MiniSyntaxError) as info:
        parse_chain_word(text)
    err = info.value
    assert (err.code, err.message, (err.start, err.end)) == (code, message, span)


# -- the spec's examples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "context"),
    [
        ("escalate", "task.on_stuck"),
        (["nudge:3", "restart:2", "escalate"], "task.on_stuck"),
        ("wait:30s", "queue.on_exhaust"),
        (["release", "cleanup"], "lock.on_stale"),
        (["checkpoint", "escalate"], "task.on_timeout"),
        ("reclaim", "semaphore.on_orphan"),
        ("requeue", "semaphore.on_orphan_work"),
        ("exit", "worker.idle_action"),
        ("wait:5m", "worker.idle_action"),
        ("pause", "worker.on_unhealthy"),
        ("fail", "guard.on_timeout"),
        ("./cleanup.sh --all", "guard.on_timeout"),
        (["nudge:2", "escalate"], "watcher.response"),
        ("retry", "rules.then"),
        ("notify", "rules.else"),
        (["restart:99", "nudge:1"], "task.on_stuck"),
        (["checkpoint:2", "escalate"], "task.on_stuck"),
        (["escalate", "restart"], "task.on_timeout"),
    ],
)
def test_valid_chains(words: list[str] | str, context: str) -> None:
    assert check(words, context) == []


def test_misspelled_word() -> None:
    (issue,) = check("restrat", "task.on_stuck")
    assert summary([issue]) == [(None, "OJ407", "`restrat` is not valid in `on_stuck`", 0, 7)]
    assert issue.error.help == "a word with a similar name exists: `restart`"


def test_word_of_another_context_lists_the_allowed_words() -> None:
    (issue,) = check(["nudge:2", "release"], "task.on_stuck")
    assert summary([issue]) == [(1, "OJ407", "`release` is not valid in `on_stuck`", 0, 7)]
    assert issue.error.help == (
        "expected one of `nudge`, `restart`, `checkpoint`, `wait`, `escalate`, `fail`, "
        "`requeue`, `abandon`"
    )


def test_count_zero() -> None:
    (issue,) = check("restart:0", "task.on_stuck")
    assert summary([issue]) == [(None, "OJ408", "`restart:0` never restarts", 8, 9)]
    assert issue.error.help == "counts go from 1 to 99"
    assert summary(check(["nudge:0"], "task.on_stuck")) == [
        (0, "OJ408", "`nudge:0` never nudges", 6, 7)
    ]


def test_count_above_99() -> None:
    assert summary(check("nudge:100", "task.on_stuck")) == [
        (None, "OJ408", "count `100` of `nudge:100` is more than 99", 6, 9)
    ]


def test_nudge_often() -> None:
    assert [i.code for i in check("nudge:often", "task.on_stuck")] == ["OJ407"]


def test_steps_after_an_ending_word() -> None:
    (issue,) = check(["escalate", "restart"], "task.on_stuck")
    assert summary([issue]) == [(1, "OJ409", "`restart` after `escalate` never runs", 0, 7)]
    d = issue.to_diagnostic(SourceMap("r.toml", '"restart"', Pos(3, 20, 50), StringStyle.BASIC))
    assert d.severity is Severity.WARNING
    assert (d.span.line, d.span.col, d.span.end_col) == (3, 21, 28)


def test_one_unreachable_warning_counts_the_rest() -> None:
    (issue,) = check(["nudge", "fail", "restart", "nudge:2", "wait"], "task.on_stuck")
    assert summary([issue]) == [(2, "OJ409", "`restart` after `fail` never runs", 0, 7)]
    assert issue.error.notes == ("2 more steps after it never run",)


def test_counts_and_durations_only_where_they_mean_something() -> None:
    assert summary(check("escalate:2", "task.on_stuck")) == [
        (None, "OJ407", "`escalate:2` is not valid in `on_stuck`", 8, 10)
    ]
    assert summary(check("release:2", "lock.on_stale")) == [
        (None, "OJ407", "`release:2` is not valid in `on_stale`", 7, 9)
    ]
    (issue,) = check("nudge:5s", "task.on_stuck")
    assert summary([issue]) == [(None, "OJ407", "`nudge:5s` is not valid in `on_stuck`", 5, 8)]
    assert issue.error.help == "only `wait` takes a duration: write a count, e.g. `nudge:3`"
    (issue,) = check("wait:3", "task.on_stuck")
    assert isinstance(issue.error, DurationError)
    assert summary([issue]) == [(None, "OJ401", "invalid duration `3`: missing unit", 5, 6)]
    assert issue.error.help == "e.g. `wait:3s`"


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("restart:3", "worker.on_unhealthy"),
        ("exit:2", "worker.idle_action"),
        ("restart:2", "rules.then"),
        ("nudge:2", "rules.else"),
        ("restart:2", "task.on_timeout"),
    ],
)
def test_counts_only_in_ladders(text: str, context: str) -> None:
    """§4.5: a count is the uses of a ladder step before the cursor moves on; one-word and
    sequence contexts have no cursor, so every word there is written without one."""
    (issue,) = check(text, context)
    name, count = text.split(":")
    label = CONTEXTS[context].label
    assert summary([issue]) == [
        (None, "OJ407", f"`{text}` is not valid in `{label}`", len(name), len(text))
    ]
    assert issue.error.help is not None
    assert issue.error.help.endswith(f": write `{name}`")
    assert check(name, context) == []
    if name in ("nudge", "restart"):
        assert check([f"{name}:{count}"], "task.on_stuck") == []


def test_one_word_contexts_take_one_word() -> None:
    (issue,) = check(["dead", "wait"], "queue.on_exhaust")
    assert summary([issue]) == [(1, "OJ407", "`on_exhaust` takes one word, found 2", 0, 4)]


def test_action_names_are_words_where_actions_are_allowed() -> None:
    assert check(["page_oncall:2", "escalate"], "watcher.response", ("page_oncall",)) == []
    assert check("page_oncall", "rules.then", ("page_oncall",)) == []
    (issue,) = check("page_oncal", "rules.then", ("page_oncall",))
    assert issue.error.help == "a word with a similar name exists: `page_oncall`"
    (issue,) = check("page_oncall", "task.on_stuck", ("page_oncall",))
    assert issue.code == "OJ407"


def test_guard_on_timeout_warns_for_one_word_outside_the_vocabulary() -> None:
    (issue,) = check("escalte", "guard.on_timeout")
    assert summary([issue]) == [(None, "OJ411", "`escalte` will run as a shell command", 0, 7)]
    assert issue.error.help == "a word with a similar name exists: `escalate`"
    assert check("kill -9 $PID", "guard.on_timeout") == []
    assert summary(check("wait:0", "guard.on_timeout"))[0][1] == "OJ401"


def test_every_issue_names_its_element() -> None:
    issues = check(["restrat", "nudge:0", "wait:3"], "task.on_stuck")
    assert [(i.element, i.code) for i in issues] == [(0, "OJ407"), (1, "OJ408"), (2, "OJ401")]


def test_contexts_table() -> None:
    assert CONTEXTS["task.on_stuck"].default == ("nudge:3", "restart:2", "escalate")
    assert CONTEXTS["task.on_timeout"].mode is Mode.SEQUENCE
    assert CONTEXTS["semaphore.on_orphan"].words == ("reclaim", "escalate", "wait")
    assert CONTEXTS["guard.on_timeout"].mode is Mode.ONE_WORD_OR_SHELL
    assert CONTEXTS["watcher.response"].actions and CONTEXTS["rules.else"].actions
    assert not CONTEXTS["lock.on_stale"].actions
    for ctx in CONTEXTS.values():
        if ctx.default is not None:
            assert check(list(ctx.default), ctx.key) == [], ctx.key


def test_error_in_a_multiline_array_element_points_at_the_file() -> None:
    file_text = (
        "[task.coder]\n"
        'on_stuck = [\n  "nudge:3",\n  """\n  restart:\\\n     0""",\n  "escalate",\n]\n'
    )
    raw = '"""\n  restart:\\\n     0"""'
    at = file_text.index(raw)
    sm = SourceMap("runbooks/x.toml", raw, Pos(4, 3, at), StringStyle.ML_BASIC)
    assert sm.decoded == "  restart:0"
    issues = check(["nudge:3", sm.decoded, "escalate"], "task.on_stuck")
    assert summary(issues) == [(1, "OJ407", "`  restart:0` is not a chain step", 0, 1)]
    issues = check(["nudge:3", sm.decoded.strip(), "escalate"], "task.on_stuck")
    (issue,) = issues
    assert issue.element == 1 and issue.code == "OJ408"
    d = issue.to_diagnostic(sm, offset=2)  # the caller stripped two leading spaces
    assert (d.span.line, d.span.col, d.span.end_line, d.span.end_col) == (6, 6, 6, 7)
    assert d.span.byte_start == file_text.index('0"""')
    assert d.message == "`restart:0` never restarts"


@given(st.sampled_from(sorted(CONTEXTS)), st.lists(st.text(max_size=12), max_size=4))
def test_check_never_raises(context: str, words: list[str]) -> None:
    for issue in check(words, context):
        assert issue.element is not None and 0 <= issue.element < len(words)
        assert 0 <= issue.error.start <= issue.error.end <= len(words[issue.element])
