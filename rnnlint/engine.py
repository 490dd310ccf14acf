"""The one linting API every front end (CLI, language server, pre-commit hook) calls.

    source ─► analyze (IR) ─► shapes per model ─► enabled rules ─► findings ─► suppression ─► sorted
    …all files… ─► confirmation with the real Keras, once per run ─► RunResult

Nothing here raises for bad input: an unparsable file is one `RNN000 syntax-error` finding, an unreadable one
`RNN000 unreadable-file`, and a crash in the analyzer, the shape propagation or a rule is `RNN000
internal-error` naming the stage, after which the run goes on.
"""
from __future__ import annotations

import ast
import dataclasses
import os
import re
import warnings
from typing import Iterable, Sequence

from rnnlint.analyze import AnalysisLimit, SourceSyntaxError, analyze_source
from rnnlint.analyze.project import ModuleLoader
from rnnlint.config import discover_files, for_path
from rnnlint.findings import Confirmation, Evidence, Finding
from rnnlint.ir import UNKNOWN, Model, Span
from rnnlint.kerasver import KerasChoice, choice_for, file_choice
from rnnlint.parallel import lint_many
from rnnlint.prefilter import should_analyse
from rnnlint.rule import RuleContext
from rnnlint.settings import RESERVED_CODE, Settings, enabled_rules
from rnnlint.shapes import ModelShapes, propagate
from rnnlint.sources import Cell, Source, SourceError, read_bytes, read_source, read_text
from rnnlint.sources.notebook import ParsedNotebook, parsed_notebook
from rnnlint.results import (ANALYSIS_LIMIT, SYNTAX_ERROR, UNREADABLE_FILE, FileResult, RunResult,
                             engine_finding, internal_error)
from rnnlint.suppress import apply_suppressions

def _unknown_shapes() -> ModelShapes:
    return ModelShapes(inputs={}, outputs={}, errors=(), model_input=UNKNOWN, model_output=UNKNOWN)


def synthetic_input(model: Model) -> tuple | None:
    """For a Sequential model that declares no input, or a subclassed model (whose input is only known at fit):
    a per-sample shape of the right rank, so that rank errors between layers still show. Rules that need real
    dims skip models whose shapes say `synthetic_input`."""
    from rnnlint.shapes import expected_input_ndim

    if model.api == "subclass" and len(model.nodes) > 1:
        first_input = next((n.id for n in model.nodes if n.layer.kind == "<subclass-input>"), None)
        consumer = next((n for n in model.nodes if any(r.node == first_input for r in n.inputs)), None)
        if consumer is None:
            return None
        first = consumer.layer
    elif model.api == "sequential" and model.declared_input is None and model.nodes:
        first = model.nodes[0].layer
    else:
        return None
    ndim = expected_input_ndim(first)
    if ndim is None or ndim < 2 or first.kind in ("TimeDistributed", "Dense", "Flatten"):
        return None
    if first.kind.startswith("ConvLSTM"):
        return (None,) + (8,) * (ndim - 3) + (1,)
    return (None,) * (ndim - 2) + (1,)


def _propagate(models: Sequence[Model], keras_major: int, path: str) -> tuple[dict[int, ModelShapes], list[Finding]]:
    shapes: dict[int, ModelShapes] = {}
    errors: list[Finding] = []
    for model in models:
        shapes[model.id] = _unknown_shapes()
        try:
            shapes[model.id] = propagate(model, keras_major=keras_major, synthetic_input=synthetic_input(model))
        except Exception as exc:  # noqa: BLE001 - one model's failure must not stop the file
            label = f"model {model.name!r}" if model.name else f"the model on line {model.span.line}"
            errors.append(internal_error(f"shape propagation of {label}", exc, path))
    return shapes, errors


def _sort_key(finding: Finding) -> tuple:
    return (finding.cell or 0, finding.span.line, finding.span.column, finding.code)


def _locate_in_cells(findings: Iterable[Finding], cells: tuple[Cell, ...] | None) -> list[Finding]:
    """Map spans in a notebook's joined text to (cell, cell-relative lines). Identity for .py files."""
    if not cells:
        return list(findings)
    from rnnlint.sources.notebook import locate  # also remaps "line N" in messages and fix edits

    return [locate(finding, cells) for finding in findings]


