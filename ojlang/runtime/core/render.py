"""Values in, text out: values as text, filters and shell escaping (LANGUAGE.md §4.1.2-§4.1.4).

Pure and deterministic: no I/O, no clock. The compiler and the validator import it; it imports
nothing from `ojlang.parser`. A duration is any object with an integer `ms` attribute; a
timestamp is a `datetime` (naive means UTC). `MISSING` stands for a value that is absent
(only `default` accepts it). Bad input raises `RenderError`, whose message follows the
diagnostic style (lowercase, names in backticks).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

# Defined apart, so that the checker can name the contexts without importing this module.
from ojlang.runtime.core.shellcontext import ShellContext as ShellContext


class RenderError(Exception):
    """A value cannot be rendered here; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Missing(enum.Enum):
    MISSING = "missing"


MISSING = _Missing.MISSING
"""An absent value: a path that resolved to nothing."""


# -- values as text (§4.1.3) --------------------------------------------------------------------

_DURATION_UNITS = (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1))


def duration_text(ms: int) -> str:
    """Canonical duration text: `1h30m`, `500ms`, `0s` (same as `durations.format_duration`)."""
    if ms == 0:
        return "0s"
    sign = "-" if ms < 0 else ""
    rest = abs(ms)
    out = []
    for unit, size in _DURATION_UNITS:
        count, rest = divmod(rest, size)
        if count:
            out.append(f"{count}{unit}")
    return sign + "".join(out)


