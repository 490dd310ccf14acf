"""Rewrites that change several places of one statement: the statement alone is parsed with libcst, its nodes are
changed, and the statement is generated again — comments, line breaks and spacing inside it kept as written. The
result is one Edit over the statement, so the fix loop places it like any other (and its parse gate checks it).
"""
from __future__ import annotations

from typing import Callable

import libcst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from rnnlint.findings import Edit
from rnnlint.ir import Span


def _relative(span: Span, statement: Span) -> tuple[int, int, int, int]:
    """`span`'s 1-based (line, column, end line, end column) inside the statement's own text."""
    def at(line: int, column: int) -> tuple[int, int]:
        return line - statement.line + 1, column - (statement.column - 1 if line == statement.line else 0)

    return (*at(span.line, span.column), *at(span.end_line, span.end_column))


class _Replace(libcst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, where: tuple[int, int, int, int], build: Callable[[libcst.Call], libcst.BaseExpression]):
        super().__init__()
        self.where, self.build, self.done = where, build, False

    def leave_Call(self, original: libcst.Call, updated: libcst.Call) -> libcst.BaseExpression:
        position: CodeRange = self.get_metadata(PositionProvider, original)
        here = (position.start.line, position.start.column + 1, position.end.line, position.end.column + 1)
        if self.done or here != self.where:
            return updated
        self.done = True
        return self.build(updated)


def rewrite_call(statement_source: str, statement: Span, call: Span,
                 build: Callable[[libcst.Call], libcst.BaseExpression]) -> Edit | None:
    """The Edit replacing `statement` by itself with the call at `call` replaced by `build(call node)`; None when
    the statement does not parse alone or the call is not found in it."""
    try:
        module = libcst.parse_module(statement_source)
        transformer = _Replace(_relative(call, statement), build)
        rewritten = MetadataWrapper(module).visit(transformer)
    except (libcst.ParserSyntaxError, RecursionError, ValueError):
        return None
    if not transformer.done:
        return None
    return Edit(statement, rewritten.code)


def argmax_of_predict(numpy: str) -> Callable[[libcst.Call], libcst.BaseExpression]:
    """`X.predict_classes(args)` → `numpy.argmax(X.predict(args), axis=-1)`, the arguments kept as written."""
    def build(call: libcst.Call) -> libcst.BaseExpression:
        assert isinstance(call.func, libcst.Attribute)
        predict = call.with_changes(func=call.func.with_changes(attr=libcst.Name("predict")))
        return libcst.Call(
            func=libcst.parse_expression(f"{numpy}.argmax"),
            args=[libcst.Arg(predict, comma=libcst.Comma(whitespace_after=libcst.SimpleWhitespace(" "))),
                  libcst.Arg(libcst.parse_expression("-1"), keyword=libcst.Name("axis"),
                             equal=libcst.AssignEqual(whitespace_before=libcst.SimpleWhitespace(""),
                                                      whitespace_after=libcst.SimpleWhitespace("")))])
    return build
