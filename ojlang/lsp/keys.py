"""A key path (`("task", "coder", "timeout")`) in, what the runbook schema says about it out.

Hover and key completion read the generated JSON schema (`ojlang.schema`), so an editor with
`oj lsp` and one with only the schema describe keys with the same words. Paths are TOML key
paths; integers index arrays of tables, and a name applied to an array of tables steps into
its elements (a `[[pipeline.ship.phase]]` header has no index).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import attrs

from ojlang import schema
from ojlang.parser import ast

PathPart = str | int


@attrs.frozen
class Found:
    """A schema node reached by a path; `owner` names the table class holding the last key."""

    node: dict[str, Any]
    owner: str | None


@functools.cache
def document() -> dict[str, Any]:
    return schema.generate()


def _expand(node: dict[str, Any], owner: str | None) -> list[Found]:
    """`node` with `$ref` followed and `anyOf` spread: the concrete alternatives."""
    out: list[Found] = []
    pending = [Found(node, owner)]
    while pending:
        found = pending.pop(0)
        ref = found.node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[1]
            pending.append(Found(document()["definitions"][name], name))
        elif "anyOf" in found.node:
            pending.extend(Found(v, found.owner) for v in found.node["anyOf"])
        else:
            out.append(found)
    return out


def _step(found: Found, part: PathPart) -> list[Found]:
    out: list[Found] = []
    for alt in _expand(found.node, found.owner):
        node = alt.node
        if isinstance(part, int):
            if isinstance(node.get("items"), dict):
                out.append(Found(node["items"], None))
            continue
        if "properties" not in node and isinstance(node.get("items"), dict):
            out.extend(_step(Found(node["items"], None), part))
            continue
        if part in node.get("properties", {}):
            out.append(Found(node["properties"][part], alt.owner))
            continue
        matched = [
            sub
            for pattern, sub in node.get("patternProperties", {}).items()
            if re.match(pattern, part)
        ]
        if matched:
            out.extend(Found(sub, alt.owner) for sub in matched)
        elif isinstance(node.get("additionalProperties"), dict):
            out.append(Found(node["additionalProperties"], alt.owner))
    return out


def lookup(path: Sequence[PathPart]) -> list[Found]:
    """The schema nodes for the value at `path` (several when a typed table has variants)."""
    current = [Found(document(), None)]
    for part in path:
        current = [nxt for found in current for nxt in _step(found, part)]
        if not current:
            return []
    return current


def description(path: Sequence[PathPart]) -> str | None:
    """What the key at the end of `path` means."""
    for found in lookup(path):
        text = found.node.get("description")
        if text:
            return str(text)
        for alt in _expand(found.node, found.owner):
            if alt.node.get("description"):
                return str(alt.node["description"])
    return None


def table_keys(path: Sequence[PathPart]) -> dict[str, dict[str, Any]]:
    """The keys the table at `path` may have, with their schema nodes, in schema order."""
    out: dict[str, dict[str, Any]] = {}
    for found in lookup(path):
        for alt in _expand(found.node, found.owner):
            node = alt.node
            if "properties" not in node and isinstance(node.get("items"), dict):
                node = next(iter(_expand(node["items"], None)), Found({}, None)).node
            for key, sub in node.get("properties", {}).items():
                out.setdefault(key, sub)
    return out


def owner_class(path: Sequence[PathPart]) -> type | None:
    """The AST class of the table holding the last key of `path` (for reference kinds)."""
    for found in lookup(path):
        if found.owner is not None:
            cls = getattr(ast, found.owner, None)
            if isinstance(cls, type):
                return cls
    return None


def ref_kinds(path: Sequence[PathPart]) -> tuple[str, ...]:
    """The definition kinds a reference at `path` may name; empty when it is no reference."""
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return ()
    key = names[-1]
    cls = owner_class(path)
    if cls is not None and (cls, key) in schema.REF_KINDS:
        return schema.REF_KINDS[(cls, key)]
    if key == "name" and len(names) >= 2 and names[-2] == "source":
        return ("queue",)  # the `queue` source type of watchers and scanners
    return ()


def is_phase_field(path: Sequence[PathPart]) -> bool:
    names = [p for p in path if isinstance(p, str)]
    cls = owner_class(path)
    return bool(names) and (cls, names[-1]) in schema.PHASE_FIELDS


def values(path: Sequence[PathPart]) -> list[str]:
    """Fixed values the field at `path` accepts (enumerations and chain words)."""
    out: list[str] = []
    for found in lookup(path):
        for alt in _expand(found.node, found.owner):
            nodes = [alt.node]
            if isinstance(alt.node.get("items"), dict):
                nodes.append(alt.node["items"])
            for node in nodes:
                for value in node.get("enum", ()):
                    if isinstance(value, str) and value and value not in out:
                        out.append(value)
                match = re.match(r"\^\(([a-z_|]+)\)", str(node.get("pattern", "")))
                if match:
                    out.extend(w for w in match.group(1).split("|") if w not in out)
    return out
