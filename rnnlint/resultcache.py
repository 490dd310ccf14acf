"""The result cache: a file's static findings, stored under `.rnnlint_cache/results/` and reused while neither
the file's bytes nor anything that decides its findings has changed.

What is cached, and what is not
-------------------------------
Only `FileResult.findings` *before confirmation* (static findings with their fixes and the evidence the checker
builds from). Confirmation statuses are not stored here: the checker keeps its own cache (`confirm/`, keyed by
the model spec and the Keras version), so a warm run is confirmed exactly as a cold one. On a hit the engine gets
a FileResult with the findings and the decoded source (for the report's excerpts), but no IR and no shapes
(`ir is None`): `--show-models` and the language server need those and do not use this cache.
Not stored: files the prefilter skips (they cost less than a cache look-up), unreadable files, and results with
an RNN000 internal-error or analysis-limit finding (the per-file time limit depends on the machine's load).

The key
-------
An entry's file name is a sha256 of: the entry format, the *code fingerprint* (rnnlint's version, the size and
mtime of every module of the rnnlint and rnnlint.rules packages — so an edited rule in an editable install
invalidates the cache —, the Python version and libcst's version), the path as given, the Keras major version
the rules target and the rules enabled for that path (select / extend-select / ignore / per-file-ignores,
resolved). Inside, the entry records the sha256 of the file's bytes: a hit needs the same bytes. Editing a file
overwrites its one entry instead of adding another.

Safety
------
Entries are signed with a per-user secret kept outside the project (`rnnlint.cachedir.sign`): an entry a cloned
repository brings, or one copied from another user or machine, does not verify and is a miss. Entries are JSON, decoded by `decode` into an allow-list of rnnlint's own frozen dataclasses; nothing in an entry
is imported, called or unpickled: even an entry that verifies cannot run code. (Pickle would be faster but would
execute whatever an entry says: it is not used.) A corrupt, truncated, foreign (other rnnlint or format) or ill-typed entry is a
miss: the file is analysed again and the entry rewritten. Writes go through a temporary file and os.replace
(`rnnlint.cachedir.write_atomic`), so concurrent runs never see a torn entry (a run killed mid-write leaves a
temporary file, which is never read and is swept an hour later by `cachedir.sweep`); a read-only or full disk only costs
speed. `--no-cache` neither reads nor writes.

`RNNLINT_DEBUG_CACHE=1` prints `rnnlint: result cache: hit|miss|write PATH` lines to standard error.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rnnlint import __version__
from rnnlint.cachedir import DEBUG_ENV, DEFAULT_CACHE_DIR, ensure, sign, sweep, verified, write_atomic
from rnnlint.codestamp import module_stamps

FORMAT = "rnnlint-results/4"  # 2: signed entries; 3: foreign findings and the modules read; 4: a notebook's program
SUBDIR = "results"
_UNCACHEABLE = ("internal-error", "analysis-limit")


def debug(event: str, path: str) -> None:
    if os.environ.get(DEBUG_ENV):  # one write(2) per line: workers share standard error
        sys.stderr.flush()
        os.write(2, f"rnnlint: result cache: {event} {path}\n".encode("utf-8", "backslashreplace"))


# ---------------------------------------------------------------------------------------------------------
# JSON encoding of findings: an allow-list of rnnlint's dataclasses, tuples kept apart from lists, exact floats


class Unencodable(ValueError):
    """A value the cache format cannot hold exactly (bytes, complex…): the result is not cached."""


@lru_cache(maxsize=1)
def _classes() -> dict[str, type]:
    from rnnlint import findings, ir

    names = ("Unknown", "Sym", "Pos", "Span", "Argument", "CallSite", "Layer", "TensorRef", "Node", "DeclaredInput",
             "ArrayShape", "DatasetShape", "TrainCall", "ModelCall", "CompileInfo", "Model", "Import")
    table = {name: getattr(ir, name) for name in names}
    table.update({cls.__name__: cls for cls in (findings.Confirmation, findings.Edit, findings.Fix,
                                                findings.Evidence, findings.Finding)})
    return table


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def encode(value: Any) -> Any:
    """A JSON-ready form of `value` that `decode` turns back into an equal value. Raises Unencodable."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"!f": repr(value)}
    if kind is tuple:
        return [encode(v) for v in value]
    if kind is list:
        return {"!l": [encode(v) for v in value]}
    if kind is dict:
        return {"!d": [[encode(k), encode(v)] for k, v in value.items()]}
    name = kind.__name__
    if _classes().get(name) is kind:
        return {"!": name, "a": [encode(getattr(value, f)) for f in _field_names(kind)]}
    raise Unencodable(f"cannot cache a {kind.__name__}")


