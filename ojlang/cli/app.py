"""The typer application of `oj`: every command's options, forwarding to its module.

Thin by design (STYLE.md lesson 9): each command parses its options, calls the façade and
renders; bodies live in their own modules, imported only when that command runs. Commands of
`ojlang.cli.main.FAST` are dispatched before this module is imported; here they are stubs so
that `oj --help` lists them.
"""

from __future__ import annotations

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


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
def check(ctx: typer.Context) -> None:
    """Check runbooks like a compiler (`oj check --help` for the options)."""
    from ojlang.cli.check_args import main as check_main

    raise typer.Exit(check_main(list(ctx.args)))


@app.command()
def explain(
    code: Annotated[str | None, typer.Argument(help="a code (OJ301) or slug")] = None,
    list_: Annotated[bool, typer.Option("--list", help="print the whole catalogue")] = False,
) -> None:
    """Explain a diagnostic code: what triggers it, why it matters, how to fix it."""
    from ojlang.cli.explain_cmd import run_explain

    raise typer.Exit(run_explain(code, list_))


@app.command()
def fmt(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="runbook files or directories (default: the project's runbooks)"),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="change nothing; exit 1 if a file would change")
    ] = False,
) -> None:
    """Format runbooks canonically, keeping comments, table order and values."""
    from ojlang.cli.fmt_cmd import run_fmt

    raise typer.Exit(run_fmt(paths or [], check=check))


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
def run(ctx: typer.Context) -> None:
    """Run a command, pipeline or task: `oj run TARGET [ARGS...] [--wait] [--dry-run]`."""
    from ojlang.cli.run_cmd import main as run_main

    raise typer.Exit(run_main(list(ctx.args)))


@app.command()
def schema() -> None:
    """Print the JSON schema of runbook files (for `#:schema` headers and editors)."""
    import sys

    from ojlang.schema import render

    sys.stdout.write(render())


@app.command()
def lsp() -> None:
    """Run the language server on stdin/stdout (diagnostics, definitions, hover, completion)."""
    from ojlang.lsp.server import main as lsp_main

    raise typer.Exit(lsp_main())


def _signal_stub(name: str, doc: str) -> None:
    def stub(ctx: typer.Context) -> None:
        from ojlang.cli.signal_cmd import MAINS

        raise typer.Exit(MAINS[name](list(ctx.args)))

    stub.__doc__ = doc
    app.command(
        name,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )(stub)


_signal_stub("done", "Signal from inside a task: finished (`--error MSG`, `--restart [MSG]`).")
_signal_stub("checkpoint", "Record progress from inside a task: `oj checkpoint MSG`.")
_signal_stub("confirm", "Ask a human before acting (with `OJ_SAFE=1`): `oj confirm MSG`.")
_signal_stub("hook", "Agent hooks: `oj hook prime|activity|notify|stop` (JSON on stdin).")

from ojlang.cli.escalation_cmd import escalation_app  # noqa: E402
from ojlang.cli.wal_cmd import wal_app  # noqa: E402  (typer only; the store loads per command)

app.add_typer(wal_app, name="wal")
app.add_typer(escalation_app, name="escalation")
