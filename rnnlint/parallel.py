"""Linting many files: the prefilter and the result cache in this process, the analysis of what is left in a
process pool when it is worth one.

    files ─► read bytes ─► prefilter (skipped: done) ─► result cache (hit: done) ─► analyse
                                                                         inline, or in a pool of `jobs` workers

- A file that names Keras and a recurrent layer is decided on its own bytes and goes to the pool at once, while
  the other files are still read and decided (those need the whole run: the files they import). The pool
  (rnnlint.workpool, started as soon as the run is known to need one) gives each project's files to one worker
  while it can, so that the modules they import are parsed by one worker: workers keep one ModuleLoader for the
  run. This process reads the workers' results between two files (`_Dispatch.pump`); it runs no thread.

- `jobs`: None = the cores this process may use (os.sched_getaffinity, else os.cpu_count) that other processes
  do not keep busy (see default_jobs); 1 = in this process (always, where the system is not POSIX).
- No pool for a handful of files: fewer than MIN_POOL_FILES to analyse, or fewer than MIN_POOL_BYTES of them
  (a pool of two costs ~30 ms to start with fork, and the analyzer does ~1.5 KB/ms: 16 Keras scripts of 58 KB
  took the same 0.27 s with and without workers here, so the bar is just above that).
- Results come back in the order of `files`, whatever the pool's timing: the output is the same as with jobs=1.
- Workers get the bytes the parent read (the cache entry they write is keyed by exactly those bytes) and the
  file's resolved Settings (no configuration Resolver crosses the process boundary). The pool uses 'fork' on
  Linux when this process has a single thread, else 'spawn' (RNNLINT_START_METHOD overrides, for tests);
  everything sent either way is picklable.
- A worker that dies (a segfault in a native parser, the OOM killer) is replaced: the file it was analysing is
  analysed again alone in a fresh worker, and if it kills that one too, it gets an RNN000 internal-error finding;
  the files the dead worker had not started go to the others; the rest of the run goes on.
- Confirmation is not done here: `engine.confirm_results` runs once per run, in the parent.
"""
from __future__ import annotations

import contextlib
import gc
import math
import os
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from rnnlint.analyze.project import ModuleLoader
from rnnlint.config import for_path
from rnnlint.kerasver import KerasChoice, choice_for
from rnnlint.prefilter import ImportMemo, may_hold_model, module_stems, recurrent_in_code, should_analyse
from rnnlint.results import FileResult, internal_error
from rnnlint.sources import Source, SourceError, read_bytes, read_text
from rnnlint.sources.notebook import ParsedNotebook

# The per-file function: engine.lint_file (path, settings, data=, loader=, prefiltered=, notebook=) -> FileResult.
# The engine passes it in, so this module does not import the engine (which calls it).
LintFile = Callable[..., FileResult]

MIN_POOL_FILES = 8
SMALL_RUN = 200  # files without `keras`: up to this many, every one's imports are looked up
MIN_POOL_BYTES = 64_000
# Files a worker has been sent and not finished (rnnlint.workpool's depth): the others wait here, for whichever
# worker gets free first. Three keep a worker fed while this process reads and decides a large notebook (with two,
# the workers waited 10-65 ms a run for their next file on the real-code set; with three, 2-17 ms).
IN_FLIGHT = 3
EARLY_POOL_FILES = 100  # a run of this many files starts its pool before reading them
START_METHOD_ENV = "RNNLINT_START_METHOD"
# The cyclic collector in a command-line run. An analysis leaves no cyclic garbage (the evaluator breaks its cycles:
# analyze.interpret.Interpreter.release; it left ~1,700 objects a file, and through them the file's syntax tree);
# whatever a file may still leave is collected after it (`_collect_young`), while it is young, so the collection
# traverses it once and nothing of it is promoted to an older generation. The first threshold (the default is 700
# allocations; it was 50,000 here) is only a net for a file that allocates far more than any of the trees measured
# (at most 35,000 net allocations a file on the real-code set): a collection in the middle of a file traverses its
# live tree, and what survives is traversed again by the older generations' collections. Measured with one process
# (`-j1`), the collector's time on the real-code set: 450-550 ms at (50,000, 20, 100); 160-180 ms collecting after
# each file; 49 ms once the evaluator broke its cycles (issue-shaped tree: 52-60, 39-49, 10 ms); peak memory
# 187 → 182 MB.
# A worker does not collect after each file: it freezes what is left (`_Worker.settle`). Collections on the real-code
# set found nothing, ever (0 objects in 287 collections), but each traversed what the file left alive (the trees of
# the modules it imported first, kept for the next files): 70-150 ms of collector time in each of two workers.
BATCH_GC_THRESHOLDS = (500_000, 20, 100)
# What a worker may freeze (net allocations, `gc.get_count`) before it collects everything once: the bound on what a
# cycle the evaluator did not break could keep alive. A worker on the real-code set freezes ~300,000.
FROZEN_BUDGET = 2_000_000


