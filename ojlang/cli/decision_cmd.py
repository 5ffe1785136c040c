"""`oj escalation list|show|resolve|dismiss` (alias `oj decision`; RUNTIME.md §3.14, §10): argv
in, `escalation.*` requests to the daemon, decisions waiting for a human as tables or `oj.*/1`
JSON out.

`resolve ID OPTION [-m MSG]` takes an option by number (1-based, as listed) or key
(`retry`, `skip`, `goto:PHASE`, …); `dismiss ID` closes it without acting on its subject.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ojlang.cli import common as c

JsonOpt = Annotated[bool, typer.Option("--json", help="machine output (`oj.<kind>/1`)")]
IdArg = Annotated[str, typer.Argument(help="escalation id (`esc-3f2a`) or a unique prefix")]


def make_app(name: str) -> typer.Typer:
    app = typer.Typer(
        name=name,
        help="Decisions waiting for a human (escalations).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.command("list")(list_cmd)
    app.command("show")(show_cmd)
    app.command("resolve")(resolve_cmd)
    app.command("dismiss")(dismiss_cmd)
    return app


def render(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no open escalations\n"
    out = []
    for r in rows:
        state = r["state"] if r["state"] == "open" else f"{r['state']}: {r['option']}"
        since = c.ago(r["created_us"])
        out.append(f"{r['id']}  {r['kind']}  {r['name'] or r['subject']}  ({state}, {since})")
        out.append(f"  {r['reason']}")
        options = "  ".join(f"{n}) {o}" for n, o in enumerate(r["options"], start=1))
        out.append(f"  options: {options}")
    return "\n".join(out) + "\n"


def list_cmd(
    all_: Annotated[bool, typer.Option("--all", help="resolved ones too")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List open escalations (`--all`: resolved ones too)."""

    raise typer.Exit(
        c.show(
            "escalation.list",
            {"all": all_},
            "escalations",
            lambda r: render(r["escalations"]),
            as_json,
        )
    )


def show_cmd(escalation: IdArg, as_json: JsonOpt = False) -> None:
    """Show one escalation and its options."""

    def body() -> int:
        result = c.request("escalation.show", {"id": escalation})
        if c.json_wanted(as_json):
            c.emit_json("escalation", result)
        else:
            e = result["escalation"]
            sys.stdout.write(render([e]))
            if e.get("by"):
                c.say(
                    f"  resolved by {e['by']}" + (f": {e['message']}" if e.get("message") else "")
                )
            elif e["state"] == "open":
                c.say(f"  help: `oj escalation resolve {e['id']} 1` picks `{e['options'][0]}`")
        return 0

    raise typer.Exit(c.guarded(body))


def resolve_cmd(
    escalation: IdArg,
    option: Annotated[str, typer.Argument(help="option number or key")],
    message: Annotated[
        str | None, typer.Option("-m", "--message", help="a note for the record")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Resolve an escalation with one of its options."""

    params = {"id": escalation, "option": option, "message": message or "", "by": "operator"}
    raise typer.Exit(
        c.show(
            "escalation.resolve",
            params,
            "escalation_resolve",
            lambda r: f"`{r['escalation']}` resolved: {r.get('option')}",
            as_json,
            say_it=True,
        )
    )


def dismiss_cmd(
    escalation: IdArg,
    message: Annotated[
        str | None, typer.Option("-m", "--message", help="a note for the record")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Close an escalation without acting on its subject."""

    params = {"id": escalation, "message": message or ""}
    raise typer.Exit(
        c.show(
            "escalation.dismiss", params, "escalation_dismiss", "`{escalation}` dismissed", as_json
        )
    )


escalation_app = make_app("escalation")
decision_app = make_app("decision")
