"""Field kinds and the small value nodes of the runbook AST (TOML nodes plus parsed meaning).

Every field of a primitive (LANGUAGE.md §3) declares its kind through field metadata
(`spec(...)`); the AST builder reads those specs to check types and parse mini-languages, and
the JSON-schema generator reads them too, so the field table has one source of truth.
A value node keeps the TOML node it came from (for spans and source maps) beside the parsed
value; a parsed value is `None` when its string did not parse (the diagnostic says why).
"""

from __future__ import annotations

import enum
from typing import Any

from ojlang import rec
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import Key, TArray, TString, TTable, Value


class Kind(enum.Enum):
    STRING = "string"  # plain string
    NAME = "name"  # §1.2 primitive/phase/attempt name
    VARIABLE = "variable"  # §1.2 variable name
    INT = "int"  # integer, >= `minimum`
    BOOL = "bool"
    DURATION = "duration"  # §4.3; `zero_ok` allows "0s"
    TEXT = "text"  # text template (§4.1, no escaping)
    SHELL = "shell"  # shell template (§4.1.4)
    JINJA = "jinja"  # Jinja template (§4.2)
    EXPR = "expr"  # expression (§4.8)
    PATTERN = "pattern"  # event pattern (§4.7)
    REF = "ref"  # reference (§1.4)
    CHAIN = "chain"  # recovery/action chain (§4.5), a string or an array of strings
    WORD = "word"  # a one-word chain context (§4.5)
    ON_FAIL = "on_fail"  # §4.6
    ORDER = "order"  # §4.9
    ARGS = "args"  # §4.4
    ENUM = "enum"  # one of `choices`
    ANY = "any"  # any TOML value, kept as is
    LIST = "list"  # array of `item`
    MAP = "map"  # table name -> `item`
    TABLE = "table"  # sub-table of class `cls`
    TABLES = "tables"  # array of tables of class `cls`
    CUSTOM = "custom"  # built by a dedicated function of the builder (`custom` names it)


@rec.frozen
class FieldSpec:
    kind: Kind
    required: bool = False
    minimum: int | None = None
    zero_ok: bool = False
    choices: tuple[str, ...] = ()
    context: str = ""  # chain context (§4.5) or custom builder name
    item: FieldSpec | None = None
    cls: type | None = None
    doc: str = ""


SPEC_KEY = "ojspec"


def spec(kind: Kind, doc: str = "", **options: Any) -> Any:
    """A record field described by a FieldSpec; optional fields default to None (lists: ())."""
    fs = FieldSpec(kind, doc=doc, **options)
    default: Any = () if kind is Kind.LIST or kind is Kind.TABLES else None
    return rec.field(default=default, metadata={SPEC_KEY: fs})


def spec_item(kind: Kind, **options: Any) -> FieldSpec:
    """The spec of a list or map element."""
    return FieldSpec(kind, **options)


def field_spec(field: rec.Attribute) -> FieldSpec | None:
    found = field.metadata.get(SPEC_KEY)
    return found if isinstance(found, FieldSpec) else None


# -- value nodes --------------------------------------------------------------------------


@rec.frozen
class Tmpl:
    """A template field (text or shell): its string and the scanned template (§4.1)."""

    node: TString
    template: Any  # ojlang.parser.interpolation.Template
    shell: bool


@rec.frozen
class Dur:
    node: TString
    duration: Any  # ojlang.parser.durations.Duration | None

    @property
    def ms(self) -> int | None:
        return None if self.duration is None else int(self.duration.ms)


@rec.frozen
class Parsed:
    """A mini-language string (expression, pattern, on_fail, order, args) and its AST."""

    node: TString
    ast: Any  # None when the string did not parse


@rec.frozen
class Ref:
    """A reference (§1.4): its text and span (a whole string, or part of one), split at dots."""

    text: str
    span: Span
    node: TString = rec.field(eq=False, repr=False)

    @classmethod
    def of(cls, node: TString) -> Ref:
        return cls(node.value, node.span, node)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.text.split("."))


@rec.frozen
class ChainItem:
    node: TString
    word: Any  # ojlang.parser.chains.ChainWord | None


@rec.frozen
class Chain:
    """A chain as written: one string or an array of strings, each parsed into a word."""

    items: tuple[ChainItem, ...]
    span: Span
    array: bool


@rec.frozen
class MapEntry:
    key: Key
    value: Any


@rec.frozen
class MapField:
    node: TTable
    entries: tuple[MapEntry, ...]


def span_of(value: Value | Tmpl | Dur | Parsed | Ref | Chain | TArray) -> Span:
    """The span of any value node."""
    if isinstance(value, Ref):
        return value.span
    if isinstance(value, (Tmpl, Dur, Parsed)):
        return value.node.span
    return value.span
