"""Shared test helpers: run the CLI as a subprocess, write files, build synthetic findings."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rnnlint.findings import Finding
from rnnlint.ir import Span

# The seed's stacked-LSTM bug: RNN001 on line 4 once the analyzer and rules land.
# A model builder and the training script that imports it: 12 time steps for a model built with 10 (one RNN004 in
# train.py, only through the import). Shared by the warm-run tests (test_runindex, test_replay).
BUILDER_MODULE = """\
from keras.models import Sequential
from keras.layers import LSTM, Dense, Input


def build(steps):
    return Sequential([Input(shape=(steps, 1)), LSTM(8), Dense(1)])
"""
TRAIN_WITH_BUILDER = """\
import numpy as np
from builder import build

model = build(10)
model.compile(loss="mse")
model.fit(np.zeros((32, 12, 1)), np.zeros((32, 1)), batch_size=8)
"""

STACKED_LSTM = """\
from keras.models import Sequential
from keras.layers import LSTM, Dense
model = Sequential()
model.add(LSTM(256, input_shape=(10, 1)))
model.add(LSTM(256))
model.add(Dense(1))
"""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def cli_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI subprocess: this one without colour-related variables, then `env`."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TF_USE_LEGACY_KERAS")}
    base.update(env or {})
    return base


def run_cli(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None,
            stdin: str | None = None) -> Run:
    """`python -m rnnlint ARGS` in a subprocess, in `cli_env(env)`."""
    proc = subprocess.run([sys.executable, "-m", "rnnlint", *args], cwd=cwd, env=cli_env(env), input=stdin,
                          capture_output=True, text=True, timeout=300)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session", autouse=True)
def private_cache_key(tmp_path_factory):
    """The tests sign cache entries with their own key (the CLI subprocesses inherit it), not the user's."""
    from rnnlint.cachedir import KEY_ENV

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENV, str(tmp_path_factory.mktemp("key") / "cache-key"))
        yield


@pytest.fixture
def cli():
    return run_cli


def write(root: Path, name: str, content: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def finding(code: str = "RNN001", line: int = 1, column: int = 1, *, name: str = "missing-return-sequences",
            end_line: int | None = None, end_column: int | None = None, path: str = "x.py",
            severity: str = "error", message: str = "msg") -> Finding:
    """A synthetic finding for reporter and suppression tests."""
    span = Span(line, column, end_line or line, end_column or column + 1)
    return Finding(code=code, name=name, severity=severity, message=message, path=path, span=span)


def pytest_addoption(parser):
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="rewrite tests/snapshots/ from the current messages (review the diff before committing)")


def _proc_stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (state, parent, …); None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_ended(pid: int) -> bool:
    """Whether the process `pid` has ended (a zombie nobody reaped yet counts as ended), from /proc."""
    fields = _proc_stat(pid)
    return fields is None or fields[0] in ("Z", "X")


def live_children(pid: int) -> list[int]:
    """The processes running whose parent is `pid`, from /proc."""
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()
            and (fields := _proc_stat(entry)) is not None and int(fields[1]) == pid and fields[0] not in ("Z", "X")]
