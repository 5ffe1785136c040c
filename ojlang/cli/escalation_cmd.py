"""`oj escalation list` (RUNTIME.md §3.14, §10), minimal until the daemon issue: the store read
directly and read-only in, the open escalations (all with `--all`) as a table or JSON out.

The store is `.oj/state.db` of the project found from the working directory. Reading never
blocks an engine that writes (WAL). Exit 0, 1 when the store cannot be read, 71 when it is
refused (corrupt or newer than this oj).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

escalation_app = typer.Typer(
    name="escalation",
    help="List the decisions waiting for a human (escalations).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def read_escalations(root: Path, everything: bool) -> list[dict[str, Any]]:
    from ojlang.runtime.daemon.methods import escalations
    from ojlang.runtime.store.sqlite import open_store

    db = root / ".oj" / "state.db"
    if not db.exists():
        return []
    store = open_store(db, readonly=True, create=False)
    try:
        world, _ = store.load(verify_replay=False)
    finally:
        store.close()
    return escalations(world, everything)


def render(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no open escalations\n"
    lines = [f"{'ID':<10} {'KIND':<18} {'SUBJECT':<28} {'STATE':<9} REASON"]
    for r in rows:
        state = r["state"] if r["state"] == "open" else f"{r['option']}"
        lines.append(
            f"{r['id']:<10} {r['kind']:<18} {r['subject'][:28]:<28} {state:<9} {r['reason']}"
        )
        options = " · ".join(f"{n} {o}" for n, o in enumerate(r["options"], start=1))
        lines.append(f"{'':<10} options: {options}")
    return "\n".join(lines) + "\n"


@escalation_app.command("list")
def list_cmd(
    all_: Annotated[bool, typer.Option("--all", help="resolved ones too")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="machine output on stdout")] = False,
) -> None:
    """List open escalations (with `--all`, resolved ones too)."""
    from ojlang.project import find_root
    from ojlang.runtime.store.errors import StoreError

    try:
        rows = read_escalations(find_root(Path.cwd()), all_)
    except StoreError as err:
        sys.stderr.write(f"error: {err.message}\n")
        if err.help:
            sys.stderr.write(f"  help: {err.help}\n")
        raise typer.Exit(err.exit_code) from None
    if as_json:
        sys.stdout.write(json.dumps({"schema": "oj.escalations/1", "escalations": rows}) + "\n")
    else:
        sys.stdout.write(render(rows))
