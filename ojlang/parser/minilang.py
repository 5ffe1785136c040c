"""One door to the mini-language parsers (LANGUAGE.md §4) for the AST builder.

Each function takes a decoded string and returns its AST or raises `MiniSyntaxError` with
decoded offsets. Modules are imported on first use, so a runbook that has no expression or
argument spec never loads those grammars (cold start of `oj check`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ojlang.parser.mini import MiniSyntaxError

if TYPE_CHECKING:
    from ojlang.parser.fields import Chain

__all__ = ["MiniSyntaxError"]


def scan_template(text: str) -> Any:
    from ojlang.parser.interpolation import scan_template as scan

    return scan(text)


def parse_duration(text: str, *, allow_zero: bool = False) -> Any:
    from ojlang.parser.durations import parse_duration as parse

    return parse(text, allow_zero=allow_zero)


def parse_expression(text: str) -> Any:
    from ojlang.parser.expressions import parse_expression as parse

    return parse(text)


def parse_on_fail(text: str) -> Any:
    from ojlang.parser.onfail import parse_on_fail as parse

    return parse(text)


def parse_order(text: str) -> Any:
    from ojlang.parser.order import parse_order as parse

    return parse(text)


def order_roots(order: Any) -> list[tuple[str, int, int]]:
    """(root name, start, end) of each key of a parsed `order`."""
    out = []
    for key in order.keys:
        root = key.path.root
        out.append((root.text, root.start, root.end))
    return out


def parse_args_spec(text: str) -> Any:
    from ojlang.parser.argspec import parse_args_spec as parse

    return parse(text)


def check_args_spec(spec: Any) -> list[MiniSyntaxError]:
    from ojlang.parser.argspec import check_args_spec as check

    return list(check(spec))


def parse_pattern(text: str) -> Any:
    from ojlang.parser.patterns import parse_pattern as parse

    return parse(text)


def pattern_warning(pattern: Any) -> MiniSyntaxError | None:
    """OJ413 when a reserved-scope pattern can match no built-in event."""
    from ojlang.parser.patterns import check_pattern

    found = check_pattern(pattern)
    return found[0] if found else None


def parse_chain_word(text: str) -> Any:
    from ojlang.parser.chains import parse_chain_word as parse

    return parse(text)


def check_chain(
    chain: Chain, context: str, action_names: list[str] | None = None
) -> list[tuple[int, MiniSyntaxError]]:
    """Context checks of a chain (§4.5): (index of the string, error) pairs."""
    from ojlang.parser.chains import check_chain as check

    words = [(item.node.value, index) for index, item in enumerate(chain.items)]
    return [
        (issue.element or 0, issue.error) for issue in check(words, context, action_names or ())
    ]


def builtin_function_names() -> frozenset[str]:
    from ojlang.parser.expressions import BUILTIN_FUNCTIONS

    return frozenset(BUILTIN_FUNCTIONS)


def regex_error(text: str) -> str | None:
    """Why `text` is not a valid Python regex, or None."""
    try:
        re.compile(text)
    except re.error as err:
        return str(err)
    return None
