"""`oj fmt`: the canonical layout, kept values and comments, idempotence, files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

from ojlang.fmt import FormatError, format_file, format_text
from ojlang.fmt_syntax import (
    Blank,
    Comment,
    Header,
    InlineTable,
    KeyValue,
    Scalar,
    Value,
    read_layout,
)
from ojlang.parser.toml import parse_toml
from ojlang.parser.tomltree import plain

ROOT = Path(__file__).parents[1]
CORPORA = [
    *sorted((ROOT / "tests" / "validator" / "cases").glob("*.toml")),
    *sorted((ROOT / "tests" / "validator" / "corpus").glob("*.toml")),
    *sorted((ROOT / "stdlib_runbooks").glob("**/*.toml")),
    *sorted((ROOT / "examples").glob("**/*.toml")),
]

MESSY = """\


  # the deploy runbook
[ command . deploy ]   # entry point
  args="<stage> [--tag <version>]"
defaults   =   {tag="latest",force=false}
run= '''
deploy --stage {stage}   \t
'''
[queue.jobs]
fields = [ "a","b" , "c",]


[[ pipeline.ship.phase ]]
name = "plan"
pre = [
    "ready",   # first
  # why
    "fresh"
  ,

    "clean",
  ]
# the build phase
[[pipeline.ship.phase]]
name="build"
"quoted key".sub   = 1
matrix = [[1,2],[
 3,
 ], []]
when = 1979-05-27 07:32:00Z
"""


def test_the_canonical_layout(snapshot: SnapshotAssertion) -> None:
    assert format_text(MESSY) == snapshot


def test_crlf_files_stay_crlf_everywhere() -> None:
    text = MESSY.replace("\n", "\r\n").replace("  args=", "args =\n", 0)
    out = format_text(text)
    assert "\r\n" in out
    assert "\n" not in out.replace("\r\n", "")
    assert out.replace("\r\n", "\n") == format_text(MESSY)


def test_mixed_line_endings_follow_the_first_line() -> None:
    assert format_text('a = 1\n[t]\r\nb = """\r\nx\r\n"""\n') == 'a = 1\n\n[t]\nb = """\nx\n"""\n'


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", ""),
        ("\n\n", ""),
        ("# only\n\n\n", "# only\n"),
        ("[a]\nx = 1", "[a]\nx = 1\n"),
        ("[a]\n[b]\n", "[a]\n\n[b]\n"),
        ("# top\n[a]\n", "# top\n[a]\n"),
        ("[a]\nx = 1\n# about b\n# more\n[b]\n", "[a]\nx = 1\n\n# about b\n# more\n[b]\n"),
        ("[a]\nx = []\ny = [\n]\nz = {}\n", "[a]\nx = []\ny = []\nz = {}\n"),
        ("x = [ # c\n]\n", "x = [  # c\n]\n"),
        ("x = [1 # c\n, 2]\n", "x = [\n  1,  # c\n  2,\n]\n"),
        ('x = "a"   #   spaced   \n', 'x = "a"  #   spaced\n'),
        ("a.'b c'.\"d\" = 0x1F\n", "a.'b c'.\"d\" = 0x1F\n"),
        ("t = { a = [\n1,\n] }\n", "t = { a = [\n  1,\n] }\n"),
        ("s = '''\n  keep   \n\n\n'''\n", "s = '''\n  keep   \n\n\n'''\n"),
    ],
)
def test_rules(before: str, after: str) -> None:
    assert format_text(before) == after


def test_invalid_toml_is_an_error() -> None:
    with pytest.raises(FormatError) as info:
        format_text("[a]\nx = \n")
    assert info.value.where == "2:5"


# -- properties ---------------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b2", "run", "name", "x_y", "timeout", "on-fail", "k9"])
BLANK = st.sampled_from(["", " ", "  ", "\t"])
COMMENT = st.sampled_from([None, None, "#", "# note", "#x: [y]", "# oj: ignore[OJ301]"])
TEXT = st.text(alphabet="ab {}|$\"'\n\t", max_size=12)

SCALARS = st.one_of(
    st.integers(-1000, 10**6).map(str),
    st.sampled_from(["true", "false", "3.5", "1_000", "0xff", "-inf", "1979-05-27"]),
    TEXT.map(lambda t: '"' + t.replace("\\", "").replace('"', "").replace("\n", "") + '"'),
    TEXT.map(lambda t: "'" + t.replace("'", "").replace("\n", "") + "'"),
    TEXT.map(lambda t: '"""' + t.replace("\\", "").replace('"', "") + '"""'),
    TEXT.map(lambda t: "'''" + t.replace("'", "") + "'''"),
)


