"""Parallel linting (rnnlint.parallel): same output as --jobs 1, no pool for small runs, worker crashes contained,
FileResult picklable; and lean start-up (nothing heavy imported by --version or a run over a tree without Keras)."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rnnlint.engine as engine
import rnnlint.parallel as parallel
from conftest import STACKED_LSTM, live_children, process_ended, run_cli, write
from rnnlint.settings import Settings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PAD = "\n".join(f"# padding line {i} so that the run is big enough for a pool" for i in range(150)) + "\n"
CLEAN = """\
import numpy as np
from keras import layers, models

X = np.zeros((32, 10, 1))
y = np.zeros((32, 1))
model = models.Sequential([layers.Input(shape=(10, 1)), layers.LSTM(8), layers.Dense(1)])
model.compile(loss="mse")
model.fit(X, y, batch_size=8)
"""
SYNTAX = "from keras.layers import LSTM\n\ndef f(:\n    pass\n"
PLAIN = "def add(a, b):\n    return a + b\n"


def make_tree(root: Path) -> Path:
    """~20 files: buggy, clean, syntax errors, no keras at all, a notebook, in nested folders."""
    for i in range(6):
        write(root, f"pkg/buggy_{i}.py", PAD + STACKED_LSTM)
        write(root, f"pkg/sub/clean_{i}.py", PAD + CLEAN)
    for i in range(3):
        write(root, f"broken_{i}.py", PAD + SYNTAX)
        write(root, f"plain/util_{i}.py", PLAIN)
    for example in sorted(EXAMPLES.iterdir()):
        if example.suffix in (".py", ".ipynb") and example.name.startswith("stacked"):
            write(root, f"examples/{example.name}", example.read_bytes())
    return root


def payload(result) -> list:
    """What the reporters see of a run, comparable across runs."""
    from rnnlint.ir import to_jsonable

    return [(r.path, r.skipped, r.source, [to_jsonable(f) for f in r.findings]) for r in result.files]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "tree")


@pytest.fixture
def pool_start(monkeypatch):
    """(the files read so far, how many had been read each time a pool started), recorded as a run goes."""
    reads: list[str] = []
    real_read = parallel.read_bytes
    monkeypatch.setattr(parallel, "read_bytes", lambda path: reads.append(path) or real_read(path))
    started_after: list[int] = []
    real_executor = parallel._executor
    monkeypatch.setattr(parallel, "_executor",
                        lambda workers: started_after.append(len(reads)) or real_executor(workers))
    return reads, started_after


@pytest.fixture
def small_pool(monkeypatch):
    """Let a pool start for a test-sized tree, and record whether one did."""
    monkeypatch.setattr(parallel, "MIN_POOL_FILES", 2)
    monkeypatch.setattr(parallel, "MIN_POOL_BYTES", 0)
    pools: list = []  # the run's workpool.LanePool, once started
    real = parallel._executor

    def spy(workers):
        pools.append(real(workers))
        return pools[-1]

    monkeypatch.setattr(parallel, "_executor", spy)
    return pools


def test_jobs_2_gives_the_same_results_in_the_same_order(tree, small_pool) -> None:
    settings = Settings(confirm=False)
    serial = engine.lint_paths([str(tree)], settings, jobs=1)
    assert small_pool == []
    pooled = engine.lint_paths([str(tree)], settings, jobs=2)
    assert [pool.started for pool in small_pool] == [2]
    assert payload(pooled) == payload(serial)
    assert [r.ir for r in pooled.files] == [r.ir for r in serial.files]  # the IR survives the trip (--show-models)
    codes = {f.code for f in serial.findings}
    assert {"RNN000", "RNN001"} <= codes and sum(r.skipped for r in serial.files) == 3


def test_the_test_tree_is_big_enough_for_a_pool(tree) -> None:
    analysed = [p for p in tree.rglob("*") if p.is_file() and b"keras" in p.read_bytes()]
    assert len(analysed) >= parallel.MIN_POOL_FILES
    assert sum(p.stat().st_size for p in analysed) >= parallel.MIN_POOL_BYTES


def test_cli_jobs_2_json_identical_to_jobs_1(tree) -> None:
    one = run_cli("--no-confirm", "--no-cache", "--format", "json", "--jobs", "1", ".", cwd=tree)
    two = run_cli("--no-confirm", "--no-cache", "--format", "json", "--jobs", "2", ".", cwd=tree)
    assert one.code == two.code == 1, one.err + two.err
    assert one.out == two.out
    assert len(json.loads(one.out)) >= 10


def test_spawn_start_method_gives_the_same_output(tree) -> None:
    """Workers started with 'spawn' (the default on macOS and Windows) import everything afresh."""
    one = run_cli("--no-confirm", "--no-cache", "--format", "json", "-j", "1", ".", cwd=tree)
    env = {parallel.START_METHOD_ENV: "spawn"}
    two = run_cli("--no-confirm", "--no-cache", "--format", "json", "-j", "2", ".", cwd=tree, env=env)
    assert (two.code, two.out) == (one.code, one.out), two.err


def test_no_pool_for_a_handful_of_files(tmp_path, monkeypatch) -> None:
    for i in range(parallel.MIN_POOL_FILES - 1):
        write(tmp_path, f"m{i}.py", STACKED_LSTM)
    for i in range(30):  # files the prefilter skips do not count
        write(tmp_path, f"plain{i}.py", PLAIN)
    monkeypatch.setattr(parallel, "_executor", lambda *a: pytest.fail("a pool was started"))
    result = engine.lint_paths([str(tmp_path)], Settings(confirm=False), jobs=4)
    assert len(result.findings) == parallel.MIN_POOL_FILES - 1


_SABOTAGE = {"parent": None}
_REAL_LINT_FILE = engine.lint_file


def _dies_on_buggy_2(path, settings=None, data=None, loader=None, prefiltered=False, **parsed):
    """engine.lint_file, but a worker process linting buggy_2.py dies. Module level: a pool task carries the
    per-file function by reference."""
    if path.endswith("buggy_2.py") and os.getpid() != _SABOTAGE["parent"]:
        os._exit(9)  # as a segfault would: no exception, the worker is gone
    return _REAL_LINT_FILE(path, settings, data, loader, prefiltered, **parsed)


@pytest.mark.parametrize("early", [100, 5], ids=["pool-when-enough-to-analyse", "pool-before-reading"])
def test_a_worker_that_dies_costs_one_file_not_the_run(tree, small_pool, monkeypatch, early) -> None:
    monkeypatch.setattr(parallel, "EARLY_POOL_FILES", early)
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs fork to carry the sabotage into the worker")
    monkeypatch.setenv(parallel.START_METHOD_ENV, "fork")
    monkeypatch.setitem(_SABOTAGE, "parent", os.getpid())
    monkeypatch.setattr(engine, "lint_file", _dies_on_buggy_2)  # the engine hands its lint_file to the pool
    serial = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=1)
    pooled = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=2)
    assert len(small_pool) == 1 and small_pool[0].started >= 2 + 2  # the worker died twice on it: replaced twice
    by_path = {r.path: r for r in pooled.files}
    crashed = [r for r in pooled.files if r.internal_error]
    assert [Path(r.path).name for r in crashed] == ["buggy_2.py"]
    assert "worker" in crashed[0].findings[0].message
    for r in serial.files:  # every other file: the same result as in-process
        if not r.path.endswith("buggy_2.py"):
            assert by_path[r.path].findings == r.findings
    assert [r.path for r in pooled.files] == [r.path for r in serial.files]


def test_a_pool_that_cannot_start_leaves_the_run_to_this_process(tree, small_pool, monkeypatch) -> None:
    """No process can be started (a process limit, no memory left): the files are analysed here, as with --jobs 1."""
    serial = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=1)

    def refused(workers):
        raise BlockingIOError(11, "Resource temporarily unavailable")  # what fork says at a process limit

    monkeypatch.setattr(parallel, "_executor", refused)
    pooled = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=2)
    assert payload(pooled) == payload(serial)


def test_the_pool_starts_while_files_are_still_being_read(tree, small_pool, pool_start, monkeypatch) -> None:
    """Files that name Keras and a recurrent layer are decided on their own bytes: they go to the workers
    while the other files are read and decided, and the output is the same as in one process."""
    reads, started_after = pool_start
    serial = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=1)
    total = len(reads)
    reads.clear()
    pooled = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=2)
    assert len(started_after) == 1 and started_after[0] < total == len(reads)
    assert payload(pooled) == payload(serial)


@pytest.mark.skipif(not os.path.isdir("/proc") or "fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="reads the process tree from /proc")
def test_ctrl_c_stops_the_run_and_its_workers_with_one_line(tmp_path) -> None:
    """Ctrl-C reaches the whole process group: the workers ignore it (the main process stops them), the main process
    says `rnnlint: interrupted` and exits 130 — no traceback, no process left behind."""
    import signal
    import subprocess

    for i in range(600):  # enough that the run is still going when the workers have started
        write(tmp_path, f"tree/pkg{i % 20}/module_{i}.py", PAD + STACKED_LSTM)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env[parallel.START_METHOD_ENV] = "fork"
    run = subprocess.Popen([sys.executable, "-m", "rnnlint", "--no-confirm", "--no-cache", "-j", "2",
                            str(tmp_path / "tree")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while len(live_children(run.pid)) < 2 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        workers = live_children(run.pid)
        assert len(workers) == 2, "the run ended before its workers were seen"
        os.killpg(run.pid, signal.SIGINT)
        out, err = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert (run.returncode, err, out) == (130, "rnnlint: interrupted\n", "")
    deadline = time.monotonic() + 30
    while not all(process_ended(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(process_ended(pid) for pid in workers)


def _waits_for_release(path, settings=None, data=None, loader=None, prefiltered=False, **parsed):
    """A per-file function that keeps its worker busy until the file RNNLINT_TEST_RELEASE exists (module level: a
    pool task carries it by reference)."""
    from rnnlint.results import FileResult

    while not os.path.exists(os.environ["RNNLINT_TEST_RELEASE"]):
        time.sleep(0.005)
    return FileResult(path, (), None, None, {})


def test_decided_files_go_to_the_pool_at_once_and_wait_there_past_what_the_workers_hold(tmp_path, monkeypatch) -> None:
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs fork to carry the test's per-file function into the worker")
    monkeypatch.setenv(parallel.START_METHOD_ENV, "fork")
    release = tmp_path / "release"
    monkeypatch.setenv("RNNLINT_TEST_RELEASE", str(release))
    tasks = [parallel.Task(i, f"f{i}.py", Settings(confirm=False), b"", None, _waits_for_release)
             for i in range(2 * parallel.IN_FLIGHT + 3)]
    dispatch = parallel._Dispatch(2)
    dispatch.start()
    try:
        for task in tasks:
            dispatch.add(task, None)
        assert dispatch.pool.pending == len(tasks) and not dispatch.tasks  # each file goes to the pool at once
        dispatch.pump()  # (between two files)
        pool = dispatch.pool
        # every file is in one folder, one lane: its worker holds IN_FLIGHT of them (while they wait for the
        # release), and the rest waits in this process; the other worker waits for a lane of its own while this
        # process, which keeps the other core busy, still decides files
        assert [len(m.running) for m in pool.members] == [parallel.IN_FLIGHT, 0]
        assert sum(len(m.backlog) for m in pool.members) == len(tasks) - parallel.IN_FLIGHT
        pool.reserved = 0  # (as `finish` has it, waiting:) the other worker takes half of what waits
        pool._step(0)
        assert [len(m.running) for m in pool.members] == [parallel.IN_FLIGHT] * 2
        release.touch()
        done = dispatch.finish(None)
    except BaseException:
        release.touch()
        dispatch.abandon()
        raise
    assert sorted(index for index, _ in done) == list(range(len(tasks)))


def test_a_notebook_the_prefilter_parsed_is_linted_from_that_parse(tree, monkeypatch) -> None:
    """The main process parses a notebook's JSON to tell whether its code names a recurrent layer; the task that
    lints it carries that parse, and without the result cache not the notebook's bytes (its outputs): the result is
    the one of reading the file."""
    from rnnlint.sources.notebook import ParsedNotebook, parse_document

    notebook = tree / "examples" / "stacked_lstm.ipynb"
    parsed = ParsedNotebook.of(*parse_document(notebook.read_bytes()))
    direct = engine.lint_file(str(notebook), Settings(confirm=False))
    from_parse = engine.lint_file(str(notebook), Settings(confirm=False), notebook=parsed)
    assert direct.findings and from_parse.findings == direct.findings
    assert (from_parse.source, from_parse.cells, from_parse.ir) == (direct.source, direct.cells, direct.ir)

    tasks: list = []
    real_add = parallel._Dispatch.add

    def add(self, task, store, size=None):
        tasks.append(task)
        return real_add(self, task, store, size)

    monkeypatch.setattr(parallel._Dispatch, "add", add)
    monkeypatch.chdir(tree)  # (the result cache's folder)
    for cache in (False, True):
        tasks.clear()
        files = engine.discover_files([str(tree)], Settings(confirm=False))
        results = parallel.lint_many(files, Settings(confirm=False), engine.lint_file, jobs=1, cache=cache)
        sent = [t for t in tasks if t.path == str(notebook)]
        assert len(sent) == 1 and sent[0].notebook == parsed
        assert sent[0].data == (notebook.read_bytes() if cache else b"")  # the cache keys an entry by the bytes
        assert [r.findings for r in results if r.path == str(notebook)] == [direct.findings]


def test_file_results_pickle() -> None:
    for example in sorted(EXAMPLES.iterdir()):
        if example.suffix in (".py", ".ipynb"):
            result = engine.lint_file(str(example), Settings(confirm=False))
            assert pickle.loads(pickle.dumps(result)) == result


def test_default_jobs_is_the_available_cores_not_kept_busy(monkeypatch) -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert parallel.available_cores() == expected
    monkeypatch.setattr(parallel, "available_cores", lambda: 4)
    monkeypatch.setattr(parallel, "running_now", lambda: None)  # (a system that does not say)
    for load, jobs in ((0.0, 4), (1.0, 4), (1.5, 4), (2.5, 3), (4.0, 1), (9.0, 1)):
        monkeypatch.setattr(os, "getloadavg", lambda: (load, 0.0, 0.0))
        assert parallel.default_jobs() == jobs, load


# (1-minute load average, processes runnable now besides this one) → jobs on four cores: busy means both
LOAD_NOW_JOBS = [
    (0.0, 0, 4), (4.0, 0, 4),  # a heavy command has just ended: nothing runs now
    (4.0, 1, 4), (4.0, 2, 3), (4.0, 3, 2), (9.0, 4, 1), (9.0, 12, 1),
    (0.5, 6, 4),  # a burst at this instant on a machine idle for the last minute
    (2.5, 6, 3),
]


@pytest.mark.parametrize(("load", "now", "jobs"), LOAD_NOW_JOBS)
def test_default_jobs_counts_load_that_is_there_now(monkeypatch, load, now, jobs) -> None:
    monkeypatch.setattr(parallel, "available_cores", lambda: 4)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, 0.0, 0.0))
    monkeypatch.setattr(parallel, "running_now", lambda: now)
    assert parallel.default_jobs() == jobs


@pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="no /proc/loadavg (not Linux)")
def test_running_now_reads_the_system(tmp_path) -> None:
    """While two busy processes run, at least one other process is runnable (they are between their start and
    their exit, where the scheduler may not have them runnable at every instant: at least one, not two)."""
    spin = [sys.executable, "-c", "import time\nend = time.monotonic() + 3\nwhile time.monotonic() < end: pass"]
    busy = [subprocess.Popen(spin) for _ in range(2)]
    try:
        seen = 0
        deadline = time.monotonic() + 2.5
        while seen < 1 and time.monotonic() < deadline:
            seen = max(seen, parallel.running_now() or 0)
        assert seen >= 1
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_jobs_is_a_usage_error(tmp_path, value) -> None:
    run = run_cli("--jobs", value, ".", cwd=tmp_path)
    assert run.code == 2 and "jobs" in run.err


# --- lean start-up ---------------------------------------------------------------------------------------------

HEAVY = ("tensorflow", "keras", "pygls", "lsprotocol", "libcst", "numpy", "rnnlint.resultcache")


def imported(args: list[str], cwd: Path) -> set[str]:
    """Top-level modules imported by `python -X importtime -m rnnlint ARGS` (read from its stderr)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "rnnlint", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert names, proc.stderr[-2000:]
    return names