def _syntax_error(text: str, exc: SourceSyntaxError) -> tuple[str, Span]:
    """Message and span of a syntax error: CPython's own (its positions are precise), else the analyzer's report."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "invalid escape sequence": not ours to print
            compile(text, "<rnnlint>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as err:
        if err.lineno and err.msg:
            line, column = err.lineno, max(err.offset or 1, 1)
            end_line, end_column = err.end_lineno or line, err.end_offset or column + 1
            return err.msg, _inside(text, line, column, end_line, end_column)
    except Exception:  # noqa: BLE001 - e.g. RecursionError: keep the analyzer's report
        pass
    message = " ".join(exc.message.split()) or "invalid syntax"
    return message, _inside(text, exc.line, exc.column, exc.line, exc.column + 1)


def _inside(text: str, line: int, column: int, end_line: int, end_column: int) -> Span:
    """A span clamped to the text (CPython points one past the end of a line, or of the file, for errors at a
    line break) and at least one character wide where the line has one."""
    lines = re.split(r"\r\n|\r|\n", text)

    def clamp(line: int, column: int) -> tuple[int, int]:
        line = min(max(line, 1), len(lines))
        return line, min(max(column, 1), len(lines[line - 1]) + 1)

    line, column = clamp(line, column)
    end_line, end_column = clamp(end_line, end_column)
    if (end_line, end_column) <= (line, column):
        width = len(lines[line - 1])
        column = min(column, max(width, 1))  # past the end of the line: its last character
        end_line, end_column = line, min(column + 1, width + 1)
    return Span(line, column, end_line, end_column)


def _lint(source: Source, settings: Settings, choice: KerasChoice, loader: ModuleLoader | None = None,
          analyzer=None) -> FileResult:
    path, text = source.path, source.text
    loader = loader or ModuleLoader()
    analyse = analyze_source if analyzer is None else analyzer.analyse
    parsed = {"tree": source.tree} if source.tree is not None else {}  # a notebook's program, parsed by its reader
    try:
        ir = analyse(text, path=path if path not in ("-", "<stdin>") else None, loader=loader, **parsed)
    except SourceSyntaxError as exc:
        message, span = _syntax_error(text, exc)
        finding = engine_finding(SYNTAX_ERROR, f"syntax error: {message}", path, span)
        return FileResult(path, tuple(_locate_in_cells([finding], source.cells)), text, None, {}, source.cells,
                          keras=choice)
    except AnalysisLimit as exc:  # too large, too deeply nested, or over the per-file time limit
        finding = engine_finding(ANALYSIS_LIMIT, f"not analysed: {exc.message}", path)
        return FileResult(path, tuple(_locate_in_cells([finding], source.cells)), text, None, {}, source.cells,
                          keras=choice)
    except Exception as exc:  # noqa: BLE001 - also RecursionError on deeply nested code
        return FileResult(path, (internal_error("the analyzer", exc, path),), text, None, {}, source.cells, keras=choice)

    own = file_choice((i.module for i in ir.imports), choice)  # tf_keras code is Keras 2
    file_major = own.major
    shapes, findings = _propagate(ir.models, file_major, path)
    context = RuleContext(ir=ir, shapes=shapes, target_keras=file_major, keras=own, options=dict(settings.rule_options))
    for rule_class in enabled_rules(settings):
        try:
            diagnostics = list(rule_class().check(context))
        except Exception as exc:  # noqa: BLE001 - one rule's bug must not hide the others
            findings.append(internal_error(f"rule {rule_class.code} ({rule_class.name})", exc, path))
            continue
        for diagnostic in diagnostics:
            findings.append(Finding(
                code=rule_class.code, name=rule_class.name, severity=diagnostic.severity or rule_class.severity,
                message=diagnostic.message, path=path, span=diagnostic.span, fix=diagnostic.fix,
                evidence=_for_keras(diagnostic.evidence, file_major),
            ))
    for line, column, message in source.syntax_errors:  # a notebook cell that does not parse (linted as blank)
        findings.append(engine_finding(SYNTAX_ERROR, f"syntax error: {message} (this cell is not analysed; the "
                                        "others are)", path, Span(line, column, line, column + 1)))
    findings = _distinct(findings)  # a layer made several times (a loop, a block called twice) reports once
    findings, foreign = _split_foreign(findings, loader)
    after = apply_suppressions(findings, text)
    enabled = enabled_rules(settings)
    codes = tuple(rule.code for rule in enabled)
    kept = list(after)
    for rule in enabled:  # post-suppression hooks (RNN100: suppressions that suppressed nothing)
        kept += apply_suppressions(rule.after_suppression(findings, after, text, path, codes), text)
    findings = kept
    findings = sorted(_locate_in_cells(findings, source.cells), key=_sort_key)
    # what a cached result of this file is checked against: a run without the cache needs no digests (on the real-code
    # set, 2,500 modules read again and hashed: ~1% of a cold run)
    dependencies = tuple((m, digest) for m in ir.dependencies if (digest := _digest(m)) is not None) \
        if settings.use_cache else ()
    return FileResult(path, tuple(findings), text, ir, shapes, source.cells, foreign=foreign,
                      dependencies=dependencies, keras=choice)


def _digest(path: str) -> str | None:
    """The sha256 of a file the analysis read (a module or a config), or None when it cannot be read now."""
    import hashlib

    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _split_foreign(findings: list[Finding], loader: ModuleLoader) -> tuple[list[Finding], tuple[Finding, ...]]:
    """The findings located in this file, and those located in a module it imports (rebased onto that file,
    with its own suppression comments applied)."""
    own: list[Finding] = []
    elsewhere: dict[str, list[Finding]] = {}
    for f in findings:
        where = f.span.path
        if where is None:
            own.append(f)
            continue
        fix = f.fix
        if fix is not None:
            if any(e.span.path != where for e in fix.edits):
                fix = None
            else:
                fix = dataclasses.replace(fix, edits=tuple(dataclasses.replace(e, span=dataclasses.replace(
                    e.span, path=None)) for e in fix.edits))
        elsewhere.setdefault(where, []).append(dataclasses.replace(
            f, path=where, span=dataclasses.replace(f.span, path=None), fix=fix))
    foreign: list[Finding] = []
    for where, items in elsewhere.items():
        text = loader.text_of(where)
        foreign.extend(apply_suppressions(items, text) if text is not None else items)
    return own, tuple(sorted(foreign, key=lambda f: (f.path, *_sort_key(f))))


def merge_foreign(results: Sequence[FileResult]) -> list[FileResult]:
    """Each file's findings plus those other files' analyses located in it (a model built by a builder in
    `models.py` and fitted in `train.py` is one model: a mistake written in `models.py` is reported there).
    A foreign finding is kept only for a file of this run, and only when the file's own analysis did not report
    the same code at the same place."""
    import os

    if not any(r.foreign for r in results):
        return list(results)
    index = {os.path.normcase(os.path.abspath(r.path)): i for i, r in enumerate(results)}
    extra: dict[int, list[Finding]] = {}
    for result in results:
        for f in result.foreign:
            target = index.get(os.path.normcase(os.path.abspath(f.path)))
            if target is None or results[target].cells is not None:
                continue
            present = {(g.code, g.span.line, g.span.column) for g in (*results[target].findings,
                                                                       *extra.get(target, ()))}
            if (f.code, f.span.line, f.span.column) not in present:
                extra.setdefault(target, []).append(dataclasses.replace(f, path=results[target].path))
    return [dataclasses.replace(r, findings=tuple(sorted(r.findings + tuple(extra[i]), key=_sort_key)),
                                source=r.source if r.source is not None else _text_of(r.path))
            if i in extra else r for i, r in enumerate(results)]


def _text_of(path: str) -> str | None:
    """The text of a module that gets another file's findings, for their excerpts, when its own result came
    without it (a warm run answers a module with no findings of its own from the run index, unread)."""
    source = read_source(path)
    return source.text if isinstance(source, Source) and source.cells is None else None


def _distinct(findings: list[Finding]) -> list[Finding]:
    """The findings without repeats. A layer made several times (a loop, a builder run for two argument lists)
    makes the same mistake in several models, or twice in one: the first report of a code at a place is kept
    for each other model, and one model's findings at a place are kept when they say different things (one
    rule may report several causes on one layer)."""
    first_model: dict[tuple, object] = {}
    seen: set[tuple] = set()
    out = []
    for f in findings:
        model = f.evidence.model.id if f.evidence is not None and f.evidence.model is not None else None
        place = (f.code, f.span)
        if first_model.setdefault(place, model) != model or (*place, f.message) in seen:
            continue
        seen.add((*place, f.message))
        out.append(f)
    return out


def _for_keras(evidence: Evidence | None, file_major: int) -> Evidence | None:
    """Evidence to build with the Keras the file is judged against (the project's, or tf_keras for its code)."""
    if evidence is None:
        return evidence
    return dataclasses.replace(evidence, keras_major=file_major)


def lint_source(text: str, path: str, settings: Settings | None = None, resolver=None) -> FileResult:
    """Lint `text` as if it were the file `path` (no confirmation: that is per run, see `confirm_results`).
    Modules it imports are read from disk, next to `path`; `resolver` (rnnlint.config.configure) gives the file
    its configuration."""
    return lint_loaded(Source(path=path, text=text), settings, resolver=resolver)


def lint_loaded(source: Source, settings: Settings | None = None, prefilter: str | None = None,
                analyzer=None, resolver=None) -> FileResult:
    """Lint a source already in memory: a file's text, or a notebook's program (`rnnlint.sources.notebook.program`),
    whose findings come back by cell as from the command line. The language server lints through here, with
    `prefilter`: the text as written (a notebook's cells before neutralising); when the command line would skip it
    (no Keras, no recurrent layer, no import of a module with one; rnnlint.prefilter), the editor skips it too;
    and `analyzer`: the document's rnnlint.analyze.incremental.IncrementalAnalyzer, which re-analyses only what an
    edit changed (the result is the whole-file analysis's)."""
    settings = for_path(settings or Settings(), source.path, resolver)  # its configuration and per-file ignores
    loader = ModuleLoader()
    if prefilter is not None:
        probe = source.path if source.cells is None else source.path + ".py"  # the cells' text, not JSON
        if not should_analyse(probe, prefilter.encode("utf-8", "surrogatepass"), loader):
            return FileResult(source.path, (), None, None, {}, source.cells, skipped=True)
    return _lint(source, settings, choice_for(settings), loader, analyzer)


def lint_file(path: str, settings: Settings | None = None, data: bytes | None = None,
              loader: ModuleLoader | None = None, prefiltered: bool = False, resolver=None,
              notebook: ParsedNotebook | None = None) -> FileResult:
    """Read and lint one file (no confirmation). A file whose bytes never mention `keras` is skipped unread
    (`skipped=True`, no findings, not even RNN000): see rnnlint.prefilter for why that is exact. `notebook`: the
    file's sources.notebook.ParsedNotebook, when the prefilter parsed it (then `data` is not read again)."""
    settings = for_path(settings or Settings(), path, resolver)  # the file's configuration and per-file ignores
    loader = loader or ModuleLoader()
    if notebook is not None:
        return _lint(parsed_notebook(path, notebook), settings, choice_for(settings), loader)
    data = read_bytes(path) if data is None else data  # `data`: already read (standard input, as `path`)
    if not prefiltered and not isinstance(data, SourceError) and not should_analyse(path, data, loader):
        return FileResult(path, (), None, None, {}, skipped=True)
    source = data if isinstance(data, SourceError) else read_text(path, data)
    if isinstance(source, SourceError):
        finding = engine_finding(UNREADABLE_FILE, f"cannot lint this file: {source.reason}", path)
        return FileResult(path, (finding,), None, None, {})
    return _lint(source, settings, choice_for(settings), loader)


def _run_checker(findings: list[Finding], settings: Settings, progress: object = None,
                 ) -> tuple[list[Finding], list[str], list[str]]:
    """Confirm with the checker: (findings, notes, errors). A failure of the checker leaves the findings
    unconfirmed and is reported as an internal error (never hidden)."""
    from rnnlint.confirm import confirm_findings  # lazy: the checker's modules are only needed when it runs

    try:
        confirmed, notes = confirm_findings(findings, settings, progress=progress)
    except Exception as exc:  # noqa: BLE001 - findings stay, unconfirmed
        detail = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        failed = Confirmation(status="unconfirmed", detail=f"checker failed: {detail}", transient=True)
        return [f.with_confirmation(failed) for f in findings], [], [f"internal error in confirmation: {detail}"]
    return list(confirmed), list(notes), []


def confirm_results(results: Sequence[FileResult], settings: Settings, progress: object = None) -> RunResult:
    """Confirm the findings of a whole run at once (when settings.confirm) and assemble the RunResult.
    `progress`: a rnnlint.progress.ProgressLine to report the checker's progress on (a terminal)."""
    notes: list[str] = []
    errors: list[str] = []
    results = list(results)
    to_check = [f for r in results for f in r.findings if f.code != RESERVED_CODE]
    if settings.confirm and to_check:
        checked, notes, errors = _run_checker(to_check, settings, progress)
        by_path: dict[str, list[Finding]] = {}
        for finding in checked:
            by_path.setdefault(finding.path, []).append(finding)
        results = [
            dataclasses.replace(r, findings=tuple(sorted(
                [f for f in r.findings if f.code == RESERVED_CODE] + by_path.get(r.path, []), key=_sort_key)))
            for r in results
        ]
    refuted = sum(1 for r in results for f in r.findings if f.confirmation.status == "refuted")
    if refuted and not settings.show_refuted:
        results = [dataclasses.replace(r, findings=tuple(f for f in r.findings if f.confirmation.status != "refuted"))
                   for r in results]
    targets = judged_against(results)
    return RunResult(
        files=tuple(results), findings=tuple(f for r in results for f in r.findings), notes=tuple(notes),
        refuted=refuted, errors=tuple(errors),
        target_keras=targets[0][0].major if targets else choice_for(settings).major, targets=targets,
    )


def judged_against(results: Sequence[FileResult]) -> tuple[tuple[KerasChoice, int], ...]:
    """The Keras choices the linted files were judged against, each with its number of files (most first)."""
    counts: dict[KerasChoice, int] = {}
    for r in results:
        if r.keras is not None and not r.skipped:
            counts[r.keras] = counts.get(r.keras, 0) + 1
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0].major, item[0].reason)))


