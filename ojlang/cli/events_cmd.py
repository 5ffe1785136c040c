"""`oj events tail [PATTERN…]` and `oj emit NAME` (RUNTIME.md §5.3, §10): argv in; the event
log's newest events (then live ones with `-f`), or one custom event emitted, out.

`tail` prints one line per event (`time name subject key=value…`) or one `oj.event/1` object
per line with `--json`. `emit` sends `cmd:emit`: the subject defaults to `$OJ_NAME`; `--data
K=V` pairs and a `--json OBJ` object make the payload; a reserved scope answers exit 2.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Annotated, Any

import typer

from ojlang.cli import common as c

events_app = typer.Typer(
    name="events",
    help="Read the event log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def event_line(event: dict[str, Any]) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(int(event.get("time_us") or 0) / 1e6))
    payload = event.get("payload") or {}
    extra = " ".join(
        f"{k}={v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
        for k, v in payload.items()
        if k not in ("runbook", "pipeline") and v not in (None, "", [], {})
    )
    subject = event.get("subject") or "-"
    return f"{stamp} {event.get('name')} {subject} {extra}".rstrip()


@events_app.command("tail")
def tail_cmd(
    patterns: Annotated[list[str] | None, typer.Argument(help="event patterns (`queue:*`)")] = None,
    follow: Annotated[
        bool, typer.Option("-f", "--follow", help="keep printing new events")
    ] = False,
    lines: Annotated[int, typer.Option("-n", help="how many past events")] = 50,
    since: Annotated[str | None, typer.Option("--since", help="only events of the last D")] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="only this subject")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one `oj.event/1` per line")] = False,
) -> None:
    """Print the newest events of the log (`-f`: and new ones as they happen)."""

    def body() -> int:
        params: dict[str, Any] = {
            "patterns": patterns or [],
            "n": lines,
            "since_s": c.seconds(since, "--since"),
            "subject": subject,
        }
        as_lines = c.json_wanted(as_json)
        if not follow:
            result = c.request("events.tail", params)
            if as_lines:
                c.emit_json("events", result)
            else:
                for event in result["events"]:
                    sys.stdout.write(event_line(event) + "\n")
            return 0
        from ojlang.client import stream

        try:
            for event in stream("events.tail", {**params, "follow": True}):
                if as_lines:
                    c.emit_json("event", {"event": event})
                else:
                    sys.stdout.write(event_line(event) + "\n")
                sys.stdout.flush()
        except KeyboardInterrupt:
            return 0
        return 0

    raise typer.Exit(c.guarded(body))


def emit_main(
    name: str, subject: str | None, data: list[str], obj: str | None, as_json: bool
) -> int:
    def params() -> dict[str, Any]:
        payload = {**c.json_object(obj), **c.pairs(data, "K=V after `--data`")}
        return {
            "name": name,
            "subject": subject if subject is not None else os.environ.get("OJ_NAME", ""),
            "payload": payload,
        }

    def render(result: dict[str, Any]) -> str:
        about = f" about `{result['subject']}`" if result["subject"] else ""
        return f"emitted `{result['event']}`{about}"

    return c.show("emit", params, "emit", render, as_json, say_it=True)
