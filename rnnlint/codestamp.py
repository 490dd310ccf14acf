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
    at most twice (the replay key, the result cache's fingerprint, which is cached), ~1.3 ms each, and a replayed
    run would otherwise import functools (and collections) for the cache alone, ~2 ms of its ~40."""
    stamps = []
    for top in package_dirs():
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    full = os.path.join(folder, name)
                    try:
                        st = os.stat(full)
                    except OSError:
                        continue
                    stamps.append(f"{os.path.relpath(full, top)}:{st.st_size}:{st.st_mtime_ns}")
    return tuple(stamps)
