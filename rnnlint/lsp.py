"""The language server: `rnnlint --lsp` (or `python -m rnnlint --lsp`), LSP over stdio with pygls.

    didOpen / didChange ─► (debounce) ─► engine.lint_loaded (the CLI's program and prefilter; only the segments the
        edit touched are analysed again: rnnlint.analyze.incremental), static only ─► publishDiagnostics
    didSave ─► lint now ─► publish ─► confirmation with the real Keras in a daemon thread ─► republish
    codeAction ─► the finding's fix · "Fix all rnnlint problems" (source.fixAll.rnnlint) · "Disable … for this line"
    hover on a layer call ─► its input/output shapes and the model's pattern (many-to-one …)
    notebooks (LSP 3.17 notebook sync) ─► code cells joined into one program, diagnostics mapped back per cell

Settings come from `[tool.rnnlint]` (found by walking up from each file) overlaid by the client's
initializationOptions / workspace settings (`select`, `extendSelect`, `ignore`, `targetKeras`, `confirm`,
`showRefuted`, `debounceMs`). No handler ever lets an exception reach pygls: it is logged and swallowed.
The conversions themselves (positions, edits, hovers, notebooks) live in `rnnlint.lsp_convert`.
"""
from __future__ import annotations

import asyncio
import dataclasses
import functools
import gc
import inspect
import logging
import os
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from rnnlint import __version__, config
from rnnlint import lsp_convert as conv
from rnnlint.analyze.incremental import IncrementalAnalyzer
from rnnlint.findings import Finding
from rnnlint.settings import RESERVED_CODE, Settings
from rnnlint.sources import Source, notebook

log = logging.getLogger("rnnlint.lsp")

DEBOUNCE_SECONDS = 0.150
# The cyclic collector in the server. Its automatic full collections traverse everything the server holds (the
# documents' analyses, the modules: 27-54 ms with a 2,000-line file open) and land on whichever edit is being
# linted; measured on `bench/lsp_bench.py`, one edit in thirty took 74-105 ms instead of ~20. So the server makes
# them only when it is idle: the third threshold keeps the collector from starting one itself, and a full
# collection runs IDLE_GC_SECONDS after the last lint ends, unless another lint has started since.
SERVER_GC_THRESHOLDS = (700, 10, 1_000_000)  # the first two are Python's defaults
IDLE_GC_SECONDS = 2.0


# ---------------------------------------------------------------------------------------------------------
# Settings: [tool.rnnlint] per file, then the client's options on top

def _tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",")]
    return tuple(str(v).strip() for v in value if str(v).strip())


def _pick(options: dict, *names: str) -> Any:
    for name in names:
        if name in options:
            return options[name]
    return None


def settings_from_options(options: dict | None, base: Settings) -> Settings:
    """Overlay client options (camelCase, snake_case or kebab-case keys) on `base`."""
    if not isinstance(options, dict):
        return base
    if isinstance(options.get("rnnlint"), dict):
        options = options["rnnlint"]
    changes: dict[str, Any] = {}
    for field_name, names in (("select", ("select",)), ("extend_select", ("extendSelect", "extend_select", "extend-select")),
                              ("ignore", ("ignore",))):
        value = _tuple(_pick(options, *names))
        if value is not None:
            changes[field_name] = value
    for field_name, names in (("confirm", ("confirm",)), ("show_refuted", ("showRefuted", "show_refuted", "show-refuted")),
                              ("use_cache", ("useCache", "use_cache", "use-cache"))):
        value = _pick(options, *names)
        if isinstance(value, bool):
            changes[field_name] = value
    keras = _pick(options, "targetKeras", "target_keras", "target-keras")
    if keras in (2, 3, "2", "3"):
        changes["target_keras"] = int(keras)
    return dataclasses.replace(base, **changes) if changes else base


# ---------------------------------------------------------------------------------------------------------
# What the server keeps per linted unit (a text document, or a whole notebook)

