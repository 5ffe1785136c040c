"""Generated from `grammars/toml.lark` by `python -m ojlang.parser.lalr_gen`: do not edit.

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

GRAMMAR_SHA256: str = '58a0bae7d094d38a632fa6b257c40f8f94b7067861830d83b6361d1c6f012afc'
POSITIONS: bool = False
START: int = 0
END: int = 14
ACTIONS: tuple[dict[str, int], ...] = ({'$END': -2,
  'ARRAY_HEADER': 1,
  'BARE_KEY': 2,
  'BASIC_STRING': 3,
  'KEY_EQ': 4,
  'KEY_VALUE': 5,
  'LDSQB': 6,
  'LITERAL_STRING': 7,
  'LSQB': 8,
  'NL': 9,
  'TABLE_HEADER': 10,
  'array_table': 11,
  'body': 12,
  'key': 13,
  'start': 14,
  'table': 15},
 {'$END': -11, 'NL': -11},
 {'DOT': -26, 'EQUAL': -26, 'RDSQB': -26, 'RSQB': -26},
 {'DOT': -27, 'EQUAL': -27, 'RDSQB': -27, 'RSQB': -27},
 {'ATOM': 16,
  'BASIC_STRING': 17,
  'LBRACE': 18,
  'LITERAL_STRING': 19,
  'LSQB': 20,
  'ML_BASIC_STRING': 21,
  'ML_LITERAL_STRING': 22,
  'array': 23,
  'inline_table': 24,
  'value': 25},
 {'$END': -7, 'NL': -7},
 {'BARE_KEY': 2, 'BASIC_STRING': 3, 'LITERAL_STRING': 7, 'key': 26},
 {'DOT': -28, 'EQUAL': -28, 'RDSQB': -28, 'RSQB': -28},
 {'BARE_KEY': 2, 'BASIC_STRING': 3, 'LITERAL_STRING': 7, 'key': 27},
 {'$END': -1,
  'ARRAY_HEADER': 1,
  'BARE_KEY': 2,
  'BASIC_STRING': 3,
  'KEY_EQ': 4,
  'KEY_VALUE': 5,
  'LDSQB': 6,
  'LITERAL_STRING': 7,
  'LSQB': 8,
  'TABLE_HEADER': 10,
  'array_table': 11,
  'body': 28,
  'key': 13,
  'table': 15},
 {'$END': -10, 'NL': -10},
 {'$END': -13, 'NL': -13},
 {'$END': -6, 'NL': 29},
 {'DOT': 30, 'EQUAL': 31},
 {},
 {'$END': -12, 'NL': -12},
 {'$END': -36, 'COMMA': -36, 'NL': -36, 'RBRACE': -36, 'RSQB': -36},
 {'$END': -32, 'COMMA': -32, 'NL': -32, 'RBRACE': -32, 'RSQB': -32},
 {'BARE_KEY': 2,
  'BASIC_STRING': 3,
  'KEY_EQ': 32,
  'KEY_VALUE': 33,
  'LITERAL_STRING': 7,
  'RBRACE': 34,
  'key': 35,
  'keyval': 36,
  'pairs': 37},
 {'$END': -33, 'COMMA': -33, 'NL': -33, 'RBRACE': -33, 'RSQB': -33},
 {'ATOM': 16,
  'BASIC_STRING': 17,
  'LBRACE': 18,
  'LITERAL_STRING': 19,
  'LSQB': 20,
  'ML_BASIC_STRING': 21,
  'ML_LITERAL_STRING': 22,
  'RSQB': 38,
  'array': 23,
  'inline_table': 24,
  'items': 39,
  'value': 40},
 {'$END': -34, 'COMMA': -34, 'NL': -34, 'RBRACE': -34, 'RSQB': -34},
 {'$END': -35, 'COMMA': -35, 'NL': -35, 'RBRACE': -35, 'RSQB': -35},
 {'$END': -37, 'COMMA': -37, 'NL': -37, 'RBRACE': -37, 'RSQB': -37},
 {'$END': -38, 'COMMA': -38, 'NL': -38, 'RBRACE': -38, 'RSQB': -38},
 {'$END': -8, 'NL': -8},
 {'DOT': 30, 'RDSQB': 41},
 {'DOT': 30, 'RSQB': 42},
 {'$END': -4, 'NL': 43},
 {'$END': -5,
  'ARRAY_HEADER': 44,
  'BARE_KEY': 2,
  'BASIC_STRING': 3,
  'KEY_EQ': 45,
  'KEY_VALUE': 46,
  'LDSQB': 6,
  'LITERAL_STRING': 7,
  'LSQB': 8,
  'TABLE_HEADER': 47,
  'array_table': 48,
  'key': 49,
  'table': 50},
 {'BARE_KEY': 51, 'BASIC_STRING': 52, 'LITERAL_STRING': 53},
 {'ATOM': 16,
  'BASIC_STRING': 17,
  'LBRACE': 18,
  'LITERAL_STRING': 19,
  'LSQB': 20,
  'ML_BASIC_STRING': 21,
  'ML_LITERAL_STRING': 22,
  'array': 23,
  'inline_table': 24,
  'value': 54},
 {'ATOM': 16,
  'BASIC_STRING': 17,
  'LBRACE': 18,
  'LITERAL_STRING': 19,
  'LSQB': 20,
  'ML_BASIC_STRING': 21,
  'ML_LITERAL_STRING': 22,
  'array': 23,
  'inline_table': 24,
  'value': 55},
 {'COMMA': -21, 'RBRACE': -21},
 {'$END': -44, 'COMMA': -44, 'NL': -44, 'RBRACE': -44, 'RSQB': -44},
 {'DOT': 30, 'EQUAL': 56},
 {'COMMA': -46, 'RBRACE': -46},
 {'COMMA': 57, 'RBRACE': 58},
 {'$END': -39, 'COMMA': -39, 'NL': -39, 'RBRACE': -39, 'RSQB': -39},
 {'COMMA': 59, 'RSQB': 60},
 {'COMMA': -42, 'RSQB': -42},
 {'$END': -25, 'NL': -25},
 {'$END': -24, 'NL': -24},
 {'$END': -3,
  'ARRAY_HEADER': 44,
  'BARE_KEY': 2,
  'BASIC_STRING': 3,
  'KEY_EQ': 45,
  'KEY_VALUE': 46,
  'LDSQB': 6,
  'LITERAL_STRING': 7,
  'LSQB': 8,
  'TABLE_HEADER': 47,
  'array_table': 48,
  'key': 49,
  'table': 50},
 {'$END': -18, 'NL': -18},
 {'ATOM': 16,
  'BASIC_STRING': 17,
  'LBRACE': 18,
  'LITERAL_STRING': 19,
  'LSQB': 20,
  'ML_BASIC_STRING': 21,
  'ML_LITERAL_STRING': 22,
  'array': 23,
  'inline_table': 24,
  'value': 61},
 {'$END': -14, 'NL': -14},
 {'$END': -17, 'NL': -17},
 {'$END': -20, 'NL': -20},
 {'DOT': 30, 'EQUAL': 62},
 {'$END': -19, 'NL': -19},
 {'DOT': -29, 'EQUAL': -29, 'RDSQB': -29, 'RSQB': -29},
 {'DOT': -30, 'EQUAL': -30, 'RDSQB': -30, 'RSQB': -30},
 {'DOT': -31, 'EQUAL': -31, 'RDSQB': -31, 'RSQB': -31},
 {'$END': -9, 'NL': -9},
 {'COMMA': -22, 'RBRACE': -22},
 {'ATOM': 16,
  'BASIC_STRING': 17,
  'LBRACE': 18,
  'LITERAL_STRING': 19,
  'LSQB': 20,
  'ML_BASIC_STRING': 21,
  'ML_LITERAL_STRING': 22,
  'array': 23,
  'inline_table': 24,
  'value': 63},
 {'BARE_KEY': 2,
  'BASIC_STRING': 3,
  'KEY_EQ': 32,
  'KEY_VALUE': 33,
  'LITERAL_STRING': 7,
  'key': 35,
  'keyval': 64},
 {'$END': -45, 'COMMA': -45, 'NL': -45, 'RBRACE': -45, 'RSQB': -45},
 {'ATOM': 16,
  'BASIC_STRING': 17,
  'LBRACE': 18,
  'LITERAL_STRING': 19,
  'LSQB': 20,
  'ML_BASIC_STRING': 21,
  'ML_LITERAL_STRING': 22,
  'RSQB': 65,
  'array': 23,
  'inline_table': 24,
  'value': 66},
 {'$END': -40, 'COMMA': -40, 'NL': -40, 'RBRACE': -40, 'RSQB': -40},
 {'$END': -15, 'NL': -15},
 {'ATOM': 16,
  'BASIC_STRING': 17,
  'LBRACE': 18,
  'LITERAL_STRING': 19,
  'LSQB': 20,
  'ML_BASIC_STRING': 21,
  'ML_LITERAL_STRING': 22,
  'array': 23,
  'inline_table': 24,
  'value': 67},
 {'COMMA': -23, 'RBRACE': -23},
 {'COMMA': -47, 'RBRACE': -47},
 {'$END': -41, 'COMMA': -41, 'NL': -41, 'RBRACE': -41, 'RSQB': -41},
 {'COMMA': -43, 'RSQB': -43},
 {'$END': -16, 'NL': -16})
RULES: tuple[tuple[str, int, str, bool, Any, int], ...] = (('start', 1, 'start', False, None, 0),
 ('start', 0, 'start', False, None, 0),
 ('start', 3, 'start', False, None, 0),
 ('start', 2, 'start', False, None, 0),
 ('start', 2, 'start', False, None, 0),
 ('start', 1, 'start', False, None, 0),
 ('body', 1, 'body', False, None, 0),
 ('body', 2, 'body', False, None, 0),
 ('body', 3, 'body', False, None, 0),
 ('body', 1, 'body', False, None, 0),
 ('body', 1, 'body', False, None, 0),
 ('body', 1, 'body', False, None, 0),
 ('body', 1, 'body', False, None, 0),
 ('body', 3, 'body', False, None, 0),
 ('body', 4, 'body', False, None, 0),
 ('body', 5, 'body', False, None, 0),
 ('body', 3, 'body', False, None, 0),
 ('body', 3, 'body', False, None, 0),
 ('body', 3, 'body', False, None, 0),
 ('body', 3, 'body', False, None, 0),
 ('keyval', 1, 'keyval', False, None, 0),
 ('keyval', 2, 'keyval', False, None, 0),
 ('keyval', 3, 'keyval', False, None, 0),
 ('table', 3, 'table', False, None, 0),
 ('array_table', 3, 'array_table', False, None, 0),
 ('key', 1, 'key', False, None, 0),
 ('key', 1, 'key', False, None, 0),
 ('key', 1, 'key', False, None, 0),
 ('key', 3, 'key', False, None, 0),
 ('key', 3, 'key', False, None, 0),
 ('key', 3, 'key', False, None, 0),
 ('value', 1, 'basic_string', False, None, 0),
 ('value', 1, 'literal_string', False, None, 0),
 ('value', 1, 'ml_basic_string', False, None, 0),
 ('value', 1, 'ml_literal_string', False, None, 0),
 ('value', 1, 'atom', False, None, 0),
 ('value', 1, 'value', True, None, 0),
 ('value', 1, 'value', True, None, 0),
 ('array', 2, 'array', False, None, 0),
 ('array', 3, 'array', False, None, 0),
 ('array', 4, 'array', False, None, 0),
 ('items', 1, 'items', False, None, 0),
 ('items', 3, 'items', False, None, 0),
 ('inline_table', 2, 'inline_table', False, None, 0),
 ('inline_table', 3, 'inline_table', False, None, 0),
 ('pairs', 1, 'pairs', False, None, 0),
 ('pairs', 3, 'pairs', False, None, 0))
LEXERS: tuple[Any, ...] = (('(?P<KEY_VALUE>[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*=[ \t]*(?:"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!")|\'[^\'\n'
  "]*'(?!')|[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt "
  '][0-9]{2}:[0-9A-Za-z:.+-]*|[0-9A-Za-z_:.+-]+))|(?P<ARRAY_HEADER>\\[\\[[ \t'
  ']*[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*\\]\\])|(?P<TABLE_HEADER>\\[[ \t'
  ']*[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*\\])|(?P<KEY_EQ>[A-Za-z0-9_-]+(?:[ \t'
  ']*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*=[ \t]*)|(?P<LDSQB>\\[\\[[ \t]*)|(?P<LSQB>\\[(?:[ \t'
  ']*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*)|(?P<NL>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')+[ \t]*)|(?P<BASIC_STRING>"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!"))|(?P<BARE_KEY>[A-Za-z0-9_-]+)|(?P<LITERAL_STRING>\'[^\'\n'
  "]*'(?!'))|(?P<COMMENT>#[^\x00-\x08\n"
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('ARRAY_HEADER',
   'BARE_KEY',
   'BASIC_STRING',
   'KEY_EQ',
   'KEY_VALUE',
   'LDSQB',
   'LITERAL_STRING',
   'LSQB',
   'NL',
   'TABLE_HEADER'),
  ('BASIC_STRING', 'COMMENT', 'KEY_VALUE', 'LITERAL_STRING', 'LSQB', 'NL'),
  {},
  ('ARRAY_HEADER',
   'BARE_KEY',
   'BASIC_STRING',
   'COMMENT',
   'KEY_EQ',
   'KEY_VALUE',
   'LDSQB',
   'LITERAL_STRING',
   'LSQB',
   'NL',
   'TABLE_HEADER',
   'WS')),
 ('(?P<NL>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')+[ \t]*)|(?P<COMMENT>#[^\x00-\x08\n'
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('NL',),
  ('COMMENT', 'NL'),
  {},
  ('COMMENT', 'NL', 'WS')),
 ('(?P<RDSQB>[ \t]*\\]\\])|(?P<RSQB>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*\\])|(?P<DOT>[ \t]*\\.[ \t]*)|(?P<EQUAL>[ \t]*=[ \t]*)|(?P<COMMENT>#[^\x00-\x08\n'
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('DOT', 'EQUAL', 'RDSQB', 'RSQB'),
  ('COMMENT', 'RSQB'),
  {},
  ('COMMENT', 'DOT', 'EQUAL', 'RDSQB', 'RSQB', 'WS')),
 ('(?P<LSQB>\\[(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*)|(?P<LBRACE>\\{[ \t'
  ']*)|(?P<ML_BASIC_STRING>"""(?:[^"\\\\]|\\\\[\\s\\S]|""?(?!"))*"{3,5})|(?P<ML_LITERAL_STRING>\'\'\'(?:[^\']|\'\'?(?!\'))*\'{3,5})|(?P<ATOM>[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt '
  '][0-9]{2}:[0-9A-Za-z:.+-]*|[0-9A-Za-z_:.+-]+)|(?P<BASIC_STRING>"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!"))|(?P<LITERAL_STRING>\'[^\'\n'
  "]*'(?!'))|(?P<COMMENT>#[^\x00-\x08\n"
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('ATOM',
   'BASIC_STRING',
   'LBRACE',
   'LITERAL_STRING',
   'LSQB',
   'ML_BASIC_STRING',
   'ML_LITERAL_STRING'),
  ('BASIC_STRING', 'COMMENT', 'LITERAL_STRING', 'LSQB', 'ML_BASIC_STRING', 'ML_LITERAL_STRING'),
  {},
  ('ATOM',
   'BASIC_STRING',
   'COMMENT',
   'LBRACE',
   'LITERAL_STRING',
   'LSQB',
   'ML_BASIC_STRING',
   'ML_LITERAL_STRING',
   'WS')),
 ('(?P<BASIC_STRING>"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!"))|(?P<BARE_KEY>[A-Za-z0-9_-]+)|(?P<LITERAL_STRING>\'[^\'\n'
  "]*'(?!'))|(?P<COMMENT>#[^\x00-\x08\n"
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('BARE_KEY', 'BASIC_STRING', 'LITERAL_STRING'),
  ('BASIC_STRING', 'COMMENT', 'LITERAL_STRING'),
  {},
  ('BARE_KEY', 'BASIC_STRING', 'COMMENT', 'LITERAL_STRING', 'WS')),
 ('(?P<KEY_VALUE>[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*=[ \t]*(?:"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!")|\'[^\'\n'
  "]*'(?!')|[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt "
  '][0-9]{2}:[0-9A-Za-z:.+-]*|[0-9A-Za-z_:.+-]+))|(?P<ARRAY_HEADER>\\[\\[[ \t'
  ']*[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*\\]\\])|(?P<TABLE_HEADER>\\[[ \t'
  ']*[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*\\])|(?P<KEY_EQ>[A-Za-z0-9_-]+(?:[ \t'
  ']*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*=[ \t]*)|(?P<LDSQB>\\[\\[[ \t]*)|(?P<LSQB>\\[(?:[ \t'
  ']*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*)|(?P<BASIC_STRING>"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!"))|(?P<BARE_KEY>[A-Za-z0-9_-]+)|(?P<LITERAL_STRING>\'[^\'\n'
  "]*'(?!'))|(?P<COMMENT>#[^\x00-\x08\n"
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('ARRAY_HEADER',
   'BARE_KEY',
   'BASIC_STRING',
   'KEY_EQ',
   'KEY_VALUE',
   'LDSQB',
   'LITERAL_STRING',
   'LSQB',
   'TABLE_HEADER'),
  ('BASIC_STRING', 'COMMENT', 'KEY_VALUE', 'LITERAL_STRING', 'LSQB'),
  {},
  ('ARRAY_HEADER',
   'BARE_KEY',
   'BASIC_STRING',
   'COMMENT',
   'KEY_EQ',
   'KEY_VALUE',
   'LDSQB',
   'LITERAL_STRING',
   'LSQB',
   'TABLE_HEADER',
   'WS')),
 ('(?P<DOT>[ \t]*\\.[ \t]*)|(?P<EQUAL>[ \t]*=[ \t]*)|(?P<COMMENT>#[^\x00-\x08\n'
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('DOT', 'EQUAL'),
  ('COMMENT',),
  {},
  ('COMMENT', 'DOT', 'EQUAL', 'WS')),
 ('(?P<COMMENT>#[^\x00-\x08\n-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('<END-OF-FILE>',),
  ('COMMENT',),
  {},
  ('COMMENT', 'WS')),
 ('(?P<COMMA>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*,(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*)|(?P<RSQB>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*\\])|(?P<RBRACE>[ \t]*\\})|(?P<NL>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')+[ \t]*)|(?P<COMMENT>#[^\x00-\x08\n'
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('COMMA', 'NL', 'RBRACE', 'RSQB'),
  ('COMMA', 'COMMENT', 'NL', 'RSQB'),
  {},
  ('COMMA', 'COMMENT', 'NL', 'RBRACE', 'RSQB', 'WS')),
 ('(?P<KEY_VALUE>[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*=[ \t]*(?:"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!")|\'[^\'\n'
  "]*'(?!')|[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt "
  '][0-9]{2}:[0-9A-Za-z:.+-]*|[0-9A-Za-z_:.+-]+))|(?P<KEY_EQ>[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t'
  ']*[A-Za-z0-9_-]+)*[ \t]*=[ \t]*)|(?P<RBRACE>[ \t]*\\})|(?P<BASIC_STRING>"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!"))|(?P<BARE_KEY>[A-Za-z0-9_-]+)|(?P<LITERAL_STRING>\'[^\'\n'
  "]*'(?!'))|(?P<COMMENT>#[^\x00-\x08\n"
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('BARE_KEY', 'BASIC_STRING', 'KEY_EQ', 'KEY_VALUE', 'LITERAL_STRING', 'RBRACE'),
  ('BASIC_STRING', 'COMMENT', 'KEY_VALUE', 'LITERAL_STRING'),
  {},
  ('BARE_KEY', 'BASIC_STRING', 'COMMENT', 'KEY_EQ', 'KEY_VALUE', 'LITERAL_STRING', 'RBRACE', 'WS')),
 ('(?P<LSQB>\\[(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*)|(?P<RSQB>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*\\])|(?P<LBRACE>\\{[ \t'
  ']*)|(?P<ML_BASIC_STRING>"""(?:[^"\\\\]|\\\\[\\s\\S]|""?(?!"))*"{3,5})|(?P<ML_LITERAL_STRING>\'\'\'(?:[^\']|\'\'?(?!\'))*\'{3,5})|(?P<ATOM>[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt '
  '][0-9]{2}:[0-9A-Za-z:.+-]*|[0-9A-Za-z_:.+-]+)|(?P<BASIC_STRING>"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!"))|(?P<LITERAL_STRING>\'[^\'\n'
  "]*'(?!'))|(?P<COMMENT>#[^\x00-\x08\n"
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('ATOM',
   'BASIC_STRING',
   'LBRACE',
   'LITERAL_STRING',
   'LSQB',
   'ML_BASIC_STRING',
   'ML_LITERAL_STRING',
   'RSQB'),
  ('BASIC_STRING',
   'COMMENT',
   'LITERAL_STRING',
   'LSQB',
   'ML_BASIC_STRING',
   'ML_LITERAL_STRING',
   'RSQB'),
  {},
  ('ATOM',
   'BASIC_STRING',
   'COMMENT',
   'LBRACE',
   'LITERAL_STRING',
   'LSQB',
   'ML_BASIC_STRING',
   'ML_LITERAL_STRING',
   'RSQB',
   'WS')),
 ('(?P<RDSQB>[ \t]*\\]\\])|(?P<DOT>[ \t]*\\.[ \t]*)|(?P<COMMENT>#[^\x00-\x08\n'
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('DOT', 'RDSQB'),
  ('COMMENT',),
  {},
  ('COMMENT', 'DOT', 'RDSQB', 'WS')),
 ('(?P<RSQB>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*\\])|(?P<DOT>[ \t]*\\.[ \t]*)|(?P<COMMENT>#[^\x00-\x08\n'
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('DOT', 'RSQB'),
  ('COMMENT', 'RSQB'),
  {},
  ('COMMENT', 'DOT', 'RSQB', 'WS')),
 ('(?P<COMMA>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*,(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*)|(?P<RBRACE>[ \t]*\\})|(?P<COMMENT>#[^\x00-\x08\n'
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('COMMA', 'RBRACE'),
  ('COMMA', 'COMMENT'),
  {},
  ('COMMA', 'COMMENT', 'RBRACE', 'WS')),
 ('(?P<COMMA>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*,(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*)|(?P<RSQB>(?:[ \t]*(?:#[^\x00-\x08\n'
  '-\x1f\x7f]*)?\r'
  '?\n'
  ')*[ \t]*\\])|(?P<COMMENT>#[^\x00-\x08\n'
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('COMMA', 'RSQB'),
  ('COMMA', 'COMMENT', 'RSQB'),
  {},
  ('COMMA', 'COMMENT', 'RSQB', 'WS')),
 ('(?P<KEY_VALUE>[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*=[ \t]*(?:"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!")|\'[^\'\n'
  "]*'(?!')|[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt "
  '][0-9]{2}:[0-9A-Za-z:.+-]*|[0-9A-Za-z_:.+-]+))|(?P<KEY_EQ>[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t'
  ']*[A-Za-z0-9_-]+)*[ \t]*=[ \t]*)|(?P<BASIC_STRING>"(?:[^"\\\\\n'
  ']|\\\\[^\n'
  '])*"(?!"))|(?P<BARE_KEY>[A-Za-z0-9_-]+)|(?P<LITERAL_STRING>\'[^\'\n'
  "]*'(?!'))|(?P<COMMENT>#[^\x00-\x08\n"
  '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
  ('BARE_KEY', 'BASIC_STRING', 'KEY_EQ', 'KEY_VALUE', 'LITERAL_STRING'),
  ('BASIC_STRING', 'COMMENT', 'KEY_VALUE', 'LITERAL_STRING'),
  {},
  ('BARE_KEY', 'BASIC_STRING', 'COMMENT', 'KEY_EQ', 'KEY_VALUE', 'LITERAL_STRING', 'WS')))
