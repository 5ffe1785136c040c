"""Duration text (LANGUAGE.md §4.3) in, `Duration` (milliseconds and parts) out; OJ401 errors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NoReturn

from ojlang import rec
from ojlang.parser.mini import MiniSyntaxError, close_match, load_grammar

if TYPE_CHECKING:
    from ojlang.parser.lalr import UnexpectedInput

# Every spelling of every unit, mapped to its canonical symbol.
UNITS: dict[str, str] = {
    **dict.fromkeys(("ms", "msec"), "ms"),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("d", "day", "days"), "d"),
    **dict.fromkeys(("w", "wk", "week", "weeks"), "w"),
}

# Canonical units from largest to smallest, with their length in milliseconds.
UNIT_MS: dict[str, int] = {
    "w": 7 * 86_400_000,
    "d": 86_400_000,
    "h": 3_600_000,
    "m": 60_000,
    "s": 1_000,
    "ms": 1,
}

# `format_duration` stops at days: `14d` reads better than `2w`.
_FORMAT_UNITS = ("d", "h", "m", "s", "ms")
_MONTHS = frozenset(("M", "mo", "mon", "mos", "month", "months", "Mo", "Month", "Months"))
_RANK = {unit: rank for rank, unit in enumerate(UNIT_MS)}
# Whole numbers with units (`30s`, `1h 30m`, `2 hours`): the parts the grammar would find,
# without running it.
_COMMON = re.compile(r"[ \t]*(?:[0-9]+[ \t]*[A-Za-z]+[ \t]*)+")
_COMMON_PART = re.compile(r"([0-9]+)[ \t]*([A-Za-z]+)")

# A part as found: number text and offsets, unit text (or None) and offsets.
RawPart = tuple[str, int, int, str | None, int, int]


@rec.frozen(slots=True)
class DurationPart:
    """One `NUMBER UNIT` part; `unit` is canonical (`m` for `minutes`)."""

    value: int
    unit: str
    start: int
    end: int


@rec.frozen(slots=True)
class Duration:
    """A parsed duration: total milliseconds, its parts, and its extent in the text."""

    ms: int
    parts: tuple[DurationPart, ...]
    start: int
    end: int


class DurationError(MiniSyntaxError):
    """OJ401; `reason` is what follows `invalid duration `…`: ` in the message."""

    def __init__(
        self, text: str, reason: str, start: int, end: int, *, help: str | None = None
    ) -> None:
        super().__init__(
            "OJ401", f"invalid duration `{text}`: {reason}", start, end, label=reason, help=help
        )
        self.text = text
        self.reason = reason


def parse_duration(text: str, *, allow_zero: bool = False) -> Duration:
    """Parse a §4.3 duration; raise `DurationError` (OJ401) with the smallest useful span."""
    if not text.strip():
        raise DurationError(
            text, "expected a number and a unit", 0, len(text), help='write e.g. `"30s"`'
        )
    if _COMMON.fullmatch(text):
        raw: list[RawPart] = [
            (m[1], m.start(1), m.end(1), m[2], m.start(2), m.end(2))
            for m in _COMMON_PART.finditer(text)
        ]
    else:
        raw = _grammar_parts(text)
    parts = [_part(text, *found) for found in raw]
    ms = sum(p.value * UNIT_MS[p.unit] for p in parts)
    seen: set[str] = set()
    for before, part in zip([None, *parts], parts, strict=False):
        if part.unit in seen:
            raise DurationError(
                text,
                f"unit `{part.unit}` appears twice",
                part.start,
                part.end,
                help=f"add the parts up: write `{format_duration(ms)}`",
            )
        if before is not None and _RANK[part.unit] < _RANK[before.unit]:
            raise DurationError(
                text,
                "units must go from largest to smallest",
                part.start,
                part.end,
                help=f"write `{format_duration(ms)}`",
            )
        seen.add(part.unit)
    start, end = parts[0].start, parts[-1].end
    if ms == 0 and not allow_zero:
        raise DurationError(
            text,
            "zero is not allowed here",
            start,
            end,
            help="only `delay`, `response.delay` and `retry:N:DUR` accept a zero duration",
        )
    return Duration(ms, tuple(parts), start, end)


def format_duration(ms: int) -> str:
    """The canonical text of `ms` milliseconds: `1h30m`, `500ms`, `0s`."""
    if ms < 0:
        raise ValueError(f"negative duration: {ms}")
    if ms == 0:
        return "0s"
    out: list[str] = []
    rest = ms
    for unit in _FORMAT_UNITS:
        count, rest = divmod(rest, UNIT_MS[unit])
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)


# -- details --------------------------------------------------------------------------------


def _grammar_parts(text: str) -> list[RawPart]:
    """The parts of `text` by the grammar, or the OJ401 of its syntax error."""
    from ojlang.parser.lalr import UnexpectedInput

    try:
        tree: Any = load_grammar("duration").parse(text)
    except UnexpectedInput as exc:
        _syntax_error(text, exc)
    out: list[RawPart] = []
    for node in tree.children:
        number, *rest = node.children
        if rest:
            unit = rest[0]
            out.append(
                (
                    str(number),
                    number.start_pos,
                    number.end_pos,
                    str(unit),
                    unit.start_pos,
                    unit.end_pos,
                )
            )
        else:
            out.append((str(number), number.start_pos, number.end_pos, None, 0, 0))
    return out


def _part(
    text: str,
    number: str,
    number_start: int,
    number_end: int,
    unit: str | None,
    unit_start: int,
    unit_end: int,
) -> DurationPart:
    start = number_start
    end = unit_end if unit is not None else number_end
    canonical = UNITS.get(unit) if unit is not None else None
    if "." in number:
        raise DurationError(
            text,
            f"`{number}` is a fraction",
            number_start,
            number_end,
            help=_fraction_help(number, canonical),
        )
    if unit is None:
        raise DurationError(text, "missing unit", start, end, help=f'e.g. `"{number}s"`')
    if canonical is None:
        raise DurationError(
            text, f"unknown unit `{unit}`", unit_start, unit_end, help=_unit_help(unit)
        )
    return DurationPart(int(number), canonical, start, end)


def _fraction_help(number: str, unit: str | None) -> str:
    if unit is not None:
        whole, frac = number.split(".")
        scaled = int(whole + frac) * UNIT_MS[unit]
        ms, rest = divmod(scaled, 10 ** len(frac))
        if rest == 0 and ms > 0:
            return f"durations use whole numbers: write `{format_duration(ms)}`"
    return "durations use whole numbers: use a smaller unit, e.g. `90m` for an hour and a half"


def _unit_help(unit: str) -> str:
    if unit in _MONTHS:
        return "months are not supported: use `d` or `w`, e.g. `30d`"
    if unit.lower() in UNITS:
        return f"units are lowercase: write `{unit.lower()}`"
    best = close_match(unit, UNITS)
    if best is not None:
        return f"a unit with a similar name exists: `{best}`"
    return "units are `ms`, `s`, `m`, `h`, `d` and `w` (or their long names)"


def unexpected_span(exc: UnexpectedInput, text: str) -> tuple[int, int]:
    """Where a lark syntax error stands in `text`: the offending character or token."""
    from ojlang.parser.lalr import UnexpectedToken

    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        return exc.token.start_pos, exc.token.end_pos
    pos = getattr(exc, "pos_in_stream", None)
    if isinstance(exc, UnexpectedToken) or pos is None or pos >= len(text):
        return len(text), len(text)
    return pos, pos + 1


def _syntax_error(text: str, exc: UnexpectedInput) -> NoReturn:
    from ojlang.parser.lalr import UnexpectedToken

    help = 'write a number followed by a unit, e.g. `"30s"` or `"1h30m"`'
    start, end = unexpected_span(exc, text)
    if isinstance(exc, UnexpectedToken) and exc.token.type == "UNIT":
        reason = f"expected a number before `{exc.token}`"
    elif start == len(text):
        reason = "unexpected end"
    else:
        reason = f"unexpected `{text[start:end]}`"
    raise DurationError(text, reason, start, end, help=help)
