"""The warm-run index: what each file of the last run was (skipped by the prefilter, or the result-cache entry of
its findings), with the size and modification time it had, so an unchanged tree is answered without reading its
files — ruff keeps the same kind of index.

    .rnnlint_cache/results/index-<run>.json   (signed like the cache entries; one per code version and paths, the
                                              KEPT most recently written or used kept)

A file is answered from the index when its size and mtime (ns) are what the index recorded and:
- it was skipped, and no file of the run changed, appeared or disappeared (whether a file is skipped depends on
  the modules it imports: any change in the tree re-decides every skipped file from its bytes);
- it was analysed, its result-cache key (which covers the rules, options and Keras its configuration gives it
  now) is the one recorded, and every project module its analysis read still has the size and mtime recorded:
  a changed module invalidates the files that import it.
Anything else takes the normal path (read, prefilter, the content-hashed result cache, analysis). A missing,
corrupt, forged or foreign index is an empty one; a write that fails only costs speed.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from rnnlint.cachedir import ensure, prune, sign, verified, write_atomic

FORMAT = "rnnlint-index/3"  # 3: a dependency's sha256 too
KEPT = 16  # indexes kept (one per list of paths): the most recently written or used
SKIPPED = "skipped"

Stat = tuple[int, int]  # (size, mtime_ns)


def stat_of(path: str) -> Stat | None:
    """(size, mtime in ns) of a file, or None when it cannot be stat'ed."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_size, info.st_mtime_ns


@dataclass(frozen=True)
class Entry:
    """One file as the last run saw it: its stat, its outcome (SKIPPED or a result-cache key) and, for an analysed
    file, the project modules its analysis read: (path, stat, sha256) each."""

    stat: Stat
    outcome: str
    content: str = ""  # the sha256 of the file's bytes when it was analysed (its cache entry must say the same)
    dependencies: tuple[tuple[str, Stat, str], ...] = ()
    clean: bool = False  # analysed, and nothing to report (not even in modules it imports): no entry to read

    def dependencies_unchanged(self) -> bool:
        return all(stat_of(path) == stat for path, stat, _ in self.dependencies)


def index_path(root: Path, fingerprint: str, paths: tuple[str, ...]) -> Path:
    """The index of runs over `paths` (as given, from this folder) by this code version."""
    run = json.dumps([FORMAT, fingerprint, os.getcwd(), list(paths)])
    return root / "results" / f"index-{hashlib.sha256(run.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}.json"


def load(path: Path) -> dict[str, Entry]:
    """The index at `path`; empty when absent, unsigned, corrupt or of another format."""
    try:
        with open(path, encoding="utf-8") as stream:
            text = verified(stream.read())
        data = json.loads(text) if text is not None else None
        if type(data) is not dict or data.get("format") != FORMAT or type(data.get("files")) is not dict:
            return {}
        entries = {}
        for name, (size, mtime, outcome, content, dependencies, clean) in data["files"].items():
            deps = tuple((str(d), (int(s), int(m)), str(h)) for d, s, m, h in dependencies)
            entries[str(name)] = Entry((int(size), int(mtime)), str(outcome), str(content), deps, clean is True)
        return entries
    except (OSError, ValueError, TypeError, RecursionError):
        return {}


def save(path: Path, entries: dict[str, Entry]) -> bool:
    """Write the index (signed, atomically); False when it could not be written."""
    files = {name: [e.stat[0], e.stat[1], e.outcome, e.content, [[d, s[0], s[1], h] for d, s, h in e.dependencies], e.clean]
             for name, e in entries.items()}
    signed = sign(json.dumps({"format": FORMAT, "files": files}, separators=(",", ":")))
    if signed is None:
        return False
    try:
        ensure(path.parent.parent, path.parent.name)
        write_atomic(path, signed)
    except OSError:
        return False
    prune(path.parent, "index-", KEPT)
    return True
