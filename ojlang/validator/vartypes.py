"""Static types of variables (LANGUAGE.md §4.8, §5.2): TOML values and declared field types
in, `VType`s out; and the walk of a path such as `config.db.host` along them (OJ302, OJ312).

A `VType` is what the checker knows about a value: a scalar kind, a list, `any`, or an object
whose fields are known (`config`, `args`, typed records, items of queues with `fields`) or
open (`env`, untyped items and records).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ojlang import rec
from ojlang.parser.mini import suggestion
from ojlang.parser.tomltree import (
    DateTimeKind,
    TArray,
    TBool,
    TDateTime,
    TFloat,
    TInteger,
    TString,
    TTable,
    Value,
)

# -- types ------------------------------------------------------------------------------------

SCALARS = frozenset({"string", "int", "float", "bool", "duration", "timestamp"})


@rec.frozen(eq=False)
class VType:
    """A static type: `kind` per §4.8; objects know their `fields` (None: any field, each of
    type `values`); `noun` names a field in messages (`key` of `config`, `argument` of `args`)."""

    kind: str
    fields: Mapping[str, VType] | None = None
    values: VType | None = None
    noun: str = "field"

    @property
    def is_scalar(self) -> bool:
        return self.kind in SCALARS

    @property
    def closed(self) -> bool:
        return self.kind == "object" and self.fields is not None

    def field(self, name: str) -> VType | None:
        """The type of field `name` of an object; None when the object is closed without it."""
        if self.fields is None:
            return self.values or ANY
        return self.fields.get(name)


ANY = VType("any")
STRING = VType("string")
INT = VType("int")
BOOL = VType("bool")
DURATION = VType("duration")
TIMESTAMP = VType("timestamp")
LIST = VType("list")
OPEN = VType("object")
ENV = VType("object", None, STRING, "variable")
EVENT = VType("object", {"name": STRING, "subject": STRING, "time": TIMESTAMP})
_NAMED = {t.kind: t for t in (ANY, STRING, INT, VType("float"), BOOL, TIMESTAMP, LIST, OPEN)}


def named_type(name: str) -> VType:
    """The type of a declared queue field type name (`string`, `int`, …, `any`)."""
    return _NAMED.get(name, ANY)


def value_type(node: Value, noun: str = "key") -> VType:
    """The type of a TOML value; tables are objects with known keys."""
    if isinstance(node, TString):
        return STRING
    if isinstance(node, TBool):
        return BOOL
    if isinstance(node, TInteger):
        return INT
    if isinstance(node, TFloat):
        return _NAMED["float"]
    if isinstance(node, TDateTime):
        return TIMESTAMP if node.kind is DateTimeKind.OFFSET_DATETIME else STRING
    if isinstance(node, TArray):
        return LIST
    return table_type(node, noun)


def table_type(table: TTable | None, noun: str = "key") -> VType:
    entries = {} if table is None else table.entries
    return VType("object", {k: value_type(e.value, noun) for k, e in entries.items()}, noun=noun)


# -- path walking (OJ302, OJ312) ----------------------------------------------------------------


@rec.frozen
class FieldIssue:
    """Why segment `index` of a path cannot be read."""

    code: str
    index: int
    message: str
    label: str
    help: str | None = None


_ARTICLE = {"int": "an int", "object": "an object", "any": "a value"}


def article(kind: str) -> str:
    return _ARTICLE.get(kind, f"a {kind}")


def segment_text(seg: str | int) -> str:
    """`.name`, `["a-b"]` or `[0]`, as the segment would be written in a path."""
    if isinstance(seg, int):
        return f"[{seg}]"
    return f".{seg}" if seg.isidentifier() else '["' + seg.replace('"', '\\"') + '"]'


def walk_path(
    root: str, root_type: VType, segments: Sequence[str | int]
) -> tuple[VType, FieldIssue | None]:
    """Follow `segments` from `root`; the type reached, or the first problem on the way."""
    current = root_type
    shown = root
    for index, seg in enumerate(segments):
        if current.is_scalar:
            what = "element" if isinstance(seg, int) else "field"
            text = f"[{seg}]" if isinstance(seg, int) else seg
            return ANY, FieldIssue(
                "OJ312",
                index,
                f"`{shown}` is {article(current.kind)} and has no {what} `{text}`",
                f"{article(current.kind)} has no {what}s",
            )
        if current.kind == "object" and isinstance(seg, str):
            found = current.field(seg)
            if found is None:
                assert current.fields is not None
                return ANY, FieldIssue(
                    "OJ302",
                    index,
                    f"`{shown}` has no {current.noun} `{seg}`",
                    f"unknown {current.noun}",
                    suggestion(seg, current.fields, current.noun),
                )
            current = found
        elif current.kind == "list" and isinstance(seg, int):
            current = ANY
        else:
            current = ANY
        shown += segment_text(seg)
    return current, None