@st.composite
def arrays(draw: st.DrawFn, depth: int = 0) -> str:
    items = draw(st.lists(values(depth + 1), max_size=4))
    if not draw(st.booleans()):  # one line
        sep = draw(st.sampled_from([",", ", ", " , "]))
        tail = draw(st.sampled_from(["", ","])) if items else ""
        return "[" + draw(BLANK) + sep.join(items) + tail + draw(BLANK) + "]"
    out = "[" + (("  " + c) if (c := draw(COMMENT)) else "") + "\n"
    for item in items:
        for _ in range(draw(st.integers(0, 2))):
            out += draw(BLANK) + (draw(COMMENT) or "") + "\n"
        comment = draw(COMMENT)
        out += draw(BLANK) + item + draw(BLANK) + "," + (f" {comment}" if comment else "") + "\n"
    return out + draw(BLANK) + "]"


@st.composite
def inline_tables(draw: st.DrawFn, depth: int = 0) -> str:
    keys = draw(st.lists(NAMES, max_size=3, unique=True))
    pairs = [f"{k}{draw(BLANK)}={draw(BLANK)}{draw(values(depth + 1))}" for k in keys]
    return "{" + draw(BLANK) + ",".join(pairs) + draw(BLANK) + "}"


def values(depth: int = 0) -> st.SearchStrategy[str]:
    if depth >= 2:
        return SCALARS
    return st.one_of(SCALARS, arrays(depth), inline_tables(depth))


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines: list[str] = []
    tables = draw(st.lists(NAMES, min_size=0, max_size=4, unique=True))
    for table in ["", *tables]:
        if table:
            for _ in range(draw(st.integers(0, 2))):
                lines.append(draw(BLANK) + (draw(COMMENT) or ""))
            array = draw(st.booleans())
            name = f"{draw(BLANK)}t{draw(BLANK)}.{draw(BLANK)}{table}{draw(BLANK)}"
            header = f"[[{name}]]" if array else f"[{name}]"
            comment = draw(COMMENT)
            lines.append(draw(BLANK) + header + (draw(BLANK) + comment if comment else ""))
        for key in draw(st.lists(NAMES, max_size=4, unique=True)):
            comment = draw(COMMENT)
            lines.append(
                f"{draw(BLANK)}{key}{draw(BLANK)}={draw(BLANK)}{draw(values())}"
                + (f"{draw(BLANK)} {comment}" if comment else draw(BLANK))
            )
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_formatting_keeps_values_and_is_idempotent(text: str) -> None:
    try:
        before = parse_toml(text, "x.toml")
    except Exception:  # the generator may write a key twice through a dotted table
        return
    once = format_text(text)
    assert format_text(once) == once
    assert plain(parse_toml(once, "x.toml").root) == plain(before.root)
    kept = [c.text.rstrip() for c in parse_toml(once, "x.toml").comments]
    assert kept == [c.text.rstrip() for c in before.comments]


# -- messy layouts of real runbooks ------------------------------------------------------------