def test_version_imports_nothing_heavy(tmp_path) -> None:
    names = imported(["--version"], tmp_path)
    assert not {m for m in HEAVY if m in names}
    assert "rnnlint.engine" not in names


def test_a_run_over_a_tree_without_keras_imports_nothing_heavy(tmp_path) -> None:
    for i in range(40):  # more than enough files for a pool, were any of them analysed
        write(tmp_path, f"pkg/m{i}.py", PAD + PLAIN)
    write(tmp_path, "pkg/torch_model.py", "import torch.nn as nn\nlstm = nn.LSTM(8, 16)\n")
    names = imported(["-j", "2", "."], tmp_path)  # confirmation and the result cache on, as by default
    assert not {m for m in HEAVY if m in names}
    assert "multiprocessing.context" not in names  # no pool was started
    assert not (tmp_path / ".rnnlint_cache").exists()  # nothing analysed, nothing cached


def test_show_models_with_workers_keeps_the_ir(tree) -> None:
    one = run_cli("--show-models", "--format", "json", "-j", "1", ".", cwd=tree)
    two = run_cli("--show-models", "--format", "json", "-j", "2", ".", cwd=tree)
    assert two.out == one.out and len(json.loads(one.out)) >= 12


def test_a_lint_run_does_not_import_libcst(tmp_path) -> None:
    """libcst is the fixer's engine (and parses only statements a multi-place fix rewrites): a lint run of an
    ordinary Keras tree does not pay for importing it."""
    write(tmp_path, "m.py", STACKED_LSTM)
    assert "libcst" not in imported(["--no-confirm", "--no-cache", "."], tmp_path)


