"""TOML errors as diagnostics: OJ001 syntax, OJ002 duplicates, OJ003 invalid text.

Each case of `CASES` is parsed and its diagnostic rendered (position, code, message, the
source line with carets under the span, help, secondary labels) into one snapshot, so the
wording of every message is reviewed in one place.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from ojlang.parser.errors import TomlError
from ojlang.parser.spans import Span
from ojlang.parser.toml import parse_toml
from ojlang.validator.diagnostic import Diagnostic

PATH = "runbooks/ship.toml"

CASES: dict[str, str] = {
    # -- OJ001: grammar
    "missing-equals": "interval 30s\n",
    "key-with-space": "my key = 1\n",
    "missing-value": "interval =\nnext = 1\n",
    "value-then-text": 'name = "ship" extra\n',
    "two-values": "a = 1 2\n",
    "missing-key": '= "value"\n',
    "bad-key-character": "tâche = 1\n",
    "array-missing-comma": 'wake_on = ["a" "b"]\n',
    "array-double-comma": "xs = [1,,2]\n",
    "array-never-closed": "xs = [1, 2\n",
    "inline-table-missing-comma": "d = { a = 1 b = 2 }\n",
    "inline-table-trailing-comma": "d = { a = 1, }\n",
    "inline-table-on-two-lines": "d = { a = 1,\n  b = 2 }\n",
    "inline-table-unclosed-line": "d = { a = 1\n",
    "header-unclosed": "[task.coder\nx = 1\n",
    "header-empty": "[]\n",
    "header-line-break": "[task.\ncoder]\n",
    "array-header-half-closed": "[[strategy.attempt]\n",
    "text-after-header": "[task] extra\n",
    "dot-without-key": "a. = 1\n",
    # -- OJ001: strings
    "string-not-closed": 'run = "echo hi\nnext = 1\n',
    "multi-line-string-not-closed": 'run = """\necho hi\n',
    "too-many-quotes": 'a = "x""\n',
    "bad-escape": 'run = "echo \\x41"\n',
    "short-unicode-escape": 'a = "caf\\u00e"\n',
    "surrogate-escape": 'a = "\\uD800"\n',
    "text-after-line-ending-backslash": 'a = """one \\ two\n"""\n',
    "multi-line-key": '"""key""" = 1\n',
    # -- OJ001: numbers and other values
    "leading-zero": "port = 080\n",
    "double-underscore": "n = 1__000\n",
    "uppercase-hex-prefix": "mask = 0XFF\n",
    "signed-hex": "mask = -0xff\n",
    "bad-octal-digit": "mode = 0o789\n",
    "trailing-decimal-point": "ratio = 1.\n",
    "exponent-without-digits": "ratio = 1e\n",
    "integer-too-big": "n = 9223372036854775808\n",
    "unquoted-word": "queue = features\n",
    "capital-boolean": "enabled = True\n",
    "capital-nan": "x = NaN\n",
    # -- OJ001: dates and times
    "month-13": "day = 2024-13-01\n",
    "february-30": "day = 2024-02-30\n",
    "hour-24": "at = 24:00:00\n",
    "offset-out-of-range": "at = 2024-01-01T10:00:00+24:00\n",
    "time-without-seconds": "at = 10:30\n",
    "date-with-one-digit-day": "day = 2024-01-1\n",
    # -- OJ002: duplicates
    "key-twice": '[task.coder]\ntimeout = "3h"\nprompt = "x"\ntimeout = "2h"\n',
    "key-twice-top-level": "a = 1\nb = 2\na = 3\n",
    "table-twice": '[lock.main]\nheartbeat = "30s"\n\n[lock.main]\ntimeout = "1h"\n',
    "dotted-key-twice": "a.b = 1\na.b = 2\n",
    "header-after-dotted-keys": '[fruit]\napple.color = "red"\n[fruit.apple]\n',
    "dotted-key-into-header-table": "[a.b]\nx = 1\n[a]\nb.y = 2\n",
    "header-over-value": "a = 1\n[a.b]\n",
    "header-over-value-at-end": "[a]\nb = 1\n[a.b]\n",
    "array-of-tables-on-static-array": "fruits = []\n[[fruits]]\n",
    "array-of-tables-on-table": "[fruit]\n[[fruit]]\n",
    "table-on-array-of-tables": "[[fruit]]\n[fruit]\n",
    "extend-inline-table": "d = { a = 1 }\nd.b = 2\n",
    "header-into-inline-table": "d = { a = 1 }\n[d.e]\n",
    "header-into-static-array": "xs = [1]\n[xs.y]\n",
    "inline-key-twice": "d = { a = 1, a = 2 }\n",
    "inline-dotted-into-value": "d = { a = 1, a.b = 2 }\n",
    # -- OJ003: invalid text
    "control-character-in-string": 'a = "x\x01y"\n',
    "control-character-in-comment": "a = 1 # x\x7fy\n",
    "control-character-in-literal": "a = 'x\x1fy'\n",
    "bare-control-character": "a = 1\n\x0c\n",
    "bare-carriage-return": "a = 1\rb = 2\n",
    "bom-in-the-middle": "a = 1\n\ufeffb = 2\n",
}


