"""Renderers: sorted diagnostics in, the text `oj check` prints out, per format (§8).

`render(diagnostics, fmt, sources=…, runbooks=…)` returns what goes to stdout and to stderr.
`full` and `concise` print the summary on stdout; `json`, `json-lines`, `github` and `sarif`
keep stdout machine-readable and print the summary on stderr. Only `full` and `concise` are
ever coloured. Format modules are imported on demand to keep `oj check` fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ojlang import rec
from ojlang.validator.diagnostic import Diagnostic
from ojlang.validator.render.color import Painter, should_color
from ojlang.validator.render.summary import summary

FORMATS = ("full", "concise", "json", "json-lines", "github", "sarif")

__all__ = ["FORMATS", "Rendered", "render", "should_color", "sort_diagnostics"]


@rec.frozen(slots=True)
class Rendered:
    """The text for stdout and for stderr."""

    stdout: str
    stderr: str


def sort_diagnostics(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """By path, line, column, code (LANGUAGE.md §8); stable for the rest."""
    return sorted(diagnostics, key=Diagnostic.sort_key)


def render(
    diagnostics: Sequence[Diagnostic],
    fmt: str,
    *,
    sources: Mapping[str, str],
    runbooks: int,
    color: bool = False,
) -> Rendered:
    """Render `diagnostics` in format `fmt`; `sources` maps span files to their text.

    Raises `ValueError` for a format not in `FORMATS` (the CLI rejects those earlier).
    """
    diags = sort_diagnostics(diagnostics)
    closing = summary(diags, runbooks)
    painter = Painter(color)
    if fmt == "full":
        from ojlang.validator.render.full import render_full

        return Rendered(render_full(diags, sources, painter) + closing, "")
    if fmt == "concise":
        from ojlang.validator.render.concise import render_concise

        return Rendered(render_concise(diags, painter) + closing, "")
    if fmt == "github":
        from ojlang.validator.render.concise import render_github

        return Rendered(render_github(diags), closing)
    if fmt == "json":
        from ojlang.validator.render.json_formats import render_json

        return Rendered(render_json(diags), closing)
    if fmt == "json-lines":
        from ojlang.validator.render.json_formats import render_json_lines

        return Rendered(render_json_lines(diags), closing)
    if fmt == "sarif":
        from ojlang.validator.render.sarif import render_sarif

        return Rendered(render_sarif(diags), closing)
    raise ValueError(f"unknown format `{fmt}`: expected one of {', '.join(FORMATS)}")
