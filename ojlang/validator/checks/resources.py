"""Resources and timing (LANGUAGE.md §6.4, §3.3, §3.7): project model in, OJ505–OJ509 and
OJ511 out.

Phase-level checks (OJ505–OJ507, OJ511) run only on pipelines whose edges and references all
resolved (`PhaseGraph.complete`), so an unresolved name gives one diagnostic. OJ509 looks at
every guard a phase lists in `pre` or `post` (guards used only inside `all`/`any`/`not` are
bounded by the outer guard); a guard already reported by OJ511 is not reported again.
"""

from __future__ import annotations

from collections.abc import Iterator

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser.fields import Dur
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import TInteger
from ojlang.validator.checks import CheckContext
from ojlang.validator.diagnostic import Diagnostic, Label, diag
from ojlang.validator.model import ProjectModel, Target
from ojlang.validator.phase_graph import pipeline_graphs, resolved

DEFAULT_TASK_TIMEOUT_MS = 30 * 60 * 1000
DEFAULT_TASK_TIMEOUT = "30m"
MIN_CRON_INTERVAL_MS = 10_000


def check(model: ProjectModel, ctx: CheckContext) -> Iterator[Diagnostic]:
    under_lock: set[str] = set()  # guards reported by OJ511
    graphs = pipeline_graphs(model)
    complete = {key for key, graph in graphs.items() if graph.complete}
    for runbook in model.runbooks.values():
        for pipeline in runbook.of("pipeline").values():
            assert isinstance(pipeline, ast.Pipeline)
            if (runbook.name, pipeline.ident) not in complete:
                continue
            for phase in pipeline.phase:
                use = _Use(model, runbook.name, pipeline, phase)
                yield from _tag(use.lock_over_task(), runbook.name)
                yield from _tag(use.timeout_below_task(), runbook.name)
                for d, guard in use.post_under_lock():
                    under_lock.add(guard)
                    yield _tagged(d, runbook.name)
        for worker in runbook.of("worker").values():
            assert isinstance(worker, ast.Worker)
            found = _oversubscribed(model, runbook.name, worker, complete)
            yield from _tag(found, runbook.name)
        for cron in runbook.of("cron").values():
            assert isinstance(cron, ast.Cron)
            yield from _tag(_cron_interval(cron), runbook.name)
    yield from _guard_waits(model, under_lock)


def _tag(found: Iterator[Diagnostic], runbook: str) -> Iterator[Diagnostic]:
    for d in found:
        yield _tagged(d, runbook)


def _tagged(d: Diagnostic, runbook: str) -> Diagnostic:
    return rec.evolve(d, runbook=runbook)


def _same_file(span: Span, other: Span) -> bool:
    return span.file == other.file


def can_wait_forever(guard: ast.Guard) -> bool:
    """No `timeout` and no `retry.max` (a value of the wrong type counts as set: it is
    reported by the schema checks)."""
    if "timeout" in guard.table.entries:
        return False
    if "retry" not in guard.table.entries:
        return True
    return guard.retry is not None and "max" not in guard.retry.table.entries


# -- per phase -------------------------------------------------------------------------------


@rec.frozen
class _Use:
    model: ProjectModel
    book: str
    pipeline: ast.Pipeline
    phase: ast.Phase

    @property
    def where(self) -> str:
        return f"phase `{self.phase.ident}` of pipeline `{self.pipeline.ident}`"

    def target(self, ref: object, kind: str) -> Target | None:
        from ojlang.parser.fields import Ref

        return resolved(self.model, ref, kind, self.book) if isinstance(ref, Ref) else None

    def agent_task(self) -> tuple[Target, str | None] | None:
        """The task the phase runs, directly or in a strategy attempt (with a note)."""
        task = self.target(self.phase.task, "task")
        if task is not None:
            return task, None
        strategy = self.target(self.phase.strategy, "strategy")
        if strategy is None:
            return None
        node = strategy.node
        assert isinstance(node, ast.Strategy)
        for attempt in node.attempt:
            found = resolved(self.model, attempt.task, "task", strategy.runbook)
            if found is not None:
                note = (
                    f"task `{found.name}` runs in attempt `{attempt.ident}` of strategy "
                    f"`{strategy.name}`"
                )
                return found, note
        return None

    def lock_over_task(self) -> Iterator[Diagnostic]:
        """OJ506: a lock without `heartbeat` held over an agent task."""
        ref = self.phase.lock
        lock = self.target(ref, "lock")
        if ref is None or lock is None or "heartbeat" in lock.node.table.entries:
            return
        found = self.agent_task()
        if found is None:
            return
        task, note = found
        labels: tuple[Label, ...] = ()
        if _same_file(lock.node.key.span, ref.span):
            labels = (Label(lock.node.key.span, "defined here without `heartbeat`"),)
        yield diag(
            "OJ506",
            f"lock `{lock.name}` has no `heartbeat` but is held while task `{task.name}` runs",
            ref.span,
            "held over an agent task",
            labels=labels,
            notes=(note,) if note else (),
            help=f'add `heartbeat = "30s"` to `[lock.{lock.name}]`',
        )

    def timeout_below_task(self) -> Iterator[Diagnostic]:
        """OJ507: a phase `timeout` shorter than its task's `timeout`."""
        timeout = self.phase.timeout
        task = self.target(self.phase.task, "task")
        if not isinstance(timeout, Dur) or timeout.ms is None or task is None:
            return
        node = task.node
        assert isinstance(node, ast.Task)
        notes: tuple[str, ...] = ()
        if isinstance(node.timeout, Dur) and node.timeout.ms is not None:
            task_ms, task_text = node.timeout.ms, node.timeout.node.value
        elif "timeout" in node.table.entries:
            return
        else:
            task_ms, task_text = DEFAULT_TASK_TIMEOUT_MS, DEFAULT_TASK_TIMEOUT
            notes = (f"task `{task.name}` has the default `timeout` of `{task_text}`",)
        if timeout.ms >= task_ms:
            return
        yield diag(
            "OJ507",
            f"phase `{self.phase.ident}` times out after `{timeout.node.value}`, before task "
            f"`{task.name}` (`{task_text}`)",
            timeout.node.span,
            "shorter than the task's `timeout`",
            notes=(*notes, "the task's own `timeout` and `on_timeout` never apply"),
            help=f"remove the phase `timeout`, or make it at least `{task_text}`",
        )

    def post_under_lock(self) -> Iterator[tuple[Diagnostic, str]]:
        """OJ511: a `post` guard that can wait forever while the phase holds a lock or slot."""
        lock = self.target(self.phase.lock, "lock")
        semaphore = self.target(self.phase.semaphore, "semaphore")
        if lock is not None:
            held = f"lock `{lock.name}`"
        elif semaphore is not None:
            held = f"a slot of semaphore `{semaphore.name}`"
        else:
            return
        for ref in self.phase.post:
            guard = resolved(self.model, ref, "guard", self.book)
            if guard is None:
                continue
            assert isinstance(guard.node, ast.Guard)
            if not can_wait_forever(guard.node):
                continue
            d = diag(
                "OJ511",
                f"guard `{guard.name}` can hold {held} forever",
                ref.span,
                "no `timeout` and no `retry.max`",
                notes=(f"`post` guards of {self.where} are evaluated while it holds {held}",),
                help=f"add `timeout` or `retry.max` to guard `{guard.name}`",
            )
            yield d, guard.key


