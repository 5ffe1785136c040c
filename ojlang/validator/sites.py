"""Reference sites of a runbook (LANGUAGE.md §1.4 table): AST in, every place that names a
definition out, with the kinds the site accepts and who owns it.

The reference checks resolve each site once; the compiler, the scope checks (use sites of tasks,
guards, strategies) and the unused-definition check read the same list.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ojlang.parser import ast
from ojlang.parser.fields import Ref

# Verbs a response `action` or a rule's `then`/`else` may name instead of an action (§4.5).
RESPONSE_VERBS = ("nudge", "restart", "checkpoint", "escalate", "notify", "fail")
RULE_VERBS = (
    "escalate",
    "notify",
    "retry",
    "requeue",
    "dead",
    "abandon",
    "nudge",
    "restart",
    "wait",
)


@attrs.frozen
class Site:
    runbook: str
    ref: Ref
    kinds: tuple[str, ...]
    owner: str  # e.g. "phase `plan` of pipeline `feature`"
    field: str
    owner_kind: str = ""  # kind of the definition holding the site
    owner_name: str = ""  # its name
    phase: str = ""  # phase name, for sites inside a phase
    verbs: tuple[str, ...] = ()  # words accepted instead of a definition
    soft: bool = False  # unresolved is OJ209 (warning), not an error


def _ref_of_strategy(on_fail: object) -> Ref | None:
    from ojlang.parser.fields import Parsed
    from ojlang.parser.onfail import StrategyRef

    if not isinstance(on_fail, Parsed) or not isinstance(on_fail.ast, StrategyRef):
        return None
    node = on_fail.node
    parsed = on_fail.ast
    span = node.source_map.span(parsed.ref_start, parsed.ref_end)
    return Ref(parsed.ref, span, node)


def sites(runbook: ast.Runbook) -> Iterator[Site]:
    """Every reference site of `runbook`, in file order per kind."""
    book = runbook.name
    for worker in runbook.of("worker").values():
        assert isinstance(worker, ast.Worker)
        owner = f"worker `{worker.ident}`"
        common = {"owner_kind": "worker", "owner_name": worker.ident}
        if worker.queue is not None:
            yield Site(book, worker.queue, ("queue",), owner, "queue", **common)
        if worker.handler is not None:
            yield Site(book, worker.handler, ("pipeline", "task"), owner, "handler", **common)
    for pipeline in runbook.of("pipeline").values():
        assert isinstance(pipeline, ast.Pipeline)
        for phase in pipeline.phase:
            yield from _phase_sites(book, pipeline, phase)
    for strategy in runbook.of("strategy").values():
        assert isinstance(strategy, ast.Strategy)
        for attempt in strategy.attempt:
            if attempt.task is not None:
                yield Site(
                    book,
                    attempt.task,
                    ("task",),
                    f"attempt `{attempt.ident}` of strategy `{strategy.ident}`",
                    "task",
                    owner_kind="strategy",
                    owner_name=strategy.ident,
                )
    for guard in runbook.of("guard").values():
        assert isinstance(guard, ast.Guard)
        owner = f"guard `{guard.ident}`"
        common = {"owner_kind": "guard", "owner_name": guard.ident}
        for field, refs in (("all", guard.all), ("any", guard.any)):
            for ref in refs:
                yield Site(book, ref, ("guard",), owner, field, **common)
        if guard.not_ is not None:
            yield Site(book, guard.not_, ("guard",), owner, "not", **common)
    for cron in runbook.of("cron").values():
        assert isinstance(cron, ast.Cron)
        owner = f"cron `{cron.ident}`"
        common = {"owner_kind": "cron", "owner_name": cron.ident}
        for ref in cron.watchers:
            yield Site(book, ref, ("watcher",), owner, "watchers", **common)
        for ref in cron.scanners:
            yield Site(book, ref, ("scanner",), owner, "scanners", **common)
    for watcher in runbook.of("watcher").values():
        assert isinstance(watcher, ast.Watcher)
        owner = f"watcher `{watcher.ident}`"
        common = {"owner_kind": "watcher", "owner_name": watcher.ident}
        queue = _typed_ref(watcher.source, "queue")
        if queue is not None:
            yield Site(book, queue, ("queue",), owner, "source.name", **common)
        if isinstance(watcher.response, tuple):
            for response in watcher.response:
                if response.action is not None:
                    yield Site(
                        book,
                        response.action,
                        ("action",),
                        owner,
                        "response.action",
                        verbs=RESPONSE_VERBS,
                        **common,
                    )
    for scanner in runbook.of("scanner").values():
        assert isinstance(scanner, ast.Scanner)
        queue = _typed_ref(scanner.source, "queue")
        if queue is not None:
            yield Site(
                book,
                queue,
                ("queue",),
                f"scanner `{scanner.ident}`",
                "source.name",
                owner_kind="scanner",
                owner_name=scanner.ident,
                soft=True,
            )
    for action in runbook.of("action").values():
        assert isinstance(action, ast.Action)
        owner = f"action `{action.ident}`"
        common = {"owner_kind": "action", "owner_name": action.ident}
        if action.task is not None:
            yield Site(book, action.task, ("task",), owner, "task", **common)
        for index, rule in enumerate(action.rules, start=1):
            if rule.then is not None:
                yield Site(
                    book,
                    rule.then,
                    ("action",),
                    f"rule {index} of {owner}",
                    "then",
                    verbs=RULE_VERBS,
                    **common,
                )


def _phase_sites(book: str, pipeline: ast.Pipeline, phase: ast.Phase) -> Iterator[Site]:
    owner = f"phase `{phase.ident}` of pipeline `{pipeline.ident}`"
    common = {"owner_kind": "pipeline", "owner_name": pipeline.ident, "phase": phase.ident}
    if phase.task is not None:
        yield Site(book, phase.task, ("task",), owner, "task", **common)
    if phase.strategy is not None:
        yield Site(book, phase.strategy, ("strategy",), owner, "strategy", **common)
    recovery = _ref_of_strategy(phase.on_fail)
    if recovery is not None:
        yield Site(book, recovery, ("strategy",), owner, "on_fail", **common)
    for field, refs in (("pre", phase.pre), ("post", phase.post)):
        for ref in refs:
            yield Site(book, ref, ("guard",), owner, field, **common)
    if phase.lock is not None:
        yield Site(book, phase.lock, ("lock",), owner, "lock", **common)
    if phase.semaphore is not None:
        yield Site(book, phase.semaphore, ("semaphore",), owner, "semaphore", **common)


def _typed_ref(value: object, source_type: str) -> Ref | None:
    if not isinstance(value, ast.TypedTable):
        return None
    if value.type is None or value.type.value != source_type:
        return None
    name = value.values.get("name")
    return name if isinstance(name, Ref) else None