def test_a_run_without_the_cache_neither_looks_up_a_replay_nor_hashes_what_it_read(tmp_path) -> None:
    """--no-cache: no report is replayed (a recorded report is a cache), and the modules an analysis imports are
    not hashed (their digests are what a cached result is checked against)."""
    write(tmp_path, "models.py", "from keras.layers import LSTM\n\ndef block(units):\n    return LSTM(units)\n")
    write(tmp_path, "train.py", "from keras.models import Sequential\nfrom models import block\n\nmodel = Sequential([block(8)])\n")
    uncached = imported(["--no-confirm", "--no-cache", "-j", "1", "."], tmp_path)
    assert "rnnlint.replay" not in uncached and "hashlib" not in uncached
    assert {"rnnlint.replay", "hashlib"} <= imported(["--no-confirm", "-j", "1", "."], tmp_path)  # (as by default)


def test_a_command_line_run_collects_cycles_less_often_and_restores_the_collector(tmp_path, monkeypatch) -> None:
    """The CLI runs with BATCH_GC_THRESHOLDS (forked workers inherit them, spawned ones set them); the process's
    thresholds are restored afterwards, and the language server keeps the defaults."""
    import gc

    from rnnlint import cli, launch, parallel

    seen: list[tuple[int, int, int]] = []
    real_run = cli.run

    def spying(args, recording=None):
        seen.append(gc.get_threshold())
        return real_run(args, recording)

    monkeypatch.setattr(cli, "run", spying)
    write(tmp_path, "a.py", "x = 1\n")
    before = gc.get_threshold()
    assert launch.main(["--no-confirm", "--no-cache", "-q", str(tmp_path)]) == 0
    assert seen == [parallel.BATCH_GC_THRESHOLDS] and gc.get_threshold() == before
    assert before != parallel.BATCH_GC_THRESHOLDS


