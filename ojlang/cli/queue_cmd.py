"""`oj queue list|show|add|claim|extend|complete|fail|release|retry|drop|dead|drain` (RUNTIME.md
§3.4, §10): argv in, `queue.*` requests, queues and items as tables or `oj.*/1` JSON out.

`add Q K=V… [--priority N] [--data OBJ] [--allow-duplicate]` (alias `push`) prints the item id
(an existing id when deduplicated) and warns when every worker of Q is disabled; the JSON data
option is `--data` here because `--json` is the output flag. `claim` (alias `take`) prints the
claim id, or nothing and exit 1 when no item is claimable. Stale claims exit 1.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from ojlang.cli import common as c

queue_app = typer.Typer(
    name="queue",
    help="Inspect and operate queues and their items.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
JsonOpt = Annotated[bool, typer.Option("--json", help="machine output (`oj.<kind>/1`)")]


def _run(body: Any) -> None:
    _exit(c.guarded(body))


def _exit(code: int) -> None:
    raise typer.Exit(code)


def queues_table(queues: list[dict[str, Any]]) -> str:
    if not queues:
        return "no queues\n"
    rows = [
        [
            q["name"],
            q["counts"]["ready"],
            q["counts"]["claimed"],
            q["counts"]["parked"],
            q["counts"]["dead"],
            q["counts"]["done"],
            ", ".join(q["workers"]),
        ]
        for q in queues
    ]
    return c.table(["NAME", "READY", "CLAIMED", "PARKED", "DEAD", "DONE", "WORKERS"], rows)


def items_table(items: list[dict[str, Any]]) -> str:
    if not items:
        return "no items\n"
    rows = [
        [
            i["id"],
            i["state"],
            i["priority"],
            i["attempts"],
            i["claim"] or i["last_error"] or "",
            json.dumps(i["data"], ensure_ascii=False)[:60],
        ]
        for i in items
    ]
    return c.table(["ID", "STATE", "PRIO", "TRIES", "CLAIM / ERROR", "DATA"], rows)


@queue_app.command("list")
def list_cmd(as_json: JsonOpt = False) -> None:
    """List queues with item counts per state."""

    _exit(c.show("queue.list", None, "queues", lambda r: queues_table(r["queues"]), as_json))


@queue_app.command("show")
def show_cmd(
    queue: Annotated[str, typer.Argument(help="queue name")],
    state: Annotated[str | None, typer.Option("--state", help="only items in this state")] = None,
    all_: Annotated[bool, typer.Option("--all", help="done and dropped items too")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show a queue and its live and dead items."""

    def body() -> int:
        result = c.request("queue.show", {"queue": queue, "state": state, "all": all_})
        if c.json_wanted(as_json):
            c.emit_json("queue", result)
        else:
            counts = ", ".join(f"{n} {s}" for s, n in result["counts"].items() if n)
            c.say(f"queue `{result['name']}`: {counts or 'empty'}")
            if result["workers"]:
                c.say(f"workers: {', '.join(result['workers'])}")
            sys.stdout.write(items_table(result["items"]))
        return 0

    _run(body)


def _add(
    queue: str,
    values: list[str] | None,
    priority: int | None,
    data: str | None,
    dup: bool,
    as_json: bool,
) -> None:
    def body() -> int:
        payload = {**c.json_object(data, "--data"), **c.pairs(values or [])}
        params = {"queue": queue, "data": payload, "priority": priority, "allow_duplicate": dup}
        result = c.request("queue.add", params)
        warning = result.get("warning")
        if warning:
            c.warn(warning["message"], warning.get("help"))
        if c.json_wanted(as_json):
            c.emit_json("queue_add", result)
        elif result.get("deduped"):
            c.say(f"{result['item']} (already queued)")
        else:
            c.say(str(result["item"]))
        return 0

    _run(body)


AddQueue = Annotated[str, typer.Argument(help="queue name")]
AddValues = Annotated[list[str] | None, typer.Argument(help="item fields as KEY=VALUE")]
AddPriority = Annotated[int | None, typer.Option("--priority", help="higher runs first")]
AddData = Annotated[str | None, typer.Option("--data", help="item fields as a JSON object")]
AddDup = Annotated[bool, typer.Option("--allow-duplicate", help="skip deduplication")]


@queue_app.command("add")
def add_cmd(
    queue: AddQueue,
    values: AddValues = None,
    priority: AddPriority = None,
    data: AddData = None,
    allow_duplicate: AddDup = False,
    as_json: JsonOpt = False,
) -> None:
    """Push an item (deduplicated by its id/name, else by its data)."""
    _add(queue, values, priority, data, allow_duplicate, as_json)


