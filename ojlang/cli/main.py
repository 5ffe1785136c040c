"""The `oj` command line: argv in, façade calls, rendered output and an exit code out.

Thin by design (STYLE.md lesson 9): each command parses its options, calls the façade and
renders. Command bodies live in their own modules, imported only when that command runs, so
`oj check` never loads the runtime. Any unexpected exception becomes exit 3 with the path of a
log that holds the traceback; a user never sees a Python traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="oj",
    help="Check and run ojlang runbooks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

FORMAT_HELP = "full, concise, json, json-lines, github or sarif (default: full on a terminal)"


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="runbook files or directories")] = None,
    format: Annotated[str | None, typer.Option("--format", help=FORMAT_HELP)] = None,
    output_file: Annotated[
        Path | None, typer.Option("--output-file", help="write the report to this file")
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="codes, prefixes or slugs to report")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="codes, prefixes or slugs to hide")
    ] = None,
    error_on_warning: Annotated[
        bool | None,
        typer.Option("--error-on-warning", help="exit 1 on warnings too", show_default=False),
    ] = None,
    no_shellcheck: Annotated[
        bool, typer.Option("--no-shellcheck", help="do not run shellcheck")
    ] = False,
    all_: Annotated[bool, typer.Option("--all", help="also report library runbooks")] = False,
) -> None:
    """Check runbooks like a compiler: syntax, schema and mini-languages."""
    from ojlang.cli.check_cmd import run_check

    code = run_check(
        [str(p) for p in paths or []],
        fmt=format,
        output_file=output_file,
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
        error_on_warning=error_on_warning,
        shellcheck=False if no_shellcheck else None,
        all_=all_,
    )
    raise typer.Exit(code)


@app.command()
def explain(
    code: Annotated[str | None, typer.Argument(help="a code (OJ301) or slug")] = None,
    list_: Annotated[bool, typer.Option("--list", help="print the whole catalogue")] = False,
) -> None:
    """Explain a diagnostic code: what triggers it, why it matters, how to fix it."""
    from ojlang.cli.explain_cmd import run_explain

    raise typer.Exit(run_explain(code, list_))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from ojlang.cli.crash import report_crash

    try:
        app(args=argv, prog_name="oj", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    except Exception as err:
        raise SystemExit(report_crash(err)) from None


if __name__ == "__main__":
    main()
