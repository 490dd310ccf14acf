"""Suppression comments, handled once in the engine (never in a rule).

On the flagged line (for a multi-line call: its first line, where the finding is reported):
    # noqa                      every finding on the line
    # noqa: RNN001,RNN003       those codes (rule names are accepted too)
    # rnnlint: disable=RNN001   those codes
Anywhere in the file, as a comment:
    # rnnlint: noqa             every finding in the file
    # rnnlint: noqa: RNN006     those codes in the whole file

Comments are found with `tokenize`, so text inside strings does not count. If the file does not tokenize
(the analyzer reports that as a syntax error), the lines after the failure are scanned for comments naively.
RNN000 findings (syntax errors, unreadable files, internal errors) cannot be suppressed.
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Iterable

from rnnlint.findings import Finding

_CODES = r"(?P<codes>[A-Za-z][\w-]*(?:[\s,]+[A-Za-z][\w-]*)*)"
_LINE_NOQA = re.compile(r"#\s*noqa(?::\s*" + _CODES + r")?", re.IGNORECASE)
_LINE_DISABLE = re.compile(r"#\s*rnnlint:\s*disable\s*=\s*" + _CODES, re.IGNORECASE)
_FILE_NOQA = re.compile(r"#\s*rnnlint:\s*noqa(?::\s*" + _CODES + r")?", re.IGNORECASE)

# Every suppression comment says one of these words (matched as the patterns above match them).
_MARKER = re.compile(r"noqa|rnnlint", re.IGNORECASE)

UNSUPPRESSIBLE = frozenset({"RNN000"})


@dataclass(frozen=True)
class Suppressions:
    """What a file's comments suppress. A value of None means every code."""

    file: frozenset[str] | None = frozenset()
    lines: dict[int, frozenset[str] | None] = field(default_factory=dict)

    def suppresses(self, finding: Finding) -> bool:
        if finding.code in UNSUPPRESSIBLE:
            return False
        keys = {finding.code.upper(), finding.name.lower()}
        if self.file is None or keys & self.file:
            return True
        if finding.span.line not in self.lines:
            return False
        codes = self.lines[finding.span.line]
        return codes is None or bool(keys & codes)


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    raw = match.group("codes")
    if not raw:
        return None
    return frozenset(c.upper() if re.fullmatch(r"[A-Za-z]+\d+", c) else c.lower()
                     for c in re.split(r"[\s,]+", raw.strip()) if c)


def _merge(old: frozenset[str] | None, new: frozenset[str] | None) -> frozenset[str] | None:
    if old is None or new is None:
        return None
    return old | new


def comments(text: str) -> list[tuple[int, str]]:
    """(line, comment text) for each comment in `text`, via tokenize; naive scan after a tokenize failure."""
    found: list[tuple[int, str]] = []
    last_line = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            last_line = tok.start[0]
            if tok.type == tokenize.COMMENT:
                found.append((tok.start[0], tok.string))
    except (tokenize.TokenError, SyntaxError, ValueError):
        for number, line in enumerate(text.splitlines()[last_line:], start=last_line + 1):
            if "#" in line:
                found.append((number, line[line.index("#"):]))
    return found


def parse_suppressions(text: str) -> Suppressions:
    """Collect the suppression comments of a source text."""
    file_codes: frozenset[str] | None = frozenset()
    lines: dict[int, frozenset[str] | None] = {}
    for line, comment in comments(text):
        if match := _FILE_NOQA.search(comment):
            file_codes = _merge(file_codes, _codes(match))
            continue
        for pattern in (_LINE_NOQA, _LINE_DISABLE):
            for match in pattern.finditer(comment):
                lines[line] = _merge(lines.get(line, frozenset()), _codes(match))
    return Suppressions(file=file_codes, lines=lines)


def apply_suppressions(findings: Iterable[Finding], text: str | None) -> list[Finding]:
    """The findings that no comment in `text` suppresses."""
    findings = list(findings)
    if text is None or not findings or "#" not in text or _MARKER.search(text) is None:
        return findings  # no comment can suppress anything: the file is not tokenized
    suppressions = parse_suppressions(text)
    return [f for f in findings if not suppressions.suppresses(f)]