@dataclass
class Unit:
    """A linted unit. `source`/`cells`/`parts`/`result` always belong together: the last completed lint."""

    key: str  # the document's URI, or the notebook's
    path: str
    source: Source | None = None  # what was linted: the document's text, or the notebook's program
    cells: list[notebook.NotebookCell] = field(default_factory=list)  # a notebook's code cells, as linted
    parts: list[conv.Part] = field(default_factory=list)
    result: Any = None  # the results.FileResult of `source`
    result_generation: int = -1  # the generation `result` was computed for
    generation: int = 0  # bumped on every change
    pending: asyncio.TimerHandle | None = None  # the debounce timer
    running: bool = False  # a lint of this unit is on the worker thread
    dirty: bool = False  # …and another one was asked for meanwhile (run once it finishes: coalesced)
    waiters: list[tuple[int, asyncio.Future]] = field(default_factory=list)  # requests waiting for a generation
    published: set[str] = field(default_factory=set)  # URIs that got diagnostics (to clear removed cells)
    # what the last lint analysed, kept for the next one: only the segments an edit touches are analysed again
    # (used on the lint thread only)
    analyzer: IncrementalAnalyzer = field(default_factory=IncrementalAnalyzer)


def _guard(fn: Callable) -> Callable:
    """Log and swallow any exception from a handler: a bug in rnnlint must never take the editor's server down."""

    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def async_wrapper(server: "RnnlintServer", params: Any) -> Any:
            try:
                return await fn(server, params)
            except Exception as exc:  # noqa: BLE001
                server.report(f"internal error in {fn.__name__}: {type(exc).__name__}: {exc}", exc)
                return None

        return async_wrapper

    @functools.wraps(fn)
    def wrapper(server: "RnnlintServer", params: Any) -> Any:
        try:
            return fn(server, params)
        except Exception as exc:  # noqa: BLE001
            server.report(f"internal error in {fn.__name__}: {type(exc).__name__}: {exc}", exc)
            return None

    return wrapper


class RnnlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            name="rnnlint", version=__version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[types.NotebookDocumentFilterWithCells(
                    notebook="jupyter-notebook", cells=[types.NotebookCellLanguage(language="python")])],
                save=True,
            ),
        )
        self.base = Settings(confirm=True)
        self.client_options: dict = {}
        self.debounce = DEBOUNCE_SECONDS
        self.units: dict[str, Unit] = {}
        self._confirm_lock = threading.Lock()
        # Linting runs on one worker thread, so a slow file never blocks hovers, code actions or other files' edits.
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rnnlint-lint")
        self._notes_shown: set[str] = set()
        self._idle_collection: asyncio.TimerHandle | None = None  # the next full collection (see IDLE_GC_SECONDS)

    # -- helpers -------------------------------------------------------------------------------------------
    def report(self, message: str, exc: BaseException | None = None) -> None:
        detail = "".join(traceback.format_exception(exc)) if exc is not None else ""
        log.error("%s\n%s", message, detail)
        try:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=f"rnnlint: {message}"))
        except Exception:  # noqa: BLE001 - not connected (tests, shutdown)
            pass

    def warn_once(self, message: str) -> None:
        """A problem the user must fix (a broken configuration): shown in the editor once, and logged."""
        log.warning("%s", message)
        if message in self._notes_shown:
            return
        self._notes_shown.add(message)
        try:
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"rnnlint: {message}"))
        except Exception:  # noqa: BLE001 - not connected (tests, shutdown)
            pass

    def info(self, message: str) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=f"rnnlint: {message}"))
        except Exception:  # noqa: BLE001
            pass

    @property
    def encoding(self) -> str:
        value = getattr(self.workspace, "position_encoding", None) or conv.UTF16
        return str(getattr(value, "value", value))

    def settings_for(self, path: str) -> Settings:
        """[tool.rnnlint] of the file's project, read by rnnlint.config as the CLI reads it, the client's options
        on top. A broken configuration is shown to the user (window/showMessage) and the client's options used."""
        client = settings_from_options(self.client_options, Settings(select=None))
        overrides = config.Overrides(select=client.select, extend_select=client.extend_select,
                                     ignore=client.ignore, target_keras=client.target_keras)
        explicit_confirm = _pick(self.client_options, "confirm")
        confirm = explicit_confirm if isinstance(explicit_confirm, bool) else None
        try:
            settings, resolver = config.configure(
                dataclasses.replace(self.base, show_refuted=client.show_refuted, use_cache=client.use_cache),
                overrides, [path if os.path.exists(path) else os.path.dirname(path) or os.curdir], confirm=confirm,
                target_reason="the editor's targetKeras")
            settings = config.for_path(settings, path, resolver)  # the file's own configuration: read and checked now
        except config.ConfigError as exc:
            self.warn_once(f"configuration ignored for {os.path.basename(path)}: {exc}")
            return settings_from_options(self.client_options, self.base)
        return settings if confirm is None else dataclasses.replace(settings, confirm=confirm)

    def unit_key(self, uri: str) -> str:
        """The unit a URI belongs to: a notebook cell's notebook, else the document itself."""
        found = self.workspace.get_notebook_document(cell_uri=uri)
        return found.uri if found is not None else uri

    def unit(self, uri: str) -> Unit:
        key = self.unit_key(uri)
        unit = self.units.get(key)
        if unit is None:
            unit = self.units[key] = Unit(key=key, path=_path(key))
        return unit

    def _snapshot(self, unit: Unit) -> tuple[Source, list[notebook.NotebookCell], list[conv.Part], dict[str, int | None]]:
        """What to lint (read on the event loop: pygls owns the documents): the program, a notebook's code cells
        as the CLI makes them (rnnlint.sources.notebook), one part per document the client shows, and their versions."""
        found = self.workspace.get_notebook_document(notebook_uri=unit.key)
        if found is None:
            document = self.workspace.get_text_document(unit.key)
            source = Source(path=unit.path, text=document.source)
            return source, [], [conv.Part(uri=unit.key, text=document.source)], {unit.key: document.version}
        documents = [(index, self.workspace.get_text_document(c.document))
                     for index, c in enumerate(found.cells, start=1) if c.kind == types.NotebookCellKind.Code]
        source, cells, parts = notebook_unit(unit.path, [(index, d.uri, d.source) for index, d in documents])
        return source, cells, parts, {d.uri: d.version for _, d in documents}

    # -- linting -------------------------------------------------------------------------------------------
    def schedule(self, unit: Unit, delay: float | None = None) -> None:
        """A change: lint after the debounce delay (0: now). Older pending lints are superseded."""
        unit.generation += 1
        if unit.pending is not None:
            unit.pending.cancel()
            unit.pending = None
        delay = self.debounce if delay is None else delay
        if delay <= 0:
            self.request_lint(unit)
        else:
            unit.pending = asyncio.get_running_loop().call_later(delay, self.request_lint, unit)

    def request_lint(self, unit: Unit) -> None:
        unit.pending = None
        if unit.running:
            unit.dirty = True  # one more run when the current one ends, on the text as it is then
            return
        try:
            self._start(unit)
        except Exception as exc:  # noqa: BLE001
            self.report(f"internal error while linting {unit.path}: {type(exc).__name__}: {exc}", exc)

    def _start(self, unit: Unit) -> None:
        from rnnlint.engine import lint_loaded

        self._cancel_idle_collection()
        source, cells, parts, versions = self._snapshot(unit)
        generation = unit.generation
        settings = dataclasses.replace(self.settings_for(unit.path), confirm=False)
        unit.running = True
        written = source.text if not cells else "\n".join(c.text for c in cells)  # what the prefilter reads
        future = asyncio.get_running_loop().run_in_executor(self.pool, lint_loaded, source, settings, written,
                                                            unit.analyzer)
        future.add_done_callback(lambda f: self._finished(unit, f, source, cells, parts, versions, generation))

    def _finished(self, unit: Unit, future: asyncio.Future, source: Source, cells: list[notebook.NotebookCell],
                  parts: list[conv.Part], versions: dict[str, int | None], generation: int) -> None:
        unit.running = False
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - the engine should never raise; if it does, say so and go on
            self.report(f"internal error while linting {unit.path}: {type(exc).__name__}: {exc}", exc)
        else:
            if generation >= unit.result_generation and self.units.get(unit.key) is unit:
                unit.source, unit.cells, unit.parts = source, cells, parts
                unit.result, unit.result_generation = result, generation
                self.publish(unit, versions)
        for target, waiter in list(unit.waiters):
            if unit.result_generation >= target or not (unit.dirty or unit.pending):
                unit.waiters.remove((target, waiter))
                if not waiter.done():
                    waiter.set_result(None)
        self._schedule_idle_collection()  # (a lint that starts now cancels it)
        if unit.dirty:
            unit.dirty = False
            self.request_lint(unit)

    # -- the cyclic collector's full collections, when idle (SERVER_GC_THRESHOLDS) ----------------------------
    def _schedule_idle_collection(self) -> None:
        self._cancel_idle_collection()
        self._idle_collection = asyncio.get_running_loop().call_later(IDLE_GC_SECONDS, self._collect_if_idle)

    def _cancel_idle_collection(self) -> None:
        if self._idle_collection is not None:
            self._idle_collection.cancel()
            self._idle_collection = None

    def _collect_if_idle(self) -> None:
        self._idle_collection = None
        if not any(unit.running or unit.pending is not None for unit in self.units.values()):
            gc.collect()

    async def fresh(self, unit: Unit) -> None:
        """Wait until `unit.result` is for the current text (linting now instead of after the debounce)."""
        if unit.result_generation >= unit.generation and unit.result is not None:
            return
        waiter = asyncio.get_running_loop().create_future()
        unit.waiters.append((unit.generation, waiter))
        if unit.pending is not None:
            unit.pending.cancel()
            self.request_lint(unit)
        elif not unit.running:
            self.request_lint(unit)
        await asyncio.wait_for(waiter, 120)

    def publish(self, unit: Unit, versions: dict[str, int | None] | None = None) -> None:
        versions = versions or {}
        findings = list(unit.result.findings) if unit.result is not None else []
        by_uri: dict[str, list[types.Diagnostic]] = {p.uri: [] for p in unit.parts}
        for finding in findings:
            part = self.part_of(unit, finding)
            if part is None:
                continue
            by_uri[part.uri].append(conv.to_diagnostic(finding, part.lines, self.encoding))
        for uri in unit.published - set(by_uri):  # notebook cells that went away
            by_uri[uri] = []
        for uri, diagnostics in by_uri.items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=versions.get(uri)))
        unit.published = {p.uri for p in unit.parts}

    @staticmethod
    def part_of(unit: Unit, finding: Finding) -> conv.Part | None:
        """The document a finding is shown in: its notebook cell (findings come back by cell, as on the command
        line), or the text document."""
        if finding.cell is not None:
            return next((p for p in unit.parts if p.cell == finding.cell), None)
        return unit.parts[0] if unit.parts else None

    def clear(self, unit: Unit) -> None:
        if unit.pending is not None:
            unit.pending.cancel()
        for uri in unit.published | {p.uri for p in unit.parts}:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.units.pop(unit.key, None)
        for _, waiter in unit.waiters:
            if not waiter.done():
                waiter.set_result(None)
        unit.waiters.clear()

    # -- confirmation on save ------------------------------------------------------------------------------
    def confirm_in_background(self, unit: Unit) -> None:
        if unit.result is None or unit.result.ir is None:
            return
        settings = self.settings_for(unit.path)
        if not settings.confirm or not any(f.code != RESERVED_CODE for f in unit.result.findings):
            return
        generation, result = unit.generation, unit.result
        loop = asyncio.get_running_loop()

        def work() -> None:
            try:
                from rnnlint.engine import confirm_results

                with self._confirm_lock:  # one checker at a time, whatever the number of saves
                    if unit.generation != generation:
                        return
                    run = confirm_results([result], settings)
                loop.call_soon_threadsafe(self._confirmed, unit, generation, run)
            except Exception as exc:  # noqa: BLE001
                loop.call_soon_threadsafe(self.report, f"confirmation failed: {type(exc).__name__}: {exc}", exc)

        threading.Thread(target=work, name="rnnlint-confirm", daemon=True).start()

    def _confirmed(self, unit: Unit, generation: int, run: Any) -> None:
        try:
            if unit.generation != generation or unit.result_generation != generation or self.units.get(unit.key) is not unit:
                return  # the text changed meanwhile: these results are stale
            unit.result = dataclasses.replace(unit.result, findings=run.files[0].findings)
            self.publish(unit)
            for note in (*run.notes, *run.errors):
                if note not in self._notes_shown:
                    self._notes_shown.add(note)
                    self.info(note)
        except Exception as exc:  # noqa: BLE001
            self.report(f"internal error while publishing confirmation: {exc}", exc)

    # -- lookups for code actions and hover ----------------------------------------------------------------
    async def current(self, uri: str) -> tuple[Unit, conv.Part] | None:
        """The unit and part of `uri`, linted up to date (a request may arrive before the debounce fires)."""
        unit = self.units.get(self.unit_key(uri))
        if unit is None:
            return None
        await self.fresh(unit)
        part = next((p for p in unit.parts if p.uri == uri), None)
        return (unit, part) if part is not None else None


