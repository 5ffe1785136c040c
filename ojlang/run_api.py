"""The façade of `oj run` (RUNTIME.md §10, LANGUAGE.md §4.4): a target and argv in, a checked,
compiled and bound request to run out (`Prepared`), or a `UsageError` saying what is wrong.

`prepare(target, argv, cwd=…)` finds the project, compiles the graph with the project's
runtime settings, resolves the target per §L4.4.1, binds the arguments — §L4.4.2 for commands;
`KEY=VALUE` words and positional inputs for pipelines and tasks — and then refuses runbooks with
errors (`RunRefused` carries the rendered diagnostics; usage errors come first, so they never
wait for the whole check). Running lives in `run_local`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from ojlang.errors import UsageError
from ojlang.runtime.core import graph

KINDS = ("command", "pipeline", "task")
KEY_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)\Z", re.S)


class RunRefused(Exception):
    """The project's runbooks have errors: `text` is the rendered diagnostics."""

    def __init__(self, text: str, errors: int) -> None:
        super().__init__(f"{errors} errors")
        self.text = text
        self.errors = errors


@attrs.frozen
class Target:
    kind: str  # command | pipeline | task
    runbook: str
    name: str

    @property
    def key(self) -> str:
        return self.name if self.kind == "command" else f"{self.runbook}.{self.name}"


@attrs.frozen
class Prepared:
    root: Path
    text: str  # the target as written
    target: Target
    graph: graph.Graph
    vars: dict[str, Any]  # pipeline inputs, or command arguments
    run_name: str | None = None

    @property
    def pipeline_key(self) -> str:
        return f"{self.target.runbook}.{self.target.name}"


# -- target resolution (§L4.4.1) --------------------------------------------------------------


def _defined(runbooks: dict[str, Any], kind: str, name: str) -> list[str]:
    return [rb for rb, book in runbooks.items() if name in book.of(kind)]


def resolve_target(runbooks: dict[str, Any], text: str) -> Target:
    """`name`, `runbook.name` or `runbook.kind.name` against runbooks in discovery order."""
    parts = text.split(".")
    if len(parts) == 1 and parts[0]:
        name = parts[0]
        for kind in KINDS:
            found = _defined(runbooks, kind, name)
            if found:
                return Target(kind, found[0], name)
        book = runbooks.get(name)
        if book is not None:
            commands = list(book.of("command"))
            pipelines = list(book.of("pipeline"))
            if len(commands) == 1:
                return Target("command", name, commands[0])
            if not commands and len(pipelines) == 1:
                return Target("pipeline", name, pipelines[0])
            choices = [f"{name}.{n}" for n in commands or pipelines]
            if choices:
                raise UsageError(
                    f"runbook `{name}` has several entrypoints",
                    help="name one: " + ", ".join(f"`{c}`" for c in choices),
                )
    elif len(parts) == 2 and all(parts):
        book = runbooks.get(parts[0])
        if book is not None:
            for kind in KINDS:
                if parts[1] in book.of(kind):
                    return Target(kind, parts[0], parts[1])
    elif len(parts) == 3 and all(parts) and parts[1] in KINDS:
        book = runbooks.get(parts[0])
        if book is not None and parts[2] in book.of(parts[1]):
            return Target(parts[1], parts[0], parts[2])
    raise _unknown(runbooks, text)


def _unknown(runbooks: dict[str, Any], text: str) -> UsageError:
    from ojlang.parser.mini import close_match

    names: list[str] = []
    for rb, book in runbooks.items():
        for kind in KINDS:
            for name in book.of(kind):
                names += [name, f"{rb}.{name}", f"{rb}.{kind}.{name}"]
    best = close_match(text, names)
    if best is not None:
        hint = f"a target with a similar name exists: `{best}`"
    elif names:
        shown = sorted({n for n in names if n.count(".") == 1})[:8]
        hint = "targets: " + ", ".join(f"`{n}`" for n in shown)
    else:
        hint = "the project defines no command, pipeline or task"
    return UsageError(f"unknown target `{text}`", help=hint)


# -- argument binding -------------------------------------------------------------------------


def pipeline_usage(text: str, pipe: graph.Pipeline) -> str:
    items = [f"<{n}>" if n not in pipe.defaults else f"[{n}]" for n in pipe.inputs]
    return " ".join(["usage: oj run", text, *items, "[KEY=VALUE...]"])


def bind_pipeline(text: str, pipe: graph.Pipeline, words: Sequence[str]) -> dict[str, Any]:
    """`KEY=VALUE` words set inputs or defaults; other words fill the inputs in order."""
    usage = pipeline_usage(text, pipe)
    allowed = [*pipe.inputs, *pipe.defaults, *pipe.outputs]
    values: dict[str, Any] = {}
    positional: list[str] = []
    only_positional = False
    for word in words:
        found = None if only_positional else KEY_VALUE.match(word)
        if word == "--" and not only_positional:
            only_positional = True
            continue
        if found is None:
            positional.append(word)
            continue
        key, value = found.group(1), found.group(2)
        if key not in allowed:
            from ojlang.parser.mini import close_match

            best = close_match(key, allowed)
            hint = f"an input with a similar name exists: `{best}`" if best else usage
            raise UsageError(f"unknown input `{key}` of `{text}`", help=hint)
        if key in values:
            raise UsageError(f"input `{key}` is given twice", help=usage)
        values[key] = value
    for name in pipe.inputs:
        if name not in values and positional:
            values[name] = positional.pop(0)
    if positional:
        raise UsageError(f"unexpected argument `{positional[0]}`", help=usage)
    missing = [n for n in pipe.inputs if n not in values and n not in pipe.defaults]
    if missing:
        raise UsageError(f"missing input `{missing[0]}`", help=usage)
    return values


