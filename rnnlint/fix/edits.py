"""Placing edits: a fix is a set of edits (1-based line/column spans, end exclusive, columns in characters) from one
finding. Fixes are applied together when none of their edits overlaps or touches an edit already chosen; a fix
that collides waits for the next pass of the fix loop (rnnlint.fix.loop)."""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

from rnnlint.findings import Edit, Finding


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's (and libcst's) line terminators, not str.splitlines's


def _line_starts(text: str) -> list[int]:
    """Offset of the start of each 1-based line (index line - 1)."""
    starts = [0]
    starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
    return starts


def _offset(text: str, starts: list[int], line: int, column: int) -> int | None:
    """The character offset of a 1-based (line, column), or None when it lies outside the text."""
    if line < 1 or line > len(starts) or column < 1:
        return None
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    content = len(_LINE_BREAK.sub("", text[start:end]))
    if column - 1 > content:
        return None
    return start + column - 1


def _newline(text: str) -> str:
    match = _LINE_BREAK.search(text)
    return match.group(0) if match else "\n"


def applicable(finding: Finding, unsafe: bool = False) -> bool:
    """Whether `finding` has a fix that this run applies (safe ones, and unsafe ones when allowed)."""
    fix = finding.fix
    return (fix is not None and bool(fix.edits) and finding.cell is None
            and (fix.applicability == "safe" or (unsafe and fix.applicability == "unsafe")))


def _placed(text: str, starts: list[int], edits: Sequence[Edit]) -> list[tuple[int, int, str]] | None:
    """(start, end, text) offsets of a fix's edits, or None when one is out of range or they overlap."""
    out = []
    for edit in edits:
        a = _offset(text, starts, edit.span.line, edit.span.column)
        b = _offset(text, starts, edit.span.end_line, edit.span.end_column)
        if a is None or b is None or b < a:
            return None
        out.append((a, b, edit.text))
    out.sort()
    for (a0, b0, _), (a1, b1, _) in itertools.pairwise(out):
        if a1 < b0 or (a1 == a0 and (b0 == a0 or b1 == a1)):  # overlapping, or two insertions at one point
            return None
    return out


def _collides(edit: tuple[int, int, str], taken: Iterable[tuple[int, int, str]]) -> bool:
    """Closed intervals: edits that overlap or merely touch belong to different passes."""
    a, b, _ = edit
    return any(a <= d and c <= b for c, d, _ in taken)


def apply_edits(text: str, edits: Sequence[Edit]) -> str | None:
    """`text` with one fix's edits applied (1-based spans into `text`), or None when an edit is out of range or
    two overlap. The same placement `apply_fixes` uses; inserted line breaks follow the text's own style."""
    placed = _placed(text, _line_starts(text), edits)
    if placed is None:
        return None
    newline = _newline(text)
    for a, b, new in sorted(placed, reverse=True):
        text = text[:a] + (_LINE_BREAK.sub(newline, new) if newline != "\n" else new) + text[b:]
    return text


def apply_fixes(text: str, findings: Iterable[Finding], unsafe: bool = False) -> tuple[str, list[Finding]]:
    """Apply the applicable fixes of `findings` that do not collide, first come (in source order) first served.

    Returns the new text and the findings whose fixes were applied. Identical fixes (two findings offering the
    very same edits) are applied once and both findings count as fixed. Inserted line breaks are written in
    the text's own newline style.
    """
    starts = _line_starts(text)
    newline = _newline(text)
    chosen: list[tuple[int, int, str]] = []
    applied: list[Finding] = []
    seen: set[tuple[Edit, ...]] = set()
    ordered = sorted(findings, key=lambda f: (f.span.line, f.span.column, f.code))
    for finding in ordered:
        if not applicable(finding, unsafe):
            continue
        assert finding.fix is not None
        if finding.fix.edits in seen:
            applied.append(finding)
            continue
        placed = _placed(text, starts, finding.fix.edits)
        if placed is None or any(_collides(edit, chosen) for edit in placed):
            continue
        seen.add(finding.fix.edits)
        chosen.extend(placed)
        applied.append(finding)
    for a, b, new in sorted(chosen, reverse=True):
        if newline != "\n":
            new = _LINE_BREAK.sub(newline, new)
        text = text[:a] + new + text[b:]
    return text, applied


# --- fixing a text -------------------------------------------------------------------------------------------
