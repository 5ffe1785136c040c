"""References (OJ2xx): every reference site resolved against the project (LANGUAGE.md §1.3,
§1.4); shared names that disagree across runbooks (OJ208); commands defined twice (OJ211).
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ojlang.parser import ast
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


def _tag(d: Diagnostic, runbook: str) -> Diagnostic:
    return attrs.evolve(d, runbook=runbook)


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
        d = attrs.evolve(d, notes=(*d.notes, f"this field takes an action name or one of {verbs}"))
    yield _tag(d, site.runbook)


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