@queue_app.command("push", hidden=True)
def push_cmd(
    queue: AddQueue,
    values: AddValues = None,
    priority: AddPriority = None,
    data: AddData = None,
    allow_duplicate: AddDup = False,
    as_json: JsonOpt = False,
) -> None:
    """Alias of `oj queue add`."""
    _add(queue, values, priority, data, allow_duplicate, as_json)


def _claim(queue: str, visibility: str | None, holder: str | None, as_json: bool) -> None:
    def body() -> int:
        params = {
            "queue": queue,
            "visibility_s": c.seconds(visibility, "--visibility"),
            "holder": holder,
        }
        result = c.request("queue.claim", params)
        if c.json_wanted(as_json):
            c.emit_json("queue_claim", {"claim": result})
            return 0 if result else 1
        if not result:
            c.error(f"nothing to claim in `{queue}`")
            return 1
        c.say(str(result["claim"]))
        return 0

    _run(body)


ClaimQueue = Annotated[str, typer.Argument(help="queue name")]
ClaimVis = Annotated[str | None, typer.Option("--visibility", help="visibility timeout (D)")]
ClaimHolder = Annotated[str | None, typer.Option("--holder", help="who holds the claim")]


@queue_app.command("claim")
def claim_cmd(
    queue: ClaimQueue,
    visibility: ClaimVis = None,
    holder: ClaimHolder = None,
    as_json: JsonOpt = False,
) -> None:
    """Claim the next item; prints the claim id (`ITEM~N`)."""
    _claim(queue, visibility, holder, as_json)


@queue_app.command("take", hidden=True)
def take_cmd(
    queue: ClaimQueue,
    visibility: ClaimVis = None,
    holder: ClaimHolder = None,
    as_json: JsonOpt = False,
) -> None:
    """Alias of `oj queue claim`."""
    _claim(queue, visibility, holder, as_json)


def _settle(
    verb: str, claim: str, as_json: bool, visibility: str | None = None, **extra: Any
) -> None:
    def params() -> dict[str, Any]:
        seconds = c.seconds(visibility, "--visibility")
        return {"claim": claim, "visibility_s": seconds, **extra}

    _exit(c.show(f"queue.{verb}", params, f"queue_{verb}", f"{verb}: {{claim}}", as_json))


ClaimArg = Annotated[str, typer.Argument(help="claim id (`ITEM~N`) or a unique prefix")]


@queue_app.command("extend")
def extend_cmd(
    claim: ClaimArg,
    visibility: ClaimVis = None,
    as_json: JsonOpt = False,
) -> None:
    """Extend a claim's visibility timeout."""
    _settle("extend", claim, as_json, visibility)


@queue_app.command("complete")
def complete_cmd(claim: ClaimArg, as_json: JsonOpt = False) -> None:
    """Complete a claimed item."""
    _settle("complete", claim, as_json)


@queue_app.command("fail")
def fail_cmd(
    claim: ClaimArg,
    reason: Annotated[str | None, typer.Option("--reason", help="why it failed")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fail a claimed item (retried until `max_retries`, then `on_exhaust`)."""
    _settle("fail", claim, as_json, reason=reason)


@queue_app.command("release")
def release_cmd(claim: ClaimArg, as_json: JsonOpt = False) -> None:
    """Give a claimed item back without counting the attempt."""
    _settle("release", claim, as_json)


def _item(verb: str, item: str, as_json: bool) -> None:
    _exit(c.show(f"queue.{verb}", {"item": item}, f"queue_{verb}", f"{verb}: {{item}}", as_json))


ItemArg = Annotated[str, typer.Argument(help="item id or a unique prefix")]


@queue_app.command("retry")
def retry_cmd(item: ItemArg, as_json: JsonOpt = False) -> None:
    """Make a dead, parked or done item ready again (attempts reset)."""
    _item("retry", item, as_json)


@queue_app.command("drop")
def drop_cmd(item: ItemArg, as_json: JsonOpt = False) -> None:
    """Drop an item that is not claimed."""
    _item("drop", item, as_json)


@queue_app.command("dead")
def dead_cmd(
    queue: Annotated[str, typer.Argument(help="queue name")], as_json: JsonOpt = False
) -> None:
    """List the dead letters of a queue."""

    params = {"queue": queue}
    _exit(c.show("queue.dead", params, "queue_dead", lambda r: items_table(r["items"]), as_json))


@queue_app.command("drain")
def drain_cmd(
    queue: Annotated[str, typer.Argument(help="queue name")], as_json: JsonOpt = False
) -> None:
    """Drop every ready item of a queue."""

    _exit(
        c.show(
            "queue.drain",
            {"queue": queue},
            "queue_drain",
            lambda r: f"dropped {len(r['dropped'])} item(s) of `{r['queue']}`",
            as_json,
            say_it=True,
        )
    )
