"""Replaying a warm run: when nothing a run read has changed since a run with the same command line, its report
is written again — without importing the engine, resolving a configuration or reading a source file.

    .rnnlint_cache/results/replay-<key>.marshal   (signed like the cache entries; one per command line, the KEPT
                                                   most recently written or replayed kept)

The key: rnnlint's code (its version and the size and mtime of each of its modules), the interpreter and the
stat of each entry of its sys.path (installing or upgrading Keras, TensorFlow or libcst changes a folder there),
the working folder, the command line, the environment variables that can change a report, and whether standard
output and standard error are terminals.

The record: the report (standard output, standard error, the exit status) and what the run's outcome was read
from, each with what it was then (a file's size, mtime and ctime — a chmod changes the ctime):
- every file linted or named, and every project module an analysis read;
- every folder the discovery listed: a file added, removed or renamed there changes the folder;
- in those folders and in each folder above the paths and the working folder (up to the root): the configuration
  and dependency files (rnnlint.toml, pyproject.toml, .gitignore, setup.cfg, setup.py, Pipfile,
  environment.yml, requirements*.txt and the files they include) and whether a `.git` is there (the walks up
  stop at one); above the paths, an `__init__.py` too (where an import's package starts); the file --config
  names.
A replay needs every one of them as it was; anything else takes the normal path (the run index, then the result
cache). A record is written only for a run another run would repeat: the cache on, no internal error or analysis
limit, no confirmation the checker failed to give this time; and none of its inputs changed in the two seconds
before the run started or during it (such a file may have been read in either state, as git's "racily clean"
files).

Which runs: a lint of paths, with any rule selection, output format, --statistics, --exit-zero, --fail-on or
--no-confirm; not --fix, --diff, --show-models, --show-fixes, --show-repro, --output-file, standard input,
--no-cache, or with RNNLINT_DEBUG_CACHE set. Not covered (as for the run index, rnnlint.runindex): a project
module outside the run's paths created since the run (an import that found nothing then would find it now), and a
change in a module outside the paths that the prefilter read for a file it then skipped.
"""
from __future__ import annotations

import marshal
import os
import sys

from rnnlint.depfiles import DEPENDENCY_FILES, is_requirements_name

TYPE_CHECKING = False  # typing is not imported: a replayed run imports as little as it can
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TextIO

    Stamp = Any  # [size, mtime_ns, ctime_ns] of a file or folder, None when absent; a bool ("e"); names ("r")

FORMAT = "rnnlint-replay/2"
DEBUG_ENV = "RNNLINT_DEBUG_REPLAY"
KEPT = 32  # records kept (one per command line): the most recently written
RACY_NS = 2_000_000_000  # mtime granularity of the coarsest file systems (FAT: 2 s)
SETTINGS_FILES = ("rnnlint.toml", ".gitignore", *DEPENDENCY_FILES)  # pyproject.toml is one
_ENV_PREFIXES = ("RNNLINT_", "KERAS_", "TF_", "PYTHON", "CUDA_")
_ENV_NAMES = ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS", "XDG_CACHE_HOME", "LOCALAPPDATA", "HOME", "PRE_COMMIT")
_NOT_REPLAYED = ("fix", "diff", "exit_non_zero_on_fix", "show_models", "show_fixes", "show_repro", "output_file",
                 "lsp", "list_rules", "explain", "stdin_filename")


def eligible(args: Any) -> bool:
    """Whether this command line's report may be replayed (and recorded)."""
    if any(getattr(args, name, None) for name in _NOT_REPLAYED) or not getattr(args, "use_cache", False):
        return False
    from rnnlint.cachedir import DEBUG_ENV as CACHE_DEBUG  # the result cache's lines would not be printed again

    return "-" not in (getattr(args, "paths", None) or ()) and not os.environ.get(CACHE_DEBUG)


def stat_stamp(path: str) -> Stamp:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _listing(folder: str) -> Stamp:
    """The requirements files of `folder` (sorted names)."""
    try:
        return sorted(name for name in os.listdir(folder) if is_requirements_name(name))
    except OSError:
        return None


# What a path is now, by kind of input: "s" its stat, "e" whether it exists, "r" its requirements files.
PROBES = {"s": stat_stamp, "e": os.path.exists, "r": _listing}


def _tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed
        return False


def run_key(argv: Sequence[str]) -> str:
    """The key of this command line in this environment (see the module doc)."""
    from rnnlint import __version__
    from rnnlint.codestamp import module_stamps

    environment = sorted((name, value) for name, value in os.environ.items()
                         if name.startswith(_ENV_PREFIXES) or name in _ENV_NAMES)
    installed = [(entry, stat_stamp(entry or ".")) for entry in sys.path]
    text = repr([FORMAT, __version__, sys.executable, sys.version, module_stamps(), installed, os.getcwd(),
                 list(argv), environment, _tty(sys.stdout), _tty(sys.stderr)])  # str, int, bool, None: exact
    from rnnlint.cachedir import blake2b  # not hashlib: its import loads OpenSSL (see rnnlint.cachedir)

    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def record_path(key: str) -> str:
    from rnnlint.cachedir import DEFAULT_CACHE_DIR

    return os.path.join(os.path.abspath(DEFAULT_CACHE_DIR), "results", f"replay-{key}.marshal")


