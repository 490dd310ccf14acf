"""Finding the files to lint: paths given on the command line → a sorted, de-duplicated list of files.

Explicit files are always linted. Folders are walked for `.py` and `.ipynb` files, skipping hidden folders,
virtual environments, caches and build output. Symlinks met inside a walk — folders and files — are not followed
(no loops, nothing outside the tree); a symlink named explicitly is.
"""
from __future__ import annotations

import fnmatch
import os
from typing import Callable, Iterable

SUFFIXES = (".py", ".ipynb")
SKIP_DIRS = frozenset({
    "__pycache__", "build", "dist", "node_modules", ".rnnlint_cache", "venv", ".venv", "env",
    "site-packages", ".git", ".hg", ".svn", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".ipynb_checkpoints", ".eggs",
})


class PathNotFound(Exception):
    """A path given by the user does not exist."""

    def __init__(self, path: str) -> None:
        super().__init__(f"path does not exist: {path}")
        self.path = path


def _skipped_by_name(name: str) -> bool:
    return name.startswith(".") or name in SKIP_DIRS or name.endswith(".egg-info")


def is_skipped_dir(path: str, name: str) -> bool:
    """Whether a folder met during a walk is left out (never applied to folders the user names)."""
    if _skipped_by_name(name):
        return True
    if os.path.islink(path):
        return True
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _walk(root: str, excluded: Callable[[str], bool], walked: list[str] | None = None) -> Iterable[str]:
    """The files to lint under the folder `root`. One directory listing per folder: its entries' types come with
    it (no stat per file), and a symlink is neither a regular file nor a folder here, so none is followed.
    `walked` (when given) receives each folder listed, and each left out for what it holds (a virtual
    environment's pyvenv.cfg): a change in their entries can change the files found."""
    folders = [root]
    while folders:
        folder = folders.pop()
        if walked is not None:
            walked.append(folder)
        try:
            entries = list(os.scandir(folder))
        except OSError:  # unreadable, or gone since it was listed (skipped, as os.walk does)
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if is_skipped_dir(entry.path, entry.name):
                        if walked is not None and not _skipped_by_name(entry.name):
                            walked.append(entry.path)
                    elif not excluded(entry.path):
                        folders.append(entry.path)
                elif entry.name.endswith(SUFFIXES) and entry.is_file(follow_symlinks=False) \
                        and not excluded(entry.path):  # a FIFO or socket named x.py would block the read forever
                    yield entry.path
            except OSError:
                continue


def discover(paths: Iterable[str], excluded: Callable[[str], bool] | None = None,
             walked: list[str] | None = None) -> list[str]:
    """The files to lint under `paths`, sorted. Raises PathNotFound for a path that does not exist.

    `excluded(path)` (config `exclude`, .gitignore) prunes files and folders met while walking; files
    named explicitly are always linted. `walked` receives the folders the walk listed (see `_walk`).
    """
    excluded = excluded or (lambda _path: False)
    found: set[str] = set()
    for given in paths:
        path = os.path.normpath(given)
        if os.path.isdir(path):
            found.update(os.path.normpath(p) for p in _walk(path, excluded, walked))
        elif os.path.exists(path):
            found.add(path)
        else:
            raise PathNotFound(given)
    return sorted(found)


def exclude_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A predicate for `discover`: a path is excluded when a glob pattern matches its path (relative to the
    working folder) or its base name, or names one of its parent folders."""
    patterns = tuple(p.rstrip("/\\") for p in patterns if p.strip())
    if not patterns:
        return lambda _path: False

    def excluded(path: str) -> bool:
        relative = os.path.relpath(os.path.abspath(path)).replace(os.sep, "/")
        base = os.path.basename(relative)
        return any(
            fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(base, p) or relative.startswith(p + "/")
            for p in patterns
        )

    return excluded
