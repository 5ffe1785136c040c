"""Generated from `grammars/on_fail.lark` by `python -m ojlang.parser.lalr_gen`: do not edit.

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

GRAMMAR_SHA256: str = '0e24af733d809ea1fd6033d0a2c28f150c6765754d662c70a7b67267f60008c5'
POSITIONS: bool = True
START: int = 0
END: int = 6
ACTIONS: tuple[dict[str, int], ...] = ({'ESCALATE': 1, 'FAIL': 2, 'PHASE': 3, 'RETRY': 4, 'STRATEGY': 5, 'start': 6},
 {'$END': -1},
 {'$END': -2},
 {'$END': -7},
 {'$END': -5, 'COLON': 7},
 {'COLON': 8},
 {},
 {'ARG': 9},
 {'ARG': 10},
 {'$END': -4, 'COLON': 11},
 {'$END': -6},
 {'ARG': 12},
 {'$END': -3})
RULES: tuple[tuple[str, int, str, bool, Any, int], ...] = (('start', 1, 'escalate', False, None, 0),
 ('start', 1, 'fail', False, None, 0),
 ('start', 5, 'retry', False, ((0, False, 0), (2, False, 0), (4, False, 0)), 0),
 ('start', 3, 'retry', False, ((0, False, 0), (2, False, 0)), 0),
 ('start', 1, 'retry', False, None, 0),
 ('start', 3, 'strategy', False, ((0, False, 0), (2, False, 0)), 0),
 ('start', 1, 'phase', False, None, 0))
LEXERS: tuple[Any, ...] = (('(?P<PHASE>[A-Za-z_][A-Za-z0-9_-]*)',
  ('PHASE',),
  (),
  {'PHASE': {'escalate': 'ESCALATE', 'strategy': 'STRATEGY', 'retry': 'RETRY', 'fail': 'FAIL'}},
  ('PHASE',)),
 (None, ('<END-OF-FILE>',), (), {}, ()),
 ('(?P<COLON>:)', ('COLON',), (), {}, ('COLON',)),
 ('(?P<ARG>[^:\\s]+)', ('ARG',), ('ARG',), {}, ('ARG',)))
STATE_LEXERS: tuple[int, ...] = (0, 1, 1, 1, 2, 2, 1, 3, 3, 2, 1, 3, 1)
ROOT_LEXER: Any = ('(?P<PHASE>[A-Za-z_][A-Za-z0-9_-]*)|(?P<ARG>[^:\\s]+)|(?P<COLON>:)',
 ('ARG', 'COLON', 'PHASE'),
 ('ARG',),
 {'ARG': {'escalate': 'ESCALATE', 'strategy': 'STRATEGY', 'retry': 'RETRY', 'fail': 'FAIL'},
  'PHASE': {'escalate': 'ESCALATE', 'strategy': 'STRATEGY', 'retry': 'RETRY', 'fail': 'FAIL'}},
 ('ARG', 'COLON', 'PHASE'))
IGNORE: tuple[str, ...] = ()