def render(diagnostic: Diagnostic, text: str) -> str:
    """A compact, plain rendering: enough to review position and wording."""
    span = diagnostic.span
    out = [f"{span.file}:{span.line}:{span.col}: error[{diagnostic.code}] {diagnostic.message}"]
    lines = text.split("\n")
    out.extend(_snippet(span, lines, diagnostic.label))
    if diagnostic.help:
        out.append(f"  help: {diagnostic.help}")
    for label in diagnostic.labels:
        out.append(f"  note at {label.span.line}:{label.span.col}: {label.message}")
        out.extend(_snippet(label.span, lines, ""))
    return "\n".join(out)


def _snippet(span: Span, lines: list[str], label: str) -> list[str]:
    source = lines[span.line - 1].rstrip("\r") if span.line <= len(lines) else ""
    end = span.end_col if span.end_line == span.line else len(source) + 1
    carets = "^" * max(1, end - span.col)
    shown = "".join(c if c.isprintable() else "?" for c in source)
    return [
        f"  {span.line:>2} | {shown}",
        f"     | {' ' * (span.col - 1)}{carets} {label}".rstrip(),
    ]


def diagnostic_of(text: str | bytes) -> Diagnostic:
    with pytest.raises(TomlError) as caught:
        parse_toml(text, PATH)
    return caught.value.diagnostic


def test_every_error_case_snapshot(snapshot: SnapshotAssertion) -> None:
    rendered = []
    for name, text in CASES.items():
        rendered.append(f"== {name}\n{render(diagnostic_of(text), text)}")
    assert "\n\n".join(rendered) + "\n" == snapshot


@pytest.mark.parametrize("name", list(CASES))
def test_messages_follow_the_house_style(name: str) -> None:
    diagnostic = diagnostic_of(CASES[name])
    message = diagnostic.message
    assert not message.endswith("."), message
    assert message[0].islower() or message[0] in "`[", message
    assert diagnostic.code == "OJ002" or not diagnostic.labels
    if diagnostic.help:
        assert not diagnostic.help.endswith("."), diagnostic.help


def test_the_catalogue_example_of_oj001() -> None:
    diagnostic = diagnostic_of("[cron.sync]\ninterval 30s\n")
    assert diagnostic.code == "OJ001"
    assert diagnostic.message.startswith("expected `=` after key `interval`")
    assert diagnostic.help == "a key and its value are separated by `=`"
    assert (diagnostic.span.line, diagnostic.span.col, diagnostic.span.end_col) == (2, 10, 13)


def test_the_catalogue_example_of_oj002() -> None:
    diagnostic = diagnostic_of(CASES["key-twice"])
    assert diagnostic.code == "OJ002"
    assert diagnostic.message == "key `timeout` is defined twice in `[task.coder]`"
    assert (diagnostic.span.line, diagnostic.span.col) == (4, 1)
    (first,) = diagnostic.labels
    assert first.message == "first defined here"
    assert (first.span.line, first.span.col, first.span.end_col) == (2, 1, 8)


def test_a_bom_is_refused_for_runbooks() -> None:
    diagnostic = diagnostic_of("\ufeffa = 1\n".encode())
    assert diagnostic.code == "OJ003"
    assert diagnostic.message == "file starts with a byte order mark"
    assert diagnostic.help == "save it as UTF-8 without BOM"
    assert diagnostic.span == Span(PATH, 1, 1, 1, 2, 0, 3)


def test_bytes_that_are_not_utf8_point_at_the_offending_byte() -> None:
    diagnostic = diagnostic_of(b'a = 1\nb = "caf\xe9"\n')
    assert diagnostic.code == "OJ003"
    assert diagnostic.message == "file is not valid UTF-8"
    assert diagnostic.label == "invalid byte 0xE9"
    assert diagnostic.span == Span(PATH, 2, 9, 2, 10, 14, 15)


def test_an_escape_error_points_inside_the_string() -> None:
    diagnostic = diagnostic_of('[x]\nrun = "echo \\q"\n')
    assert (diagnostic.span.line, diagnostic.span.col, diagnostic.span.end_col) == (2, 13, 15)
    assert diagnostic.message == "invalid escape `\\q` in a string"


def test_the_first_error_in_the_file_wins() -> None:
    diagnostic = diagnostic_of("a = 1\na = 2\nb = @\n")
    assert diagnostic.code == "OJ002"
    diagnostic = diagnostic_of('a = "\\x"\nb = @\n')
    assert diagnostic.message == "invalid escape `\\x` in a string"


def test_positions_count_code_points_and_bytes() -> None:
    diagnostic = diagnostic_of('k = "é" x\n')
    assert (diagnostic.span.col, diagnostic.span.byte_start) == (9, 9)