def timestamp_text(value: dt.datetime) -> str:
    """RFC 3339 in UTC with a `Z`: `2025-01-02T03:04:05Z` (microseconds only when set)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    spec = "microseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def float_text(value: float) -> str:
    """The shortest decimal that reads back as `value`, never in exponent form."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(value)
    if "e" in text:
        text = format(decimal.Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return text


def _duration_ms(value: object) -> int | None:
    ms = getattr(value, "ms", None)
    if isinstance(ms, int) and not isinstance(ms, bool):
        return ms
    return None


def type_name(value: object) -> str:
    """The language's name for the type of `value` (`string`, `list`, `object`, …)."""
    if value is None:
        return "null"
    if value is MISSING:
        return "missing"
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
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "object"
    if _duration_ms(value) is not None:
        return "duration"
    return type(value).__name__


def value_text(value: object) -> str:
    """`value` as text (§4.1.3); lists join their elements with one space."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, (list, tuple)):
        return " ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return to_json(value)
    if isinstance(value, dt.datetime):
        return timestamp_text(value)
    ms = _duration_ms(value)
    if ms is not None:
        return duration_text(ms)
    if value is MISSING:
        raise RenderError("the value is missing")
    raise RenderError(f"cannot render a value of type `{type_name(value)}`")


def to_json(value: object) -> str:
    """Compact JSON; timestamps and durations become their text."""
    try:
        return json.dumps(
            value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json
        )
    except ValueError as exc:
        raise RenderError(f"cannot write JSON: {exc}") from None


def _json(value: object) -> object:
    if isinstance(value, dt.datetime) or _duration_ms(value) is not None:
        return value_text(value)
    if value is MISSING:
        raise RenderError("the value is missing")
    raise RenderError(f"cannot write a value of type `{type_name(value)}` as JSON")


# -- shell escaping (§4.1.4) --------------------------------------------------------------------

_INTEGER = re.compile(r"-?[0-9]+")
_DOUBLE_SPECIAL = re.compile(r'([\\"$`])')
_HEREDOC_SPECIAL = re.compile(r"([\\$`])")


def single_quote(text: str) -> str:
    """One shell word: `'` + text with each `'` as `'\\''` + `'`; empty gives `''`."""
    return "'" + text.replace("'", "'\\''") + "'"


def shell_escape(
    value: object,
    context: ShellContext,
    *,
    delimiter: str | None = None,
    strip_tabs: bool = False,
    line_start: bool = False,
) -> str:
    """The text that stands for `value` at an interpolation in `context`.

    `delimiter` is the heredoc's delimiter word: a value with a line equal to it (after
    leading tabs, as `<<-` strips them) would end the heredoc early, so it is an error.
    `strip_tabs`: the heredoc is `<<-`, whose body lines lose their leading tabs and no quoting
    keeps them, so a value line that would begin a body line with a tab is an error rather
    than silently changed data (`line_start`: the value's first line begins a body line).
    """
    if context is ShellContext.RAW:
        return value_text(value)
    if context is ShellContext.UNQUOTED and isinstance(value, (list, tuple)):
        words = [value_text(v) for v in value]
        for word in words:
            _check_nul(word)
        return " ".join(single_quote(w) for w in words)
    text = value_text(value)
    _check_nul(text)
    if context is ShellContext.UNQUOTED:
        return single_quote(text)
    if context is ShellContext.DOUBLE:
        return _DOUBLE_SPECIAL.sub(r"\\\1", text)
    if context is ShellContext.SINGLE:
        return text.replace("'", "'\\''")
    if context is ShellContext.DOLLAR_SINGLE:
        return text.replace("\\", "\\\\").replace("'", "\\'")
    if context in (ShellContext.HEREDOC, ShellContext.QUOTED_HEREDOC):
        _check_delimiter(text, delimiter)
        if strip_tabs and ("\n\t" in text or (line_start and text.startswith("\t"))):
            raise RenderError(
                "a line of the value starts with a tab, which the `<<-` heredoc would strip; "
                "use `<<` to keep it"
            )
        if context is ShellContext.QUOTED_HEREDOC:
            return text
        return _HEREDOC_SPECIAL.sub(r"\\\1", text)
    if context is ShellContext.ARITHMETIC:
        if not _INTEGER.fullmatch(text):
            raise RenderError(f"`{_short(text)}` is not an integer, and arithmetic needs one")
        return text
    # ShellContext.COMMENT
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _check_nul(text: str) -> None:
    if "\x00" in text:
        raise RenderError("a value in a shell field cannot contain a NUL character")


def _check_delimiter(text: str, delimiter: str | None) -> None:
    if delimiter is None:
        return
    for line in text.splitlines():
        if line == delimiter or line.lstrip("\t") == delimiter:
            raise RenderError(
                f"the value has a line `{delimiter}`, which would end the heredoc early"
            )


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- filters (§4.1.2) -----------------------------------------------------------------------------


def _str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise RenderError(f"filter `{name}` needs a string, found {_kind(value)}")
    return value


def _list(name: str, value: object) -> Sequence[Any]:
    if not isinstance(value, (list, tuple)):
        raise RenderError(f"filter `{name}` needs a list, found {_kind(value)}")
    return value


def _kind(value: object) -> str:
    return "a missing value" if value is MISSING else f"`{type_name(value)}`"


def _basename(path: str) -> str:
    return path[path.rfind("/") + 1 :]


def _dirname(path: str) -> str:
    head = path[: path.rfind("/") + 1]
    if head and head != "/" * len(head):
        head = head.rstrip("/")
    return head


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _replace(value: object, old: object, new: object) -> str:
    text = _str("replace", value)
    if not isinstance(old, str) or not isinstance(new, str):
        raise RenderError("filter `replace` needs two string arguments")
    if not old:
        raise RenderError("filter `replace` cannot replace an empty string")
    return text.replace(old, new)


def _truncate(value: object, n: object) -> str:
    text = _str("truncate", value)
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise RenderError(f"filter `truncate` needs a count of at least 0, found `{n!r}`")
    return text[:n]


def _join(value: object, sep: object = " ") -> str:
    items = _list("join", value)
    if not isinstance(sep, str):
        raise RenderError(f"filter `join` needs a string separator, found `{type_name(sep)}`")
    return sep.join(value_text(v) for v in items)


def _pick(name: str, index: int) -> Callable[[object], object]:
    def pick(value: object) -> object:
        items = _list(name, value)
        if not items:
            raise RenderError(f"filter `{name}` needs a non-empty list")
        return items[index]

    return pick


def _length(value: object) -> int:
    if isinstance(value, (str, list, tuple, dict)):
        return len(value)
    raise RenderError(f"filter `length` needs a string, list or object, found {_kind(value)}")


def _default(value: object, fallback: object) -> object:
    return fallback if value is None or value is MISSING else value


def _json_filter(value: object) -> str:
    return to_json(value)  # `apply_filter` refused a missing value already


def _identity(value: object) -> object:
    return value


# name -> (min args, max args, function of (value, *args))
FILTER_FUNCTIONS: dict[str, tuple[int, int, Callable[..., object]]] = {
    "raw": (0, 0, _identity),
    "default": (1, 1, _default),
    "upper": (0, 0, lambda v: _str("upper", v).upper()),
    "lower": (0, 0, lambda v: _str("lower", v).lower()),
    "trim": (0, 0, lambda v: _str("trim", v).strip()),
    "replace": (2, 2, _replace),
    "slug": (0, 0, lambda v: _slug(_str("slug", v))),
    "truncate": (1, 1, _truncate),
    "basename": (0, 0, lambda v: _basename(_str("basename", v))),
    "dirname": (0, 0, lambda v: _dirname(_str("dirname", v))),
    "join": (0, 1, _join),
    "first": (0, 0, _pick("first", 0)),
    "last": (0, 0, _pick("last", -1)),
    "length": (0, 0, _length),
    "json": (0, 0, _json_filter),
}


def apply_filter(name: str, value: object, args: Sequence[object] = ()) -> object:
    """Apply filter `name` with `args` to `value`; `RenderError` on bad input."""
    entry = FILTER_FUNCTIONS.get(name)
    if entry is None:
        raise RenderError(f"unknown filter `{name}`")
    low, high, fn = entry
    if not low <= len(args) <= high:
        raise RenderError(f"filter `{name}` takes {_arity(low, high)}, found {len(args)}")
    if value is MISSING and name not in ("default", "raw"):
        raise RenderError(f"filter `{name}` got a missing value")
    return fn(value, *args)


def _arity(low: int, high: int) -> str:
    def n(k: int) -> str:
        return f"{k} argument" + ("" if k == 1 else "s")

    if low == high:
        return "no arguments" if low == 0 else n(low)
    return f"at most {n(high)}"  # every optional argument of a filter is its only one


def backtick_escape(text: str, depth: int) -> str:
    r"""`text` made to survive `depth` enclosing backtick substitutions unchanged.

    Inside backticks bash first turns `\`, `\$` and `` \` `` into `\`, `$` and `` ` `` before
    it parses the command, so an escaped value is escaped once more per level; otherwise a
    backtick in a value would end the substitution and run the rest as code.
    """
    for _ in range(depth):
        text = text.replace("\\", "\\\\").replace("`", "\\`").replace("$", "\\$")
    return text
