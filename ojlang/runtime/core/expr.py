"""Compiled expression nodes (LANGUAGE.md §4.8) and the environment in, a value out: the evaluator.

Theory of operation: the compiler turns a parsed expression into these frozen nodes
(`ojlang.compiler.expressions.to_core`); `evaluate(node, env, call, now_us)` walks them. A
missing field or index is `null`; `==` compares ints and floats numerically and values of
different types as unequal; ordering needs two numbers, strings, durations or timestamps;
`in` looks into a list (element), string (substring) or object (key). Any type error raises
`EvaluationError`: a queue filter then excludes the item and a rule fails its action.
Builtins are implemented here; other calls go through `call`. Time comes only from `now_us`
(microseconds since the epoch), so evaluation is pure and replayable.

Durations are `Duration(ms)` (any object with an integer `ms` attribute is accepted);
timestamps are timezone-aware `datetime`s.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import attrs

# -- values -----------------------------------------------------------------------------------


@attrs.frozen(slots=True, order=True)
class Duration:
    """A length of time in milliseconds; durations order and compare by length."""

    ms: int


class EvaluationError(Exception):
    """The expression cannot be evaluated against these values (a run-time type error)."""


# -- nodes ------------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Const:
    """A literal: string, int, float, bool or null."""

    value: str | int | float | bool | None


@attrs.frozen(slots=True)
class DurationConst:
    """A duration literal such as `1h`, in milliseconds."""

    ms: int


@attrs.frozen(slots=True)
class Path:
    """`root.a[0]["k"]`: names and keys are `str`, list indexes `int`."""

    root: str
    segments: tuple[str | int, ...] = ()


@attrs.frozen(slots=True)
class Filter:
    name: str
    args: tuple[str | int | float | bool | None, ...] = ()


@attrs.frozen(slots=True)
class Filtered:
    """A placeholder with filters: `{path | default("x") | upper}`."""

    operand: Path
    filters: tuple[Filter, ...]


@attrs.frozen(slots=True)
class Concat:
    """A string with interpolations: each part rendered as text (§4.1.3) and joined.

    Literal text is a `Const` part, so the tree stays one tagged union for the codec."""

    parts: tuple[Node, ...]


@attrs.frozen(slots=True)
class Call:
    name: str
    args: tuple[Node, ...] = ()


@attrs.frozen(slots=True)
class ListOf:
    items: tuple[Node, ...] = ()


@attrs.frozen(slots=True)
class Not:
    operand: Node


@attrs.frozen(slots=True)
class BoolOp:
    """`op` is `and` or `or`; operands are evaluated left to right, short-circuiting."""

    op: str
    operands: tuple[Node, ...]


@attrs.frozen(slots=True)
class Compare:
    """`op` is one of `== != < <= > >= in`, `not in`."""

    op: str
    left: Node
    right: Node


Node: TypeAlias = (
    Const | DurationConst | Path | Filtered | Concat | Call | ListOf | Not | BoolOp | Compare
)
CallFn: TypeAlias = Callable[[str, list[object]], object]


# -- evaluation -------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class _Ctx:
    env: Mapping[str, object]
    call: CallFn | None
    now_us: int | None


def evaluate(
    node: Node,
    env: Mapping[str, object],
    call: CallFn | None = None,
    now_us: int | None = None,
) -> object:
    """The value of `node` in `env`; user functions go through `call`; `now_us` is the time."""
    return _eval(node, _Ctx(env, call, now_us))


def _eval(node: Node, ctx: _Ctx) -> object:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, DurationConst):
        return Duration(node.ms)
    if isinstance(node, Path):
        return lookup(ctx.env, node)
    if isinstance(node, Compare):
        return _compare(node.op, _eval(node.left, ctx), _eval(node.right, ctx))
    if isinstance(node, BoolOp):
        for operand in node.operands:
            value = _bool(_eval(operand, ctx), node.op)
            if value == (node.op == "or"):
                return value
        return node.op == "and"
    if isinstance(node, Not):
        return not _bool(_eval(node.operand, ctx), "not")
    if isinstance(node, Call):
        args = [_eval(a, ctx) for a in node.args]
        builtin = BUILTINS.get(node.name)
        if builtin is not None:
            return builtin(ctx, *args)
        if ctx.call is None:
            raise EvaluationError(f"unknown function `{node.name}`")
        return ctx.call(node.name, args)
    if isinstance(node, ListOf):
        return [_eval(i, ctx) for i in node.items]
    if isinstance(node, Concat):
        return "".join(_text(_eval(p, ctx)) for p in node.parts)
    assert isinstance(node, Filtered)
    return _filtered(lookup(ctx.env, node.operand), node.filters)


def lookup(env: Mapping[str, object], path: Path) -> object:
    """The value at `path`; a missing field, key or index is None."""
    value: object = env.get(path.root)
    for seg in path.segments:
        if value is None:
            return None
        if isinstance(value, Mapping):
            value = value.get(seg) if isinstance(seg, str) else None
        elif isinstance(value, list | tuple) and isinstance(seg, int):
            value = value[seg] if seg < len(value) else None
        else:
            what = f"index `[{seg}]`" if isinstance(seg, int) else f"field `{seg}`"
            raise EvaluationError(f"a `{type_of(value)}` value has no {what}")
    return value


def type_of(value: object) -> str:
    """The §4.8 type name of a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dt.datetime):
        return "timestamp"
    if _ms(value) is not None:
        return "duration"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return "any"


