"""The runbook AST's field specs in, a JSON Schema (Draft 4 keywords only) of runbook files out.

Editors validate and complete runbooks with it (Even Better TOML, taplo, tombi): every table
of LANGUAGE.md §3 becomes an object with `additionalProperties: false`, every field takes its
TOML type from its kind (`ojlang.parser.fields.Kind`) and its description from the field's doc
plus a sentence about its kind, so hovering a key in an editor explains it. Typed tables
(guard conditions, watcher and scanner sources, conditions and cleanups) become one variant
per `type`. The schema is looser than `oj check` where Draft 4 cannot say more (mini-languages,
references, cross-field rules); it never rejects what `oj check` accepts.

`oj schema` prints it; `editors/schema/runbook.schema.json` is this output, committed, and so
is the VS Code extension's copy `editors/vscode/runbook.schema.json` (a test compares both;
regenerate with `oj schema > FILE`). The language server reads this schema for hover and key
completion, and `REF_KINDS` for reference completion.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs

from ojlang.parser import ast
from ojlang.parser.chains import CONTEXTS
from ojlang.parser.custom_fields import (
    DEFAULT_TYPES,
    FIELD_TYPES,
    GUARD_TIMEOUT_WORDS,
    HEARTBEATS,
    REQUIRED_KEYS,
    TYPED_TABLES,
)
from ojlang.parser.fields import FieldSpec, Kind, field_spec, spec_item
from ojlang.parser.toplevel import HOOK_ALIASES

DRAFT4 = "http://json-schema.org/draft-04/schema#"
NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_-]{0,63}$"
VARIABLE_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
# A loose §4.3 duration: digits and unit letters (the checker checks units and their order).
DURATION_PATTERN = "^\\s*[0-9]+\\s*[A-Za-z]+(\\s*[0-9]+\\s*[A-Za-z]+)*\\s*$"

# The section of LANGUAGE.md that defines each table.
SECTIONS: dict[type, str] = {
    ast.Command: "§3.1",
    ast.Worker: "§3.2",
    ast.Cron: "§3.3",
    ast.Queue: "§3.4",
    ast.DeadLetters: "§3.4",
    ast.Pipeline: "§3.5",
    ast.Phase: "§3.5",
    ast.PipelineNotify: "§3.5",
    ast.Task: "§3.6",
    ast.TaskVar: "§3.6",
    ast.Guard: "§3.7",
    ast.GuardRetry: "§3.7",
    ast.Strategy: "§3.8",
    ast.Attempt: "§3.8",
    ast.Lock: "§3.9",
    ast.Semaphore: "§3.10",
    ast.Watcher: "§3.11",
    ast.Response: "§3.11",
    ast.Scanner: "§3.12",
    ast.Action: "§3.13",
    ast.Rule: "§3.13",
    ast.Notify: "§3.15",
    ast.NotifyRule: "§3.15",
    ast.Meta: "§3.16",
}

# What each top-level table is (LANGUAGE.md §1.2, §3 headings).
TABLE_DOCS = {
    "command": "user entrypoints, run with `oj run NAME` (§3.1)",
    "worker": "queue consumers: each item runs a pipeline or task (§3.2)",
    "cron": "timer entrypoints (§3.3)",
    "queue": "work queues, internal or read from a shell source (§3.4)",
    "pipeline": "ordered phases run as one run (§3.5)",
    "task": "agent work in its own tmux session (§3.6)",
    "guard": "conditions that gate a phase (§3.7)",
    "strategy": "fallback attempts tried in order (§3.8)",
    "lock": "exclusive locks held by a phase (§3.9)",
    "semaphore": "counting semaphores: slots held by a phase (§3.10)",
    "watcher": "monitors that escalate step by step while a condition holds (§3.11)",
    "scanner": "periodic clean-up of stale resources (§3.12)",
    "action": "operations triggered by watchers, rules or `oj action trigger` (§3.13)",
    "events": "hooks: an event pattern or `on_*` alias mapped to a shell string (§3.14)",
    "notify": "notification channels and rules (§3.15)",
    "config": "runbook constants, read as `{config.KEY}` (§3.16)",
    "functions": "predicates callable from expressions: a shell string or a table (§3.16)",
    "meta": "display metadata (§3.16)",
}

# Reference fields (§1.4): (table class, TOML key) -> the kinds the site accepts, in order.
REF_KINDS: dict[tuple[type, str], tuple[str, ...]] = {
    (ast.Worker, "queue"): ("queue",),
    (ast.Worker, "handler"): ("pipeline", "task"),
    (ast.Cron, "watchers"): ("watcher",),
    (ast.Cron, "scanners"): ("scanner",),
    (ast.Phase, "task"): ("task",),
    (ast.Phase, "strategy"): ("strategy",),
    (ast.Phase, "pre"): ("guard",),
    (ast.Phase, "post"): ("guard",),
    (ast.Phase, "lock"): ("lock",),
    (ast.Phase, "semaphore"): ("semaphore",),
    (ast.Attempt, "task"): ("task",),
    (ast.Guard, "all"): ("guard",),
    (ast.Guard, "any"): ("guard",),
    (ast.Guard, "not"): ("guard",),
    (ast.Response, "action"): ("action",),
    (ast.Rule, "then"): ("action",),
    (ast.Action, "task"): ("task",),
}
# Fields naming a phase of a pipeline (§6.1): (table class, TOML key).
PHASE_FIELDS = ((ast.Phase, "next"), (ast.Phase, "on_fail"), (ast.Strategy, "on_exhaust"))

_CUSTOM_DOCS = {
    "aliases": "A table from one letter to a long option or flag of `args`: "
    '`{ f = "force" }` makes `-f` mean `--force`.',
    "any_map": "A table from an argument name to its default; TOML types are kept.",
    "defaults": "A table from a variable name to its value; string values are text templates "
    "(§5.4), other TOML values are literal.",
    "queue_fields": "An array of field names, or a table from field name to type "
    f"({', '.join(f'`{t}`' for t in FIELD_TYPES)}).",
    "pipeline_notify": "A table of message templates (`on_start`, `on_done`, `on_fail`, "
    "`on_escalate`), or `false` to mute this pipeline.",
    "heartbeat": "One of `auto` (default), `hooks`, `output`, `process` or `file:PATH`.",
    "prime": "A shell string or an array of shell strings; stdout is given to the agent.",
    "guard_condition": "A shell string (exit status 0 = the guard holds) or a built-in "
    "condition table with a `type`.",
    "guard_on_timeout": "`escalate` (default), `fail`, `wait`, or any other string: a shell "
    "script run before failing the phase.",
    "watcher_source": "A table with a `type` (default `session`) or a shell string printing "
    "records.",
    "watcher_condition": "A table with a `type` (default `idle`) or a shell string (exit 0 = met).",
    "watcher_response": "An array of response tables (`action`, `delay`, "
    "`requires_previous_failure`, `args`), or of words such as `nudge`, `restart:2`, "
    "`escalate`.",
    "scanner_source": "A table with a `type` (default `locks`) or a shell string printing records.",
    "scanner_condition": "A table with a `type` (default `stale`) or a shell string.",
    "scanner_cleanup": "A table with a `type` (default `release`) or a shell string.",
    "rule_else": "`true` (the rule always matches), or a word or action name: shorthand for "
    "`else = true, then = WORD`.",
}


def _code(words: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{w}`" for w in words)


def kind_text(fs: FieldSpec, refs: tuple[str, ...] = ()) -> str:
    """One sentence about what a field of spec `fs` accepts."""
    kind = fs.kind
    if kind is Kind.REF:
        what = " or ".join(refs) if refs else "definition"
        return f"A reference to a {what}: `NAME`, `KIND.NAME` or `RUNBOOK.KIND.NAME` (§1.4)."
    if kind in (Kind.CHAIN, Kind.WORD) and fs.context in CONTEXTS:
        ctx = CONTEXTS[fs.context]
        shape = "One word" if kind is Kind.WORD else "A word or an array of words"
        text = f"{shape} (§4.5) from {_code(ctx.words)}"
        if ctx.default:
            default = ctx.default[0] if len(ctx.default) == 1 else list(ctx.default)
            text += f"; default `{json.dumps(default)}`"
        return text + "."
    if kind is Kind.CUSTOM:
        return _CUSTOM_DOCS.get(fs.context, "")
    if kind is Kind.INT:
        return "An integer." if fs.minimum is None else f"An integer, at least {fs.minimum}."
    if kind is Kind.DURATION:
        zero = ' (`"0s"` allowed)' if fs.zero_ok else ""
        return f'A duration such as `"30s"` or `"1h30m"`{zero} (§4.3).'
    if kind is Kind.ENUM:
        return f"One of {_code(fs.choices)}."
    if kind is Kind.LIST and fs.item is not None:
        return f"An array; each element: {kind_text(fs.item, refs)}"
    if kind is Kind.MAP and fs.item is not None:
        return f"A table; each value: {kind_text(fs.item)}"
    return _KIND_TEXT.get(kind, "")


_KIND_TEXT = {
    Kind.STRING: "A string.",
    Kind.NAME: "A name: letters, digits, `_`, `-`, starting with a letter or `_` (§1.2).",
    Kind.VARIABLE: "A variable name: letters, digits and `_` (§1.2).",
    Kind.BOOL: "`true` or `false`.",
    Kind.TEXT: "A text template: `{path | filter}` interpolations, no escaping (§4.1).",
    Kind.SHELL: "A shell template run by bash; interpolations are quoted for their shell "
    "context (§4.1.4).",
    Kind.JINJA: "A Jinja2 template: `{{ variable }}`, `{% if %}` (§4.2).",
    Kind.EXPR: "An expression such as `item.priority >= 2 and not has_label('hold')` (§4.8).",
    Kind.PATTERN: "An event pattern such as `pipeline:*` or `queue:**@bugs` (§4.7).",
    Kind.ON_FAIL: "`escalate` (default), `fail`, `retry[:N[:DUR]]`, `strategy:NAME` or a phase "
    "name (§4.6).",
    Kind.ORDER: 'Claim order such as `"priority DESC, created_at ASC"` (§4.9).',
    Kind.ARGS: 'An argument spec such as `"<name> [--tag <v>] [--force]"` (§4.4).',
    Kind.ANY: "Any TOML value.",
    Kind.TABLE: "A table.",
    Kind.TABLES: "An array of tables (`[[…]]`).",
}


def describe(cls: type, key: str, fs: FieldSpec) -> str:
    """The description of field `key` of table class `cls`: doc, kind sentence, section."""
    doc = fs.doc[:1].upper() + fs.doc[1:] if fs.doc else key
    parts = [f"{doc}.", kind_text(fs, REF_KINDS.get((cls, key), ()))]
    if fs.required:
        parts.append("Required.")
    section = SECTIONS.get(cls)
    if section:
        parts.append(f"See LANGUAGE.md {section}.")
    return " ".join(p for p in parts if p)


def table_fields(cls: type) -> Iterator[tuple[str, FieldSpec]]:
    """The TOML keys of table class `cls` with their specs, in declaration order."""
    for f in attrs.fields(cls):
        fs = field_spec(f)
        if fs is not None:
            yield ast.toml_key(f.name), fs


class _Generator:
    def __init__(self) -> None:
        self.definitions: dict[str, Any] = {}

    def ref(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.definitions:
            self.definitions[name] = {}  # placeholder: classes may nest
            self.definitions[name] = self.table(cls)
        return {"$ref": f"#/definitions/{name}"}

    def table(self, cls: type) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for key, fs in table_fields(cls):
            node = self.field(fs, cls, key)
            properties[key] = {"description": describe(cls, key, fs), **node}
            if fs.required:
                required.append(key)
        out: dict[str, Any] = {"type": "object"}
        doc = _class_doc(cls)
        if doc:
            out["description"] = doc
        out["properties"] = properties
        if required:
            out["required"] = required
        out["additionalProperties"] = False
        return out

    def field(self, fs: FieldSpec, cls: type | None = None, key: str = "") -> dict[str, Any]:
        kind = fs.kind
        if kind is Kind.BOOL:
            return {"type": "boolean"}
        if kind is Kind.INT:
            out: dict[str, Any] = {"type": "integer"}
            if fs.minimum is not None:
                out["minimum"] = fs.minimum
            return out
        if kind is Kind.NAME:
            return {"type": "string", "pattern": NAME_PATTERN}
        if kind is Kind.VARIABLE:
            return {"type": "string", "pattern": VARIABLE_PATTERN}
        if kind is Kind.DURATION:
            return {"type": "string", "pattern": DURATION_PATTERN}
        if kind is Kind.ENUM:
            return {"type": "string", "enum": list(fs.choices)}
        if kind in (Kind.CHAIN, Kind.WORD):
            return self.chain(fs)
        if kind is Kind.ANY:
            return {}
        if kind is Kind.LIST:
            assert fs.item is not None
            return {"type": "array", "items": self.field(fs.item)}
        if kind is Kind.MAP:
            assert fs.item is not None
            return {"type": "object", "additionalProperties": self.field(fs.item)}
        if kind is Kind.TABLE:
            assert fs.cls is not None
            return self.ref(fs.cls)
        if kind is Kind.TABLES:
            assert fs.cls is not None
            return {"type": "array", "items": self.ref(fs.cls)}
        if kind is Kind.CUSTOM:
            return self.custom(fs.context)
        return {"type": "string"}  # templates, references and other mini-languages

    def chain(self, fs: FieldSpec) -> dict[str, Any]:
        ctx = CONTEXTS.get(fs.context)
        word: dict[str, Any] = {"type": "string"}
        if ctx is not None and not ctx.actions:
            words = "|".join(ctx.words)
            word = {"type": "string", "pattern": f"^({words})(:[0-9A-Za-z ]+)?$"}
        out: dict[str, Any]
        if fs.kind is Kind.WORD:
            out = dict(word)
        else:
            out = {"type": ["string", "array"], "items": word}
            if "pattern" in word:
                out["pattern"] = word["pattern"]
        if ctx is not None and ctx.default:
            out["default"] = ctx.default[0] if len(ctx.default) == 1 else list(ctx.default)
        return out

    def custom(self, context: str) -> dict[str, Any]:
        if context in TYPED_TABLES:
            return self.typed(context)
        string: dict[str, Any] = {"type": "string"}
        variable_key = {"patternProperties": {VARIABLE_PATTERN: {}}, "additionalProperties": False}
        if context == "aliases":
            return {
                "type": "object",
                "patternProperties": {"^[A-Za-z0-9]$": {"type": "string"}},
                "additionalProperties": False,
            }
        if context == "any_map":
            return {"type": "object"}
        if context == "defaults":
            return {"type": "object", **variable_key}
        if context == "queue_fields":
            return {
                "type": ["array", "object"],
                "items": {"type": "string", "pattern": VARIABLE_PATTERN},
                "patternProperties": {
                    VARIABLE_PATTERN: {"type": "string", "enum": list(FIELD_TYPES)}
                },
                "additionalProperties": False,
            }
        if context == "pipeline_notify":
            return {"anyOf": [self.ref(ast.PipelineNotify), {"enum": [False]}]}
        if context == "heartbeat":
            return {
                "anyOf": [
                    {"type": "string", "enum": list(HEARTBEATS)},
                    {"type": "string", "pattern": "^file:.+$"},
                ],
                "default": "auto",
            }
        if context == "prime":
            return {"type": ["string", "array"], "items": string}
        if context == "guard_on_timeout":
            return {"type": "string", "default": GUARD_TIMEOUT_WORDS[0]}
        if context == "watcher_response":
            return {"type": "array", "items": {"anyOf": [string, self.ref(ast.Response)]}}
        if context == "rule_else":
            return {"type": ["boolean", "string"]}
        raise KeyError(context)

    def typed(self, context: str) -> dict[str, Any]:
        """A shell string, or one object variant per `type` of the typed table."""
        variants: list[dict[str, Any]] = [{"type": "string", "description": "a shell script"}]
        default = DEFAULT_TYPES.get(context)
        required_keys = REQUIRED_KEYS.get(context, {})
        for type_name, keys in TYPED_TABLES[context].items():
            names = [type_name, ""] if type_name == default else [type_name]
            properties: dict[str, Any] = {
                "type": {"type": "string", "enum": names, "description": f"`{type_name}`"}
            }
            for key, kind in keys.items():
                fs = spec_item(kind)
                text = kind_text(fs, ("queue",) if kind is Kind.REF else ())
                properties[key] = {"description": text, **self.field(fs)}
            variant: dict[str, Any] = {
                "type": "object",
                "description": f"{context.replace('_', ' ')} `{type_name}`",
                "properties": properties,
            }
            required = [] if type_name == default else ["type"]
            required += list(required_keys.get(type_name, ()))
            if required:
                variant["required"] = required
            variant["additionalProperties"] = False
            variants.append(variant)
        return {"anyOf": variants}

    def functions(self) -> dict[str, Any]:
        table = {
            "type": "object",
            "description": "a function with parameters",
            "properties": {
                "params": {
                    "description": "Parameter names, variables in `run`.",
                    "type": "array",
                    "items": {"type": "string", "pattern": VARIABLE_PATTERN},
                },
                "run": {"description": "The body. " + _KIND_TEXT[Kind.SHELL], "type": "string"},
                "returns": {
                    "description": "How the result is read: `bool` (exit status), `string`, "
                    "`int`, `float` or `json` (stdout).",
                    "type": "string",
                    "enum": list(ast.FUNCTION_RETURNS),
                },
            },
            "required": ["run"],
            "additionalProperties": False,
        }
        body = {"type": "string", "description": "a shell body taking `$1…`"}
        return {
            "type": "object",
            "patternProperties": {VARIABLE_PATTERN: {"anyOf": [body, table]}},
            "additionalProperties": False,
        }

    def events(self) -> dict[str, Any]:
        hook = _KIND_TEXT[Kind.SHELL]
        properties = {
            alias: {"description": f"Hook for `{event}`. {hook}", "type": "string"}
            for alias, event in HOOK_ALIASES.items()
        }
        return {
            "type": "object",
            "properties": properties,
            "additionalProperties": {
                "description": "Hook for the events matching this key (an event pattern, or "
                f"`on_A_B` for the custom event `A:B`). {hook}",
                "type": "string",
            },
        }

    def top(self, name: str) -> dict[str, Any]:
        if name in ast.PRIMITIVES:
            return {
                "type": "object",
                "patternProperties": {NAME_PATTERN: self.ref(ast.PRIMITIVES[name])},
                "additionalProperties": False,
            }
        if name == "events":
            return self.events()
        if name == "notify":
            return self.ref(ast.Notify)
        if name == "config":
            return {"type": "object"}
        if name == "functions":
            return self.functions()
        return self.ref(ast.Meta)


def _class_doc(cls: type) -> str:
    for kind, primitive in ast.PRIMITIVES.items():
        if primitive is cls:
            return f"`[{kind}.NAME]`: {TABLE_DOCS[kind]}."
    names = {
        ast.DeadLetters: "`[queue.NAME.dead]`: dead letters (§3.4).",
        ast.Phase: "`[[pipeline.NAME.phase]]`: one phase (§3.5).",
        ast.PipelineNotify: "`notify` of a pipeline: message templates (§3.5).",
        ast.TaskVar: "An element of task `vars`: `{ name, source, format }` (§3.6).",
        ast.GuardRetry: "`retry` of a guard (§3.7).",
        ast.Attempt: "`[[strategy.NAME.attempt]]`: one fallback (§3.8).",
        ast.Response: "A watcher response step (§3.11).",
        ast.Rule: "A rule of an action (§3.13).",
        ast.Notify: "`[notify]`: notification channels and rules (§3.15).",
        ast.NotifyRule: "`[[notify.rule]]`: a per-event override (§3.15).",
        ast.Meta: "`[meta]`: display metadata (§3.16).",
    }
    return names.get(cls, "")


def generate() -> dict[str, Any]:
    """The JSON schema of a runbook file, as a JSON-ready dict."""
    gen = _Generator()
    properties = {
        name: {
            "description": TABLE_DOCS[name][:1].upper() + TABLE_DOCS[name][1:] + ".",
            **gen.top(name),
        }
        for name in ast.TOP_LEVEL
    }
    return {
        "$schema": DRAFT4,
        "title": "ojlang runbook",
        "description": "A runbook file of ojlang (LANGUAGE.md). Generated by `oj schema`; "
        "`oj check` checks what a schema cannot (mini-languages, references, scopes).",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "definitions": dict(sorted(gen.definitions.items())),
    }


def render() -> str:
    """The schema as the committed file holds it: indented JSON and a final newline."""
    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"
