"""Reading and writing source files: bytes on disk → decoded text (or a `SourceError` saying why not), and the
atomic, encoding-preserving write `--fix` uses.

Python files are decoded per PEP 263 (BOM, coding cookie, else UTF-8). Each file suffix has a reader in
`READERS`; the notebook reader (rnnlint.sources.notebook) fills `Source.cells` (the map from positions in the
joined text back to notebook cells), which the engine uses to locate findings. Writes go to a temporary file in
the same folder, then `os.replace`: the file is either the old or the new one, never half-written, and keeps its
permission bits.
"""
from __future__ import annotations

import io
import json
import os
import stat
import tempfile
import tokenize
from typing import Callable

from rnnlint.sources.notebook import NotebookError, read_notebook
from rnnlint.sources.types import Source, SourceError


class WriteError(Exception):
    """A file that cannot be read back exactly or written; the message is for the user (one line)."""


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
    """A Jupyter notebook: code cells joined, magics neutralised, `cells` set (see rnnlint.sources.notebook)."""
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


# --- writing back ---------------------------------------------------------------------------------------------

def detect_encoding(data: bytes) -> str:
    """The encoding a Python file's bytes declare (PEP 263: BOM, coding cookie, else UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return "utf-8"
    return encoding


def read_exact(path: str) -> tuple[str, str, bytes]:
    """(text, encoding, bytes) of the file at `path`; WriteError when it cannot be read, decoded, or written back as is."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise WriteError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = decode_python(data)
    except ValueError as exc:
        raise WriteError(str(exc)) from None
    encoding = detect_encoding(data)
    try:
        same = text.encode(encoding) == data
    except (UnicodeError, LookupError):
        same = False
    if not same:
        raise WriteError(f"cannot write this file back byte for byte in its encoding ({encoding})")
    return text, encoding, data


def write_atomic(path: str, text: str, encoding: str = "utf-8", expected: bytes | None = None) -> None:
    """Replace the file at `path` by `text`: a temporary file in the same folder, then os.replace.

    The permission bits (and, when allowed, the owner) are kept; a symlink is followed and its target
    replaced. With `expected`, the file must still hold exactly those bytes (else it changed while being fixed,
    e.g. saved from an editor, and is left alone). Raises WriteError on any failure; the original is then untouched.
    """
    try:
        data = text.encode(encoding)
    except (UnicodeError, LookupError) as exc:
        raise WriteError(f"the fixed text cannot be encoded as {encoding}: {exc}") from None
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except OSError as exc:
        raise WriteError(f"cannot write file: {exc.strerror or exc}") from None
    mode = stat.S_IMODE(info.st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise WriteError("cannot write file: it is read-only")
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
                    raise WriteError("the file changed while it was being fixed; run again")
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) and exc.filename != tmp else ""
        raise WriteError(f"cannot write file: {exc.strerror or exc}{where}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
