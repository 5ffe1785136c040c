"""Generated from `grammars/order.lark` by `python -m ojlang.parser.lalr_gen`: do not edit.

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

GRAMMAR_SHA256: str = '69b373aac37292130b3b5460a41340f271fd6527ce62f22583403ea877f7be2d'
POSITIONS: bool = True
START: int = 0
END: int = 5
ACTIONS: tuple[dict[str, int], ...] = ({'NAME': 1, '_WS': 2, 'item': 3, 'path': 4, 'start': 5},
 {'$END': -12,
  'DIRECTION': -12,
  'DOT': 6,
  'LSQB': 7,
  '_COMMA': -12,
  '_WS': -12,
  '__path_star_1': 8,
  'segment': 9},
 {'NAME': 1, 'item': 10, 'path': 4},
 {'$END': -8, '_COMMA': 11, '_WS': 12, '__start_star_0': 13},
 {'$END': -10, 'DIRECTION': 14, '_COMMA': -10, '_WS': -10},
 {},
 {'NAME': 15},
 {'INT': 16, 'STRING': 17},
 {'$END': -11, 'DIRECTION': -11, 'DOT': 6, 'LSQB': 7, '_COMMA': -11, '_WS': -11, 'segment': 18},
 {'$END': -18, 'DIRECTION': -18, 'DOT': -18, 'LSQB': -18, '_COMMA': -18, '_WS': -18},
 {'$END': -4, '_COMMA': 11, '_WS': 19, '__start_star_0': 20},
 {'NAME': 1, 'item': 21, 'path': 4},
 {'$END': -7},
 {'$END': -6, '_COMMA': 22, '_WS': 23},
 {'$END': -9, '_COMMA': -9, '_WS': -9},
 {'$END': -13, 'DIRECTION': -13, 'DOT': -13, 'LSQB': -13, '_COMMA': -13, '_WS': -13},
 {'RSQB': 24},
 {'RSQB': 25},
 {'$END': -19, 'DIRECTION': -19, 'DOT': -19, 'LSQB': -19, '_COMMA': -19, '_WS': -19},
 {'$END': -3},
 {'$END': -2, '_COMMA': 22, '_WS': 26},
 {'$END': -16, '_COMMA': -16, '_WS': -16},
 {'NAME': 1, 'item': 27, 'path': 4},
 {'$END': -5},
 {'$END': -14, 'DIRECTION': -14, 'DOT': -14, 'LSQB': -14, '_COMMA': -14, '_WS': -14},
 {'$END': -15, 'DIRECTION': -15, 'DOT': -15, 'LSQB': -15, '_COMMA': -15, '_WS': -15},
 {'$END': -1},
 {'$END': -17, '_COMMA': -17, '_WS': -17})
RULES: tuple[tuple[str, int, str, bool, Any, int], ...] = (('start', 4, 'start', False, ((1, False, 0), (2, True, 0)), 0),
 ('start', 3, 'start', False, ((1, False, 0), (2, True, 0)), 0),
 ('start', 3, 'start', False, ((1, False, 0),), 0),
 ('start', 2, 'start', False, ((1, False, 0),), 0),
 ('start', 3, 'start', False, ((0, False, 0), (1, True, 0)), 0),
 ('start', 2, 'start', False, ((0, False, 0), (1, True, 0)), 0),
 ('start', 2, 'start', False, ((0, False, 0),), 0),
 ('start', 1, 'start', False, None, 0),
 ('item', 2, 'item', False, None, 0),
 ('item', 1, 'item', False, None, 0),
 ('path', 2, 'path', False, ((0, False, 0), (1, True, 0)), 0),
 ('path', 1, 'path', False, None, 0),
 ('segment', 2, 'attr', False, ((1, False, 0),), 0),
 ('segment', 3, 'index', False, ((1, False, 0),), 0),
 ('segment', 3, 'key', False, ((1, False, 0),), 0),
 ('__start_star_0', 2, '__start_star_0', False, ((1, False, 0),), 0),
 ('__start_star_0', 3, '__start_star_0', False, ((0, True, 0), (2, False, 0)), 0),
 ('__path_star_1', 1, '__path_star_1', False, None, 0),
 ('__path_star_1', 2, '__path_star_1', False, ((0, True, 0), (1, False, 0)), 0))
LEXERS: tuple[Any, ...] = (('(?P<NAME>[A-Za-z_][A-Za-z0-9_]*)|(?P<_WS>[ \t]+)', ('NAME', '_WS'), (), {}, ('NAME', '_WS')),
 ('(?P<DIRECTION>[ \t]+[A-Za-z_][A-Za-z0-9_]*)|(?P<_COMMA>[ \t]*,[ \t]*)|(?P<_WS>[ \t'
  ']+)|(?P<DOT>\\.)|(?P<LSQB>\\[)',
  ('DIRECTION', 'DOT', 'LSQB', '_COMMA', '_WS'),
  (),
  {},
  ('DIRECTION', 'DOT', 'LSQB', '_COMMA', '_WS')),
 ('(?P<NAME>[A-Za-z_][A-Za-z0-9_]*)', ('NAME',), (), {}, ('NAME',)),
 ('(?P<_COMMA>[ \t]*,[ \t]*)|(?P<_WS>[ \t]+)', ('_COMMA', '_WS'), (), {}, ('_COMMA', '_WS')),
 ('(?P<DIRECTION>[ \t]+[A-Za-z_][A-Za-z0-9_]*)|(?P<_COMMA>[ \t]*,[ \t]*)|(?P<_WS>[ \t]+)',
  ('DIRECTION', '_COMMA', '_WS'),
  (),
  {},
  ('DIRECTION', '_COMMA', '_WS')),
 (None, ('<END-OF-FILE>',), (), {}, ()),
 ('(?P<STRING>(?:"([^"\\\\\n]|\\\\.)*"|\'([^\'\\\\\n]|\\\\.)*\'))|(?P<INT>[0-9]+)',
  ('INT', 'STRING'),
  ('STRING',),
  {},
  ('INT', 'STRING')),
 ('(?P<RSQB>\\])', ('RSQB',), (), {}, ('RSQB',)))
STATE_LEXERS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 2, 6, 1, 1, 3, 2, 5, 3, 3, 1, 7, 7, 1, 5, 3, 3, 2, 5, 1, 1, 5, 3)
ROOT_LEXER: Any = ('(?P<DIRECTION>[ \t]+[A-Za-z_][A-Za-z0-9_]*)|(?P<_COMMA>[ \t]*,[ \t]*)|(?P<STRING>(?:"([^"\\\\\n'
 ']|\\\\.)*"|\'([^\'\\\\\n'
 "]|\\\\.)*'))|(?P<NAME>[A-Za-z_][A-Za-z0-9_]*)|(?P<INT>[0-9]+)|(?P<_WS>[ \t"
 ']+)|(?P<DOT>\\.)|(?P<LSQB>\\[)|(?P<RSQB>\\])',
 ('DIRECTION', 'DOT', 'INT', 'LSQB', 'NAME', 'RSQB', 'STRING', '_COMMA', '_WS'),
 ('STRING',),
 {},
 ('DIRECTION', 'DOT', 'INT', 'LSQB', 'NAME', 'RSQB', 'STRING', '_COMMA', '_WS'))
IGNORE: tuple[str, ...] = ()
