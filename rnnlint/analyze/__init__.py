"""The analyzer: CPython's `ast` → the model IR (`rnnlint.ir.FileIR`).

This is the only package that walks the syntax tree.
"""
from __future__ import annotations

from rnnlint.analyze.errors import AnalysisLimit, SourceSyntaxError
from rnnlint.ir import FileIR

__all__ = ["analyze_source", "AnalysisLimit", "SourceSyntaxError"]


def analyze_source(text: str, path: str | None = None, loader=None) -> FileIR:
    """Parse `text` (the file `path`, whose project imports `loader` resolves) and return its IR. Raises
    SourceSyntaxError when it does not parse."""
    from rnnlint.analyze.module import analyze_module

    # A file of the project that another file analysed before it imported is parsed once (and the other way round).
    tree = loader.tree_for(path, text) if loader is not None and path is not None and path.endswith(".py") else None
    return analyze_module(text, path=path, loader=loader, tree=tree)
