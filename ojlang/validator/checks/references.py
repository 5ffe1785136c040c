"""References (OJ2xx): every reference site resolved against the project (LANGUAGE.md §1.3,
§1.4); shared names that disagree across runbooks (OJ208); commands defined twice (OJ211).
"""

from __future__ import annotations

from collections.abc import Iterator

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser.mini import close_match
from ojlang.parser.tomltree import TInteger, plain
from ojlang.validator.checks import CheckContext
from ojlang.validator.diagnostic import Diagnostic, Label, diag
from ojlang.validator.model import ProjectModel
from ojlang.validator.sites import Site, sites


def check(model: ProjectModel, ctx: CheckContext) -> Iterator[Diagnostic]:
    for runbook in model.runbooks.values():
        for site in sites(runbook):
            yield from _site(model, site)
    yield from _semaphores(model)
    yield from _queues(model)
    yield from _commands(model)
    yield from _guard_cycles(model)
    yield from _handler_inputs(model)


def _tag(d: Diagnostic, runbook: str) -> Diagnostic:
    return rec.evolve(d, runbook=runbook)


def _site(model: ProjectModel, site: Site) -> Iterator[Diagnostic]:
    if site.verbs and len(site.ref.parts) == 1:
        name = site.ref.text
        book = model.runbooks.get(site.runbook)
        if book is not None and name not in book.of("action") and name in site.verbs:
            return  # a verb, not an action
    resolution = model.resolve(site.ref, site.kinds, site.runbook)
    if resolution.note is not None:
        yield _tag(resolution.note, site.runbook)
    d = resolution.diagnostic
    if d is None:
        return
    if site.soft and d.code == "OJ202":
        yield _tag(
            diag(
                "OJ209",
                f"scanner reads queue `{site.ref.text}`, which no runbook defines",
                site.ref.span,
                "no such queue",
                help=d.help,
            ),
            site.runbook,
        )
        return
    if site.verbs and d.code == "OJ201":
        verbs = ", ".join(f"`{v}`" for v in site.verbs)
        d = rec.evolve(d, notes=(*d.notes, f"this field takes an action name or one of {verbs}"))
        if len(site.ref.parts) == 1:
            d = rec.evolve(d, help=_verb_help(model, site, d.help))
    yield _tag(d, site.runbook)


def _verb_help(model: ProjectModel, site: Site, help_text: str | None) -> str | None:
    """The help of an undefined name in a field that takes an action or a verb: the closest
    of the actions in reach and the verbs (`restrat` -> the verb `restart`)."""
    actions = model.names_of("action", site.runbook)
    best = close_match(site.ref.text, [*actions, *site.verbs])
    if best is None or best not in site.verbs or best in actions:
        return help_text
    return f"a verb with a similar name exists: `{best}`"


def _semaphores(model: ProjectModel) -> Iterator[Diagnostic]:
    """OJ208: same-named semaphores must agree on `max` (§1.3)."""
    first: dict[str, tuple[str, int, ast.Semaphore]] = {}
    for runbook in model.runbooks.values():
        for name, node in runbook.of("semaphore").items():
            assert isinstance(node, ast.Semaphore)
            value = node.max.value if isinstance(node.max, TInteger) else 1
            if name not in first:
                first[name] = (runbook.name, value, node)
                continue
            other_book, other_value, other = first[name]
            if value != other_value:
                span = node.max.span if node.max is not None else node.key.span
                yield _tag(
                    diag(
                        "OJ208",
                        f"semaphore `{name}` has `max = {value}` here but `max = {other_value}` "
                        f"in runbook `{other_book}`",
                        span,
                        "disagrees",
                        labels=(Label(other.key.span, f"`max = {other_value}` here"),),
                        help="a semaphore is one object per project: give every definition "
                        "the same `max`",
                    ),
                    runbook.name,
                )


def _commands(model: ProjectModel) -> Iterator[Diagnostic]:
    """OJ211: a command name used by several runbooks; reported on the one `oj run` picks."""
    first: dict[str, tuple[str, ast.Primitive]] = {}
    for runbook in model.runbooks.values():
        for name, node in runbook.of("command").items():
            if name not in first:
                first[name] = (runbook.name, node)
                continue
            winner_book, winner = first[name]
            yield _tag(
                diag(
                    "OJ211",
                    f"command `{name}` is also defined in runbook `{runbook.name}`; "
                    f"`oj run {name}` runs this one",
                    winner.key.span,
                    "runs on `oj run`",
                    help=f"run the other one as `oj run {runbook.name}.{name}`",
                ),
                winner_book,
            )


