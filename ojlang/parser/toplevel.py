"""The top level of a runbook (LANGUAGE.md §1.2): root tables -> `Runbook` definitions.

Named primitives go through the generic builder; `[events]`, `[notify]`, `[config]`,
`[functions]` and `[meta]` have shapes of their own and are built here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ojlang.parser import ast, minilang, table_checks
from ojlang.parser.fields import Kind, Tmpl, spec_item
from ojlang.parser.mini import suggestion
from ojlang.parser.spans import Pos, SourceMap, StringStyle
from ojlang.parser.tomltree import Entry, Key, TString, TTable

if TYPE_CHECKING:
    from ojlang.parser.builder import Builder


# §3.14: hook aliases and the events they stand for.
HOOK_ALIASES = {
    "on_start": "pipeline:started",
    "on_phase_change": "pipeline:phase",
    "on_complete": "pipeline:complete",
    "on_fail": "pipeline:failed",
    "on_blocked": "pipeline:blocked",
    "on_resume": "pipeline:resumed",
    "on_retry": "pipeline:retry",
    "on_stuck": "task:stuck",
    "on_nudge": "task:nudged",
    "on_restart": "task:restarted",
    "on_dead": "queue:item:deadlettered",
    "on_requeue": "queue:item:released",
    "on_clean": "scanner:cleaned",
    "on_escalate": "escalation:created",
}


def custom_hook_event(key: str) -> str:
    """`on_fix_complete` -> `fix:complete`; `on_skip` -> `skip` (§3.14)."""
    rest = key[len("on_") :]
    return rest.replace("_", ":", 1)


def build_runbook(b: Builder) -> ast.Runbook:
    from ojlang.parser.builder import Where

    root = b.doc.root
    definitions: dict[str, dict[str, ast.Primitive]] = {}
    runbook = ast.Runbook(name=b.runbook, path=b.doc.path, document=b.doc, definitions=definitions)
    events: tuple[ast.Hook, ...] = ()
    notify = None
    config = None
    functions: dict[str, ast.Function] = {}
    meta = None
    for name, entry in root.entries.items():
        value = entry.value
        if name not in ast.TOP_LEVEL:
            _unknown_top(b, name, entry)
            continue
        if not isinstance(value, TTable):
            b.wrong_type("a table", name, value)
            continue
        if name in ast.PRIMITIVES:
            definitions[name] = _primitives(b, name, value)
        elif name == "events":
            events = _events(b, value)
        elif name == "notify":
            notify = b.build_node(ast.Notify, value, Where("`[notify]`", b.runbook))
        elif name == "config":
            config = value
        elif name == "functions":
            functions = _functions(b, value)
        else:
            meta = b.build_node(ast.Meta, value, Where("`[meta]`", b.runbook))
    runbook = ast.Runbook(
        name=b.runbook,
        path=b.doc.path,
        document=b.doc,
        definitions=definitions,
        events=events,
        notify=notify,
        config=config,
        functions=functions,
        meta=meta,
    )
    table_checks.check_runbook(b, runbook)
    return runbook


def _unknown_top(b: Builder, name: str, entry: Entry) -> None:
    """OJ101 for an unknown table, OJ102 for an unknown key at the top level."""
    if isinstance(entry.value, TTable):
        b.error(
            "OJ101",
            f"unknown table `[{name}]`",
            entry.key.span,
            "not a runbook table",
            help=suggestion(name, ast.TOP_LEVEL, "table"),
        )
        return
    help_text = suggestion(name, ast.TOP_LEVEL, "table")
    if name in ("name", "description", "version"):
        help_text = f"put it under `[meta]`: `[meta]` then `{name} = …`"
    b.error(
        "OJ102",
        f"unknown key `{name}` at the top level",
        entry.key.span,
        "not a runbook table",
        help=help_text,
    )


def _primitives(b: Builder, kind: str, table: TTable) -> dict[str, ast.Primitive]:
    from ojlang.parser.builder import Where

    cls = ast.PRIMITIVES[kind]
    out: dict[str, ast.Primitive] = {}
    for name, entry in table.entries.items():
        if not isinstance(entry.value, TTable):
            b.error(
                "OJ103",
                f"expected a table for `{kind}.{name}`, found {_found(entry.value)}",
                entry.value.span,
                "expected a table",
                help=f"define it as `[{kind}.{name}]` with its fields below",
            )
            continue
        if not b.check_key_name(entry.key, kind):
            continue
        where = Where(f"`[{kind}.{name}]`", b.runbook)
        out[name] = b.build_node(cls, entry.value, where, key=entry.key)
    return out


def _found(value: object) -> str:
    from ojlang.parser.builder import found_text

    return found_text(value)  # type: ignore[arg-type]


def _events(b: Builder, table: TTable) -> tuple[ast.Hook, ...]:
    hooks = []
    for key, entry in table.entries.items():
        value = entry.value
        run = None
        if isinstance(value, TString):
            run = Tmpl(value, minilang.scan_template(value.value), True)
        else:
            b.wrong_type("a shell string", key, value)
        if key.startswith("on_"):
            event = HOOK_ALIASES.get(key) or custom_hook_event(key)
            hooks.append(ast.Hook(key=entry.key, event=event, pattern=None, run=run))
            continue
        try:
            pattern = minilang.parse_pattern(key)
        except minilang.MiniSyntaxError as err:
            b.report(err.to_diagnostic(_key_source_map(b, entry.key)))
            pattern = None
        else:
            warning = minilang.pattern_warning(pattern)
            if warning is not None:
                b.report(warning.to_diagnostic(_key_source_map(b, entry.key)))
        hooks.append(ast.Hook(key=entry.key, event=key, pattern=pattern, run=run))
    return tuple(hooks)


def _key_source_map(b: Builder, key: Key) -> SourceMap:
    """A source map over a key as written, so errors inside a pattern key point inside it."""
    span = key.span
    raw = b.doc.source.encode("utf-8")[span.byte_start : span.byte_end].decode("utf-8")
    if raw[:1] == '"':
        return SourceMap(span.file, raw, span.start, StringStyle.BASIC)
    if raw[:1] == "'":
        return SourceMap(span.file, raw, span.start, StringStyle.LITERAL)
    # A bare key: pretend delimiters one column before and after it.
    before = Pos(span.line, span.col - 1, span.byte_start - 1)
    return SourceMap(span.file, f"'{raw}'", before, StringStyle.LITERAL)


def _functions(b: Builder, table: TTable) -> dict[str, ast.Function]:
    from ojlang.parser.builder import VARIABLE_RE, Where

    out: dict[str, ast.Function] = {}
    builtins = minilang.builtin_function_names()
    for name, entry in table.entries.items():
        if not VARIABLE_RE.match(name):
            b.error(
                "OJ106",
                f"invalid function name `{name}`",
                entry.key.span,
                "not a valid function name",
                help="function names use letters, digits and `_`",
            )
            continue
        if name in builtins:
            b.error(
                "OJ113",
                f"function name `{name}` is reserved",
                entry.key.span,
                "a builtin function",
                help=f"rename it, e.g. `my_{name}`",
            )
            continue
        value = entry.value
        where = Where(f"function `{name}`", b.runbook)
        if isinstance(value, TString):
            run = Tmpl(value, minilang.scan_template(value.value), True)
            out[name] = ast.Function(
                key=entry.key, span=value.span, params=None, run=run, returns=None
            )
            continue
        if not isinstance(value, TTable):
            b.wrong_type("a shell string or a table", name, value)
            continue
        params: tuple[TString, ...] = ()
        run_field: Tmpl | None = None
        returns = None
        known = ["params", "run", "returns"]
        for key, sub in value.entries.items():
            if key == "params":
                converted = b.convert(
                    spec_item(Kind.LIST, item=spec_item(Kind.VARIABLE)), sub.value, key, where
                )
                params = converted or ()
            elif key == "run":
                run_field = b.convert(spec_item(Kind.SHELL), sub.value, key, where)
            elif key == "returns":
                returns = b.convert(
                    spec_item(Kind.ENUM, choices=ast.FUNCTION_RETURNS), sub.value, key, where
                )
            else:
                b.unknown_key(sub.key, where, known)
        if "run" not in value.entries:
            b.missing("run", spec_item(Kind.SHELL), value, where)
        out[name] = ast.Function(
            key=entry.key, span=value.span, params=params, run=run_field, returns=returns
        )
    return out
