"""A cursor in a runbook in, what stands under it out: a key and its path, a string value and
its decoded offset, or (from the text alone, for documents that do not parse) the table whose
lines hold the cursor.

Key paths are TOML paths: `("pipeline", "ship", "phase", 0, "run")`. The TOML tree gives exact
spans for keys and values; table headers after the first one of a table are read from the
text, since the tree keeps only the key that created each table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import attrs

from ojlang.lsp.positions import contains
from ojlang.parser.tomltree import Key, TArray, TString, TTable, Value

PathPart = str | int
HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]#]*?)\s*\]\]?\s*(?:#.*)?$")


@attrs.frozen
class KeyHit:
    path: tuple[PathPart, ...]
    key: Key | None  # None for a part of a header read from the text
    start: int = 0  # header part: code-point columns (1-based, end exclusive)
    end: int = 0


@attrs.frozen
class StringHit:
    path: tuple[PathPart, ...]
    node: TString
    offset: int  # decoded offset of the character under the cursor


def walk(
    table: TTable, path: tuple[PathPart, ...] = ()
) -> Iterator[tuple[tuple[PathPart, ...], Key | None, Value]]:
    """Every key and value below `table`: (path, key, value); array elements have no key."""
    for name, entry in table.entries.items():
        here = (*path, name)
        yield here, entry.key, entry.value
        yield from _walk_value(entry.value, here)


def _walk_value(
    value: Value, path: tuple[PathPart, ...]
) -> Iterator[tuple[tuple[PathPart, ...], Key | None, Value]]:
    if isinstance(value, TTable):
        yield from walk(value, path)
    elif isinstance(value, TArray):
        for index, item in enumerate(value.items):
            yield (*path, index), None, item
            yield from _walk_value(item, (*path, index))


def key_at(root: TTable, source: str, line: int, col: int) -> KeyHit | None:
    """The key under the cursor: a key of the tree, else a part of a header line."""
    for path, key, _value in walk(root):
        if key is not None and contains(key.span, line, col):
            return KeyHit(path, key)
    lines = source.split("\n")
    if 0 < line <= len(lines):
        return header_part(lines[line - 1], col)
    return None


def header_part(text: str, col: int) -> KeyHit | None:
    """The header path up to the part under column `col` of a `[a.b]` / `[[a.b]]` line."""
    match = HEADER.match(text)
    if match is None:
        return None
    start = match.start(2)
    parts: list[str] = []
    for raw in re.finditer(r"[^.]+", match.group(2)):
        name = raw.group(0).strip()
        parts.append(name.strip("\"'"))
        a, b = start + raw.start() + 1, start + raw.end() + 1
        if a <= col <= b:
            return KeyHit(tuple(parts), None, a, b)
    return None


def string_at(root: TTable, line: int, col: int) -> StringHit | None:
    """The string value under the cursor and the decoded offset there."""
    for path, _key, value in walk(root):
        if isinstance(value, TString) and contains(value.span, line, col):
            return StringHit(path, value, decoded_offset(value, line, col))
    return None


def decoded_offset(node: TString, line: int, col: int) -> int:
    """The decoded offset of the character at (`line`, `col`) of a string value."""
    source_map = node.source_map
    size = len(source_map.decoded)
    best = 0
    for offset in range(size + 1):
        pos = source_map.pos(offset)
        if (pos.line, pos.col) <= (line, col):
            best = offset
        else:
            break
    return min(best, size)


def word_at(text: str, offset: int, extra: str = ".") -> tuple[str, int, int] | None:
    """The identifier (with `extra` characters, e.g. dots of a path) around `offset`."""
    allowed = re.compile(rf"[A-Za-z0-9_{re.escape(extra)}]")
    a = offset
    while a > 0 and allowed.match(text[a - 1]):
        a -= 1
    b = offset
    while b < len(text) and allowed.match(text[b]):
        b += 1
    word = text[a:b].strip(extra)
    if not word or not re.match(r"[A-Za-z_]", word):
        return None
    return word, a, b


# -- text only: for documents that do not parse ---------------------------------------------------


def table_path_at(lines: Sequence[str], line: int) -> tuple[tuple[str, ...], int]:
    """The header path governing 1-based `line` (empty at the top) and the header's line."""
    for index in range(min(line, len(lines)) - 1, -1, -1):
        match = HEADER.match(lines[index])
        if match is not None and index != line - 1:
            names = tuple(p.strip().strip("\"'") for p in match.group(2).split("."))
            return names, index + 1
    return (), 0


def keys_in_table(lines: Sequence[str], header_line: int, line: int) -> set[str]:
    """Keys already written in the table that starts at `header_line`."""
    out: set[str] = set()
    for index in range(header_line, len(lines)):
        if HEADER.match(lines[index]):
            break
        match = re.match(r"^\s*([A-Za-z0-9_-]+)\s*[.=]", lines[index])
        if match and index + 1 != line:
            out.add(match.group(1))
    return out
