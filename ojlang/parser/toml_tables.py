"""Parsed statements in, the table tree out: where each key goes, and OJ002 when it clashes.

Theory of operation. Statements arrive in file order: key/value pairs (possibly dotted) and
`[header]` / `[[header]]` lines. A header opens a *section*; later pairs land in its table.
The rules are TOML 1.0's, decided exactly as `tomllib` decides them:

- a header may open a table that so far exists only implicitly (created by a longer header),
  never one defined by another header, by dotted keys, or inline;
- a dotted key may walk through tables it created itself in the current section, and through
  implicit tables, but not into a table defined by a header or inline, nor an array;
- tables walked by dotted keys are closed to headers once the section ends (`pending`);
- `[[a]]` appends to an array of tables, never to an array written as `a = [...]`;
- inline tables and inline arrays are complete once written.

Spans (LANGUAGE.md §2.2): a header table spans its header; a table created implicitly by a
longer header spans that header; a table created by a dotted key spans the part of the key
that names it (`a.b` in `a.b.c = 1`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NoReturn

from ojlang.parser.spans import Span
from ojlang.parser.toml_source import Source
from ojlang.parser.toml_values import fail
from ojlang.parser.tomltree import (
    ArrayOrigin,
    Entry,
    Key,
    TableOrigin,
    TArray,
    TTable,
    Value,
    type_name,
)
from ojlang.validator.diagnostic import Label

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_FIRST = "first defined here"


class Header:
    """A `[a.b]` or `[[a.b]]` line: its key parts and the span of the whole header."""

    __slots__ = ("array", "keys", "span")

    def __init__(self, keys: tuple[Key, ...], span: Span, array: bool) -> None:
        self.keys = keys
        self.span = span
        self.array = array


def key_text(names: Sequence[str]) -> str:
    """A key path as it would be written: bare parts plain, others quoted."""
    if all(_BARE.fullmatch(n) for n in names):
        return ".".join(names)
    import json

    return ".".join(n if _BARE.fullmatch(n) else json.dumps(n, ensure_ascii=False) for n in names)


def _names(keys: Sequence[Key]) -> list[str]:
    return [k.name for k in keys]


def _a(node: Value) -> str:
    name = type_name(node)
    if isinstance(node, TTable) and node.origin is TableOrigin.INLINE:
        name = "inline table"
    return ("an " if name[0] in "aeiou" else "a ") + name


def _first(entry: Entry) -> tuple[Label, ...]:
    value = entry.value
    table = isinstance(value, TTable) and value.origin is not TableOrigin.INLINE
    tables = isinstance(value, TArray) and value.origin is ArrayOrigin.TABLES
    span = value.span if table or tables else entry.key.span
    return (Label(span, _FIRST),)


def _span_of(keys: Sequence[Key]) -> Span:
    return keys[0].span.cover(keys[-1].span)


class DocumentBuilder:
    """Adds statements to a root table, one at a time, raising `TomlError` on OJ002."""

    __slots__ = ("current", "explicit", "pending", "root", "section", "section_path", "src")

    def __init__(self, src: Source, root_span: Span) -> None:
        self.src = src
        self.root = TTable(root_span, TableOrigin.ROOT)
        self.current = self.root
        self.section = "at the top level"
        self.section_path: list[str] = []
        self.explicit: set[int] = set()  # ids of tables no header may open
        self.pending: list[TTable] = []  # walked by dotted keys in the current section

    # -- key/value pairs -------------------------------------------------------------------

    def add_one(self, key: Key, value: Value) -> None:
        """`add_pair` for a key of one part (the common case, kept short)."""
        entries = self.current.entries
        if key.name in entries:
            self.add_pair((key,), value)  # reports the clash
        entries[key.name] = Entry(key, value)

    def add_pair(self, keys: tuple[Key, ...], value: Value) -> None:
        table = self.current
        if len(keys) > 1:
            for depth in range(len(keys) - 1):
                key = keys[depth]
                entry = table.entries.get(key.name)
                if entry is None:
                    child = TTable(_span_of(keys[: depth + 1]), TableOrigin.DOTTED)
                    table.entries[key.name] = Entry(key, child)
                    self.pending.append(child)
                    table = child
                    continue
                found = entry.value
                if (
                    isinstance(found, TTable)
                    and found.origin in (TableOrigin.IMPLICIT, TableOrigin.DOTTED)
                    and id(found) not in self.explicit
                ):
                    self.pending.append(found)
                    table = found
                    continue
                self._dotted_clash(keys, depth, entry)
        last = keys[-1]
        clash = table.entries.get(last.name)
        if clash is not None:
            fail(
                "OJ002",
                f"key `{key_text(_names(keys))}` is defined twice {self.section}",
                last.span,
                "defined again",
                labels=_first(clash),
            )
        table.entries[last.name] = Entry(last, value)

    def _dotted_clash(self, keys: tuple[Key, ...], depth: int, entry: Entry) -> NoReturn:
        found = entry.value
        path = key_text(self.section_path + _names(keys[: depth + 1]))
        dotted = key_text(_names(keys))
        span = keys[depth].span
        if isinstance(found, TTable):
            if found.origin is TableOrigin.INLINE:
                fail(
                    "OJ002",
                    f"dotted key `{dotted}` adds to inline table `{path}`",
                    span,
                    "inline table",
                    help="an inline table is complete once written; put the key inside its braces",
                    labels=_first(entry),
                )
            if found.origin is TableOrigin.HEADER:
                rest = key_text(_names(keys[depth + 1 :]))
                fail(
                    "OJ002",
                    f"dotted key `{dotted}` adds to table `[{path}]`, which has its own header",
                    span,
                    "table defined by a header",
                    help=f"put `{rest} = …` under `[{path}]`",
                    labels=_first(entry),
                )
            fail(
                "OJ002",
                f"dotted key `{dotted}` adds to table `{path}`, which is already defined",
                span,
                "table defined elsewhere",
                help="add the keys where the table is first defined",
                labels=_first(entry),
            )
        fail(
            "OJ002",
            f"dotted key `{dotted}` needs a table at `{path}`, which is already {_a(found)}",
            span,
            "not a table",
            labels=_first(entry),
        )

    # -- headers ---------------------------------------------------------------------------

    def add_header(self, header: Header) -> None:
        for table in self.pending:
            self.explicit.add(id(table))
        self.pending.clear()
        keys = header.keys
        parent = self._walk(header)
        last = keys[-1]
        entry = parent.entries.get(last.name)
        path = key_text(_names(keys))
        self.section_path = _names(keys)
        if header.array:
            self.section = f"in `[[{path}]]`"
            if entry is None:
                tables = TArray(header.span, ArrayOrigin.TABLES)
                parent.entries[last.name] = Entry(last, tables)
            elif isinstance(entry.value, TArray) and entry.value.origin is ArrayOrigin.TABLES:
                tables = entry.value
            else:
                self._array_clash(header, entry, path)
            element = TTable(header.span, TableOrigin.ARRAY_ELEMENT)
            tables.items.append(element)
            self.current = element
            return
        self.section = f"in `[{path}]`"
        if entry is None:
            table = TTable(header.span, TableOrigin.HEADER)
            parent.entries[last.name] = Entry(last, table)
        else:
            found = entry.value
            if (
                not isinstance(found, TTable)
                or found.origin is not TableOrigin.IMPLICIT
                or id(found) in self.explicit
            ):
                self._table_clash(header, entry, path)
            # An implicit table now gets its definition: the header's span and key.
            table = found
            table.origin = TableOrigin.HEADER
            table.span = header.span
            parent.entries[last.name] = Entry(last, table)
        self.explicit.add(id(table))
        self.current = table

    def _walk(self, header: Header) -> TTable:
        """The table that will hold the header's last key, creating implicit tables."""
        table = self.root
        keys = header.keys
        for depth in range(len(keys) - 1):
            key = keys[depth]
            entry = table.entries.get(key.name)
            if entry is None:
                child = TTable(header.span, TableOrigin.IMPLICIT)
                table.entries[key.name] = Entry(key, child)
                table = child
                continue
            found = entry.value
            if isinstance(found, TTable) and found.origin is not TableOrigin.INLINE:
                table = found
                continue
            if isinstance(found, TArray) and found.origin is ArrayOrigin.TABLES:
                last = found.items[-1]
                assert isinstance(last, TTable)
                table = last
                continue
            self._walk_clash(header, depth, entry)
        return table

    def _walk_clash(self, header: Header, depth: int, entry: Entry) -> NoReturn:
        found = entry.value
        path = key_text(_names(header.keys[: depth + 1]))
        shown = _shown(header)
        span = header.keys[depth].span
        if isinstance(found, TTable):
            fail(
                "OJ002",
                f"header `{shown}` adds to inline table `{path}`",
                span,
                "inline table",
                help="an inline table is complete once written; put the keys inside its braces",
                labels=_first(entry),
            )
        if isinstance(found, TArray):
            fail(
                "OJ002",
                f"header `{shown}` adds to static array `{path}`",
                span,
                "static array",
                help=f"an array written as `{path} = [...]` cannot be extended by headers",
                labels=_first(entry),
            )
        fail(
            "OJ002",
            f"header `{shown}` needs a table at `{path}`, which is already {_a(found)}",
            span,
            "not a table",
            labels=_first(entry),
        )

    def _table_clash(self, header: Header, entry: Entry, path: str) -> NoReturn:
        found = entry.value
        span = header.keys[-1].span
        labels = _first(entry)
        if isinstance(found, TTable):
            if found.origin is TableOrigin.INLINE:
                fail(
                    "OJ002",
                    f"table `[{path}]` is already defined as an inline table",
                    span,
                    "defined again",
                    help="keep one definition: the inline table or the header",
                    labels=labels,
                )
            if found.origin is TableOrigin.HEADER:
                fail(
                    "OJ002",
                    f"table `[{path}]` is defined twice",
                    span,
                    "defined again",
                    help=f"merge the keys into the first `[{path}]`",
                    labels=labels,
                )
            fail(
                "OJ002",
                f"table `[{path}]` is already defined by dotted keys",
                span,
                "defined again",
                help="define this table either with dotted keys or with its header, not both",
                labels=labels,
            )
        if isinstance(found, TArray) and found.origin is ArrayOrigin.TABLES:
            fail(
                "OJ002",
                f"table `[{path}]` clashes with the array of tables `[[{path}]]`",
                span,
                "defined again",
                help=f"write `[[{path}]]` to add an element",
                labels=labels,
            )
        fail(
            "OJ002",
            f"table `[{path}]` redefines key `{path}`, which is already {_a(found)}",
            span,
            "defined again",
            labels=labels,
        )

    def _array_clash(self, header: Header, entry: Entry, path: str) -> NoReturn:
        found = entry.value
        span = header.keys[-1].span
        if isinstance(found, TArray):
            fail(
                "OJ002",
                f"`[[{path}]]` appends to static array `{path}`",
                span,
                "static array",
                help=f"define `{path}` either as `{path} = [...]` or with `[[{path}]]`, not both",
                labels=_first(entry),
            )
        fail(
            "OJ002",
            f"array of tables `[[{path}]]` redefines `{path}`, which is already {_a(found)}",
            span,
            "defined again",
            labels=_first(entry),
        )


