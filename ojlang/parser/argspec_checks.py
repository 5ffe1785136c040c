"""A command's argument spec against its `aliases`, `defaults` and `run` (OJ403–OJ406, OJ103).

Input: a built `Command`; output: diagnostics through the builder. The spec itself was parsed
and checked (OJ402, OJ404) when the field was built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ojlang.parser import ast
from ojlang.parser.argspec import ArgItem, ArgKind, ArgSpec
from ojlang.parser.fields import Tmpl
from ojlang.parser.mini import suggestion
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import TArray, TBool, TFloat, TInteger, TString, Value

if TYPE_CHECKING:
    from ojlang.parser.builder import Builder


def found_text(value: Value) -> str:
    from ojlang.parser.builder import found_text as text

    return text(value)


def check_command(b: Builder, command: ast.Command) -> None:
    if command.args is not None and command.args.ast is None:
        return  # the spec did not parse; OJ402 says why
    spec: ArgSpec = command.args.ast if command.args is not None else ArgSpec()
    span_of_item = _item_spans(command)
    _aliases(b, command, spec)
    _defaults(b, command, spec)
    if command.run is not None:
        _unused(b, command.run, spec, span_of_item)


def _item_spans(command: ast.Command) -> Any:
    def span(item: ArgItem) -> Span:
        assert command.args is not None
        return command.args.node.source_map.span(item.name_start, item.name_end)

    return span


def _aliases(b: Builder, command: ast.Command, spec: ArgSpec) -> None:
    if command.aliases is None:
        return
    for entry in command.aliases.entries:
        letter = entry.key.name
        target: TString = entry.value
        long = target.value if target.value.startswith("--") else f"--{target.value}"
        if spec.by_long(long) is None:
            b.error(
                "OJ405",
                f"alias `{letter}` points to `{long}`, which the argument spec does not define",
                target.span,
                "not in `args`",
                help=f"add `[{long}]` to `args`, or remove the alias",
            )
        clash = spec.by_short(letter)
        if clash is not None:
            b.error(
                "OJ405",
                f"alias `{letter}` reuses the short name of `{clash.names_text}`",
                entry.key.span,
                "already a short name",
                help="pick another letter, or drop the alias",
            )


def _defaults(b: Builder, command: ast.Command, spec: ArgSpec) -> None:
    if command.defaults is None:
        return
    variables = [i.var for i in spec.items]
    for entry in command.defaults.entries:
        name = entry.key.name
        item = spec.by_var(name)
        if item is None:
            b.error(
                "OJ405",
                f"default `{name}` names no argument of the spec",
                entry.key.span,
                "not in `args`",
                help=suggestion(name, variables, "argument"),
            )
            continue
        if item.required:
            b.error(
                "OJ406",
                f"default for required argument `{name}` is never used",
                entry.key.span,
                "the argument is required",
                help=f"make it optional: `{_optional_text(item)}`",
            )
        _default_type(b, item, entry.value, name)


def _optional_text(item: ArgItem) -> str:
    dots = "..." if item.variadic else ""
    if item.kind is ArgKind.POSITIONAL:
        return f"[{item.name}{dots}]"
    return f"[{item.names_text} <{item.metavar or 'v'}{dots}>]"


def _default_type(b: Builder, item: ArgItem, value: Value, name: str) -> None:
    if item.kind is ArgKind.FLAG:
        ok = isinstance(value, TBool)
        expected = "a boolean"
    elif item.variadic:
        ok = isinstance(value, TArray)
        expected = "an array"
    else:
        ok = isinstance(value, (TString, TInteger, TFloat, TBool))
        expected = "a string, number or boolean"
    if not ok:
        b.error(
            "OJ103",
            f"expected {expected} for the default of `{name}`, found {found_text(value)}",
            value.span,
            f"expected {expected}",
        )


def _unused(b: Builder, run: Tmpl, spec: ArgSpec, span_of: Any) -> None:
    used: set[str] = set()
    for interp in run.template.interps:
        path = interp.path
        used.add(path.root.text)
        if path.root.text == "args" and path.segments:
            first = path.segments[0]
            used.add(getattr(first, "name", getattr(first, "value", "")))
    raw = run.node.value
    for item in spec.items:
        if item.var in used or f"OJ_ARG_{item.var.upper()}" in raw:
            continue
        b.error(
            "OJ403",
            f"argument `{item.var}` is never used in `run`",
            span_of(item),
            "not read by `run`",
            help=f"use it as `{{{item.var}}}` in `run`, or remove it from `args`",
        )
