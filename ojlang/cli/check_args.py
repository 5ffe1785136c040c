"""The argument parser of `oj check` (LANGUAGE.md §8): argv in, `run_check` keyword args out.

`oj check` is dispatched before typer is imported (RUNTIME.md §10), so its options are
declared once, here, with the standard library's argparse; `oj --help` lists the command
through a forwarding stub in `ojlang.cli.main`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import argparse

FORMAT_HELP = "full, concise, json, json-lines, github or sarif (default: full on a terminal)"


def parser() -> argparse.ArgumentParser:
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            sys.stderr.write(f"error: {message}\n  help: see `oj check --help`\n")
            raise SystemExit(2)

    p = _Parser(
        prog="oj check",
        description="Check runbooks like a compiler: syntax, schema, references, templates, "
        "graph, shell and security.",
    )
    p.add_argument("paths", nargs="*", help="runbook files or directories (default: the project)")
    p.add_argument("--format", dest="fmt", metavar="FORMAT", help=FORMAT_HELP)
    p.add_argument("--output-file", type=Path, metavar="FILE", help="write the report to FILE")
    p.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="CODES",
        help="codes, prefixes or slugs to report (comma-separated; default ALL)",
    )
    p.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODES",
        help="codes, prefixes or slugs to hide (comma-separated)",
    )
    p.add_argument(
        "--error-on-warning",
        action="store_true",
        default=None,
        help="exit 1 when there is a warning",
    )
    p.add_argument(
        "--no-shellcheck",
        dest="shellcheck",
        action="store_false",
        default=None,
        help="do not run shellcheck",
    )
    p.add_argument("--all", action="store_true", help="also report library runbooks")
    p.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes in place, then report what is left",
    )
    p.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix, also apply the fixes that may change what a runbook does",
    )
    return p


def main(argv: list[str]) -> int:
    import gc

    # One short-lived process: no cyclic garbage collection at all (a check builds many
    # long-lived objects and almost no cycles; `api.check` suspends it around the work, but
    # imports and the collection due when it is enabled again cost as much).
    gc.disable()
    from ojlang.cli.check_cmd import run_check

    args = quick_parse(argv)
    if args is None:
        args = vars(parser().parse_args(argv))
    return run_check(
        list(args["paths"]),
        fmt=args["fmt"],
        output_file=args["output_file"],
        select=tuple(args["select"]),
        ignore=tuple(args["ignore"]),
        error_on_warning=args["error_on_warning"],
        shellcheck=args["shellcheck"],
        all_=args["all"],
        fix=args["fix"],
        unsafe_fixes=args["unsafe_fixes"],
    )


# Options without a value: destination and the value they store.
_FLAGS = {
    "--error-on-warning": ("error_on_warning", True),
    "--no-shellcheck": ("shellcheck", False),
    "--all": ("all", True),
    "--fix": ("fix", True),
    "--unsafe-fixes": ("unsafe_fixes", True),
}
# Options with a value: destination, and whether they may be repeated.
_VALUES = {
    "--format": ("fmt", False),
    "--output-file": ("output_file", False),
    "--select": ("select", True),
    "--ignore": ("ignore", True),
}


def quick_parse(argv: list[str]) -> dict[str, Any] | None:
    """What `parser().parse_args(argv)` gives, for the common spellings only: options spelled
    out in full, values not starting with `-`, paths in one run. None for anything else
    (help, abbreviations, errors…): then argparse, which is not even imported otherwise,
    parses it."""
    out: dict[str, Any] = {
        "paths": [],
        "fmt": None,
        "output_file": None,
        "select": [],
        "ignore": [],
        "error_on_warning": None,
        "shellcheck": None,
        "all": False,
        "fix": False,
        "unsafe_fixes": False,
    }
    state = "before"  # before, in or after the run of paths
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("-"):
            if state == "after":
                return None
            state = "in"
            out["paths"].append(arg)
            continue
        if state == "in":
            state = "after"
        name, eq, value = arg.partition("=")
        if name in _FLAGS and not eq:
            dest, stored = _FLAGS[name]
            out[dest] = stored
        elif name in _VALUES:
            if not eq:
                if i >= len(argv) or argv[i].startswith("-"):
                    return None
                value = argv[i]
                i += 1
            dest, repeated = _VALUES[name]
            if repeated:
                out[dest].append(value)
            else:
                out[dest] = Path(value) if dest == "output_file" else value
        else:
            return None
    return out
