"""`oj check`: options -> façade `check` -> rendered report -> exit code (LANGUAGE.md §8)."""

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
    flags = {
        "select": select,
        "ignore": ignore,
        "error_on_warning": error_on_warning,
        "shellcheck": shellcheck,
        "all": all_ or None,
    }
    try:
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
