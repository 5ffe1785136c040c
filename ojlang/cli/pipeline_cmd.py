"""`oj pipeline list|show|start|logs|wait|transition|resume|cancel|block|set` (RUNTIME.md §10,
§3.1): argv in, `pipeline.*` requests to the daemon, runs as tables or `oj.*/1` JSON out.

`start --wait` and `wait` stream the run's events until it ends: exit 0 when it ends `done`, 1
when it fails, is cancelled or escalates, 124 when `--timeout` expires. `show ID --field F`
prints one field of the run (for shell conditions such as `oj pipeline show build-x --field
state`). Ids are prefix-matched; a unique run NAME works too (§2.3).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from ojlang.cli import common as c

pipeline_app = typer.Typer(
    name="pipeline",
    help="Inspect, start and operate pipeline runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
JsonOpt = Annotated[bool, typer.Option("--json", help="machine output (`oj.<kind>/1`)")]
END_CODES = {"done": 0, "failed": 1, "cancelled": 1, "escalated": 1}


def _exit(code: int) -> None:
    raise typer.Exit(code)


def runs_table(runs: list[dict[str, Any]]) -> str:
    if not runs:
        return "no runs\n"
    rows = [
        [
            r["id"],
            r["pipeline"],
            r["phase"],
            r["state"],
            c.waiting_text(r.get("waiting")) or (r.get("error") or ""),
            c.ago(r["created_us"]),
        ]
        for r in runs
    ]
    return c.table(["ID", "PIPELINE", "PHASE", "STATE", "WAITING ON / ERROR", "CREATED"], rows)


@pipeline_app.command("list")
def list_cmd(
    all_: Annotated[bool, typer.Option("--all", help="ended runs too")] = False,
    state: Annotated[str | None, typer.Option("--state", help="only runs in this state")] = None,
    runbook: Annotated[str | None, typer.Option("--runbook", help="only runs of a runbook")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List runs (active ones; `--all` for every run)."""

    params = {"all": all_, "state": state, "runbook": runbook}
    _exit(c.show("pipeline.list", params, "runs", lambda r: runs_table(r["runs"]), as_json))


def show_text(r: dict[str, Any]) -> str:
    lines = [
        f"run       {r['id']}  ({r['runbook']}.{r['pipeline']}, name `{r['name']}`)",
        f"state     {r['state']}" + (f"  phase `{r['phase']}`" if r["phase"] else ""),
    ]
    if r.get("waiting"):
        lines.append(f"waiting   {c.waiting_text(r['waiting'])}")
    if r.get("error"):
        lines.append(f"error     {r['error']}")
    if r.get("escalation"):
        lines.append(f"escalated {r['escalation']}  (`oj escalation show {r['escalation']}`)")
    if r.get("workspace"):
        lines.append(f"workspace {r['workspace']}  branch {r.get('branch') or '-'}")
    if r.get("item"):
        lines.append(f"item      {r['item']['claim']} of queue `{r['item']['queue']}`")
    lines.append(
        f"created   {c.clock(r['created_us'])}"
        + (f"  ended {c.clock(r['ended_us'])}" if r.get("ended_us") else "")
    )
    if r.get("vars"):
        lines.append("vars")
        lines += [
            f"  {k} = {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(r["vars"].items())
        ]
    tasks = r.get("tasks") or []
    if tasks:
        lines.append("tasks")
        lines += [
            f"  {t['id']}  {t['state']}  session {t['session'] or '-'}  gen {t['generation']}"
            for t in tasks
        ]
    return "\n".join(lines) + "\n"


