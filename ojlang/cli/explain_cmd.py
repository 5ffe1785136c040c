"""`oj explain CODE|SLUG` and `oj explain --list` (LANGUAGE.md §8)."""

from __future__ import annotations

import sys

from ojlang.cli.output import usage_error


def run_explain(code: str | None, list_: bool) -> int:
    from ojlang.validator import explain

    if list_:
        sys.stdout.write(explain.explain_list())
        return 0
    if not code:
        return usage_error(
            "name a code or slug, e.g. `oj explain OJ301`", "or list them all: `oj explain --list`"
        )
    try:
        text = explain.explain(code)
    except explain.UnknownCodeError as err:
        return usage_error(err.message, err.help)
    sys.stdout.write(text)
    return 0