STATE_LEXERS: tuple[int, ...] = (0,
 1,
 2,
 2,
 3,
 1,
 4,
 2,
 4,
 5,
 1,
 1,
 1,
 6,
 7,
 1,
 8,
 8,
 9,
 8,
 10,
 8,
 8,
 8,
 8,
 1,
 11,
 12,
 1,
 5,
 4,
 3,
 3,
 13,
 8,
 6,
 13,
 13,
 8,
 14,
 14,
 1,
 1,
 5,
 1,
 3,
 1,
 1,
 1,
 6,
 1,
 2,
 2,
 2,
 1,
 13,
 3,
 15,
 8,
 10,
 8,
 1,
 3,
 13,
 13,
 8,
 14,
 1)
ROOT_LEXER: Any = ('(?P<KEY_VALUE>[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*=[ \t]*(?:"(?:[^"\\\\\n'
 ']|\\\\[^\n'
 '])*"(?!")|\'[^\'\n'
 "]*'(?!')|[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt "
 '][0-9]{2}:[0-9A-Za-z:.+-]*|[0-9A-Za-z_:.+-]+))|(?P<ARRAY_HEADER>\\[\\[[ \t]*[A-Za-z0-9_-]+(?:[ \t'
 ']*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*\\]\\])|(?P<TABLE_HEADER>\\[[ \t]*[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t'
 ']*[A-Za-z0-9_-]+)*[ \t]*\\])|(?P<KEY_EQ>[A-Za-z0-9_-]+(?:[ \t]*\\.[ \t]*[A-Za-z0-9_-]+)*[ \t'
 ']*=[ \t]*)|(?P<LDSQB>\\[\\[[ \t]*)|(?P<RDSQB>[ \t]*\\]\\])|(?P<COMMA>(?:[ \t]*(?:#[^\x00-\x08\n'
 '-\x1f\x7f]*)?\r'
 '?\n'
 ')*[ \t]*,(?:[ \t]*(?:#[^\x00-\x08\n'
 '-\x1f\x7f]*)?\r'
 '?\n'
 ')*[ \t]*)|(?P<LSQB>\\[(?:[ \t]*(?:#[^\x00-\x08\n'
 '-\x1f\x7f]*)?\r'
 '?\n'
 ')*[ \t]*)|(?P<RSQB>(?:[ \t]*(?:#[^\x00-\x08\n'
 '-\x1f\x7f]*)?\r'
 '?\n'
 ')*[ \t]*\\])|(?P<DOT>[ \t]*\\.[ \t]*)|(?P<EQUAL>[ \t]*=[ \t]*)|(?P<LBRACE>\\{[ \t'
 ']*)|(?P<RBRACE>[ \t'
 ']*\\})|(?P<ML_BASIC_STRING>"""(?:[^"\\\\]|\\\\[\\s\\S]|""?(?!"))*"{3,5})|(?P<NL>(?:[ \t'
 ']*(?:#[^\x00-\x08\n'
 '-\x1f\x7f]*)?\r'
 '?\n'
 ')+[ \t'
 "]*)|(?P<ML_LITERAL_STRING>'''(?:[^']|''?(?!'))*'{3,5})|(?P<ATOM>[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt "
 '][0-9]{2}:[0-9A-Za-z:.+-]*|[0-9A-Za-z_:.+-]+)|(?P<BASIC_STRING>"(?:[^"\\\\\n'
 ']|\\\\[^\n'
 '])*"(?!"))|(?P<BARE_KEY>[A-Za-z0-9_-]+)|(?P<LITERAL_STRING>\'[^\'\n'
 "]*'(?!'))|(?P<COMMENT>#[^\x00-\x08\n"
 '-\x1f\x7f]*)|(?P<WS>[ \t]+)',
 ('ARRAY_HEADER',
  'ATOM',
  'BARE_KEY',
  'BASIC_STRING',
  'COMMA',
  'DOT',
  'EQUAL',
  'KEY_EQ',
  'KEY_VALUE',
  'LBRACE',
  'LDSQB',
  'LITERAL_STRING',
  'LSQB',
  'ML_BASIC_STRING',
  'ML_LITERAL_STRING',
  'NL',
  'RBRACE',
  'RDSQB',
  'RSQB',
  'TABLE_HEADER'),
 ('BASIC_STRING',
  'COMMA',
  'COMMENT',
  'KEY_VALUE',
  'LITERAL_STRING',
  'LSQB',
  'ML_BASIC_STRING',
  'ML_LITERAL_STRING',
  'NL',
  'RSQB'),
 {},
 ('ARRAY_HEADER',
  'ATOM',
  'BARE_KEY',
  'BASIC_STRING',
  'COMMA',
  'COMMENT',
  'DOT',
  'EQUAL',
  'KEY_EQ',
  'KEY_VALUE',
  'LBRACE',
  'LDSQB',
  'LITERAL_STRING',
  'LSQB',
  'ML_BASIC_STRING',
  'ML_LITERAL_STRING',
  'NL',
  'RBRACE',
  'RDSQB',
  'RSQB',
  'TABLE_HEADER',
  'WS'))
IGNORE: tuple[str, ...] = ('COMMENT', 'WS')