class Corrupt(ValueError):
    """An entry that is not what this version of rnnlint writes."""


def decode(data: Any) -> Any:
    """The value `encode` produced `data` from. Builds only allow-listed dataclasses; raises Corrupt."""
    kind = type(data)
    if data is None or kind in (bool, int, str, float):
        return data
    if kind is list:
        return tuple(decode(v) for v in data)
    if kind is dict:
        if "!" in data:
            cls = _classes().get(data["!"])
            args = data.get("a")
            if cls is None or type(args) is not list or len(args) != len(_field_names(cls)):
                raise Corrupt(f"unknown record {data['!']!r}")
            return cls(*(decode(v) for v in args))
        if "!l" in data and type(data["!l"]) is list:
            return [decode(v) for v in data["!l"]]
        if "!d" in data and type(data["!d"]) is list:
            try:
                return {decode(k): decode(v) for k, v in data["!d"]}
            except (TypeError, ValueError) as exc:
                raise Corrupt("bad mapping") from exc
        if "!f" in data and data["!f"] in ("inf", "-inf", "nan"):
            return float(data["!f"])
    raise Corrupt("unexpected value")


def _valid_span(span: Any) -> bool:
    from rnnlint.ir import Span

    return type(span) is Span and span.path is None and \
        all(type(getattr(span, f)) is int for f in _field_names(Span) if f != "path")


def _current(path: str, digest: str) -> bool:
    """Whether the file at `path` still has the bytes whose sha256 is `digest`."""
    try:
        with open(path, "rb") as handle:
            return content_hash(handle.read()) == digest
    except OSError:
        return False


def _valid_findings(findings: Any, path: str | None) -> bool:
    """What the reporters read, type-checked: a forged entry must not crash a report. `path` None: findings
    located in other files (each with a path of its own)."""
    from rnnlint.findings import SEVERITY_RANK, Confirmation, Edit, Finding, Fix

    if type(findings) is not tuple:
        return False
    for f in findings:
        if type(f) is not Finding or not _valid_span(f.span) or (f.path != path if path is not None
                                                                   else type(f.path) is not str):
            return False
        if not all(type(x) is str for x in (f.code, f.name, f.message)) or f.severity not in SEVERITY_RANK:
            return False
        if not (f.cell is None or type(f.cell) is int) or type(f.confirmation) is not Confirmation:
            return False
        if f.fix is not None:
            if type(f.fix) is not Fix or f.fix.applicability not in ("safe", "unsafe") or type(f.fix.edits) is not tuple:
                return False
            if not all(type(e) is Edit and _valid_span(e.span) and type(e.text) is str for e in f.fix.edits):
                return False
    return True


# ---------------------------------------------------------------------------------------------------------
# Keys


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """rnnlint's version, its modules' sizes and mtimes, the Python and libcst versions (see the module doc)."""
    parts = [__version__, sys.version, _libcst_version(), *module_stamps()]
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _libcst_version() -> str:
    from rnnlint.kerasver import installed_version

    try:
        return installed_version("libcst") or "?"
    except Exception:  # noqa: BLE001 - not installed as a distribution: the package fingerprint still applies
        return "?"