def _queues(model: ProjectModel) -> Iterator[Diagnostic]:
    """OJ208: same-named queues must agree on every field (§1.3)."""
    first: dict[str, tuple[str, dict[str, object], ast.Primitive]] = {}
    for runbook in model.runbooks.values():
        for name, node in runbook.of("queue").items():
            fields = {
                k: v for k, v in plain(node.table).items() if k not in ("name", "description")
            }
            if name not in first:
                first[name] = (runbook.name, fields, node)
                continue
            other_book, other_fields, other = first[name]
            if fields == other_fields:
                continue
            differ = sorted(
                k for k in {*fields, *other_fields} if fields.get(k) != other_fields.get(k)
            )
            yield _tag(
                diag(
                    "OJ208",
                    f"queue `{name}` differs from its definition in runbook `{other_book}` "
                    f"({', '.join(f'`{k}`' for k in differ)})",
                    node.key.span,
                    "disagrees",
                    labels=(Label(other.key.span, "first defined here"),),
                    help="a queue is one object per project: make every definition identical",
                ),
                runbook.name,
            )


def _guard_cycles(model: ProjectModel) -> Iterator[Diagnostic]:
    """OJ212: `all`/`any`/`not` guards that refer to each other in a cycle, reported once per
    cycle at the reference of its earliest guard (discovery, then file order) into the cycle."""
    edges: dict[str, list[tuple[str, Site]]] = {}
    order: list[str] = []
    for runbook in model.runbooks.values():
        for name in runbook.of("guard"):
            key = f"{runbook.name}.{name}"
            order.append(key)
            edges[key] = []
        for site in sites(runbook):
            if site.owner_kind != "guard":
                continue
            target = model.resolve(site.ref, site.kinds, site.runbook).target
            if target is not None:
                owner = f"{site.runbook}.{site.owner_name}"
                edges[owner].append((target.key_short, site))
    reported: set[frozenset[str]] = set()
    for start in order:
        path = _cycle_from(start, edges)
        if path is None:
            continue
        members = frozenset(path)
        if members in reported:
            continue
        reported.add(members)
        first = min(members, key=order.index)
        rotated = _rotate(path, first)
        site = next(s for target, s in edges[first] if target == rotated[1 % len(rotated)])
        names = " → ".join(f"`{k.split('.', 1)[1]}`" for k in (*rotated, first))
        yield _tag(
            diag(
                "OJ212",
                f"guards form a cycle: {names}",
                site.ref.span,
                "closes a cycle",
                help="a guard cannot depend on itself; break the cycle",
            ),
            site.runbook,
        )


def _cycle_from(start: str, edges: dict[str, list[tuple[str, Site]]]) -> list[str] | None:
    """A cycle through `start` (its guards in order, starting at `start`), or None."""
    stack: list[tuple[str, int]] = [(start, 0)]
    path: list[str] = [start]
    seen = {start}
    while stack:
        node, index = stack[-1]
        nexts = edges.get(node, [])
        if index >= len(nexts):
            stack.pop()
            path.pop()
            continue
        stack[-1] = (node, index + 1)
        target = nexts[index][0]
        if target == start:
            return list(path)
        if target in seen:
            continue
        seen.add(target)
        stack.append((target, 0))
        path.append(target)
    return None


def _rotate(path: list[str], first: str) -> list[str]:
    i = path.index(first)
    return path[i:] + path[:i]


BUILTIN_ITEM_FIELDS = ("id", "priority", "created_at", "attempts")


def _handler_inputs(model: ProjectModel) -> Iterator[Diagnostic]:
    """OJ210: with declared queue `fields`, a handler input that no rule of §5.3 can bind."""
    for runbook in model.runbooks.values():
        for worker in runbook.of("worker").values():
            assert isinstance(worker, ast.Worker)
            if worker.queue is None or worker.handler is None:
                continue
            queue = model.resolve(worker.queue, ("queue",), runbook.name).target
            handler = model.resolve(worker.handler, ("pipeline", "task"), runbook.name).target
            if queue is None or handler is None or handler.kind != "pipeline":
                continue
            assert isinstance(queue.node, ast.Queue) and isinstance(handler.node, ast.Pipeline)
            if queue.node.fields is None:
                continue
            fields = {e.key.name for e in queue.node.fields.entries} | set(BUILTIN_ITEM_FIELDS)
            pipeline = handler.node
            inputs = pipeline.inputs
            if len(inputs) == 1:
                continue  # the whole item binds to a single input
            defaults = set()
            if pipeline.defaults is not None:
                defaults = {e.key.name for e in pipeline.defaults.entries}
            item_as = worker.item_as.value if worker.item_as is not None else None
            for node in inputs:
                name = node.value
                if name in fields or name == item_as or name in defaults:
                    continue
                hint = (
                    f'set `item_as = "{name}"` on worker `{worker.ident}`'
                    if item_as is None
                    else f"declare `{name}` in the `fields` of queue `{queue.name}` or give it "
                    "a default"
                )
                yield _tag(
                    diag(
                        "OJ210",
                        f"input `{name}` of pipeline `{pipeline.ident}` cannot be bound from "
                        f"items of queue `{queue.name}`",
                        node.span,
                        "not an item field",
                        notes=(f"worker `{worker.ident}` runs it for each item",),
                        help=hint,
                    ),
                    handler.runbook,
                )