def _messy(draw: st.DrawFn, value: Value) -> str:
    """`value` with random blanks wherever the canonical layout fixes them."""
    gap = lambda: draw(BLANK)  # noqa: E731
    if isinstance(value, Scalar):
        return value.text
    if isinstance(value, InlineTable):
        pairs = [".".join(keys) + gap() + "=" + gap() + _messy(draw, v) for keys, v in value.pairs]
        return "{" + gap() + ("," + gap()).join(pairs) + gap() + "}"
    if not value.multiline:
        items = [_messy(draw, e.value) for e in value.elements]
        tail = draw(st.sampled_from(["", ","])) if items else ""
        return "[" + gap() + (gap() + "," + gap()).join(items) + tail + gap() + "]"
    out = "[" + (gap() + " " + value.opening_comment if value.opening_comment else "") + "\n"
    for element in value.elements:
        for item in element.before:
            out += gap() + (item or "") + "\n"
        comment = (gap() + " " + element.comment) if element.comment else gap()
        out += gap() + _messy(draw, element.value) + gap() + "," + comment + "\n"
    for item in value.closing:
        out += gap() + (item or "") + "\n"
    return out + gap() + "]"


@st.composite
def messy_corpus_files(draw: st.DrawFn) -> tuple[str, str]:
    """A corpus runbook and the same runbook with another layout (values and comments kept)."""
    path = draw(st.sampled_from([p for p in CORPORA if "corpus" in p.parts]))
    text = path.read_text(encoding="utf-8")
    lines = []
    for statement in read_layout(text):
        indent = draw(BLANK)
        if isinstance(statement, Blank):
            lines.extend([draw(BLANK)] * draw(st.integers(1, 2)))
        elif isinstance(statement, Comment):
            lines.append(indent + statement.text + draw(BLANK))
        elif isinstance(statement, Header):
            name = (draw(BLANK) + "." + draw(BLANK)).join(statement.keys)
            header = f"[[{name}]]" if statement.array else f"[{draw(BLANK)}{name}{draw(BLANK)}]"
            comment = f"{draw(BLANK)} {statement.comment}" if statement.comment else ""
            lines.append(indent + header + comment)
        else:
            assert isinstance(statement, KeyValue)
            key = ".".join(statement.keys)
            value = _messy(draw, statement.value)
            comment = f"{draw(BLANK)} {statement.comment}" if statement.comment else draw(BLANK)
            lines.append(f"{indent}{key}{draw(BLANK)}={draw(BLANK)}{value}{comment}")
    return text, "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_corpus_files())
def test_the_layout_of_a_runbook_does_not_change_its_canonical_form(pair: tuple[str, str]) -> None:
    text, messy = pair
    assert format_text(messy) == format_text(text)


@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_corpus_file(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        once = format_text(text)
    except FormatError:
        return  # the syntax-error cases
    assert format_text(once) == once
    assert plain(parse_toml(once, "x").root) == plain(parse_toml(text, "x").root)


# -- files --------------------------------------------------------------------------------------


def test_format_file(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_bytes(b"[a]\nx=1\n")
    assert format_file(path, "r.toml", write=False).changed
    assert path.read_bytes() == b"[a]\nx=1\n"
    result = format_file(path, "r.toml", write=True)
    assert (result.changed, result.error) == (True, None)
    assert path.read_bytes() == b"[a]\nx = 1\n"
    assert not format_file(path, "r.toml", write=True).changed


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"[a\n", "1:3: expected"),
        (b"\xff", "not valid UTF-8"),
    ],
)
def test_files_that_cannot_be_formatted(tmp_path: Path, data: bytes, error: str) -> None:
    path = tmp_path / "r.toml"
    path.write_bytes(data)
    result = format_file(path, "r.toml", write=True)
    assert result.error is not None and error in result.error
    assert path.read_bytes() == data
    missing = format_file(tmp_path / "gone.toml", "gone.toml", write=True)
    assert missing.error == "cannot read it: no such file or directory"
