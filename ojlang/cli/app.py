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

from ojlang.cli.wal_cmd import wal_app  # noqa: E402  (typer only; the store loads per command)

app.add_typer(wal_app, name="wal")


# -- the daemon commands (RUNTIME.md §10); their bodies talk to `ojlang.client` ----------------


@app.callback()
def _global(
    directory: Annotated[
        str | None, typer.Option("-C", help="act as if started in DIR", metavar="DIR")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine output on stdout")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="no colour (also NO_COLOR)")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="print less")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="print more")] = False,
    version: Annotated[
        bool, typer.Option("--version", help="print the version and exit", is_eager=True)
    ] = False,
) -> None:
    """Check and run ojlang runbooks."""
    import os

    from ojlang.cli.common import FLAGS

    if version:
        from ojlang.runtime.daemon.protocol import VERSION

        typer.echo(f"oj {VERSION}")
        raise typer.Exit(0)
    if directory:
        try:
            os.chdir(directory)
        except OSError as exc:
            typer.echo(f"error: cannot enter `{directory}`: {exc.strerror}", err=True)
            raise typer.Exit(2) from None
    FLAGS.update(json=as_json, no_color=no_color, quiet=quiet, verbose=verbose)


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
def status(ctx: typer.Context) -> None:
    """One screen: runs and what they wait on, queues, workers, locks (`--watch`, `--all`)."""
    from ojlang.cli.status_cmd import main as status_main

    raise typer.Exit(status_main(list(ctx.args)))


@app.command()
def emit(
    name: Annotated[str, typer.Argument(help="event name, `scope:verb` outside reserved scopes")],
    subject: Annotated[str | None, typer.Option("--subject", help="default: $OJ_NAME")] = None,
    data: Annotated[
        list[str] | None, typer.Option("--data", help="payload field K=V (repeatable)")
    ] = None,
    obj: Annotated[str | None, typer.Option("--json", help="payload as a JSON object")] = None,
) -> None:
    """Emit a custom event (routed like built-in ones: wake_on, hooks, notify)."""
    from ojlang.cli.common import FLAGS
    from ojlang.cli.events_cmd import emit_main

    raise typer.Exit(emit_main(name, subject, data or [], obj, FLAGS["json"]))


@app.command()
def completions(shell: Annotated[str, typer.Argument(help="bash, zsh or fish")]) -> None:
    """Print a shell completion script."""
    from ojlang.cli.completions_cmd import completions_main

    raise typer.Exit(completions_main(shell))


def _daemon_groups() -> None:
    from ojlang.cli import graph_cmd
    from ojlang.cli.daemon_cmd import daemon_app
    from ojlang.cli.decision_cmd import decision_app, escalation_app
    from ojlang.cli.events_cmd import events_app
    from ojlang.cli.locks_cmd import lock_app, semaphore_app
    from ojlang.cli.loops_cmd import cron_app, scanner_app, watcher_app, worker_app
    from ojlang.cli.pipeline_cmd import pipeline_app
    from ojlang.cli.queue_cmd import queue_app
    from ojlang.cli.session_cmd import session_app
    from ojlang.cli.workspace_cmd import workspace_app

    graph_cmd.register(app)
    for sub, name in (
        (pipeline_app, "pipeline"),
        (queue_app, "queue"),
        (worker_app, "worker"),
        (cron_app, "cron"),
        (watcher_app, "watcher"),
        (scanner_app, "scanner"),
        (lock_app, "lock"),
        (semaphore_app, "semaphore"),
        (session_app, "session"),
        (workspace_app, "workspace"),
        (events_app, "events"),
        (escalation_app, "escalation"),
        (decision_app, "decision"),
        (daemon_app, "daemon"),
    ):
        app.add_typer(sub, name=name)


_daemon_groups()
