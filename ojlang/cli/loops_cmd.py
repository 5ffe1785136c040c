"""`oj worker …`, `oj cron …`, `oj watcher …`, `oj scanner …` (RUNTIME.md §3.9–3.12, §10):
argv in, `<kind>.<verb>` requests, the loops as tables or `oj.*/1` JSON out.

Every kind has `list`, `show NAME`, `enable NAME` and `disable NAME`; workers add `start`
(enable + wake), `stop [--now]`, `wake`, `resume` and `resize NAME N`; crons `run` (one tick
now); scanners `run [--dry-run]`. NAME is the bare name, `RUNBOOK.NAME`, or a unique prefix.
Operator enable/disable is persisted and wins over the runbook until its `enabled` changes.
"""

# no `from __future__ import annotations`: the commands are built in closures, and typer
# reads their annotations (help texts naming the kind) when the app is assembled
from collections.abc import Callable
from typing import Annotated, Any

import typer

from ojlang.cli import common as c

JsonOpt = Annotated[bool, typer.Option("--json", help="machine output (`oj.<kind>/1`)")]


def _app(kind: str, help: str) -> typer.Typer:
    return typer.Typer(
        name=kind,
        help=help,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


def _rows(kind: str, loops: list[dict[str, Any]]) -> str:
    if not loops:
        return f"no {kind}s\n"
    if kind == "worker":
        rows = [
            [
                w["name"],
                w["state"],
                f"{w['active']}/{w['concurrency']}",
                w["queue"],
                w["depth"],
                w["handler"],
            ]
            for w in loops
        ]
        return c.table(["NAME", "STATE", "RUNS", "QUEUE", "DEPTH", "HANDLER"], rows)
    if kind == "cron":
        rows = [[k["name"], k["state"], c.ago(k.get("next_us")), k["ticks"]] for k in loops]
        return c.table(["NAME", "STATE", "NEXT", "TICKS"], rows)
    if kind == "watcher":
        rows = [[w["name"], w["state"], len(w["episodes"])] for w in loops]
        return c.table(["NAME", "STATE", "EPISODES"], rows)
    rows = [
        [s["name"], "enabled" if s["enabled"] else "disabled", s["state"], s["cleaned"]]
        for s in loops
    ]
    return c.table(["NAME", "ENABLED", "STATE", "CLEANED"], rows)


def _show(kind: str, view: dict[str, Any]) -> str:
    width = max(len(k) for k in view)
    lines = []
    for key, value in view.items():
        if key.endswith("_us") and isinstance(value, int):
            value = f"{c.clock(value)} ({c.ago(value)})"
        lines.append(f"{key.ljust(width)}  {'-' if value in (None, '', [], {}) else value}")
    return "\n".join(lines) + "\n"


def _register(app: typer.Typer, kind: str) -> None:
    @app.command("list")
    def list_cmd(as_json: JsonOpt = False) -> None:
        raise typer.Exit(
            c.show(f"{kind}.list", None, f"{kind}s", lambda r: _rows(kind, r[f"{kind}s"]), as_json)
        )

    list_cmd.__doc__ = f"List {kind}s and their states."

    @app.command("show")
    def show_cmd(
        name: Annotated[str, typer.Argument(help=f"{kind} name")], as_json: JsonOpt = False
    ) -> None:
        raise typer.Exit(
            c.show(f"{kind}.show", {kind: name}, kind, lambda r: _show(kind, r[kind]), as_json)
        )

    show_cmd.__doc__ = f"Show one {kind}."


def _verb(app: typer.Typer, kind: str, verb: str, doc: str) -> None:
    def run(name: str, as_json: bool, params: dict[str, Any]) -> None:
        text = f"{kind} `{{{kind}}}`: {{state}}"
        raise typer.Exit(
            c.show(f"{kind}.{verb}", {kind: name, **params}, f"{kind}_{verb}", text, as_json)
        )

    if verb == "stop":

        def stop_cmd(
            name: Annotated[str, typer.Argument(help=f"{kind} name")],
            now: Annotated[
                bool, typer.Option("--now", help="cancel its runs instead of draining")
            ] = False,
            as_json: JsonOpt = False,
        ) -> None:
            run(name, as_json, {"now": now})

        command: Callable[..., None] = stop_cmd
    elif verb == "resize":

        def resize_cmd(
            name: Annotated[str, typer.Argument(help=f"{kind} name")],
            concurrency: Annotated[int, typer.Argument(help="the new concurrency")],
            as_json: JsonOpt = False,
        ) -> None:
            run(name, as_json, {"concurrency": concurrency})

        command = resize_cmd
    elif verb == "run" and kind == "scanner":

        def scan_cmd(
            name: Annotated[str, typer.Argument(help=f"{kind} name")],
            dry_run: Annotated[
                bool, typer.Option("--dry-run", help="report, clean nothing")
            ] = False,
            as_json: JsonOpt = False,
        ) -> None:
            run(name, as_json, {"dry_run": dry_run})

        command = scan_cmd
    else:

        def plain_cmd(
            name: Annotated[str, typer.Argument(help=f"{kind} name")], as_json: JsonOpt = False
        ) -> None:
            run(name, as_json, {})

        command = plain_cmd
    command.__doc__ = doc
    app.command(verb)(command)


worker_app = _app("worker", "Operate workers (§3.9).")
cron_app = _app("cron", "Operate crons (§3.10).")
watcher_app = _app("watcher", "Operate watchers (§3.11).")
scanner_app = _app("scanner", "Operate scanners (§3.12).")

_register(worker_app, "worker")
for _v, _d in (
    ("enable", "Enable a worker (persisted) and start claiming."),
    ("disable", "Disable a worker (persisted): it makes no new claims."),
    ("start", "Enable and wake a worker."),
    ("stop", "Stop a worker: drain its runs (`--now` cancels them)."),
    ("wake", "Wake a worker: run its claim loop now."),
    ("resume", "Resume a paused or stopped worker."),
    ("resize", "Change a worker's concurrency (persisted)."),
):
    _verb(worker_app, "worker", _v, _d)

_register(cron_app, "cron")
for _v, _d in (
    ("enable", "Enable a cron (persisted)."),
    ("disable", "Disable a cron (persisted); a running tick finishes."),
    ("run", "Run one tick now (never overlapping a running one)."),
):
    _verb(cron_app, "cron", _v, _d)

_register(watcher_app, "watcher")
_verb(watcher_app, "watcher", "enable", "Resume a paused watcher.")
_verb(watcher_app, "watcher", "disable", "Pause a watcher.")

_register(scanner_app, "scanner")
_verb(scanner_app, "scanner", "enable", "Enable a scanner.")
_verb(scanner_app, "scanner", "disable", "Disable a scanner.")
_verb(scanner_app, "scanner", "run", "Scan now (`--dry-run`: report, clean nothing).")
