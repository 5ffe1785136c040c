"""Static variable types: TOML values to `VType`s, and path walks that find OJ302/OJ312."""

from __future__ import annotations

import pytest

from ojlang.parser.toml import parse_toml
from ojlang.parser.tomltree import TTable
from ojlang.validator.vartypes import (
    ANY,
    ENV,
    INT,
    LIST,
    OPEN,
    STRING,
    VType,
    named_type,
    segment_text,
    table_type,
    walk_path,
)


def config_of(text: str) -> VType:
    doc = parse_toml(text.encode(), "r.toml")
    table = doc.root.get("config")
    assert isinstance(table, TTable)
    return table_type(table)


CONFIG = config_of(
    """
[config]
base = "main"
retries = 3
ratio = 0.5
on = true
when = 2024-01-01T00:00:00Z
day = 2024-01-01
tags = ["a"]
db = { host = "h", port = 5 }
"""
)


@pytest.mark.parametrize(
    "key, kind",
    [
        ("base", "string"),
        ("retries", "int"),
        ("ratio", "float"),
        ("on", "bool"),
        ("when", "timestamp"),
        ("day", "string"),  # local dates are ISO text (§2.1)
        ("tags", "list"),
        ("db", "object"),
    ],
)
def test_config_values_are_typed_by_their_toml_type(key: str, kind: str) -> None:
    found = CONFIG.field(key)
    assert found is not None and found.kind == kind


def test_config_is_closed_and_names_its_fields_keys() -> None:
    assert CONFIG.closed
    assert CONFIG.field("nope") is None
    assert CONFIG.noun == "key"


def test_open_objects_accept_any_field_with_their_value_type() -> None:
    assert OPEN.field("anything") is ANY
    assert ENV.field("HOME") is STRING
    assert not OPEN.closed


def test_named_types_of_declared_fields() -> None:
    assert named_type("int") is INT
    assert named_type("list") is LIST
    assert named_type("whatever") is ANY


def test_walk_reaches_nested_config_keys() -> None:
    kind, issue = walk_path("config", CONFIG, ["db", "port"])
    assert issue is None and kind is INT


def test_walk_reports_an_unknown_key_with_a_close_match() -> None:
    _, issue = walk_path("config", CONFIG, ["db", "hots"])
    assert issue is not None
    assert (issue.code, issue.index) == ("OJ302", 1)
    assert issue.message == "`config.db` has no key `hots`"
    assert issue.help == "a key with a similar name exists: `host`"


def test_walk_reports_a_field_of_a_scalar() -> None:
    _, issue = walk_path("config", CONFIG, ["base", "x"])
    assert issue is not None
    assert issue.code == "OJ312"
    assert issue.message == "`config.base` is a string and has no field `x`"


def test_walk_reports_an_index_into_an_int() -> None:
    _, issue = walk_path("attempt", INT, [0])
    assert issue is not None
    assert issue.message == "`attempt` is an int and has no element `[0]`"


def test_walk_stops_checking_at_lists_and_any() -> None:
    assert walk_path("config", CONFIG, ["tags", 0, "x", "y"]) == (ANY, None)
    assert walk_path("x", ANY, ["a", "b"]) == (ANY, None)


def test_segment_text_quotes_keys_that_are_not_names() -> None:
    assert segment_text("a") == ".a"
    assert segment_text("a-b") == '["a-b"]'
    assert segment_text(2) == "[2]"


def test_config_type_of_a_runbook_without_config_is_empty() -> None:
    empty = table_type(None)
    assert empty.closed and empty.field("x") is None
