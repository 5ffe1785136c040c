"""Shared plumbing of the daemon commands (RUNTIME.md §10): global flags, one request to the
daemon, errors as `error:`/`help:` lines with the exit code of §7.2, `--json` objects with their
`schema`, and plain-text tables and times for humans.

No typer here: `oj status` uses it from the fast path. A command body is a function returning
its exit code; `guarded(body)` turns a `RemoteError` (or a usage `ValueError`) into the error
lines and the code, so no traceback reaches the user.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from ojlang.runtime.daemon.protocol import RemoteError

FLAGS: dict[str, bool] = {"json": False, "quiet": False, "verbose": False, "no_color": False}


class Usage(ValueError):
    """A bad argument (exit 2), with an optional help line."""

    def __init__(self, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.help = help


def json_wanted(flag: bool = False) -> bool:
    return flag or FLAGS["json"]


def color(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    if FLAGS["no_color"] or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def error(message: str, help: str | None = None) -> None:
    sys.stderr.write(f"error: {message}\n")
    if help:
        sys.stderr.write(f"  help: {help}\n")


def guarded(body: Callable[[], int | None]) -> int:
    """Run a command body; `RemoteError`/`Usage` become error lines and an exit code."""
    try:
        return body() or 0
    except RemoteError as err:
        error(err.message, err.help)
        return err.exit_code
    except Usage as err:
        error(err.message, err.help)
        return 2


def request(method: str, params: dict[str, Any] | None = None, *, timeout: float = 35.0) -> Any:
    from ojlang.client import call

    return call(method, params or {}, timeout=timeout)


def request_streamed(method: str, params: dict[str, Any] | None = None) -> Any:
    """A request sent as a stream, for answers that may take longer than the 30 s request
    deadline (RUNTIME.md §7.2): its events are skipped, its `end` result returned. Leaving
    early (Ctrl-C) closes the connection, which cancels the request in the daemon."""
    from ojlang.client import stream

    events = stream(method, params or {})
    while True:
        try:
            next(events)
        except StopIteration as stop:
            return stop.value


def emit_json(kind: str, body: dict[str, Any], out: TextIO | None = None) -> None:
    """One JSON object with `"schema": "oj.<kind>/1"` on a line of stdout."""
    doc = {"schema": f"oj.{kind}/1", **body}
    (out or sys.stdout).write(json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str))
    (out or sys.stdout).write("\n")


def show(
    method: str,
    params: dict[str, Any] | Callable[[], dict[str, Any]] | None,
    kind: str,
    render: Callable[[dict[str, Any]], str] | str,
    as_json: bool,
    *,
    say_it: bool = False,
    streamed: bool = False,
) -> int:
    """The usual daemon command: ask the daemon, print `--json` (`oj.<kind>/1`) or the text
    `render` makes of the answer; the exit code.

    `render` is a function of the answer (its text is printed as it is), or a one-line
    message template filled with the answer's fields (`"killed `{session}`"`), said like
    `say_it=True` says a function's text: `-q` silences it, a newline is added. `params` may
    be a function, called inside the guard so that a bad argument it parses is exit 2.
    `streamed` sends a stream request (`request_streamed`) for answers that may take longer
    than the request deadline.
    """

    def body() -> int:
        given = params() if callable(params) else params
        result = request_streamed(method, given) if streamed else request(method, given)
        if json_wanted(as_json):
            emit_json(kind, result)
        elif isinstance(render, str):
            say(render.format(**result))
        elif say_it:
            say(render(result))
        else:
            sys.stdout.write(render(result))
        return 0

    return guarded(body)


def say(text: str) -> None:
    if not FLAGS["quiet"]:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def warn(message: str, help: str | None = None) -> None:
    sys.stderr.write(f"warning: {message}\n")
    if help:
        sys.stderr.write(f"  help: {help}\n")


# -- parsing ----------------------------------------------------------------------------------


def pairs(words: Iterable[str], what: str = "KEY=VALUE") -> dict[str, str]:
    out: dict[str, str] = {}
    for word in words:
        key, eq, value = word.partition("=")
        if not eq or not key:
            raise Usage(f"expected {what}, got `{word}`")
        out[key] = value
    return out


def json_object(text: str | None, flag: str = "--json") -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise Usage(f"`{flag}` is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise Usage(f"`{flag}` must be a JSON object")
    return value


def seconds(text: str | None, flag: str) -> float | None:
    """A §L4.3 duration (`30s`, `5m`, `1h30m`) in seconds; None when not given."""
    if text is None or text == "":
        return None
    from ojlang.parser.durations import parse_duration
    from ojlang.parser.mini import MiniSyntaxError

    try:
        return parse_duration(text, allow_zero=True).ms / 1000
    except MiniSyntaxError as err:
        raise Usage(
            f"`{flag}`: {err.message}", "durations look like `30s`, `5m`, `1h30m`"
        ) from None


# -- rendering --------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "") -> str:
    """A plain text table; the header is bold on a colour terminal."""
    cells = [[("-" if c is None or c == "" else str(c)) for c in row] for row in rows]
    if any(len(row) != len(headers) for row in cells):
        raise ValueError("every row needs one cell per header")
    columns = zip(*cells, strict=True) if cells else ([] for _ in headers)
    widths = [max([len(h), *map(len, col)]) for h, col in zip(headers, columns, strict=True)]
    line = indent + "  ".join(f"{{:<{w}}}" for w in widths)  # one format: 1,000 rows stay quick
    head = line.format(*headers).rstrip()
    if color():
        head = f"{indent}\033[1m{head[len(indent) :]}\033[0m"
    return "\n".join([head, *(line.format(*row).rstrip() for row in cells)]) + "\n"


def span(seconds_: float) -> str:
    """`45s`, `12m`, `3h05m`, `2d4h`."""
    s = int(max(seconds_, 0))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s" if s < 600 else f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600}h"


def ago(us: int | None, now_us: int | None = None) -> str:
    if not us:
        return "-"
    now = now_us if now_us is not None else time.time_ns() // 1000
    delta = (now - us) / 1_000_000
    return f"in {span(-delta)}" if delta < 0 else f"{span(delta)} ago"


def clock(us: int | None) -> str:
    if not us:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(us / 1_000_000))


def waiting_text(waiting: dict[str, Any] | None) -> str:
    """`guard plan_written`, `lock main_branch (held by build-x)`, `semaphore agents 2/2`."""
    if not waiting:
        return ""
    on, name = waiting.get("on", ""), waiting.get("name", "")
    if on == "lock":
        holder = waiting.get("holder")
        return f"lock {name}" + (f" (held by {holder})" if holder else "")
    if on == "semaphore":
        return f"semaphore {name} {waiting.get('used', 0)}/{waiting.get('max', 0)}"
    if on == "escalation":
        return f"escalation {name}" if name else "escalation"
    return f"{on} {name}".strip()
