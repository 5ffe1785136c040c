"""The closing lines of a report: diagnostic counts by severity and the `oj explain` hint.

`Found 3 errors and 1 warning in 1 runbook.`: counts in the order errors, warnings, info;
zero counts are left out; the last two are joined by ` and `, earlier ones by `, `
(`Found 2 errors, 1 warning and 3 info in 2 runbooks.`, `Found 1 error and 2 info in 1
runbook.`). `error` and `warning` take an `s` when the count is not 1; `info` never does.
A clean run reads `No problems found in R runbooks.` (`1 runbook`, `0 runbooks`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ojlang.validator.diagnostic import Diagnostic, Severity


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _runbooks(count: int) -> str:
    return _plural(count, "runbook")


def summary(diagnostics: Sequence[Diagnostic], runbooks: int) -> str:
    """The summary lines, each ending in a newline; `diagnostics` are already sorted."""
    if not diagnostics:
        return f"No problems found in {_runbooks(runbooks)}.\n"
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    infos = sum(1 for d in diagnostics if d.severity is Severity.INFO)
    parts = []
    if errors:
        parts.append(_plural(errors, "error"))
    if warnings:
        parts.append(_plural(warnings, "warning"))
    if infos:
        parts.append(f"{infos} info")
    counts = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (
        f"Found {counts} in {_runbooks(runbooks)}.\n"
        f"For more information, try `oj explain {diagnostics[0].code}`.\n"
    )
