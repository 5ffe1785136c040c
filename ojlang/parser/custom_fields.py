"""Fields with more than one form (LANGUAGE.md §3): TOML node -> the AST value of one model.

Where a table accepts two forms (a typed table or a shell string, words or tables), both are
normalised into one internal model here, while diagnostics point at the text as written.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ojlang.parser import ast, minilang
from ojlang.parser.fields import (
    Chain,
    ChainItem,
    FieldSpec,
    Kind,
    MapEntry,
    MapField,
    Tmpl,
    spec_item,
)
from ojlang.parser.mini import suggestion
from ojlang.parser.tomltree import Key, TArray, TBool, TString, TTable, Value

if TYPE_CHECKING:
    from ojlang.parser.builder import Builder, Where

# type -> key -> kind, for each typed-table context. "" is the default type's alias.
TYPED_TABLES: dict[str, dict[str, dict[str, Kind]]] = {
    "guard_condition": ast.GUARD_CONDITIONS,
    "watcher_source": {
        "session": {"pattern": Kind.STRING, "name": Kind.STRING},
        "events": {"pattern": Kind.PATTERN},
        "command": {"command": Kind.SHELL, "pattern": Kind.SHELL},
        "pipelines": {"pattern": Kind.STRING},
        "queue": {"name": Kind.REF},
    },
    "watcher_condition": {
        "idle": {"threshold": Kind.DURATION},
        "exceeds": {"count": Kind.INT},
        "consecutive_failures": {"count": Kind.INT},
        "matches": {"pattern": Kind.STRING},
    },
    "scanner_source": {
        "locks": {},
        "semaphores": {},
        "sessions": {},
        "worktrees": {},
        "pipelines": {},
        "tasks": {},
        "queue": {"name": Kind.REF},
    },
    "scanner_condition": {
        "stale": {"threshold": Kind.DURATION},
        "orphaned": {},
        "exceeded_attempts": {"max": Kind.INT},
        "terminal_for": {"threshold": Kind.DURATION},
        "matches": {"pattern": Kind.STRING},
    },
    "scanner_cleanup": {
        "release": {},
        "delete": {},
        "archive": {"destination": Kind.TEXT},
        "dead_letter": {},
    },
}
# The type an empty or absent `type` stands for.
DEFAULT_TYPES = {
    "watcher_source": "session",
    "watcher_condition": "idle",
    "scanner_source": "locks",
    "scanner_condition": "stale",
    "scanner_cleanup": "release",
}
REQUIRED_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "guard_condition": ast.GUARD_CONDITION_REQUIRED,
    "watcher_source": {"queue": ("name",)},
    "watcher_condition": {"matches": ("pattern",)},
    "scanner_source": {"queue": ("name",)},
    "scanner_condition": {"matches": ("pattern",)},
}
_TYPE_WORD = {
    "guard_condition": "condition type",
    "watcher_source": "source type",
    "watcher_condition": "condition type",
    "scanner_source": "source type",
    "scanner_condition": "condition type",
    "scanner_cleanup": "cleanup type",
}

HEARTBEATS = ("auto", "hooks", "output", "process")
GUARD_TIMEOUT_WORDS = ("escalate", "fail", "wait")
FIELD_TYPES = ("string", "int", "float", "bool", "list", "object", "timestamp", "any")


def build(b: Builder, context: str, node: Value, name: str, where: Where) -> Any:
    """Dispatch on the custom context named by the field's spec."""
    if context in TYPED_TABLES:
        return typed(b, context, node, name, where)
    handler = _HANDLERS[context]
    return handler(b, node, name, where)


