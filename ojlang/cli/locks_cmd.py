"""`oj lock list|show|acquire|release|heartbeat` and `oj semaphore list|show|acquire|release`
(RUNTIME.md §3.5–3.6, §10): argv in, `lock.*`/`semaphore.*` requests, holders as tables or
`oj.*/1` JSON out.

CLI holders are `cli:H` (default `cli:$USER`). `acquire` without `--wait` refuses a lock held
by someone else (exit 1); with `--wait D` it queues and waits, and leaves the queue when D
expires (exit 124) or on Ctrl-C. The wait is a stream request, so D may exceed the 30 s
deadline of a request (§7.2). `release --force` takes a lock from whoever holds it
(`lock:lost`).
"""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer

from ojlang.cli import common as c

JsonOpt = Annotated[bool, typer.Option("--json", help="machine output (`oj.<kind>/1`)")]
HolderOpt = Annotated[str | None, typer.Option("--holder", help="holder name (default: $USER)")]
WaitOpt = Annotated[str | None, typer.Option("--wait", help="wait up to D for it")]


def _app(name: str, help: str) -> typer.Typer:
    return typer.Typer(
        name=name,
        help=help,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


lock_app = _app("lock", "Inspect and hold locks (§3.5).")
semaphore_app = _app("semaphore", "Inspect and hold semaphore slots (§3.6).")


def _holder(given: str | None) -> str:
    if given:
        return given
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:user"


def _send(
    method: str, kind: str, params: dict[str, Any], as_json: bool, text: str, wait: bool = False
) -> None:
    raise typer.Exit(c.show(method, params, kind, text, as_json, streamed=wait))


def locks_table(locks: list[dict[str, Any]]) -> str:
    if not locks:
        return "no locks\n"
    rows = [
        [
            lk["name"],
            lk["holder"],
            lk["token"],
            c.ago(lk["acquired_us"]),
            ", ".join(lk["waiters"]),
            "yes" if lk["stale"] else "",
        ]
        for lk in locks
    ]
    return c.table(["NAME", "HOLDER", "TOKEN", "SINCE", "WAITERS", "STALE"], rows)


@lock_app.command("list")
def lock_list(as_json: JsonOpt = False) -> None:
    """List locks, their holders and waiters."""

    raise typer.Exit(c.show("lock.list", None, "locks", lambda r: locks_table(r["locks"]), as_json))


@lock_app.command("show")
def lock_show(
    name: Annotated[str, typer.Argument(help="lock name")], as_json: JsonOpt = False
) -> None:
    """Show one lock."""

    raise typer.Exit(
        c.show("lock.show", {"lock": name}, "lock", lambda r: locks_table([r["lock"]]), as_json)
    )


def _wait_seconds(wait: str | None) -> float:
    return c.seconds(wait, "--wait") or 0.0


@lock_app.command("acquire")
def lock_acquire(
    name: Annotated[str, typer.Argument(help="lock name")],
    holder: HolderOpt = None,
    wait: WaitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take a lock (prints its fencing token)."""
    try:
        seconds = _wait_seconds(wait)
    except c.Usage as err:
        c.error(err.message, err.help)
        raise typer.Exit(2) from None
    params = {"lock": name, "holder": _holder(holder), "wait_s": seconds}
    _send(
        "lock.acquire",
        "lock_acquire",
        params,
        as_json,
        "lock `{lock}` held by `{holder}` (token {token})",
        seconds > 0,
    )


@lock_app.command("release")
def lock_release(
    name: Annotated[str, typer.Argument(help="lock name")],
    holder: HolderOpt = None,
    force: Annotated[bool, typer.Option("--force", help="release whoever holds it")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Release a lock."""
    params = {"lock": name, "holder": _holder(holder), "force": force}
    _send("lock.release", "lock_release", params, as_json, "lock `{lock}` released by `{released}`")


@lock_app.command("heartbeat")
def lock_heartbeat(
    name: Annotated[str, typer.Argument(help="lock name")],
    holder: HolderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tell the lock its holder is alive."""
    params = {"lock": name, "holder": _holder(holder)}
    _send(
        "lock.heartbeat",
        "lock_heartbeat",
        params,
        as_json,
        "lock `{lock}`: heartbeat from `{holder}`",
    )


def semaphores_table(sems: list[dict[str, Any]]) -> str:
    if not sems:
        return "no semaphores\n"
    rows = [
        [
            m["name"],
            f"{m['used']}/{m['max']}",
            ", ".join(f"{h['holder']}×{h['weight']}" for h in m["holders"]),
            ", ".join(w["holder"] for w in m["waiters"]),
        ]
        for m in sems
    ]
    return c.table(["NAME", "USED", "HOLDERS", "WAITERS"], rows)


@semaphore_app.command("list")
def semaphore_list(as_json: JsonOpt = False) -> None:
    """List semaphores and their slots."""

    raise typer.Exit(
        c.show(
            "semaphore.list",
            None,
            "semaphores",
            lambda r: semaphores_table(r["semaphores"]),
            as_json,
        )
    )


@semaphore_app.command("show")
def semaphore_show(
    name: Annotated[str, typer.Argument(help="semaphore name")], as_json: JsonOpt = False
) -> None:
    """Show one semaphore."""

    raise typer.Exit(
        c.show(
            "semaphore.show",
            {"semaphore": name},
            "semaphore",
            lambda r: semaphores_table([r["semaphore"]]),
            as_json,
        )
    )


@semaphore_app.command("acquire")
def semaphore_acquire(
    name: Annotated[str, typer.Argument(help="semaphore name")],
    weight: Annotated[int, typer.Option("--weight", help="slots to take")] = 1,
    holder: HolderOpt = None,
    wait: WaitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take slots of a semaphore."""
    try:
        seconds = _wait_seconds(wait)
    except c.Usage as err:
        c.error(err.message, err.help)
        raise typer.Exit(2) from None
    params = {"semaphore": name, "holder": _holder(holder), "weight": weight, "wait_s": seconds}
    _send(
        "semaphore.acquire",
        "semaphore_acquire",
        params,
        as_json,
        "semaphore `{semaphore}`: {weight} slot(s) held by `{holder}`",
        seconds > 0,
    )


@semaphore_app.command("release")
def semaphore_release(
    name: Annotated[str, typer.Argument(help="semaphore name")],
    holder: HolderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Release slots of a semaphore."""
    params = {"semaphore": name, "holder": _holder(holder)}
    _send(
        "semaphore.release",
        "semaphore_release",
        params,
        as_json,
        "semaphore `{semaphore}` released by `{released}`",
    )
