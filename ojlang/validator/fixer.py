"""Fixes of diagnostics in, fixed runbook files out (`oj check --fix`, LANGUAGE.md §8).

A `Fix` is a list of span edits whose replacements are source text. Edits are applied to the
original bytes, so every byte outside them stays as written: comments, layout, quoting and line
endings are kept exactly (the guarantee a tomlkit round trip gives, without re-serialising).
Per file and round, fixes are taken in file order and one that overlaps an earlier one waits for
the next round; the chosen edits are applied from the end of the file so earlier offsets stay
valid. The result must still parse (`ojlang.parser.toml.parse_toml`); when it does not, the
fixes are tried one at a time and each one that breaks the file is skipped for good.

`fix_rounds` re-checks and fixes again until no fix applies (at most `MAX_ROUNDS` rounds): a
fix may reveal or enable another one. Only `safe` fixes apply, plus `unsafe` ones when asked;
`display` fixes never do. Files outside the project (library runbooks) are never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs

from ojlang.validator.checker import CheckReport
from ojlang.validator.diagnostic import Applicability, Diagnostic, Edit, Fix

MAX_ROUNDS = 10


def applicable(d: Diagnostic, unsafe: bool) -> bool:
    """Whether `--fix` (with `--unsafe-fixes` when `unsafe`) applies the fix of `d`."""
    if d.fix is None or not d.fix.edits:
        return False
    if d.fix.applicability is Applicability.SAFE:
        return True
    return unsafe and d.fix.applicability is Applicability.UNSAFE


def _key(fix: Fix) -> tuple[tuple[int, int, str], ...]:
    return tuple((e.span.byte_start, e.span.byte_end, e.replacement) for e in fix.edits)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Ranges that touch the same bytes, or two insertions at the same point."""
    if a[0] == a[1] == b[0] == b[1]:
        return True
    return a[0] < b[1] and b[0] < a[1]


def _splice(data: bytes, edits: Iterable[Edit]) -> bytes:
    """`data` with `edits` (non-overlapping) applied from the end."""
    out = data
    for edit in sorted(edits, key=lambda e: (e.span.byte_start, e.span.byte_end), reverse=True):
        s = edit.span
        out = out[: s.byte_start] + edit.replacement.encode("utf-8") + out[s.byte_end :]
    return out


def _parses(data: bytes, path: str) -> bool:
    from ojlang.parser.errors import TomlError
    from ojlang.parser.toml import parse_toml

    try:
        parse_toml(data, path)
    except TomlError:
        return False
    return True


@attrs.frozen
class FileFix:
    """What one round did to one file: the new bytes, the diagnostics fixed, the fixes skipped
    because the file would no longer parse."""

    data: bytes
    fixed: int
    broken: tuple[Fix, ...]


def apply_fixes(data: bytes, path: str, diagnostics: Sequence[Diagnostic]) -> FileFix:
    """Apply the fixes of `diagnostics` whose edits are all in `path` to its bytes `data`."""
    chosen: list[tuple[Fix, int]] = []  # fix, number of diagnostics it fixes
    taken: list[tuple[int, int]] = []
    by_key: dict[tuple[tuple[int, int, str], ...], int] = {}
    fixes = [d.fix for d in diagnostics if d.fix is not None]
    fixes.sort(key=lambda f: min((e.span.byte_start, e.span.byte_end) for e in f.edits))
    for fix in fixes:
        key = _key(fix)
        if key in by_key:  # the same fix for another diagnostic: fixed together
            fix_index = by_key[key]
            chosen[fix_index] = (chosen[fix_index][0], chosen[fix_index][1] + 1)
            continue
        ranges = [(e.span.byte_start, e.span.byte_end) for e in fix.edits]
        if any(e.span.file != path or e.span.byte_end > len(data) for e in fix.edits):
            continue
        if any(_overlaps(a, b) for i, a in enumerate(ranges) for b in ranges[i + 1 :]):
            continue
        if any(_overlaps(a, b) for a in ranges for b in taken):
            continue  # the next round takes it, on the fixed text
        taken.extend(ranges)
        by_key[key] = len(chosen)
        chosen.append((fix, 1))
    if not chosen:
        return FileFix(data, 0, ())
    result = _splice(data, [e for fix, _n in chosen for e in fix.edits])
    if _parses(result, path):
        return FileFix(result, sum(n for _f, n in chosen), ())
    # One at a time from the end of the file, keeping those after which the file still parses.
    out, fixed, broken = data, 0, []
    for fix, n in sorted(chosen, key=lambda c: _key(c[0]), reverse=True):
        candidate = _splice(out, fix.edits)
        if _parses(candidate, path):
            out, fixed = candidate, fixed + n
        else:
            broken.append(fix)
    return FileFix(out, fixed, tuple(broken))


@attrs.frozen
class FixOutcome:
    """The report after the last round, and the number of problems fixed per file (display
    path, in the order files were first fixed)."""

    report: CheckReport
    fixed: dict[str, int]


def fix_rounds(check: Callable[[], CheckReport], root: Path, *, unsafe: bool = False) -> FixOutcome:
    """Check, apply the fixes, check again… until no fix applies or `MAX_ROUNDS` rounds ran.

    `check` runs the whole check (the façade with the user's options); display paths are
    relative to `root`. Returns the last report, which describes the files as they are now.
    """
    fixed: dict[str, int] = {}
    broken: set[tuple[str, tuple[tuple[int, int, str], ...]]] = set()
    report = check()
    for _round in range(MAX_ROUNDS):
        by_file: dict[str, list[Diagnostic]] = {}
        for d in report.diagnostics:
            if not applicable(d, unsafe) or Path(d.path).is_absolute():
                continue
            assert d.fix is not None
            if (d.path, _key(d.fix)) in broken:
                continue
            by_file.setdefault(d.path, []).append(d)
        changed = False
        for display, diagnostics in by_file.items():
            path = root / display
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if data.decode("utf-8", errors="replace") != report.sources.get(display):
                continue  # changed since it was checked: leave it alone
            result = apply_fixes(data, display, diagnostics)
            broken.update((display, _key(f)) for f in result.broken)
            if result.fixed and result.data != data:
                path.write_bytes(result.data)
                fixed[display] = fixed.get(display, 0) + result.fixed
                changed = True
        if not changed:
            break
        report = check()
    return FixOutcome(report, fixed)


def fixed_lines(fixed: dict[str, int]) -> str:
    """`Fixed N problems in FILE.` per file."""
    return "".join(
        f"Fixed {n} problem{'s' if n != 1 else ''} in {path}.\n" for path, n in fixed.items()
    )
