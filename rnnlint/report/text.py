"""Text output for terminals and logs.

    path:line:col: CODE [severity] message
      4 | model.add(LSTM(256, input_shape=(10, 1)))
        |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        = confirmed by Keras 3.15.1: ValueError: Input 0 of layer "lstm_1" is incompatible …

then one summary line. Colour only when the stream is a terminal and NO_COLOR is unset (FORCE_COLOR forces it).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

from rnnlint.findings import NOT_RUN, Finding, fix_kind

if TYPE_CHECKING:
    from rnnlint.results import FileResult, RunResult

DETAIL_WIDTH = 160
_RESET = "\033[0m"
_STYLES = {
    "path": "\033[1m", "error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m",
    "code": "\033[1;31m", "dim": "\033[2m", "caret": "\033[1;31m", "ok": "\033[1;32m",
}


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal; NO_COLOR (any non-empty value) disables it, FORCE_COLOR enables it."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if self.color and text else text


def _one_line(text: str, width: int = DETAIL_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def confirmation_line(finding: Finding) -> str | None:
    """A compact line on what Keras said, or None when the checker did not run."""
    c = finding.confirmation
    if c == NOT_RUN:
        return None
    keras = f"Keras {c.keras_version}" if c.keras_version else "Keras"
    if c.status == "confirmed":
        head = f"confirmed by {keras}"
    elif c.status == "refuted":
        head = f"refuted by {keras} (it builds fine)"
    else:  # plain words for the status: why Keras was not asked, or what it could not decide
        if c.detail.startswith(("not checked with Keras", "this is advice")):
            return _one_line(c.detail)
        head = "not checked with Keras"
    return f"{head}: {_one_line(c.detail)}" if c.detail else head


def excerpt(finding: Finding, lines: list[str], paint: _Painter) -> list[str]:
    """The flagged source line with a caret under the span (to the line's end for multi-line spans)."""
    span = finding.span
    if not 1 <= span.line <= len(lines):
        return []
    line = lines[span.line - 1].rstrip("\r\n")
    if not line.strip():
        return []  # nothing to show (a notebook cell that does not parse is linted as blank lines)
    start = min(max(span.column, 1), len(line) + 1)
    if span.end_line == span.line:
        end = max(span.end_column, start + 1)
    else:
        end = max(len(line) + 1, start + 1)
    end = min(end, max(len(line) + 1, start + 1))
    prefix = "".join("\t" if ch == "\t" else " " for ch in line[: start - 1])
    gutter = str(span.line)
    pad = " " * len(gutter)
    return [
        f"{paint('dim', f' {gutter} |')} {line}",
        f"{paint('dim', f' {pad} |')} {prefix}{paint('caret', '^' * (end - start))}",
    ]


def fixable(finding: Finding, unsafe: bool = False) -> bool:
    """`--fix` would fix it (a safe fix; an unsafe one too with `--unsafe-fixes`): the `[*]` marker."""
    kind = fix_kind(finding)
    return kind == "safe" or (unsafe and kind == "unsafe")


def format_finding(finding: Finding, source_lines: list[str] | None, paint: _Painter, show_source: bool = True,
                   unsafe: bool = False) -> list[str]:
    span = finding.span
    where = f"{finding.path}:{span.line}:{span.column}:"
    if finding.cell is not None:
        where = f"{finding.path}:cell {finding.cell}:{span.line}:{span.column}:"
    marker = " [*]" if fixable(finding, unsafe) else ""
    out = [f"{paint('path', where)} {paint('code', finding.code)}{marker} "
           f"[{paint(finding.severity, finding.severity)}] {finding.message}"]
    if show_source and source_lines is not None and finding.name != "internal-error":
        out.extend(excerpt(finding, source_lines, paint))
    if (line := confirmation_line(finding)) is not None:
        out.append(f"   {paint('dim', '=')} {line}")
    return out


def plural(n: int, word: str) -> str:
    """`1 problem`, `2 problems`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(result: "RunResult", fixed: int | None = None) -> str:
    """The last line. `fixed` (after `--fix`): how many problems were fixed, counted in the total as ruff does
    (`Found 3 problems (2 fixed, 1 remaining).`)."""
    files = len({f.path for f in result.findings})
    refuted = ""
    if result.refuted:
        verb = "shown" if any(f.confirmation.status == "refuted" for f in result.findings) else "hidden; --show-refuted shows them"
        refuted = f" ({plural(result.refuted, 'finding')} refuted by Keras, {verb})"
    if fixed:
        remaining = len(result.findings)
        return (f"Found {plural(fixed + remaining, 'problem')} ({fixed} fixed, {remaining} remaining)"
                f"{refuted}{judged(result)}.")
    if not result.findings:
        if not result.files:
            return "No Python files found."
        return f"All checks passed{refuted}{judged(result)}."
    return f"Found {plural(len(result.findings), 'problem')} in {plural(files, 'file')}{refuted}{judged(result)}."


def fix_hint(findings: "tuple[Finding, ...] | list[Finding]", unsafe: bool = False) -> str | None:
    """`[*] 2 fixable with --fix (1 more with --unsafe-fixes).`, or None when nothing is fixable."""
    kinds = [fix_kind(f) for f in findings]
    safe = sum(1 for k in kinds if k == "safe") + (sum(1 for k in kinds if k == "unsafe") if unsafe else 0)
    hidden = 0 if unsafe else sum(1 for k in kinds if k == "unsafe")
    if not safe and not hidden:
        return None
    flags = "--fix --unsafe-fixes" if unsafe else "--fix"
    if not safe:
        return f"No fixes with --fix ({hidden} with --fix --unsafe-fixes)."
    more = f" ({hidden} more with --unsafe-fixes)" if hidden else ""
    return f"[*] {safe} fixable with {flags}{more}."


def judged(result: "RunResult") -> str:
    """`; judged against Keras 2 (requirements.txt:3: tensorflow==2.12.0)`, naming every choice of the run (with
    its number of files when there are several); empty when no file was linted."""
    targets = getattr(result, "targets", ())
    if not targets:
        return ""
    if len(targets) == 1:
        choice = targets[0][0]
        return f"; judged against Keras {choice.major} ({choice.reason})"
    parts = [f"Keras {c.major} ({c.reason}; {plural(n, 'file')})" for c, n in targets]
    return "; judged against " + ", ".join(parts[:-1]) + " and " + parts[-1]


def render(result: "RunResult", color: bool = False, show_source: bool = True, quiet: bool = False,
           unsafe: bool = False, fixed: int | None = None) -> str:
    """The report. `quiet` (--quiet): the findings only, without notes and the summary line. `unsafe`
    (--unsafe-fixes): unsafe fixes count as fixable. `fixed`: problems `--fix` fixed before this report."""
    paint = _Painter(color)
    out: list[str] = []
    for file_result in result.files:
        if not file_result.findings:
            continue  # (its text is not split into lines for nothing: most files of a run have no finding)
        lines = _source_lines(file_result)
        for finding in file_result.findings:
            block = format_finding(finding, _cell_lines(file_result, finding, lines), paint, show_source, unsafe)
            out.extend(block)
            if len(block) > 1:
                out.append("")  # a blank line after a finding with an excerpt
    if quiet:
        return "".join(line + "\n" for line in (out[:-1] if out and not out[-1] else out))
    if out and out[-1]:
        out.append("")
    for note in result.notes:
        out.append(f"note: {note}")
    for error in result.errors:
        out.append(f"error: {error}")
    text = summary(result, fixed)
    out.append(paint("ok", text) if not result.findings else text)
    hint = fix_hint(result.findings, unsafe)
    if hint:
        out.append(hint)
    return "\n".join(out) + "\n"


def _source_lines(file_result: "FileResult") -> list[str] | None:
    if file_result.source is None:
        return None
    if file_result.cells:  # a notebook's joined code cells: split as Python does (see rnnlint.sources.notebook)
        from rnnlint.sources.notebook import split_lines

        return split_lines(file_result.source)
    return file_result.source.splitlines()


def _cell_lines(file_result: "FileResult", finding: Finding, lines: list[str] | None) -> list[str] | None:
    """The lines a finding's (cell-relative) line numbers index: its cell's, for a notebook."""
    if lines is None or not file_result.cells or finding.cell is None:
        return lines if not file_result.cells else None
    cell = next((c for c in file_result.cells if c.index == finding.cell), None)
    return None if cell is None else lines[cell.first_line - 1: cell.first_line - 1 + cell.line_count]


def write(result: "RunResult", stream: TextIO, show_source: bool = True, quiet: bool = False, unsafe: bool = False,
          fixed: int | None = None) -> None:
    stream.write(render(result, color=use_color(stream), show_source=show_source, quiet=quiet, unsafe=unsafe,
                        fixed=fixed))
