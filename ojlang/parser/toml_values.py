"""TOML scalar tokens in, tree nodes out: strings decoded, numbers and dates checked (TOML 1.0).

The grammar's terminals are lax on purpose; this module decides validity so that every error
points at the exact characters: the bad escape inside a string, the control character, the
month of a date. Decoded values equal `tomllib`'s (CRLF in multi-line strings becomes LF;
fractions of a second are truncated to microseconds). One deliberate difference: integers
outside the signed 64-bit range are rejected, as TOML 1.0 requires (`tomllib` accepts them).
"""

from __future__ import annotations

import math
import re
from typing import Any, NoReturn

from ojlang.parser.errors import TomlError
from ojlang.parser.spans import Pos, SourceMap, Span, StringStyle
from ojlang.parser.toml_source import Source
from ojlang.parser.tomltree import DateTimeKind, Scalar, TBool, TDateTime, TFloat, TInteger, TString
from ojlang.validator.diagnostic import Label, diag

_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_VALID_ESCAPES = r"`\b` `\t` `\n` `\f` `\r` `\"` `\\` `\uXXXX` `\UXXXXXXXX`"

# Anything needing more than a slice: an escape or a forbidden control character.
BASIC_SLOW = re.compile(r"[\\\x00-\x08\x0a-\x1f\x7f]")
_ML_BASIC_SLOW = re.compile(r"[\\\x00-\x08\x0b-\x1f\x7f]")
_LITERAL_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_ML_LITERAL_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")
_ESCAPE = re.compile(
    r"""\\(?:
        ([btnfr"\\])
      | u([0-9A-Fa-f]{4})
      | U([0-9A-Fa-f]{8})
      | ([ \t]*\r?\n(?:[ \t\n]|\r\n)*)
      | (.?)
    )
    | (\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f])
    """,
    re.VERBOSE | re.DOTALL,
)

_MIN_INT = -(2**63)
_MAX_INT = 2**63 - 1


def fail(
    code: str,
    message: str,
    span: Span,
    label: str = "",
    *,
    help: str | None = None,
    labels: tuple[Label, ...] = (),
) -> NoReturn:
    """Raise the `TomlError` of one diagnostic."""
    raise TomlError(diag(code, message, span, label, help=help, labels=labels))


def control_name(char: str) -> str:
    """`U+0007`-style name of a character, for messages."""
    return f"U+{ord(char):04X}"


def _control_error(src: Source, offset: int, char: str, where: str, escapable: bool) -> NoReturn:
    if char == "\r":
        fail(
            "OJ003",
            f"carriage return without a line feed in {where}",
            src.span(offset, offset + 1),
            "bare carriage return",
            help="end lines with LF or CRLF",
        )
    fix = (
        f"write it as the escape `\\u{ord(char):04X}`"
        if escapable
        else f'use a basic string `"…"` and the escape `\\u{ord(char):04X}`'
    )
    fail(
        "OJ003",
        f"forbidden control character {control_name(char)} in {where}",
        src.span(offset, offset + 1),
        "control character",
        help=fix,
    )


def _decode_escapes(src: Source, base: int, body: str, multiline: bool) -> str:
    """Decode the body of a basic string whose first character is at offset `base`."""
    pieces: list[str] = []
    last = 0
    where = "a multi-line string" if multiline else "a string"
    for match in _ESCAPE.finditer(body):
        start = match.start()
        if start > last:
            piece = body[last:start]
            pieces.append(piece.replace("\r\n", "\n") if multiline else piece)
        last = match.end()
        simple, short, long, line_end, other, control = match.groups()
        if simple is not None:
            pieces.append(_ESCAPES[simple])
        elif short is not None or long is not None:
            digits = short if short is not None else long
            assert digits is not None
            code = int(digits, 16)
            if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
                fail(
                    "OJ001",
                    f"`{match.group()}` is not a Unicode scalar value",
                    src.span(base + start, base + last),
                    "invalid code point",
                    help="code points must be at most 10FFFF and not surrogates (D800-DFFF)",
                )
            pieces.append(chr(code))
        elif line_end is not None:
            pass  # a line-ending backslash yields nothing (only multi-line bodies hold `\n`)
        elif control is not None:
            _control_error(src, base + start, control, where, True)
        else:
            _escape_error(src, base + start, match.group(), other or "", multiline)
    if last < len(body):
        piece = body[last:]
        pieces.append(piece.replace("\r\n", "\n") if multiline else piece)
    return "".join(pieces)


