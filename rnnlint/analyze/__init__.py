"""The analyzer: libcst and its metadata providers → the model IR (`rnnlint.ir.FileIR`).

This is the only package that walks the CST.
"""
from __future__ import annotations

from rnnlint.analyze.errors import AnalysisLimit, SourceSyntaxError
from rnnlint.ir import FileIR

__all__ = ["analyze_source", "AnalysisLimit", "SourceSyntaxError"]


def analyze_source(text: str) -> FileIR:
    """Parse `text` and return its IR. Raises SourceSyntaxError when it does not parse."""
    from rnnlint.analyze.module import analyze_module

    return analyze_module(text)
