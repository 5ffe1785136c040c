"""The vendored toml-test suite: where it is, which files apply, and tagged JSON compared by value.

The suite lives in `shared/vendor/toml-test`, beside the repository (`../shared` from the repo
root, in development and in CI). `OJ_TOML_TEST_DIR` overrides the location. A missing suite
is an error, never a silent skip.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def suite_dir() -> Path:
    """The toml-test directory, or `FileNotFoundError` saying where it was looked for."""
    override = os.environ.get("OJ_TOML_TEST_DIR")
    candidates = [Path(override)] if override else []
    candidates += [
        REPO.parent / "shared" / "vendor" / "toml-test",
        REPO / "shared" / "vendor" / "toml-test",
    ]
    for candidate in candidates:
        if (candidate / "files-toml-1.0.0").is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"the vendored toml-test suite is missing (looked in: {looked})")


def toml_files(kind: str) -> list[str]:
    """The `valid` or `invalid` TOML files of the TOML 1.0.0 selection, relative paths."""
    listing = (suite_dir() / "files-toml-1.0.0").read_text(encoding="utf-8").split()
    return [f for f in listing if f.startswith(f"{kind}/") and f.endswith(".toml")]


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(_fraction(text))


def _fraction(text: str) -> str:
    """Fractions of a second cut to microseconds, as tomllib does (`fromisoformat` needs 3 or 6)."""
    head, dot, rest = text.partition(".")
    if not dot:
        return text
    digits = ""
    while rest and rest[0].isdigit():
        digits, rest = digits + rest[0], rest[1:]
    return f"{head}.{digits[:6].ljust(6, '0')}{rest}"


def tagged_value(node: Any) -> Any:
    """Tagged JSON (as toml-test writes it) as comparable Python values.

    Datetimes become `datetime`/`date`/`time` objects (so `Z` equals `+00:00`), integers
    `int`, floats `float` with NaN as the string `"nan"` (NaN is not equal to itself).
    """
    if isinstance(node, list):
        return [tagged_value(item) for item in node]
    if isinstance(node, dict) and set(node) == {"type", "value"} and isinstance(node["type"], str):
        kind, text = node["type"], node["value"]
        if kind == "string":
            return ("string", text)
        if kind == "integer":
            return ("integer", int(text))
        if kind == "float":
            value = float(text)
            return ("float", "nan" if math.isnan(value) else value)
        if kind == "bool":
            return ("bool", text == "true")
        if kind == "datetime":
            stamp = _fraction(text.replace("z", "Z").replace("t", "T").replace(" ", "T"))
            return ("datetime", dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")))
        if kind == "datetime-local":
            return ("datetime-local", dt.datetime.fromisoformat(_fraction(text.replace(" ", "T"))))
        if kind == "date-local":
            return ("date-local", dt.date.fromisoformat(text))
        if kind == "time-local":
            return ("time-local", _time(text))
        raise ValueError(f"unknown toml-test type {kind!r}")
    if isinstance(node, dict):
        return {key: tagged_value(value) for key, value in node.items()}
    raise ValueError(f"not tagged JSON: {node!r}")


def comparable(value: Any) -> Any:
    """A plain TOML value (as `tomllib` gives it) that compares strictly: each scalar is
    tagged with its type (so `True` differs from `1` and `1` from `1.0`) and NaN equals NaN."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)