# -- workers, crons, guards ------------------------------------------------------------------


def _oversubscribed(
    model: ProjectModel, book: str, worker: ast.Worker, complete: set[tuple[str, str]]
) -> Iterator[Diagnostic]:
    """OJ505: worker `concurrency` above the `max` of a semaphore its handler uses."""
    if not isinstance(worker.concurrency, TInteger) or worker.handler is None:
        return
    resolution = model.resolve(worker.handler, ("pipeline", "task"), book)
    handler = resolution.target
    if resolution.diagnostic is not None or handler is None or handler.kind != "pipeline":
        return
    pipeline = handler.node
    assert isinstance(pipeline, ast.Pipeline)
    if (handler.runbook, handler.name) not in complete:
        return
    tightest: tuple[int, Target, ast.Phase] | None = None
    for phase in pipeline.phase:
        semaphore = resolved(model, phase.semaphore, "semaphore", handler.runbook)
        if semaphore is None:
            continue
        node = semaphore.node
        assert isinstance(node, ast.Semaphore)
        if isinstance(node.max, TInteger):
            slots = node.max.value
        elif "max" in node.table.entries:
            continue
        else:
            slots = 1
        if slots >= 1 and (tightest is None or slots < tightest[0]):
            tightest = (slots, semaphore, phase)
    concurrency = worker.concurrency.value
    if tightest is None or concurrency <= tightest[0]:
        return
    slots, semaphore, phase = tightest
    sem_node = semaphore.node
    assert isinstance(sem_node, ast.Semaphore)
    where = sem_node.max.span if sem_node.max is not None else sem_node.key.span
    labels: tuple[Label, ...] = ()
    if _same_file(where, worker.concurrency.span):
        labels = (Label(where, f"`max = {slots}` here"),)
    yield diag(
        "OJ505",
        f"worker `{worker.ident}` runs {concurrency} items at once but semaphore "
        f"`{semaphore.name}` has `max = {slots}`",
        worker.concurrency.span,
        f"more than {slots}",
        labels=labels,
        notes=(
            f"phase `{phase.ident}` of pipeline `{pipeline.ident}` holds a slot of "
            f"`{semaphore.name}`; the extra items wait for a slot while claimed",
        ),
        help=f"lower `concurrency` to {slots}, or raise `max` of semaphore `{semaphore.name}`",
    )


def _cron_interval(cron: ast.Cron) -> Iterator[Diagnostic]:
    """OJ508: a cron `interval` below 10 seconds."""
    interval = cron.interval
    if not isinstance(interval, Dur) or interval.ms is None:
        return
    if interval.ms >= MIN_CRON_INTERVAL_MS:
        return
    yield diag(
        "OJ508",
        f"cron interval `{interval.node.value}` is below 10s",
        interval.node.span,
        "too frequent",
        help="use an interval of at least `10s`",
    )


def _guard_waits(model: ProjectModel, under_lock: set[str]) -> Iterator[Diagnostic]:
    """OJ509: guards listed by a phase that can wait forever."""
    used: dict[str, Target] = {}
    for runbook in model.runbooks.values():
        for pipeline in runbook.of("pipeline").values():
            assert isinstance(pipeline, ast.Pipeline)
            for phase in pipeline.phase:
                for ref in (*phase.pre, *phase.post):
                    guard = resolved(model, ref, "guard", runbook.name)
                    if guard is not None:
                        used.setdefault(guard.key, guard)
    for key, guard in used.items():
        node = guard.node
        assert isinstance(node, ast.Guard)
        if key in under_lock or not can_wait_forever(node):
            continue
        yield diag(
            "OJ509",
            f"guard `{guard.name}` can wait forever",
            node.key.span,
            "no `timeout` and no `retry.max`",
            help='add `timeout`, e.g. `timeout = "1h"`; `on_timeout` then says what happens',
            runbook=guard.runbook,
        )
