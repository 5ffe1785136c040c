"""`oj status [--all] [--json] [--watch [--interval 1s]]` (RUNTIME.md §10): the daemon's
`status` answer in, one screen of text (or `oj.status/1` JSON) out.

Dispatched before typer is imported (it is the most typed command). The screen: the daemon
(pid, uptime, store size, last snapshot), runs with phase, state and what they wait on, open
escalations, workers, queues, crons, held locks, semaphores, sessions, orphans and warnings;
empty sections are left out. `--watch` redraws with rich (imported only then) whenever the
daemon sends a fresh status: after events, at most 4 times per second.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from ojlang.cli import common as c

USAGE = "usage: oj status [--all] [--json] [--watch [--interval 1s]]"


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KiB"


def render(s: dict[str, Any], now_us: int | None = None) -> str:
    now = now_us if now_us is not None else time.time_ns() // 1000
    d = s["daemon"]
    store = d.get("store") or {}
    snap = store.get("last_snapshot")
    parts = [
        f"daemon  pid {d['pid']}",
        f"up {c.span(d.get('uptime_s') or 0)}",
        f"store {_mib(int(store.get('bytes') or 0))}",
        f"snapshot {c.ago(snap['ts_us'], now) if snap else 'none yet'}",
        f"seq {d.get('last_seq', 0)}",
    ]
    out = [" · ".join(parts) + "\n"]
    runs = s.get("runs") or []
    if runs:
        rows = [
            [
                r["id"],
                r["pipeline"],
                r["phase"],
                r["state"],
                c.waiting_text(r.get("waiting"))
                or (f"task {r['task']['state']}" if r.get("task") else ""),
                c.span((now - (r.get("phase_since_us") or r["created_us"])) / 1_000_000),
            ]
            for r in runs
        ]
        out.append(f"\nruns ({len(runs)})\n")
        out.append(c.table(["ID", "PIPELINE", "PHASE", "STATE", "WAITING ON", "FOR"], rows, "  "))
    else:
        out.append("\nno active runs\n")
    escalations = s.get("escalations") or []
    if escalations:
        out.append(f"\nescalations ({len(escalations)})\n")
        rows = [[e["id"], e["kind"], e["name"] or e["subject"], e["reason"]] for e in escalations]
        out.append(c.table(["ID", "KIND", "SUBJECT", "REASON"], rows, "  "))
    workers = s.get("workers") or []
    if workers:
        out.append("\nworkers\n")
        rows = [
            [w["name"], w["state"], f"{w['active']}/{w['concurrency']}", w["queue"], w["depth"]]
            for w in workers
        ]
        out.append(c.table(["NAME", "STATE", "RUNS", "QUEUE", "DEPTH"], rows, "  "))
    queues = s.get("queues") or []
    if queues:
        out.append("\nqueues\n")
        rows = [
            [q["name"], q["counts"]["ready"], q["counts"]["claimed"], q["counts"]["dead"]]
            for q in queues
        ]
        out.append(c.table(["NAME", "READY", "CLAIMED", "DEAD"], rows, "  "))
    crons = s.get("crons") or []
    if crons:
        out.append("\ncrons\n")
        rows = [[k["name"], k["state"], c.ago(k.get("next_us"), now)] for k in crons]
        out.append(c.table(["NAME", "STATE", "NEXT"], rows, "  "))
    locks = s.get("locks") or []
    if locks:
        out.append("\nlocks\n")
        rows = [
            [
                lk["name"],
                lk["holder"],
                lk["token"],
                len(lk["waiters"]),
                "yes" if lk["stale"] else "",
            ]
            for lk in locks
        ]
        out.append(c.table(["NAME", "HOLDER", "TOKEN", "WAITING", "STALE"], rows, "  "))
    sems = [m for m in s.get("semaphores") or [] if m["used"] or m["waiters"]]
    if sems:
        out.append("\nsemaphores\n")
        rows = [
            [m["name"], f"{m['used']}/{m['max']}", ", ".join(h["holder"] for h in m["holders"])]
            for m in sems
        ]
        out.append(c.table(["NAME", "USED", "HOLDERS"], rows, "  "))
    sessions = (s.get("sessions") or {}).get("counts") or {}
    if sessions:
        summary = ", ".join(f"{n} {state}" for state, n in sorted(sessions.items()))
        out.append(f"\nsessions: {summary}\n")
    orphans = s.get("orphans") or {}
    for kind in ("sessions", "worktrees"):
        found = orphans.get(kind) or []
        if found:
            out.append(f"\norphan {kind} (left alone): {', '.join(found)}\n")
    for warning in s.get("warnings") or []:
        out.append(f"\nwarning: {warning}\n")
    return "".join(out)


def _parse(argv: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {"all": False, "json": False, "watch": False, "interval": 1.0}
    words = list(argv)
    while words:
        word = words.pop(0)
        key, eq, value = word.partition("=")
        if word in ("--all", "-a"):
            opts["all"] = True
        elif word == "--json":
            opts["json"] = True
        elif word in ("--watch", "-w"):
            opts["watch"] = True
        elif word == "--no-color":
            c.FLAGS["no_color"] = True
        elif key == "--interval":
            text = value if eq else (words.pop(0) if words else "")
            opts["interval"] = c.seconds(text, "--interval") or 1.0
        else:
            raise c.Usage(f"unexpected argument `{word}`", USAGE)
    return opts


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        sys.stdout.write(f"{USAGE}\n\nOne screen: daemon, runs and what they wait on, queues, ")
        sys.stdout.write("workers, crons, locks, semaphores, sessions, orphans.\n")
        return 0

    def body() -> int:
        opts = _parse(argv)
        if opts["watch"]:
            return watch(opts)
        return c.show("status", {"all": opts["all"]}, "status", render, opts["json"])

    return c.guarded(body)


def watch(opts: dict[str, Any]) -> int:
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    from ojlang.client import stream

    params = {"all": opts["all"], "interval": opts["interval"]}
    if c.json_wanted(opts["json"]):
        try:
            for frame in stream("status.watch", params):
                c.emit_json("status", frame.get("payload") or {})
                sys.stdout.flush()
        except KeyboardInterrupt:
            return 0
        return 0
    console = Console(no_color=not c.color())
    try:
        with Live(Text("connecting…"), console=console, auto_refresh=False) as live:
            for frame in stream("status.watch", params):
                live.update(Text.from_ansi(render(frame.get("payload") or {})), refresh=True)
    except KeyboardInterrupt:
        return 0
    return 0
