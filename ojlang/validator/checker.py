"""Loaded runbooks -> the `oj check` report: diagnostics after selection, and the exit code.

The checker gathers every diagnostic of the runbooks being reported (syntax, schema and
mini-language ones come from loading; semantic checks are added by later stages), applies the
selection (§8) and decides the exit code: 0 clean (warnings allowed unless
`error_on_warning`), 1 errors.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ojlang.loader import Loaded
from ojlang.validator.diagnostic import Diagnostic, Severity
from ojlang.validator.selection import Selection


@attrs.frozen
class CheckOptions:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    error_on_warning: bool = False
    shellcheck: bool = True
    all: bool = False


@attrs.frozen
class CheckReport:
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, str]
    runbooks: int
    error_on_warning: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def exit_code(self) -> int:
        if self.errors or (self.error_on_warning and self.warnings):
            return 1
        return 0


def check_loaded(reported: Sequence[Loaded], options: CheckOptions) -> CheckReport:
    """The report over `reported` runbooks (already loaded with their own diagnostics)."""
    selection = Selection.from_words(options.select, options.ignore)
    found: list[Diagnostic] = []
    sources: dict[str, str] = {}
    for loaded in reported:
        if loaded.source is not None:
            sources[loaded.file.display] = loaded.source
        found.extend(d for d in loaded.diagnostics if selection.keeps(d.code))
    found.sort(key=Diagnostic.sort_key)
    return CheckReport(tuple(found), sources, len(reported), options.error_on_warning)
