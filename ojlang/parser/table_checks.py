"""Schema checks that look at several fields of a table (OJ105, OJ109–OJ116, OJ4xx links).

Input: a built `Runbook` and its builder (for reporting); output: diagnostics only. These are
still schema checks — no reference is resolved here (that is the validator's job).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ojlang.parser import argspec_checks, ast
from ojlang.parser.fields import Tmpl
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import Key, TBool, TString
from ojlang.validator.diagnostic import Label

if TYPE_CHECKING:
    from ojlang.parser.builder import Builder

RESERVED_PHASES = ("escalate", "fail", "retry", "strategy")
ACTIONLESS_PHASES = ("init", "blocked", "done", "failed")
TERMINAL_PHASES = ("done", "failed")

# §3.13 built-in operations: argument -> required?
BUILTIN_ACTIONS: dict[str, dict[str, bool]] = {
    "notify": {"message": True, "title": False, "level": False},
    "escalate": {"message": False},
    "send_to_session": {"message": True},
    "restart_session": {},
    "enable_cron": {"pattern": True},
    "disable_cron": {"pattern": True},
}

# OJ114: which condition/cleanup types fit which source types.
WATCHER_CONDITIONS = {
    "idle": ("session", "events", "pipelines", "queue", "command"),
    "exceeds": ("events", "command"),
    "consecutive_failures": ("events", "command"),
    "matches": ("session", "events", "command", "pipelines", "queue"),
}
SCANNER_CONDITIONS = {
    "stale": ("locks", "semaphores", "sessions", "worktrees", "pipelines", "tasks", "queue"),
    "orphaned": ("locks", "semaphores", "sessions", "worktrees", "queue"),
    "exceeded_attempts": ("queue",),
    "terminal_for": ("pipelines", "tasks", "queue"),
    "matches": ("locks", "semaphores", "sessions", "worktrees", "pipelines", "tasks", "queue"),
}
SCANNER_CLEANUPS = {
    "release": ("locks", "semaphores"),
    "delete": ("locks", "sessions", "worktrees", "pipelines", "tasks", "queue"),
    "archive": ("pipelines", "tasks", "queue"),
    "dead_letter": ("queue",),
}
BUILTIN_ITEM_FIELDS = ("id", "priority", "created_at", "attempts")


def check_runbook(b: Builder, runbook: ast.Runbook) -> None:
    for kind, defs in runbook.definitions.items():
        checker = _CHECKS.get(kind)
        if checker is None:
            continue
        for node in defs.values():
            checker(b, node)


def _named(node: Any) -> str:
    return node.ident  # type: ignore[no-any-return]


def _one_of(
    b: Builder,
    node: Any,
    fields: Sequence[str],
    what: str,
    *,
    allow_none: bool = False,
) -> None:
    """OJ109: exactly one of `fields` is set on `node`."""
    present = [f for f in fields if _is_set(getattr(node, f))]
    raw_present = [f for f in fields if ast.toml_key(f) in node.table.entries]
    if len(raw_present) == 1 or (allow_none and not raw_present):
        return
    names = [f"`{ast.toml_key(f)}`" for f in fields]
    choices = "/".join(names)
    if not raw_present:
        b.error(
            "OJ109",
            f"{what} has none of {choices}",
            node.span,
            "nothing to do",
            help=f"add one of {', '.join(names)}",
        )
        return
    shown = " and ".join(f"`{ast.toml_key(f)}`" for f in raw_present)
    extra = node.table.entries[ast.toml_key(raw_present[1])].key
    b.error(
        "OJ109",
        f"{what} has both {shown}" if len(raw_present) == 2 else f"{what} has {shown}",
        extra.span,
        "second action",
        help="keep one",
    )
    del present


def _is_set(value: Any) -> bool:
    return value is not None and value != ()


def _pipeline(b: Builder, node: Any) -> None:
    pipeline: ast.Pipeline = node
    if "phase" in pipeline.table.entries and not pipeline.phase:
        b.error(
            "OJ512",
            f"pipeline `{pipeline.ident}` has no phases",
            pipeline.table.entries["phase"].value.span,
            "empty",
            help="add a phase, e.g. `[[pipeline.NAME.phase]]` with `name` and `run`",
        )
    seen: dict[str, Span] = {}
    for phase in pipeline.phase:
        name = phase.ident
        if not name:
            continue
        assert phase.name is not None
        what = f"phase `{name}`"
        if name in RESERVED_PHASES:
            b.error(
                "OJ113",
                f"phase name `{name}` is reserved",
                phase.name.span,
                "reserved word",
                help=f"rename it, e.g. `{name}_step`",
            )
        if name in seen:
            b.error(
                "OJ105",
                f"phase `{name}` is defined twice in pipeline `{pipeline.ident}`",
                phase.name.span,
                "second definition",
                labels=(Label(seen[name], "first defined here"),),
                help="give each phase a unique name",
            )
        else:
            seen[name] = phase.name.span
        _one_of(
            b,
            phase,
            ("run", "task", "strategy"),
            what,
            allow_none=name in ACTIONLESS_PHASES,
        )
        if name in TERMINAL_PHASES and "next" in phase.table.entries:
            key = phase.table.entries["next"].key
            b.error(
                "OJ112",
                f"phase `{name}` cannot have `next`",
                key.span,
                "not allowed here",
                notes=("the run ends after it",),
                help="remove `next`",
            )
        if name == "failed" and "on_fail" in phase.table.entries:
            key = phase.table.entries["on_fail"].key
            b.error(
                "OJ112",
                "phase `failed` cannot have `on_fail`",
                key.span,
                "the run ends `failed` after it",
                notes=("the run ends `failed` whether its action succeeds or fails",),
                help="remove `on_fail`",
            )


def _strategy(b: Builder, node: Any) -> None:
    strategy: ast.Strategy = node
    if "attempt" in strategy.table.entries and not strategy.attempt:
        b.error(
            "OJ104",
            f"`[strategy.{strategy.ident}]` has no attempts",
            strategy.table.entries["attempt"].value.span,
            "empty",
            help=f"add `[[strategy.{strategy.ident}.attempt]]` with `name` and `run`",
        )
    seen: dict[str, Span] = {}
    for attempt in strategy.attempt:
        name = attempt.ident
        if name and attempt.name is not None:
            if name in seen:
                b.error(
                    "OJ105",
                    f"attempt `{name}` is defined twice in strategy `{strategy.ident}`",
                    attempt.name.span,
                    "second definition",
                    labels=(Label(seen[name], "first defined here"),),
                    help="give each attempt a unique name",
                )
            else:
                seen[name] = attempt.name.span
        _one_of(b, attempt, ("run", "task"), f"attempt `{name}`")


def _guard(b: Builder, node: Any) -> None:
    _one_of(b, node, ("condition", "all", "any", "not_"), f"guard `{node.ident}`")


def _task(b: Builder, node: Any) -> None:
    task: ast.Task = node
    _conflict(b, task, ("prompt", "prompt_file"), f"`[task.{task.ident}]`", "keep one")


def _conflict(b: Builder, node: Any, keys: Sequence[str], what: str, help: str) -> bool:
    present = sorted(
        (k for k in keys if k in node.table.entries),
        key=lambda k: node.table.entries[k].key.span.byte_start,
    )
    if len(present) < 2:
        return False
    second = node.table.entries[present[1]].key
    shown = " and ".join(f"`{k}`" for k in present[:2])
    b.error(
        "OJ110",
        f"{what} sets both {shown}",
        second.span,
        "conflicts with the first",
        labels=(Label(node.table.entries[present[0]].key.span, "first set here"),),
        help=help,
    )
    return True


def _action(b: Builder, node: Any) -> None:
    action: ast.Action = node
    where = f"`[action.{action.ident}]`"
    if not _conflict(b, action, ("command", "run"), where, "they are one field; keep one"):
        _conflict(
            b,
            action,
            ("command", "run", "task", "rules"),
            where,
            "an action has one body: keep one of `command`, `task` or `rules`",
        )
    body = action.command or action.run
    if body is not None:
        _builtin_args(b, action, body)
    _rules(b, action)


def _builtin_args(b: Builder, action: ast.Action, body: Tmpl) -> None:
    op = body.node.value.strip()
    if op not in BUILTIN_ACTIONS:
        return
    allowed = BUILTIN_ACTIONS[op]
    given: dict[str, Key] = {}
    if action.args is not None:
        given = {e.key.name: e.key for e in action.args.entries}
    for name, key in given.items():
        if name not in allowed:
            known = ", ".join(f"`{a}`" for a in allowed)
            b.error(
                "OJ116",
                f"built-in action `{op}` has no argument `{name}`",
                key.span,
                "unknown argument",
                help=f"its arguments are {known}"
                if known
                else f"`{op}` takes no arguments; remove `{name}` from `args`",
            )
    for name, required in allowed.items():
        if required and name not in given:
            b.error(
                "OJ116",
                f"built-in action `{op}` needs argument `{name}`",
                body.node.span,
                f"`{name}` missing",
                help=f'add `args = {{ {name} = "…" }}`',
            )


def _rules(b: Builder, action: ast.Action) -> None:
    always_at: int | None = None
    for index, rule in enumerate(action.rules, start=1):
        entries = rule.table.entries
        what = f"rule {index} of `[action.{action.ident}]`"
        if always_at is not None:
            b.error(
                "OJ115",
                f"{what} can never match",
                rule.span,
                "unreachable",
                notes=(f"rule {always_at} always matches",),
                help="move it before the always-matching rule, or remove it",
            )
        if "if" in entries and "else" in entries:
            b.error(
                "OJ110",
                f"{what} sets both `if` and `else`",
                entries["else"].key.span,
                "conflicts with `if`",
                help="a rule with `if` matches when it is true; drop `else`",
            )
        elif isinstance(rule.else_, TString) and "then" in entries:
            b.error(
                "OJ110",
                f'{what} sets both `else = "{rule.else_.value}"` and `then`',
                entries["else"].key.span,
                "conflicts with `then`",
                help="write `else = true` with `then`, or drop `then`",
            )
        always = "if" not in entries and not (
            isinstance(rule.else_, TBool) and not rule.else_.value
        )
        if always and always_at is None:
            always_at = index


def _typed_type(value: Any, default: str) -> str | None:
    if isinstance(value, ast.TypedTable):
        if value.type is None or not value.type.value:
            return default
        return value.type.value
    if isinstance(value, Tmpl):
        return "command"
    return None


def _incompatible(
    b: Builder,
    value: Any,
    kind: str,
    type_name: str | None,
    source: str | None,
    fits: dict[str, tuple[str, ...]],
) -> None:
    if type_name is None or source is None or type_name not in fits:
        return
    if source in fits[type_name]:
        return
    ok = [t for t, sources in fits.items() if source in sources]
    span = value.type.span if value.type is not None else value.span
    b.error(
        "OJ114",
        f"{kind} `{type_name}` cannot apply to source `{source}`",
        span,
        f"does not fit source `{source}`",
        help="use " + " or ".join(f"`{t}`" for t in ok) if ok else None,
    )


def _watcher(b: Builder, node: Any) -> None:
    watcher: ast.Watcher = node
    source = _typed_type(watcher.source, "session") if watcher.source else "session"
    cond = watcher.condition
    if isinstance(cond, ast.TypedTable):
        _incompatible(b, cond, "condition", _typed_type(cond, "idle"), source, WATCHER_CONDITIONS)


def _scanner(b: Builder, node: Any) -> None:
    scanner: ast.Scanner = node
    source = _typed_type(scanner.source, "locks") if scanner.source else "locks"
    if isinstance(scanner.source, Tmpl):
        return  # a shell source yields records of any shape
    cond = scanner.condition
    if isinstance(cond, ast.TypedTable):
        _incompatible(b, cond, "condition", _typed_type(cond, "stale"), source, SCANNER_CONDITIONS)
    cleanup = scanner.cleanup
    if isinstance(cleanup, ast.TypedTable):
        _incompatible(
            b, cleanup, "cleanup", _typed_type(cleanup, "release"), source, SCANNER_CLEANUPS
        )
    elif cleanup is None and source not in SCANNER_CLEANUPS["release"]:
        b.error(
            "OJ114",
            f"the default cleanup `release` cannot apply to source `{source}`",
            scanner.span,
            "needs a `cleanup`",
            help='set `cleanup`, e.g. `cleanup = { type = "delete" }`',
        )


def _queue(b: Builder, node: Any) -> None:
    queue: ast.Queue = node
    if queue.order is None or queue.order.ast is None or queue.fields is None:
        return
    declared = [e.key.name for e in queue.fields.entries]
    known = (*BUILTIN_ITEM_FIELDS, *declared)
    for key in _order_keys(queue.order.ast):
        root, start, end = key
        if root in known:
            continue
        from ojlang.parser.mini import suggestion

        b.error(
            "OJ418",
            f"queue `{queue.ident}` has no field `{root}`",
            queue.order.node.source_map.span(start, end),
            "not a field",
            help=suggestion(root, known, "field"),
        )


def _order_keys(order: Any) -> Iterable[tuple[str, int, int]]:
    from ojlang.parser import minilang

    return minilang.order_roots(order)


def _command(b: Builder, node: Any) -> None:
    argspec_checks.check_command(b, node)


_CHECKS = {
    "pipeline": _pipeline,
    "strategy": _strategy,
    "guard": _guard,
    "task": _task,
    "action": _action,
    "watcher": _watcher,
    "scanner": _scanner,
    "queue": _queue,
    "command": _command,
}
