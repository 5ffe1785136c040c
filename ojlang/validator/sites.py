"""Reference sites of a runbook (LANGUAGE.md §1.4 table): AST in, every place that names a
definition out, with the kinds the site accepts and who owns it.

The reference checks resolve each site once; the compiler, the scope checks (use sites of tasks,
guards, strategies) and the unused-definition check read the same list.
"""

from __future__ import annotations

from collections.abc import Iterator

from ojlang import rec
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


@rec.frozen
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


@rec.frozen
class _Owner:
    """The definition holding some sites; `site()` builds one of them."""

    runbook: str
    kind: str
    name: str
    text: str
    phase: str = ""

    def site(
        self,
        ref: Ref,
        kinds: tuple[str, ...],
        field: str,
        *,
        text: str = "",
        verbs: tuple[str, ...] = (),
        soft: bool = False,
    ) -> Site:
        return Site(
            self.runbook,
            ref,
            kinds,
            text or self.text,
            field,
            owner_kind=self.kind,
            owner_name=self.name,
            phase=self.phase,
            verbs=verbs,
            soft=soft,
        )


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
        owner = _Owner(book, "worker", worker.ident, f"worker `{worker.ident}`")
        if worker.queue is not None:
            yield owner.site(worker.queue, ("queue",), "queue")
        if worker.handler is not None:
            yield owner.site(worker.handler, ("pipeline", "task"), "handler")
    for pipeline in runbook.of("pipeline").values():
        assert isinstance(pipeline, ast.Pipeline)
        for phase in pipeline.phase:
            yield from _phase_sites(book, pipeline, phase)
    for strategy in runbook.of("strategy").values():
        assert isinstance(strategy, ast.Strategy)
        owner = _Owner(book, "strategy", strategy.ident, f"strategy `{strategy.ident}`")
        for attempt in strategy.attempt:
            if attempt.task is not None:
                text = f"attempt `{attempt.ident}` of strategy `{strategy.ident}`"
                yield owner.site(attempt.task, ("task",), "task", text=text)
    for guard in runbook.of("guard").values():
        assert isinstance(guard, ast.Guard)
        owner = _Owner(book, "guard", guard.ident, f"guard `{guard.ident}`")
        for field, refs in (("all", guard.all), ("any", guard.any)):
            for ref in refs:
                yield owner.site(ref, ("guard",), field)
        if guard.not_ is not None:
            yield owner.site(guard.not_, ("guard",), "not")
    for cron in runbook.of("cron").values():
        assert isinstance(cron, ast.Cron)
        owner = _Owner(book, "cron", cron.ident, f"cron `{cron.ident}`")
        for ref in cron.watchers:
            yield owner.site(ref, ("watcher",), "watchers")
        for ref in cron.scanners:
            yield owner.site(ref, ("scanner",), "scanners")
    for watcher in runbook.of("watcher").values():
        assert isinstance(watcher, ast.Watcher)
        owner = _Owner(book, "watcher", watcher.ident, f"watcher `{watcher.ident}`")
        queue = _typed_ref(watcher.source, "queue")
        if queue is not None:
            yield owner.site(queue, ("queue",), "source.name")
        if isinstance(watcher.response, tuple):
            for response in watcher.response:
                if response.action is not None:
                    yield owner.site(
                        response.action, ("action",), "response.action", verbs=RESPONSE_VERBS
                    )
    for scanner in runbook.of("scanner").values():
        assert isinstance(scanner, ast.Scanner)
        owner = _Owner(book, "scanner", scanner.ident, f"scanner `{scanner.ident}`")
        queue = _typed_ref(scanner.source, "queue")
        if queue is not None:
            yield owner.site(queue, ("queue",), "source.name", soft=True)
    for action in runbook.of("action").values():
        assert isinstance(action, ast.Action)
        owner = _Owner(book, "action", action.ident, f"action `{action.ident}`")
        if action.task is not None:
            yield owner.site(action.task, ("task",), "task")
        for index, rule in enumerate(action.rules, start=1):
            if rule.then is not None:
                text = f"rule {index} of action `{action.ident}`"
                yield owner.site(rule.then, ("action",), "then", text=text, verbs=RULE_VERBS)


def _phase_sites(book: str, pipeline: ast.Pipeline, phase: ast.Phase) -> Iterator[Site]:
    text = f"phase `{phase.ident}` of pipeline `{pipeline.ident}`"
    owner = _Owner(book, "pipeline", pipeline.ident, text, phase.ident)
    if phase.task is not None:
        yield owner.site(phase.task, ("task",), "task")
    if phase.strategy is not None:
        yield owner.site(phase.strategy, ("strategy",), "strategy")
    recovery = _ref_of_strategy(phase.on_fail)
    if recovery is not None:
        yield owner.site(recovery, ("strategy",), "on_fail")
    for field, refs in (("pre", phase.pre), ("post", phase.post)):
        for ref in refs:
            yield owner.site(ref, ("guard",), field)
    if phase.lock is not None:
        yield owner.site(phase.lock, ("lock",), "lock")
    if phase.semaphore is not None:
        yield owner.site(phase.semaphore, ("semaphore",), "semaphore")


def _typed_ref(value: object, source_type: str) -> Ref | None:
    if not isinstance(value, ast.TypedTable):
        return None
    if value.type is None or value.type.value != source_type:
        return None
    name = value.values.get("name")
    return name if isinstance(name, Ref) else None
