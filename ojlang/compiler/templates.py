"""Scanned templates -> compiled `graph.Template`s, with the shell context of every site.

Text templates compile to literal pieces and interpolations without escaping; shell templates
record, per interpolation, the `ShellContext` found by the bash context lexer, so the pure
renderer escapes each value for exactly where it stands (LANGUAGE.md §4.1.4).
"""

from __future__ import annotations

from typing import Any

from ojlang.parser import interpolation as ip
from ojlang.parser.fields import Tmpl
from ojlang.runtime.core import graph


def _path(path: ip.Path) -> tuple[str | int, ...]:
    out: list[str | int] = [path.root.text]
    for seg in path.segments:
        if isinstance(seg, ip.Attr):
            out.append(seg.name)
        else:
            out.append(seg.value)
    return tuple(out)


def shell_contexts(template: ip.Template) -> list[tuple[str, str | None, int, bool]]:
    """(shell context, heredoc delimiter, backtick depth, in a `<<-` heredoc) of each
    interpolation, in order."""
    from ojlang.parser.shell_context import scan_shell

    text = template.text
    scan = scan_shell(text, template.interps)
    by_start = {
        i.start: (
            i.context.value,
            i.delimiter,
            i.backticks,
            i.heredoc is not None and text.startswith("<<-", i.heredoc[0]),
        )
        for i in scan.interps
    }
    return [by_start.get(i.start, ("unquoted", None, 0, False)) for i in template.interps]


def compile_template(template: ip.Template, *, shell: bool) -> graph.Template:
    contexts = shell_contexts(template) if shell and template.interps else []
    pieces: list[graph.Piece] = []
    index = 0
    for piece in template.pieces:
        if isinstance(piece, ip.Interp):
            context, delimiter, backticks, strip_tabs = (
                contexts[index] if shell else ("", None, 0, False)
            )
            if shell and any(f.name == "raw" for f in piece.filters):
                context = "raw"
            filters = tuple(
                graph.Filter(f.name, tuple(f.args)) for f in piece.filters if f.name != "raw"
            )
            pieces.append(
                graph.Piece(
                    path=_path(piece.path),
                    filters=filters,
                    context=context,
                    delimiter=delimiter,
                    strip_tabs=strip_tabs,
                    backticks=backticks,
                )
            )
            index += 1
            continue
        text = piece.text
        if pieces and not pieces[-1].path:
            pieces[-1] = graph.Piece(text=pieces[-1].text + text)
        else:
            pieces.append(graph.Piece(text=text))
    return graph.Template(tuple(pieces))


def compile_tmpl(value: Tmpl | None) -> graph.Template | None:
    if value is None:
        return None
    return compile_template(value.template, shell=value.shell)


def compile_text(text: str, *, shell: bool = False) -> graph.Template:
    """Compile a template given as plain text (defaults of missing fields, tests)."""
    return compile_template(ip.scan_template(text), shell=shell)


def template_or_literal(value: Any) -> Any:
    """A map value: strings become text templates; other TOML values stay literal."""
    from ojlang.parser import tomltree as tt

    if isinstance(value, Tmpl):
        return compile_tmpl(value)
    if isinstance(value, tt.TString):
        return compile_text(value.value)
    if isinstance(value, (tt.TInteger, tt.TFloat, tt.TBool, tt.TDateTime, tt.TArray, tt.TTable)):
        return tt.plain(value)
    return value