def lint_paths(paths: Sequence[str], settings: Settings | None = None, *, resolver=None, jobs: int | None = 1,
               cache: bool = False, keep_ir: bool = True, progress: object = None) -> RunResult:
    """Discover the files under `paths`, lint each, then confirm once. A path that does not exist becomes an
    RNN000 finding on that path.

    `jobs`: worker processes (None = the available cores; 1 = this process); `cache`: read and write the result
    cache (.rnnlint_cache/results/; cached files come back without `ir`); `keep_ir=False`: files analysed in a
    worker may come back without `ir`/`shapes` (cheaper; only --show-models needs them). See rnnlint.parallel.
    `resolver`: the run's configuration files (rnnlint.config.configure), for exclusion and each file's settings."""
    settings = settings or Settings()
    present = [p for p in paths if os.path.lexists(os.path.normpath(p))]
    missing = [_missing(p) for p in paths if p not in present]  # reported, and the others still linted (ruff)
    walked: list[str] = []
    files = discover_files(present, settings, resolver, walked) if present else []  # exclusion: configuration, .gitignore
    results = lint_many(files, settings, lint_file, resolver=resolver, jobs=jobs, cache=cache, keep_ir=keep_ir,
                        run_paths=tuple(paths))
    run = confirm_results(sorted(merge_foreign(results) + missing, key=lambda r: r.path), settings, progress)
    return dataclasses.replace(run, folders=tuple(walked))


def _missing(path: str) -> FileResult:
    """A path given on the command line that does not exist: one RNN000 finding, as flake8 and ruff report it."""
    finding = engine_finding(UNREADABLE_FILE, "No such file or directory", path)
    return FileResult(path, (finding,), None, None, {})
