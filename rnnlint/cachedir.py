"""The `.rnnlint_cache/` folder shared by the checker's confirmations (`confirm/`) and the result cache
(`results/`): its CACHEDIR.TAG and .gitignore markers, and atomic writes.

Kept free of heavy imports: the result cache uses it on every warm run.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by rnnlint.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
DEFAULT_CACHE_DIR = ".rnnlint_cache"


def ensure(root: Path, sub: str) -> Path:
    """Create `root/sub` and the root's markers (CACHEDIR.TAG, a .gitignore of `*`). Raises OSError."""
    folder = root / sub
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "# Created by rnnlint.\n*\n")):
        marker = root / name
        if not marker.exists():
            write_atomic(marker, text)
    return folder


def write_atomic(target: Path, text: str) -> None:
    """Write `text` to `target` through a temporary file in the same folder and os.replace, so that a reader
    (or a concurrent run) sees the old content or the new one, never a torn file. The file is private to the
    user (mkstemp: mode 0600). Raises OSError; leaves no temporary file behind."""
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        remove(temporary)
        raise


def remove(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


__all__ = ["CACHEDIR_TAG", "DEFAULT_CACHE_DIR", "ensure", "remove", "write_atomic"]
