"""What linting produces: one `FileResult` per file, one `RunResult` per run, and the RNN000 findings the engine
itself reports (a file that does not parse, cannot be read, or met an internal error)."""
from __future__ import annotations

from dataclasses import dataclass

from rnnlint.findings import Finding
from rnnlint.ir import FileIR, Span
from rnnlint.kerasver import KerasChoice
from rnnlint.settings import RESERVED_CODE
from rnnlint.shapes import ModelShapes
from rnnlint.sources import Cell

SYNTAX_ERROR = "syntax-error"
UNREADABLE_FILE = "unreadable-file"
INTERNAL_ERROR = "internal-error"
ANALYSIS_LIMIT = "analysis-limit"


@dataclass(frozen=True)
class FileResult:
    """One file's outcome. `source` is None when the file could not be read; `ir` None when it did not parse."""

    path: str
    findings: tuple[Finding, ...]
    source: str | None
    ir: FileIR | None
    shapes: dict[int, ModelShapes]
    cells: tuple[Cell, ...] | None = None
    skipped: bool = False  # the prefilter found no `keras` in its bytes: not decoded, parsed or checked
    cached: bool = False  # findings from the result cache (rnnlint.resultcache): no `ir`, no `shapes`
    foreign: tuple[Finding, ...] = ()  # findings this file's analysis located in modules it imports
    dependencies: tuple[tuple[str, str], ...] = ()  # (path, sha256) of every project module the analysis read (with
    # the cache on: Settings.use_cache)
    keras: KerasChoice | None = None  # the Keras the file was judged against, and why (None: not linted)

    @property
    def internal_error(self) -> bool:
        return any(f.code == RESERVED_CODE and f.name == INTERNAL_ERROR for f in self.findings)


@dataclass(frozen=True)
class RunResult:
    """A whole run: per-file results (in path order), all findings, run-level notes and errors."""

    files: tuple[FileResult, ...]
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    refuted: int = 0  # findings Keras refuted (dropped unless show_refuted)
    errors: tuple[str, ...] = ()  # run-level internal errors (e.g. the checker crashed)
    target_keras: int = 3
    targets: tuple[tuple[KerasChoice, int], ...] = ()  # what the files were judged against, with file counts
    folders: tuple[str, ...] = ()  # the folders the run's discovery listed (rnnlint.replay checks them)

    @property
    def internal_error(self) -> bool:
        return bool(self.errors) or any(r.internal_error for r in self.files)

    @property
    def skipped(self) -> int:
        """Files the prefilter skipped (see rnnlint.prefilter)."""
        return sum(1 for r in self.files if r.skipped)


def engine_finding(name: str, message: str, path: str, span: Span | None = None) -> Finding:
    """An RNN000 finding (`name`: syntax-error, unreadable-file, internal-error, analysis-limit)."""
    return Finding(code=RESERVED_CODE, name=name, severity="error", message=message, path=path,
                   span=span or Span(1, 1, 1, 1))


def internal_error(stage: str, exc: BaseException, path: str) -> Finding:
    """The RNN000 internal-error finding for a crash in `stage`; the run goes on."""
    detail = " ".join(str(exc).split()) or "(no message)"
    return engine_finding(INTERNAL_ERROR, f"internal error in {stage}: {type(exc).__name__}: {detail} "
                           "(the rest of the run continues; please report this)", path)

