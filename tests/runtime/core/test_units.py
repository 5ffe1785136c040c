"""Small pure pieces: ids, patterns, templates, tables, codec, graph helpers."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from core_kit import S, tpl

from ojlang.runtime.core import codec, ids, patterns, table, templates
from ojlang.runtime.core import effects as fx
from ojlang.runtime.core.events import Event
from ojlang.runtime.core.graph import (
    ChainWord,
    Filter,
    Graph,
    Piece,
    Settings,
    Template,
    chain,
    parse_simple_duration,
)


def test_seeded_ids_are_reproducible_and_sequential_ids_pad() -> None:
    a, b = ids.SeededIdGen("m", 7), ids.SeededIdGen("m", 7)
    assert [a.hex(6), a.hex(6)] == [b.hex(6), b.hex(6)]
    assert a.hex(4) != ids.SeededIdGen("m", 8).hex(4)
    seq = ids.SequentialIdGen("x")
    assert [seq.hex(4), seq.hex(4)] == ["x0001", "x0002"]


@pytest.mark.parametrize(
    "fn, args, expected",
    [
        (ids.run_id, ("build", "auth", 0), "build-auth"),
        (ids.run_id, ("build", "a b/c", 2), "build-a-b-c-3"),
        (ids.task_run_id, ("r", "plan", 1), "r.plan.1"),
        (ids.task_run_id, ("r", "merge", 1, 2), "r.merge.1.a3"),
        (ids.session_name, ("build-auth.plan.1", 1), "build-auth-plan-1"),
        (ids.session_name, ("build-auth.plan.1", 2), "build-auth-plan-1-g2"),
        (ids.claim_id, ("merges-1", 2), "merges-1~2"),
        (ids.effect_id, (1042, 3), "1042.3"),
        (ids.cron_tick_id, ("sweep", 12), "sweep-t12"),
    ],
)
def test_id_formats(fn: Any, args: tuple[Any, ...], expected: str) -> None:
    assert fn(*args) == expected


def test_long_session_names_keep_the_tail_and_a_hash() -> None:
    name = ids.session_name("x" * 70 + ".plan.1", 1)
    assert len(name) == 64 and name.startswith("x") and name[-9] == "-"


def test_escalation_ids_widen_on_collision() -> None:
    gen = ids.SequentialIdGen()
    assert ids.escalation_id(gen, set()) == "esc-0001"
    assert ids.escalation_id(ids.SequentialIdGen(), {"esc-0001"}) == "esc-000002"
    gen = ids.SequentialIdGen()
    assert ids.escalation_id(gen, {"esc-0001", "esc-000002"}) == "esc-00000003"
    assert ids.item_id("q", ids.SequentialIdGen()).startswith("q-")


@pytest.mark.parametrize(
    "pattern, name, subject, expected",
    [
        ("pipeline:*", "pipeline:failed", "", True),
        ("pipeline:*", "pipeline:failed:x", "", False),
        ("queue:**", "queue:item:added", "", True),
        ("queue:**", "queue", "", True),
        ("queue:**", "pipeline:failed", "", False),
        ("pipeline:complete@auth", "pipeline:complete", "auth", True),
        ("pipeline:complete@auth", "pipeline:complete", "auth2", False),
        ("build:queued", "build:queued:x", "", False),
        ("build:queued", "build", "", False),
        ("*:x@a*", "y:x", "abc", True),
    ],
)
def test_pattern_matching(pattern: str, name: str, subject: str, expected: bool) -> None:
    assert patterns.matches(pattern, Event(name, subject, 0, 0, {})) is expected


def test_pattern_placeholders() -> None:
    assert (
        patterns.render_pattern("pipeline:complete@{after}", {"after": "auth"})
        == "pipeline:complete@auth"
    )
    assert patterns.render_pattern("x:{n}", {"n": 3}) == "x:3"
    for scope in ({}, {"after": "a:b"}, {"after": True}):
        with pytest.raises(templates.RenderError):
            patterns.render_pattern("p@{after}", scope)
    assert patterns.first_segment("**") == "*" and patterns.first_segment("a:b") == "a"


def test_templates_escape_per_context_and_apply_filters() -> None:
    t = Template(
        (
            Piece("git commit -m "),
            Piece(path=("msg",), context="unquoted"),
            Piece(" "),
            Piece(path=("items", 0), filters=(Filter("upper"),), context="double"),
            Piece(" "),
            Piece(path=("gone",), filters=(Filter("default", ("d",)),)),
            Piece(" "),
            Piece(path=("x",), filters=(Filter("raw"),), context="unquoted"),
        )
    )
    scope = {"msg": "it's", "items": ["a$b"], "x": "$y"}
    assert templates.render_template(t, scope) == "git commit -m 'it'\\''s' A\\$B d $y"
    with pytest.raises(templates.RenderError):
        templates.render_template(tpl(("items", 5)), scope)
    with pytest.raises(templates.RenderError):
        templates.render_template(tpl(("msg", "field")), scope)
    assert templates.render_opt(None, scope, "dflt") == "dflt"
    assert templates.render_value(5, scope) == 5


def test_a_dash_heredoc_value_that_begins_a_body_line_may_not_begin_with_a_tab() -> None:
    def site(context: str) -> Piece:
        return Piece(path=("v",), context=context, delimiter="EOF", strip_tabs=True)

    for context in ("heredoc", "quoted_heredoc"):
        starts = Template((Piece("cat <<-EOF\n\t"), site(context), Piece("\nEOF")))
        inside = Template((Piece("cat <<-EOF\n\tk: "), site(context), Piece("\nEOF")))
        with pytest.raises(templates.RenderError, match="starts with a tab"):
            templates.render_template(starts, {"v": "\tx"})
        assert templates.render_template(starts, {"v": "x"}) == "cat <<-EOF\n\tx\nEOF"
        assert templates.render_template(inside, {"v": "\tx"}) == "cat <<-EOF\n\tk: \tx\nEOF"


@attrs.frozen
class _Derived:
    a: int
    b: int = attrs.field(init=False, default=7)


def test_the_codec_leaves_out_fields_that_are_not_init_arguments() -> None:
    assert codec.CONVERTER.structure({"a": 1, "b": 9}, _Derived) == _Derived(1)


def test_jinja_prompts_are_strict_and_cached() -> None:
    assert (
        templates.render_jinja(
            "Hi {{ name | slug }} {{ d | json }}", {"name": "A B", "d": {"k": 1}}
        )
        == 'Hi a-b {"k":1}'
    )
    with pytest.raises(templates.RenderError):
        templates.render_jinja("{{ missing }}", {})


def test_tables_and_chains() -> None:
    rows = (table.Transition("a", "go", "", "b", ""), table.Transition("*", "stop", "", "c", ""))
    assert table.accepts(rows, "a", "go") and table.accepts(rows, "z", "stop")
    assert not table.accepts(rows, "b", "go")
    assert table.rows_as_dicts(rows)[0]["to"] == "b"
    assert chain("nudge:3", "wait:1h30m", "escalate") == (
        ChainWord("nudge", 3),
        ChainWord("wait", 1, 90 * 60 * S),
        ChainWord("escalate"),
    )
    assert parse_simple_duration("500ms") == 500_000


def test_effects_and_graphs_round_trip() -> None:
    effects: list[fx.Effect] = [
        fx.Emit(Event("a:b", "s", 1, 2, {"k": [1, 2]})),
        fx.RunShell("phase", "echo", "/", {"A": "1"}, 1.5, fence=fx.Fence("L", 3)),
        fx.WriteFiles("/w", (fx.FileSpec("CLAUDE.md", "x"),)),
        fx.Reply("r", {"ok": True}),
    ]
    for e in effects:
        assert codec.effect_from_json(codec.effect_to_json(e)) == e
    g = Graph()
    assert codec.graph_from_json(codec.to_json(g)) == g
    assert len(g.content_hash()) == 32
    assert codec.decode_any({"__attrs__": "elsewhere:X", "a": 1}) == {
        "__attrs__": "elsewhere:X",
        "a": 1,
    }


def test_unknown_inputs_and_missing_graphs_are_value_errors() -> None:
    with pytest.raises(ValueError, match="unknown input"):
        codec.input_from_json('{"name": "cmd:nope", "payload": {}}')
    with pytest.raises(ValueError, match="no graph"):
        codec.input_from_json('{"name": "cmd:reload", "payload": {"graph_hash": "x"}}')


def test_an_unset_context_template_leaves_the_graph_hash_as_before() -> None:
    plain = Graph(settings=Settings())
    assert "context_template" not in codec.to_json(plain)
    with_context = Graph(settings=Settings(context_template="{{ id }}"))
    assert codec.graph_from_json(codec.to_json(with_context)) == with_context
    assert with_context.content_hash() != plain.content_hash()
