"""Errors the parser raises: each carries the `Diagnostic` that explains it."""

from __future__ import annotations

from ojlang.validator.diagnostic import Diagnostic


class TomlError(Exception):
    """The text is not valid TOML 1.0 (OJ001-OJ004); `diagnostic` says where and why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
