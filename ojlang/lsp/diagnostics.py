"""An analysis in, LSP diagnostics per file out: the `oj check` records with editor ranges.

Each record keeps its code (linked to `oj explain`), severity, message, and its secondary
labels as related information; notes and help follow the message on their own lines, as the
full format prints them. Ranges are in the client's position encoding (UTF-16 by default).
Diagnostics may point into prompt files, so the result maps every file to its own list.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from ojlang.lsp.analysis import Analysis
from ojlang.lsp.positions import UTF16, lines_of, to_range
from ojlang.validator.diagnostic import Diagnostic, Severity

SOURCE = "oj"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
# Codes whose subject is dead text: editors fade it.
_UNNECESSARY = {"OJ303", "OJ403", "OJ406", "OJ501", "OJ902", "OJ905"}


def message_of(d: Diagnostic) -> str:
    lines = [d.message]
    lines += [f"note: {note}" for note in d.notes]
    if d.help:
        lines.append(f"help: {d.help}")
    return "\n".join(lines)


def convert(d: Diagnostic, analysis: Analysis, encoding: str = UTF16) -> types.Diagnostic:
    cache: dict[Path, list[str]] = {}

    def lines(display: str) -> list[str]:
        path = analysis.path_of(display)
        if path not in cache:
            cache[path] = lines_of(analysis.source_of(path) or "")
        return cache[path]

    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=analysis.path_of(label.span.file).as_uri(),
                range=to_range(label.span, lines(label.span.file), encoding),
            ),
            message=label.message,
        )
        for label in d.labels
    ]
    return types.Diagnostic(
        range=to_range(d.span, lines(d.span.file), encoding),
        message=message_of(d),
        severity=_SEVERITY[d.severity],
        code=d.code,
        source=SOURCE,
        related_information=related or None,
        tags=[types.DiagnosticTag.Unnecessary] if d.code in _UNNECESSARY else None,
    )


def by_file(analysis: Analysis, encoding: str = UTF16) -> dict[Path, list[types.Diagnostic]]:
    """Diagnostics of the analysis per absolute file path; the document is always present."""
    out: dict[Path, list[types.Diagnostic]] = {analysis.file.path: []}
    for d in analysis.report.diagnostics:
        path = analysis.path_of(d.span.file)
        out.setdefault(path, []).append(convert(d, analysis, encoding))
    return out
