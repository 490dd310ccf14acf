"""The analyzer: CPython's `ast` → the model IR (`rnnlint.ir.FileIR`).

This is the only package that walks the syntax tree.
"""
from __future__ import annotations

from rnnlint.analyze.errors import AnalysisLimit, SourceSyntaxError
from rnnlint.ir import FileIR

__all__ = ["analyze_source", "AnalysisLimit", "SourceSyntaxError"]


def analyze_source(text: str, path: str | None = None, loader=None, tree=None) -> FileIR:
    """Parse `text` (the file `path`, whose project imports `loader` resolves) and return its IR. Raises
    SourceSyntaxError when it does not parse. `tree`: the text's ast.Module, when the reader parsed it."""
    from rnnlint.analyze.limits import preflight
    from rnnlint.analyze.module import analyze_module

    if tree is not None:
        tree = preflight(text, tree)  # the reader parsed it: the limits still apply
    elif loader is not None and path is not None and path.endswith(".py"):
        # A project file that another file analysed before it imported is parsed once (and the other way round).
        tree = loader.tree_for(path, text)
    return analyze_module(text, path=path, loader=loader, tree=tree)