def _escape_error(src: Source, offset: int, text: str, letter: str, multiline: bool) -> NoReturn:
    span = src.span(offset, offset + max(len(text), 1))
    if letter in ("u", "U"):
        width = 4 if letter == "u" else 8
        fail(
            "OJ001",
            f"`\\{letter}` must be followed by {width} hexadecimal digits",
            span,
            "incomplete escape",
            help=f"write `\\{letter}{'0' * (width - 4)}00E9`-style escapes, "
            "or `\\\\` for a backslash",
        )
    if letter in (" ", "\t") and multiline:
        fail(
            "OJ001",
            "a line-ending backslash must be the last thing on its line",
            span,
            "text after `\\`",
            help="remove what follows the `\\` on this line, or write `\\\\` for a backslash",
        )
    shown = "\\" + letter if letter and letter.isprintable() else "\\"
    fail(
        "OJ001",
        f"invalid escape `{shown}` in a string",
        span,
        "unknown escape",
        help=f"valid escapes are {_VALID_ESCAPES}; write `\\\\` for a backslash",
    )


def decode_basic(src: Source, token: Any) -> str:
    """The value of a `"…"` token."""
    body: str = token.value[1:-1]
    if BASIC_SLOW.search(body) is None:
        return body
    return _decode_escapes(src, token.start_pos + 1, body, False)


def decode_literal(src: Source, token: Any) -> str:
    """The value of a `'…'` token."""
    body: str = token.value[1:-1]
    bad = _LITERAL_BAD.search(body)
    if bad is not None:
        _control_error(src, token.start_pos + 1 + bad.start(), bad.group(), "a string", False)
    return body


def _ml_body(token: Any) -> tuple[str, int]:
    body: str = token.value[3:-3]
    skip = 0
    if body.startswith("\n"):
        skip = 1
    elif body.startswith("\r\n"):
        skip = 2
    return body[skip:], token.start_pos + 3 + skip


def decode_ml_basic(src: Source, token: Any) -> str:
    """The value of a `\"\"\"…\"\"\"` token."""
    body, base = _ml_body(token)
    if _ML_BASIC_SLOW.search(body) is None:
        return body.replace("\r\n", "\n") if "\r" in body else body
    return _decode_escapes(src, base, body, True)


def decode_ml_literal(src: Source, token: Any) -> str:
    """The value of a `'''…'''` token."""
    body, base = _ml_body(token)
    bad = _ML_LITERAL_BAD.search(body)
    if bad is not None:
        _control_error(src, base + bad.start(), bad.group(), "a multi-line string", False)
    return body.replace("\r\n", "\n") if "\r" in body else body


def string_node(src: Source, token: Any, style: StringStyle, value: str) -> TString:
    _, raw, _, _, line, column, end_line, end_column, byte_start, byte_end = token
    path = src.path
    base = src.byte_base
    span = Span(path, line, column, end_line, end_column, byte_start + base, byte_end + base)
    start = Pos(line, column, byte_start + base)
    return TString(value, span, style, SourceMap(path, raw, start, style))


# -- numbers, booleans, dates ------------------------------------------------------------------

_DEC = re.compile(r"[+-]?(?:0|[1-9](?:_?[0-9])*)")
_HEX = re.compile(r"0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*")
_OCT = re.compile(r"0o[0-7](?:_?[0-7])*")
_BIN = re.compile(r"0b[01](?:_?[01])*")
_FLOAT = re.compile(
    r"[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
)
_SPECIAL_FLOATS = {
    "inf": math.inf,
    "+inf": math.inf,
    "-inf": -math.inf,
    "nan": math.nan,
    "+nan": math.nan,
    "-nan": -math.nan,
}
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
)
_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?")
_DIGITS = frozenset("0123456789")
_DATE_LIKE = re.compile(r"[0-9]+(?:-[0-9]|:)")


