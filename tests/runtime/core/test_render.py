"""The renderer (LANGUAGE.md §4.1.2-§4.1.4): values as text, filters, shell escaping."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ojlang.runtime.core.render import (
    MISSING,
    RenderError,
    ShellContext,
    apply_filter,
    shell_escape,
    value_text,
)

C = ShellContext


@attrs.frozen
class Dur:
    ms: int


# -- values as text (§4.1.3) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("it's", "it's"),
        ("", ""),
        (42, "42"),
        (-7, "-7"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        (1.0, "1.0"),
        (1e16, "10000000000000000.0"),
        (1.5e-7, "0.00000015"),
        (True, "true"),
        (False, "false"),
        (None, ""),
        (Dur(5_400_000), "1h30m"),
        (Dur(500), "500ms"),
        (Dur(0), "0s"),
        (dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2025-01-02T03:04:05Z"),
        (dt.datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05Z"),
        (
            dt.datetime(2025, 1, 2, 3, 4, 5, 120, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2025-01-02T01:04:05.000120Z",
        ),
        (["a b", 1, True, None], "a b 1 true "),
        ((), ""),
        ({"a": [1, "é"], "b": None}, '{"a":[1,"é"],"b":null}'),
        ({"d": Dur(60_000)}, '{"d":"1m"}'),
    ],
)
def test_value_text(value: object, text: str) -> None:
    assert value_text(value) == text


def test_value_text_rejects_missing_and_unknown_types() -> None:
    with pytest.raises(RenderError, match="missing"):
        value_text(MISSING)
    with pytest.raises(RenderError, match="cannot render a value of type `object`"):
        value_text(object())
    with pytest.raises(RenderError, match="cannot write JSON"):
        value_text({"x": float("nan")})


# -- shell escaping (§4.1.4): one test per row -------------------------------------------------


def test_unquoted_is_one_single_quoted_word() -> None:
    assert shell_escape("it's done", C.UNQUOTED) == "'it'\\''s done'"
    assert shell_escape("", C.UNQUOTED) == "''"
    assert shell_escape(None, C.UNQUOTED) == "''"
    assert shell_escape(3, C.UNQUOTED) == "'3'"
    assert shell_escape("$(rm -rf ~)", C.UNQUOTED) == "'$(rm -rf ~)'"


def test_unquoted_list_becomes_separate_words() -> None:
    assert shell_escape(["a b", "c"], C.UNQUOTED) == "'a b' 'c'"
    assert shell_escape(["it's", ""], C.UNQUOTED) == "'it'\\''s' ''"
    assert shell_escape([], C.UNQUOTED) == ""


def test_double_quotes_escape_backslash_quote_dollar_backtick() -> None:
    assert shell_escape("$(rm -rf ~)", C.DOUBLE) == "\\$(rm -rf ~)"
    assert shell_escape('a\\b"c`d$e', C.DOUBLE) == 'a\\\\b\\"c\\`d\\$e'
    assert shell_escape("it's", C.DOUBLE) == "it's"
    assert shell_escape(["a b", "c"], C.DOUBLE) == "a b c"


def test_single_quotes_close_escape_reopen() -> None:
    # run = "grep -q '^{tag}$' tags.txt" with tag = a'b
    assert "grep -q '^" + shell_escape("a'b", C.SINGLE) + "$' tags.txt" == (
        "grep -q '^a'\\''b$' tags.txt"
    )
    assert shell_escape("$x \\ `y`", C.SINGLE) == "$x \\ `y`"


def test_dollar_single_escapes_backslash_and_quote() -> None:
    assert shell_escape("a\\b'c", C.DOLLAR_SINGLE) == "a\\\\b\\'c"
    assert shell_escape("$x\n", C.DOLLAR_SINGLE) == "$x\n"


def test_unquoted_heredoc_escapes_backslash_dollar_backtick() -> None:
    assert shell_escape('a\\b$c`d"e', C.HEREDOC) == 'a\\\\b\\$c\\`d"e'


def test_quoted_heredoc_is_verbatim() -> None:
    assert shell_escape("$x `y` \\z", C.QUOTED_HEREDOC, delimiter="EOF") == "$x `y` \\z"


@pytest.mark.parametrize("context", [C.HEREDOC, C.QUOTED_HEREDOC])
@pytest.mark.parametrize("value", ["a\nEOF\nb", "EOF", "x\n\tEOF"])
def test_heredoc_value_with_the_delimiter_line_is_an_error(
    context: ShellContext, value: str
) -> None:
    with pytest.raises(RenderError) as info:
        shell_escape(value, context, delimiter="EOF")
    assert info.value.message == "the value has a line `EOF`, which would end the heredoc early"
    # A longer line is fine.
    assert shell_escape("EOFX\nxEOF", context, delimiter="EOF")


@pytest.mark.parametrize("context", [C.HEREDOC, C.QUOTED_HEREDOC])
def test_a_value_line_that_a_dash_heredoc_would_strip_is_an_error(context: ShellContext) -> None:
    for value, line_start in (("a\n\tb", False), ("\tb", True)):
        with pytest.raises(RenderError, match="starts with a tab, which the `<<-` heredoc"):
            shell_escape(value, context, delimiter="EOF", strip_tabs=True, line_start=line_start)
    # Inside a line a tab stays; a `<<` heredoc keeps every tab.
    assert shell_escape("\ta\tb", context, delimiter="EOF", strip_tabs=True) == "\ta\tb"
    assert shell_escape("a\n\tb", context, delimiter="EOF") == "a\n\tb"


def test_arithmetic_needs_an_integer() -> None:
    assert shell_escape(42, C.ARITHMETIC) == "42"
    assert shell_escape("-7", C.ARITHMETIC) == "-7"
    for bad in ("1+1", "1.5", "", "x", True, "4; rm -rf ~", "1\n"):
        with pytest.raises(RenderError, match="is not an integer"):
            shell_escape(bad, C.ARITHMETIC)


def test_comment_replaces_newlines() -> None:
    assert shell_escape("a\nb\r\nc\rd", C.COMMENT) == "a b c d"
    assert shell_escape("$x 'y'", C.COMMENT) == "$x 'y'"


def test_raw_is_verbatim_in_any_context() -> None:
    assert shell_escape("a'b $(c)", C.RAW) == "a'b $(c)"
    assert shell_escape(["a b", "c"], C.RAW) == "a b c"


def test_nul_is_refused() -> None:
    for context in (C.UNQUOTED, C.DOUBLE, C.SINGLE, C.HEREDOC):
        with pytest.raises(RenderError, match="NUL"):
            shell_escape("a\x00b", context)
    with pytest.raises(RenderError, match="NUL"):
        shell_escape(["ok", "a\x00"], C.UNQUOTED)


# -- the security property: bash reads back exactly the value ----------------------------------

BASH = shutil.which("bash")
SHELL_CHARS = st.sampled_from([*list("'\"$`\\!*?[](){}<>|&;#~ \t\n\r%-=^,"), "$(", "${", "EOF"])
VALUE = st.lists(
    st.one_of(SHELL_CHARS, st.characters(codec="utf-8", exclude_characters="\x00")),
    max_size=30,
).map("".join)


def bash(script: str) -> str:
    assert BASH is not None
    out = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", script],
        capture_output=True,
        check=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
        timeout=10,
    )
    return out.stdout.decode("utf-8")


@pytest.mark.skipif(BASH is None, reason="bash is required")
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUE)
def test_bash_prints_the_value_back_in_every_quoting_context(value: str) -> None:
    assume("EOF" not in value.splitlines() and "\tEOF" not in value.splitlines())
    script = "".join(
        [
            "printf '<%s>' " + shell_escape(value, C.UNQUOTED) + "\n",
            "printf '<%s>' \"" + shell_escape(value, C.DOUBLE) + '"\n',
            "printf '<%s>' '" + shell_escape(value, C.SINGLE) + "'\n",
            "printf '<%s>' $'" + shell_escape(value, C.DOLLAR_SINGLE) + "'\n",
            "printf '<%s>' x" + shell_escape(value, C.UNQUOTED) + "x\n",
            "cat <<EOF\n" + shell_escape(value, C.HEREDOC, delimiter="EOF") + "\nEOF\n",
            "cat <<'EOF'\n" + shell_escape(value, C.QUOTED_HEREDOC, delimiter="EOF") + "\nEOF\n",
        ]
    )
    expected = f"<{value}>" * 4 + f"<x{value}x>" + f"{value}\n" * 2
    assert bash(script) == expected


@pytest.mark.skipif(BASH is None, reason="bash is required")
@settings(max_examples=40, deadline=None)
@given(st.lists(VALUE, max_size=4))
def test_bash_sees_each_list_element_as_one_word(words: list[str]) -> None:
    script = "printf '<%s>' " + shell_escape(words, C.UNQUOTED) + "; printf '|'"
    expected = "".join(f"<{w}>" for w in words) if words else "<>"
    assert bash(script) == expected + "|"


@pytest.mark.skipif(BASH is None, reason="bash is required")
@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_bash_arithmetic_reads_integers_back(n: int) -> None:
    assert bash("echo $(( " + shell_escape(n, C.ARITHMETIC) + " ))") == f"{n}\n"


@pytest.mark.skipif(BASH is None, reason="bash is required")
def test_spec_examples_run_safely() -> None:
    assert bash("echo git commit -m " + shell_escape("it's done", C.UNQUOTED)) == (
        "git commit -m it's done\n"
    )
    assert bash('echo "hi ' + shell_escape("$(rm -rf ~)", C.DOUBLE) + '"') == "hi $(rm -rf ~)\n"
    assert bash("printf '%s\\n' " + shell_escape(["a b", "c"], C.UNQUOTED)) == "a b\nc\n"


# -- filters (§4.1.2) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "args", "result"),
    [
        ("raw", "a'b", (), "a'b"),
        ("raw", [1], (), [1]),
        ("default", None, ("x",), "x"),
        ("default", MISSING, ("x",), "x"),
        ("default", "", ("x",), ""),
        ("default", 0, ("x",), 0),
        ("upper", "aBc", (), "ABC"),
        ("lower", "AbC", (), "abc"),
        ("trim", " \t a b \n", (), "a b"),
        ("replace", "a-b-c", ("-", "_"), "a_b_c"),
        ("slug", "Fix: Login (v2)!", (), "fix-login-v2"),
        ("slug", "--Été--", (), "t"),
        ("slug", "", (), ""),
        ("truncate", "abcdef", (3,), "abc"),
        ("truncate", "ab", (5,), "ab"),
        ("truncate", "ab", (0,), ""),
        ("basename", "/a/b/c.txt", (), "c.txt"),
        ("basename", "a/b/", (), ""),
        ("basename", "c", (), "c"),
        ("dirname", "/a/b/c.txt", (), "/a/b"),
        ("dirname", "c", (), ""),
        ("dirname", "/c", (), "/"),
        ("dirname", "a//b", (), "a"),
        ("join", ["a", 1, True], (), "a 1 true"),
        ("join", ["a", "b"], (",",), "a,b"),
        ("join", [], (",",), ""),
        ("first", [1, 2, 3], (), 1),
        ("last", [1, 2, 3], (), 3),
        ("length", "héllo", (), 5),
        ("length", [1, 2], (), 2),
        ("length", {"a": 1}, (), 1),
        ("json", {"a": [1, None]}, (), '{"a":[1,null]}'),
        ("json", "a", (), '"a"'),
        ("json", None, (), "null"),
    ],
)
def test_filters(name: str, value: object, args: tuple[object, ...], result: object) -> None:
    assert apply_filter(name, value, args) == result


@pytest.mark.parametrize(
    ("name", "value", "args", "message"),
    [
        ("first", [], (), "filter `first` needs a non-empty list"),
        ("last", (), (), "filter `last` needs a non-empty list"),
        ("upper", 3, (), "filter `upper` needs a string, found `int`"),
        ("slug", None, (), "filter `slug` needs a string, found `null`"),
        ("join", "abc", (), "filter `join` needs a list, found `string`"),
        ("join", ["a"], (1,), "filter `join` needs a string separator, found `int`"),
        ("length", 5, (), "filter `length` needs a string, list or object, found `int`"),
        ("truncate", "abc", (-1,), "filter `truncate` needs a count of at least 0, found `-1`"),
        ("truncate", "abc", ("2",), "filter `truncate` needs a count of at least 0, found `'2'`"),
        ("truncate", "abc", (), "filter `truncate` takes 1 argument, found 0"),
        ("upper", "a", (1,), "filter `upper` takes no arguments, found 1"),
        ("join", [], (1, 2), "filter `join` takes at most 1 argument, found 2"),
        ("replace", "a", ("", "b"), "filter `replace` cannot replace an empty string"),
        ("replace", "a", (1, "b"), "filter `replace` needs two string arguments"),
        ("uppercase", "a", (), "unknown filter `uppercase`"),
        ("upper", MISSING, (), "filter `upper` got a missing value"),
        ("json", object(), (), "cannot write a value of type `object` as JSON"),
    ],
)
def test_filter_errors(name: str, value: object, args: tuple[object, ...], message: str) -> None:
    with pytest.raises(RenderError) as info:
        apply_filter(name, value, args)
    assert info.value.message == message


@given(st.text(max_size=40))
def test_slug_is_clean(text: str) -> None:
    slug = apply_filter("slug", text)
    assert isinstance(slug, str)
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in slug)
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug


def test_every_filter_with_optional_arguments_has_at_most_one() -> None:
    """`_arity` words a range as `at most N`: a filter taking 1 to 2 arguments would need more."""
    from ojlang.runtime.core.render import FILTER_FUNCTIONS

    assert all(low == high or low == 0 for low, high, _ in FILTER_FUNCTIONS.values())


@pytest.mark.parametrize(
    "value, name",
    [
        (MISSING, "missing"),
        (True, "bool"),
        (1.5, "float"),
        (dt.datetime(2026, 1, 1), "timestamp"),
        ((1,), "list"),
        ({}, "object"),
        (Dur(5), "duration"),
        (object(), "object"),
    ],
)
def test_type_names(value: object, name: str) -> None:
    from ojlang.runtime.core.render import type_name

    assert type_name(value) == name


@pytest.mark.parametrize(
    "value, text", [(float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf")]
)
def test_float_text_of_special_values(value: float, text: str) -> None:
    from ojlang.runtime.core.render import float_text

    assert float_text(value) == text


def test_json_refuses_a_missing_value_inside_a_list() -> None:
    from ojlang.runtime.core.render import to_json

    with pytest.raises(RenderError) as info:
        to_json([1, MISSING])
    assert info.value.message == "the value is missing"


def test_backtick_escape_escapes_once_per_level() -> None:
    from ojlang.runtime.core.render import backtick_escape

    assert backtick_escape("a`$\\", 0) == "a`$\\"
    assert backtick_escape("a`$\\", 1) == "a\\`\\$\\\\"
    assert backtick_escape("`", 2) == "\\\\\\`"
