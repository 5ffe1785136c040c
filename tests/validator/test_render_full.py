"""Edge cases of the `full` format: widths, tabs, empty and multi-line spans, CRLF, gaps."""

from __future__ import annotations

from ojlang.parser.spans import Span
from ojlang.validator.diagnostic import Label, diag
from ojlang.validator.render import render
from ojlang.validator.render.full import char_width, display


def full(source: str, *diags: object) -> str:
    return render(list(diags), "full", sources={"r.toml": source}, runbooks=1).stdout  # type: ignore[arg-type]


def at(line: int, col: int, end_col: int, end_line: int | None = None) -> Span:
    return Span("r.toml", line, col, line if end_line is None else end_line, end_col, 0, 0)


def snippet(out: str) -> list[str]:
    """The source and marker lines of the first diagnostic."""
    lines = out.split("\n\n")[0].splitlines()
    return [line for line in lines[3:] if "=" not in line[:6]]


def test_empty_span_gets_one_caret() -> None:
    out = full("a = 1\n", diag("OJ001", "m", at(1, 4, 4), "here"))
    assert snippet(out) == ["1 | a = 1", "  |    ^ here"]


def test_empty_span_at_end_of_line() -> None:
    out = full("a =\n", diag("OJ001", "m", at(1, 4, 4), "value expected"))
    assert snippet(out) == ["1 | a =", "  |    ^ value expected"]


def test_tabs_widen_text_and_carets() -> None:
    out = full('x = "\ta\tb"\n', diag("OJ001", "m", at(1, 6, 9), "tab a tab"))
    assert snippet(out) == [
        '1 | x = "    a    b"',
        "  |      ^^^^^^^^^ tab a tab",
    ]


def test_wide_characters_take_two_columns() -> None:
    out = full('x = "日本 {y}"\n', diag("OJ301", "m", at(1, 9, 12), "y"))
    assert snippet(out) == ['1 | x = "日本 {y}"', "  |           ^^^ y"]
    assert char_width("日") == 2
    assert char_width("\u0301") == 0
    assert char_width("a") == 1


def test_control_characters_are_shown_as_pictures() -> None:
    assert display("a\x07b\x7f") == "a\u2407b\u2421"


def test_invisible_characters_are_shown_by_code_point() -> None:
    out = full("\ufeff[a]\n", diag("OJ003", "m", at(1, 1, 2), "byte order mark"))
    assert snippet(out) == ["1 | <U+FEFF>[a]", "  | ^^^^^^^^ byte order mark"]
    out = full("x = 1\u200b\n", diag("OJ001", "m", at(1, 6, 7), "zero width"))
    assert snippet(out) == ["1 | x = 1<U+200B>", "  |      ^^^^^^^^ zero width"]


def test_multiline_span_is_underlined_to_the_end_of_its_first_line() -> None:
    source = 'p = """\nline one\nline two\n"""\n'
    out = full(source, diag("OJ308", "m", at(1, 5, 4, end_line=4), "template"))
    assert snippet(out) == ['1 | p = """', "  |     ^^^ template"]


def test_span_inside_a_multiline_string_shows_only_its_line() -> None:
    source = 'p = """\nline one\n{{ gaol }}\nline three\n"""\n'
    out = full(source, diag("OJ301", "m", at(3, 4, 8), "undefined"))
    assert snippet(out) == ["3 | {{ gaol }}", "  |    ^^^^ undefined"]


def test_crlf_sources() -> None:
    out = full("a = 1\r\nb = x\r\n", diag("OJ001", "m", at(2, 5, 6), "bad"))
    assert snippet(out) == ["2 | b = x", "  |     ^ bad"]


def test_gap_of_one_line_shows_it() -> None:
    source = "a = 1\nb = 2\nc = 3\n"
    d = diag("OJ002", "m", at(3, 1, 2), "again", labels=(Label(at(1, 1, 2), "first"),))
    assert snippet(full(source, d)) == [
        "1 | a = 1",
        "  | - first",
        "2 | b = 2",
        "3 | c = 3",
        "  | ^ again",
    ]


def test_width_grows_with_the_largest_line_shown() -> None:
    source = "\n" * 99 + "x = 1\n"
    d = diag("OJ001", "m", at(100, 1, 2), "bad", labels=(Label(at(1, 1, 1), "top"),))
    out = full(source, d).splitlines()
    assert out[1] == "   --> r.toml:100:1"
    assert out[2] == "    |"
    assert out[3] == "  1 |"
    assert out[4] == "    | - top"
    assert out[5] == "..."
    assert out[6] == "100 | x = 1"


def test_unknown_file_has_no_snippet() -> None:
    d = diag("OJ004", "cannot read `r2.toml`: permission denied", Span("r2.toml", 1, 1, 1, 1, 0, 0))
    out = full("", d)
    assert out.startswith(
        "error[OJ004]: cannot read `r2.toml`: permission denied\n --> r2.toml:1:1\n\n"
    )


def test_span_past_the_end_of_the_file() -> None:
    d = diag("OJ001", "unexpected end of file", at(3, 1, 1), "here")
    assert snippet(full("a = [\n", d)) == ["3 |", "  | ^ here"]
