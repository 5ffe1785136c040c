"""An `on_fail` value (LANGUAGE.md §4.6) in, an `OnFail` variant out; OJ410/OJ408 errors.

Whether a `PhaseTarget` names a phase of the pipeline is the caller's check (OJ203), as is
resolving a `StrategyRef` (§1.4).
"""

from __future__ import annotations

from typing import Any

from ojlang import rec
from ojlang.parser.durations import DurationError, parse_duration, unexpected_span
from ojlang.parser.mini import MiniSyntaxError, load_grammar


@rec.frozen(slots=True, kw_only=True)
class Escalate:
    """`escalate` (the default): pause the run at this phase."""

    start: int
    end: int


@rec.frozen(slots=True, kw_only=True)
class FailRun:
    """`fail`: the run ends `failed`."""

    start: int
    end: int


@rec.frozen(slots=True, kw_only=True)
class Retry:
    """`retry[:N[:DUR]]`: re-enter the phase after `delay_ms`, up to `count` times."""

    count: int = 3
    delay_ms: int = 60_000
    start: int
    end: int


@rec.frozen(slots=True, kw_only=True)
class StrategyRef:
    """`strategy:REF`; `ref_start`/`ref_end` locate REF."""

    ref: str
    start: int
    end: int
    ref_start: int
    ref_end: int


@rec.frozen(slots=True, kw_only=True)
class PhaseTarget:
    """Any other name: go to that phase (`done` and `failed` included)."""

    name: str
    start: int
    end: int


OnFail = Escalate | FailRun | Retry | StrategyRef | PhaseTarget

_FORMS = "write `escalate`, `fail`, `retry`, `retry:N`, `retry:N:DUR`, `strategy:NAME` or a phase"
_COUNT_HELP = "counts go from 1 to 99"


def parse_on_fail(text: str) -> OnFail:
    """Parse an `on_fail` value; raise `MiniSyntaxError` (OJ410, OJ408)."""
    from ojlang.parser.lalr import UnexpectedInput

    try:
        tree: Any = load_grammar("on_fail").parse(text)
    except UnexpectedInput as exc:
        start, end = unexpected_span(exc, text)
        raise _invalid(text, start, end, help=_form_help(text)) from None
    kind = tree.data
    n = len(text)
    if kind == "escalate":
        return Escalate(start=0, end=n)
    if kind == "fail":
        return FailRun(start=0, end=n)
    if kind == "phase":
        return PhaseTarget(name=text, start=0, end=n)
    if kind == "strategy":
        ref = tree.children[1]
        return StrategyRef(
            ref=str(ref), start=0, end=n, ref_start=ref.start_pos, ref_end=ref.end_pos
        )
    return _retry(text, tree.children[1:])


def _retry(text: str, args: list[Any]) -> Retry:
    n = len(text)
    if not args:
        return Retry(start=0, end=n)
    count_tok = args[0]
    a, b = count_tok.start_pos, count_tok.end_pos
    if not count_tok.isdigit():
        raise _invalid(text, a, b, label="not a count", help=_count_help(text, str(count_tok)))
    count = int(count_tok)
    if not 1 <= count <= 99:
        message = (
            f"`{text}` never retries"
            if count == 0
            else f"count `{count_tok}` of `{text}` is more than 99"
        )
        raise MiniSyntaxError("OJ408", message, a, b, help=_COUNT_HELP)
    if len(args) == 1:
        return Retry(count=count, start=0, end=n)
    dur_tok = args[1]
    a, b = dur_tok.start_pos, dur_tok.end_pos
    try:
        delay = parse_duration(str(dur_tok), allow_zero=True)
    except DurationError as exc:
        if exc.reason == "missing unit":
            help = f"a duration needs a unit, e.g. `retry:{count_tok}:{dur_tok}s`"
        else:
            help = exc.reason + (f"; {exc.help}" if exc.help else "")
        raise _invalid(text, a + exc.start, a + exc.end, label=exc.reason, help=help) from None
    return Retry(count=count, delay_ms=delay.ms, start=0, end=n)


def _invalid(
    text: str, start: int, end: int, *, label: str = "", help: str | None = None
) -> MiniSyntaxError:
    return MiniSyntaxError(
        "OJ410", f"invalid `on_fail` value `{text}`", start, end, label=label, help=help
    )


def _form_help(text: str) -> str:
    if text.startswith("retry"):
        return "write `retry`, `retry:N` or `retry:N:DUR`, e.g. `retry:3:30s`"
    if text.startswith("strategy"):
        return "write `strategy:NAME`, e.g. `strategy:merge`"
    return _FORMS


def _count_help(text: str, arg: str) -> str:
    try:
        parse_duration(arg, allow_zero=True)
    except DurationError:
        return "the count is a whole number from 1 to 99, e.g. `retry:3`"
    return f"the first part is a count, the second the delay: e.g. `retry:3:{arg}`"