def rules_fingerprint(settings) -> str:
    """What in a file's (resolved) settings decides its findings: the enabled rules and the Keras it is judged
    against (the major version and the releases allowed)."""
    from rnnlint.kerasver import choice_for
    from rnnlint.settings import enabled_rules

    codes = ",".join(rule.code for rule in enabled_rules(settings))
    choice = choice_for(settings)
    options = ",".join(f"{key}={value}" for key, value in settings.rule_options)
    return f"keras={choice.major}:{choice.package}:{','.join(choice.versions)};rules={codes};options={options}"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ResultCache:
    """Entries under `root/results/<key>.json`. Picklable (workers write their own entries)."""

    root: Path
    fingerprint: str

    @classmethod
    def open(cls) -> "ResultCache":
        """The cache of this folder (.rnnlint_cache/results/), stale temporary files swept."""
        root = Path(os.path.abspath(DEFAULT_CACHE_DIR))
        sweep(root)  # temporary files of runs killed mid-write
        return cls(root=root, fingerprint=code_fingerprint())

    def key(self, path: str, settings) -> str:
        text = f"{FORMAT}\n{self.fingerprint}\n{rules_fingerprint(settings)}\n{path}"
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def entry_path(self, key: str) -> Path:
        return self.root / SUBDIR / f"{key}.json"

    def get(self, key: str, path: str, data: bytes):
        """The cached (findings, foreign findings, dependencies) of `path` with content `data`, or None (a miss:
        absent, stale — the file or a project module its analysis read has changed —, corrupt, foreign)."""
        try:
            with open(self.entry_path(key), encoding="utf-8") as stream:
                text = verified(stream.read())
            if text is None:
                raise ValueError("forged, foreign or unsigned entry")
            entry = json.loads(text)
        except (OSError, ValueError, RecursionError):
            debug("miss", path)
            return None
        try:
            if not (type(entry) is dict and entry.get("format") == FORMAT and entry.get("key") == key
                    and entry.get("path") == path and entry.get("content") == content_hash(data)):
                raise Corrupt("stale or foreign entry")
            findings = decode(entry.get("findings"))
            foreign = decode(entry.get("foreign", []))
            dependencies = decode(entry.get("dependencies", []))
            if not _valid_findings(findings, path) or not _valid_findings(foreign, None):
                raise Corrupt("ill-typed findings")
            if type(dependencies) is not tuple or not all(
                    type(d) is tuple and len(d) == 2 and all(type(x) is str for x in d) for d in dependencies):
                raise Corrupt("ill-typed dependencies")
            if not all(_current(dep, digest) for dep, digest in dependencies):
                raise Corrupt("an imported module changed")
            program = _program(entry.get("program"))
        except (Corrupt, TypeError, ValueError, RecursionError):
            debug("miss", path)
            return None
        debug("hit", path)
        return findings, foreign, dependencies, program

    def get_indexed(self, key: str, path: str, content: str):
        """Like `get`, for a file the run index vouches for (same size and mtime, modules it read unchanged): the
        file is not read; the entry must record the content hash the index recorded (`content`)."""
        try:
            with open(self.entry_path(key), encoding="utf-8") as stream:
                text = verified(stream.read())
            entry = json.loads(text) if text is not None else None
            if not (type(entry) is dict and entry.get("format") == FORMAT and entry.get("key") == key
                    and entry.get("path") == path and entry.get("content") == content):
                raise Corrupt("stale or foreign entry")
            findings = decode(entry.get("findings"))
            foreign = decode(entry.get("foreign", []))
            dependencies = decode(entry.get("dependencies", []))
            if not _valid_findings(findings, path) or not _valid_findings(foreign, None) or type(dependencies) is not tuple:
                raise Corrupt("ill-typed entry")
            program = _program(entry.get("program"))
        except (OSError, Corrupt, TypeError, ValueError, RecursionError):
            debug("index-miss", path)  # the normal path (read, hash, `get`) follows
            return None
        debug("index-hit", path)
        return findings, foreign, dependencies, program

    def put(self, key: str, path: str, data: bytes, result) -> bool:
        """Store `result`'s findings if the result is cacheable; False when it was not written."""
        if not cacheable(result):
            return False
        try:
            findings = [encode(f) for f in result.findings]
            foreign = [encode(f) for f in result.foreign]
            dependencies = [encode(d) for d in result.dependencies]
        except (Unencodable, RecursionError):
            return False
        entry = {"format": FORMAT, "key": key, "path": path, "content": content_hash(data), "findings": findings,
                 "foreign": foreign, "dependencies": dependencies}
        if result.cells is not None and (result.findings or result.foreign):
            # a notebook with something to show: its program (the code cells as linted) and where each cell sits,
            # so that a hit needs neither the notebook's JSON nor a parse of each cell for the report's excerpts
            entry["program"] = [result.source, [[c.index, c.first_line, c.line_count] for c in result.cells]]
        try:
            text = json.dumps(entry, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        except (ValueError, RecursionError):
            return False
        signed = sign(text)
        if signed is None:
            return False  # no key: no cache
        try:
            ensure(self.root, SUBDIR)  # idempotent and race-safe; cheap next to the write itself
            write_atomic(self.entry_path(key), signed)
        except OSError:
            return False  # read-only or full disk: only costs speed
        debug("write", path)
        return True


def _program(data: Any):
    """A stored notebook program as (text, cells), None when the entry has none; raises Corrupt when ill-typed."""
    if data is None:
        return None
    from rnnlint.sources import Cell

    if not (type(data) is list and len(data) == 2 and type(data[0]) is str and type(data[1]) is list and all(
            type(c) is list and len(c) == 3 and all(type(n) is int and n >= 0 for n in c) for c in data[1])):
        raise Corrupt("ill-typed program")
    return data[0], tuple(Cell(*c) for c in data[1])


def cacheable(result) -> bool:
    """A result worth storing: analysed (not skipped), read, and without an engine failure that may not recur."""
    if result.skipped or result.source is None:
        return False
    return not any(f.code == "RNN000" and f.name in _UNCACHEABLE for f in result.findings)


__all__ = ["DEBUG_ENV", "FORMAT", "ResultCache", "cacheable", "code_fingerprint", "decode", "encode"]
