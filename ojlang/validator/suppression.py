"""Suppression comments (LANGUAGE.md §8): diagnostics and runbooks in, the diagnostics left
after `# oj: ignore[…]` / `# oj: ignore-file[…]`, plus OJ905 for unused ones, out.

The directives come from `ojlang.validator.suppression_comments`. A diagnostic is suppressed
when its primary span starts on a line a line directive covers, in the same file, or lies
inside a multi-line string whose key (or array of strings' key) is on such a line; a file
directive covers the whole file. Every word that suppressed nothing is OJ905, with a safe fix
that removes it (the whole comment when it was the only word); so is a directive without
codes, with an unknown code or verb, or an `ignore-file` after the first table (their fix is
only shown: `--fix` does not throw away what the author meant to write). Words naming
only codes that did not run (OJ602 without shellcheck) are never reported. OJ905 itself is
suppressed only by another `ignore-file` word, never by a line directive nor by the word it is
about.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence

import attrs

from ojlang.parser import ast
from ojlang.parser.spans import Span
from ojlang.parser.tomltree import TArray, TomlDocument, TString, TTable, Value
from ojlang.validator.diagnostic import Applicability, Diagnostic, Edit, Fix, diag
from ojlang.validator.suppression_comments import Directive, Word, directives, unknown_help

UNUSED = "OJ905"


# -- multi-line strings and their keys -------------------------------------------------------


def _multiline_keys(document: TomlDocument) -> tuple[list[int], list[tuple[int, int]]]:
    """Multi-line strings spanning lines, sorted: their start bytes and (end byte, key line)."""
    found: list[tuple[int, int, int]] = []

    def walk(value: Value, key_line: int) -> None:
        if isinstance(value, TTable):
            for entry in value.entries.values():
                walk(entry.value, entry.key.span.line)
        elif isinstance(value, TArray):
            for item in value.items:
                walk(item, key_line)
        elif isinstance(value, TString) and value.span.end_line > value.span.line:
            found.append((value.span.byte_start, value.span.byte_end, key_line))

    walk(document.root, 0)
    found.sort()
    return [f[0] for f in found], [(f[1], f[2]) for f in found]


def _key_line(index: tuple[list[int], list[tuple[int, int]]], span: Span) -> int | None:
    starts, rest = index
    i = bisect.bisect_right(starts, span.byte_start) - 1
    if i >= 0 and span.byte_start < rest[i][0]:
        return rest[i][1]
    return None


# -- applying them ---------------------------------------------------------------------------


@attrs.frozen
class _File:
    runbook: str
    directives: tuple[Directive, ...]
    by_line: dict[int, list[Directive]]
    file_wide: tuple[Directive, ...]
    keys: tuple[list[int], list[tuple[int, int]]]


def _file(runbook: ast.Runbook) -> _File:
    found = tuple(directives(runbook))
    by_line: dict[int, list[Directive]] = {}
    for d in found:
        if d.problem is None and not d.file_wide:
            for line in d.lines:
                by_line.setdefault(line, []).append(d)
    wide = tuple(d for d in found if d.problem is None and d.file_wide)
    keys = _multiline_keys(runbook.document) if by_line else ([], [])
    return _File(runbook.name, found, by_line, wide, keys)


def _matching(f: _File, d: Diagnostic) -> list[Word]:
    lines = {d.span.line}
    key_line = _key_line(f.keys, d.span) if f.keys[0] else None
    if key_line is not None:
        lines.add(key_line)
    words: list[Word] = []
    for line in lines:
        for directive in f.by_line.get(line, ()):
            words.extend(w for w in directive.words if d.code in w.codes)
    for directive in f.file_wide:
        words.extend(w for w in directive.words if d.code in w.codes)
    return words


def apply_suppressions(
    diagnostics: Iterable[Diagnostic],
    runbooks: Sequence[ast.Runbook],
    inactive: frozenset[str] = frozenset(),
) -> list[Diagnostic]:
    """`diagnostics` without the suppressed ones, plus OJ905 for the runbooks' unused
    suppressions. `inactive`: codes whose check did not run (their suppressions are not
    reported as unused)."""
    files = {rb.document.path: _file(rb) for rb in runbooks}
    used: set[int] = set()  # id() of used words
    kept: list[Diagnostic] = []
    for d in diagnostics:
        f = files.get(d.span.file)
        if f is None or not (f.by_line or f.file_wide) or d.code in _UNSUPPRESSIBLE:
            kept.append(d)
            continue
        words = _matching(f, d) if d.code != UNUSED else []
        if words:
            used.update(id(w) for w in words)
        else:
            kept.append(d)
    for f in files.values():
        kept.extend(_unused(f, used, inactive))
    return kept


# A file that does not parse has no comments; selection never hides these either.
_UNSUPPRESSIBLE = frozenset({"OJ001", "OJ002", "OJ003", "OJ004"})


def _unused(f: _File, used: set[int], inactive: frozenset[str]) -> Iterator[Diagnostic]:
    """OJ905 for the directives of `f` that cannot suppress and the words that did not."""
    reports: list[tuple[Word | None, Diagnostic]] = []
    for directive in f.directives:
        if directive.problem is not None:
            message, help_text = directive.problem
            d = _report(f, directive.span, message, help_text, directive.removal, safe=False)
            reports.append((None, d))
            continue
        only = len(directive.words) == 1
        for word in directive.words:
            if id(word) in used or (word.codes and word.codes <= inactive):
                continue
            removal = directive.removal if only else word.removal
            if not word.codes:
                message = f"unknown code `{word.text}` in a suppression"
                help_text = unknown_help(word.text)
            elif not directive.file_wide and word.codes == {UNUSED}:
                message = f"suppression of `{word.text}` is unused"
                help_text = "`OJ905` can only be suppressed with `# oj: ignore-file[OJ905]`"
            else:
                message = f"suppression of `{word.text}` is unused"
                help_text = (
                    "remove the suppression comment"
                    if only
                    else f"remove `{word.text}` from the suppression"
                )
            d = _report(f, word.span, message, help_text, removal, safe=bool(word.codes))
            reports.append((word, d))
    # OJ905 is suppressed by another `ignore-file` word that names it (which is then used).
    silenced: set[int] = set()
    for index, (about, _d) in enumerate(reports):
        silencers = [
            w
            for directive in f.file_wide
            for w in directive.words
            if w is not about and UNUSED in w.codes
        ]
        if silencers:
            silenced.add(index)
            used.update(id(w) for w in silencers)
    for index, (about, d) in enumerate(reports):
        if index in silenced or (about is not None and id(about) in used):
            continue
        yield d


def _report(
    f: _File, span: Span, message: str, help_text: str, removal: Edit, *, safe: bool
) -> Diagnostic:
    """OJ905 with the fix that removes the suppression: safe for a valid one that is unused;
    only shown for a malformed or misplaced one, whose author meant something (`--fix` must
    not throw a typo away)."""
    how = Applicability.SAFE if safe else Applicability.DISPLAY
    return diag(
        UNUSED,
        message,
        span,
        "suppresses nothing",
        help=help_text,
        fix=Fix(how, "remove the suppression", (removal,)),
        runbook=f.runbook,
    )


def inactive_codes(shellcheck: bool) -> frozenset[str]:
    """Codes whose check does not run: OJ602 without shellcheck (disabled or not installed)."""
    import shutil

    if shellcheck and shutil.which("shellcheck") is not None:
        return frozenset()
    return frozenset({"OJ602"})
