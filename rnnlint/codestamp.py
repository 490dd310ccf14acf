"""What identifies the running rnnlint's code: the size and mtime of each module of the rnnlint and rnnlint.rules
packages (an edited rule in an editable install is new code). Light on purpose: a replayed run computes it before
importing anything else of rnnlint."""
from __future__ import annotations

import os


def package_dirs() -> list[str]:
    """The folders of the rnnlint package and of rnnlint.rules (elsewhere in an editable install)."""
    import rnnlint.rules as rules  # the package alone (its __init__ imports nothing): where its modules are

    return [os.path.dirname(os.path.abspath(__file__)), *rules.__path__]


def module_stamps() -> tuple[str, ...]:
    """`relative/path.py:size:mtime_ns` of every module of the packages, in a fixed order. Not cached: a run asks
    at most twice (the replay key, the result cache's fingerprint, which is cached), ~0.4 ms each, and a replayed
    run would otherwise import functools (and collections) for the cache alone, ~2 ms of its ~35."""
    stamps: list[str] = []
    for top in package_dirs():
        _stamp(top, len(top) + 1, stamps)
    return tuple(stamps)


def _name(entry: os.DirEntry) -> str:
    return entry.name


def _stamp(folder: str, cut: int, stamps: list[str]) -> None:
    """Add the stamps of the modules under `folder` (their paths from the package's folder: `cut` characters off),
    each folder's entries by name, __pycache__ left out."""
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=_name)
    except OSError:
        return
    for entry in entries:
        try:
            if entry.name.endswith(".py"):
                info = entry.stat()
                stamps.append(f"{entry.path[cut:]}:{info.st_size}:{info.st_mtime_ns}")
            elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):  # as os.walk: no link loops
                _stamp(entry.path, cut, stamps)
        except OSError:
            continue
