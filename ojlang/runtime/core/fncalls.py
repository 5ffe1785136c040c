"""Calls to `[functions]` from expressions (RUNTIME.md §3.4, §L3.16): a call and its scope in, a
`RunShell(purpose=function)` out; the shell's exit in, the function's value (or error) out.

Theory of operation. A function is a shell body; a call cannot be answered inside the step that
evaluates the expression, so the evaluation *needs input*: the caller starts the shell, records
the call as in flight and raises `NeedsInput`, which makes the expression undecided for now
(a queue filter then skips the item). The exit comes back as an input; `result` turns it into
the value per `returns` (`bool`: exit 0 true, 1 false, else an error; `string`: trimmed stdout;
`int`, `float`, `json`: parsed stdout) and the owner caches it (`CACHE_US`) and evaluates again.
A string-form function takes its arguments as shell positional parameters (`set -- …` before
the body); a table-form function binds them to its `params` as variables of the body.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

import attrs

from ojlang.runtime.core import render
from ojlang.runtime.core.ctx import Tx
from ojlang.runtime.core.effects import RunShell
from ojlang.runtime.core.expr import EvaluationError
from ojlang.runtime.core.graph import Function
from ojlang.runtime.core.templates import RenderError, render_template

CACHE_US = 30 * 1_000_000
HELPER_TIMEOUT_S = 120.0


class NeedsInput(Exception):
    """The value of a call is not known yet: its shell is running."""


@attrs.frozen(slots=False)
class CallResult:
    """A call's cached answer, or (`effect` set) the shell still computing it."""

    value: Any = None
    error: str = ""
    until_us: int = 0
    effect: str = ""


def call_key(name: str, args: list[object]) -> str:
    """One distinct call: the name and the canonical JSON of its arguments."""
    return f"{name}{json.dumps(args, sort_keys=True, separators=(',', ':'), default=str)}"


def start(
    tx: Tx,
    fn: Function,
    args: list[object],
    scope: Mapping[str, Any],
    env: dict[str, str],
    owner: str,
) -> str:
    """Start the shell of one call; returns its effect id. Raises `EvaluationError` when the
    call cannot run (wrong arity for a table-form function, a body that does not render)."""
    if not fn.string_form and len(args) != len(fn.params):
        raise EvaluationError(f"`{fn.name}` takes {len(fn.params)} argument(s), found {len(args)}")
    try:
        script = render_template(fn.run, {**scope, **dict(zip(fn.params, args, strict=False))})
    except RenderError as exc:
        raise EvaluationError(f"`{fn.name}`: {exc}") from None
    if fn.string_form and args:
        words = " ".join(shlex.quote(render.value_text(a)) for a in args)
        script = f"set -- {words}\n{script}"
    root = tx.graph.settings.project_root
    return tx.io(RunShell("function", script, root, env, HELPER_TIMEOUT_S, owner=owner))


def result(fn: Function, code: int | None, stdout: str) -> tuple[Any, str]:
    """The value of a finished call per `returns`, as (value, ""), or (None, error)."""
    if fn.returns == "bool":
        if code in (0, 1):
            return code == 0, ""
        return None, f"`{fn.name}` exited {code}"
    if code != 0:
        return None, f"`{fn.name}` exited {code}"
    text = stdout.strip()
    try:
        if fn.returns == "int":
            return int(text), ""
        if fn.returns == "float":
            return float(text), ""
        if fn.returns == "json":
            return json.loads(text), ""
    except ValueError:
        return None, f"`{fn.name}` printed `{text[:80]}`, not a `{fn.returns}` value"
    return text, ""  # string
