"""toml-test decoder: TOML bytes on stdin in, toml-test tagged JSON on stdout (exit 0).

Invalid input prints one line `path:line:col: error[OJxxx] message` on stderr and exits 1.
Unlike runbooks, a leading UTF-8 byte order mark is accepted here (toml-test has valid
files that start with one). Run as `python -m ojlang.parser.decode`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from typing import Any, BinaryIO, TextIO

from ojlang.parser.errors import TomlError
from ojlang.parser.toml import parse_toml
from ojlang.parser.tomltree import (
    DateTimeKind,
    TArray,
    TBool,
    TDateTime,
    TFloat,
    TInteger,
    TString,
    TTable,
    Value,
)

DISPLAY_PATH = "<stdin>"


def _fraction(micros: int) -> str:
    if not micros:
        return ""
    digits = f"{micros:06d}".rstrip("0")
    return "." + digits.ljust(3, "0")


def _clock(value: dt.time | dt.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return text + _fraction(value.microsecond)


def datetime_text(node: TDateTime) -> str:
    """RFC 3339 text in toml-test's style: `T`, `Z` for UTC, milliseconds when fractional."""
    value = node.value
    if node.kind is DateTimeKind.LOCAL_DATE:
        return value.isoformat()
    if isinstance(value, dt.time):
        return _clock(value)
    assert isinstance(value, dt.datetime)
    # Not `strftime`: its `%Y` does not pad years below 1000 on every platform.
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{_clock(value)}"
    offset = value.utcoffset()
    if offset is None:
        return text
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def tagged(node: Value) -> Any:
    """The toml-test tagged JSON value of a node."""
    if isinstance(node, TTable):
        return {name: tagged(entry.value) for name, entry in node.entries.items()}
    if isinstance(node, TArray):
        return [tagged(item) for item in node.items]
    if isinstance(node, TString):
        return {"type": "string", "value": node.value}
    if isinstance(node, TBool):
        return {"type": "bool", "value": "true" if node.value else "false"}
    if isinstance(node, TInteger):
        return {"type": "integer", "value": str(node.value)}
    if isinstance(node, TFloat):
        return {"type": "float", "value": _float_text(node.value)}
    return {"type": node.kind.value, "value": datetime_text(node)}


def main(stdin: BinaryIO | None = None, stdout: TextIO | None = None) -> int:
    """Decode stdin; the exit status is 0 for valid TOML and 1 otherwise."""
    data = (stdin or sys.stdin.buffer).read()
    out = stdout or sys.stdout
    try:
        doc = parse_toml(data, DISPLAY_PATH, allow_bom=True)
    except TomlError as exc:
        d = exc.diagnostic
        print(
            f"{d.span.file}:{d.span.line}:{d.span.col}: error[{d.code}] {d.message}",
            file=sys.stderr,
        )
        return 1
    json.dump(tagged(doc.root), out, ensure_ascii=True, indent=1)
    out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
