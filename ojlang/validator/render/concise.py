"""The `concise` and `github` formats: diagnostics in, one line per diagnostic out (§8).

`concise`: `path:line:col: severity[CODE] message`.
`github`: a GitHub Actions workflow command per diagnostic,
`::error file=P,line=L,endLine=EL,col=C,endColumn=EC,title=CODE SLUG::MESSAGE` (`::warning`,
`::notice` for info), then the concise report. In the message `%`, CR and LF are escaped as
`%25`, `%0D`, `%0A`; property values also escape `:` and `,` (`%3A`, `%2C`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ojlang.validator.catalogue import CATALOGUE
from ojlang.validator.diagnostic import Diagnostic, Severity
from ojlang.validator.render.color import Painter, severity_style

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def concise_line(d: Diagnostic, painter: Painter) -> str:
    where = painter.paint(f"{d.span.file}:{d.span.line}:{d.span.col}:", "path")
    tag = painter.paint(f"{d.severity.value}[{d.code}]", severity_style(d.severity))
    return f"{where} {tag} {d.message}"


def render_concise(diagnostics: Sequence[Diagnostic], painter: Painter) -> str:
    """One line per diagnostic."""
    return "".join(concise_line(d, painter) + "\n" for d in diagnostics)


def escape_data(text: str) -> str:
    """Escape a workflow-command message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(d: Diagnostic) -> str:
    info = CATALOGUE.get(d.code)
    title = f"{d.code} {info.slug}" if info else d.code
    s = d.span
    props = [
        ("file", s.file),
        ("line", str(s.line)),
        ("endLine", str(s.end_line)),
        ("col", str(s.col)),
        ("endColumn", str(s.end_col)),
        ("title", title),
    ]
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{_GITHUB_LEVEL[d.severity]} {joined}::{escape_data(d.message)}"


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    """Workflow commands for every diagnostic, then the concise report (never coloured)."""
    commands = "".join(github_line(d) + "\n" for d in diagnostics)
    return commands + render_concise(diagnostics, Painter(False))
