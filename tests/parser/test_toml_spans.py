"""Spans of the TOML tree (LANGUAGE.md §2.2) and string source maps (§2.3) on parsed input."""

from __future__ import annotations

from ojlang.parser.spans import Span, StringStyle
from ojlang.parser.toml import parse_toml
from ojlang.parser.tomltree import (
    ArrayOrigin,
    TableOrigin,
    TArray,
    TInteger,
    TomlDocument,
    TString,
    TTable,
    Value,
)

PATH = "runbooks/x.toml"


def parse(text: str) -> TomlDocument:
    return parse_toml(text, PATH)


def source(doc: TomlDocument, span: Span) -> str:
    """The text a span covers, cut from the raw UTF-8 bytes with its byte offsets."""
    return doc.source.encode("utf-8")[span.byte_start : span.byte_end].decode("utf-8")


def at(doc: TomlDocument, *path: str | int) -> Value:
    node: Value = doc.root
    for step in path:
        if isinstance(step, int):
            assert isinstance(node, TArray)
            node = node.items[step]
        else:
            assert isinstance(node, TTable)
            node = node.entries[step].value
    return node


def table(doc: TomlDocument, *path: str | int) -> TTable:
    node = at(doc, *path)
    assert isinstance(node, TTable)
    return node


def test_key_and_value_spans() -> None:
    doc = parse('name = "ship"\ncount = 42\n')
    entry = doc.root.entries["name"]
    assert entry.key.span == Span(PATH, 1, 1, 1, 5, 0, 4)
    assert entry.value.span == Span(PATH, 1, 8, 1, 14, 7, 13)
    assert source(doc, entry.value.span) == '"ship"'
    count = doc.root.entries["count"]
    assert count.key.span == Span(PATH, 2, 1, 2, 6, 14, 19)
    assert isinstance(count.value, TInteger)
    assert count.value.span == Span(PATH, 2, 9, 2, 11, 22, 24)


def test_each_part_of_a_dotted_key_has_its_own_span() -> None:
    doc = parse('a.b.c = 1\nx . "y z" . w = 2\n')
    inner = table(doc, "a", "b")
    assert source(doc, doc.root.entries["a"].key.span) == "a"
    assert source(doc, table(doc, "a").entries["b"].key.span) == "b"
    assert inner.entries["c"].key.span == Span(PATH, 1, 5, 1, 6, 4, 5)
    quoted = table(doc, "x").entries["y z"]
    assert source(doc, quoted.key.span) == '"y z"'
    assert quoted.key.span == Span(PATH, 2, 5, 2, 10, 14, 19)
    assert source(doc, table(doc, "x", "y z").entries["w"].key.span) == "w"


def test_tables_created_by_dotted_keys_span_the_key_prefix_that_names_them() -> None:
    doc = parse("a.b.c = 1\n")
    assert table(doc, "a").origin is TableOrigin.DOTTED
    assert source(doc, table(doc, "a").span) == "a"
    assert source(doc, table(doc, "a", "b").span) == "a.b"


def test_header_tables_span_their_header() -> None:
    doc = parse("[task.coder]\ntimeout = \"3h\"\n[ task . 'review' ]\nx = 1\n")
    coder = table(doc, "task", "coder")
    assert coder.origin is TableOrigin.HEADER
    assert coder.span == Span(PATH, 1, 1, 1, 13, 0, 12)
    assert source(doc, table(doc, "task", "review").span) == "[ task . 'review' ]"
    assert source(doc, table(doc, "task").entries["review"].key.span) == "'review'"


def test_implicit_tables_span_the_first_header_that_created_them() -> None:
    doc = parse("[a.b.c]\nx = 1\n[a.b.d]\ny = 2\n")
    implicit = table(doc, "a", "b")
    assert implicit.origin is TableOrigin.IMPLICIT
    assert source(doc, implicit.span) == "[a.b.c]"
    assert implicit.span.line == 1


def test_an_implicit_table_defined_later_takes_its_header() -> None:
    doc = parse("[a.b]\nx = 1\n[a]\ny = 2\n")
    defined = table(doc, "a")
    assert defined.origin is TableOrigin.HEADER
    assert defined.span == Span(PATH, 3, 1, 3, 4, 12, 15)
    assert doc.root.entries["a"].key.span == Span(PATH, 3, 2, 3, 3, 13, 14)


def test_array_of_tables_elements_span_their_headers() -> None:
    doc = parse(
        '[[strategy.land.attempt]]\nname = "ff"\n\n[[strategy.land.attempt]]\nname = "rebase"\n'
    )
    attempts = at(doc, "strategy", "land", "attempt")
    assert isinstance(attempts, TArray)
    assert attempts.origin is ArrayOrigin.TABLES
    first, second = attempts.items
    assert isinstance(first, TTable) and isinstance(second, TTable)
    assert first.origin is TableOrigin.ARRAY_ELEMENT
    assert first.span == Span(PATH, 1, 1, 1, 26, 0, 25)
    assert second.span.line == 4
    assert source(doc, second.span) == "[[strategy.land.attempt]]"


