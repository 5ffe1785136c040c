"""Each primitive of the runbook AST -> its `graph` record, defaults of LANGUAGE.md §3 applied."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ojlang.compiler.templates import compile_text, compile_tmpl, template_or_literal
from ojlang.parser import ast
from ojlang.parser.fields import Chain, Dur, MapField, Parsed, Ref, Tmpl
from ojlang.parser.tomltree import TBool, TInteger, TString, TTable, plain
from ojlang.runtime.core import graph
from ojlang.validator.model import SHARED_KINDS, ProjectModel

US_PER_MS = 1000


class CompileError(Exception):
    """The project has a problem `oj check` reports; compile only checked projects."""


def _us(value: Dur | None, default: int | None = None) -> int | None:
    if value is None or value.ms is None:
        return default
    return value.ms * US_PER_MS


def _int(value: TInteger | None, default: int) -> int:
    return value.value if isinstance(value, TInteger) else default


def _opt_int(value: TInteger | None) -> int | None:
    return value.value if isinstance(value, TInteger) else None


def _bool(value: TBool | None, default: bool) -> bool:
    return value.value if isinstance(value, TBool) else default


def _str(value: TString | None, default: str = "") -> str:
    return value.value if isinstance(value, TString) else default


def _words(
    chain: Chain | None, default: tuple[graph.ChainWord, ...]
) -> tuple[graph.ChainWord, ...]:
    if chain is None:
        return default
    out = []
    for item in chain.items:
        word = item.word
        if word is None:
            raise CompileError(f"chain word `{item.node.value}` did not parse")
        duration = None if word.duration_ms is None else word.duration_ms * US_PER_MS
        out.append(graph.ChainWord(word.name, word.count or 1, duration))
    return tuple(out)


def _word(chain: Chain | None, default: str) -> str:
    words = _words(chain, ())
    return words[0].word if words else default


def _patterns(values: Iterable[Parsed]) -> tuple[graph.Pattern, ...]:
    return tuple(graph.Pattern(p.node.value) for p in values)


def _map(field: MapField | None) -> dict[str, Any]:
    if field is None:
        return {}
    return {e.key.name: template_or_literal(e.value) for e in field.entries}


class Compiler:
    """Compiles one project; `key()` turns a resolved reference into its graph key."""

    def __init__(self, model: ProjectModel, root: Path, settings: graph.Settings | None) -> None:
        self.model = model
        self.root = root
        self.settings = settings or graph.Settings(project_root=str(root))
        self.libraries = {item.name for item in model.loaded if item.file.origin.is_library}

    # -- references -------------------------------------------------------------------------

    def key(self, ref: Ref, kinds: tuple[str, ...], runbook: str) -> tuple[str, str]:
        """(kind, graph key) of a reference; raises CompileError when it does not resolve."""
        resolution = self.model.resolve(ref, kinds, runbook)
        target = resolution.target
        if target is None:
            d = resolution.diagnostic
            raise CompileError(d.message if d is not None else f"cannot resolve `{ref.text}`")
        if target.kind in SHARED_KINDS:
            return target.kind, target.name
        return target.kind, f"{target.runbook}.{target.name}"

    def ref(self, ref: Ref | None, kind: str, runbook: str) -> str | None:
        if ref is None:
            return None
        return self.key(ref, (kind,), runbook)[1]

    # -- the whole project ------------------------------------------------------------------

    def compile(self) -> graph.Graph:
        parts: dict[str, dict[str, Any]] = {
            name: {}
            for name in (
                "commands",
                "workers",
                "crons",
                "queues",
                "pipelines",
                "tasks",
                "guards",
                "strategies",
                "locks",
                "semaphores",
                "watchers",
                "scanners",
                "actions",
            )
        }
        runbooks: dict[str, graph.Runbook] = {}
        for book in self.model.runbooks.values():
            runbooks[book.name] = self.runbook(book)
            for kind, table in book.definitions.items():
                for name, node in table.items():
                    compiled = getattr(self, kind)(book, node)
                    bucket = parts[_PLURAL[kind]]
                    key = name if kind in SHARED_KINDS else f"{book.name}.{name}"
                    if kind in SHARED_KINDS and key in bucket:
                        continue  # the first definition in discovery order wins (§1.3)
                    bucket[key] = compiled
        self.task_pipelines(parts)
        return graph.Graph(runbooks=runbooks, settings=self.settings, **parts)

    def task_pipelines(self, parts: dict[str, dict[str, Any]]) -> None:
        """A task run by a worker or an action runs as an implicit one-phase pipeline named
        after the task (LANGUAGE.md §3.2), keyed by the task's key."""
        wanted = [w.handler for w in parts["workers"].values() if w.handler_kind == "task"]
        wanted += [a.task for a in parts["actions"].values() if a.task is not None]
        for key in wanted:
            task = parts["tasks"][key]
            existing = parts["pipelines"].get(key)
            if existing is not None:
                if existing.phases != (graph.Phase(name=task.name, action="task", task=key),):
                    raise CompileError(
                        f"task `{key}` runs as a pipeline, but a pipeline has the same name"
                    )
                continue
            parts["pipelines"][key] = graph.Pipeline(
                name=task.name,
                runbook=task.runbook,
                phases=(graph.Phase(name=task.name, action="task", task=key),),
            )

    def runbook(self, book: ast.Runbook) -> graph.Runbook:
        config = plain(book.config) if book.config is not None else {}
        functions = {}
        for name, fn in book.functions.items():
            if fn.run is None:
                raise CompileError(f"function `{name}` has no `run`")
            functions[name] = graph.Function(
                name=name,
                run=compile_tmpl(fn.run) or graph.Template(),
                params=tuple(p.value for p in fn.params or ()),
                returns=_str(fn.returns, "bool"),
                string_form=fn.params is None,
            )
        hooks = tuple(
            graph.Hook(graph.Pattern(h.event), compile_tmpl(h.run) or graph.Template(), book.name)
            for h in book.events
            if h.run is not None
        )
        return graph.Runbook(
            name=book.name,
            config=config,
            functions=functions,
            notify=self.notify(book.notify),
            hooks=hooks,
            library=book.name in self.libraries,
        )

    def notify(self, node: ast.Notify | None) -> graph.Notify:
        if node is None:
            return graph.Notify()
        rules = tuple(
            graph.NotifyRule(
                on=graph.Pattern(r.on.node.value) if r.on is not None else graph.Pattern("**"),
                title=compile_tmpl(r.title),
                message=compile_tmpl(r.message),
                urgency=_URGENCY.get(_str(r.urgency), _str(r.urgency)),
                channels=tuple(c.value for c in r.channels) or ("desktop", "webhook"),
            )
            for r in node.rule
        )
        default = graph.Notify()
        return graph.Notify(
            desktop=_bool(node.desktop, True),
            webhook=compile_tmpl(node.webhook),
            on=_patterns(node.on) if "on" in node.table.entries else default.on,
            ignore=_patterns(node.ignore),
            rules=rules,
        )

    # -- primitives -------------------------------------------------------------------------

    def command(self, book: ast.Runbook, node: ast.Primitive) -> graph.Command:
        assert isinstance(node, ast.Command)
        return graph.Command(
            name=node.ident,
            runbook=book.name,
            args=node.args.node.value if node.args is not None else "",
            aliases={e.key.name: e.value.value for e in node.aliases.entries}
            if node.aliases is not None
            else {},
            defaults={e.key.name: plain(e.value) for e in node.defaults.entries}
            if node.defaults is not None
            else {},
            run=compile_tmpl(node.run),
        )

    def worker(self, book: ast.Runbook, node: ast.Primitive) -> graph.Worker:
        assert isinstance(node, ast.Worker)
        assert node.queue is not None and node.handler is not None
        kind, handler = self.key(node.handler, ("pipeline", "task"), book.name)
        idle = _words(node.idle_action, (graph.ChainWord("wait"),))[0]
        return graph.Worker(
            name=node.ident,
            runbook=book.name,
            queue=self.key(node.queue, ("queue",), book.name)[1],
            handler=handler,
            handler_kind=kind,
            concurrency=_int(node.concurrency, 1),
            item_as=node.item_as.value if node.item_as is not None else None,
            idle_action=idle,
            wake_on=_patterns(node.wake_on),
            on_unhealthy=_word(node.on_unhealthy, "restart"),
            enabled=_bool(node.enabled, True),
        )

    def cron(self, book: ast.Runbook, node: ast.Primitive) -> graph.Cron:
        assert isinstance(node, ast.Cron)
        return graph.Cron(
            name=node.ident,
            runbook=book.name,
            interval_us=_us(node.interval) or 0,
            enabled=_bool(node.enabled, False),
            run=compile_tmpl(node.run),
            watchers=tuple(self.key(r, ("watcher",), book.name)[1] for r in node.watchers),
            scanners=tuple(self.key(r, ("scanner",), book.name)[1] for r in node.scanners),
        )

    def queue(self, book: ast.Runbook, node: ast.Primitive) -> graph.Queue:
        assert isinstance(node, ast.Queue)
        from ojlang.compiler.expressions import compile_expression

        order: tuple[graph.OrderKey, ...] = graph.DEFAULT_ORDER
        if node.order is not None and node.order.ast is not None:
            order = tuple(
                graph.OrderKey(_order_path(k.path), k.descending) for k in node.order.ast.keys
            )
        fields = None
        if node.fields is not None:
            fields = {
                e.key.name: (e.value.value if isinstance(e.value, TString) else "any")
                for e in node.fields.entries
            }
        dead = node.dead
        return graph.Queue(
            name=node.ident,
            runbook=book.name,
            source=compile_tmpl(node.source),
            filter=compile_expression(node.filter),
            order=order,
            fields=fields,
            visibility_timeout_us=_us(node.visibility_timeout, 5 * graph.MIN) or 0,
            max_retries=_int(node.max_retries, 2),
            on_exhaust=_words(node.on_exhaust, (graph.ChainWord("dead"),))[0],
            dead=graph.DeadLetters(
                retention_us=_us(dead.retention) if dead is not None else None,
                on_add=compile_tmpl(dead.on_add) if dead is not None else None,
            ),
        )

    def pipeline(self, book: ast.Runbook, node: ast.Primitive) -> graph.Pipeline:
        from ojlang.compiler.pipelines import compile_pipeline

        assert isinstance(node, ast.Pipeline)
        return compile_pipeline(self, book, node)

    def task(self, book: ast.Runbook, node: ast.Primitive) -> graph.Task:
        assert isinstance(node, ast.Task)
        default = graph.Task(name="", runbook="")
        prompt = node.prompt.value if node.prompt is not None else None
        if node.prompt_file is not None:
            prompt = self.read_template(book, node.prompt_file.value)
        context = None
        if node.context_template is not None:
            context = self.read_template(book, node.context_template.value)
        return graph.Task(
            name=node.ident,
            runbook=book.name,
            command=compile_tmpl(node.command) or default.command,
            prompt=prompt,
            env={e.key.name: compile_tmpl(e.value) or graph.Template() for e in node.env.entries}
            if node.env is not None
            else {},
            vars=tuple(
                graph.TaskVar(
                    name=_str(v.name),
                    source=compile_tmpl(v.source) or graph.Template(),
                    format=_str(v.format, "auto"),
                )
                for v in node.vars
            ),
            cwd=compile_tmpl(node.cwd),
            heartbeat=_str(node.heartbeat, "auto"),
            timeout_us=_us(node.timeout, default.timeout_us) or default.timeout_us,
            idle_timeout_us=_us(node.idle_timeout, default.idle_timeout_us)
            or default.idle_timeout_us,
            on_stuck=_words(node.on_stuck, default.on_stuck),
            on_timeout=_words(node.on_timeout, default.on_timeout),
            checkpoint=compile_tmpl(node.checkpoint),
            checkpoint_interval_us=_us(node.checkpoint_interval),
            nudge_message=compile_tmpl(node.nudge_message) or default.nudge_message,
            prime=tuple(t for t in (compile_tmpl(p) for p in node.prime or ()) if t is not None),
            context_template=context,
            context_file=_str(node.context_file, "CLAUDE.md"),
        )

    def read_template(self, book: ast.Runbook, name: str) -> str:
        """A prompt or context file: the runbook's directory first, then the project root."""
        runbook_dir = (
            (self.root / book.path).parent
            if not Path(book.path).is_absolute()
            else Path(book.path).parent
        )
        for base in (runbook_dir, self.root):
            path = base / name
            if path.is_file():
                return path.read_text(encoding="utf-8")
        raise CompileError(f"template file `{name}` not found")

    def guard(self, book: ast.Runbook, node: ast.Primitive) -> graph.Guard:
        assert isinstance(node, ast.Guard)
        on_timeout = "escalate"
        on_timeout_shell = None
        if isinstance(node.on_timeout, TString):
            on_timeout = node.on_timeout.value
        elif isinstance(node.on_timeout, Tmpl):
            on_timeout = "shell"
            on_timeout_shell = compile_tmpl(node.on_timeout)
        retry = node.retry
        return graph.Guard(
            name=node.ident,
            runbook=book.name,
            condition=self.condition(book, node),
            wake_on=_patterns(node.wake_on),
            timeout_us=_us(node.timeout),
            on_timeout=on_timeout,
            on_timeout_shell=on_timeout_shell,
            retry_max=_opt_int(retry.max) if retry is not None else None,
            retry_interval_us=(_us(retry.interval, 30 * graph.S) if retry is not None else None)
            or 30 * graph.S,
        )

    def condition(self, book: ast.Runbook, node: ast.Guard) -> graph.Cond:
        def refs(items: Iterable[Ref]) -> tuple[graph.Cond, ...]:
            return tuple(
                graph.Cond("ref", ref=self.key(r, ("guard",), book.name)[1]) for r in items
            )

        if node.all:
            return graph.Cond("all", items=refs(node.all))
        if node.any:
            return graph.Cond("any", items=refs(node.any))
        if node.not_ is not None:
            return graph.Cond("not", items=refs([node.not_]))
        cond = node.condition
        if isinstance(cond, Tmpl):
            return graph.Cond("shell", script=compile_tmpl(cond))
        if isinstance(cond, ast.TypedTable):
            type_name = _str(cond.type)
            args = []
            for key in ast.GUARD_CONDITIONS.get(type_name, {}):
                value = cond.values.get(key)
                if isinstance(value, Tmpl):
                    args.append(compile_tmpl(value) or graph.Template())
                elif isinstance(value, TInteger):
                    args.append(graph.Template.literal(str(value.value)))
                else:
                    args.append(graph.Template.literal("1" if key == "slots" else ""))
            return graph.Cond("pred", name=type_name, args=tuple(args))
        raise CompileError(f"guard `{node.ident}` has no condition")

    def strategy(self, book: ast.Runbook, node: ast.Primitive) -> graph.Strategy:
        assert isinstance(node, ast.Strategy)
        exhaust = _str(node.on_exhaust, "fail")
        target = graph.Edge()
        if exhaust not in ("fail", "escalate"):
            target = graph.Edge(phase=exhaust)
            exhaust = "goto"
        return graph.Strategy(
            name=node.ident,
            runbook=book.name,
            attempts=tuple(
                graph.Attempt(
                    name=a.ident,
                    run=compile_tmpl(a.run),
                    task=self.ref(a.task, "task", book.name),
                    timeout_us=_us(a.timeout),
                    rollback=compile_tmpl(a.rollback),
                )
                for a in node.attempt
            ),
            checkpoint=compile_tmpl(node.checkpoint),
            on_exhaust=exhaust,
            on_exhaust_target=target,
        )

    def lock(self, book: ast.Runbook, node: ast.Primitive) -> graph.Lock:
        assert isinstance(node, ast.Lock)
        return graph.Lock(
            name=node.ident,
            timeout_us=_us(node.timeout),
            heartbeat_us=_us(node.heartbeat),
            on_stale=_words(node.on_stale, graph.chain("escalate")),
        )

    def semaphore(self, book: ast.Runbook, node: ast.Primitive) -> graph.Semaphore:
        assert isinstance(node, ast.Semaphore)
        return graph.Semaphore(
            name=node.ident,
            max=_int(node.max, 1),
            slot_timeout_us=_us(node.slot_timeout),
            slot_heartbeat_us=_us(node.slot_heartbeat),
            on_orphan=_word(node.on_orphan, "reclaim"),
            on_orphan_work=_word(node.on_orphan_work, "requeue"),
        )

    def watcher(self, book: ast.Runbook, node: ast.Primitive) -> graph.Watcher:
        from ojlang.compiler.monitors import compile_watcher

        assert isinstance(node, ast.Watcher)
        return compile_watcher(self, book, node)

    def scanner(self, book: ast.Runbook, node: ast.Primitive) -> graph.Scanner:
        from ojlang.compiler.monitors import compile_scanner

        assert isinstance(node, ast.Scanner)
        return compile_scanner(self, book, node)

    def action(self, book: ast.Runbook, node: ast.Primitive) -> graph.Action:
        from ojlang.compiler.monitors import compile_action

        assert isinstance(node, ast.Action)
        return compile_action(self, book, node)


def _order_path(path: Any) -> tuple[str | int, ...]:
    from ojlang.compiler.templates import _path

    return _path(path)


_URGENCY = {"info": "low", "warning": "normal"}
_PLURAL = {
    "command": "commands",
    "worker": "workers",
    "cron": "crons",
    "queue": "queues",
    "pipeline": "pipelines",
    "task": "tasks",
    "guard": "guards",
    "strategy": "strategies",
    "lock": "locks",
    "semaphore": "semaphores",
    "watcher": "watchers",
    "scanner": "scanners",
    "action": "actions",
}

__all__ = ["CompileError", "Compiler", "TTable", "compile_text"]