CYCLIC = STACKED_LSTM + """

class Holder:
    def __init__(self):
        self.me = self

    def units(self):
        return 8


def build(units):
    scale = lambda u: u * 2
    return scale(units)


import numpy as np
import tensorflow as tf
h = Holder()
build(h.units())
ds = tf.data.Dataset.from_tensor_slices((np.zeros((100, 10, 1)), np.zeros((100, 1)))).map(lambda x, y: (x, y)).batch(4)
model.fit(ds)
"""


def test_an_analysis_leaves_no_reference_cycles(tmp_path) -> None:
    """A function and the scope it closes over, a class and its instance and methods, an instance that refers to
    itself, a dataset mapped and batched: the evaluation's cycles are broken once its IR is built, so reference
    counting frees it all (the syntax tree included) and the cyclic collector has nothing to traverse."""
    import gc

    path = write(tmp_path, "m.py", CYCLIC)
    was = gc.isenabled()
    gc.collect()
    gc.disable()  # no automatic collection may hide what is left
    try:
        result = engine.lint_file(str(path), Settings(confirm=False))
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
    assert result.findings and not result.internal_error


def test_a_batch_run_collects_young_garbage_after_each_file(tmp_path) -> None:
    """What an analysis may still leave (a cycle the evaluator does not break) is collected after its file, while
    it is young: one collection of the young generations per file, and none in between (BATCH_GC_THRESHOLDS)."""
    import gc

    files = [str(write(tmp_path, f"m{i}.py", CYCLIC)) for i in range(3)]
    generations: list[int] = []

    def seen(phase, info):
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        with parallel.batch_gc():
            results = parallel.lint_many(files, Settings(confirm=False), engine.lint_file, jobs=1)
    finally:
        gc.callbacks.remove(seen)
    assert generations == [1, 1, 1]
    assert all(r.findings for r in results)


