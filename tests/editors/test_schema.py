"""The runbook JSON schema: generated from the AST specs, Draft 4 only, and agreeing with taplo
and `oj check` on the examples and on five bad files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ojlang import schema
from ojlang.api import check

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "editors" / "schema" / "runbook.schema.json"
VSCODE_COPY = ROOT / "editors" / "vscode" / "runbook.schema.json"
BAD = Path(__file__).parent / "schema_bad"
EXAMPLES = sorted((ROOT / "examples").glob("*.toml")) + sorted(
    (ROOT / "stdlib_runbooks").glob("*.toml")
)

DRAFT4_KEYWORDS = {
    "$schema", "id", "$ref", "title", "description", "default", "multipleOf", "maximum",
    "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
    "additionalItems", "items", "maxItems", "minItems", "uniqueItems", "maxProperties",
    "minProperties", "required", "additionalProperties", "definitions", "properties",
    "patternProperties", "dependencies", "enum", "type", "allOf", "anyOf", "oneOf", "not",
    "format",
}  # fmt: skip

# bad file -> (the one error taplo reports, the code `oj check` reports for the same problem)
BAD_FILES = {
    "unknown_key.toml": (
        "Additional properties are not allowed ('timout' was unexpected)",
        "OJ102",
    ),
    "unknown_table.toml": (
        "Additional properties are not allowed ('safety' was unexpected)",
        "OJ101",
    ),
    "missing_field.toml": ('"interval" is a required property', "OJ104"),
    "wrong_type.toml": ('"yes" is not of type "boolean"', "OJ103"),
    "phase_key.toml": ("Additional properties are not allowed ('retries' was unexpected)", "OJ102"),
}


def _schemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every subschema of `node` (values of name maps are schemas, their keys are not)."""
    if isinstance(node, list):
        for item in node:
            yield from _schemas(item)
        return
    if not isinstance(node, dict):
        return
    yield node
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions"):
            for sub in value.values():
                yield from _schemas(sub)
        elif key in ("items", "additionalProperties", "anyOf", "allOf", "oneOf", "not"):
            yield from _schemas(value)


def _taplo() -> str:
    found = shutil.which("taplo", path=str(Path(sys.executable).parent)) or shutil.which("taplo")
    assert found, "taplo is a dev dependency: pip install -e '.[dev]'"
    return found


def _taplo_errors(*args: str) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [_taplo(), "check", "--colors", "never", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = proc.stdout + proc.stderr
    return proc.returncode, {line[7:] for line in out.splitlines() if line.startswith("error: ")}


def test_committed_schema_is_the_generated_one() -> None:
    text = schema.render()
    assert SCHEMA.read_text(encoding="utf-8") == text, "run `oj schema > " + str(SCHEMA) + "`"
    assert VSCODE_COPY.read_text(encoding="utf-8") == text


def test_schema_is_draft4_and_uses_only_draft4_keywords() -> None:
    document = schema.generate()
    jsonschema.Draft4Validator.check_schema(document)
    assert document["$schema"] == "http://json-schema.org/draft-04/schema#"
    used = {key for node in _schemas(document) for key in node}
    assert used <= DRAFT4_KEYWORDS, used - DRAFT4_KEYWORDS


def test_every_table_is_closed_and_every_field_described() -> None:
    document = schema.generate()
    for node in _schemas(document):
        if "properties" in node and node is not document["properties"]["events"]:
            assert node.get("additionalProperties") is False, node.get("description")
        for name, sub in node.get("properties", {}).items():
            assert sub.get("description"), name
    task = document["definitions"]["Task"]["properties"]
    assert "§3.6" in task["timeout"]["description"]
    assert "wall-clock limit" in task["timeout"]["description"].lower()
    assert task["on_stuck"]["default"] == ["nudge:3", "restart:2", "escalate"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_valid_for_jsonschema(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema.generate()).validate(data)


def test_taplo_accepts_the_examples() -> None:
    code, errors = _taplo_errors("--schema", SCHEMA.as_uri(), *map(str, EXAMPLES))
    assert (code, errors) == (0, set())


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_taplo_and_oj_check_report_the_same_key_error(name: str, tmp_path: Path) -> None:
    expected, code = BAD_FILES[name]
    status, errors = _taplo_errors("--schema", SCHEMA.as_uri(), str(BAD / name))
    assert status != 0
    assert errors == {expected}
    (tmp_path / "runbooks").mkdir()
    shutil.copy(BAD / name, tmp_path / "runbooks" / name)
    report = check([], cwd=tmp_path, flags={"shellcheck": False})
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == [code]


def test_schema_header_comment_is_honoured(tmp_path: Path) -> None:
    runbook = tmp_path / "ship.toml"
    body = (BAD / "unknown_key.toml").read_text(encoding="utf-8")
    shutil.copy(SCHEMA, tmp_path / "runbook.schema.json")  # as docs/editors.md shows it
    runbook.write_text(f"#:schema ./runbook.schema.json\n{body}", encoding="utf-8")
    status, errors = _taplo_errors(str(runbook))
    assert status != 0
    assert errors == {BAD_FILES["unknown_key.toml"][0]}


def test_oj_schema_prints_the_schema() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ojlang.cli.main", "schema"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == schema.generate()