def available_cores() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_jobs() -> int:
    """The cores this process may run on, less those other processes keep busy: on a saturated machine, workers
    only add their overhead (measured: 6-30% slower with two workers at load 5 on two cores). Busy means busy for
    the last minute (the 1-minute load average, as `make -l` reads it) and busy now (the processes runnable at this
    instant, where the system says): a command that has just ended still weighs on the average for a minute, and
    a run right after it (the next pre-commit hook, the next CI step) would otherwise get one process. `--jobs N`
    is taken as given."""
    cores = available_cores()
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return cores
    now = running_now()
    if now is not None:
        load = min(load, now)
    return max(1, min(cores, math.ceil(cores - load + 1)))  # +1: this process is part of the load


def running_now() -> int | None:
    """The other processes (threads) runnable at this instant: /proc/loadavg's fourth field less this one; None
    where there is no such file (not Linux) or it cannot be read."""
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            running = int(handle.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(0, running - 1)


@dataclass(frozen=True)
class Task:
    index: int
    path: str
    settings: object  # the file's resolved Settings
    data: bytes
    key: str | None  # result-cache key, None without a cache
    lint: LintFile  # engine.lint_file (a module-level function: pickled by reference for a worker)
    keep_ir: bool = True  # False: a worker sends back no IR and no shapes (a third of the cost of a result)
    notebook: ParsedNotebook | None = None  # a notebook the prefilter parsed; then `data` is empty unless the result
    # cache needs it (the notebook's outputs are not sent to the worker)


def lint_many(files: Sequence[str], settings, lint: LintFile, *, resolver=None, jobs: int | None = None,
              cache: bool = False, keep_ir: bool = True, run_paths: tuple[str, ...] | None = None) -> list:
    """FileResults (unconfirmed) for `files`, in that order, each from `lint` (engine.lint_file). `keep_ir=False`
    lets results analysed in a worker come back without `ir` and `shapes` (only --show-models and the language
    server read them). With `cache` and `run_paths` (the paths the run was given), files the run index
    (rnnlint.runindex) vouches for are answered without being read."""
    modules = ModuleLoader()  # finds the project modules a file without `keras` imports
    results: list = [None] * len(files)
    store = None
    warm = None
    reads: dict[str, bytes] = {}  # the bytes read on the normal path (their hashes go in the index; kept only for one)
    stats = {}  # (size, mtime) of each file, taken before anything is read (rnnlint.runindex)
    if cache and run_paths is not None:
        from rnnlint.runindex import stat_of

        stats = {p: stat_of(p) for p in files}
    if stats and _has_cache():  # a tree never analysed has no index
        from rnnlint.resultcache import ResultCache

        store = ResultCache.open()
        warm = _WarmRun.open(store, run_paths, reads, stats)
    jobs = default_jobs() if jobs is None or jobs < 1 else jobs
    dispatch = _Dispatch(jobs, modules)  # analyses what is decided; a pool starts while the rest is still being read
    if warm is None and len(files) >= EARLY_POOL_FILES:
        dispatch.start()  # a large cold run: the workers fork and get ready while the first files are read
    read: list[tuple[int, str, bytes, bool]] = []
    holders: list[str] = []  # files with `keras`, and those the index answered as analysed

    def analyse(index: int, path: str, data: bytes, notebook: ParsedNotebook | None = None) -> None:
        nonlocal store
        file_settings = for_path(settings, path, resolver)
        key = None
        if cache:
            if store is None:  # the first file to analyse: the cache is opened only now (rnnlint.prefilter)
                from rnnlint.resultcache import ResultCache

                store = ResultCache.open()
            key = store.key(path, file_settings)
            hit = _from_cache(store, key, path, data, choice_for(file_settings))
            if hit is not None:
                results[index] = hit
                return
        sent = data if notebook is None or key is not None else b""
        dispatch.add(Task(index, path, file_settings, sent, key, lint, keep_ir, notebook), store, len(data))

    try:
        for index, path in enumerate(files):
            if warm is not None and (answer := warm.answer(path, settings, resolver)) is not None:
                results[index] = answer
                if not answer.skipped:
                    holders.append(path)
                continue
            data = read_bytes(path)
            if isinstance(data, SourceError):
                results[index] = lint(path, settings, data=data)  # unreadable: one RNN000
                continue
            dispatch.pump()
            if stats:  # a run that writes the index (without it, the tree's bytes are not held to the end)
                reads[path] = data
            holds = may_hold_model(path, data)
            if holds:
                holders.append(path)
            named, notebook = recurrent_in_code(path, data, holds=True) if holds else (False, None)
            if named:  # decided on its own bytes: analysed now
                analyse(index, path, data, notebook)
            else:
                read.append((index, path, data, holds))
        others = sum(1 for *_, holds in read if not holds)
        # A file without `keras` is analysed when it imports one with it. On a large run, only imports whose dotted
        # name shares a part with a file of the run that has `keras` are looked up on disk (the others cannot be one).
        # Files the index answered were analysed (or skipped with nothing changed): their names count as holders.
        stems = None if others <= SMALL_RUN else module_stems(holders)
        memo = ImportMemo()  # each project module is read and checked once for the run's files that import it
        for index, path, data, holds in read:
            dispatch.pump()
            if should_analyse(path, data, modules, stems, named=False, memo=memo, holds=holds):
                analyse(index, path, data)
            else:
                results[index] = FileResult(path, (), None, None, {}, skipped=True)
        read.clear()  # the bytes of the files decided here: not held while the workers finish
    except BaseException:  # an interrupt: no worker outlives the run
        dispatch.abandon()
        raise
    done = dispatch.finish(store)
    for index, result in done:
        results[index] = result
    if store is not None and run_paths is not None:
        warm = warm or _WarmRun.open(store, run_paths, reads, stats)
        warm.record(files, results, lambda p: store.key(p, for_path(settings, p, resolver)))
    return results


def _has_cache() -> bool:
    from rnnlint.cachedir import DEFAULT_CACHE_DIR

    return os.path.isdir(os.path.join(DEFAULT_CACHE_DIR, "results"))


class _WarmRun:
    """The run index (rnnlint.runindex) of one run: answers unchanged files, and is rewritten after the run."""

    def __init__(self, store, path, entries: dict, stats: dict, reads: dict[str, bytes]) -> None:
        self.store, self.path, self.entries, self.stats, self.reads = store, path, entries, stats, reads
        # whether a skipped file stays skipped depends on the whole tree: only when nothing changed
        self.unchanged = set(entries) == set(stats) and all(entries[p].stat == stats[p] for p in stats)
        self.reused: set[str] = set()  # files answered from their index entry (kept as they are)

    @classmethod
    def open(cls, store, run_paths: tuple[str, ...], reads: dict[str, bytes], stats: dict) -> "_WarmRun":
        from rnnlint import runindex

        path = runindex.index_path(store.root, store.fingerprint, run_paths)
        return cls(store, path, runindex.load(path), stats, reads)

    def answer(self, path: str, settings, resolver) -> FileResult | None:
        """The result of an unchanged file, or None: it takes the normal path."""
        entry = self.entries.get(path)
        if entry is None or self.stats.get(path) is None or entry.stat != self.stats[path]:
            return None
        from rnnlint.runindex import SKIPPED

        if entry.outcome == SKIPPED:
            return FileResult(path, (), None, None, {}, skipped=True) if self.unchanged else None
        file_settings = for_path(settings, path, resolver)
        if self.store.key(path, file_settings) != entry.outcome or not entry.dependencies_unchanged():
            return None  # its configuration, or a module it imports, changed
        keras = choice_for(file_settings)
        if entry.clean:  # nothing to report: the index says so, no entry to read
            from rnnlint.resultcache import debug

            debug("index-hit", path)
            result = FileResult(path, (), None, None, {}, None, cached=True, keras=keras,
                                dependencies=tuple((d, digest) for d, _, digest in entry.dependencies))
        else:
            hit = self.store.get_indexed(entry.outcome, path, entry.content)
            result = _cached_result(path, hit, keras) if hit is not None else None
        if result is not None:
            self.reused.add(path)
        return result

    def record(self, files: Sequence[str], results: list, key_of: Callable[[str], str]) -> None:
        """Write the index of this run, unless every file was answered from it (then it is current)."""
        from rnnlint import runindex
        from rnnlint.resultcache import cacheable, content_hash

        if self.unchanged and len(self.reused) == sum(1 for r in results if not r.skipped):
            from rnnlint.cachedir import touch

            touch(self.path)  # current: kept by the pruning of old indexes
            return
        entries = {}
        for path, result in zip(files, results):
            stat = self.stats.get(path)
            if stat is None or result is None:
                continue
            if path in self.reused:
                entries[path] = self.entries[path]
            elif result.skipped:
                entries[path] = runindex.Entry(stat, runindex.SKIPPED)
            elif result.cached or cacheable(result):
                key = key_of(path)
                deps = tuple((d, s, digest) for d, digest in result.dependencies
                             if (s := runindex.stat_of(d)) is not None)
                content = content_hash(self.reads[path]) if path in self.reads else None  # (answered: reused)
                if len(deps) == len(result.dependencies) and content:
                    clean = not result.findings and not result.foreign
                    entries[path] = runindex.Entry(stat, key, content, deps, clean)
        runindex.save(self.path, entries)


def _from_cache(store, key: str, path: str, data: bytes, keras: KerasChoice):
    entry = store.get(key, path, data)
    return _cached_result(path, entry, keras, data) if entry is not None else None


def _cached_result(path: str, entry: tuple, keras: KerasChoice, data: bytes | None = None) -> FileResult | None:
    """A FileResult from a cache entry's (findings, foreign, dependencies, program). The file is decoded (read
    first when `data` is None) only when there is something to show, for the report's source excerpts; a notebook's
    entry holds its program (rnnlint.resultcache), so a notebook is not read again."""
    findings, foreign, dependencies, program = entry
    text, cells = program if program is not None else (None, None)
    if (findings or foreign) and program is None:
        data = read_bytes(path) if data is None else data
        source = read_text(path, data) if not isinstance(data, SourceError) else data
        if not isinstance(source, Source):
            return None
        text, cells = source.text, source.cells
    return FileResult(path, findings, text, None, {}, cells, cached=True, foreign=foreign, dependencies=dependencies,
                      keras=keras)


def _analyse(task: Task, store, loader) -> object:
    """Lint one file (in this process or a worker) and store its result; never raises."""
    try:
        result = task.lint(task.path, task.settings, data=task.data, loader=loader, prefiltered=True,
                           notebook=task.notebook)
    except Exception as exc:  # noqa: BLE001 - lint_file guards its stages; this is the last net
        return FileResult(task.path, (internal_error("the engine", exc, task.path),), None, None, {})
    if store is not None and task.key is not None:
        try:
            store.put(task.key, task.path, task.data, result)
        except Exception:  # noqa: BLE001 - a cache failure only costs speed
            pass
    return result


def _collect_young() -> None:
    """After a file analysed in this process: the analysis's cyclic garbage, while it is young (BATCH_GC_THRESHOLDS)."""
    if gc.isenabled():
        gc.collect(1)


@dataclass
class _Worker:
    """What a worker process keeps between its files: its ModuleLoader, so that a module many files import is read
    and parsed once per worker (with one per chunk of files, 825 parses on the real-code set; with one per worker,
    ~560; with lanes, each project's modules in one worker, 350-385: rnnlint.workpool); and how much it froze
    (`settle`)."""

    loader: ModuleLoader
    frozen: int = 0  # objects frozen since the last full collection (net allocations)

    def settle(self) -> None:
        """After a file: freeze what the analysis left alive (gc.freeze: the collections skip it; it costs nothing)
        rather than traverse it to find no garbage (see BATCH_GC_THRESHOLDS). Past FROZEN_BUDGET, one full
        collection."""
        if not gc.isenabled():
            return
        self.frozen += gc.get_count()[0]  # allocated less freed since the last collection or freeze
        if self.frozen > FROZEN_BUDGET:
            gc.unfreeze()
            gc.collect()
            self.frozen = 0
        gc.freeze()


# The one piece of state of a worker process. A worker lives for one run (each run has its own pool), so nothing
# carries over to the next; the pid key keeps a process forked from one that had its state from using the parent's.
_WORKER: dict[int, _Worker] = {}


@contextlib.contextmanager
def batch_gc() -> Iterator[None]:
    """The cyclic collector tuned for a batch run (BATCH_GC_THRESHOLDS) while the block runs; workers forked in
    it inherit the setting (spawned ones set it in `_work`)."""
    saved = gc.get_threshold()
    gc.set_threshold(*BATCH_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def _worker() -> _Worker:
    pid = os.getpid()
    if pid not in _WORKER:
        _WORKER.clear()
        _WORKER[pid] = _Worker(ModuleLoader())
    return _WORKER[pid]


def _work_one(payload: tuple[Task, object]) -> object:
    """A worker's job: one file (the task, and the result cache to store its result in)."""
    import dataclasses

    task, store = payload
    worker = _worker()
    result = _analyse(task, store, worker.loader)
    worker.settle()
    if not task.keep_ir and result.ir is not None:
        result = dataclasses.replace(result, ir=None, shapes={})
    return result


def _failed(payload: tuple[Task, object], error: Exception) -> FileResult:
    """The result of a file whose worker died twice while analysing it (or whose result would not pickle)."""
    from rnnlint.workpool import WorkerDied

    task = payload[0]
    if isinstance(error, WorkerDied):
        error = RuntimeError("the worker process analysing this file died (exit signal or out of memory)")
    return FileResult(task.path, (internal_error("a worker", error, task.path),), None, None, {})


def _context():
    import multiprocessing
    import threading

    method = os.environ.get(START_METHOD_ENV)
    if not method:
        fork_ok = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
        method = "fork" if fork_ok else "spawn"
    return multiprocessing.get_context(method)


class _Dispatch:
    """Analyses the tasks of a run as they are decided. A run with enough to analyse gets a pool as soon as that
    is known, and each task goes to it at once (rnnlint.workpool: the worker of its lane, the project its file is
    in, takes it when it has room) while this process still reads and decides the other files; a small run is
    analysed here, after the decisions (no pool for a handful of files)."""

    def __init__(self, jobs: int, modules: ModuleLoader | None = None) -> None:
        self.jobs = jobs if os.name == "posix" else 1  # the pool's pipes are POSIX file descriptors
        self.modules = modules or ModuleLoader()  # the lanes: each file's project (ModuleLoader.project_of)
        self.tasks: list[Task] = []  # those not handed to a pool
        self.size = 0  # bytes of the tasks added
        self.pool = None

    def start(self) -> None:
        """Start the pool now (its processes fork at once), if this run may use one. Where no process can be started
        (a process limit, no memory left), the run is analysed in this process."""
        if self.pool is None and self.jobs > 1:
            try:
                self.pool = _executor(self.jobs)
            except OSError:
                self.jobs = 1

    def add(self, task: Task, store, size: int | None = None) -> None:
        """`size`: the file's bytes (`task.data` may leave them out: Task.notebook)."""
        from rnnlint.workpool import Job

        self.tasks.append(task)
        self.size += len(task.data) if size is None else size
        if self.pool is None and self.jobs > 1 and len(self.tasks) >= MIN_POOL_FILES and \
                self.size >= MIN_POOL_BYTES:
            self.start()
        if self.pool is not None:
            for waiting in self.tasks:
                self.pool.submit(Job(waiting.index, (waiting, store), self.modules.project_of(waiting.path)))
            self.tasks.clear()

    def pump(self) -> None:
        """Between two files: the workers' results read, and each worker given work while it has room."""
        if self.pool is not None:
            self.pool.pump()

    def abandon(self) -> None:
        if self.pool is not None:
            self.pool.kill()

    def finish(self, store) -> list[tuple[int, object]]:
        """The (index, result) of every task added."""
        if self.pool is None:  # one process, or too little for a pool (`add` starts one as soon as there is enough)
            loader = ModuleLoader()  # one per process: a module several files import is parsed once
            done = []
            for task in self.tasks:
                done.append((task.index, _analyse(task, store, loader)))
                _collect_young()
            return done
        try:
            done = self.pool.wait()
        except BaseException:
            self.pool.kill()
            raise
        self.pool.close()
        return done


def _prepare() -> None:
    """A worker's start: it imports the evaluator's modules (~15 ms) while this process still reads and decides
    the first files, rather than this process before it forks (on the run's critical path) or the worker on its
    first file. What it inherited and what the imports made live as long as the worker: frozen (a forked worker's
    first collection would otherwise traverse the parent's objects, and write to each: copy-on-write copies every
    page that holds one, as the gc module's documentation warns)."""
    gc.set_threshold(*BATCH_GC_THRESHOLDS)  # a spawned worker starts with the defaults
    gc.freeze()
    import rnnlint.analyze.module  # noqa: F401

    gc.freeze()


def _executor(workers: int):
    """The run's pool (rnnlint.workpool.LanePool) of `workers` processes."""
    from rnnlint.workpool import LanePool

    return LanePool(workers, _context(), _work_one, _failed, initializer=_prepare, depth=IN_FLIGHT)


__all__ = ["BATCH_GC_THRESHOLDS", "MIN_POOL_BYTES", "MIN_POOL_FILES", "available_cores", "batch_gc", "default_jobs", "lint_many"]
