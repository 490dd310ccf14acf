"""`--fix` and `--diff` on files: read exactly, fix (rnnlint.fix.loop, or rnnlint.fix.notebook for a notebook),
write atomically in the file's own encoding and newlines (rnnlint.sources)."""
from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlint.fix.edits import _LINE_BREAK, applicable
from rnnlint.fix.loop import MAX_ITERATIONS, fix_source
from rnnlint.fix.notebook import fix_notebook
from rnnlint.sources.files import WriteError, read_exact, write_atomic


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


def is_notebook(path: str) -> bool:
    return os.path.splitext(path)[1].lower() == ".ipynb"


def fix_file(path: str, settings=None, unsafe: bool = False, write: bool = True, resolver=None) -> FileFix:
    """Fix the file at `path` (writing it when `write` and something changed). Never raises for a bad file."""
    if is_notebook(path):
        return _fix_notebook_file(path, settings, unsafe, write, resolver)
    try:
        original, encoding, data = read_exact(path)
    except WriteError as exc:
        return FileFix(path, "", "", error=str(exc))
    result = fix_source(original, path, settings, unsafe, resolver=resolver)
    if result.error is not None:
        return FileFix(path, original, original, error=result.error)
    written = False
    if write and result.text != original:
        try:
            write_atomic(path, result.text, encoding, expected=data)
        except WriteError as exc:
            return FileFix(path, original, original, error=str(exc))
        written = True
    return FileFix(path, original, result.text, result.fixed_count, None, written, result.converged)


def _fix_notebook_file(path: str, settings, unsafe: bool, write: bool, resolver=None) -> FileFix:
    """A notebook: only the changed code cells' source is rewritten (see rnnlint.notebook.fix_notebook)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return FileFix(path, "", "", error=f"cannot read file: {exc.strerror or exc}")
    result = fix_notebook(path, data, settings, unsafe, resolver)
    if result.error is not None:
        return FileFix(path, result.original, result.original, error=result.error)
    written = False
    if write and result.text != result.original:
        try:
            write_atomic(path, result.text, "utf-8", expected=data)
        except WriteError as exc:
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


def fix_paths(paths: Sequence[str], settings=None, unsafe: bool = False, write: bool = True,
              resolver=None) -> FixRun:
    """Fix every file under `paths` that has an applicable fix (the same files, exclusions and selection as
    a lint run; in a notebook only the changed code cells). Raises PathNotFound like `lint_paths`."""
    from rnnlint.engine import lint_paths
    from rnnlint.settings import Settings

    settings = dataclasses.replace(settings or Settings(), confirm=False)
    first = lint_paths(paths, settings, resolver=resolver)
    out: list[FileFix] = []
    notes: list[str] = []
    for file_result in first.files:
        # notebook findings carry cell-relative positions; fix_file re-lints the joined cells (rnnlint.notebook)
        offered = [f for f in file_result.findings if applicable(dataclasses.replace(f, cell=None), unsafe)]
        if offered:
            outcome = fix_file(file_result.path, settings, unsafe, write, resolver)
            out.append(dataclasses.replace(outcome, fixes=tuple((f.code, f.fix.message) for f in offered)))
            if not outcome.converged:
                notes.append(f"{outcome.path}: fixes were still being offered after {MAX_ITERATIONS} passes "
                             "(stopped there; please report this)")
    return FixRun(tuple(out), tuple(notes))
