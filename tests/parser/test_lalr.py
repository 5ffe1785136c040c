"""The generated LALR parsers against lark itself: same trees, positions and errors."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ojlang.parser import lalr
from ojlang.parser.lalr_gen import GRAMMARS, compile_grammar

MINI = tuple(name for name in GRAMMARS if name != "toml")

# Texts each mini-language must treat exactly as lark does: valid ones and every error kind
# (a character no terminal matches, a terminal of another state, an early end).
CORPUS: dict[str, list[str]] = {
    "args": [
        "<stage> [-t/--tag <v>] [--force] [xs...]",
        "<a> <b...>",
        "--tag <v>",
        "[--tag <v>]",
        "-t/--tag",
        "<a",
        "<a>>",
        "[--x",
        "--tag <",
        "<a> $",
        "",
        "  <a>\n[b]  ",
        "-t/",
        "...",
    ],
    "chain": ["nudge", "nudge:3", "wait:30s", "retry:", ":3", "a b", "a:b:c", "", "é"],
    "duration": ["30s", "1h30m", "2 hours", " 5m ", "1.5h", "90", "h", "5m!", "", "1 2 3"],
    "expression": [
        "a == 1 and b != 'x'",
        "not (x in [1, 2, 3]) || y",
        "has_label('hold') && item.size > 0",
        "{item.tags | join(',')} == 'a'",
        "a == b == c",
        "1h30m > 5s",
        "1e5 < 2.5",
        "x.y[0]['k']",
        "f(,)",
        "a ==",
        "(a",
        "a $ b",
        "",
        "true or false or null",
        "-1",
        "{a | f(-1, 'x', true)}",
        '"multi\nline" == x',
    ],
    "interpolation": [
        "a",
        "a.b[0]['k']",
        'a | default("x") | upper',
        "a | truncate(10)",
        "a | f(1.5, -2, true, false, null)",
        "a |",
        "a[",
        "a | f(1,",
        "1a",
        "a.b.",
        "a | f(x)",
        "",
    ],
    "on_fail": [
        *("escalate", "fail", "retry", "retry:3", "retry:3:30s", "strategy:land", "next"),
        *("retry:", "strategy", "a:b", "", "1x", "escalate:now"),
    ],
    "order": [
        "priority DESC, created_at ASC",
        " a.b[0] , c ",
        "a DOWN",
        "a,",
        ",a",
        "a b c",
        "a['x'] asc",
        "",
    ],
    "pattern": [
        "pipeline:*",
        "queue:**",
        "pipeline:complete@{after}",
        "a:{x.y[0]}:b@main/*",
        "a::b",
        "a@",
        "{x",
        "a b",
        "",
        "@x",
        "a:{x}y@{z}w",
    ],
}

ALPHABETS = {
    "args": "<>[]/.-tag v xs\n",
    "chain": "nudge:3s x-",
    "duration": "0123 .5hms day",
    "expression": "ab_1.5 ()[]{}|,'\"=!<>&no in true",
    "interpolation": "ab_1.[]|() ,'\"-+e",
    "on_fail": "retryfailsc:3m x",
    "order": "ab_.[]0'\" ,DESC",
    "pattern": "ab:*@{}.[]0/'-",
}


@functools.cache
def reference(name: str) -> Any:
    return compile_grammar(name)


def _dump(node: Any) -> Any:
    """A tree as nested tuples with every position lark records."""
    if node is None:
        return None
    if hasattr(node, "children"):
        meta = node.meta
        where = None
        if not meta.empty:
            where = (meta.line, meta.column, meta.start_pos)
            where = (*where, meta.end_line, meta.end_column, meta.end_pos)
        return (str(node.data), where, tuple(_dump(c) for c in node.children))
    return (
        node.type,
        str(node),
        node.start_pos,
        node.line,
        node.column,
        node.end_line,
        node.end_column,
        node.end_pos,
    )


def _outcome(parse: Any, text: str) -> Any:
    try:
        return ("ok", _dump(parse(text)))
    except Exception as exc:
        kind = type(exc).__name__
        if kind == "UnexpectedToken":
            token = exc.token  # type: ignore[attr-defined]
            return (kind, sorted(exc.expected), _dump(token))  # type: ignore[attr-defined]
        if kind == "UnexpectedCharacters":
            where = (exc.pos_in_stream, exc.line, exc.column)  # type: ignore[attr-defined]
            return (kind, sorted(exc.allowed), where)  # type: ignore[attr-defined]
        raise


def _same(name: str, text: str) -> None:
    ours = _outcome(lalr.parser(name).parse, text)
    theirs = _outcome(reference(name).parse, text)
    assert ours == theirs, text


@pytest.mark.parametrize(("name", "text"), [(name, text) for name in MINI for text in CORPUS[name]])
def test_corpus_parses_as_lark_parses(name: str, text: str) -> None:
    _same(name, text)


@pytest.mark.parametrize("name", MINI)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_random_texts_parse_as_lark_parses(name: str, data: st.DataObject) -> None:
    text = data.draw(st.text(alphabet=st.sampled_from(ALPHABETS[name]), max_size=24))
    _same(name, text)


@pytest.mark.parametrize("text", ["<a> [-b/--bee <c...>] --force", "<a> $", "--x <"])
def test_lex_yields_the_tokens_lark_yields(text: str) -> None:
    def tokens(parser: Any) -> Any:
        out = []
        try:
            for token in parser.lex(text):
                out.append(_dump(token))
        except Exception as exc:
            out.append(type(exc).__name__)
        return out

    assert tokens(lalr.parser("args")) == tokens(reference("args"))


def test_tokens_and_trees_behave_like_larks() -> None:
    tree = lalr.parser("interpolation").parse("a.b | upper")
    path = tree.children[0]
    assert path.data == "path"
    name = path.children[0]
    assert name == "a" and name.type == "NAME" and isinstance(name, str)
    assert not name == lalr.Token("OTHER", "a")  # noqa: SIM201 - `!=` is str's, as in lark
    assert [str(t) for t in tree.scan_values(lambda v: isinstance(v, lalr.Token))] == [
        "a",
        "b",
        "upper",
    ]
    assert [t.data for t in tree.iter_subtrees()][-1] == "start"


# -- state scanners: the alternation's terminals tried one by one ---------------------------

SAMPLES = (
    'a = "x" # c\n[t.u]\nk = 1_000\n',
    "item.size > 0 and not has_label('hold') || x[\"k\"] != 2.5e3",
    "priority DESC, created_at ASC",
    "retry:2:30s nudge:3 strategy:land.x pipeline:*@auth-{x.y} **",
    "<stage> [-t/--tag <v>] [--force] [targets...] 5m 1h30m",
    "{name | raw} {{ x }} $HOME ${a:-b} 'q' \"w\" \\ \t\r\n é",
)


@pytest.mark.parametrize("name", GRAMMARS)
def test_one_by_one_matches_what_the_whole_alternation_matches(name: str) -> None:
    import importlib

    module = importlib.import_module(f"ojlang.parser.generated.{name}")
    for spec in module.LEXERS:
        source = spec[0]
        if source is None:
            continue
        parts = lalr.alternatives(source)
        assert parts is not None and "|".join(parts) == source
        whole = lalr.compile_whole(source)
        one = lalr.Scanner(spec).match
        for text in SAMPLES:
            for pos in range(len(text) + 1):
                a, b = whole(text, pos), one(text, pos)
                assert (a and (a.lastgroup, a.end())) == (b and (b.lastgroup, b.end())), (
                    source,
                    text,
                    pos,
                )


def test_alternatives_declines_what_is_not_a_named_alternation() -> None:
    assert lalr.alternatives("(?P<A>a)|(?P<B>[|)]b)") == ["(?P<A>a)", "(?P<B>[|)]b)"]
    assert lalr.alternatives("(?P<A>a)|b") is None
    assert lalr.alternatives("(?P<A>(a)") is None
    assert lalr.alternatives(r"(?P<A>\))|(?P<B>[]|])") == [r"(?P<A>\))", "(?P<B>[]|])"]