def debug(event: str) -> None:
    """`RNNLINT_DEBUG_REPLAY=1`: say on standard error what the replay did (written past any recording)."""
    if os.environ.get(DEBUG_ENV):
        sys.stderr.flush()
        os.write(2, f"rnnlint: replay: {event}\n".encode("utf-8", "backslashreplace"))


def _changed(key: str) -> tuple[dict | None, str]:
    """(the record of `key`, "") when every input is as recorded, else (None, why not)."""
    from rnnlint.cachedir import verified_bytes

    try:
        with open(record_path(key), "rb") as stream:
            data = verified_bytes(stream.read())
    except OSError:
        return None, "no record"
    try:
        # marshal (a builtin: no import, and a third of json's time on 5,000 inputs) reads only what the MAC
        # shows this user's rnnlint wrote, with this interpreter (its version is part of the key)
        record = marshal.loads(data) if data is not None else None
        if type(record) is not dict or record.get("format") != FORMAT or type(record.get("stdout")) is not str \
                or type(record.get("stderr")) is not str or type(record.get("status")) is not int:
            return None, "not a record of this rnnlint (unsigned, foreign or corrupt)"
        changed = _first_changed(record["inputs"])
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError, RecursionError):
        return None, "not a record of this rnnlint (unsigned, foreign or corrupt)"
    return (None, f"changed: {changed}") if changed is not None else (record, "")


def _first_changed(inputs: dict[str, dict[str, list[Any]]]) -> str | None:
    """The first of a record's inputs (see `packed`) that is not as recorded, or None."""
    for kind, folders in inputs.items():
        probe = PROBES[kind]
        for folder, entries in folders.items():
            fd = _opened(folder) if kind == "s" else None
            changed = _changed_at(fd, folder, entries) if fd is not None else _changed_in(probe, folder, entries)
            if changed is not None:
                return changed
    return None


def _changed_in(probe: Any, folder: str, entries: list[Any]) -> str | None:
    """The first path folder + name of `entries` (name, stamp, …) whose `probe` is not the stamp, or None."""
    for at in range(0, len(entries), 2):
        if probe(folder + entries[at]) != entries[at + 1]:
            return folder + entries[at]
    return None