def atom_node(src: Source, token: Any) -> Scalar:
    """The node of an `ATOM` token: a boolean, integer, float or date/time."""
    text: str = token.value
    if text == "true":
        return TBool(True, src.token_span(token))
    if text == "false":
        return TBool(False, src.token_span(token))
    if _DEC.fullmatch(text):
        value = int(text)
        if not _MIN_INT <= value <= _MAX_INT:
            _too_big(src, token, text)
        return TInteger(value, src.token_span(token))
    first = text[0]
    if first in _DIGITS or first in "+-":
        if text in _SPECIAL_FLOATS:
            return TFloat(_SPECIAL_FLOATS[text], src.token_span(token))
        if len(text) > 4 and text[4] == "-" and text[:4].isdigit():
            return _datetime(src, token, text)
        if len(text) > 2 and text[2] == ":" and text[:2].isdigit():
            return _time(src, token, text)
        if _DATE_LIKE.match(text):
            _date_shape_error(src, token, text)
        prefix = text[:2]
        if prefix in ("0x", "0o", "0b"):
            pattern = _HEX if prefix == "0x" else _OCT if prefix == "0o" else _BIN
            if pattern.fullmatch(text):
                value = int(text, 0)
                if value > _MAX_INT:
                    _too_big(src, token, text)
                return TInteger(value, src.token_span(token))
        elif _FLOAT.fullmatch(text):
            return TFloat(float(text), src.token_span(token))
        _number_error(src, token, text)
    if text in _SPECIAL_FLOATS:
        return TFloat(_SPECIAL_FLOATS[text], src.token_span(token))
    _word_error(src, token, text)


def _too_big(src: Source, token: Any, text: str) -> NoReturn:
    fail(
        "OJ001",
        f"integer `{text}` does not fit in 64 bits",
        src.token_span(token),
        "out of range",
        help=f"TOML integers range from {_MIN_INT} to {_MAX_INT}",
    )


def _number_error(src: Source, token: Any, text: str) -> NoReturn:
    span = src.token_span(token)
    unsigned = text.lstrip("+-")
    kinds = {"0x": "hexadecimal", "0o": "octal", "0b": "binary"}
    if unsigned[:2].lower() in kinds and unsigned[:2] not in kinds:
        fail(
            "OJ001",
            f"invalid number `{text}`: the prefix `{unsigned[:2]}` must be lowercase",
            span,
            help=f"write `{unsigned[:2].lower()}{unsigned[2:]}`",
        )
    if unsigned[:2] in kinds and unsigned != text:
        fail(
            "OJ001",
            f"invalid number `{text}`: {kinds[unsigned[:2]]} integers cannot have a sign",
            span,
            help=f"write `{unsigned}`",
        )
    if "__" in text or text.startswith("_") or text.endswith("_") or re.search(r"_\D|\D_", text):
        fail(
            "OJ001",
            f"invalid number `{text}`: an underscore must sit between two digits",
            span,
        )
    if unsigned[:2] in kinds:
        fail(
            "OJ001",
            f"invalid {kinds[unsigned[:2]]} integer `{text}`",
            span,
            help="hexadecimal digits are 0-9 a-f, octal 0-7, binary 0 and 1",
        )
    if re.match(r"[+-]?0[0-9]", text):
        fixed = re.sub(r"^([+-]?)0+(?=[0-9])", r"\1", text)
        fail(
            "OJ001",
            f"invalid number `{text}`: leading zeros are not allowed",
            span,
            "leading zero",
            help=f"write `{fixed}`",
        )
    if re.search(r"\.(?![0-9])|(?<![0-9])\.", text):
        fail(
            "OJ001",
            f"invalid float `{text}`: a decimal point needs digits on both sides",
            span,
            help="write `0.5` rather than `.5`, and `1.0` rather than `1.`",
        )
    if re.search(r"[eE][+-]?(?![0-9])", text):
        fail("OJ001", f"invalid float `{text}`: the exponent has no digits", span)
    fail("OJ001", f"invalid number `{text}`", span, "not a number")


