"""`oj fmt [PATHS] [--check]`: runbook files in, canonically formatted files (or a list of the
files that would change) out.

Without PATHS it formats the project's runbooks (LANGUAGE.md §1.1 directories 1–2); a
directory means its `*.toml` files. Exit codes: 0 done (or, with `--check`, nothing to
change), 1 a file would change (`--check`) or could not be formatted (not valid TOML: see
`oj check`), 2 usage error (a missing path), 3 internal error (the formatted text would not
mean the same: nothing is written).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ojlang.cli.output import usage_error


def _files(paths: list[str], cwd: Path, root: Path) -> list[tuple[Path, str]] | None:
    from ojlang.project import Origin, discover, display_path, toml_files

    if not paths:
        project = (Origin.PROJECT, Origin.HIDDEN)
        return [(f.path, f.display) for f in discover(root) if f.origin in project]
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(os.path.abspath(cwd / raw))
        if path.is_dir():
            found.extend((p, display_path(p, root)) for p in toml_files(path))
        elif path.is_file():
            found.append((path, display_path(path, root)))
        else:
            usage_error(f"no such file or directory: `{raw}`", "name runbook files or directories")
            return None
    return found


def _plural(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"


def run_fmt(paths: list[str], *, check: bool) -> int:
    from ojlang.fmt import FormatBug, format_file
    from ojlang.project import find_root

    cwd = Path.cwd()
    files = _files(paths, cwd, find_root(cwd))
    if files is None:
        return 2
    changed = unchanged = failed = 0
    for path, display in files:
        try:
            result = format_file(path, display, write=not check)
        except FormatBug as err:
            sys.stderr.write(
                f"error: internal error formatting `{display}`: {err}; the file is unchanged\n"
                "  this is a bug in oj: please report it with that file\n"
            )
            return 3
        if result.error is not None:
            failed += 1
            sys.stderr.write(f"error: cannot format `{display}`: {result.error}\n")
        elif result.changed:
            changed += 1
            if check:
                sys.stdout.write(f"Would reformat {display}\n")
        else:
            unchanged += 1
    if check:
        summary = f"{_plural(changed)} would be reformatted, {_plural(unchanged)} already formatted"
    else:
        summary = f"{_plural(changed)} reformatted, {_plural(unchanged)} left unchanged"
    if failed:
        summary += f", {_plural(failed)} could not be formatted"
    sys.stdout.write(summary + ".\n")
    return 1 if failed or (check and changed) else 0
