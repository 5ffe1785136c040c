"""The TOML tree: TOML values where every table, key and value carries a `Span`.

Produced by `ojlang.parser.toml.parse_toml` (text in, `TomlDocument` out) and consumed by the
runbook AST builder. Values mirror TOML 1.0 types; `plain()` turns a node into the same
Python values `tomllib` gives, `tagged()` into toml-test's tagged JSON.

Table spans: a table defined by a header spans the header (`[a.b]`); an array-of-tables
element spans its `[[a.b]]` header; an inline table spans its braces; a table created
implicitly (by a dotted key or a sub-table header) takes the span of the first key that
created it (LANGUAGE.md §2.2).
"""

from __future__ import annotations

import enum
import math
from typing import TYPE_CHECKING, Any, TypeAlias

from ojlang import rec
from ojlang.parser.spans import SourceMap, Span, StringStyle

if TYPE_CHECKING:
    import datetime as dt


@rec.frozen(slots=True)
class Key:
    """One part of a (possibly dotted) key, with its own span."""

    name: str
    span: Span


@rec.frozen(slots=True)
class TString:
    value: str
    span: Span
    style: StringStyle
    source_map: SourceMap = rec.field(eq=False, repr=False)


@rec.frozen(slots=True)
class TInteger:
    value: int
    span: Span


@rec.frozen(slots=True)
class TFloat:
    value: float
    span: Span


@rec.frozen(slots=True)
class TBool:
    value: bool
    span: Span


class DateTimeKind(enum.Enum):
    OFFSET_DATETIME = "datetime"
    LOCAL_DATETIME = "datetime-local"
    LOCAL_DATE = "date-local"
    LOCAL_TIME = "time-local"


@rec.frozen(slots=True)
class TDateTime:
    value: dt.datetime | dt.date | dt.time
    span: Span
    kind: DateTimeKind
    text: str


class TableOrigin(enum.Enum):
    ROOT = "root"
    HEADER = "header"  # [a.b]
    ARRAY_ELEMENT = "array_element"  # [[a.b]]
    IMPLICIT = "implicit"  # created by a dotted key or a sub-table header
    DOTTED = "dotted"  # created by a dotted key (a.b = 1)
    INLINE = "inline"  # { ... }


@rec.frozen(slots=True)
class Entry:
    """A key of a table and its value; `key.span` is the last part of the key as written."""

    key: Key
    value: Value


@rec.define(slots=True, eq=False)
class TTable:
    """A table; `entries` keeps insertion (file) order."""

    span: Span
    origin: TableOrigin
    entries: dict[str, Entry] = rec.field(factory=dict)

    def get(self, name: str) -> Value | None:
        entry = self.entries.get(name)
        return entry.value if entry is not None else None


class ArrayOrigin(enum.Enum):
    INLINE = "inline"  # [ ... ]
    TABLES = "tables"  # [[a.b]] headers


@rec.define(slots=True, eq=False)
class TArray:
    span: Span
    origin: ArrayOrigin
    items: list[Value] = rec.field(factory=list)


Value: TypeAlias = TString | TInteger | TFloat | TBool | TDateTime | TArray | TTable
Scalar: TypeAlias = TString | TInteger | TFloat | TBool | TDateTime


@rec.frozen(slots=True)
class Comment:
    """A `# …` comment; `text` excludes the `#`. `own_line` when nothing precedes it."""

    text: str
    span: Span
    own_line: bool


@rec.frozen(slots=True)
class TomlDocument:
    path: str
    source: str
    root: TTable
    comments: tuple[Comment, ...]


def type_name(node: Value) -> str:
    """A short English name of a node's TOML type, for messages ("found integer `100`")."""
    if isinstance(node, TString):
        return "string"
    if isinstance(node, TBool):
        return "boolean"
    if isinstance(node, TInteger):
        return "integer"
    if isinstance(node, TFloat):
        return "float"
    if isinstance(node, TDateTime):
        return "date-time" if node.kind is DateTimeKind.OFFSET_DATETIME else "local date/time"
    if isinstance(node, TArray):
        return "array"
    return "table"


def plain(node: Value) -> Any:
    """The plain Python value, exactly as `tomllib` would give it."""
    if isinstance(node, TTable):
        return {name: plain(entry.value) for name, entry in node.entries.items()}
    if isinstance(node, TArray):
        return [plain(item) for item in node.items]
    return node.value


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def tagged(node: Value) -> Any:
    """toml-test's tagged JSON form of a node."""
    if isinstance(node, TTable):
        return {name: tagged(entry.value) for name, entry in node.entries.items()}
    if isinstance(node, TArray):
        return [tagged(item) for item in node.items]
    if isinstance(node, TString):
        return {"type": "string", "value": node.value}
    if isinstance(node, TBool):
        return {"type": "bool", "value": "true" if node.value else "false"}
    if isinstance(node, TInteger):
        return {"type": "integer", "value": str(node.value)}
    if isinstance(node, TFloat):
        return {"type": "float", "value": _float_text(node.value)}
    return {"type": node.kind.value, "value": node.value.isoformat()}
