"""Style and information (LANGUAGE.md §7.7): project model in; OJ901 shadowed runbooks, OJ902
unused definitions, OJ903 disabled crons, OJ904 empty bodies, OJ906 custom event hooks out.

OJ902 reports guards, tasks, strategies, locks, semaphores, actions and functions of project
runbooks that nothing in the loaded runbooks uses (`ojlang.validator.usage`). Library runbooks
(user library, standard library) are exempt from OJ902 and OJ903: their crons start disabled
in every project whatever `enabled` says.
"""

from __future__ import annotations

from collections.abc import Iterator

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser.mini import close_match
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import TArray, TBool
from ojlang.parser.toplevel import HOOK_ALIASES, custom_hook_event
from ojlang.validator.checks import CheckContext
from ojlang.validator.diagnostic import Diagnostic, diag
from ojlang.validator.model import ProjectModel
from ojlang.validator.usage import UNUSED_KINDS, Usage

UNUSED_HELP = {
    "guard": "list it in a phase's `pre` or `post`, or remove it",
    "task": "run it from a phase, an attempt, a worker `handler` or an action, or remove it",
    "strategy": 'run it from a phase `strategy` or `on_fail = "strategy:NAME"`, or remove it',
    "lock": "hold it with a phase `lock`, or remove it",
    "semaphore": "hold a slot with a phase `semaphore`, or remove it",
    "action": "trigger it from a watcher `response` or a rule, or remove it",
    "function": "call it from a queue `filter` or a rule's `if`, or remove it",
}


def check(model: ProjectModel, ctx: CheckContext) -> Iterator[Diagnostic]:
    library = {item.name for item in model.loaded if item.file.origin.is_library}
    yield from _shadowed(model)
    usage = Usage.of(model)
    for runbook in model.runbooks.values():
        found: list[Diagnostic] = []
        if runbook.name not in library:
            found.extend(_unused(usage, runbook))
            found.extend(_disabled_crons(runbook))
        found.extend(_empty_bodies(runbook))
        found.extend(_custom_hooks(runbook))
        for d in found:
            yield rec.evolve(d, runbook=runbook.name)


# -- OJ901 -----------------------------------------------------------------------------------


def _shadowed(model: ProjectModel) -> Iterator[Diagnostic]:
    winners = {item.name: item for item in model.loaded}
    for hidden in model.shadowed:
        winner = winners.get(hidden.stem)
        if winner is None:
            continue
        name = hidden.stem
        yield diag(
            "OJ901",
            f"runbook `{name}` shadows `{name}` from {hidden.origin.label}",
            Span(winner.file.display, 1, 1, 1, 1, 0, 0),
            f"shadows `{hidden.display}`",
            notes=(f"`{hidden.display}` is not loaded at all",),
            help="rename one of the files if both runbooks are needed",
            runbook=name,
        )


# -- OJ902 -----------------------------------------------------------------------------------


def _unused(usage: Usage, runbook: ast.Runbook) -> Iterator[Diagnostic]:
    for kind in UNUSED_KINDS:
        for name, node in runbook.of(kind).items():
            if not usage.is_used(kind, runbook.name, name):
                yield _unused_diag(kind, name, node.key.span)
    for name, function in runbook.functions.items():
        if not usage.is_used("function", runbook.name, name):
            yield _unused_diag("function", name, function.key.span)


def _unused_diag(kind: str, name: str, span: Span) -> Diagnostic:
    return diag(
        "OJ902",
        f"{kind} `{name}` is never used",
        span,
        "referenced nowhere",
        help=UNUSED_HELP[kind],
    )


# -- OJ903 -----------------------------------------------------------------------------------


def _disabled_crons(runbook: ast.Runbook) -> Iterator[Diagnostic]:
    for name, cron in runbook.of("cron").items():
        entry = cron.table.entries.get("enabled")
        if entry is None:
            yield diag(
                "OJ903",
                f"cron `{name}` starts disabled",
                cron.key.span,
                "no `enabled = true`",
                help=f"add `enabled = true`, or enable it with `oj cron enable {name}`",
            )
        elif isinstance(entry.value, TBool) and not entry.value.value:
            yield diag(
                "OJ903",
                f"cron `{name}` starts disabled",
                entry.value.span,
                "disabled",
                help=f"set `enabled = true`, or enable it with `oj cron enable {name}`",
            )


# -- OJ904 -----------------------------------------------------------------------------------


def _has(node: ast.Primitive, *keys: str) -> bool:
    """Any of `keys` written (an empty array does not count)."""
    for key in keys:
        entry = node.table.entries.get(key)
        if entry is None:
            continue
        if isinstance(entry.value, TArray) and not entry.value.items:
            continue
        return True
    return False


def _empty_bodies(runbook: ast.Runbook) -> Iterator[Diagnostic]:
    for name, node in runbook.of("command").items():
        if not _has(node, "run"):
            yield diag(
                "OJ904",
                f"command `{name}` has no `run`",
                node.key.span,
                "runs nothing",
                help='add `run = "…"`, the script `oj run` runs',
            )
    for name, node in runbook.of("cron").items():
        if not _has(node, "run", "watchers", "scanners"):
            yield diag(
                "OJ904",
                f"cron `{name}` has no `run`, `watchers` or `scanners`",
                node.key.span,
                "ticks do nothing",
                help='add `run = "…"`, or list `watchers` or `scanners` to check on each tick',
            )
    for name, node in runbook.of("action").items():
        if not _has(node, "command", "run", "task", "rules"):
            yield diag(
                "OJ904",
                f"action `{name}` has no `command`, `task` or `rules`",
                node.key.span,
                "does nothing",
                notes=("when triggered, the action only records that it fired",),
                help='add `command = "…"`, `task = "…"` or `[[action.NAME.rules]]`',
            )


# -- OJ906 -----------------------------------------------------------------------------------

MAX_TYPO = 2  # a key this close to an alias is probably a misspelling of it


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _custom_hooks(runbook: ast.Runbook) -> Iterator[Diagnostic]:
    for hook in runbook.events:
        key = hook.key.name
        if not key.startswith("on_") or key in HOOK_ALIASES:
            continue
        event = custom_hook_event(key)
        best = close_match(key, HOOK_ALIASES)
        if best is not None and edit_distance(key, best) <= MAX_TYPO:
            help = f"a hook alias with a similar name exists: `{best}` (for `{HOOK_ALIASES[best]}`)"
        else:
            help = f'write the event name as the key to make it explicit: `"{event}" = …`'
        yield diag(
            "OJ906",
            f"hook `{key}` listens for the custom event `{event}`",
            hook.key.span,
            "custom event",
            notes=("the first `_` of an `on_` key becomes `:`",),
            help=help,
        )
