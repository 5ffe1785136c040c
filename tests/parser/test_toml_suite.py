"""The vendored toml-test 1.0 suite: every valid file parses to its expected value (and to
`tomllib`'s), and every invalid file is rejected with a positioned OJ001-OJ003 diagnostic."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest
from toml_test_suite import comparable, suite_dir, tagged_value, toml_files

from ojlang.parser.errors import TomlError
from ojlang.parser.spans import SourceMap
from ojlang.parser.toml import parse_toml
from ojlang.parser.tomltree import TArray, TString, TTable, Value, plain, tagged

SUITE = suite_dir()
VALID = toml_files("valid")
INVALID = toml_files("invalid")


def test_the_suite_is_the_toml_1_0_selection() -> None:
    assert len(VALID) > 200
    assert len(INVALID) > 400


def _strings(node: Value) -> list[TString]:
    if isinstance(node, TString):
        return [node]
    if isinstance(node, TTable):
        return [s for entry in node.entries.values() for s in _strings(entry.value)]
    if isinstance(node, TArray):
        return [s for item in node.items for s in _strings(item)]
    return []


@pytest.mark.parametrize("name", VALID)
def test_valid_file(name: str) -> None:
    data = (SUITE / name).read_bytes()
    doc = parse_toml(data, name, allow_bom=True)
    expected: Any = json.loads((SUITE / name).with_suffix(".json").read_text(encoding="utf-8"))
    assert tagged_value(tagged(doc.root)) == tagged_value(expected)
    text = data.decode("utf-8").removeprefix("\ufeff")
    assert comparable(plain(doc.root)) == comparable(tomllib.loads(text))
    for string in _strings(doc.root):
        source_map = string.source_map
        assert isinstance(source_map, SourceMap)
        assert source_map.decoded == string.value


@pytest.mark.parametrize("name", INVALID)
def test_invalid_file(name: str) -> None:
    data = (SUITE / name).read_bytes()
    with pytest.raises(TomlError) as caught:
        parse_toml(data, name, allow_bom=True)
    diagnostic = caught.value.diagnostic
    assert diagnostic.code in ("OJ001", "OJ002", "OJ003")
    assert diagnostic.span.file == name
    lines = max(1, len(data.split(b"\n")))
    assert 1 <= diagnostic.span.line <= diagnostic.span.end_line <= lines
    assert diagnostic.span.col >= 1
    assert 0 <= diagnostic.span.byte_start <= diagnostic.span.byte_end <= len(data)
    assert (diagnostic.message and diagnostic.message[0].islower()) or diagnostic.message[0] in "`["
    assert not diagnostic.message.endswith(".")
