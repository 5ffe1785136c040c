"""Loaded runbooks -> the `oj check` report: diagnostics after selection, and the exit code.

The checker gathers every diagnostic of the runbooks being reported (syntax, schema and
mini-language ones come from loading; semantic checks are added by later stages), applies the
suppression comments (`ojlang.validator.suppression`) and the selection (§8) and decides the
exit code: 0 clean (warnings allowed unless `error_on_warning`), 1 errors.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from ojlang import rec
from ojlang.loader import Loaded
from ojlang.parser.ast import Runbook
from ojlang.parser.tomltree import TArray, TString, TTable, Value
from ojlang.project import RunbookFile
from ojlang.validator.diagnostic import Diagnostic, Severity
from ojlang.validator.selection import Selection


@rec.frozen
class CheckOptions:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    error_on_warning: bool = False
    shellcheck: bool = True
    all: bool = False


@rec.frozen
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


def check_loaded(
    loaded: Sequence[Loaded],
    reported: Collection[str],
    options: CheckOptions,
    root: Path,
    shadowed: Sequence[RunbookFile] = (),
) -> CheckReport:
    """The report over the `reported` runbooks of `loaded` (the project in discovery order);
    `shadowed` are the files not loaded because an earlier runbook has their name (OJ901)."""
    from ojlang.validator.checks import CheckContext, run_families
    from ojlang.validator.model import ProjectModel

    selection = Selection.from_words(options.select, options.ignore)
    shown = set(reported)
    found: list[Diagnostic] = []
    sources: dict[str, str] = {}
    for item in loaded:
        if item.name not in shown:
            continue
        if item.source is not None:
            sources[item.file.display] = item.source
        found.extend(item.diagnostics)
    model = ProjectModel(list(loaded), shown, shadowed)
    ctx = CheckContext(root=root, shellcheck=options.shellcheck)
    found.extend(d for d in run_families(model, ctx) if d.runbook in shown)
    runbooks = [item.runbook for item in loaded if item.name in shown and item.runbook is not None]
    if any(_may_suppress(runbook) for runbook in runbooks):
        from ojlang.validator.suppression import apply_suppressions, inactive_codes

        found = apply_suppressions(found, runbooks, inactive_codes(options.shellcheck))
    # duplicates dropped in order of discovery, then a stable sort: diagnostics at the same
    # place (OJ211 once per other runbook) keep that order, whatever the hash seed
    kept = sorted(
        dict.fromkeys(d for d in found if selection.keeps(d.code)), key=Diagnostic.sort_key
    )
    _add_other_sources(kept, sources, root)
    return CheckReport(tuple(kept), sources, len(shown), options.error_on_warning)


# Escapes that can produce or join the letters of `oj:` in a decoded string: `\uXXXX`,
# `\UXXXXXXXX` and a line-ending backslash (the others decode to control characters, quotes
# and backslashes).
_JOINING_ESCAPE = re.compile(r"\\[uU]|\\[ \t]*\r?\n")


def _may_suppress(runbook: Runbook) -> bool:
    """Whether a runbook may hold a `# oj: …` directive: in a comment, or in a string (shell
    comments), whose decoded text may only join `oj:` through a backslash escape. Without
    any, suppression has nothing to do (and its module is not even imported)."""
    source = runbook.document.source
    if "oj:" in source:
        return True
    if _JOINING_ESCAPE.search(source) is None:
        return False
    return any("oj:" in value for value in _strings(runbook.document.root))


def _strings(value: Value) -> Iterator[str]:
    if isinstance(value, TString):
        yield value.value
    elif isinstance(value, TTable):
        for entry in value.entries.values():
            yield from _strings(entry.value)
    elif isinstance(value, TArray):
        for item in value.items:
            yield from _strings(item)


def _add_other_sources(found: Sequence[Diagnostic], sources: dict[str, str], root: Path) -> None:
    """Diagnostics may point into prompt and context templates: load those files too, so the
    full format can show their source lines."""
    for d in found:
        name = d.span.file
        if name in sources:
            continue
        path = Path(name) if Path(name).is_absolute() else root / name
        try:
            sources[name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
