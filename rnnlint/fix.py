"""Applying fixes: `--fix`, `--unsafe-fixes` and `--diff`.

    text ─► lint (no confirmation) ─► apply the applicable, non-overlapping fixes ─► re-lint ─► … (at most 10 passes)
         ─► the result must parse (libcst) ─► written atomically in the file's own encoding and newlines

A fix is a set of edits (1-based line/column spans, end exclusive, columns in characters) from one finding.
Fixes are applied together when none of their edits overlaps or touches an edit already chosen; a fix that
collides waits for the next pass, where it is recomputed on the new text (so fixes from several rules
compose). A result that does not parse is never returned: the original text comes back with the reason.
Writes go to a temporary file in the same folder, then `os.replace`: the file is either the old or the new
one, never half-written, and keeps its permission bits.
"""
from __future__ import annotations

import ast
import dataclasses
import difflib
import io
import itertools
import os
import re
import stat
import tempfile
import tokenize
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rnnlint.findings import Edit, Finding

MAX_ITERATIONS = 10
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's (and libcst's) line terminators, not str.splitlines's


class FixError(Exception):
    """A file that cannot be fixed or written; the message is for the user (one line)."""


@dataclass(frozen=True)
class FixResult:
    """The outcome of fixing one text. `text` is the original one when `error` is set."""

    text: str
    fixed_count: int = 0
    iterations: int = 0
    error: str | None = None
    converged: bool = True  # False when fixes were still applicable after MAX_ITERATIONS passes


@dataclass(frozen=True)
class FileFix:
    """The outcome of fixing one file on disk: its old and new text, and whether it was written."""

    path: str
    original: str
    text: str
    fixed_count: int = 0
    error: str | None = None
    written: bool = False
    converged: bool = True
    fixes: tuple[tuple[str, str], ...] = ()  # (code, fix title) of the findings whose fixes the first pass applied

    @property
    def changed(self) -> bool:
        return self.error is None and self.text != self.original


# --- positions and edits -------------------------------------------------------------------------------------

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

def parse_error(text: str) -> str | None:
    """Why `text` does not parse (libcst), or None when it does."""
    import libcst

    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError as exc:
        return f"line {exc.raw_line}, column {exc.raw_column + 1}: {' '.join(exc.message.split())}"
    except Exception as exc:  # noqa: BLE001 - e.g. RecursionError: not parseable either
        return f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    return None


