"""Errors the analyzer reports to the engine."""
from __future__ import annotations


class SourceSyntaxError(Exception):
    """The source does not parse. `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