def _word_error(src: Source, token: Any, text: str) -> NoReturn:
    span = src.token_span(token)
    lowered = text.lower()
    if lowered in ("true", "false"):
        fail("OJ001", f"invalid value `{text}`", span, help=f"booleans are lowercase: `{lowered}`")
    if lowered.lstrip("+-") in ("inf", "nan"):
        fail(
            "OJ001",
            f"invalid value `{text}`",
            span,
            help=f"special floats are lowercase: `{lowered}`",
        )
    fail(
        "OJ001",
        f"invalid value `{text}`",
        span,
        "not a TOML value",
        help=f'strings must be quoted: `"{text}"`',
    )


def _field(src: Source, token: Any, text: str, match: re.Match[str], group: int, msg: str) -> None:
    start = token.start_pos + match.start(group)
    fail(
        "OJ001",
        f"invalid date-time `{text}`: {msg}",
        src.span(start, token.start_pos + match.end(group)),
        "out of range",
    )


def _check_time(
    src: Source, token: Any, text: str, match: re.Match[str], first: int
) -> tuple[int, int, int, int]:
    hour, minute, second = (int(match.group(first + i)) for i in range(3))
    if hour > 23:
        _field(src, token, text, match, first, f"hour {hour} is out of range (00-23)")
    if minute > 59:
        _field(src, token, text, match, first + 1, f"minute {minute} is out of range (00-59)")
    if second > 59:
        _field(src, token, text, match, first + 2, f"second {second} is out of range (00-59)")
    fraction = match.group(first + 3)
    micros = int(fraction[:6].ljust(6, "0")) if fraction else 0
    return hour, minute, second, micros


def _datetime(src: Source, token: Any, text: str) -> TDateTime:
    import calendar  # date-times are rare in runbooks: imported when one is met
    import datetime as dt

    match = _DATETIME.fullmatch(text)
    if match is None:
        _date_shape_error(src, token, text)
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if year == 0:
        _field(src, token, text, match, 1, "year 0 cannot be represented")
    if not 1 <= month <= 12:
        _field(src, token, text, match, 2, f"month {month} does not exist")
    last_day = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last_day:
        name = calendar.month_name[month]
        _field(src, token, text, match, 3, f"{name} {year} has no day {day}")
    span = src.token_span(token)
    if match.group(4) is None:
        return TDateTime(dt.date(year, month, day), span, DateTimeKind.LOCAL_DATE, text)
    hour, minute, second, micros = _check_time(src, token, text, match, 4)
    offset = match.group(8)
    if offset is None:
        value = dt.datetime(year, month, day, hour, minute, second, micros)
        return TDateTime(value, span, DateTimeKind.LOCAL_DATETIME, text)
    if offset in ("Z", "z"):
        tz = dt.UTC
    else:
        off_hour, off_minute = int(offset[1:3]), int(offset[4:6])
        if off_hour > 23 or off_minute > 59:
            start = token.start_pos + match.start(8)
            fail(
                "OJ001",
                f"invalid date-time `{text}`: offset `{offset}` is out of range",
                src.span(start, start + len(offset)),
                "out of range",
                help="offsets run from -23:59 to +23:59",
            )
        delta = dt.timedelta(hours=off_hour, minutes=off_minute)
        tz = dt.timezone(-delta if offset[0] == "-" else delta)
    value = dt.datetime(year, month, day, hour, minute, second, micros, tzinfo=tz)
    return TDateTime(value, span, DateTimeKind.OFFSET_DATETIME, text)


def _time(src: Source, token: Any, text: str) -> TDateTime:
    import datetime as dt

    match = _TIME.fullmatch(text)
    if match is None:
        _date_shape_error(src, token, text)
    hour, minute, second, micros = _check_time(src, token, text, match, 1)
    value = dt.time(hour, minute, second, micros)
    return TDateTime(value, src.token_span(token), DateTimeKind.LOCAL_TIME, text)


def _date_shape_error(src: Source, token: Any, text: str) -> NoReturn:
    help = (
        "write dates as `YYYY-MM-DD`, times as `HH:MM:SS` (seconds are required), and "
        "date-times as `YYYY-MM-DDTHH:MM:SS` with an optional `.fraction` and `Z` or `±HH:MM`"
    )
    fail("OJ001", f"invalid date-time `{text}`", src.token_span(token), "malformed", help=help)
