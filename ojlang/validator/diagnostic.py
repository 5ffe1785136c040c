"""The diagnostic record (LANGUAGE.md §7): one shape for every problem `oj check` reports.

Errors are data first: checks build `Diagnostic` values, renderers turn them into text.
Messages are lowercase, without a final period, with names in backticks; `help` says how to
fix it; spans are as small as possible and point inside strings when the problem is there.
"""

from __future__ import annotations

import enum

from ojlang import rec
from ojlang.parser.spans import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class Applicability(enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display"


@rec.frozen(slots=True)
class Label:
    span: Span
    message: str
    primary: bool = False


@rec.frozen(slots=True)
class Edit:
    span: Span
    replacement: str


@rec.frozen(slots=True)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]


@rec.frozen(slots=True)
class Diagnostic:
    """One finding. `label` is the text under the primary span; `labels` are secondary."""

    code: str
    severity: Severity
    message: str
    span: Span
    label: str = ""
    labels: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    help: str | None = None
    fix: Fix | None = None
    runbook: str | None = None

    @property
    def slug(self) -> str:
        from ojlang.validator.catalogue import CATALOGUE

        return CATALOGUE[self.code].slug

    @property
    def path(self) -> str:
        return self.span.file

    def all_labels(self) -> tuple[Label, ...]:
        """The primary label first, then the secondary ones."""
        return (Label(self.span, self.label, True), *self.labels)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.col, self.code)


_CONTROL = {i: f"\\x{i:02x}" for i in [*range(0x20), 0x7F]} | {
    0x0A: "\\n",
    0x09: "\\t",
    0x0D: "\\r",
}


def one_line(text: str) -> str:
    """`text` with control characters shown as escapes: messages and labels stay one line."""
    return text.translate(_CONTROL)


def diag(
    code: str,
    message: str,
    span: Span,
    label: str = "",
    *,
    labels: tuple[Label, ...] = (),
    notes: tuple[str, ...] = (),
    help: str | None = None,
    fix: Fix | None = None,
    severity: Severity | None = None,
    runbook: str | None = None,
) -> Diagnostic:
    """Build a diagnostic with the catalogue's severity for `code` unless one is given."""
    from ojlang.validator.catalogue import CATALOGUE

    return Diagnostic(
        code=code,
        severity=severity or CATALOGUE[code].severity,
        message=one_line(message),
        span=span,
        label=one_line(label),
        labels=labels,
        notes=notes,
        help=help,
        fix=fix,
        runbook=runbook,
    )