def _shown(header: Header) -> str:
    path = key_text(_names(header.keys))
    return f"[[{path}]]" if header.array else f"[{path}]"


def build_inline(span: Span, pairs: Sequence[tuple[tuple[Key, ...], Value]]) -> TTable:
    """An inline table `{ … }` from its pairs; dotted keys build tables inside it."""
    table = TTable(span, TableOrigin.INLINE)
    for keys, value in pairs:
        target = table
        for depth in range(len(keys) - 1):
            key = keys[depth]
            entry = target.entries.get(key.name)
            if entry is None:
                child = TTable(_span_of(keys[: depth + 1]), TableOrigin.DOTTED)
                target.entries[key.name] = Entry(key, child)
                target = child
                continue
            found = entry.value
            if isinstance(found, TTable) and found.origin is TableOrigin.DOTTED:
                target = found
                continue
            path = key_text(_names(keys[: depth + 1]))
            fail(
                "OJ002",
                f"dotted key `{key_text(_names(keys))}` needs a table at `{path}`, "
                f"which is already {_a(found)}",
                key.span,
                "not a table",
                help="an inline table is complete once written; put the key inside its braces"
                if isinstance(found, TTable)
                else None,
                labels=_first(entry),
            )
        last = keys[-1]
        clash = target.entries.get(last.name)
        if clash is not None:
            fail(
                "OJ002",
                f"key `{key_text(_names(keys))}` is defined twice in an inline table",
                last.span,
                "defined again",
                labels=_first(clash),
            )
        target.entries[last.name] = Entry(last, value)
    return table