@pipeline_app.command("show")
def show_cmd(
    run: Annotated[str, typer.Argument(help="run id, unique prefix or run name")],
    field: Annotated[str | None, typer.Option("--field", help="print only this field")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one run: state, phase, what it waits on, vars and tasks."""

    def body() -> int:
        r = c.request("pipeline.show", {"id": run})["run"]
        if field:
            value = r.get(field, r.get("vars", {}).get(field))
            if value is None and field not in r and field not in r.get("vars", {}):
                raise c.Usage(f"run has no field `{field}`", "fields: " + ", ".join(sorted(r)))
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            sys.stdout.write(f"{text}\n")
        elif c.json_wanted(as_json):
            c.emit_json("run", {"run": r})
        else:
            sys.stdout.write(show_text(r))
        return 0

    _exit(c.guarded(body))


def follow(events: Any, as_json: bool) -> int:
    """Print a run's streamed events until its end; its exit code."""
    from ojlang.run_local import describe

    result: dict[str, Any] = {}
    try:
        while True:
            try:
                event = next(events)
            except StopIteration as end:
                result = end.value or {}
                break
            if as_json:
                c.emit_json("event", {"event": event})
                sys.stdout.flush()
                continue
            line = describe(str(event.get("name")), event.get("payload") or {})
            if line:
                c.say(line)
                sys.stdout.flush()
    except KeyboardInterrupt:
        c.say("interrupted: the run goes on (`oj status`)")
        return 130
    state = str(result.get("state") or "")
    if as_json:
        c.emit_json(
            "run_end", {"run": result.get("run"), "state": state, "error": result.get("error")}
        )
    elif state == "escalated":
        c.say(f"run `{result.get('run')}` escalated: {result.get('error') or ''}")
        c.say(f"  help: `oj escalation show {result.get('escalation')}`")
    elif state and state != "done":
        c.say(
            f"run `{result.get('run')}` ended `{state}`"
            + (f": {result['error']}" if result.get("error") else "")
        )
    return END_CODES.get(state, 1)


@pipeline_app.command("start")
def start_cmd(
    pipeline: Annotated[str, typer.Argument(help="RUNBOOK.PIPELINE (or a unique pipeline name)")],
    values: Annotated[list[str] | None, typer.Argument(help="inputs as KEY=VALUE")] = None,
    name: Annotated[str | None, typer.Option("--name", help="the run's NAME")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="stream events until the run ends")] = False,
    timeout: Annotated[
        str | None, typer.Option("--timeout", help="with --wait: give up after D")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Start a run of a pipeline."""

    def body() -> int:
        params: dict[str, Any] = {"pipeline": pipeline, "vars": c.pairs(values or []), "name": name}
        if wait:
            from ojlang.client import stream

            limit = c.seconds(timeout, "--timeout")
            params["timeout"] = limit
            params["until_escalated"] = True
            return _timed(lambda: follow(stream("pipeline.start", params), c.json_wanted(as_json)))
        result = c.request("pipeline.start", params)
        if c.json_wanted(as_json):
            c.emit_json("pipeline_start", result)
        else:
            c.say(f"started `{result['run']}`")
        return 0

    _exit(c.guarded(body))


def _timed(body: Any) -> int:
    from ojlang.runtime.daemon.protocol import RemoteError

    try:
        return int(body())
    except RemoteError as err:
        if err.code == "timeout":
            c.error(err.message)
            return 124
        raise


@pipeline_app.command("wait")
def wait_cmd(
    run: Annotated[str, typer.Argument(help="run id, unique prefix or run name")],
    timeout: Annotated[
        str | None, typer.Option("--timeout", help="give up after D (exit 124)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Wait for a run to end: exit 0 `done`, 1 otherwise, 124 on timeout."""

    def body() -> int:
        from ojlang.client import stream

        params = {"run": run, "timeout": c.seconds(timeout, "--timeout"), "until_escalated": True}
        return _timed(lambda: follow(stream("pipeline.wait", params), c.json_wanted(as_json)))

    _exit(c.guarded(body))


@pipeline_app.command("logs")
def logs_cmd(
    run: Annotated[str, typer.Argument(help="run id, unique prefix or run name")],
    follow_: Annotated[
        bool, typer.Option("-f", "--follow", help="keep printing new events")
    ] = False,
    lines: Annotated[int, typer.Option("-n", help="how many events")] = 50,
    phase: Annotated[str | None, typer.Option("--phase", help="only this phase")] = None,
    as_json: JsonOpt = False,
) -> None:
    """A run's events, its shells' output tails, then where its session logs are."""

    def body() -> int:
        from ojlang.cli.events_cmd import event_line

        result = c.request("pipeline.logs", {"id": run, "n": lines, "phase": phase})
        if c.json_wanted(as_json) and not follow_:
            c.emit_json("pipeline_logs", result)
            return 0
        for event in result["events"]:
            sys.stdout.write(event_line(event) + "\n")
        for shell in result.get("shells") or []:
            c.say(f"shell {shell['effect']} ({shell['purpose']}): {shell['script']}")
            for channel in ("out", "err"):
                for line in shell.get(channel) or []:
                    c.say(f"  {channel}: {line}")
        for s in result["sessions"]:
            c.say(f"session {s['session']} ({s['phase']}): {s['log']}")
        if follow_:
            from ojlang.client import stream

            params = {"run": result["run"], "n": 0, "follow": True}
            try:
                for event in stream("events.tail", params):
                    if c.json_wanted(as_json):
                        c.emit_json("event", {"event": event})
                    else:
                        sys.stdout.write(event_line(event) + "\n")
                    sys.stdout.flush()
            except KeyboardInterrupt:
                return 0
        return 0

    _exit(c.guarded(body))


def _simple(method: str, kind: str, params: dict[str, Any], as_json: bool, text: str) -> None:
    _exit(c.show(method, params, kind, text, as_json))


@pipeline_app.command("transition")
def transition_cmd(
    run: Annotated[str, typer.Argument(help="run id")],
    action: Annotated[str, typer.Argument(help="complete, fail or goto:PHASE")],
    reason: Annotated[str | None, typer.Option("--reason", help="why (shown in events)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a running run on: complete the phase, fail it, or go to a phase."""
    params = {"id": run, "action": action, "reason": reason}
    _simple("pipeline.transition", "pipeline_transition", params, as_json, "run `{run}`: {action}")


@pipeline_app.command("resume")
def resume_cmd(
    run: Annotated[str, typer.Argument(help="run id")],
    phase: Annotated[str | None, typer.Option("--phase", help="resume at this phase")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Resume an escalated or failed run (at its phase, or `--phase`)."""
    _simple(
        "pipeline.resume",
        "pipeline_resume",
        {"id": run, "phase": phase},
        as_json,
        "resumed `{run}`",
    )


@pipeline_app.command("cancel")
def cancel_cmd(
    run: Annotated[str, typer.Argument(help="run id")],
    keep_workspace: Annotated[
        bool, typer.Option("--keep-workspace", help="keep its worktree")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a run (its session is captured and killed, its worktree removed)."""
    params = {"id": run, "keep_workspace": keep_workspace}
    _simple("pipeline.cancel", "pipeline_cancel", params, as_json, "cancelled `{run}`")


@pipeline_app.command("block")
def block_cmd(run: Annotated[str, typer.Argument(help="run id")], as_json: JsonOpt = False) -> None:
    """Send a running run to its `blocked` phase."""
    _simple("pipeline.block", "pipeline_block", {"id": run}, as_json, "blocked `{run}`")


@pipeline_app.command("set")
def set_cmd(
    run: Annotated[str, typer.Argument(help="run id")],
    values: Annotated[list[str], typer.Argument(help="KEY=VALUE pairs")],
    as_json: JsonOpt = False,
) -> None:
    """Set run variables."""

    _exit(
        c.show(
            "pipeline.set",
            lambda: {"id": run, "values": c.pairs(values)},
            "pipeline_set",
            lambda r: f"run `{r['run']}`: set {', '.join(r['set'])}",
            as_json,
            say_it=True,
        )
    )
