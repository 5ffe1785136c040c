"""Which definitions the loaded runbooks use (for OJ902): project model in, `Usage` out.

A definition is used when a reference site (`ojlang.validator.sites`) resolves to it, when an
expression (`queue.filter`, a rule's `if`) calls a function of its runbook, when a watcher's
word-form `response` or a rule's `else` names an action of its runbook, when a built-in guard
condition (`lock_free`, `semaphore_available`) names a lock or semaphore literally, or when
shell text runs `oj action trigger NAME`. A name that does not resolve makes its close match
count as used (§7: the unresolved reference is the one diagnostic), and so does a malformed
`on_fail = "strategy:…"` for the strategies of its runbook.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser.fields import Chain, Parsed, Tmpl
from ojlang.parser.mini import close_match
from ojlang.parser.tomltree import TString
from ojlang.validator.model import KIND_WORDS, ProjectModel
from ojlang.validator.sites import RESPONSE_VERBS, RULE_VERBS, Site, sites

UNUSED_KINDS = ("guard", "task", "strategy", "lock", "semaphore", "action")
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
TRIGGER_RE = re.compile(rf"\boj\s+action\s+trigger\s+(?:({_NAME})\.)?({_NAME})")
GUARD_RESOURCES = {"lock_free": ("lock", "lock"), "semaphore_available": ("semaphore", "semaphore")}


@rec.define
class Usage:
    """`used`: (kind, runbook, name) of definitions referred to; `near`: (kind, name) of
    definitions that count as used in every runbook (close matches, unqualified triggers)."""

    used: set[tuple[str, str, str]] = rec.field(factory=set)
    near: set[tuple[str, str]] = rec.field(factory=set)

    def is_used(self, kind: str, runbook: str, name: str) -> bool:
        return (kind, runbook, name) in self.used or (kind, name) in self.near

    @classmethod
    def of(cls, model: ProjectModel) -> Usage:
        usage = cls()
        for runbook in model.runbooks.values():
            for site in sites(runbook):
                usage._site(model, site)
            usage._broken_recoveries(runbook)
            usage._guard_conditions(model, runbook)
            usage._functions(runbook)
            usage._actions(runbook)
        for item in model.loaded:
            usage._triggers(item.source or "")
        return usage

    def _site(self, model: ProjectModel, site: Site) -> None:
        book = model.runbooks.get(site.runbook)
        parts = site.ref.parts
        text = site.ref.text
        is_action = book is not None and text in book.of("action")
        if site.verbs and len(parts) == 1 and text in site.verbs and not is_action:
            return  # a verb, not an action
        resolution = model.resolve(site.ref, site.kinds, site.runbook)
        target = resolution.target
        if target is not None:
            self.used.add((target.kind, target.runbook, target.name))
            return
        kinds = site.kinds
        if len(parts) >= 2 and parts[-2] in KIND_WORDS:
            kinds = (parts[-2],)
        if len(parts) == 3 and parts[0] in model.runbooks:
            other = model.runbooks[parts[0]]
            pools = {k: list(other.of(k)) for k in kinds}
        else:
            pools = {k: model.names_of(k, site.runbook) for k in kinds}
        self._near(parts[-1], pools)

    def _near(self, name: str, pools: dict[str, list[str]]) -> None:
        best = close_match(name, [n for pool in pools.values() for n in pool])
        if best is None:
            return
        for kind, pool in pools.items():
            if best in pool:
                self.near.add((kind, best))

    def _broken_recoveries(self, runbook: ast.Runbook) -> None:
        """An `on_fail = "strategy:…"` that did not parse (OJ410) may mean any strategy of
        its runbook: the close match of what follows `strategy:`, or all when it is empty."""
        strategies = list(runbook.of("strategy"))
        for pipeline in runbook.of("pipeline").values():
            assert isinstance(pipeline, ast.Pipeline)
            for phase in pipeline.phase:
                on_fail = phase.on_fail
                if on_fail is None or on_fail.ast is not None:
                    continue
                text = on_fail.node.value
                if not text.startswith("strategy"):
                    continue
                name = text.removeprefix("strategy").lstrip(":").strip()
                if name:
                    self._near(name.split(".")[-1], {"strategy": strategies})
                else:
                    self.near.update(("strategy", s) for s in strategies)

    def _guard_conditions(self, model: ProjectModel, runbook: ast.Runbook) -> None:
        for guard in runbook.of("guard").values():
            assert isinstance(guard, ast.Guard)
            condition = guard.condition
            if not isinstance(condition, ast.TypedTable) or condition.type is None:
                continue
            found = GUARD_RESOURCES.get(condition.type.value)
            if found is None:
                continue
            kind, key = found
            value = condition.values.get(key)
            if not isinstance(value, Tmpl) or value.template.interps:
                continue
            name = value.node.value
            if name in runbook.of(kind):
                self.used.add((kind, runbook.name, name))
                continue
            shared = model.first_shared(kind, name)
            if shared is not None:
                self.used.add((kind, shared.runbook, name))

    def _functions(self, runbook: ast.Runbook) -> None:
        from ojlang.parser.expressions import called_functions

        expressions: list[Parsed | None] = []
        for queue in runbook.of("queue").values():
            assert isinstance(queue, ast.Queue)
            expressions.append(queue.filter)
        for action in runbook.of("action").values():
            assert isinstance(action, ast.Action)
            expressions.extend(rule.if_ for rule in action.rules)
        pool = {"function": list(runbook.functions)}
        for parsed in expressions:
            if parsed is None or parsed.ast is None:
                continue
            for call in called_functions(parsed.ast):
                if call.name in runbook.functions:
                    self.used.add(("function", runbook.name, call.name))
                else:
                    self._near(call.name, pool)

    def _actions(self, runbook: ast.Runbook) -> None:
        names: list[tuple[str, tuple[str, ...]]] = []
        for watcher in runbook.of("watcher").values():
            assert isinstance(watcher, ast.Watcher)
            if isinstance(watcher.response, Chain):
                names.extend((n, RESPONSE_VERBS) for n in _chain_words(watcher.response))
        for action in runbook.of("action").values():
            assert isinstance(action, ast.Action)
            for rule in action.rules:
                if isinstance(rule.else_, TString):
                    names.append((rule.else_.value, RULE_VERBS))
        pool = {"action": list(runbook.of("action"))}
        for name, verbs in names:
            if name in runbook.of("action"):
                self.used.add(("action", runbook.name, name))
            elif name not in verbs:
                self._near(name, pool)

    def _triggers(self, source: str) -> None:
        for match in TRIGGER_RE.finditer(source):
            book, name = match.group(1), match.group(2)
            if book is None:
                self.near.add(("action", name))
            else:
                self.used.add(("action", book, name))


def _chain_words(chain: Chain) -> Iterable[str]:
    for item in chain.items:
        if item.word is not None:
            yield item.word.name
        else:
            yield item.node.value
