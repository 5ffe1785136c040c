"""A cursor in a runbook in, Markdown about what stands under it out (hover).

Variables get their type and meaning in the field's scope (§5.2); references get the kind,
runbook and description of their target; keys and table headers get the description of the
runbook schema (`ojlang.schema`), which comes from the field docs of the AST.
"""

from __future__ import annotations

import attrs

from ojlang.lsp import keys
from ojlang.lsp.analysis import Analysis
from ojlang.lsp.locate import key_at
from ojlang.lsp.positions import contains
from ojlang.lsp.variables import describe, variable_at
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import TTable
from ojlang.validator.sites import Site, sites


@attrs.frozen
class Hover:
    markdown: str
    span: Span | None  # None: a header part (`col_range` of `line`)
    line: int = 0
    col_range: tuple[int, int] = (0, 0)


def hover(analysis: Analysis, line: int, col: int) -> Hover | None:
    runbook = analysis.runbook
    if runbook is None:
        return None
    variable = variable_at(analysis, line, col)
    if variable is not None:
        return Hover(describe(analysis, variable), variable.span)
    for site in sites(runbook):
        if contains(site.ref.span, line, col):
            return _reference(analysis, site)
    hit = key_at(runbook.document.root, analysis.text, line, col)
    if hit is None:
        return None
    if len(hit.path) == 2 and hit.path[0] == "config" and isinstance(runbook.config, TTable):
        entry = runbook.config.entries.get(str(hit.path[1]))
        if entry is not None:
            value = analysis.text.encode("utf-8")[
                entry.value.span.byte_start : entry.value.span.byte_end
            ].decode("utf-8", errors="replace")
            name = entry.key.name
            markdown = f"**config** `{name}` = `{value}`\n\nread as `{{config.{name}}}`"
            return Hover(markdown, entry.key.span)
    text = keys.description(hit.path)
    if text is None:
        return None
    name = next((p for p in reversed(hit.path) if isinstance(p, str)), "")
    markdown = f"**`{name}`**\n\n{text}"
    if hit.key is not None:
        return Hover(markdown, hit.key.span)
    return Hover(markdown, None, line, (hit.start, hit.end))


def _reference(analysis: Analysis, site: Site) -> Hover:
    span = site.ref.span
    target = analysis.model.resolve(site.ref, site.kinds, site.runbook).target
    if target is None:
        if site.ref.text in site.verbs:
            return Hover(f"**verb** `{site.ref.text}` (LANGUAGE.md §4.5)", span)
        return Hover(f"**{' or '.join(site.kinds)}** `{site.ref.text}`: not defined", span)
    lines = [f"**{target.kind}** `{target.name}` in runbook `{target.runbook}`"]
    node = target.node
    for attr in ("description", "name"):
        value = getattr(node, attr, None)
        if value is not None and value.value and value.value != target.name:
            lines.append(value.value)
            break
    section = keys.description((target.kind, target.name))
    if section:
        lines.append(section)
    return Hover("\n\n".join(lines), span)