def notebook_unit(path: str, documents: list[tuple[int, str, str]],
                  ) -> tuple[Source, list[notebook.NotebookCell], list[conv.Part]]:
    """A notebook's code cells ((1-based position among all its cells, URI, text) each) → the program the command
    line lints for the same .ipynb (rnnlint.sources.notebook.code_cell/program: one neutralise, one join), its cells,
    and one part per cell document."""
    cells = [c for index, _, text in documents if (c := notebook.code_cell(index, text)) is not None]
    source = notebook.program(path, cells)
    starts = {c.index: c.first_line for c in source.cells or ()}
    parts = [conv.Part(uri=uri, text=text, cell=index, first_line=starts.get(index, 0)) for index, uri, text in documents]
    return source, cells, parts


def _path(uri: str) -> str:
    try:
        path = to_fs_path(uri)
    except Exception:  # noqa: BLE001
        path = None
    return path or uri


server = None  # created by `start` (module import must stay cheap and side-effect free)


# ---------------------------------------------------------------------------------------------------------
# Handlers

def _on_initialize(ls: RnnlintServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict):
        ls.client_options = options.get("rnnlint", options) if isinstance(options.get("rnnlint"), dict) else options
        debounce = _pick(ls.client_options, "debounceMs", "debounce_ms", "debounce-ms")
        if isinstance(debounce, (int, float)) and not isinstance(debounce, bool) and debounce >= 0:
            ls.debounce = debounce / 1000.0


