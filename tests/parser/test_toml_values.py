"""Scalar tokens to nodes (`toml_values`): the node type, kind and value of each spelling."""

from __future__ import annotations

import datetime as dt
import math
import tomllib

import pytest

from ojlang.parser.spans import StringStyle
from ojlang.parser.toml import parse_toml
from ojlang.parser.tomltree import (
    DateTimeKind,
    TBool,
    TDateTime,
    TFloat,
    TInteger,
    TString,
    Value,
)


def value_of(written: str) -> Value:
    doc = parse_toml(f"v = {written}\n", "x.toml")
    node = doc.root.get("v")
    assert node is not None
    return node


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0", 0),
        ("+17", 17),
        ("-0", 0),
        ("1_000_000", 1_000_000),
        ("0xDEAD_beef", 0xDEADBEEF),
        ("0o755", 0o755),
        ("0b1101", 13),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
    ],
)
def test_integers(written: str, expected: int) -> None:
    node = value_of(written)
    assert isinstance(node, TInteger)
    assert node.value == expected == tomllib.loads(f"v = {written}")["v"]


@pytest.mark.parametrize(
    "written", ["3.14", "-0.0", "1e10", "6.626E-34", "1_000.000_1", "+inf", "-inf", "nan", "-nan"]
)
def test_floats(written: str) -> None:
    node = value_of(written)
    assert isinstance(node, TFloat)
    expected = tomllib.loads(f"v = {written}")["v"]
    assert node.value == expected or (math.isnan(node.value) and math.isnan(expected))


def test_booleans() -> None:
    assert value_of("true") == TBool(True, value_of("true").span)
    node = value_of("false")
    assert isinstance(node, TBool) and node.value is False


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("1979-05-27T07:32:00Z", DateTimeKind.OFFSET_DATETIME),
        ("1979-05-27 00:32:00.999999-07:00", DateTimeKind.OFFSET_DATETIME),
        ("1979-05-27t07:32:00.5z", DateTimeKind.OFFSET_DATETIME),
        ("1979-05-27T07:32:00", DateTimeKind.LOCAL_DATETIME),
        ("1979-05-27", DateTimeKind.LOCAL_DATE),
        ("07:32:00.1234567", DateTimeKind.LOCAL_TIME),
    ],
)
def test_date_times(written: str, kind: DateTimeKind) -> None:
    node = value_of(written)
    assert isinstance(node, TDateTime)
    assert node.kind is kind
    assert node.text == written
    assert node.value == tomllib.loads(f"v = {written}")["v"]


def test_offset_date_times_are_aware() -> None:
    node = value_of("1979-05-27T00:32:00-07:00")
    assert isinstance(node, TDateTime) and isinstance(node.value, dt.datetime)
    assert node.value.utcoffset() == dt.timedelta(hours=-7)


@pytest.mark.parametrize(
    ("written", "style", "expected"),
    [
        (
            '"tab\\there \\u00e9 \\U0001F600 \\"q\\" \\\\"',
            StringStyle.BASIC,
            'tab\there é 😀 "q" \\',
        ),
        ("'C:\\Users\\{name}'", StringStyle.LITERAL, "C:\\Users\\{name}"),
        ('"""\nline one\\\n    line two"""', StringStyle.ML_BASIC, "line oneline two"),
        ('""""quoted" """', StringStyle.ML_BASIC, '"quoted" '),
        ("'''\n  kept\\n\n'''", StringStyle.ML_LITERAL, "  kept\\n\n"),
        ("''''two'''''", StringStyle.ML_LITERAL, "'two''"),
    ],
)
def test_strings(written: str, style: StringStyle, expected: str) -> None:
    node = value_of(written)
    assert isinstance(node, TString)
    assert node.style is style
    assert node.value == expected == tomllib.loads(f"v = {written}")["v"]
    assert node.source_map.raw == written
    assert node.source_map.decoded == expected


def test_crlf_in_multi_line_strings_decodes_to_lf() -> None:
    text = "a = \"\"\"x\r\ny\"\"\"\r\nb = '''p\r\nq'''\r\n"
    doc = parse_toml(text, "x.toml")
    a, b = doc.root.get("a"), doc.root.get("b")
    assert isinstance(a, TString) and a.value == "x\ny"
    assert isinstance(b, TString) and b.value == "p\nq"
    assert {"a": a.value, "b": b.value} == tomllib.loads(text)
