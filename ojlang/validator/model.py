"""The loaded project as the checks see it: runbooks in discovery order, and reference lookup.

Input: the loaded runbooks (shadowed ones already dropped). Output: `resolve()` answers for
every reference form of LANGUAGE.md §1.4 either a `Target` or the diagnostic that explains why
there is none; checks other than the reference checks call it and simply skip unresolved
references, so one root cause gives one diagnostic (§7).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ojlang import rec
from ojlang.loader import Loaded
from ojlang.parser import ast
from ojlang.parser.fields import Ref
from ojlang.parser.mini import close_match, suggestion
from ojlang.project import RunbookFile
from ojlang.validator.diagnostic import Diagnostic, diag

KIND_WORDS = tuple(ast.PRIMITIVES)
SHARED_KINDS = ("command", "queue", "lock", "semaphore")  # §1.3: bare names are project-wide
_ARTICLE = {k: ("an" if k[0] in "aeiou" else "a") for k in KIND_WORDS}


@rec.frozen
class Target:
    """What a reference resolved to."""

    kind: str
    runbook: str
    name: str
    node: ast.Primitive

    @property
    def key(self) -> str:
        return f"{self.runbook}.{self.kind}.{self.name}"

    @property
    def key_short(self) -> str:
        """`RUNBOOK.NAME` (the graph key of per-runbook kinds)."""
        return f"{self.runbook}.{self.name}"


@rec.frozen
class Resolution:
    target: Target | None
    diagnostic: Diagnostic | None = None
    note: Diagnostic | None = None  # e.g. OJ207, reported beside a successful resolution


@rec.define
class ProjectModel:
    """Runbooks by name in discovery order; `reported` names those whose findings are shown."""

    loaded: list[Loaded]
    reported: set[str]
    shadowed: Sequence[RunbookFile] = ()  # files not loaded: an earlier one has their name
    runbooks: dict[str, ast.Runbook] = rec.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.runbooks = {
            item.name: item.runbook for item in self.loaded if item.runbook is not None
        }

    def iter_reported(self) -> Iterator[ast.Runbook]:
        for name, runbook in self.runbooks.items():
            if name in self.reported:
                yield runbook

    def first_shared(self, kind: str, name: str) -> Target | None:
        """The first definition of a shared-name kind in discovery order (§1.3)."""
        for runbook in self.runbooks.values():
            node = runbook.of(kind).get(name)
            if node is not None:
                return Target(kind, runbook.name, name, node)
        return None

    def names_of(self, kind: str, runbook: str) -> list[str]:
        names = list(self.runbooks[runbook].of(kind)) if runbook in self.runbooks else []
        if kind in SHARED_KINDS:
            for other in self.runbooks.values():
                names.extend(n for n in other.of(kind) if n not in names)
        return names

    # -- references (§1.4) -------------------------------------------------------------------

    def resolve(self, ref: Ref, kinds: Sequence[str], runbook: str) -> Resolution:
        """Resolve `ref`, written in `runbook`, at a site that accepts `kinds` (in order)."""
        parts = ref.parts
        if any(not p for p in parts) or len(parts) >= 4:
            return self._invalid(ref, kinds)
        if len(parts) == 1:
            return self._local(ref, parts[0], kinds, runbook)
        if len(parts) == 2:
            kind, name = parts
            if kind not in KIND_WORDS:
                return self._invalid(ref, kinds)
            if kind not in kinds:
                return self._mismatch(ref, kind, kinds)
            return self._local(ref, name, (kind,), runbook)
        book, kind, name = parts
        if book not in self.runbooks:
            return Resolution(
                None,
                diag(
                    "OJ205",
                    f"no runbook named `{book}`",
                    ref.span,
                    "unknown runbook",
                    help=suggestion(book, self.runbooks, "runbook"),
                ),
            )
        if kind not in KIND_WORDS:
            return self._invalid(ref, kinds)
        if kind not in kinds:
            return self._mismatch(ref, kind, kinds)
        node = self.runbooks[book].of(kind).get(name)
        if node is None:
            return self._undefined(ref, name, (kind,), book, local_only=True)
        return Resolution(Target(kind, book, name, node))

    def _local(self, ref: Ref, name: str, kinds: Sequence[str], runbook: str) -> Resolution:
        book = self.runbooks.get(runbook)
        found: list[Target] = []
        if book is not None:
            for kind in kinds:
                node = book.of(kind).get(name)
                if node is not None:
                    found.append(Target(kind, runbook, name, node))
        if not found:
            for kind in kinds:
                if kind in SHARED_KINDS:
                    shared = self.first_shared(kind, name)
                    if shared is not None:
                        found.append(shared)
                        break
        if not found:
            return self._undefined(ref, name, kinds, runbook)
        note = None
        if len(found) > 1 and len(ref.parts) == 1:
            first, second = found[0], found[1]
            note = diag(
                "OJ207",
                f"handler `{name}` names both {_ARTICLE[first.kind]} {first.kind} and "
                f"{_ARTICLE[second.kind]} {second.kind}; the {first.kind} is used",
                ref.span,
                "ambiguous",
                help=f"write `{first.kind}.{name}`",
            )
        return Resolution(found[0], note=note)

    def _undefined(
        self,
        ref: Ref,
        name: str,
        kinds: Sequence[str],
        runbook: str,
        *,
        local_only: bool = False,
    ) -> Resolution:
        kind = kinds[0]
        code = "OJ202" if kind in ("queue", "lock", "semaphore") else "OJ201"
        candidates: list[str] = []
        for k in kinds:
            if local_only:
                candidates.extend(self.runbooks[runbook].of(k))
            else:
                candidates.extend(self.names_of(k, runbook))
        what = " or ".join(kinds)
        notes: tuple[str, ...] = ()
        book = self.runbooks.get(runbook)
        others = [
            k for k in KIND_WORDS if k not in kinds and book is not None and name in book.of(k)
        ]
        if others:
            other = others[0]
            notes = (
                f"`{name}` is {_ARTICLE[other]} {other}, but this field needs "
                f"{_ARTICLE[kind]} {what}",
            )
        best = close_match(name, candidates)
        help_text = (
            f"{_ARTICLE[kind]} {kind} with a similar name exists: `{best}`"
            if best is not None
            else suggestion(name, candidates, kind)
        )
        return Resolution(
            None,
            diag(
                code,
                f"undefined {what} `{name}`",
                ref.span,
                f"no {what} with this name",
                notes=notes,
                help=help_text,
            ),
        )

    def _invalid(self, ref: Ref, kinds: Sequence[str]) -> Resolution:
        parts = ref.parts
        kind = kinds[0]
        help_text = "write `NAME`, `KIND.NAME` or `RUNBOOK.KIND.NAME`"
        if len(parts) == 2 and all(parts) and parts[0] in self.runbooks:
            help_text = f"write `{parts[0]}.{kind}.{parts[1]}`"
        return Resolution(
            None,
            diag(
                "OJ206",
                f"`{ref.text}` is not a valid reference",
                ref.span,
                "malformed reference",
                help=help_text,
            ),
        )

    def _mismatch(self, ref: Ref, kind: str, kinds: Sequence[str]) -> Resolution:
        what = " or ".join(kinds)
        return Resolution(
            None,
            diag(
                "OJ204",
                f"`{ref.text}` is {_ARTICLE[kind]} {kind}, but this field needs "
                f"{_ARTICLE[kinds[0]]} {what}",
                ref.span,
                f"not {_ARTICLE[kinds[0]]} {what}",
            ),
        )
