"""`grammars/<name>.lark` in, `generated/<name>.py` out: lark's LALR tables as plain Python data.

Theory of operation. At build time lark compiles each grammar exactly as the parsers used it
at run time before (LALR, contextual lexer, positions propagated for the mini-languages) and
this module writes down what lark derived: the parse table, for every rule how lark shapes
its tree node (alias, `?rule` inlining, filtered tokens, `_rule` inlining, `[x]`
placeholders), and for every parser state the scanner of its contextual lexer (the regex
alternation in lark's terminal order, the string terminals lark folds into a regex terminal,
the terminals an error lists). `ojlang.parser.lalr` runs that data without importing lark,
so a cold `oj check` neither imports lark nor recompiles grammars and lexer regexes.

The `.lark` files stay the source of truth: each generated module records the SHA-256 of its
grammar, `tests/parser/test_lalr_gen.py` fails when one is stale, and
`python -m ojlang.parser.lalr_gen` (`make grammars`) regenerates them all.
"""

from __future__ import annotations

import hashlib
import pprint
import sys
from importlib import resources
from pathlib import Path
from typing import Any

GRAMMARS = (
    "args",
    "chain",
    "duration",
    "expression",
    "interpolation",
    "on_fail",
    "order",
    "pattern",
    "toml",
)
# The TOML grammar's rules call `toml_build.Build`; it needs no positions on tree nodes.
_NO_POSITIONS = frozenset({"toml"})
GENERATED = Path(__file__).parent / "generated"
# Bump when the layout of the generated modules changes (they record it).
FORMAT = 2


def grammar_text(name: str) -> str:
    return (resources.files("ojlang.parser") / "grammars" / f"{name}.lark").read_text("utf-8")


def grammar_digest(name: str) -> str:
    """What a generated module must record to be up to date: grammar text and format."""
    text = grammar_text(name)
    return hashlib.sha256(f"{FORMAT}\n{text}".encode()).hexdigest()


def compile_grammar(name: str) -> Any:
    """The `Lark` object the tables are read from (imports lark)."""
    from lark import Lark

    return Lark(
        grammar_text(name),
        parser="lalr",
        lexer="contextual",
        propagate_positions=name not in _NO_POSITIONS,
        import_paths=[str(Path(__file__).parent / "grammars")],
    )


def _scanner(
    lexer: Any,
) -> tuple[str | None, tuple[str, ...], tuple[str, ...], dict[str, Any], tuple[str, ...]]:
    """(pattern, terminals listed on error, terminals that may hold `\\n`, folded strings,
    terminals of the pattern)."""
    from lark.lexer import PatternStr, UnlessCallback

    scanner = lexer.scanner
    mres = scanner._mres
    assert len(mres) <= 1, "more than 100 terminals in one state"
    pattern = mres[0].pattern if mres else None
    allowed = scanner.allowed_types - lexer.ignore_types or {"<END-OF-FILE>"}
    unless: dict[str, dict[str, str]] = {}
    for name, callback in sorted(lexer.callback.items()):
        assert isinstance(callback, UnlessCallback), f"unexpected lexer callback on {name}"
        folded: dict[str, str] = {}
        for terminal in callback.scanner.terminals:
            assert isinstance(terminal.pattern, PatternStr) and not terminal.pattern.flags
            folded.setdefault(terminal.pattern.value, terminal.name)
        unless[name] = folded
    newline = tuple(sorted(lexer.newline_types & scanner.allowed_types))
    return pattern, tuple(sorted(allowed)), newline, unless, tuple(sorted(scanner.allowed_types))


def _child_filter(rule: Any, maybe_placeholders: bool) -> tuple[Any, int]:
    """Lark's child filter of `rule`: ((index, inline, nones before), …) and nones after."""
    from lark.parse_tree_builder import (
        ChildFilterLALR,
        ChildFilterLALR_NoPlaceholders,
        maybe_create_child_filter,
    )

    empty: Any = rule.options.empty_indices if maybe_placeholders else None
    made = maybe_create_child_filter(rule.expansion, rule.options.keep_all_tokens, False, empty)
    if made is None:
        return None, 0
    if made.func is ChildFilterLALR:
        include, append_none = made.args
        return tuple((i, bool(x), n) for i, x, n in include), append_none
    assert made.func is ChildFilterLALR_NoPlaceholders
    (include,) = made.args
    return tuple((i, bool(x), 0) for i, x in include), 0


