"""Positions in a module's text: CPython's (line, UTF-8 byte offset) → 1-based character columns, spans, slices.

CPython's `ast` gives exact start and end positions in bytes; rnnlint reports characters. A module other than the
file being linted (one it imports) stamps its `path` on every span, so a finding can be reported where it is
written.
"""
from __future__ import annotations

import ast
import bisect
import re
from itertools import accumulate

from rnnlint.ir import Span

_NEWLINE = re.compile(r"\r\n|\r|\n")  # CPython's line breaks (not str.splitlines', which has more)


class SourceText:
    """One module's text and its line starts; `path` is None for the file being linted."""

    def __init__(self, text: str, path: str | None = None) -> None:
        self.text = text
        self.path = path
        self.ascii = text.isascii()  # then a byte offset is a character offset on every line
        if "\r" in text:
            self.lines = _NEWLINE.split(text)
            self.starts = [0, *(match.end() for match in _NEWLINE.finditer(text))]
        else:  # the common case, without a loop in Python: each line starts one past the end of the one before
            self.lines = text.split("\n")
            self.starts = list(accumulate(map((1).__add__, map(len, self.lines[:-1])), initial=0))
        self._spans: dict[ast.AST, Span] = {}
        # What the analyzer derives from this text's nodes alone (a call's site, its arguments' spans), made once
        # for every analysis that runs the code again: a function's body at each call, an unrolled loop's body at
        # each iteration, an imported module in each importer.
        self.memo: dict[tuple, object] = {}

    def column(self, line: int, byte_offset: int) -> int:
        """1-based character column of a byte offset on `line`."""
        if self.ascii:
            return byte_offset + 1
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def span(self, node: ast.AST) -> Span:
        """The node's span, made once per node (a function's body is re-evaluated at each call)."""
        span = self._spans.get(node)
        if span is None:
            span = self._spans[node] = Span(node.lineno, self.column(node.lineno, node.col_offset), node.end_lineno,
                                            self.column(node.end_lineno, node.end_col_offset), self.path)
        return span

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1

    def slice(self, span: Span) -> str:
        return self.text[self.offset(span.line, span.column):self.offset(span.end_line, span.end_column)]

    def indent_of(self, line: int) -> str:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return text[: len(text) - len(text.lstrip(" \t"))]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, 1-based column) of a character offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def at(self, start: int, end: int) -> Span:
        """The span of the character offsets [start, end)."""
        return Span(*self.position(start), *self.position(end), self.path)

    def trailing_comma(self, call: ast.Call) -> bool:
        """Whether a call's argument list ends with a comma (`f(a, b,)`). Only the text between the last argument
        and the closing parenthesis is read: there, nothing but whitespace, commas, comments and the closing
        parentheses of a parenthesised last argument can stand (no string, no nested call), so a `#` always opens
        a comment and a `,` outside one is the trailing comma."""
        parts = [*call.args, *call.keywords]
        if not parts:
            return False
        last = max(parts, key=lambda p: (p.end_lineno, p.end_col_offset))
        start = self.offset(last.end_lineno, self.column(last.end_lineno, last.end_col_offset))
        end = self.offset(call.end_lineno, self.column(call.end_lineno, call.end_col_offset)) - 1
        tail = self.text[start:end]
        if "#" in tail:
            tail = "".join(line.split("#", 1)[0] for line in tail.splitlines())
        return "," in tail

    def with_parens(self, span: Span, low: int, high: int) -> Span:
        """`span` widened over redundant parentheses around it (`(8)` in `f((8), x)`), staying strictly between
        the offsets `low` and `high` (the call's own parentheses). CPython's positions leave such parentheses out."""
        start, end = self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)
        text = self.text
        while True:
            a, b = start - 1, end
            while a > low and text[a] in " \t\r\n\\":
                a -= 1
            while b < high and text[b] in " \t\r\n\\":
                b += 1
            if not (low < a and b < high and text[a] == "(" and text[b] == ")"):
                break
            start, end = a, b + 1
        if (start, end) == (self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)):
            return span
        return self.at(start, end)
