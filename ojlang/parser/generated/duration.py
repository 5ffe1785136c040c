"""Generated from `grammars/duration.lark` by `python -m ojlang.parser.lalr_gen`: do not edit.

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

GRAMMAR_SHA256: str = '7ed908a32b93673f717aa9e72cab2f3443c9f0764cc8a25d4f1617603c15172c'
POSITIONS: bool = True
START: int = 0
END: int = 4
ACTIONS: tuple[dict[str, int], ...] = ({'NUMBER': 1, '__start_plus_0': 2, 'part': 3, 'start': 4},
 {'$END': -3, 'NUMBER': -3, 'UNIT': 5},
 {'$END': -1, 'NUMBER': 1, 'part': 6},
 {'$END': -4, 'NUMBER': -4},
 {},
 {'$END': -2, 'NUMBER': -2},
 {'$END': -5, 'NUMBER': -5})
RULES: tuple[tuple[str, int, str, bool, Any, int], ...] = (('start', 1, 'start', False, ((0, True, 0),), 0),
 ('part', 2, 'part', False, None, 0),
 ('part', 1, 'part', False, None, 0),
 ('__start_plus_0', 1, '__start_plus_0', False, None, 0),
 ('__start_plus_0', 2, '__start_plus_0', False, ((0, True, 0), (1, False, 0)), 0))
LEXERS: tuple[Any, ...] = (('(?P<NUMBER>[0-9]+(\\.[0-9]+)?)|(?P<__IGNORE_0>[ \t]+)',
  ('NUMBER',),
  (),
  {},
  ('NUMBER', '__IGNORE_0')),
 ('(?P<NUMBER>[0-9]+(\\.[0-9]+)?)|(?P<UNIT>[A-Za-z]+)|(?P<__IGNORE_0>[ \t]+)',
  ('NUMBER', 'UNIT'),
  (),
  {},
  ('NUMBER', 'UNIT', '__IGNORE_0')),
 ('(?P<__IGNORE_0>[ \t]+)', ('<END-OF-FILE>',), (), {}, ('__IGNORE_0',)))
STATE_LEXERS: tuple[int, ...] = (0, 1, 0, 0, 2, 0, 0)
ROOT_LEXER: Any = ('(?P<NUMBER>[0-9]+(\\.[0-9]+)?)|(?P<UNIT>[A-Za-z]+)|(?P<__IGNORE_0>[ \t]+)',
 ('NUMBER', 'UNIT'),
 (),
 {},
 ('NUMBER', 'UNIT', '__IGNORE_0'))
IGNORE: tuple[str, ...] = ('__IGNORE_0',)
