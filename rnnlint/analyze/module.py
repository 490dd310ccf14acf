"""Placeholder: the analyzer proper is being written."""
from __future__ import annotations

import libcst as cst

from rnnlint.analyze.errors import SourceSyntaxError
from rnnlint.ir import FileIR


def analyze_module(text: str) -> FileIR:
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise SourceSyntaxError(exc.message, exc.raw_line, exc.raw_column + 1) from None
    return FileIR()
