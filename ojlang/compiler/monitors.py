"""Watchers, scanners and actions (LANGUAGE.md §3.11–§3.13) -> their `graph` records, with the
one-model normalisation of typed tables and shell strings, and of word and table responses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ojlang.compiler.expressions import compile_expression
from ojlang.compiler.templates import compile_tmpl
from ojlang.parser import ast
from ojlang.parser.fields import Chain, Dur, Ref, Tmpl
from ojlang.parser.tomltree import TBool, TInteger, TString
from ojlang.runtime.core import graph
from ojlang.validator.sites import RESPONSE_VERBS, RULE_VERBS

if TYPE_CHECKING:
    from ojlang.compiler.primitives import Compiler

BUILTIN_OPERATIONS = (
    "notify",
    "escalate",
    "send_to_session",
    "restart_session",
    "enable_cron",
    "disable_cron",
)
_DEFAULT_THRESHOLDS = {
    "idle": 5 * graph.MIN,
    "stale": 60 * graph.MIN,
    "terminal_for": 24 * 60 * graph.MIN,
}
_DEFAULT_COUNTS = {"exceeds": 10, "consecutive_failures": 3, "exceeded_attempts": 3}


def _type(table: ast.TypedTable, default: str) -> str:
    if table.type is None or not table.type.value:
        return default
    return table.type.value


def source(c: Compiler, book: ast.Runbook, value: Any, default: str) -> graph.Source:
    if value is None:
        return graph.Source(default)
    if isinstance(value, Tmpl):
        return graph.Source("command", command=compile_tmpl(value))
    assert isinstance(value, ast.TypedTable)
    kind = _type(value, default)
    values = value.values
    if kind == "command":
        command = values.get("command") or values.get("pattern")
        return graph.Source(
            "command", command=compile_tmpl(command) if isinstance(command, Tmpl) else None
        )
    if kind == "queue":
        name = values.get("name")
        queue = name.text if isinstance(name, Ref) else ""
        if isinstance(name, Ref):
            resolved = c.model.resolve(name, ("queue",), book.name)
            if resolved.target is not None:
                queue = resolved.target.name
        return graph.Source("queue", name=queue)
    pattern = values.get("pattern") or values.get("name")
    text = "*"
    if isinstance(pattern, TString):
        text = pattern.value
    elif pattern is not None and hasattr(pattern, "node"):
        text = pattern.node.value
    return graph.Source(kind, pattern=text)


def condition(value: Any, default: str) -> graph.Condition:
    if value is None:
        return graph.Condition(default, threshold_us=_DEFAULT_THRESHOLDS.get(default, 0))
    if isinstance(value, Tmpl):
        return graph.Condition("shell", shell=compile_tmpl(value))
    assert isinstance(value, ast.TypedTable)
    kind = _type(value, default)
    values = value.values
    threshold = values.get("threshold")
    count = values.get("count") or values.get("max")
    pattern = values.get("pattern")
    return graph.Condition(
        kind,
        threshold_us=(threshold.ms or 0) * 1000
        if isinstance(threshold, Dur)
        else _DEFAULT_THRESHOLDS.get(kind, 0),
        count=count.value if isinstance(count, TInteger) else _DEFAULT_COUNTS.get(kind, 0),
        pattern=pattern.value if isinstance(pattern, TString) else "",
    )


def _action_key(c: Compiler, book: ast.Runbook, name: str) -> str | None:
    """The graph key of action `name` defined in this runbook, or None for a verb."""
    if name in book.of("action"):
        return f"{book.name}.{name}"
    return None


def responses(c: Compiler, book: ast.Runbook, value: Any) -> tuple[graph.Response, ...]:
    if value is None:
        return ()
    if isinstance(value, Chain):
        out = []
        for index, item in enumerate(value.items):
            word = item.word
            assert word is not None
            action = _action_key(c, book, word.name)
            out.append(
                graph.Response(
                    action=action or word.name,
                    verb=action is None,
                    requires_previous_failure=index > 0,
                    count=word.count or 1,
                )
            )
        return tuple(out)
    out = []
    for response in value:
        assert isinstance(response, ast.Response) and response.action is not None
        name = response.action.text
        key: str | None
        if (
            len(response.action.parts) == 1
            and name in RESPONSE_VERBS
            and name not in book.of("action")
        ):
            key = None
        else:
            key = c.key(response.action, ("action",), book.name)[1]
        out.append(
            graph.Response(
                action=key or name,
                verb=key is None,
                delay_us=(response.delay.ms or 0) * 1000 if response.delay is not None else 0,
                requires_previous_failure=isinstance(response.requires_previous_failure, TBool)
                and response.requires_previous_failure.value,
                args=_args(response.args),
            )
        )
    return tuple(out)


def _args(field: Any) -> dict[str, Any]:
    from ojlang.compiler.primitives import _map

    return _map(field)


def compile_watcher(c: Compiler, book: ast.Runbook, node: ast.Watcher) -> graph.Watcher:
    from ojlang.compiler.primitives import _bool, _patterns, _us

    return graph.Watcher(
        name=node.ident,
        runbook=book.name,
        check_interval_us=_us(node.check_interval) or 0,
        source=source(c, book, node.source, "session"),
        condition=condition(node.condition, "idle"),
        wake_on=_patterns(node.wake_on),
        response=responses(c, book, node.response),
        enabled=_bool(node.enabled, True),
    )


def compile_scanner(c: Compiler, book: ast.Runbook, node: ast.Scanner) -> graph.Scanner:
    from ojlang.compiler.primitives import _bool, _us

    cleanup = graph.Cleanup()
    if isinstance(node.cleanup, Tmpl):
        cleanup = graph.Cleanup("shell", shell=compile_tmpl(node.cleanup))
    elif isinstance(node.cleanup, ast.TypedTable):
        destination = node.cleanup.values.get("destination")
        cleanup = graph.Cleanup(
            _type(node.cleanup, "release"),
            destination=destination.node.value if isinstance(destination, Tmpl) else ".oj/archive",
        )
    return graph.Scanner(
        name=node.ident,
        runbook=book.name,
        interval_us=_us(node.interval) or 0,
        source=source(c, book, node.source, "locks"),
        condition=condition(node.condition, "stale"),
        cleanup=cleanup,
        enabled=_bool(node.enabled, True),
        dry_run=_bool(node.dry_run, False),
    )


def compile_action(c: Compiler, book: ast.Runbook, node: ast.Action) -> graph.Action:
    from ojlang.compiler.primitives import _us

    body = node.command or node.run
    mode = "none"
    builtin = ""
    command = None
    if body is not None:
        op = body.node.value.strip()
        if op in BUILTIN_OPERATIONS:
            mode, builtin = "builtin", op
        else:
            mode, command = "shell", compile_tmpl(body)
    task = None
    if node.task is not None:
        mode, task = "task", c.key(node.task, ("task",), book.name)[1]
    rules = []
    for rule in node.rules:
        mode = "rules"
        then = rule.then.text if rule.then is not None else ""
        if isinstance(rule.else_, TString):
            then = rule.else_.value
        key = _action_key(c, book, then)
        rules.append(
            graph.Rule(
                then=key or then,
                then_verb=key is None and then in RULE_VERBS,
                if_=compile_expression(rule.if_),
                delay_us=(rule.delay.ms or 0) * 1000 if rule.delay is not None else 0,
            )
        )
    return graph.Action(
        name=node.ident,
        runbook=book.name,
        cooldown_us=_us(node.cooldown) or 0,
        mode=mode,
        command=command,
        builtin=builtin,
        task=task,
        rules=tuple(rules),
        args=_args(node.args),
        output=node.output.value if node.output is not None else None,
    )
