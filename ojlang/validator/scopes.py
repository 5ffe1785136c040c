"""Variable scopes (LANGUAGE.md §5.2): a field of a definition at a use site in, the names in
scope with their types out.

Theory of operation. A `Scope` is an ordered map from root names to types, in the order
`oj check` lists them (declared variables first, then the builtins in the order of the §5.2
table, then computed names such as task `vars`, then record or item fields usable as bare
names), each with its static type (`ojlang.validator.vartypes`), plus `dynamic` when
unknown roots are record or item fields that cannot be known statically.

`ScopeModel` builds the scopes of every kind of field from the project model. Shared
definitions (tasks, guards, strategies, functions) get one scope per use site, each with a
note naming the site (OJ301 prints it); use sites are computed once per model from the
reference sites of `ojlang.validator.sites`, skipping references that do not resolve (the
`references` family reports those).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ojlang import rec
from ojlang.parser import ast
from ojlang.parser.mini import close_match
from ojlang.parser.tomltree import TArray, TString, TTable
from ojlang.validator.model import ProjectModel
from ojlang.validator.sites import Site, sites
from ojlang.validator.vartypes import (
    ANY,
    BOOL,
    ENV,
    EVENT,
    INT,
    LIST,
    OPEN,
    STRING,
    TIMESTAMP,
    VType,
    named_type,
    table_type,
)

# -- scopes -------------------------------------------------------------------------------------

# Builtin roots in the order of the §5.2 table (and of the `in scope` note).
BUILTIN_ORDER = (
    "config",
    "env",
    "project",
    "runbook",
    "name",
    "id",
    "pipeline",
    "workspace",
    "branch",
    "phase",
    "attempt",
    "item",
    "strategy",
    "attempt_name",
    "checkpoint",
    "task",
    "session",
    "guard",
    "args",
    "error",
    "record",
    "source",
    "reason",
    "event",
)
_BUILTIN_TYPES = {"env": ENV, "attempt": INT, "item": OPEN, "args": OPEN, "record": OPEN}
_BUILTIN_TYPES["event"] = EVENT
BASE = ("config", "env", "project", "runbook")
RUN = (*BASE, "pipeline", "name", "id", "workspace", "branch")  # P without `phase attempt`
PIPELINE = (*RUN, "phase", "attempt")
REPLACEABLE = ("name", "workspace", "branch")  # pipelines may declare these (§1.5)
ITEM_FIELDS: dict[str, VType] = {
    "id": STRING,
    "priority": INT,
    "created_at": TIMESTAMP,
    "attempts": INT,
}

Names = tuple[tuple[str, VType], ...]


@rec.frozen(eq=False)
class Scope:
    """The names a field may read, in note order, and how OJ301 explains a missing one."""

    names: Mapping[str, VType]
    dynamic: bool = False  # unknown roots are untyped record/item/payload fields (§5.2)
    label: str = "not in scope here"
    declare: str | None = None  # help when nothing close exists
    site: str | None = None  # the use site of a shared definition
    pipeline: tuple[str, str] | None = None  # (runbook, pipeline) whose variables are read
    outputs: frozenset[str] = frozenset()  # declared outputs out of scope here (defaults)

    def type_of(self, name: str) -> VType | None:
        return self.names.get(name)

    def note(self) -> str:
        return "in scope: " + ", ".join(f"`{n}`" for n in self.names)

    def help_for(self, name: str) -> str | None:
        best = close_match(name, self.names)
        if best is not None:
            return f"a variable with a similar name exists: `{best}`"
        if name in self.outputs:
            return "outputs are set while the run goes; defaults are computed before it starts"
        return self.declare


@rec.frozen
class Parts:
    """The pieces a scope is assembled from; `build()` orders them."""

    declared: Names = ()
    builtins: tuple[str, ...] = ()
    types: Mapping[str, VType] = rec.field(factory=dict)
    later: Names = ()
    bare: Names = ()
    dynamic: bool = False
    label: str = "not in scope here"
    declare: str | None = None
    site: str | None = None
    pipeline: tuple[str, str] | None = None
    outputs: frozenset[str] = frozenset()

    def add(self, *builtins: str, later: Names = (), **types: VType) -> Parts:
        return rec.evolve(
            self,
            builtins=(*self.builtins, *builtins),
            types={**self.types, **types},
            later=(*self.later, *later),
        )

    def as_dynamic(self) -> Parts:
        return rec.evolve(self, dynamic=True)

    def build(self) -> Scope:
        names: dict[str, VType] = {}
        for name, kind in self.declared:
            names.setdefault(name, kind)
        wanted = set(self.builtins)
        for name in BUILTIN_ORDER:
            if name in wanted and name not in names:
                names[name] = self.types.get(name) or _BUILTIN_TYPES.get(name, STRING)
        for name, kind in (*self.later, *self.bare):
            names.setdefault(name, kind)
        return Scope(
            names,
            self.dynamic,
            self.label,
            self.declare,
            self.site,
            self.pipeline,
            self.outputs,
        )


def pipeline_variables(pipeline: ast.Pipeline) -> list[str]:
    """Inputs, defaults and outputs of a pipeline, in that order, without repeats."""
    out: list[str] = []
    for name in (
        *(n.value for n in pipeline.inputs),
        *(e.key.name for e in (pipeline.defaults.entries if pipeline.defaults else ())),
        *(n.value for n in pipeline.outputs),
    ):
        if name not in out:
            out.append(name)
    return out


def lost(table: TTable, key: str, built: int) -> bool:
    """Whether `key` of `table` lost entries to a schema error while the AST was built (its
    diagnostic explains why): the names it declares are then not all known."""
    raw = table.get(key)
    if raw is None:
        return False
    if isinstance(raw, TArray):
        return len(raw.items) != built
    if isinstance(raw, TTable):
        return len(raw.entries) != built
    return True


def declarations_lost(pipeline: ast.Pipeline) -> bool:
    defaults = len(pipeline.defaults.entries) if pipeline.defaults is not None else 0
    return (
        lost(pipeline.table, "inputs", len(pipeline.inputs))
        or lost(pipeline.table, "outputs", len(pipeline.outputs))
        or lost(pipeline.table, "defaults", defaults)
    )


@rec.frozen
class Use:
    """One use site of a shared definition: the scope parts there and the note naming it."""

    parts: Parts
    note: str


class ScopeModel:
    """Scopes of every field of the project: built lazily from the model, cached per node."""

    def __init__(self, model: ProjectModel) -> None:
        self.model = model
        self._configs: dict[str, VType] = {}
        self._sites: dict[tuple[str, str, str], list[Site]] | None = None
        self._calls: dict[tuple[str, str], list[tuple[Parts, str]]] | None = None
        self._runbook_sites: dict[str, list[Site]] = {}
        self._owner_index: dict[str, dict[tuple[str, str], list[Site]]] = {}
        self._pipelines: dict[tuple[str, str, str, bool], Parts] = {}

    def runbook_sites(self, runbook: ast.Runbook) -> list[Site]:
        """The reference sites of one runbook (cached)."""
        found = self._runbook_sites.get(runbook.name)
        if found is None:
            found = self._runbook_sites[runbook.name] = list(sites(runbook))
        return found

    def owner_sites(self, runbook: ast.Runbook, kind: str, name: str) -> list[Site]:
        """The reference sites of one definition of `runbook` (indexed once per runbook)."""
        index = self._owner_index.get(runbook.name)
        if index is None:
            index = {}
            for site in self.runbook_sites(runbook):
                index.setdefault((site.owner_kind, site.owner_name), []).append(site)
            self._owner_index[runbook.name] = index
        return index.get((kind, name), [])

    # -- the pieces ------------------------------------------------------------------------

    def config(self, book: str) -> VType:
        found = self._configs.get(book)
        if found is None:
            runbook = self.model.runbooks.get(book)
            found = table_type(runbook.config if runbook else None)
            self._configs[book] = found
        return found

    def base(self, book: str, *extra: str) -> Parts:
        """`config env project runbook` (+ `extra` builtins) of a field in runbook `book`."""
        return Parts(builtins=(*BASE, *extra), types={"config": self.config(book)})

    def resolve(self, ref: object, kinds: tuple[str, ...], book: str) -> ast.Primitive | None:
        from ojlang.parser.fields import Ref

        if not isinstance(ref, Ref):
            return None
        target = self.model.resolve(ref, kinds, book).target
        return None if target is None else target.node

    def item(self, queues: Iterable[ast.Queue | None]) -> tuple[VType, bool]:
        """The item type of one or more queues, and whether its fields are unknown."""
        fields: dict[str, VType] = {}
        for queue in queues:
            if queue is None or queue.fields is None:
                return OPEN, True
            if lost(queue.table, "fields", len(queue.fields.entries)):
                return OPEN, True  # a field type did not check: its diagnostic says why
            merged = {**ITEM_FIELDS}
            for entry in queue.fields.entries:
                value = entry.value
                merged[entry.key.name] = named_type(value.value) if value is not None else ANY
            for key, kind in merged.items():
                fields[key] = kind if fields.get(key, kind) is kind else ANY
        return VType("object", fields), False

    # -- use sites -------------------------------------------------------------------------

    def sites_of(self, kind: str, book: str, name: str) -> list[Site]:
        """The resolved reference sites naming definition `book.kind.name`."""
        if self._sites is None:
            found: dict[tuple[str, str, str], list[Site]] = {}
            for runbook in self.model.runbooks.values():
                for site in self.runbook_sites(runbook):
                    target = self.model.resolve(site.ref, site.kinds, site.runbook).target
                    if target is not None:
                        found.setdefault((target.kind, target.runbook, target.name), []).append(
                            site
                        )
            self._sites = found
        return self._sites.get((kind, book, name), [])

    def _owner(self, site: Site) -> ast.Primitive | None:
        runbook = self.model.runbooks.get(site.runbook)
        return None if runbook is None else runbook.of(site.owner_kind).get(site.owner_name)

    def handler_queues(self, kind: str, book: str, name: str) -> list[tuple[ast.Worker, str]]:
        """Workers whose handler is this pipeline or task, with their runbooks."""
        out = []
        for site in self.sites_of(kind, book, name):
            if site.owner_kind == "worker" and site.field == "handler":
                worker = self._owner(site)
                if isinstance(worker, ast.Worker):
                    out.append((worker, site.runbook))
        return out

    def _worker_item(self, workers: Sequence[tuple[ast.Worker, str]]) -> tuple[VType, bool]:
        queues = []
        for worker, book in workers:
            node = self.resolve(worker.queue, ("queue",), book)
            queues.append(node if isinstance(node, ast.Queue) else None)
        return self.item(queues)

    # -- pipelines -------------------------------------------------------------------------

    def pipeline(
        self, field_book: str, pipe_book: str, pipeline: ast.Pipeline, *, phase: bool = True
    ) -> Parts:
        """P (§5.2) of `pipeline`, for a field written in `field_book`."""
        key = (field_book, pipe_book, pipeline.ident, phase)
        found = self._pipelines.get(key)
        if found is None:
            found = self._pipelines[key] = self._pipeline(field_book, pipe_book, pipeline, phase)
        return found

    def _pipeline(
        self, field_book: str, pipe_book: str, pipeline: ast.Pipeline, phase: bool
    ) -> Parts:
        label = f"pipeline `{pipeline.ident}`"
        parts = Parts(
            declared=tuple((n, ANY) for n in pipeline_variables(pipeline)),
            builtins=PIPELINE if phase else RUN,
            types={"config": self.config(field_book)},
            label=f"not defined in {label}",
            declare=f"declare it in `inputs`, `defaults` or `outputs` of {label}",
            pipeline=(pipe_book, pipeline.ident),
            dynamic=declarations_lost(pipeline),
        )
        workers = self.handler_queues("pipeline", pipe_book, pipeline.ident)
        if workers:
            item, _ = self._worker_item(workers)
            parts = parts.add("item", item=item)
        return parts

    def defaults(self, book: str, pipeline: ast.Pipeline) -> Parts:
        """Defaults values (§5.4): no outputs, no `phase attempt`; `name workspace branch`
        only when declared."""
        label = f"pipeline `{pipeline.ident}`"
        declared = [n.value for n in pipeline.inputs]
        if pipeline.defaults is not None:
            declared += [e.key.name for e in pipeline.defaults.entries]
        parts = Parts(
            declared=tuple((n, ANY) for n in dict.fromkeys(declared)),
            builtins=(*BASE, "pipeline"),
            types={"config": self.config(book)},
            label=f"not defined in {label}",
            declare=f"declare it in `inputs` or `defaults` of {label}",
            pipeline=(book, pipeline.ident),
            outputs=frozenset(n.value for n in pipeline.outputs) - set(declared),
            dynamic=declarations_lost(pipeline),
        )
        if self.handler_queues("pipeline", book, pipeline.ident):
            item, _ = self._worker_item(self.handler_queues("pipeline", book, pipeline.ident))
            parts = parts.add("item", item=item)
        return parts

    def _phase_site(self, field_book: str, site: Site) -> Parts | None:
        pipeline = self._owner(site)
        if not isinstance(pipeline, ast.Pipeline):
            return None
        return self.pipeline(field_book, site.runbook, pipeline)

    # -- shared definitions ----------------------------------------------------------------

    def uses(
        self, kind: str, book: str, name: str, seen: frozenset[str] = frozenset()
    ) -> list[Use]:
        """Every use site of a task, guard or strategy, with its scope parts (§5.2)."""
        key = f"{book}.{kind}.{name}"
        if key in seen:
            return []
        seen = seen | {key}
        out: list[Use] = []
        what = f"{kind} `{name}`"
        for site in self.sites_of(kind, book, name):
            where = site.owner + (f" in runbook `{site.runbook}`" if site.runbook != book else "")
            if site.owner_kind == "pipeline":
                parts = self._phase_site(book, site)
                if parts is not None:
                    out.append(Use(parts, f"{what} is used by {where}"))
            elif site.owner_kind in ("strategy", "guard"):
                for outer in self.uses(site.owner_kind, site.runbook, site.owner_name, seen):
                    parts = outer.parts
                    if site.owner_kind == "strategy":
                        parts = self._attempt(parts, site)
                    via = outer.note.split(" is used by ", 1)[-1]
                    out.append(Use(parts, f"{what} is used by {where}, used by {via}"))
            elif site.owner_kind == "worker" and kind == "task":
                out.append(Use(self._handler_task(book, site), f"{what} is the handler of {where}"))
            elif site.owner_kind == "action" and kind == "task":
                action = self._owner(site)
                if isinstance(action, ast.Action):
                    parts = self.action(site.runbook, action)
                    keys = self.action_arg_keys(site.runbook, action) or []
                    names = tuple((k, ANY) for k in keys)
                    parts = rec.evolve(parts, types={**parts.types, "config": self.config(book)})
                    out.append(Use(parts.add(later=names), f"{what} is started by {where}"))
        return out

    def _attempt(self, parts: Parts, site: Site) -> Parts:
        strategy = self._owner(site)
        extra: tuple[str, ...] = ("strategy", "attempt_name")
        if isinstance(strategy, ast.Strategy) and strategy.checkpoint is not None:
            extra += ("checkpoint",)
        return parts.add(*extra)

    def _handler_task(self, book: str, site: Site) -> Parts:
        worker = self._owner(site)
        workers = [(worker, site.runbook)] if isinstance(worker, ast.Worker) else []
        item, _ = self._worker_item(workers)
        parts = self.base(book, *PIPELINE[len(BASE) :], "item").add(item=item)
        if isinstance(worker, ast.Worker) and worker.item_as is not None:
            parts = parts.add(later=((worker.item_as.value, item),))
        return parts

    def task(self, book: str, task: ast.Task) -> list[Use]:
        return [
            Use(use.parts.add("task", "session"), use.note)
            for use in self.uses("task", book, task.ident)
        ]

    def guard(self, book: str, guard: ast.Guard) -> list[Use]:
        return [
            Use(use.parts.add("guard"), use.note) for use in self.uses("guard", book, guard.ident)
        ]

    def strategy(self, book: str, strategy: ast.Strategy) -> list[Use]:
        return [
            Use(use.parts.add("strategy"), use.note)
            for use in self.uses("strategy", book, strategy.ident)
        ]

    # -- entrypoints, queues, monitors, actions, hooks ----------------------------------------

    def command(self, book: str, command: ast.Command) -> Parts:
        from ojlang.parser.argspec import ArgKind, ArgSpec

        spec = command.args.ast if command.args is not None else ArgSpec()
        if not isinstance(spec, ArgSpec):
            return self.base(book, "args").add(args=OPEN).as_dynamic()
        defaults = {
            e.key.name: e.value for e in (command.defaults.entries if command.defaults else ())
        }
        args: dict[str, VType] = {}
        for item in spec.items:
            if item.kind is ArgKind.FLAG:
                kind = BOOL
            elif item.variadic:
                kind = LIST
            else:
                default = defaults.get(item.var)
                kind = STRING if default is None or isinstance(default, TString) else ANY
            args[item.var] = kind
        label = f"command `{command.ident}`"
        return rec.evolve(
            self.base(book, "args").add(args=VType("object", args, noun="argument")),
            declared=tuple(args.items()),
            label=f"not an argument of {label}",
            declare=f"declare it in `args` of {label}",
        )

    def queue_filter(self, book: str, queue: ast.Queue, *, reason: bool = False) -> Parts:
        """`queue.filter` (and `dead.on_add` with `reason`): item fields as bare names."""
        item, dynamic = self.item([queue])
        bare = tuple((item.fields or ITEM_FIELDS).items())
        extra = ("reason",) if reason else ()
        return Parts(
            builtins=("config", "env", "item", *extra),
            types={"config": self.config(book), "item": item},
            bare=bare,
            dynamic=dynamic,
            label=f"not a field of items of queue `{queue.ident}`",
            declare=None if dynamic else f"declare it in `fields` of queue `{queue.ident}`",
        )

    def record(self, book: str, monitor: ast.Watcher | ast.Scanner) -> Parts:
        """Watcher/scanner `condition`, `cleanup`, `response.args` (§5.2)."""
        from ojlang.validator.records import record_type

        record, dynamic = record_type(self, book, monitor)
        return Parts(
            builtins=(*BASE, "record"),
            types={"config": self.config(book), "record": record},
            bare=tuple((record.fields or {}).items()),
            dynamic=dynamic,
            label="not a field of the records of "
            + ("watcher" if isinstance(monitor, ast.Watcher) else "scanner")
            + f" `{monitor.ident}`",
        )

    def action_arg_keys(self, book: str, action: ast.Action) -> list[str] | None:
        """Keys `args` may hold: the action's own and those responses pass; None if unknown."""
        keys = [e.key.name for e in (action.args.entries if action.args else ())]
        for site in self.sites_of("action", book, action.ident):
            if site.field != "response.action":
                return None
            watcher = self._owner(site)
            if not isinstance(watcher, ast.Watcher) or not isinstance(watcher.response, tuple):
                continue
            for response in watcher.response:
                if response.action is site.ref and response.args is not None:
                    keys += [e.key.name for e in response.args.entries if e.key.name not in keys]
        return keys

    def action(self, book: str, action: ast.Action) -> Parts:
        keys = self.action_arg_keys(book, action)
        args = OPEN if keys is None else VType("object", dict.fromkeys(keys, ANY), noun="argument")
        runbook = self.model.runbooks.get(book)
        outputs: Names = ()
        if runbook is not None:
            outputs = tuple(
                (a.output.value, STRING)
                for a in runbook.of("action").values()
                if isinstance(a, ast.Action) and a.output is not None
            )
        return (
            self.base(book, "args", "record", "source").add(later=outputs, args=args).as_dynamic()
        )

    def hook(self, book: str, scopes: Sequence[str] | None) -> Parts:
        """`[events]` hooks and `notify.rule` texts for events of `scopes` (None: any)."""
        from ojlang.validator.records import PAYLOADS, RUN_SCOPES

        names: dict[str, VType] = {}
        wanted = list(PAYLOADS) if scopes is None else [s for s in scopes if s in PAYLOADS]
        for scope in wanted:
            names.update(dict.fromkeys(PAYLOADS[scope], ANY))
        parts = self.base(book, "event")
        if any(s in RUN_SCOPES for s in wanted):
            runbook = self.model.runbooks.get(book)
            variables = list(PIPELINE[len(BASE) :])
            for pipeline in runbook.of("pipeline").values() if runbook else ():
                assert isinstance(pipeline, ast.Pipeline)
                variables += pipeline_variables(pipeline)
            for name in variables:
                names.setdefault(name, ANY)
        parts = rec.evolve(parts, bare=tuple(names.items()))
        if scopes is None or len(wanted) < len(scopes) or not wanted:
            parts = parts.as_dynamic()
        return parts

    # -- functions -------------------------------------------------------------------------

    def function(self, book: str, name: str) -> list[Use]:
        """Scopes of a function body: each caller's scope (§3.16)."""
        if self._calls is None:
            self._calls = self._call_sites()
        return [
            Use(parts, f"function `{name}` is called by {caller}")
            for parts, caller in self._calls.get((book, name), [])
        ]

    def _call_sites(self) -> dict[tuple[str, str], list[tuple[Parts, str]]]:
        from ojlang.parser.expressions import called_functions

        out: dict[tuple[str, str], list[tuple[Parts, str]]] = {}
        for runbook in self.model.runbooks.values():
            for parts, parsed, caller in self._expressions(runbook):
                if parsed is None:
                    continue
                seen: set[str] = set()
                for call in called_functions(parsed):
                    if call.name in runbook.functions and call.name not in seen:
                        seen.add(call.name)
                        out.setdefault((runbook.name, call.name), []).append((parts, caller))
        return out

    def _expressions(self, runbook: ast.Runbook) -> Iterator[tuple[Parts, Any, str]]:
        for queue in runbook.of("queue").values():
            assert isinstance(queue, ast.Queue)
            if queue.filter is not None:
                parts = self.queue_filter(runbook.name, queue)
                yield parts, queue.filter.ast, f"the `filter` of queue `{queue.ident}`"
        for action in runbook.of("action").values():
            assert isinstance(action, ast.Action)
            for index, rule in enumerate(action.rules, start=1):
                if rule.if_ is not None:
                    parts = self.action(runbook.name, action)
                    yield parts, rule.if_.ast, f"rule {index} of action `{action.ident}`"