def _ms(value: object) -> int | None:
    ms = getattr(value, "ms", None)
    return ms if isinstance(ms, int) and not isinstance(ms, bool) else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bool(value: object, op: str) -> bool:
    if not isinstance(value, bool):
        raise EvaluationError(f"`{op}` needs `bool` operands, found `{type_of(value)}`")
    return value


def equal(a: object, b: object) -> bool:
    """`==` of §4.8: numbers numerically, other values of different types are unequal."""
    if _is_number(a) and _is_number(b):
        return a == b
    ta, tb = type_of(a), type_of(b)
    if ta != tb:
        return False
    if ta == "duration":
        return _ms(a) == _ms(b)
    if ta == "list":
        assert isinstance(a, list | tuple) and isinstance(b, list | tuple)
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if ta == "object":
        assert isinstance(a, Mapping) and isinstance(b, Mapping)
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return a == b


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(op: str, left: object, right: object) -> bool:
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op == "in":
        return contains(right, left)
    if op == "not in":
        return not contains(right, left)
    ta, tb = type_of(left), type_of(right)
    if _is_number(left) and _is_number(right):
        return _ORDER[op](left, right)
    if ta == tb == "duration":
        return _ORDER[op](_ms(left), _ms(right))
    if ta == tb and ta in ("string", "timestamp"):
        try:
            return _ORDER[op](left, right)
        except TypeError:  # naive and aware datetimes
            pass
    raise EvaluationError(f"cannot compare `{ta}` with `{tb}` using `{op}`")


def contains(container: object, item: object) -> bool:
    """`item in container`: list element, substring, or object key."""
    if isinstance(container, list | tuple):
        return any(equal(item, x) for x in container)
    kind = type_of(container)
    if kind in ("string", "object"):
        if not isinstance(item, str):
            raise EvaluationError(f"cannot look for `{type_of(item)}` in a `{kind}`")
        return item in container  # type: ignore[operator]
    raise EvaluationError(f"`in` needs a list, string or object on the right, found `{kind}`")


def _text(value: object) -> str:
    from ojlang.runtime.core.render import value_text

    return value_text(value)


def _filtered(value: object, filters: tuple[Filter, ...]) -> object:
    from ojlang.runtime.core.render import RenderError, apply_filter

    for f in filters:
        try:
            value = apply_filter(f.name, value, f.args)
        except RenderError as err:
            raise EvaluationError(str(err)) from None
    return value


# -- builtins ---------------------------------------------------------------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)


def timestamp(us: int) -> dt.datetime:
    """The UTC timestamp `us` microseconds after the epoch."""
    return _EPOCH + dt.timedelta(microseconds=us)


def _now(ctx: _Ctx) -> dt.datetime:
    if ctx.now_us is None:
        raise EvaluationError("`now()` needs the current time, which was not given")
    return timestamp(ctx.now_us)


def _epoch_us(value: object) -> int:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise EvaluationError(f"`{value}` is not an RFC 3339 timestamp") from None
    elif isinstance(value, int) and not isinstance(value, bool):
        return value * 1_000_000
    else:
        raise EvaluationError(f"`age` needs a timestamp, found `{type_of(value)}`")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - _EPOCH) // _US