def _records_the_collector(path, settings=None, data=None, loader=None, prefiltered=False, **parsed):
    """engine.lint_file, and then, in a worker, a line of what the collector has done there so far (collections of
    each generation, objects frozen) in the file RECORD names. Module level: a pool task carries it by reference."""
    import gc

    result = _REAL_LINT_FILE(path, settings, data, loader, prefiltered, **parsed)
    if os.getpid() != _SABOTAGE["parent"]:
        collections = [generation["collections"] for generation in gc.get_stats()]
        with open(_SABOTAGE["record"], "a", encoding="utf-8") as handle:
            handle.write(json.dumps([os.getpid(), collections, gc.get_freeze_count()]) + "\n")
    return result


def test_a_worker_freezes_what_each_file_leaves_instead_of_collecting(tree, small_pool, monkeypatch, tmp_path) -> None:
    """A worker runs no collection between its files (each found nothing, and traversed the file's survivors):
    what a file leaves is frozen, so the count of frozen objects grows from file to file; the output is the
    one-process run's."""
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs fork to carry the recording into the worker")
    monkeypatch.setenv(parallel.START_METHOD_ENV, "fork")
    monkeypatch.setitem(_SABOTAGE, "parent", os.getpid())
    monkeypatch.setitem(_SABOTAGE, "record", str(tmp_path / "record.jsonl"))
    serial = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=1)
    monkeypatch.setattr(engine, "lint_file", _records_the_collector)
    with parallel.batch_gc():
        pooled = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=2)
    assert payload(pooled) == payload(serial)
    lines = [json.loads(line) for line in (tmp_path / "record.jsonl").read_text().splitlines()]
    by_worker: dict[int, list] = {}
    for pid, collections, frozen in lines:
        by_worker.setdefault(pid, []).append((collections, frozen))
    assert sum(len(seen) for seen in by_worker.values()) == sum(1 for r in serial.files if not r.skipped)
    for seen in by_worker.values():
        assert all(collections == seen[0][0] for collections, _ in seen)  # no collection from its first file on
        frozen = [count for _, count in seen]  # (recorded before the file's own freeze)
        assert frozen[0] > 0  # what the worker inherited and imported, frozen before its first file
        assert len(frozen) == 1 or frozen[-1] > frozen[0]  # and what its files left


