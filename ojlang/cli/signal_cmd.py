"""`oj done`, `oj checkpoint`, `oj confirm`, `oj hook …` (RUNTIME.md §9.3–9.4): the agent side.

argv, the `OJ_*` environment and (for hooks) a JSON payload on stdin in; one request on the
engine socket out; an exit code. Dispatched before typer is imported and importing only the
standard library and the protocol module, so a hook costs one short process (§13).

The task run comes from `OJ_TASK_ID` + `OJ_GEN` (with `OJ_RUN`), else `OTTER_PIPELINE`, else a
working directory under `.oj/worktrees/<run>`; otherwise exit 2. The socket is `OJ_SOCKET`, or
found from `OJ_STATE_DIR` or the nearest `.oj/`. When the engine is unreachable, `done`,
`checkpoint` and hooks are spooled to `.oj/run/spool/` for the next start; hooks always exit 0.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from ojlang.runtime.daemon.protocol import Client, RemoteError, socket_path

NOT_IN_TASK = "not inside an oj task: set OJ_RUN or run this from a task's workspace"
HOOK_TIMEOUT_S = 2.0
SIGNAL_TIMEOUT_S = 10.0
HELPER_TIMEOUT_S = 120.0
MAX_STDIN = 1024 * 1024


def _err(message: str, help: str | None = None, code: int = 1) -> int:
    sys.stderr.write(f"error: {message}\n")
    if help:
        sys.stderr.write(f"  help: {help}\n")
    return code


def state_dir() -> Path | None:
    given = os.environ.get("OJ_STATE_DIR")
    if given:
        return Path(given)
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if candidate.name == ".oj" and candidate.is_dir():
            return candidate
        if (candidate / ".oj").is_dir():
            return candidate / ".oj"
    return None


def identity() -> dict[str, Any] | None:
    """Who is signalling: `task_run`/`generation`/`run`, or None outside a task."""
    env = os.environ
    if env.get("OJ_RUN") or env.get("OJ_TASK_ID"):
        out: dict[str, Any] = {"run": env.get("OJ_RUN", "")}
        if env.get("OJ_TASK_ID"):
            out["task_run"] = env["OJ_TASK_ID"]
        gen = env.get("OJ_GEN", "")
        out["generation"] = int(gen) if gen.isdigit() else 0
        return out
    if env.get("OTTER_PIPELINE"):
        return {"run": env["OTTER_PIPELINE"]}
    parts = Path.cwd().resolve().parts
    for at in range(len(parts) - 2):
        if parts[at] == ".oj" and parts[at + 1] == "worktrees":
            return {"run": parts[at + 2]}
    return None


def _socket() -> Path | None:
    given = os.environ.get("OJ_SOCKET")
    if given:
        return Path(given)
    found = state_dir()
    return socket_path(found) if found is not None else None


def _spool(method: str, params: dict[str, Any]) -> bool:
    import secrets  # here, not at the top: only a spooled signal needs a random name

    found = state_dir()
    if found is None:
        return False
    directory = found / "run" / "spool"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{os.getpid()}-{secrets.token_hex(3)}.json"
        tmp = directory / f".{name}.tmp"
        tmp.write_text(json.dumps({"method": method, "params": params}))
        tmp.replace(directory / name)
    except OSError:
        return False
    return True


def _call(method: str, params: dict[str, Any], timeout: float) -> Any:
    path = _socket()
    if path is None:
        raise RemoteError("unavailable", "no oj project here: `.oj/` not found")
    with Client(path, timeout=timeout) as client:
        return client.request(method, params, timeout=timeout)


# -- oj done / oj checkpoint ------------------------------------------------------------------


def done_main(argv: list[str]) -> int:
    params = identity()
    if params is None:
        return _err(NOT_IN_TASK, code=2)
    outputs: dict[str, str] = {}
    words = list(argv)
    while words:
        word = words.pop(0)
        if word in ("-h", "--help"):
            sys.stdout.write("usage: oj done [--set K=V]... [--error MSG] [--restart [MSG]]\n")
            return 0
        if word == "--set" or word.startswith("--set="):
            pair = word[6:] if word.startswith("--set=") else (words.pop(0) if words else "")
            key, eq, value = pair.partition("=")
            if not eq or not key:
                return _err(f"`--set` needs KEY=VALUE, got `{pair}`", code=2)
            outputs[key] = value
        elif word == "--error" or word.startswith("--error="):
            message = word[8:] if word.startswith("--error=") else (words.pop(0) if words else "")
            params["error"] = message or "failed"
        elif word == "--restart":
            params["restart"] = True
            if words and not words[0].startswith("--"):
                params["message"] = words.pop(0)
        else:
            return _err(
                f"unexpected argument `{word}`",
                "usage: oj done [--set K=V]... [--error MSG] [--restart [MSG]]",
                code=2,
            )
    if outputs:
        params["outputs"] = outputs
    return _signal("done", params)


def checkpoint_main(argv: list[str]) -> int:
    params = identity()
    if params is None:
        return _err(NOT_IN_TASK, code=2)
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write("usage: oj checkpoint MSG\n")
        return 0 if argv else 2
    params["message"] = " ".join(argv)
    return _signal("checkpoint", params)


def _signal(method: str, params: dict[str, Any]) -> int:
    try:
        result = _call(method, params, SIGNAL_TIMEOUT_S)
    except RemoteError as err:
        if err.code == "unavailable" and params.get("task_run") and _spool(method, params):
            sys.stderr.write("warning: the oj engine is unreachable; the signal is spooled\n")
            return 0
        return _err(err.message, err.help, err.exit_code)
    if isinstance(result, dict) and result.get("already"):
        sys.stdout.write("already done\n")
    return 0


# -- oj hook ----------------------------------------------------------------------------------


def _stdin_json() -> dict[str, Any]:
    if sys.stdin is None or sys.stdin.isatty():
        return {}
    try:
        text = sys.stdin.read(MAX_STDIN)
        value = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def hook_main(argv: list[str]) -> int:
    kind = argv[0] if argv else ""
    if kind not in ("prime", "activity", "notify", "stop"):
        sys.stderr.write("usage: oj hook prime|activity|notify|stop\n")
        return 0
    data = _stdin_json()
    params = identity()
    if params is None:
        return 0
    params.update(kind=kind, data=data)
    try:
        result = _call("hook", params, HOOK_TIMEOUT_S)
    except RemoteError as err:
        if err.code == "unavailable" and params.get("task_run"):
            _spool("hook", params)
        return 0
    if not isinstance(result, dict):
        return 0
    if kind == "stop" and result.get("decision") == "block":
        sys.stdout.write(json.dumps({"decision": "block", "reason": result.get("reason", "")}))
        sys.stdout.write("\n")
    elif kind == "prime":
        _prime(result)
    return 0


def _prime(result: dict[str, Any]) -> None:
    import subprocess  # here, not at the top: only `prime` runs helper scripts

    cwd = result.get("cwd") or None
    for script in result.get("scripts") or []:
        argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", str(script)]
        try:
            done = subprocess.run(
                argv, cwd=cwd, capture_output=True, text=True, timeout=HELPER_TIMEOUT_S
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.stdout:
            sys.stdout.write(done.stdout if done.stdout.endswith("\n") else done.stdout + "\n")
    for key in ("summary", "checkpoint", "restart_message"):
        text = result.get(key)
        if text:
            label = {"checkpoint": "last checkpoint: ", "restart_message": "restarted: "}
            sys.stdout.write(f"{label.get(key, '')}{text}\n")


# -- oj confirm -------------------------------------------------------------------------------


def confirm_main(argv: list[str]) -> int:
    words = list(argv)
    timeout: float | None = None
    message: list[str] = []
    while words:
        word = words.pop(0)
        if word == "--timeout" and words:
            timeout = _seconds(words.pop(0))
        elif word.startswith("--timeout="):
            timeout = _seconds(word.partition("=")[2])
        else:
            message.append(word)
    if timeout is not None and timeout < 0:
        return _err("`--timeout` needs a duration such as `5m`", code=2)
    if os.environ.get("OJ_SAFE") != "1":
        return 0
    params = identity()
    if params is None:
        return _err(NOT_IN_TASK, code=2)
    params.update(message=" ".join(message), timeout=timeout)
    path = _socket()
    if path is None:
        return _err("no oj project here: `.oj/` not found", code=4)
    try:
        with Client(path, timeout=SIGNAL_TIMEOUT_S) as client:
            stream = client.stream("confirm", params, timeout=(timeout or 1e9) + 5)
            while True:
                try:
                    next(stream)
                except StopIteration as end:
                    result = end.value or {}
                    break
    except RemoteError as err:
        return _err(err.message, err.help, err.exit_code)
    return 0 if result.get("answer") == "approve" else 1


def _seconds(text: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    for unit in ("ms", "s", "m", "h"):
        if text.endswith(unit) and text[: -len(unit)].isdigit():
            return int(text[: -len(unit)]) * units[unit]
    return -1.0


MAINS = {
    "done": done_main,
    "checkpoint": checkpoint_main,
    "hook": hook_main,
    "confirm": confirm_main,
}


def main(argv: list[str]) -> int:
    """`argv[0]` is the command name (`done`, `checkpoint`, `hook`, `confirm`)."""
    return MAINS[argv[0]](argv[1:])
