"""Errors the façade raises for bad requests (usage errors, exit 2), each with a `help`."""

from __future__ import annotations


class UsageError(Exception):
    """The request cannot be carried out as asked: say what is wrong and how to fix it."""

    def __init__(self, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.help = help
