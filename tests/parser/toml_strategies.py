"""Hypothesis strategies: random TOML 1.0 documents written as text, in many spellings.

`documents()` draws a tree of values (tables, arrays of tables, arrays, all scalar types)
and writes it out, making every choice a person could make: header, dotted keys or inline
table; bare or quoted keys; the four string forms with escapes and line-ending backslashes;
number spellings; date-time separators; comments, blank lines, indentation, CRLF. The tree
comes from Hypothesis; the spelling choices from a Hypothesis-seeded `random.Random`
(cheap, and still reproducible). Every document is valid TOML, so it must parse exactly as
`tomllib` parses it.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import string
from typing import Any

from hypothesis import strategies as st

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_SHORT = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_COMMENT_CHARS = " abc#=\"'[]{}\\\té日\u2028"

Rng = random.Random

# -- the value tree -----------------------------------------------------------------------------

_KEY_WORDS = [
    "a",
    "b",
    "key",
    "true",
    "1",
    "2024-01-01",
    "inf",
    "a-b",
    "_",
    "x_y-2",
    "",
    "a b",
    "é",
    "\\",
    '"',
    "'",
    "日本",
]
_TEXT_CHARS = "ab \t\n\"'\\{}#=.,[]é日\U0001f600\x01\x7f\r\u2028"
_EDGE_INTS = [0, 1, -1, 7, 2**63 - 1, -(2**63), 2**31, 255, 10**15]
_EDGE_FLOATS = [
    0.0,
    -0.0,
    1.5,
    -2.25,
    1e100,
    5e-324,
    1.7976931348623157e308,
    math.inf,
    -math.inf,
    math.nan,
    0.1,
    3e-7,
]


def _text(rng: Rng) -> str:
    if rng.random() < 0.2:
        return ""
    return "".join(rng.choice(_TEXT_CHARS) for _ in range(rng.randint(1, 14)))


def _key_name(rng: Rng) -> str:
    if rng.random() < 0.6:
        return "".join(
            rng.choice(string.ascii_letters + string.digits + "_-")
            for _ in range(rng.randint(1, 6))
        )
    return rng.choice(_KEY_WORDS) if rng.random() < 0.6 else _text(rng)


def _scalar_value(rng: Rng) -> Any:
    kind = rng.randint(0, 8)
    if kind <= 1:
        return _text(rng)
    if kind == 2:
        return (
            rng.choice(_EDGE_INTS)
            if rng.random() < 0.3
            else rng.randint(-(2**63), 2**63 - 1) >> rng.randint(0, 62)
        )
    if kind == 3:
        return (
            rng.choice(_EDGE_FLOATS)
            if rng.random() < 0.4
            else rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-20, 20)
        )
    if kind == 4:
        return rng.random() < 0.5
    stamp = dt.datetime(1, 1, 1) + dt.timedelta(seconds=rng.randint(0, 315_000_000_000))
    stamp = stamp.replace(microsecond=rng.choice([0, 0, 500_000, 123_456, rng.randint(0, 999_999)]))
    if kind == 5:
        minutes = rng.choice([0, 0, 60, -420, 330, rng.randint(-(23 * 60 + 59), 23 * 60 + 59)])
        return stamp.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))
    if kind == 6:
        return stamp
    return stamp.date() if kind == 7 else stamp.time()


def _value(rng: Rng, budget: list[int], depth: int) -> Any:
    budget[0] -= 1
    if budget[0] <= 0 or depth > 3 or rng.random() < 0.6:
        return _scalar_value(rng)
    shape = rng.randint(0, 2)
    if shape == 0:
        return [_value(rng, budget, depth + 1) for _ in range(rng.randint(0, 4))]
    if shape == 1:
        return _table(rng, budget, depth + 1)
    return [_table(rng, budget, depth + 1) for _ in range(rng.randint(1, 3))]


def _table(rng: Rng, budget: list[int], depth: int) -> dict[str, Any]:
    return {_key_name(rng): _value(rng, budget, depth) for _ in range(rng.randint(0, 4))}


# -- keys and scalars --------------------------------------------------------------------------


def key(rng: Rng, name: str) -> str:
    if _BARE.fullmatch(name) and rng.random() < 0.75:
        return name
    if "'" not in name and not _CONTROL.search(name) and rng.random() < 0.5:
        return f"'{name}'"
    return '"' + "".join(_pieces(rng, name, multiline=False)) + '"'


def _pieces(rng: Rng, text: str, *, multiline: bool) -> list[str]:
    """Each character of `text` as written in a basic string: itself or an escape."""
    out = []
    for char in text:
        if multiline and char == "\n":
            out.append("\n")
        elif char in _SHORT and (char != "\t" or rng.random() < 0.5):
            out.append(_SHORT[char])
        elif _CONTROL.match(char) or (char != "\t" and rng.random() < 0.1):
            code = ord(char)
            short = code <= 0xFFFF and rng.random() < 0.5
            out.append(f"\\u{code:04X}" if short else f"\\U{code:08X}")
        else:
            out.append(char)
    return out


def _string(rng: Rng, text: str) -> str:
    forms = ["basic", "ml_basic"]
    if "'" not in text and not _CONTROL.search(text):
        forms.append("literal")
    if "'''" not in text and not text.endswith("'") and not _CONTROL.search(text.replace("\n", "")):
        forms.append("ml_literal")
    form = rng.choice(forms)
    if form == "basic":
        return '"' + "".join(_pieces(rng, text, multiline=False)) + '"'
    if form == "literal":
        return f"'{text}'"
    if form == "ml_literal":
        return "'''\n" + text + "'''"
    pieces = _pieces(rng, text, multiline=True)
    # A line-ending backslash before a piece that does not start with whitespace removes
    # nothing from the value: the next line's indentation and blank lines are trimmed.
    spots = [i for i, piece in enumerate(pieces) if piece[0] not in " \t\n"]
    if spots and rng.random() < 0.5:
        pieces.insert(rng.choice(spots), "\\  \n   \n\t ")
    return '"""\n' + "".join(pieces) + '"""'


def _underscores(rng: Rng, digits: str) -> str:
    if len(digits) < 2 or rng.random() < 0.75:
        return digits
    cut = rng.randint(1, len(digits) - 1)
    return digits[:cut] + "_" + digits[cut:]


def _integer(rng: Rng, value: int) -> str:
    if value >= 0 and rng.random() < 0.25:
        form = rng.choice("xob")
        return f"0{form}{_underscores(rng, format(value, form))}"
    text = _underscores(rng, str(abs(value)))
    if value < 0:
        return "-" + text
    return ("+" if rng.random() < 0.2 else "") + text


def _float(rng: Rng, value: float) -> str:
    if math.isnan(value):
        return rng.choice(["nan", "+nan", "-nan"])
    if math.isinf(value):
        return rng.choice(["inf", "+inf"]) if value > 0 else "-inf"
    text = repr(value)
    return text.replace("e", "E") if rng.random() < 0.5 else text


def _offset(rng: Rng, value: dt.datetime) -> str:
    offset = value.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0 and rng.random() < 0.5:
        return rng.choice("Zz")
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _clock(rng: Rng, value: dt.time | dt.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        digits = f"{value.microsecond:06d}"
        if rng.random() < 0.5:
            digits = digits.rstrip("0")
        text += "." + digits + "0" * rng.randint(0, 3)
    elif rng.random() < 0.2:
        text += ".000"
    return text


def scalar(rng: Rng, value: Any) -> str:
    if isinstance(value, str):
        return _string(rng, value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _integer(rng, value)
    if isinstance(value, float):
        return _float(rng, value)
    if isinstance(value, dt.datetime):
        date = f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        stamp = date + rng.choice("Tt ") + _clock(rng, value)
        return stamp + (_offset(rng, value) if value.tzinfo is not None else "")
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    assert isinstance(value, dt.time)
    return _clock(rng, value)


# -- values, inline and as statements ----------------------------------------------------------


def inline(rng: Rng, value: Any, nl: str) -> str:
    """A value as it can be written after `=`."""
    if isinstance(value, dict):
        pairs = [f"{key(rng, k)} = {inline(rng, v, nl)}" for k, v in value.items()]
        return "{" + ", ".join(pairs) + "}" if pairs else rng.choice(["{}", "{ }"])
    if isinstance(value, list):
        return _array(rng, value, nl)
    return scalar(rng, value)


def _array(rng: Rng, items: list[Any], nl: str) -> str:
    if rng.random() < 0.5:  # one line
        body = ", ".join(inline(rng, item, nl) for item in items)
        trailing = "," if items and rng.random() < 0.25 else ""
        return f"[{body}{trailing}]"
    parts = ["["]
    for item in items:
        note = f" #{_comment_text(rng)}" if rng.random() < 0.25 else ""
        parts.append(f"{nl}  {inline(rng, item, nl)},{note}")
    parts.append(nl + "]")
    return "".join(parts)


def _aot(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) for i in value)


def _dottable(value: Any) -> bool:
    """A table that can be written as `t.k = v` lines: non-empty, with no sub-table."""
    return (
        isinstance(value, dict)
        and bool(value)
        and not any(isinstance(v, dict) or _aot(v) for v in value.values())
    )


def _comment_text(rng: Rng) -> str:
    return "".join(rng.choice(_COMMENT_CHARS) for _ in range(rng.randint(0, 10)))


def _comment(rng: Rng) -> str:
    return rng.choice(["", " ", "\t"]) + "#" + _comment_text(rng)


def table_body(rng: Rng, table: dict[str, Any], path: list[str], lines: list[str], nl: str) -> None:
    """The statements of `table`: its pairs first, then its sub-sections."""
    sections: list[tuple[str, Any, bool]] = []
    indent = rng.choice(["", "  ", "\t"])
    for name, value in table.items():
        if _aot(value) and rng.random() < 0.7:
            sections.append((name, value, True))
            continue
        if isinstance(value, dict):
            style = rng.choice(["inline", "header", "dotted"])
            if style == "header" or (style == "dotted" and not _dottable(value)):
                sections.append((name, value, False))
                continue
            if style == "dotted":
                for child, item in value.items():
                    dot = rng.choice([".", " . "])
                    written = inline(rng, item, nl)
                    lines.append(f"{indent}{key(rng, name)}{dot}{key(rng, child)} = {written}")
                continue
        if rng.random() < 0.15:
            lines.append(indent + _comment(rng))
        if rng.random() < 0.15:
            lines.append("")
        pair = f"{indent}{key(rng, name)}{rng.choice([' = ', '=', ' =  '])}{inline(rng, value, nl)}"
        if rng.random() < 0.2:
            pair += " " + _comment(rng)
        lines.append(pair)
    for name, value, aot in sections:
        header = ".".join(key(rng, part) for part in [*path, name])
        if aot:
            for element in value:
                lines.append(f"[[{header}]]")
                table_body(rng, element, [*path, name], lines, nl)
        else:
            lines.append(f"[ {header} ]" if rng.random() < 0.5 else f"[{header}]")
            table_body(rng, value, [*path, name], lines, nl)


@st.composite
def documents(draw: Any) -> str:
    """A valid TOML 1.0 document (Hypothesis shrinks its size and its random choices)."""
    budget = draw(st.integers(min_value=0, max_value=30), label="size")
    rng: Rng = draw(st.randoms(use_true_random=False))
    tree = _table(rng, [budget], 0) if budget else {}
    nl = rng.choice(["\n", "\r\n"])
    lines: list[str] = []
    if rng.random() < 0.5:
        lines.append(_comment(rng))
    table_body(rng, tree, [], lines, nl)
    return nl.join(lines) + (nl if rng.random() < 0.8 else "")