def _age(ctx: _Ctx, value: object) -> Duration:
    return Duration((_now(ctx) - _EPOCH) // _US // 1000 - _epoch_us(value) // 1000)


def _string(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise EvaluationError(f"`{name}` needs a `string`, found `{type_of(value)}`")
    return value


def _labels(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    raise EvaluationError(f"labels must be a list or a string, found `{type_of(value)}`")


def _has_label(ctx: _Ctx, *args: object) -> bool:
    target = ctx.env.get("item") if len(args) == 1 else args[0]
    label = _string("has_label", args[-1])
    if target is None:
        return False
    if not isinstance(target, Mapping):
        raise EvaluationError(f"`has_label` needs an object, found `{type_of(target)}`")
    return label in _labels(target.get("labels"))


def _len(_: _Ctx, value: object) -> int:
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    raise EvaluationError(f"`len` needs a string, list or object, found `{type_of(value)}`")


def _matches(_: _Ctx, text: object, pattern: object) -> bool:
    regex = _string("matches", pattern)
    try:
        return re.search(regex, _string("matches", text)) is not None
    except re.error as err:
        raise EvaluationError(f"invalid regex `{regex}`: {regex_message(err)}") from None


def regex_message(err: re.error) -> str:
    """`re.error` text without its position: `missing ), unterminated subpattern`."""
    return re.sub(r" at position \d+$", "", str(err))


def _to_int(_: _Ctx, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise EvaluationError(f"cannot convert `{type_of(value)}` value `{value}` to `int`")


def _to_float(_: _Ctx, value: object) -> float:
    if _is_number(value):
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise EvaluationError(f"cannot convert `{type_of(value)}` value `{value}` to `float`")


def _to_duration(_: _Ctx, value: object) -> object:
    if _ms(value) is not None:
        return value
    if isinstance(value, str):
        ms = parse_duration_ms(value)
        if ms is not None:
            return Duration(ms)
    raise EvaluationError(f"cannot convert `{type_of(value)}` value `{value}` to `duration`")


def _default(_: _Ctx, value: object, fallback: object) -> object:
    return fallback if value is None else value


def _fixed(name: str, fn: Callable[..., object], count: int) -> Callable[..., object]:
    def run(ctx: _Ctx, *args: object) -> object:
        if len(args) != count:
            raise EvaluationError(f"`{name}` takes {count} argument(s), found {len(args)}")
        return fn(ctx, *args)

    return run


def _has_label_checked(ctx: _Ctx, *args: object) -> bool:
    if len(args) not in (1, 2):
        raise EvaluationError(f"`has_label` takes 1 or 2 arguments, found {len(args)}")
    return _has_label(ctx, *args)


BUILTINS: dict[str, Callable[..., object]] = {
    "len": _fixed("len", _len, 1),
    "now": _fixed("now", lambda ctx: _now(ctx), 0),
    "age": _fixed("age", _age, 1),
    "has_label": _has_label_checked,
    "contains": _fixed("contains", lambda _, x, y: contains(x, y), 2),
    "starts_with": _fixed(
        "starts_with",
        lambda _, s, p: _string("starts_with", s).startswith(_string("starts_with", p)),
        2,
    ),
    "ends_with": _fixed(
        "ends_with",
        lambda _, s, p: _string("ends_with", s).endswith(_string("ends_with", p)),
        2,
    ),
    "matches": _fixed("matches", _matches, 2),
    "lower": _fixed("lower", lambda _, s: _string("lower", s).lower(), 1),
    "upper": _fixed("upper", lambda _, s: _string("upper", s).upper(), 1),
    "str": _fixed("str", lambda _, x: _text(x), 1),
    "int": _fixed("int", _to_int, 1),
    "float": _fixed("float", _to_float, 1),
    "duration": _fixed("duration", _to_duration, 1),
    "default": _fixed("default", _default, 2),
}


# -- duration text (§4.3), for `duration(s)` ---------------------------------------------------

_UNIT_MS = {
    **dict.fromkeys(("ms", "msec"), 1),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1_000),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60_000),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3_600_000),
    **dict.fromkeys(("d", "day", "days"), 86_400_000),
    **dict.fromkeys(("w", "wk", "week", "weeks"), 604_800_000),
}
_PART = re.compile(r"[ \t]*([0-9]+)[ \t]*([A-Za-z]+)")


def parse_duration_ms(text: str) -> int | None:
    """Milliseconds of a §4.3 duration (zero allowed), or None when `text` is not one."""
    pos, total, last = 0, 0, math.inf
    stripped = text.rstrip(" \t")
    while pos < len(stripped):
        m = _PART.match(stripped, pos)
        if m is None:
            return None
        unit = _UNIT_MS.get(m.group(2))
        if unit is None or unit >= last:
            return None
        total += int(m.group(1)) * unit
        last = unit
        pos = m.end()
    return total if pos else None