def test_inline_tables_and_arrays_span_their_brackets() -> None:
    text = (
        'defaults = { priority = 2, after = "x" }\n'
        'phase = [\n  { name = "init" },  # first\n  "b",\n]\n'
    )
    doc = parse(text)
    inline = table(doc, "defaults")
    assert inline.origin is TableOrigin.INLINE
    assert source(doc, inline.span) == '{ priority = 2, after = "x" }'
    assert source(doc, inline.entries["after"].key.span) == "after"
    array = at(doc, "phase")
    assert isinstance(array, TArray)
    assert array.span == Span(PATH, 2, 9, 5, 2, 49, 89)
    assert source(doc, array.span).startswith("[\n") and source(doc, array.span).endswith("\n]")
    assert source(doc, table(doc, "phase", 0).span) == '{ name = "init" }'
    assert source(doc, at(doc, "phase", 1).span) == '"b"'


def test_multi_line_strings_span_every_line_with_their_delimiters() -> None:
    doc = parse('run = """\nmake lint\nmake test\n"""\nafter = 1\n')
    run = at(doc, "run")
    assert isinstance(run, TString)
    assert run.style is StringStyle.ML_BASIC
    assert run.value == "make lint\nmake test\n"
    assert run.span == Span(PATH, 1, 7, 4, 4, 6, 33)
    assert at(doc, "after").span == Span(PATH, 5, 9, 5, 10, 42, 43)


def test_columns_count_code_points_and_tabs_as_one_bytes_count_bytes() -> None:
    doc = parse('k = "é"\n\tm = "日本"\n')
    assert at(doc, "k").span == Span(PATH, 1, 5, 1, 8, 4, 8)
    m = doc.root.entries["m"]
    assert m.key.span == Span(PATH, 2, 2, 2, 3, 10, 11)
    assert m.value.span == Span(PATH, 2, 6, 2, 10, 14, 22)
    assert source(doc, m.value.span) == '"日本"'


def test_crlf_files() -> None:
    doc = parse('a = """\r\none\r\ntwo"""\r\nb = 2\r\n')
    a = at(doc, "a")
    assert isinstance(a, TString)
    assert a.value == "one\ntwo"
    assert a.source_map.decoded == a.value
    assert a.span == Span(PATH, 1, 5, 3, 7, 4, 20)
    assert doc.root.entries["b"].key.span == Span(PATH, 4, 1, 4, 2, 22, 23)


def test_the_root_table_spans_the_whole_file() -> None:
    doc = parse("a = 1\nb = 2\n")
    assert doc.root.origin is TableOrigin.ROOT
    assert doc.root.span == Span(PATH, 1, 1, 3, 1, 0, 12)
    empty = parse("")
    assert empty.root.span == Span(PATH, 1, 1, 1, 1, 0, 0)
    assert empty.root.entries == {}


def test_comments_keep_text_span_and_whether_they_stand_alone() -> None:
    doc = parse("# head\nx = 1  # trailing\narr = [\n  1, # in array\n]\n  # indented\n#end")
    found = [(c.text, source(doc, c.span), c.own_line) for c in doc.comments]
    assert found == [
        (" head", "# head", True),
        (" trailing", "# trailing", False),
        (" in array", "# in array", False),
        (" indented", "# indented", True),
        ("end", "#end", True),
    ]
    assert doc.comments[1].span == Span(PATH, 2, 8, 2, 18, 14, 24)


def test_a_hash_inside_a_string_is_not_a_comment() -> None:
    doc = parse(
        'a = """\n# not a comment\n"""\nb = "# nor this" # but this\nc = [\n "#", # and this\n]\n'
    )
    assert [c.text for c in doc.comments] == [" but this", " and this"]


def test_a_bom_is_counted_in_byte_offsets_when_allowed() -> None:
    doc = parse_toml("\ufeffa = 1\n".encode(), PATH, allow_bom=True)
    assert doc.root.entries["a"].key.span == Span(PATH, 1, 1, 1, 2, 3, 4)


def test_source_maps_of_the_language_reference_examples() -> None:
    # LANGUAGE.md §2.3, parsed rather than built by hand.
    text = (
        'run = "echo \\"{name}\\"\\tdone"     # decoded: echo "{name}"<TAB>done\n'
        'cmd = """\n'
        "git fetch \\\n"
        '    origin {branch}"""\n'
    )
    doc = parse(text)
    run = at(doc, "run")
    assert isinstance(run, TString)
    assert run.value == 'echo "{name}"\tdone'
    name = run.source_map.span(6, 12)
    assert (name.line, name.col, name.end_line, name.end_col) == (1, 15, 1, 21)
    assert source(doc, name) == "{name}"
    quote = run.source_map.span(5, 6)
    assert source(doc, quote) == '\\"'
    cmd = at(doc, "cmd")
    assert isinstance(cmd, TString)
    assert cmd.value == "git fetch origin {branch}"
    branch = cmd.source_map.pos(17)
    assert (branch.line, branch.col) == (4, 12)
    origin = cmd.source_map.pos(10)
    assert (origin.line, origin.col) == (4, 5)
    end = cmd.source_map.span(len(cmd.value))
    assert source(doc, end) == '"""'


def test_literal_and_multi_line_literal_source_maps_are_one_to_one() -> None:
    doc = parse("a = 'C:\\path {x}'\nb = '''\nline {y}\n'''\n")
    a = at(doc, "a")
    assert isinstance(a, TString)
    assert source(doc, a.source_map.span(8, 11)) == "{x}"
    b = at(doc, "b")
    assert isinstance(b, TString)
    assert b.value == "line {y}\n"
    assert source(doc, b.source_map.span(5, 8)) == "{y}"
    assert b.source_map.pos(5).line == 3