def typed(b: Builder, context: str, node: Value, name: str, where: Where) -> Any:
    if isinstance(node, TString):
        return Tmpl(node, minilang.scan_template(node.value), True)
    if not isinstance(node, TTable):
        b.wrong_type("a table or a shell string", name, node)
        return None
    types = TYPED_TABLES[context]
    type_node = node.get("type")
    type_name = DEFAULT_TYPES.get(context, "")
    if type_node is not None:
        if not isinstance(type_node, TString):
            b.wrong_type("a string", "type", type_node)
            return None
        type_name = type_node.value or DEFAULT_TYPES.get(context, "")
        if type_name not in types:
            b.error(
                "OJ108",
                f"unknown {_TYPE_WORD[context]} `{type_node.value}`",
                type_node.span,
                "not a known type",
                help=suggestion(type_node.value, types, "value"),
            )
            return None
    elif context == "guard_condition":
        b.missing("type", FieldSpec(Kind.ENUM), node, where)
        return None
    keys = types[type_name]
    values: dict[str, Any] = {}
    key_nodes: dict[str, Key] = {}
    for key, entry in node.entries.items():
        if key == "type":
            continue
        if key not in keys:
            label = f"`{name}` of {where.label}"
            b.unknown_key(entry.key, _where(label, where), ["type", *keys])
            continue
        converted = b.convert(spec_item(keys[key]), entry.value, key, where)
        if converted is not None:
            values[key] = converted
            key_nodes[key] = entry.key
    for key in REQUIRED_KEYS.get(context, {}).get(type_name, ()):
        if key not in node.entries:
            b.missing(key, spec_item(keys[key]), node, _where(f"`{name}` of {where.label}", where))
    if context.endswith("condition") and type_name == "matches" and "pattern" in values:
        regex = values["pattern"]
        if isinstance(regex, TString):
            error = minilang.regex_error(regex.value)
            if error is not None:
                b.error(
                    "OJ419",
                    f"invalid regex `{regex.value}`: {error}",
                    regex.span,
                    "does not compile",
                )
    return ast.TypedTable(
        span=node.span,
        table=node,
        type=type_node if isinstance(type_node, TString) else None,
        values=values,
        keys=key_nodes,
    )


def _where(label: str, where: Where) -> Where:
    from ojlang.parser.builder import Where

    return Where(label, where.runbook)


def _aliases(b: Builder, node: Value, name: str, where: Where) -> MapField | None:
    if not isinstance(node, TTable):
        b.wrong_type("a table", name, node)
        return None
    entries = []
    for key, entry in node.entries.items():
        if not isinstance(entry.value, TString):
            b.wrong_type("a string", f"{name}.{key}", entry.value)
            continue
        if len(key) != 1 or not key.isalnum():
            b.error(
                "OJ405",
                f"alias `{key}` must be a single letter or digit",
                entry.key.span,
                "not one character",
                help='aliases map a one-letter short flag to a long option, e.g. `f = "force"`',
            )
            continue
        entries.append(MapEntry(entry.key, entry.value))
    return MapField(node, tuple(entries))


def _any_map(b: Builder, node: Value, name: str, where: Where) -> MapField | None:
    if not isinstance(node, TTable):
        b.wrong_type("a table", name, node)
        return None
    return MapField(node, tuple(MapEntry(e.key, e.value) for e in node.entries.values()))


def _defaults(b: Builder, node: Value, name: str, where: Where) -> MapField | None:
    result = _any_map(b, node, name, where)
    if result is None:
        return None
    entries = []
    for entry in result.entries:
        if not _check_variable_key(b, entry.key):
            continue
        value = entry.value
        if isinstance(value, TString):
            value = Tmpl(value, minilang.scan_template(value.value), False)
        entries.append(MapEntry(entry.key, value))
    return MapField(result.node, tuple(entries))


def _check_variable_key(b: Builder, key: Key) -> bool:
    from ojlang.parser.builder import VARIABLE_RE

    if VARIABLE_RE.match(key.name):
        return True
    fixed = re.sub(r"[^A-Za-z0-9_]", "_", key.name) or "name"
    b.error(
        "OJ106",
        f"invalid variable name `{key.name}`",
        key.span,
        "not a valid variable name",
        help=f"use `{fixed}`",
    )
    return False