def bind_command(text: str, command: graph.Command, words: Sequence[str]) -> dict[str, Any]:
    from ojlang.parser.argspec import ArgvHelp, ArgvUsageError, bind_argv, parse_args_spec

    spec = parse_args_spec(command.args)
    try:
        return bind_argv(
            spec, list(words), dict(command.aliases), dict(command.defaults), name=text
        )
    except ArgvHelp as shown:
        raise UsageError(shown.usage) from None
    except ArgvUsageError as err:
        raise UsageError(err.message, help=err.help) from None


# -- the whole request ------------------------------------------------------------------------


def check_or_refuse(root: Path) -> None:
    """Raise `RunRefused` with the rendered diagnostics when the project has errors."""
    from ojlang.api import check
    from ojlang.validator.render import render

    report = check(cwd=root, flags={"shellcheck": False})
    if report.errors:
        out = render(
            report.diagnostics, "concise", sources=report.sources, runbooks=report.runbooks
        )
        raise RunRefused(out.stdout, report.errors)


def compile_graph(root: Path, settings: graph.Settings | None = None) -> tuple[graph.Graph, Any]:
    """The project's graph and its `ProjectModel` (runbooks in discovery order)."""
    from ojlang.compiler import CompileError, compile_project
    from ojlang.loader import load_file
    from ojlang.project import discover
    from ojlang.validator.model import ProjectModel

    seen: set[str] = set()
    files = []
    for f in discover(root):
        if f.stem not in seen:
            seen.add(f.stem)
            files.append(f)
    loaded = [load_file(f) for f in files]
    model = ProjectModel(loaded, {f.stem for f in files if not f.origin.is_library})
    try:
        return compile_project(model, root=root, settings=settings), model
    except CompileError as err:
        raise UsageError(
            f"cannot compile the runbooks: {err}", help="run `oj check` and fix what it reports"
        ) from None


def _with_task_pipeline(g: graph.Graph, target: Target) -> graph.Graph:
    """A task target runs as an implicit one-phase pipeline named after the task (§L3.2)."""
    key = target.key
    if key in g.pipelines:
        return g
    task = g.tasks[key]
    phase = graph.Phase(name=task.name, action="task", task=key)
    pipe = graph.Pipeline(name=task.name, runbook=target.runbook, phases=(phase,))
    return attrs.evolve(g, pipelines={**g.pipelines, key: pipe})


def prepare(
    text: str,
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    run_name: str | None = None,
    check: bool = True,
    own_options: Callable[[list[str]], tuple[list[str], str | None]] | None = None,
) -> Prepared:
    """Check, resolve, bind and compile one `oj run TARGET ARGV…` request. For pipeline and
    task targets, `own_options` takes oj's own options out of the words first (it returns the
    rest and the `--name` given, if any)."""
    from ojlang.project import find_root
    from ojlang.runtime.engine.settings import SettingsError, load_settings

    root = find_root(cwd or Path.cwd())
    try:
        settings, _ = load_settings(root)
    except SettingsError as err:
        raise UsageError(str(err), help="fix `.oj/config.toml`") from None
    try:
        g, model = compile_graph(root, settings)
    except UsageError:
        check_or_refuse(root)  # the diagnostics say why it does not compile
        raise
    prep = _bind(root, text, argv, g, model, run_name, own_options)
    if check:  # after binding: a usage error does not wait for the whole check
        check_or_refuse(root)
    return prep


def _bind(
    root: Path,
    text: str,
    argv: Sequence[str],
    g: graph.Graph,
    model: Any,
    run_name: str | None,
    own_options: Callable[[list[str]], tuple[list[str], str | None]] | None,
) -> Prepared:
    target = resolve_target(model.runbooks, text)
    if target.kind == "command":
        command = g.commands.get(target.name)
        if command is None or command.runbook != target.runbook:
            raise UsageError(
                f"command `{target.name}` of `{target.runbook}` is shadowed",
                help=f"run the first one: `oj run {target.name}`",
            )
        return Prepared(root, text, target, g, bind_command(text, command, argv), run_name)
    words = list(argv)
    if own_options is not None:
        words, named = own_options(words)
        run_name = named or run_name
    if target.kind == "task":
        g = _with_task_pipeline(g, target)
    pipe = g.pipelines[f"{target.runbook}.{target.name}"]
    return Prepared(root, text, target, g, bind_pipeline(text, pipe, words), run_name)
