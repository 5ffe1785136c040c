"""Jinja texts: token columns, the cached analysis of variables, and spans in files."""

from __future__ import annotations

from pathlib import Path

from ojlang.validator.jinja_source import Source, analyse


def test_analysis_lists_roots_with_lines_chains_and_loads() -> None:
    text = (
        "{{ goal }}\n"
        "{% for f in files %}{{ f.name }}{{ config.db.host }}{% endfor %}\n"
        "{{ config.items() }}{{ item['title'] }}{% include 'part.md' %}{{ goal }}\n"
    )
    analysis = analyse(text)
    assert analysis.error is None
    assert analysis.roots == {"goal": [1, 3], "files": [2], "config": [2, 3], "item": [3]}
    assert analysis.chains == [("config", ["db", "host"], 2), ("item", ["title"], 3)]
    assert analysis.loads == [("part.md", 3)]
    assert analyse(text) is analysis  # cached per text


def test_unknown_filters_do_not_hide_the_variables() -> None:
    analysis = analyse("{% if a %}{{ b | frob }}{% endif %}")
    assert analysis.error is None
    assert analysis.unknown == {"frob": 1}
    assert set(analysis.roots) == {"a", "b"}


def test_token_columns_survive_whitespace_control() -> None:
    source = Source("a {x}\n  {%- if y -%}\n {{ y }}\n{% endif %}", "prompt", Path("."))
    assert source.find(2, "if") is not None
    assert source.find(2, "y") is not None
    found = source.find(3, "y")
    assert found is not None and (found.line, found.col) == (3, 4)
    data = [t for t in source.tokens() if t.kind == "data"]
    assert (data[0].line, data[0].col, data[0].value) == (1, 0, "a {x}")


def test_file_spans_count_code_points_and_bytes() -> None:
    source = Source("é {{ x }}\r\nb {{ y }}\n", "prompt", Path("."), display="p.md")
    span = source.span(1, 5, 1)
    assert (span.file, span.line, span.col, span.end_col) == ("p.md", 1, 6, 7)
    assert (span.byte_start, span.byte_end) == (6, 7)
    second = source.span(2, 5, 1)
    assert (second.line, second.byte_start) == (2, len("é {{ x }}\r\n".encode()) + 5)
