"""Generated from `grammars/interpolation.lark` by `python -m ojlang.parser.lalr_gen`: do not edit.

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

GRAMMAR_SHA256: str = '8e0a61a4fca7714c7663e1fddcc6a504fc9b735a286ec0f6f0eeda099a928b91'
POSITIONS: bool = True
START: int = 0
END: int = 3
ACTIONS: tuple[dict[str, int], ...] = ({'NAME': 1, 'path': 2, 'start': 3},
 {'$END': -4, 'DOT': 4, 'LSQB': 5, '_PIPE': -4, '__path_star_1': 6, 'segment': 7},
 {'$END': -2, '_PIPE': 8, '__start_star_0': 9},
 {},
 {'NAME': 10},
 {'INT': 11, 'STRING': 12},
 {'$END': -3, 'DOT': 4, 'LSQB': 5, '_PIPE': -3, 'segment': 13},
 {'$END': -19, 'DOT': -19, 'LSQB': -19, '_PIPE': -19},
 {'NAME': 14, 'filter': 15},
 {'$END': -1, '_PIPE': 16},
 {'$END': -5, 'DOT': -5, 'LSQB': -5, '_PIPE': -5},
 {'RSQB': 17},
 {'RSQB': 18},
 {'$END': -20, 'DOT': -20, 'LSQB': -20, '_PIPE': -20},
 {'$END': -11, '_LPAR': 19, '_PIPE': -11},
 {'$END': -17, '_PIPE': -17},
 {'NAME': 14, 'filter': 20},
 {'$END': -6, 'DOT': -6, 'LSQB': -6, '_PIPE': -6},
 {'$END': -7, 'DOT': -7, 'LSQB': -7, '_PIPE': -7},
 {'FALSE': 21, 'NULL': 22, 'NUMBER': 23, 'STRING': 24, 'TRUE': 25, '_RPAR': 26, 'arg': 27},
 {'$END': -18, '_PIPE': -18},
 {'_COMMA': -15, '_RPAR': -15},
 {'_COMMA': -16, '_RPAR': -16},
 {'_COMMA': -13, '_RPAR': -13},
 {'_COMMA': -12, '_RPAR': -12},
 {'_COMMA': -14, '_RPAR': -14},
 {'$END': -10, '_PIPE': -10},
 {'_COMMA': 28, '_RPAR': 29, '__filter_star_2': 30},
 {'FALSE': 21, 'NULL': 22, 'NUMBER': 23, 'STRING': 24, 'TRUE': 25, 'arg': 31},
 {'$END': -9, '_PIPE': -9},
 {'_COMMA': 32, '_RPAR': 33},
 {'_COMMA': -21, '_RPAR': -21},
 {'FALSE': 21, 'NULL': 22, 'NUMBER': 23, 'STRING': 24, 'TRUE': 25, 'arg': 34},
 {'$END': -8, '_PIPE': -8},
 {'_COMMA': -22, '_RPAR': -22})
RULES: tuple[tuple[str, int, str, bool, Any, int], ...] = (('start', 2, 'start', False, ((0, False, 0), (1, True, 0)), 0),
 ('start', 1, 'start', False, None, 0),
 ('path', 2, 'path', False, ((0, False, 0), (1, True, 0)), 0),
 ('path', 1, 'path', False, None, 0),
 ('segment', 2, 'attr', False, ((1, False, 0),), 0),
 ('segment', 3, 'index', False, ((1, False, 0),), 0),
 ('segment', 3, 'key', False, ((1, False, 0),), 0),
 ('filter', 5, 'filter', False, ((0, False, 0), (2, False, 0), (3, True, 0)), 0),
 ('filter', 4, 'filter', False, ((0, False, 0), (2, False, 0)), 0),
 ('filter', 3, 'filter', False, ((0, False, 0),), 1),
 ('filter', 1, 'filter', False, None, 0),
 ('arg', 1, 'arg', True, None, 0),
 ('arg', 1, 'arg', True, None, 0),
 ('arg', 1, 'arg', True, None, 0),
 ('arg', 1, 'arg', True, None, 0),
 ('arg', 1, 'arg', True, None, 0),
 ('__start_star_0', 2, '__start_star_0', False, ((1, False, 0),), 0),
 ('__start_star_0', 3, '__start_star_0', False, ((0, True, 0), (2, False, 0)), 0),
 ('__path_star_1', 1, '__path_star_1', False, None, 0),
 ('__path_star_1', 2, '__path_star_1', False, ((0, True, 0), (1, False, 0)), 0),
 ('__filter_star_2', 2, '__filter_star_2', False, ((1, False, 0),), 0),
 ('__filter_star_2', 3, '__filter_star_2', False, ((0, True, 0), (2, False, 0)), 0))
LEXERS: tuple[Any, ...] = (('(?P<NAME>[A-Za-z_][A-Za-z0-9_]*)', ('NAME',), (), {}, ('NAME',)),
 ('(?P<_PIPE>[ \t]*\\|[ \t]*)|(?P<DOT>\\.)|(?P<LSQB>\\[)',
  ('DOT', 'LSQB', '_PIPE'),
  (),
  {},
  ('DOT', 'LSQB', '_PIPE')),
 ('(?P<_PIPE>[ \t]*\\|[ \t]*)', ('_PIPE',), (), {}, ('_PIPE',)),
 (None, ('<END-OF-FILE>',), (), {}, ()),
 ('(?P<STRING>(?:"([^"\\\\\n]|\\\\.)*"|\'([^\'\\\\\n]|\\\\.)*\'))|(?P<INT>[0-9]+)',
  ('INT', 'STRING'),
  ('STRING',),
  {},
  ('INT', 'STRING')),
 ('(?P<RSQB>\\])', ('RSQB',), (), {}, ('RSQB',)),
 ('(?P<_PIPE>[ \t]*\\|[ \t]*)|(?P<_LPAR>\\([ \t]*)',
  ('_LPAR', '_PIPE'),
  (),
  {},
  ('_LPAR', '_PIPE')),
 ('(?P<NUMBER>[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?)|(?P<STRING>(?:"([^"\\\\\n'
  ']|\\\\.)*"|\'([^\'\\\\\n'
  "]|\\\\.)*'))|(?P<_RPAR>[ \t]*\\))|(?P<FALSE>false)|(?P<NULL>null)|(?P<TRUE>true)",
  ('FALSE', 'NULL', 'NUMBER', 'STRING', 'TRUE', '_RPAR'),
  ('STRING',),
  {},
  ('FALSE', 'NULL', 'NUMBER', 'STRING', 'TRUE', '_RPAR')),
 ('(?P<_RPAR>[ \t]*\\))|(?P<_COMMA>,[ \t]*)', ('_COMMA', '_RPAR'), (), {}, ('_COMMA', '_RPAR')),
 ('(?P<NUMBER>[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?)|(?P<STRING>(?:"([^"\\\\\n'
  ']|\\\\.)*"|\'([^\'\\\\\n'
  "]|\\\\.)*'))|(?P<FALSE>false)|(?P<NULL>null)|(?P<TRUE>true)",
  ('FALSE', 'NULL', 'NUMBER', 'STRING', 'TRUE'),
  ('STRING',),
  {},
  ('FALSE', 'NULL', 'NUMBER', 'STRING', 'TRUE')))
STATE_LEXERS: tuple[int, ...] = (0,
 1,
 2,
 3,
 0,
 4,
 1,
 1,
 0,
 2,
 1,
 5,
 5,
 1,
 6,
 2,
 0,
 1,
 1,
 7,
 2,
 8,
 8,
 8,
 8,
 8,
 2,
 8,
 9,
 2,
 8,
 8,
 9,
 2,
 8)
ROOT_LEXER: Any = ('(?P<NUMBER>[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?)|(?P<STRING>(?:"([^"\\\\\n'
 ']|\\\\.)*"|\'([^\'\\\\\n'
 "]|\\\\.)*'))|(?P<NAME>[A-Za-z_][A-Za-z0-9_]*)|(?P<_PIPE>[ \t]*\\|[ \t]*)|(?P<_LPAR>\\([ \t"
 ']*)|(?P<_RPAR>[ \t]*\\))|(?P<INT>[0-9]+)|(?P<_COMMA>,[ \t'
 ']*)|(?P<DOT>\\.)|(?P<LSQB>\\[)|(?P<RSQB>\\])',
 ('DOT', 'INT', 'LSQB', 'NAME', 'NUMBER', 'RSQB', 'STRING', '_COMMA', '_LPAR', '_PIPE', '_RPAR'),
 ('STRING',),
 {'NAME': {'false': 'FALSE', 'null': 'NULL', 'true': 'TRUE'}},
 ('DOT', 'INT', 'LSQB', 'NAME', 'NUMBER', 'RSQB', 'STRING', '_COMMA', '_LPAR', '_PIPE', '_RPAR'))
IGNORE: tuple[str, ...] = ()