def test_a_worker_collects_everything_once_it_froze_its_budget(monkeypatch) -> None:
    """Freezing leaves a cycle the evaluator did not break alive: past FROZEN_BUDGET objects a worker unfreezes
    and collects everything, once, then freezes again."""
    import gc
    import weakref

    from rnnlint.analyze.project import ModuleLoader

    class Node:
        pass

    monkeypatch.setattr(parallel, "FROZEN_BUDGET", 5_000)
    worker = parallel._Worker(ModuleLoader())
    gc.collect()
    with parallel.batch_gc():  # no automatic collection in between (the default threshold is 700 allocations)
        try:
            cycle = Node()
            cycle.me = cycle
            alive = weakref.ref(cycle)
            del cycle  # cyclic garbage, as a file's analysis might leave
            worker.settle()  # a small file: frozen, garbage and all
            gc.collect()
            assert alive() is not None and 0 < worker.frozen < 5_000
            kept = [[i] for i in range(6_000)]  # a file that leaves more than the budget alive
            worker.settle()
            assert alive() is None and worker.frozen == 0  # the full collection ran
            assert gc.get_freeze_count() >= len(kept)  # and what is alive was frozen again
        finally:
            gc.unfreeze()


def test_a_large_cold_run_forks_its_workers_before_reading(tree, pool_start, monkeypatch) -> None:
    """A run of EARLY_POOL_FILES or more files starts its pool before the first file is read (the workers fork
    while the main process reads); the output is the one-process run's. A warm run does not start one."""
    monkeypatch.setattr(parallel, "EARLY_POOL_FILES", 5)
    reads, started_after = pool_start
    serial = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=1)
    assert started_after == []
    reads.clear()
    pooled = engine.lint_paths([str(tree)], Settings(confirm=False), jobs=2)
    assert started_after == [0] and reads
    assert payload(pooled) == payload(serial)
    monkeypatch.chdir(tree)
    engine.lint_paths(["."], Settings(confirm=False), jobs=2, cache=True)  # cold: fills the cache and the index
    started_after.clear()
    warm = engine.lint_paths(["."], Settings(confirm=False), jobs=2, cache=True)
    assert started_after == [] and all(r.cached or r.skipped for r in warm.files)
