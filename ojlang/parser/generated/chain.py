"""Generated from `grammars/chain.lark` by `python -m ojlang.parser.lalr_gen`: do not edit.

LALR tables for `ojlang.parser.lalr`. ACTIONS[state][symbol]: n >= 0 shifts to state n,
n < 0 reduces by rule ~n. RULES[i]: (origin, size, callback name, `?rule` inlines a single
child, child filter `((index, inline, nones before), ...)` or None, nones appended).
LEXERS[i]: (regex alternation or None, terminals an error lists, terminals that may hold a
line break, {regex terminal: {literal: string terminal}}, terminals of the alternation);
STATE_LEXERS picks one per state.
"""

# fmt: off
# ruff: noqa: E501
from typing import Any

GRAMMAR_SHA256: str = '4755569ff39732141caccd7a3bf200401f8750b24888e73c6e0736f4098f96a7'
POSITIONS: bool = True
START: int = 0
END: int = 2
ACTIONS: tuple[dict[str, int], ...] = ({'NAME': 1, 'start': 2}, {'$END': -2, 'COLON': 3}, {}, {'ARG': 4}, {'$END': -1})
RULES: tuple[tuple[str, int, str, bool, Any, int], ...] = (('start', 3, 'start', False, ((0, False, 0), (2, False, 0)), 0),
 ('start', 1, 'start', False, None, 0))
LEXERS: tuple[Any, ...] = (('(?P<NAME>[A-Za-z_][A-Za-z0-9_-]*)', ('NAME',), (), {}, ('NAME',)),
 ('(?P<COLON>:)', ('COLON',), (), {}, ('COLON',)),
 (None, ('<END-OF-FILE>',), (), {}, ()),
 ('(?P<ARG>[^:\\s]+)', ('ARG',), ('ARG',), {}, ('ARG',)))
STATE_LEXERS: tuple[int, ...] = (0, 1, 2, 3, 2)
ROOT_LEXER: Any = ('(?P<NAME>[A-Za-z_][A-Za-z0-9_-]*)|(?P<ARG>[^:\\s]+)|(?P<COLON>:)',
 ('ARG', 'COLON', 'NAME'),
 ('ARG',),
 {},
 ('ARG', 'COLON', 'NAME'))
IGNORE: tuple[str, ...] = ()