def _queue_fields(b: Builder, node: Value, name: str, where: Where) -> MapField | None:
    if isinstance(node, TArray):
        entries = []
        for item in node.items:
            if not isinstance(item, TString):
                b.wrong_type("a string", name, item)
                continue
            if b.check_variable(item):
                entries.append(MapEntry(Key(item.value, item.span), None))
        return MapField(TTable(node.span, ast_origin_inline()), tuple(entries))
    if not isinstance(node, TTable):
        b.wrong_type("an array of names or a table of types", name, node)
        return None
    entries = []
    for key, entry in node.entries.items():
        if not _check_variable_key(b, entry.key):
            continue
        value = entry.value
        if not isinstance(value, TString):
            b.wrong_type("a type name string", f"{name}.{key}", value)
            continue
        if value.value not in FIELD_TYPES:
            b.error(
                "OJ108",
                f"unknown field type `{value.value}`",
                value.span,
                "not a type",
                help=suggestion(value.value, FIELD_TYPES, "value"),
            )
            entries.append(MapEntry(entry.key, None))  # keep the field, typed `any`
            continue
        entries.append(MapEntry(entry.key, value))
    return MapField(node, tuple(entries))


def ast_origin_inline() -> Any:
    from ojlang.parser.tomltree import TableOrigin

    return TableOrigin.INLINE


def _pipeline_notify(b: Builder, node: Value, name: str, where: Where) -> Any:
    if isinstance(node, TBool):
        if node.value:
            b.wrong_type("a table or `false`", name, node)
            return None
        return node
    if not isinstance(node, TTable):
        b.wrong_type("a table or `false`", name, node)
        return None
    from ojlang.parser.builder import Where as W

    return b.build_node(ast.PipelineNotify, node, W(f"`notify` of {where.label}", where.runbook))


def _heartbeat(b: Builder, node: Value, name: str, where: Where) -> TString | None:
    if not isinstance(node, TString):
        b.wrong_type("a string", name, node)
        return None
    text = node.value
    if text in HEARTBEATS or (text.startswith("file:") and len(text) > 5):
        return node
    b.error(
        "OJ108",
        f"unknown heartbeat source `{text}`",
        node.span,
        "not a heartbeat source",
        help=suggestion(text, (*HEARTBEATS, "file:PATH"), "value"),
    )
    return None


def _prime(b: Builder, node: Value, name: str, where: Where) -> tuple[Tmpl, ...] | None:
    items = node.items if isinstance(node, TArray) else [node]
    out = []
    for item in items:
        if not isinstance(item, TString):
            b.wrong_type("a shell string or an array of shell strings", name, item)
            return None
        out.append(Tmpl(item, minilang.scan_template(item.value), True))
    return tuple(out)


def _guard_on_timeout(b: Builder, node: Value, name: str, where: Where) -> Any:
    if not isinstance(node, TString):
        b.wrong_type("a string", name, node)
        return None
    text = node.value
    for _, issue in minilang.check_chain(
        Chain((ChainItem(node, None),), node.span, False), "guard.on_timeout"
    ):
        b.mini(issue, node)
    if text in GUARD_TIMEOUT_WORDS:
        return node
    return Tmpl(node, minilang.scan_template(text), True)


def _watcher_response(b: Builder, node: Value, name: str, where: Where) -> Any:
    if not isinstance(node, TArray):
        b.wrong_type("an array of tables or of words", name, node)
        return None
    if all(isinstance(i, TString) for i in node.items):
        chain: Chain | None = b.chain(node, name, "watcher.response", one_word=False)
        return chain
    if all(isinstance(i, TTable) for i in node.items):
        return b.tables(FieldSpec(Kind.TABLES, cls=ast.Response), node, name, where)
    b.wrong_type("an array of tables or of words (not both)", name, node)
    return None


def _rule_else(b: Builder, node: Value, name: str, where: Where) -> Any:
    if isinstance(node, TBool):
        return node
    if isinstance(node, TString):
        return node
    b.wrong_type("`true` or a word", name, node)
    return None


_HANDLERS = {
    "aliases": _aliases,
    "any_map": _any_map,
    "defaults": _defaults,
    "queue_fields": _queue_fields,
    "pipeline_notify": _pipeline_notify,
    "heartbeat": _heartbeat,
    "prime": _prime,
    "guard_on_timeout": _guard_on_timeout,
    "watcher_response": _watcher_response,
    "rule_else": _rule_else,
}
