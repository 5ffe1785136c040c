"""The quoting contexts of a shell interpolation site (LANGUAGE.md §4.1.4), as an enum.

Apart from `render` (which re-exports it) so that the checker's bash lexer can name them
without importing the renderer and its `decimal`, `datetime` and `json`.
"""

from __future__ import annotations

import enum


class ShellContext(enum.Enum):
    """Where an interpolation stands in a shell field (§4.1.4)."""

    UNQUOTED = "unquoted"
    DOUBLE = "double"
    SINGLE = "single"
    DOLLAR_SINGLE = "dollar_single"
    HEREDOC = "heredoc"
    QUOTED_HEREDOC = "quoted_heredoc"
    ARITHMETIC = "arithmetic"
    COMMENT = "comment"
    RAW = "raw"
