"""Reading source files: bytes on disk → decoded text, or a `SourceError` saying why not.

Python files are decoded per PEP 263 (BOM, coding cookie, else UTF-8). Each file suffix has a reader in
`READERS`; a notebook reader slots in there and fills `Source.cells` (the map from positions in the joined
text back to notebook cells), which the engine uses to locate findings.
"""
from __future__ import annotations

import io
import json
import os
import tokenize
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Cell:
    """One notebook code cell inside the joined text: 1-based cell index and its first line there."""

    index: int
    first_line: int
    line_count: int


@dataclass(frozen=True)
class Source:
    """A decoded source file. `cells` is None for a .py file; for a notebook, its code cells in order."""

    path: str
    text: str
    cells: tuple[Cell, ...] | None = None
    syntax_errors: tuple[tuple[int, int, str], ...] = ()  # (line in the text, column, message) of blanked cells


@dataclass(frozen=True)
class SourceError:
    """A file that cannot be linted, and why (one line, for the user)."""

    path: str
    reason: str


def decode_python(data: bytes) -> str:
    """Decode Python source bytes per PEP 263. Raises ValueError with a user-facing reason."""
    if b"\0" in data:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if not exc.msg.startswith("invalid or missing encoding declaration"):
            raise ValueError(f"bad encoding declaration: {exc.msg}") from None  # unknown codec, BOM vs cookie
        encoding = "utf-8"  # no cookie and not UTF-8: the decode below says where
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start:exc.start + 1]
        hint = "; declare its encoding with a coding comment (PEP 263)" if encoding == "utf-8" else ""
        raise ValueError(
            f"cannot decode as {encoding}: byte 0x{bad.hex()} at line {line}, column {column}{hint}"
        ) from None
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None


def _read_python(path: str, data: bytes) -> Source | SourceError:
    try:
        return Source(path=path, text=decode_python(data))
    except ValueError as exc:
        return SourceError(path=path, reason=str(exc))


def _read_notebook(path: str, data: bytes) -> Source | SourceError:
    """A Jupyter notebook: code cells joined, magics neutralised, `cells` set (see rnnlint.notebook)."""
    from rnnlint.notebook import NotebookError, read_notebook

    try:
        return read_notebook(path, data)
    except NotebookError as exc:
        return SourceError(path=path, reason=str(exc))


# File suffix → reader(path, raw bytes). Unlisted suffixes are read as Python.
READERS: dict[str, Callable[[str, bytes], Source | SourceError]] = {
    ".py": _read_python,
    ".pyi": _read_python,
    ".ipynb": _read_notebook,
}


def read_bytes(path: str) -> bytes | SourceError:
    """The raw bytes of the file at `path`, or a SourceError saying why it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        return SourceError(path=path, reason="is a directory")
    except OSError as exc:
        return SourceError(path=path, reason=f"cannot read file: {exc.strerror or exc}")


def read_source(path: str) -> Source | SourceError:
    """Read and decode the file at `path`. Never raises for a bad file: returns a SourceError."""
    data = read_bytes(path)
    if isinstance(data, SourceError):
        return data
    reader = READERS.get(os.path.splitext(path)[1].lower(), _read_python)
    return reader(path, data)


def read_text(path: str, data: bytes) -> Source | SourceError:
    """Decode already-read bytes as if they came from `path` (for standard input: `-` holding a notebook's JSON
    is read as a notebook)."""
    reader = READERS.get(os.path.splitext(path)[1].lower(), _read_python)
    if path == "-" and looks_like_notebook(data):
        reader = _read_notebook
    return reader(path, data)


def looks_like_notebook(data: bytes) -> bool:
    """Bytes that are a Jupyter notebook's JSON (an object with a `cells` list), not Python."""
    head = data.lstrip()[:1]
    if head != b"{":
        return False
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(document, dict) and isinstance(document.get("cells"), list)
