"""A runbook in, every field that reads variables out: templates, expressions, event patterns
and Jinja prompts, each with the scopes it is checked in (LANGUAGE.md §5.1, §5.2).

A field of a shared definition (task, guard, strategy, function) comes with one `Use` per
use site; a definition nobody uses comes with none and is checked for syntax only. Map
values that are templates only when they are strings (`response.args`, `action.args`) are
scanned here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser.fields import MapField, Parsed, Tmpl
from ojlang.parser.interpolation import scan_template
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import TString, TTable
from ojlang.validator.records import event_scopes
from ojlang.validator.scopes import Names, Parts, ScopeModel, Use, lost
from ojlang.validator.vartypes import ANY


@rec.frozen(eq=False)
class Field:
    """One field: `kind` is `template`, `expression`, `pattern` or `jinja`; `value` its parsed
    form (a `Template`, an expression, an `EventPattern`, or the `Task` for Jinja)."""

    kind: str
    value: object
    runbook: str
    uses: tuple[Use, ...]
    node: TString | None = None  # the string (source map, fixes); None for table keys
    key_span: Span | None = None  # a pattern written as a table key
    shell: bool = False
    hook: bool = False  # `[events]` and `notify.rule` texts: they may read any pipeline's names

    def span(self, start: int, end: int) -> Span:
        if self.node is None:
            assert self.key_span is not None
            return self.key_span
        return self.node.source_map.span(start, end)

    @property
    def ident(self) -> Span:
        """The span that identifies the field (diagnostics are deduplicated per field)."""
        if self.node is not None:
            return self.node.span
        assert self.key_span is not None
        return self.key_span


def _one(parts: Parts) -> tuple[Use, ...]:
    return (Use(parts, ""),)


def _with(uses: Iterable[Use], *builtins: str, later: Names = ()) -> tuple[Use, ...]:
    return tuple(Use(u.parts.add(*builtins, later=later), u.note) for u in uses)


class _Collector:
    def __init__(self, sm: ScopeModel, runbook: ast.Runbook) -> None:
        self.sm = sm
        self.book = runbook.name
        self.runbook = runbook
        self.out: list[Field] = []

    def tmpl(self, value: object, uses: tuple[Use, ...], *, hook: bool = False) -> None:
        if isinstance(value, Tmpl):
            self.out.append(
                Field(
                    "template",
                    value.template,
                    self.book,
                    uses,
                    node=value.node,
                    shell=value.shell,
                    hook=hook,
                )
            )
        elif isinstance(value, TString):  # a string in a map of any values: a text template
            self.out.append(Field("template", scan_template(value.value), self.book, uses, value))

    def parsed(self, kind: str, value: Parsed | None, uses: tuple[Use, ...]) -> None:
        if value is not None and value.ast is not None:
            self.out.append(Field(kind, value.ast, self.book, uses, value.node))

    def patterns(self, values: Iterable[Parsed], uses: tuple[Use, ...]) -> None:
        for value in values:
            self.parsed("pattern", value, uses)

    def mapping(self, value: MapField | None, uses: tuple[Use, ...]) -> None:
        for entry in value.entries if value is not None else ():
            self.tmpl(entry.value, uses)

    def typed(self, value: object, uses: tuple[Use, ...]) -> None:
        if isinstance(value, ast.TypedTable):
            for item in value.values.values():
                if isinstance(item, Tmpl):
                    self.tmpl(item, uses)
                elif isinstance(item, Parsed):
                    self.parsed("pattern", item, uses)
        else:
            self.tmpl(value, uses)


def collect(sm: ScopeModel, runbook: ast.Runbook) -> list[Field]:
    """Every variable-reading field of `runbook`, in file order per kind."""
    c = _Collector(sm, runbook)
    book = runbook.name
    base = _one(sm.base(book))
    for kind, visit in _VISITORS:
        for node in runbook.of(kind).values():
            visit(c, node, base)
    for hook in runbook.events:
        scopes = event_scopes(hook.pattern, hook.event)
        c.tmpl(hook.run, _one(sm.hook(book, scopes)), hook=True)
        if hook.pattern is not None and hook.pattern.placeholders:
            c.out.append(Field("pattern", hook.pattern, book, base, key_span=hook.key.span))
    if runbook.notify is not None:
        notify = runbook.notify
        c.tmpl(notify.webhook, base)
        c.patterns((*notify.on, *notify.ignore), base)
        for rule in notify.rule:
            c.parsed("pattern", rule.on, base)
            on = rule.on.ast if rule.on is not None else None
            uses = _one(sm.hook(book, event_scopes(on, rule.on.node.value if rule.on else "")))
            c.tmpl(rule.title, uses, hook=True)
            c.tmpl(rule.message, uses, hook=True)
    for name, function in runbook.functions.items():
        params: Names = tuple((p.value, ANY) for p in function.params or ())
        uses = tuple(Use(u.parts.add(later=params), u.note) for u in sm.function(book, name))
        functions = runbook.document.root.get("functions")
        table = functions.get(name) if isinstance(functions, TTable) else None
        if isinstance(table, TTable) and lost(table, "params", len(params)):
            uses = tuple(Use(u.parts.as_dynamic(), u.note) for u in uses)
        c.tmpl(function.run, uses)
    return c.out


def _command(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Command)
    c.tmpl(node.run, _one(c.sm.command(c.book, node)))


def _worker(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Worker)
    c.patterns(node.wake_on, base)


def _cron(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Cron)
    c.tmpl(node.run, base)


def _queue(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Queue)
    c.tmpl(node.source, base)
    c.parsed("expression", node.filter, _one(c.sm.queue_filter(c.book, node)))
    if node.dead is not None:
        c.tmpl(node.dead.on_add, _one(c.sm.queue_filter(c.book, node, reason=True)))


def _pipeline(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Pipeline)
    sm, book = c.sm, c.book
    p = _one(sm.pipeline(book, book, node))
    c.mapping(node.defaults, _one(sm.defaults(book, node)))
    c.tmpl(node.group, _one(sm.pipeline(book, book, node, phase=False)))
    if isinstance(node.notify, ast.PipelineNotify):
        c.tmpl(node.notify.on_start, p)
        c.tmpl(node.notify.on_done, p)
        c.tmpl(node.notify.on_fail, _with(p, "error"))
        c.tmpl(node.notify.on_escalate, _with(p, "error"))
    for phase in node.phase:
        c.tmpl(phase.run, p)
        c.tmpl(phase.cwd, p)


def _task(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Task)
    uses = tuple(c.sm.task(c.book, node))
    names: list[str] = [v.name.value for v in node.vars if v.name is not None]
    if lost(node.table, "vars", sum(1 for v in node.vars if v.name is not None)):
        uses = tuple(Use(u.parts.as_dynamic(), u.note) for u in uses)
    every = _with(uses, later=tuple((n, ANY) for n in names))
    for field in (node.command, node.checkpoint, *(node.prime or ()), node.cwd, node.nudge_message):
        c.tmpl(field, every)
    c.mapping(node.env, every)
    before: list[str] = []
    for var in node.vars:
        c.tmpl(var.source, _with(uses, later=tuple((n, ANY) for n in before)))
        if var.name is not None:
            before.append(var.name.value)
    if node.prompt is not None or node.prompt_file is not None or node.context_template:
        c.out.append(Field("jinja", node, c.book, every))


def _guard(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Guard)
    uses = tuple(c.sm.guard(c.book, node))
    c.typed(node.condition, uses)
    c.tmpl(node.on_timeout, uses)
    c.patterns(node.wake_on, uses)


def _strategy(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Strategy)
    uses = tuple(c.sm.strategy(c.book, node))
    c.tmpl(node.checkpoint, uses)
    extra = ("attempt_name", "checkpoint") if node.checkpoint is not None else ("attempt_name",)
    attempt = _with(uses, *extra)
    for item in node.attempt:
        c.tmpl(item.run, attempt)
        c.tmpl(item.rollback, attempt)


def _watcher(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Watcher)
    record = _one(c.sm.record(c.book, node))
    c.typed(node.source, base)
    c.typed(node.condition, record)
    c.patterns(node.wake_on, base)
    if isinstance(node.response, tuple):
        for response in node.response:
            c.mapping(response.args, record)


def _scanner(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Scanner)
    record = _one(c.sm.record(c.book, node))
    c.typed(node.source, base)
    c.typed(node.condition, record)
    c.typed(node.cleanup, record)


def _action(c: _Collector, node: ast.Primitive, base: tuple[Use, ...]) -> None:
    assert isinstance(node, ast.Action)
    uses = _one(c.sm.action(c.book, node))
    c.tmpl(node.command, uses)
    c.tmpl(node.run, uses)
    c.mapping(node.args, uses)
    for rule in node.rules:
        c.parsed("expression", rule.if_, uses)


_VISITORS: tuple[tuple[str, Callable[[_Collector, ast.Primitive, tuple[Use, ...]], None]], ...] = (
    ("command", _command),
    ("worker", _worker),
    ("cron", _cron),
    ("queue", _queue),
    ("pipeline", _pipeline),
    ("task", _task),
    ("guard", _guard),
    ("strategy", _strategy),
    ("watcher", _watcher),
    ("scanner", _scanner),
    ("action", _action),
)


def fields_of(sm: ScopeModel, runbooks: Iterable[ast.Runbook]) -> Iterator[Field]:
    for runbook in runbooks:
        yield from collect(sm, runbook)
