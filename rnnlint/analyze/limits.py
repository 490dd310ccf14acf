"""Safety limits of the analysis (see docs/security.md).

CPython's own hardened parser rejects pathological nesting with an exception (not a crash); the evaluator
recurses over the tree, so depth and size are capped too, and each file has a wall-time budget: SIGALRM in the
main thread, and a deadline the evaluator checks per statement (the limit in the language server's worker threads;
in the main thread, the net for an alarm that went off in a finalizer, whose exception Python swallows).
"""
from __future__ import annotations

import ast
import contextlib
import re
import signal
import threading
import warnings
from itertools import accumulate
from typing import Iterator

from rnnlint.analyze.errors import AnalysisLimit, SourceSyntaxError

MAX_SOURCE_CHARS = 1_000_000
MAX_NESTING = 1_000  # AST depth (CPython allows 200 nested brackets)
MAX_DEPTH = 60  # the evaluator's expression recursion
MAX_CALL_DEPTH = 20  # nested user-function calls being evaluated
MAX_UNROLL = 64  # iterations of a loop over a literal sequence followed one by one (of a nest: multiplied)
MAX_EVALUATIONS = 400  # evaluations of user functions per analysis (a function is re-run per call on tensors)
MAX_MODULES = 64  # project modules one analysis may import


class TimeUp(BaseException):
    """Raised by the per-file alarm; a BaseException so that no `except Exception` on the way swallows it."""


def preflight(text: str, tree: ast.Module | None = None) -> ast.Module:
    """Parse `text` with CPython; reject a source that is too large or too deeply nested to analyse safely
    (AnalysisLimit), and one that CPython does not accept (SourceSyntaxError). `tree`: the text's tree when the
    reader parsed it already (a notebook's program); only the limits are checked then."""
    if len(text) > MAX_SOURCE_CHARS:
        raise AnalysisLimit(f"file too large to analyse: {len(text):,} characters (the limit is "
                            f"{MAX_SOURCE_CHARS:,})")
    if tree is None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SyntaxWarning/DeprecationWarning (e.g. "\d") are not ours
                tree = compile(text, "<rnnlint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except (RecursionError, MemoryError):
            raise AnalysisLimit("too deeply nested to analyse") from None
        except SyntaxError as err:  # also "too many nested parentheses": CPython rejects the file too
            raise SourceSyntaxError(err.msg or "invalid syntax", err.lineno or 1, max(err.offset or 1, 1)) from None
        except ValueError as err:  # source code string cannot contain null bytes (Python < 3.12)
            raise SourceSyntaxError(str(err), 1, 1) from None
    if too_deep(tree, line_lengths(text)):
        raise AnalysisLimit(f"too deeply nested to analyse (more than {MAX_NESTING} levels)")
    return tree


_LINE_BREAK = re.compile(r"\r\n?|\n")


def line_lengths(text: str) -> list[int]:
    """The characters of each line of `text`, its lines counted as CPython's tokenizer counts them (at \\n, \\r\\n and
    \\r): `str.splitlines` also breaks at form feeds and other separators, which would put every later statement on
    the wrong line, and a deep expression after a line of 3,000 form feeds on a line of none."""
    return list(map(len, text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)))


# An expression nests at most about one level per character of its source (`-` chains, `[[[…]]]`, `a.b.c`), so
# only statements whose own lines (a compound statement's header, without its body) are this long can hold an
# expression nested anywhere near MAX_NESTING; the others are not walked node by node.
_SHORT_STATEMENT = 600
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _nested(node: ast.AST) -> list[ast.stmt]:
    """The statements directly inside a compound statement (through except handlers and match cases)."""
    out: list[ast.stmt] = []
    for name in _BODIES:
        for item in getattr(node, name, None) or ():
            if isinstance(item, ast.stmt):
                out.append(item)
            else:  # ExceptHandler, match_case: their own bodies
                out.extend(s for s in getattr(item, "body", ()) if isinstance(s, ast.stmt))
    return out


def too_deep(tree: ast.Module, line_lengths: list[int]) -> bool:
    """Whether the tree nests deeper than MAX_NESTING. Statements are walked level by level (a block adds at most
    three levels); a statement's expressions are walked node by node only when its header is long enough to nest
    deeply (the check the evaluator's recursion needs, without visiting every node of every file). A statement
    too short to hold a long header, or enough blocks to pass the limit (each nested block takes a line of at
    least one character), is passed over with all it holds."""
    before = list(accumulate(line_lengths, initial=0))  # characters on the lines before each line
    count = len(line_lengths)

    def characters(first: int, last: int) -> int:
        """On lines `first` to `last` (1-based, at least line `first`; beyond the text: none)."""
        return before[min(max(last, first), count)] - before[min(first - 1, count)]

    blocks: list[tuple[list[ast.stmt], int]] = [(tree.body, 1)]  # a block's statements, and their level
    while blocks:
        body, level = blocks.pop()
        short = min(_SHORT_STATEMENT - 1, MAX_NESTING // 3 - level)  # (size < _SHORT_STATEMENT, 3(level+size) ≤ MAX)
        for statement in body:  # one block at a time: the statements passed over cost a subtraction each
            first = statement.lineno
            last = statement.end_lineno or first
            if before[min(last, count)] - before[min(first - 1, count)] <= short:  # (characters(first, last))
                continue
            inner = _nested(statement)
            header_end = inner[0].lineno - 1 if inner else last
            if characters(first, header_end) >= _SHORT_STATEMENT:
                nodes: list[tuple[ast.AST, int]] = [(statement, 3 * level)]
                while nodes:
                    node, depth = nodes.pop()
                    if depth > MAX_NESTING:
                        return True
                    nodes.extend((child, depth + 1) for child in ast.iter_child_nodes(node)
                                 if not isinstance(child, ast.stmt))
            if 3 * level > MAX_NESTING:
                return True
            if inner:
                blocks.append((inner, level + 1))
    return False


@contextlib.contextmanager
def alarm(seconds: float | None) -> Iterator[None]:
    """Raise TimeUp after `seconds` of wall time, where signals allow it (the main thread, POSIX)."""
    usable = (seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))
    if not usable:
        yield
        return

    def on_alarm(signum, frame):  # noqa: ARG001
        raise TimeUp()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
