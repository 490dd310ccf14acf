"""Load and interruption (issue 9.5), at CI scale: a generated tree linted with `--jobs 2` and confirmation on,
killed midway — during the analysis, during confirmation, or rnnlint alone — and the next run must be correct:
the same report as a `--no-cache` run, every cache entry intact, no worker left behind. The full-size run
(10,000 files, peak memory) is `bench/load.py`; its figures are in bench/RESULTS.md.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import run_cli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from load import WORKER, check_cache, cmdline, descendants  # noqa: E402
from make_corpus import make  # noqa: E402

pytestmark = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc (Linux)")
FILES = 60
COMMAND = ("--format", "json", "--jobs", "2", "--exit-zero", ".")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("load") / "tree"
    assert make(str(tree), FILES, 1.0, seed=9)["keras_files"] == FILES
    return tree


@pytest.fixture(scope="module")
def reference(corpus) -> str:
    run = run_cli(*COMMAND[:-1], "--no-cache", ".", cwd=corpus)
    assert run.code == 0 and "Traceback" not in run.err, run.err
    findings = json.loads(run.out)
    statuses = {f["confirmation"]["status"] for f in findings}
    assert len(findings) > 20 and "confirmed" in statuses, statuses  # the checker really ran
    assert not (corpus / ".rnnlint_cache").exists()
    return run.out


@pytest.fixture
def tree(corpus, tmp_path) -> Path:
    copy = tmp_path / "tree"
    subprocess.run(["cp", "-r", str(corpus), str(copy)], check=True)
    return copy


def start(tree: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TF_USE_LEGACY_KERAS")}
    return subprocess.Popen([sys.executable, "-m", "rnnlint", *COMMAND], cwd=tree, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(proc: subprocess.Popen, condition, what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def worker_of(proc: subprocess.Popen) -> int | None:
    return next((p for p in descendants(proc.pid) if WORKER in cmdline(p)), None)


def assert_next_run_is_correct(tree: Path, reference: str) -> None:
    # No torn or unsigned entry (a temporary file a kill cut short is never read, and is swept later).
    assert check_cache(tree / ".rnnlint_cache")[1] == 0
    again = run_cli(*COMMAND, cwd=tree)
    assert again.code == 0 and "Traceback" not in again.err, again.err
    assert again.out == reference
    warm = run_cli(*COMMAND, cwd=tree)
    assert warm.out == reference


def test_killed_during_the_analysis(tree, reference):
    proc = start(tree)
    wait_for(proc, lambda: len(list(tree.glob(".rnnlint_cache/results/*.json"))) >= FILES // 3, "the analysis")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(list(tree.glob(".rnnlint_cache/results/*.json"))) < FILES  # really cut short
    assert_next_run_is_correct(tree, reference)


def test_killed_during_confirmation(tree, reference):
    proc = start(tree)
    wait_for(proc, lambda: worker_of(proc) is not None, "the Keras worker")
    time.sleep(1.0)  # let it import Keras and start building
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not list(tree.glob(".rnnlint_cache/confirm/*.json"))  # confirmations are stored after the batch
    assert_next_run_is_correct(tree, reference)


def test_killing_rnnlint_alone_stops_its_worker(tree, reference):
    # As the OOM killer would: only the main process dies; the worker sees its stdin close and exits.
    proc = start(tree)
    wait_for(proc, lambda: worker_of(proc) is not None, "the Keras worker")
    worker = worker_of(proc)
    assert worker is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 120
    while Path(f"/proc/{worker}").exists() and WORKER in cmdline(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = Path(f"/proc/{worker}").exists() and WORKER in cmdline(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive, "the Keras worker outlived rnnlint"
    assert_next_run_is_correct(tree, reference)