def _canonical_order(states: dict[Any, Any], start: Any) -> list[Any]:
    """The states in breadth-first order of their shifts from `start`, symbols sorted.

    Lark numbers states in an order that depends on string hashing, so it changes from one
    process to the next; this order makes the generated modules the same on every run.
    """
    from lark.parsers.lalr_analysis import Shift

    order = [start]
    seen = {start}
    for state in order:
        for _, (kind, arg) in sorted(states[state].items()):
            if kind is Shift and arg not in seen:
                seen.add(arg)
                order.append(arg)
    assert len(order) == len(states), "a state no shift reaches"
    return order


def tables(name: str) -> dict[str, Any]:
    """Everything `ojlang.parser.lalr` needs to parse with grammar `name`."""
    from lark.parsers.lalr_analysis import Shift

    lark = compile_grammar(name)
    assert not lark.lexer_conf.g_regex_flags and not lark.options.postlex
    conf = lark.parse_interactive("").parser_state.parse_conf
    rules = list(lark.rules)
    index = {id(rule): i for i, rule in enumerate(rules)}
    states = conf.parse_table.states
    order = _canonical_order(states, conf.start_state)
    number = {state: i for i, state in enumerate(order)}
    actions = []
    for state in order:
        row = {}
        for symbol, (kind, arg) in sorted(states[state].items()):
            row[str(symbol)] = number[arg] if kind is Shift else ~index[id(arg)]
        actions.append(row)
    shaped = []
    for rule in rules:
        include, append_none = _child_filter(rule, lark.options.maybe_placeholders)
        callback = rule.alias or rule.options.template_source or rule.origin.name
        expand1 = bool(rule.options.expand1 and not rule.alias)
        origin = str(rule.origin.name)
        shaped.append((origin, len(rule.expansion), str(callback), expand1, include, append_none))
    contextual = lark.parser.lexer
    scanners: list[Any] = []
    state_lexers = []
    for state in order:
        scanner = _scanner(contextual.lexers[state])
        if scanner not in scanners:
            scanners.append(scanner)
        state_lexers.append(scanners.index(scanner))
    return {
        "GRAMMAR_SHA256": grammar_digest(name),
        "POSITIONS": name not in _NO_POSITIONS,
        "START": number[conf.start_state],
        "END": number[conf.end_state],
        "ACTIONS": tuple(actions),
        "RULES": tuple(shaped),
        "LEXERS": tuple(scanners),
        "STATE_LEXERS": tuple(state_lexers),
        "ROOT_LEXER": _scanner(contextual.root_lexer),
        "IGNORE": tuple(sorted(lark.lexer_conf.ignore)),
    }


_HEADER = '''\
"""Generated from `grammars/{name}.lark` by `python -m ojlang.parser.lalr_gen`: do not edit.

LALR tables for `ojlang.parser.lalr`. ACTIONS[state][symbol]: n >= 0 shifts to state n,
n < 0 reduces by rule ~n. RULES[i]: (origin, size, callback name, `?rule` inlines a single
child, child filter `((index, inline, nones before), ...)` or None, nones appended).
LEXERS[i]: (regex alternation or None, terminals an error lists, terminals that may hold a
line break, {{regex terminal: {{literal: string terminal}}}}, terminals of the alternation);
STATE_LEXERS picks one per state.
"""

# fmt: off
'''


def render(name: str) -> str:
    data = tables(name)
    out = [_HEADER.format(name=name)]
    types = {
        "GRAMMAR_SHA256": "str",
        "POSITIONS": "bool",
        "START": "int",
        "END": "int",
        "ACTIONS": "tuple[dict[str, int], ...]",
        "RULES": "tuple[tuple[str, int, str, bool, Any, int], ...]",
        "LEXERS": "tuple[Any, ...]",
        "STATE_LEXERS": "tuple[int, ...]",
        "ROOT_LEXER": "Any",
        "IGNORE": "tuple[str, ...]",
    }
    out.append("from typing import Any\n\n")
    for key, value in data.items():
        text = pprint.pformat(value, width=100, sort_dicts=False)
        out.append(f"{key}: {types[key]} = {text}\n")
    text = "".join(out)
    if any(len(line) > 100 for line in text.splitlines()):
        text = text.replace("# fmt: off\n", "# fmt: off\n# ruff: noqa: E501\n", 1)
    return text


def main(argv: list[str]) -> int:
    names = argv or list(GRAMMARS)
    GENERATED.mkdir(exist_ok=True)
    init = GENERATED / "__init__.py"
    if not init.exists():
        init.write_text(
            '"""LALR tables generated from `../grammars/*.lark` (see `lalr_gen`)."""\n',
            encoding="utf-8",
        )
    for name in names:
        path = GENERATED / f"{name}.py"
        path.write_text(render(name), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
