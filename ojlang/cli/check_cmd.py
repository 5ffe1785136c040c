"""`oj check`: options -> façade `check` -> rendered report -> exit code (LANGUAGE.md §8).

With `--fix` the check runs in rounds (`ojlang.validator.fixer`): the files are fixed in
place, `Fixed N problems in FILE.` is printed per file, then the report of what is left.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ojlang.cli.output import usage_error


def run_check(
    paths: list[str],
    *,
    fmt: str | None,
    output_file: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    error_on_warning: bool | None,
    shellcheck: bool | None,
    all_: bool,
    fix: bool = False,
    unsafe_fixes: bool = False,
) -> int:
    from ojlang.api import check
    from ojlang.errors import UsageError
    from ojlang.validator.render import FORMATS, render, should_color
    from ojlang.validator.selection import SelectionError

    to_file = output_file is not None
    if fmt is None:
        fmt = "full" if (sys.stdout.isatty() and not to_file) else "concise"
    if fmt not in FORMATS:
        return usage_error(
            f"unknown format `{fmt}`", f"use one of {', '.join(f'`{f}`' for f in FORMATS)}"
        )
    if unsafe_fixes and not fix:
        return usage_error("`--unsafe-fixes` only applies with `--fix`", "add `--fix`")
    flags = {
        "select": select,
        "ignore": ignore,
        "error_on_warning": error_on_warning,
        "shellcheck": shellcheck,
        "all": all_ or None,
    }
    fixed_text = ""
    try:
        if fix:
            from ojlang.project import find_root
            from ojlang.validator.fixer import fix_rounds, fixed_lines

            outcome = fix_rounds(
                lambda: check(paths, flags=flags), find_root(Path.cwd()), unsafe=unsafe_fixes
            )
            report, fixed_text = outcome.report, fixed_lines(outcome.fixed)
        else:
            report = check(paths, flags=flags)
    except SelectionError as err:
        return usage_error(
            str(err), "codes look like `OJ301`, prefixes like `OJ3`; see `oj explain --list`"
        )
    except UsageError as err:
        return usage_error(err.message, err.help)
    color = not to_file and fmt in ("full", "concise") and should_color(sys.stdout, os.environ)
    out = render(
        report.diagnostics, fmt, sources=report.sources, runbooks=report.runbooks, color=color
    )
    if fixed_text:
        # Machine formats keep stdout parseable: the fix summary goes to stderr there.
        human = to_file or fmt in ("full", "concise")
        (sys.stdout if human else sys.stderr).write(fixed_text)
    if output_file is not None:
        try:
            output_file.write_text(out.stdout, encoding="utf-8")
        except OSError as err:
            return usage_error(f"cannot write `{output_file}`: {err.strerror or err}")
    else:
        sys.stdout.write(out.stdout)
    if out.stderr:
        sys.stderr.write(out.stderr)
    return report.exit_code