def _on_did_change_configuration(ls: RnnlintServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and settings:
        ls.client_options = settings.get("rnnlint", settings) if isinstance(settings.get("rnnlint"), dict) else settings
        for unit in list(ls.units.values()):
            ls.schedule(unit, 0)


def _on_open(ls: RnnlintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(ls.unit(params.text_document.uri), 0)


def _on_change(ls: RnnlintServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(ls.unit(params.text_document.uri))


async def _on_save(ls: RnnlintServer, params: types.DidSaveTextDocumentParams) -> None:
    unit = ls.unit(params.text_document.uri)
    ls.schedule(unit, 0)
    await ls.fresh(unit)
    ls.confirm_in_background(unit)


def _on_close(ls: RnnlintServer, params: types.DidCloseTextDocumentParams) -> None:
    unit = ls.units.get(params.text_document.uri)
    if unit is not None:
        ls.clear(unit)


def _on_notebook_open(ls: RnnlintServer, params: types.DidOpenNotebookDocumentParams) -> None:
    ls.schedule(ls.unit(params.notebook_document.uri), 0)


def _on_notebook_change(ls: RnnlintServer, params: types.DidChangeNotebookDocumentParams) -> None:
    ls.schedule(ls.unit(params.notebook_document.uri))


async def _on_notebook_save(ls: RnnlintServer, params: types.DidSaveNotebookDocumentParams) -> None:
    unit = ls.unit(params.notebook_document.uri)
    ls.schedule(unit, 0)
    await ls.fresh(unit)
    ls.confirm_in_background(unit)


def _on_notebook_close(ls: RnnlintServer, params: types.DidCloseNotebookDocumentParams) -> None:
    unit = ls.units.get(params.notebook_document.uri)
    if unit is not None:
        ls.clear(unit)


def _workspace_edit(uri: str, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: edits})


def _finding_matches(finding: Finding, lines: list[str], encoding: str, diagnostic: types.Diagnostic) -> bool:
    if diagnostic.code != finding.code or diagnostic.source not in (None, conv.SOURCE):
        return False
    return conv.to_range(lines, finding.span, encoding).start == diagnostic.range.start


def _wanted(only: list[str] | None, kind: str) -> bool:
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


async def _on_code_action(ls: RnnlintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    found = await ls.current(params.text_document.uri)
    if found is None:
        return None
    unit, part = found
    uri, lines, encoding = part.uri, part.lines, ls.encoding
    only = [str(getattr(k, "value", k)) for k in (params.context.only or [])]
    findings = [f for f in unit.result.findings if f.code != RESERVED_CODE and ls.part_of(unit, f) is part]
    first, last = params.range.start.line + 1, params.range.end.line + 1
    actions: list[types.CodeAction] = []
    if _wanted(only, types.CodeActionKind.QuickFix.value):
        for finding in findings:
            if not (finding.span.line <= last and first <= finding.span.end_line):
                continue
            diagnostics = [d for d in params.context.diagnostics if _finding_matches(finding, lines, encoding, d)]
            if finding.fix is not None and finding.fix.edits:
                title = finding.fix.message + ("" if finding.fix.applicability == "safe" else " (unsafe)")
                actions.append(types.CodeAction(
                    title=f"{title} ({finding.code})", kind=types.CodeActionKind.QuickFix, diagnostics=diagnostics,
                    is_preferred=finding.fix.applicability == "safe",
                    edit=_workspace_edit(uri, conv.edits_to_text_edits(finding.fix.edits, lines, encoding)),
                ))
            noqa = conv.noqa_edit(part.text, finding.span.line, finding.code)
            if noqa is not None:
                actions.append(types.CodeAction(
                    title=f"Disable {finding.code} for this line", kind=types.CodeActionKind.QuickFix,
                    diagnostics=diagnostics,
                    edit=_workspace_edit(uri, conv.edits_to_text_edits([noqa], lines, encoding)),
                ))
    if _wanted(only, conv.FIX_ALL_KIND) and any(f.fix for f in unit.result.findings):
        changes = await asyncio.get_running_loop().run_in_executor(
            ls.pool, fix_all_changes, unit.source, list(unit.cells), list(unit.parts), ls.settings_for(unit.path),
            encoding)
        if changes:
            actions.append(types.CodeAction(title="Fix all rnnlint problems", kind=conv.FIX_ALL_KIND,
                                            edit=types.WorkspaceEdit(changes=changes)))
    return actions


def fix_all_changes(source: Source, cells: list[notebook.NotebookCell], parts: list[conv.Part], settings: Settings,
                    encoding: str) -> dict[str, list[types.TextEdit]]:
    """"Fix all" as the command line's --fix does it (runs on the lint thread, from values captured on the event
    loop): a file through `fix.fix_source`, a notebook's cells as one program through `fix.fix_cells`, both
    re-linting until stable and never producing text that does not parse. One minimal edit per changed document."""
    from rnnlint.fix import fix_cells, fix_source

    if not cells:
        result = fix_source(source.text, source.path, settings)
        if result.error is not None:
            return {}
        edit = conv.whole_text_edit(source.text, result.text, encoding)
        return {parts[0].uri: [edit]} if edit is not None else {}
    fixed = fix_cells(source.path, cells, settings)
    if fixed.error is not None:
        return {}
    changes: dict[str, list[types.TextEdit]] = {}
    for part in parts:
        if part.cell in fixed.texts:
            edit = conv.whole_text_edit(part.text, fixed.texts[part.cell], encoding)
            if edit is not None:
                changes[part.uri] = [edit]
    return changes


async def _on_hover(ls: RnnlintServer, params: types.HoverParams) -> types.Hover | None:
    found = await ls.current(params.text_document.uri)
    if found is None:
        return None
    unit, part = found
    line, column = conv.from_position(part.lines, params.position, ls.encoding, part.offset)
    text = conv.hover_markdown(unit.result, line, column)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


def _on_shutdown(ls: RnnlintServer, params: Any) -> None:
    for unit in ls.units.values():
        if unit.pending is not None:
            unit.pending.cancel()


HANDLERS: list[tuple[str, Callable, Any]] = [
    (types.INITIALIZE, _on_initialize, None),
    (types.WORKSPACE_DID_CHANGE_CONFIGURATION, _on_did_change_configuration, None),
    (types.TEXT_DOCUMENT_DID_OPEN, _on_open, None),
    (types.TEXT_DOCUMENT_DID_CHANGE, _on_change, None),
    (types.TEXT_DOCUMENT_DID_SAVE, _on_save, None),
    (types.TEXT_DOCUMENT_DID_CLOSE, _on_close, None),
    (types.NOTEBOOK_DOCUMENT_DID_OPEN, _on_notebook_open, None),
    (types.NOTEBOOK_DOCUMENT_DID_CHANGE, _on_notebook_change, None),
    (types.NOTEBOOK_DOCUMENT_DID_SAVE, _on_notebook_save, None),
    (types.NOTEBOOK_DOCUMENT_DID_CLOSE, _on_notebook_close, None),
    (types.TEXT_DOCUMENT_CODE_ACTION, _on_code_action, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, conv.FIX_ALL_KIND], resolve_provider=False)),
    (types.TEXT_DOCUMENT_HOVER, _on_hover, None),
    (types.SHUTDOWN, _on_shutdown, None),
]


def create_server() -> RnnlintServer:
    ls = RnnlintServer()
    for method, handler, options in HANDLERS:
        ls.feature(method, options)(_guard(handler))
    return ls


def start() -> int:
    """Serve LSP over stdio until the client says exit."""
    global server
    level = os.environ.get("RNNLINT_LSP_LOG", "WARNING").upper()
    logging.basicConfig(level=logging.WARNING, format="rnnlint-lsp %(levelname)s %(message)s")
    logging.getLogger("rnnlint").setLevel(level)  # INFO: rnnlint's own messages, never the LSP payloads
    logging.getLogger("pygls").setLevel(level if level == "DEBUG" else logging.WARNING)  # DEBUG: every message
    server = create_server()
    gc.set_threshold(*SERVER_GC_THRESHOLDS)
    server.start_io()
    return 0


__all__ = ["RnnlintServer", "create_server", "start", "fix_all_changes", "notebook_unit", "settings_from_options", "DEBOUNCE_SECONDS",
           "IDLE_GC_SECONDS", "SERVER_GC_THRESHOLDS"]
