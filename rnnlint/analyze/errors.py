"""Errors the analyzer reports to the engine."""
from __future__ import annotations


class SourceSyntaxError(Exception):
    """The source does not parse. `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class AnalysisLimit(Exception):
    """The source was not analysed because it exceeds a safety limit: too large, too deeply nested, or its
    analysis took longer than the per-file time limit. The engine reports it as `RNN000 analysis-limit`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
