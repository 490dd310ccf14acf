"""The modules of the linted project that a file imports: found on disk, read and parsed once per analysis.

`rnnlint path/` lints a project, not isolated files: a model built by a function or class in one module and
compiled, fitted or extended in another is one model. When the evaluator meets `import utils`,
`from models.lstm import build_model` or `from .layers import block`, it asks a `ModuleLoader` for that module's
file, evaluates it (as Python would on import: its `if __name__ == "__main__":` block is not run, its `else:` is)
and binds the names it defines.

Where a module is looked for, as Python would find it when the importing script runs:
- a relative import (`from . import x`, `from ..models import y`): from the importing file's package;
- an absolute one: the importing file's own folder (a script's folder is on `sys.path`), then the folder above the
  package the file belongs to (the top of its chain of `__init__.py` folders), then the project root (the nearest
  folder with a pyproject.toml, setup.py, setup.cfg or .git, at most six levels up) and its `src/`.
A module is `NAME.py` or `NAME/__init__.py` there. The libraries the analyzer knows itself (Keras, TensorFlow,
NumPy…) are never looked up, so a local file cannot shadow them. What is not found stays unknown: never a guess.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Callable

from rnnlint.analyze.errors import AnalysisLimit, SourceSyntaxError
from rnnlint.analyze.limits import preflight
from rnnlint.analyze.positions import SourceText

# Modules the analyzer models itself (or must not look for on disk).
LIBRARIES = frozenset({
    "keras", "tensorflow", "tf_keras", "numpy", "pandas", "sklearn", "scipy", "argparse", "json", "os", "sys",
    "math", "random", "re", "time", "typing", "collections", "functools", "itertools", "pathlib", "__future__",
})
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
MAX_ANALYSED_KEPT = 32  # trees of analysed files kept for a later importer (ModuleLoader.tree_for)
_MAX_UP = 6


@dataclass(frozen=True)
class LoadedModule:
    """A project module's text and tree; `path` is how the analysis names it (in the style of the root's path)."""

    path: str
    text: str
    tree: object  # ast.Module
    src: SourceText  # its positions, shared by every analysis that imports it


class ModuleLoader:
    """Resolves and parses the project modules one analysis imports (each file at most once)."""

    def __init__(self) -> None:
        self._parsed: dict[str, LoadedModule | None] = {}  # modules imported: kept for the run
        self._analysed: dict[str, LoadedModule] = {}  # the latest files analysed (MAX_ANALYSED_KEPT), oldest first
        self._found: dict[tuple, str | None] = {}
        self._roots: dict[str, list[str]] = {}  # folder → where its absolute imports are looked for
        self._folders: dict[str, str] = {}  # importing file → its absolute folder
        self._projects: dict[str, str] = {}  # folder → project_of its files
        # path → os.stat (None: cannot be stat'ed), asked once a run: the folders of a project share its roots and
        # markers, and ask for the same modules there; every import asks whether it is the file analysed (the
        # stats of a run over the real-code set: 9,559 → 5,390)
        self._stats: dict[str, os.stat_result | None] = {}

    def text_of(self, path: str) -> str | None:
        module = self._parsed.get(path)
        return module.text if module is not None else None

    def resolve(self, importer: str | None, module: str, level: int) -> str | None:
        """The file of `module` (dotted, without the leading dots of a relative import) imported with `level`
        dots from the file `importer`; None when it is not a module of the project."""
        if level == 0 and (not module or module.split(".")[0] in LIBRARIES):
            return None
        if not importer:
            folder = os.getcwd()
        elif importer in self._folders:
            folder = self._folders[importer]
        else:
            folder = self._folders[importer] = os.path.dirname(os.path.abspath(importer))
        key = (folder, module, level, bool(importer and os.path.isabs(importer)))  # the files of a folder share it
        if key not in self._found:
            self._found[key] = self._search(folder, module, level, key[3])
        return self._found[key]

    def _search(self, folder: str, module: str, level: int, absolute: bool) -> str | None:
        parts = [p for p in module.split(".") if p]
        if level:
            base = folder
            for _ in range(level - 1):
                base = os.path.dirname(base)
            found = _module_file(base, parts, self._stat)
        else:
            if folder not in self._roots:
                self._roots[folder] = roots(folder, self._stat)
            found = next((f for f in (_module_file(root, parts, self._stat) for root in self._roots[folder])
                          if f is not None), None)
        if found is None:
            return None
        return found if absolute else os.path.relpath(found)

    def same_file(self, a: str, b: str) -> bool:
        """`os.path.samefile(a, b)` (the paths compared when either cannot be stat'ed), each file stat'ed once a
        run: every import of a module asks whether it is the file being analysed."""
        status_a, status_b = self._stat(a), self._stat(b)
        if status_a is None or status_b is None:
            return os.path.normpath(a) == os.path.normpath(b)
        return (status_a.st_dev, status_a.st_ino) == (status_b.st_dev, status_b.st_ino)

    def project_of(self, path: str) -> str:
        """Where the file `path` finds the modules it imports: its project's folder (`project_folder`), else the
        top of its package (`package_top`); files with the same answer import from the same modules."""
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._projects:
            self._projects[folder] = project_folder(folder, self._stat) or package_top(folder, self._stat)
        return self._projects[folder]

    def _stat(self, path: str) -> os.stat_result | None:
        if path not in self._stats:
            self._stats[path] = _stat(path)
        return self._stats[path]

    def tree_for(self, path: str, text: str):
        """The tree of the file `path` being analysed, with content `text`: the one parsed when a file analysed
        before it imported it (same text), else parsed now (limits.preflight: it raises as that does) and kept for
        the files analysed soon after it that import it. Only the latest MAX_ANALYSED_KEPT are kept: a tree costs
        ~30 times its text, and a worker analysing 500 files would otherwise hold them all (276 MB for 1,000)."""
        key = os.path.normpath(path) if os.path.isabs(path) else os.path.relpath(path)  # as `resolve` names it
        known = self._parsed.get(key) or self._analysed.get(key)
        if known is not None and known.text == text:
            return known.tree
        tree = preflight(text)
        if key not in self._parsed:
            self._analysed.pop(key, None)
            self._analysed[key] = LoadedModule(key, text, tree, SourceText(text, key))
            while len(self._analysed) > MAX_ANALYSED_KEPT:
                del self._analysed[next(iter(self._analysed))]
        return tree

    def load(self, path: str) -> LoadedModule | None:
        """Read and parse the module at `path`; None when it cannot be (unreadable, too large, not Python)."""
        if path not in self._parsed:
            kept = self._analysed.pop(path, None)
            self._parsed[path] = kept if kept is not None else _read(path)
        return self._parsed[path]


def _stat(path: str) -> os.stat_result | None:
    """os.stat of `path` (following links, as os.path.isfile does), None when it cannot be stat'ed."""
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _is_file(status: os.stat_result | None) -> bool:
    return status is not None and stat.S_ISREG(status.st_mode)


def _module_file(root: str, parts: list[str], stat_of: Callable = _stat) -> str | None:
    """`root/a/b.py` or `root/a/b/__init__.py` for parts [a, b] (`root/__init__.py` for none), if it exists.
    `stat_of`: how a path is stat'ed (a ModuleLoader asks each path once)."""
    base = os.path.join(root, *parts)
    candidates = (os.path.join(base, "__init__.py"),) if not parts else (base + ".py", os.path.join(base, "__init__.py"))
    return next((os.path.normpath(c) for c in candidates if _is_file(stat_of(c))), None)


def roots(folder: str, stat_of: Callable = _stat) -> list[str]:
    """Where an absolute import is looked for, from a file in the absolute `folder` (see the module docstring).
    `stat_of`: how a path is stat'ed (a ModuleLoader asks each path once)."""
    roots = [folder]
    top = package_top(folder, stat_of)
    if top not in roots:
        roots.append(top)
    here = project_folder(folder, stat_of)
    if here is not None:
        roots.extend(r for r in (here, os.path.join(here, "src")) if r not in roots and _is_dir(stat_of(r)))
    return roots


def project_folder(folder: str, stat_of: Callable = _stat) -> str | None:
    """The nearest folder at or above `folder` (at most _MAX_UP up) with a project marker (pyproject.toml, …)."""
    here = folder
    for _ in range(_MAX_UP):
        if any(stat_of(os.path.join(here, m)) is not None for m in _PROJECT_MARKERS):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
    return None


def package_top(folder: str, stat_of: Callable = _stat) -> str:
    """The folder that holds the package `folder` is in (up through the folders with an `__init__.py`, at most
    _MAX_UP), or `folder` itself when it is no package."""
    top = folder
    for _ in range(_MAX_UP):
        if not _is_file(stat_of(os.path.join(top, "__init__.py"))):
            break
        top = os.path.dirname(top)
    return top


def _is_dir(status: os.stat_result | None) -> bool:
    return status is not None and stat.S_ISDIR(status.st_mode)


def _read(path: str) -> LoadedModule | None:
    from rnnlint.sources import decode_python

    try:
        with open(path, "rb") as handle:
            data = handle.read()
        text = decode_python(data)
        tree = preflight(text)
    except (OSError, ValueError, SourceSyntaxError, AnalysisLimit, RecursionError, MemoryError):
        return None
    return LoadedModule(path, text, tree, SourceText(text, path))


__all__ = ["LIBRARIES", "LoadedModule", "ModuleLoader", "roots"]