# A stat relative to the folder, opened once (O_PATH: search permission is enough, where there is one), does not
# walk the folder's path again for each file: ~10% of a replay's ~5,300 stats on a 5,000-file tree.
_FOLDER_FLAGS = getattr(os, "O_PATH", os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def _opened(folder: str) -> int | None:
    """A descriptor of `folder` to stat its files from, or None (no such stat here, or it cannot be opened)."""
    if os.stat not in os.supports_dir_fd:
        return None
    try:
        return os.open(folder or os.curdir, _FOLDER_FLAGS)
    except (OSError, ValueError):
        return None


def _changed_at(fd: int, folder: str, entries: list[Any]) -> str | None:
    """`_changed_in` with stat_stamp, each name stat'ed relative to `fd` (the folder; closed here). stat_stamp is
    written out here: a call of it per input cost 0.3-0.7 ms of the 5,300 stats (measured)."""
    try:
        for at in range(0, len(entries), 2):
            try:  # a name is "" for a path that ends with a separator: the folder itself
                info = os.stat(entries[at] or os.curdir, dir_fd=fd)
                stamp = [info.st_size, info.st_mtime_ns, info.st_ctime_ns]
            except (OSError, ValueError):
                stamp = None
            if stamp != entries[at + 1]:
                return folder + entries[at]
    finally:
        os.close(fd)
    return None


def packed(inputs: list[list[Any]]) -> dict[str, dict[str, list[Any]]]:
    """`run_inputs` as a record keeps them: kind → folder → [name, stamp, name, stamp, …], where the folder is the
    path up to its last name, separator included ("" for none: folder + name is the path as given) — a folder's
    path once, not once a file (half the record, and fewer objects to read back)."""
    out: dict[str, dict[str, list[Any]]] = {}
    for kind, path, stamp in inputs:
        name = os.path.basename(path)
        out.setdefault(kind, {}).setdefault(path[:len(path) - len(name)], []).extend((name, stamp))
    return out


def answer(key: str) -> int | None:
    """Write the recorded report of `key` and return its exit status, when every input is as recorded; else None
    (nothing written)."""
    record, why = _changed(key)
    if record is None:
        debug(f"miss: {why}")
        return None
    debug("hit")
    from rnnlint.cachedir import touch

    touch(record_path(key))  # recently used: kept by `prune`
    out, err, status = record["stdout"], record["stderr"], record["status"]
    if err:
        sys.stderr.write(err)
        sys.stderr.flush()
    sys.stdout.write(out)
    sys.stdout.flush()
    return status


class Recorded:
    """A text stream that writes through to `stream` and keeps a copy of what it wrote."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def text(self) -> str:
        return "".join(self.parts)

    def __getattr__(self, name: str) -> Any:  # isatty, flush, fileno, encoding…: the real stream's
        return getattr(self.stream, name)


def unrecorded(stream: TextIO) -> TextIO:
    """The real stream under a Recorded one (a progress line is drawn there and never replayed)."""
    return stream.stream if isinstance(stream, Recorded) else stream


class Recording:
    """Standard output and error of one run, recorded while it runs (`start` … `stop`)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.started_ns = 0
        self.out: Recorded | None = None
        self.err: Recorded | None = None

    def start(self) -> Recording:
        import time

        self.started_ns = time.time_ns()
        self.out, self.err = Recorded(sys.stdout), Recorded(sys.stderr)
        sys.stdout, sys.stderr = self.out, self.err
        return self

    def stop(self) -> None:
        if self.out is not None and sys.stdout is self.out:
            sys.stdout = self.out.stream
        if self.err is not None and sys.stderr is self.err:
            sys.stderr = self.err.stream

    def save(self, result: Any, status: int, config: str | None) -> bool:
        """Write the record of this run (see the module doc); False when the run is not one to replay. Never
        raises: the report is out already, and a record that cannot be made only costs the next run's speed."""
        try:
            return self._save(result, status, config)
        except Exception as exc:  # noqa: BLE001
            debug(f"not written: {type(exc).__name__}: {exc}")
            return False

    def _save(self, result: Any, status: int, config: str | None) -> bool:
        if self.out is None or self.err is None or not repeatable(result):
            debug("not written: another run may report otherwise")
            return False
        from pathlib import Path

        from rnnlint.cachedir import ensure, prune, sign_bytes, write_atomic

        inputs = run_inputs(result, config)
        racy = next((path for _, path, stamp in inputs if _racy(stamp, self.started_ns)), None)
        if racy is not None:
            debug(f"not written: changed at the run's start or since: {racy}")
            return False
        signed = sign_bytes(marshal.dumps({"format": FORMAT, "inputs": packed(inputs), "stdout": self.out.text(),
                                           "stderr": self.err.text(), "status": status}))
        target = Path(record_path(self.key))
        try:
            if signed is None:
                raise OSError("no cache key")
            ensure(target.parent.parent, target.parent.name)
            write_atomic(target, signed)
        except OSError as exc:
            debug(f"not written: {exc}")
            return False
        prune(target.parent, "replay-", KEPT)
        debug(f"written: {len(inputs)} inputs")
        return True


def _racy(stamp: Stamp, started_ns: int) -> bool:
    return type(stamp) is list and len(stamp) == 3 and type(stamp[1]) is int and \
        max(stamp[1], stamp[2]) >= started_ns - RACY_NS


def repeatable(result: Any) -> bool:
    """Whether another run over the same inputs would report the same: no internal error, no file left
    unanalysed for time or size (they depend on the machine's load), no confirmation the checker failed to give."""
    from rnnlint.results import ANALYSIS_LIMIT
    from rnnlint.settings import RESERVED_CODE

    if result.internal_error:
        return False
    for finding in result.findings:
        if finding.confirmation.transient or (finding.code == RESERVED_CODE and finding.name == ANALYSIS_LIMIT):
            return False
    return True


def _with_ancestors(folders: set[str]) -> list[str]:
    """The absolute `folders` and every folder above them, each once."""
    found: dict[str, None] = {}
    for start in folders:
        folder = start
        while folder not in found:
            found[folder] = None
            folder = os.path.dirname(folder)
    return list(found)


def run_inputs(result: Any, config: str | None) -> list[list[Any]]:
    """[kind, path, stamp] of everything the run's outcome was read from (see the module doc)."""
    from rnnlint.declared import requirement_files

    files: dict[str, None] = {}
    for file_result in result.files:
        files[file_result.path] = None
        files.update((module, None) for module, _ in file_result.dependencies)
    if config:
        files[config] = None
    walked = {os.path.abspath(folder): None for folder in result.folders}
    starts = {os.getcwd(), *walked, *(os.path.abspath(folder) for folder in {os.path.dirname(p) for p in files})}
    above = [folder for folder in _with_ancestors(starts) if folder not in walked]
    inputs: list[list[Any]] = [["s", path, stat_stamp(path)] for path in files]
    read: dict[str, None] = {}
    for folder in walked:  # a new settings file here changes the folder's stat: those present are enough
        inputs.append(["s", folder, stat_stamp(folder)])
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name in SETTINGS_FILES:
                read[os.path.join(folder, name)] = None
            elif is_requirements_name(name):
                read.update((path, None) for path in requirement_files(os.path.join(folder, name)))
    for folder in above:  # not listed by the run: each settings file's presence, and the requirements files
        git, requirements = os.path.join(folder, ".git"), _listing(folder)
        inputs += [["e", git, os.path.exists(git)], ["r", folder, requirements]]
        read.update((os.path.join(folder, name), None) for name in (*SETTINGS_FILES, "__init__.py"))
        for name in requirements or ():
            read.update((path, None) for path in requirement_files(os.path.join(folder, name)))
    inputs += [["s", path, stat_stamp(path)] for path in read if path not in files]
    return inputs
