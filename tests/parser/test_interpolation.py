"""Template scanning (LANGUAGE.md §4.1.1): pieces, paths, filters and their offsets."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ojlang.parser import interpolation
from ojlang.parser.interpolation import (
    FILTERS,
    Attr,
    DoubleBrace,
    Filter,
    Index,
    Interp,
    Key,
    Literal,
    Malformed,
    Name,
    Path,
    Piece,
    Template,
    parse_interpolation,
    scan_template,
)
from ojlang.parser.mini import load_grammar
from ojlang.parser.spans import Pos, SourceMap, StringStyle
from ojlang.runtime.core.render import FILTER_FUNCTIONS


def kinds(text: str) -> list[tuple[str, str]]:
    """(kind, source text) of each piece."""
    return [(type(p).__name__, text[p.start : p.end]) for p in scan_template(text).pieces]


def only_interp(text: str) -> Interp:
    pieces = scan_template(text).pieces
    assert len(pieces) == 1 and isinstance(pieces[0], Interp), pieces
    return pieces[0]


# -- the §4.1.1 table -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["{name}", "{bug.id}", "{items[0]}", '{cfg["a-b"]}', '{tag | default("latest") | upper}'],
)
def test_interpolations(text: str) -> None:
    interp = only_interp(text)
    assert (interp.start, interp.end) == (0, len(text))


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        "{a,b}",
        "{1..3}",
        "{a-b}",
        '{"k": 1}',
        "xargs -I{} rm {}",
        "${name}",
        "${#list[@]}",
        "${x:-{y}}",
        "{ name",
        "{a\n}",
        "{a:b}",
        "{a.}",
        "{a[x]}",
        "{.a}",
        "{a..b}",
        "{9lives}",
    ],
)
def test_literals(text: str) -> None:
    assert kinds(text) == [("Literal", text)]


def test_double_brace_is_literal_with_inner_text() -> None:
    text = "docker ps --format '{{.Names}}'"
    assert kinds(text) == [
        ("Literal", "docker ps --format '"),
        ("DoubleBrace", "{{.Names}}"),
        ("Literal", "'"),
    ]
    assert scan_template("{{ var }}").pieces == (DoubleBrace("{{ var }}", " var ", 0, 9),)


def test_double_brace_ends_at_the_next_close_on_the_same_line() -> None:
    assert kinds("{{a}} {b}}") == [
        ("DoubleBrace", "{{a}}"),
        ("Literal", " "),
        ("Interp", "{b}"),
        ("Literal", "}"),
    ]
    # No `}}` on the line: the first `{` is literal and `{x}` still interpolates.
    assert kinds("{{x}\n}}") == [("Literal", "{"), ("Interp", "{x}"), ("Literal", "\n}}")]


def test_braces_around_an_interpolation() -> None:
    assert kinds('{"id": "{id}"}') == [
        ("Literal", '{"id": "'),
        ("Interp", "{id}"),
        ("Literal", '"}'),
    ]
    assert kinds("{ {x} }") == [("Literal", "{ "), ("Interp", "{x}"), ("Literal", " }")]


def test_unknown_filter_is_still_an_interpolation() -> None:
    interp = only_interp("{name | uppercase}")
    assert [f.name for f in interp.filters] == ["uppercase"]


def test_parameter_expansion_is_literal_across_lines() -> None:
    assert kinds("${a\n{b}}{c}") == [("Literal", "${a\n{b}}"), ("Interp", "{c}")]
    assert kinds("${x:-{y}} {z}") == [("Literal", "${x:-{y}} "), ("Interp", "{z}")]


def test_unmatched_parameter_expansion_keeps_scanning() -> None:
    assert kinds("${a {b}") == [("Literal", "${a "), ("Interp", "{b}")]


def test_matching_brace_must_be_on_the_same_line() -> None:
    assert kinds("a {b\n} {c}") == [("Literal", "a {b\n} "), ("Interp", "{c}")]


# -- malformed candidates (OJ313) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("{ name }", "name"),
        ("{name }", "name"),
        ("{ bug.id | upper }", "bug"),
        ("{name | upper(}", "name"),
        ("{name | upper(1 ,2)}", "name"),
        ("{name |}", "name"),
        ("{items[0] | join(}", "items"),
    ],
)
def test_malformed(text: str, root: str) -> None:
    assert scan_template(text).pieces == (Malformed(text, 0, len(text), root),)


def test_awk_program_is_malformed_only_with_a_lone_path() -> None:
    assert kinds("awk '{ print }'") == [
        ("Literal", "awk '"),
        ("Malformed", "{ print }"),
        ("Literal", "'"),
    ]
    assert kinds("awk '{print $1}'") == [("Literal", "awk '{print $1}'")]


def test_malformed_with_inner_braces_still_interpolates_inside() -> None:
    assert kinds("{name | default({x})}") == [
        ("Literal", "{name | default("),
        ("Interp", "{x}"),
        ("Literal", ")}"),
    ]


# -- paths and filters ---------------------------------------------------------------------------


def test_path_segments_and_offsets() -> None:
    text = 'run {bug.tags[2]["a-b"].x} now'
    interp = only_interp_at(text, 4)
    assert interp.path == Path(
        Name("bug", 5, 8),
        (Attr("tags", 9, 13), Index(2, 13, 16), Key("a-b", 16, 23), Attr("x", 24, 25)),
        5,
        25,
    )
    assert (interp.start, interp.end) == (4, 26)
    assert interp.path.text() == 'bug.tags[2]["a-b"].x'


def only_interp_at(text: str, start: int) -> Interp:
    found = [p for p in scan_template(text).pieces if isinstance(p, Interp)]
    assert len(found) == 1 and found[0].start == start
    return found[0]


def test_filters_args_and_offsets() -> None:
    text = '{tag | default("latest") | upper}'
    interp = only_interp(text)
    assert interp.filters == (
        Filter("default", ("latest",), 7, 24, ((15, 23),)),
        Filter("upper", (), 27, 32),
    )
    assert interp.filters[0].name_end == 14


@pytest.mark.parametrize(
    ("source", "args"),
    [
        ('f("a")', ("a",)),
        ("f('a b')", ("a b",)),
        (r'f("a\"b\\c\nd\te")', ('a"b\\c\nd\te',)),
        ("f(1)", (1,)),
        ("f(-2)", (-2,)),
        ("f(+3)", (3,)),
        ("f(1.5)", (1.5,)),
        ("f(1e3)", (1000.0,)),
        ("f(.5)", (0.5,)),
        ("f(true, false, null)", (True, False, None)),
        ("f( 1 )", (1,)),
        ("f(1,\t2)", (1, 2)),
        ("f()", ()),
        ("f", ()),
    ],
)
def test_filter_argument_values(source: str, args: tuple[object, ...]) -> None:
    interp = only_interp("{x | " + source + "}")
    assert interp.filters[0].args == args


def test_keywords_are_names_in_paths() -> None:
    interp = only_interp("{true.null | false}")
    assert interp.path.root.text == "true"
    assert interp.path.segments == (Attr("null", 6, 10),)
    assert interp.filters[0].name == "false"


def test_pipe_without_spaces_and_with_tabs() -> None:
    assert [f.name for f in only_interp("{a|b|c}").filters] == ["b", "c"]
    assert [f.name for f in only_interp("{a\t|\tb}").filters] == ["b"]


def test_code_point_offsets() -> None:
    interp = only_interp_at("é→{x}", 2)
    assert interp.path.root == Name("x", 3, 4)


def test_parse_interpolation_with_offset() -> None:
    found = parse_interpolation("a.b | upper", 10)
    assert found is not None
    path, filters = found
    assert path.root == Name("a", 10, 11)
    assert filters == (Filter("upper", (), 16, 21),)
    assert parse_interpolation(" a") is None
    assert parse_interpolation("a b") is None


def test_template_helpers() -> None:
    t = scan_template("a {b} {{c}}")
    assert [i.path.root.text for i in t.interps] == ["b"]
    assert not t.is_plain
    assert scan_template("echo ${HOME}").is_plain
    assert scan_template("") == Template("", ())


# -- properties ------------------------------------------------------------------------------------

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)


@given(st.lists(NAMES, min_size=1, max_size=4).map(".".join))
def test_fast_path_matches_the_grammar(dotted: str) -> None:
    fast = parse_interpolation(dotted, 3)
    tree = load_grammar("interpolation").parse(dotted)
    assert fast is not None
    assert fast[0] == interpolation.path_from_tree(tree.children[0], 3)
    assert fast[1] == ()


TEMPLATE_TEXT = st.text(
    alphabet=st.sampled_from(list("{}{}{}$|. \t\n\"'ab_0(),:-[]é")), max_size=60
)


def tile_check(text: str, pieces: tuple[Piece, ...]) -> None:
    pos = 0
    for piece in pieces:
        assert piece.start == pos < piece.end
        pos = piece.end
        if isinstance(piece, (Literal, DoubleBrace, Malformed)):
            assert piece.text == text[piece.start : piece.end]
        else:
            assert text[piece.start] == "{" and text[piece.end - 1] == "}"
            assert piece.path.start == piece.start + 1
    assert pos == len(text)
    # Adjacent literals are merged.
    for a, b in itertools.pairwise(pieces):
        assert not (isinstance(a, Literal) and isinstance(b, Literal))


@settings(max_examples=300)
@given(TEMPLATE_TEXT)
def test_scan_never_raises_and_pieces_tile_the_text(text: str) -> None:
    tile_check(text, scan_template(text).pieces)


@given(st.lists(st.one_of(NAMES.map(lambda n: "{" + n + "}"), TEMPLATE_TEXT), max_size=6))
def test_scan_tiles_mixed_templates(parts: list[str]) -> None:
    text = "".join(parts)
    tile_check(text, scan_template(text).pieces)


# -- filters table -----------------------------------------------------------------------------


def test_filters_table_matches_the_renderer() -> None:
    assert set(FILTERS) == set(FILTER_FUNCTIONS)
    for name, info in FILTERS.items():
        low, high, _ = FILTER_FUNCTIONS[name]
        assert (info.min_args, info.max_args) == (low, high), name
        assert len(info.arg_types) == info.max_args, name


def test_filters_table_types() -> None:
    assert FILTERS["length"].inputs == ("string", "list", "object")
    assert FILTERS["length"].output == "int"
    assert FILTERS["join"].inputs == ("list",)
    assert FILTERS["raw"].output == "same"
    assert FILTERS["truncate"].arg_types == ("int",)


# -- source maps -----------------------------------------------------------------------------------


def test_spec_example_basic_string() -> None:
    file_text = 'run = "echo \\"{name}\\"\\tdone"\n'
    raw = '"echo \\"{name}\\"\\tdone"'
    sm = SourceMap("r.toml", raw, Pos(1, 7, 6), StringStyle.BASIC)
    assert file_text[6:].startswith(raw)
    (interp,) = scan_template(sm.decoded).interps
    assert (interp.start, interp.end) == (6, 12)
    span = sm.span(interp.start, interp.end)
    assert (span.line, span.col, span.end_line, span.end_col) == (1, 15, 1, 21)


def test_spec_example_multiline_string() -> None:
    file_text = 'run = "x"\ncmd = """\ngit fetch \\\n    origin {branch}"""\n'
    raw = '"""\ngit fetch \\\n    origin {branch}"""'
    at = file_text.index(raw)
    sm = SourceMap("r.toml", raw, Pos(2, 7, at), StringStyle.ML_BASIC)
    assert sm.decoded == "git fetch origin {branch}"
    (interp,) = scan_template(sm.decoded).interps
    assert interp.start == 17
    assert (sm.pos(17).line, sm.pos(17).col) == (4, 12)
    assert (sm.pos(10).line, sm.pos(10).col) == (4, 5)
    root = sm.span(interp.path.root.start, interp.path.root.end)
    assert (root.line, root.col, root.end_col) == (4, 13, 19)
    assert root.byte_start == file_text.index("branch")


def test_malformed_in_multiline_string_points_at_the_file() -> None:
    file_text = '[command.x]\nrun = """\necho \\\n  {name | upper(} \\t\\u00e9 {id}"""\n'
    raw = file_text[file_text.index('"""') : file_text.rindex('"""') + 3]
    at = file_text.index(raw)
    sm = SourceMap("r.toml", raw, Pos(2, 7, at), StringStyle.ML_BASIC)
    assert sm.decoded == "echo {name | upper(} \té {id}"
    pieces = scan_template(sm.decoded).pieces
    bad = next(p for p in pieces if isinstance(p, Malformed))
    span = sm.span(bad.start, bad.end)
    assert (span.line, span.col, span.end_line, span.end_col) == (4, 3, 4, 18)
    assert span.byte_start == file_text.index("{name")
    interp = next(p for p in pieces if isinstance(p, Interp))
    span = sm.span(interp.start, interp.end)
    # `\t` and `\u00e9` are 2 and 6 columns in the file but one character each decoded.
    assert (span.line, span.col, span.end_col) == (4, 28, 32)
    assert span.byte_start == file_text.index("{id}")
