"""A cursor in a runbook in, completion items out: table headers, keys, fixed values,
reference names, phase names and variables in scope.

Completion runs while the user types, when the document often is not valid TOML, so the
context (which table, which key, inside a string or not) is read from the text of the lines;
names come from the text of the document (its `[kind.NAME]` headers) and from the other
runbooks of the project; variables come from the checker's scopes when the document parses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import attrs

from ojlang.lsp import keys
from ojlang.lsp.analysis import Analysis
from ojlang.lsp.locate import keys_in_table, table_path_at
from ojlang.lsp.positions import contains
from ojlang.lsp.variables import BUILTINS, fields
from ojlang.parser import ast
from ojlang.parser.tomltree import TTable
from ojlang.validator.model import SHARED_KINDS
from ojlang.validator.sites import RESPONSE_VERBS, RULE_VERBS

KEY = "key"
TABLE = "table"
VALUE = "value"
REFERENCE = "reference"
VARIABLE = "variable"

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]*)$")
_ASSIGN = re.compile(r"^\s*((?:[A-Za-z0-9_-]+\s*\.\s*)*[A-Za-z0-9_-]+)\s*=\s*(.*)$")
_BARE_KEY = re.compile(r"^\s*([A-Za-z0-9_-]*)$")
_INLINE_KEY = re.compile(r"\{(?:[^{}]*,)?\s*([A-Za-z0-9_-]*)$")
_INLINE_VALUE = re.compile(r"\{(?:[^{}]*,)?\s*([A-Za-z0-9_-]+)\s*=\s*([^,{}]*)$")
_DEFINITION = re.compile(r"^\s*\[\s*([a-z]+)\s*\.\s*([A-Za-z0-9_-]+)\s*[\].]")
_PHASE_NAME = re.compile(r"""^\s*name\s*=\s*["']([A-Za-z0-9_-]+)["']""")
_ARRAY_TABLES = ("pipeline.NAME.phase", "strategy.NAME.attempt", "notify.rule")


@attrs.frozen
class Item:
    label: str
    kind: str
    detail: str = ""
    documentation: str = ""


def complete(analysis: Analysis, line: int, col: int) -> list[Item]:
    lines = analysis.text.split("\n")
    if not 0 < line <= len(lines):
        return []
    before = lines[line - 1][: col - 1]
    header = _HEADER.match(before)
    if header is not None:
        return _headers(header.group(1), header.group(2))
    table, header_line = table_path_at(lines, line)
    assign = _ASSIGN.match(before)
    if assign is not None:
        path = (*table, *(p.strip() for p in assign.group(1).split(".")))
        value = assign.group(2)
        inline_value = _INLINE_VALUE.search(value)
        if inline_value is not None:
            return _values(
                analysis, lines, line, col, (*path, inline_value.group(1)), inline_value.group(2)
            )
        inline_key = _INLINE_KEY.search(value)
        if inline_key is not None and not _in_string(value):
            return _keys(path, set(re.findall(r"([A-Za-z0-9_-]+)\s*=", value)))
        return _values(analysis, lines, line, col, path, value)
    if _BARE_KEY.match(before):
        return _keys(table, keys_in_table(lines, header_line, line))
    return []


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


def _keys(path: Sequence[str | int], present: set[str]) -> list[Item]:
    out = []
    for key, node in keys.table_keys(path).items():
        if key in present:
            continue
        text = str(node.get("description", ""))
        out.append(Item(key, KEY, _first_sentence(text), text))
    return out


def _headers(brackets: str, prefix: str) -> list[Item]:
    parts = prefix.split(".")
    if brackets == "[[":
        return [Item(name, TABLE, "array of tables") for name in _ARRAY_TABLES]
    if len(parts) == 1:
        return [
            Item(name, TABLE, _first_sentence(keys.description((name,)) or ""))
            for name in ast.TOP_LEVEL
        ]
    if len(parts) == 3 and parts[0] in ast.PRIMITIVES:
        out = []
        for key, node in keys.table_keys(parts[:2]).items():
            subs = keys.lookup((*parts[:2], key))
            if any("$ref" in f.node or f.node.get("type") == "object" for f in subs):
                out.append(Item(key, TABLE, _first_sentence(str(node.get("description", "")))))
        return out
    return []


def _in_string(value: str) -> bool:
    """Whether the text of a value ends inside a string."""
    quote: str | None = None
    index = 0
    while index < len(value):
        char = value[index]
        if quote is None and char in "\"'":
            quote = char
        elif quote == '"' and char == "\\":
            index += 1
        elif char == quote:
            quote = None
        index += 1
    return quote is not None


def _values(
    analysis: Analysis,
    lines: Sequence[str],
    line: int,
    col: int,
    path: Sequence[str | int],
    value: str,
) -> list[Item]:
    inside = _in_string(value)
    if inside:
        text = value[max(value.rfind('"'), value.rfind("'")) + 1 :]
        opened = text.rfind("{")
        if opened > text.rfind("}"):
            return _variables(analysis, line, col, text[opened + 1 :])
    quote = "" if inside else '"'
    out: list[Item] = []
    kinds = keys.ref_kinds(path)
    if kinds:
        out += [Item(f"{quote}{n}{quote}", REFERENCE, d) for n, d in _references(analysis, kinds)]
        verbs = RESPONSE_VERBS if "response" in path else RULE_VERBS if "then" in path else ()
        if kinds == ("action",):
            out += [Item(f"{quote}{v}{quote}", VALUE, "verb") for v in verbs]
    if keys.is_phase_field(path):
        names = _phases(lines, line)
        out += [Item(f"{quote}{n}{quote}", REFERENCE, "phase") for n in names]
        out += [Item(f"{quote}{n}{quote}", VALUE, "terminal") for n in ("done", "failed")]
    out += [Item(f"{quote}{v}{quote}", VALUE) for v in keys.values(path)]
    if not inside and not value.strip():
        for found in keys.lookup(path):
            if found.node.get("type") == "boolean":
                out += [Item("true", VALUE), Item("false", VALUE)]
                break
    return out


def _references(analysis: Analysis, kinds: Iterable[str]) -> list[tuple[str, str]]:
    """Names a reference of `kinds` may use, with a detail: local names first."""
    out: dict[str, str] = {}
    local = _local_definitions(analysis.text)
    own = analysis.file.stem
    for kind in kinds:
        for name in local.get(kind, ()):
            out.setdefault(name, kind)
    for book, runbook in analysis.model.runbooks.items():
        if book == own:
            continue
        for kind in kinds:
            for name in runbook.of(kind):
                if kind in SHARED_KINDS:
                    out.setdefault(name, f"{kind} in runbook {book}")
                out.setdefault(f"{book}.{kind}.{name}", f"{kind} in runbook {book}")
    return list(out.items())


def _local_definitions(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in text.split("\n"):
        match = _DEFINITION.match(line)
        if match is not None and match.group(1) in ast.PRIMITIVES:
            names = out.setdefault(match.group(1), [])
            if match.group(2) not in names:
                names.append(match.group(2))
    return out


def _phases(lines: Sequence[str], line: int) -> list[str]:
    """Phase names of the pipeline whose phase holds `line` (from the text)."""
    table, _ = table_path_at(lines, line)
    if len(table) < 2:
        return []
    prefix = re.compile(rf"^\s*\[\[\s*pipeline\s*\.\s*{re.escape(table[1])}\s*\.\s*phase\s*\]\]")
    out: list[str] = []
    inside = False
    for text in lines:
        if text.lstrip().startswith("["):
            inside = bool(prefix.match(text))
            continue
        match = _PHASE_NAME.match(text)
        if inside and match is not None and match.group(1) not in out:
            out.append(match.group(1))
    return out


def _variables(analysis: Analysis, line: int, col: int, typed: str) -> list[Item]:
    """Variables in scope of the template field at the cursor; `typed` follows the `{`."""
    names: dict[str, str] = {}
    runbook = analysis.runbook
    found_field = False
    for field in fields(analysis):
        if field.node is None or not contains(field.node.span, line, col):
            continue
        found_field = True
        for use in field.uses:
            scope = use.parts.build()
            for name, vtype in scope.names.items():
                names.setdefault(name, vtype.kind)
    if not found_field:
        names = {name: "builtin" for name in BUILTINS}
    if typed.startswith("config.") and runbook is not None and isinstance(runbook.config, TTable):
        return [Item(k, VARIABLE, "config key") for k in runbook.config.entries]
    return [Item(name, VARIABLE, kind, BUILTINS.get(name, "")) for name, kind in names.items()]