def _compiles(text: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.: not ours to print
            compile(text, "<rnnlint-fix>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return f"line {exc.lineno}, column {exc.offset}: {exc.msg}"
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return None


def fix_source(text: str, path: str, settings=None, unsafe: bool = False,
               max_passes: int = MAX_ITERATIONS) -> FixResult:
    """Apply fixes to `text` (as the file `path`), re-linting after each pass until nothing applicable is left
    or `max_passes` passes (then `converged` is False). Never returns text that does not parse: then the
    original comes back, with `error` "fix would not parse: …"."""
    from rnnlint.engine import lint_source
    from rnnlint.settings import Settings

    settings = dataclasses.replace(settings or Settings(), confirm=False)
    original = text
    compiled_before = _compiles(text) is None
    fixed = iterations = 0
    converged = True
    while True:
        result = lint_source(text, path, settings)
        if result.ir is None:  # does not parse (or the analyzer failed): nothing to fix
            break
        new, applied = apply_fixes(text, result.findings, unsafe)
        if not applied or new == text:
            break
        if iterations == max_passes:
            converged = False
            break
        iterations += 1
        problem = parse_error(new) or (_compiles(new) if compiled_before else None)
        if problem is not None:
            codes = ", ".join(sorted({f.code for f in applied}))
            return FixResult(original, 0, iterations, f"fix would not parse: {problem} (fixes of {codes}); "
                                                      "the file was left unchanged")
        text = new
        fixed += len(applied)
    return FixResult(text, fixed, iterations, None, converged)


# --- files ---------------------------------------------------------------------------------------------------

def detect_encoding(data: bytes) -> str:
    """The encoding a Python file's bytes declare (PEP 263: BOM, coding cookie, else UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return "utf-8"
    return encoding


def read_for_fix(path: str) -> tuple[str, str, bytes]:
    """(text, encoding, bytes) of the file at `path`; FixError when it cannot be read, decoded, or written back as is."""
    from rnnlint.sources import decode_python

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise FixError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = decode_python(data)
    except ValueError as exc:
        raise FixError(str(exc)) from None
    encoding = detect_encoding(data)
    try:
        same = text.encode(encoding) == data
    except (UnicodeError, LookupError):
        same = False
    if not same:
        raise FixError(f"cannot write this file back byte for byte in its encoding ({encoding})")
    return text, encoding, data


def write_atomic(path: str, text: str, encoding: str = "utf-8", expected: bytes | None = None) -> None:
    """Replace the file at `path` by `text`: a temporary file in the same folder, then os.replace.

    The permission bits (and, when allowed, the owner) are kept; a symlink is followed and its target
    replaced. With `expected`, the file must still hold exactly those bytes (else it changed while being fixed,
    e.g. saved from an editor, and is left alone). Raises FixError on any failure; the original is then untouched.
    """
    try:
        data = text.encode(encoding)
    except (UnicodeError, LookupError) as exc:
        raise FixError(f"the fixed text cannot be encoded as {encoding}: {exc}") from None
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except OSError as exc:
        raise FixError(f"cannot write file: {exc.strerror or exc}") from None
    mode = stat.S_IMODE(info.st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise FixError("cannot write file: it is read-only")
    directory = os.path.dirname(target) or "."
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".rnnlint-fix", dir=directory)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, info.st_uid, info.st_gid)
            except OSError:
                pass  # not allowed to give it away: the file becomes ours, content and mode intact
        if expected is not None:
            with open(target, "rb") as current:
                if current.read() != expected:
                    raise FixError("the file changed while it was being fixed; run again")
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) and exc.filename != tmp else ""
        raise FixError(f"cannot write file: {exc.strerror or exc}{where}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def is_notebook(path: str) -> bool:
    return os.path.splitext(path)[1].lower() == ".ipynb"


def fix_file(path: str, settings=None, unsafe: bool = False, write: bool = True) -> FileFix:
    """Fix the file at `path` (writing it when `write` and something changed). Never raises for a bad file."""
    if is_notebook(path):
        return _fix_notebook_file(path, settings, unsafe, write)
    try:
        original, encoding, data = read_for_fix(path)
    except FixError as exc:
        return FileFix(path, "", "", error=str(exc))
    result = fix_source(original, path, settings, unsafe)
    if result.error is not None:
        return FileFix(path, original, original, error=result.error)
    written = False
    if write and result.text != original:
        try:
            write_atomic(path, result.text, encoding, expected=data)
        except FixError as exc:
            return FileFix(path, original, original, error=str(exc))
        written = True
    return FileFix(path, original, result.text, result.fixed_count, None, written, result.converged)


def _fix_notebook_file(path: str, settings, unsafe: bool, write: bool) -> FileFix:
    """A notebook: only the changed code cells' source is rewritten (see rnnlint.notebook.fix_notebook)."""
    from rnnlint.notebook import fix_notebook

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return FileFix(path, "", "", error=f"cannot read file: {exc.strerror or exc}")
    result = fix_notebook(path, data, settings, unsafe)
    if result.error is not None:
        return FileFix(path, result.original, result.original, error=result.error)
    written = False
    if write and result.text != result.original:
        try:
            write_atomic(path, result.text, "utf-8", expected=data)
        except FixError as exc:
            return FileFix(path, result.original, result.original, error=str(exc))
        written = True
    return FileFix(path, result.original, result.text, result.fixed_count, None, written, result.converged)


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff of `old` → `new` for `path` ('\\ No newline at end of file' where needed)."""
    def lines(text: str) -> list[str]:
        out = _LINE_BREAK.split(text)
        breaks = _LINE_BREAK.findall(text)
        out = [line + brk for line, brk in zip(out, breaks + [""])]
        if out and out[-1] == "":
            out.pop()
        return out

    chunks = []
    for line in difflib.unified_diff(lines(old), lines(new), fromfile=path, tofile=path):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        chunks.append(line)
    return "".join(chunks)


@dataclass(frozen=True)
class FixRun:
    """`--fix` / `--diff` over paths: one FileFix per file that had something to fix, and run-level notes."""

    files: tuple[FileFix, ...]
    notes: tuple[str, ...] = ()

    @property
    def fixed_count(self) -> int:
        return sum(f.fixed_count for f in self.files if f.error is None)

    @property
    def changed(self) -> tuple[FileFix, ...]:
        return tuple(f for f in self.files if f.changed)

    @property
    def errors(self) -> tuple[FileFix, ...]:
        return tuple(f for f in self.files if f.error is not None)


def fix_paths(paths: Sequence[str], settings=None, unsafe: bool = False, write: bool = True) -> FixRun:
    """Fix every file under `paths` that has an applicable fix (the same files, exclusions and selection as
    a lint run; in a notebook only the changed code cells). Raises PathNotFound like `lint_paths`."""
    from rnnlint.engine import lint_paths
    from rnnlint.settings import Settings

    settings = dataclasses.replace(settings or Settings(), confirm=False)
    first = lint_paths(paths, settings)
    out: list[FileFix] = []
    notes: list[str] = []
    for file_result in first.files:
        # notebook findings carry cell-relative positions; fix_file re-lints the joined cells (rnnlint.notebook)
        offered = [f for f in file_result.findings if applicable(dataclasses.replace(f, cell=None), unsafe)]
        if offered:
            outcome = fix_file(file_result.path, settings, unsafe, write)
            out.append(dataclasses.replace(outcome, fixes=tuple((f.code, f.fix.message) for f in offered)))
            if not outcome.converged:
                notes.append(f"{outcome.path}: fixes were still being offered after {MAX_ITERATIONS} passes "
                             "(stopped there; please report this)")
    return FixRun(tuple(out), tuple(notes))


__all__ = [
    "MAX_ITERATIONS",
    "FileFix",
    "FixError",
    "FixResult",
    "FixRun",
    "applicable",
    "apply_fixes",
    "detect_encoding",
    "fix_file",
    "fix_paths",
    "fix_source",
    "apply_edits",
    "is_notebook",
    "parse_error",
    "read_for_fix",
    "unified_diff",
    "write_atomic",
]
