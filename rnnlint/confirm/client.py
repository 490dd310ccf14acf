"""Run specs in worker processes: one worker per run, a time limit per model, crashes contained."""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from typing import IO, Callable, Sequence

from rnnlint.confirm.messages import strip_ansi

WORKER_COMMAND: tuple[str, ...] = (sys.executable, "-m", "rnnlint.confirm.worker")
Spawn = Callable[[Sequence[str], dict, IO[bytes]], subprocess.Popen]


def spawn_worker(command: Sequence[str], env: dict, stderr: IO[bytes]) -> subprocess.Popen:
    """Start a worker process (tests pass their own `spawn` to count or replace this)."""
    return subprocess.Popen(
        list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=SAFE_CWD,
    )


# The worker runs `python -m …`, which puts its working folder first on sys.path: started in the linted
# project, a `json.py` or `keras.py` there would be imported — the project's code run. It starts in the folder
# that holds the rnnlint package instead (already on sys.path), and with PYTHONSAFEPATH (environment.py).
SAFE_CWD = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class WorkerOptions:
    env: dict
    build_timeout: float = 20.0
    startup_timeout: float = 120.0
    max_restarts: int = 1
    command: tuple[str, ...] = WORKER_COMMAND
    progress: Callable[[int, int, str], None] | None = field(default=None, compare=False)  # (done, total, keras)


@dataclass(frozen=True)
class BatchResult:
    """One result dict per spec ({"status", "detail"}), the Keras version the worker reported,
    whether a worker was started, and a run-level note when the worker could not start."""

    results: tuple[dict, ...]
    keras_version: str | None
    started: int
    note: str | None = None


class WorkerFailed(Exception):
    """The worker stopped answering: crashed (EOF) or hit the time limit."""

    def __init__(self, detail: str, *, timed_out: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.timed_out = timed_out


class _Worker:
    """One live worker process and the thread that reads its answers."""

    def __init__(self, options: WorkerOptions, spawn: Spawn) -> None:
        self._stderr = tempfile.TemporaryFile()
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self.process = spawn(options.command, options.env, self._stderr)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        for line in iter(stdout.readline, b""):
            self._lines.put(line)
        self._lines.put(None)

    def receive(self, timeout: float, what: str) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise WorkerFailed(f"time limit: Keras took longer than {timeout:g} s {what}", timed_out=True)
        if line is None:
            self.process.wait()
            raise WorkerFailed(f"worker crashed: {self._last_error()}", timed_out=False)
        try:
            return json.loads(line)
        except ValueError:
            self.kill()
            raise WorkerFailed("worker crashed: unreadable answer", timed_out=False) from None

    def send(self, message: dict) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            stdin.flush()
        except OSError:
            raise WorkerFailed(f"worker crashed: {self._last_error()}", timed_out=False) from None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                if self.process.stdin:
                    self.process.stdin.close()
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        if not self._stderr.closed:
            self._stderr.close()

    def _last_error(self) -> str:
        code = self.process.poll()
        try:
            self._stderr.seek(0)
            lines = [strip_ansi(x).strip() for x in self._stderr.read().decode("utf-8", "replace").splitlines()]
        except (OSError, ValueError):
            lines = []
        meaningful = [x for x in lines if x and not x.startswith(("I0000", "W0000", "WARNING: All log"))]
        last = meaningful[-1] if meaningful else ""
        return last[:200] or f"exit status {code}"


def run_batch(specs: Sequence[dict], options: WorkerOptions, spawn: Spawn = spawn_worker) -> BatchResult:
    """Build every spec in one worker; restart it (up to `max_restarts`) after a crash or time limit."""
    results: list[dict | None] = [None] * len(specs)
    version: str | None = None
    started = restarts = 0
    position = 0
    if options.progress is not None:
        options.progress(0, len(specs), "Keras")  # shown after a second: importing TensorFlow takes several
    while position < len(specs):
        if started and restarts >= options.max_restarts:
            break
        if started:
            restarts += 1
        worker = _Worker(options, spawn)
        started += 1
        try:
            ready = worker.receive(options.startup_timeout, "to import")
        except WorkerFailed as failure:
            worker.close()
            return _give_up(results, version, started, f"Keras could not be started: {failure.detail}")
        if not ready.get("ready"):
            worker.close()
            error = strip_ansi(str(ready.get("error", "unknown error")))[:200]
            return _give_up(results, version, started, f"Keras could not be imported: {error}")
        version = ready.get("keras_version") or version
        try:
            while position < len(specs):
                if options.progress is not None:
                    options.progress(position, len(specs), f"Keras {version}")
                worker.send({"id": position, "spec": specs[position]})
                answer = worker.receive(options.build_timeout, "to build the model")
                results[position] = {"status": answer["status"], "detail": answer["detail"]}
                position += 1
            worker.close()
        except WorkerFailed as failure:
            worker.close()
            results[position] = {"status": "unconfirmed", "detail": failure.detail, "transient": True}
            position += 1
    for index in range(position, len(specs)):
        results[index] = {"status": "unconfirmed", "transient": True,
                          "detail": "not built: the worker stopped after a crash or time limit"}
    return BatchResult(tuple(r for r in results if r is not None), version, started)


def _give_up(results: list, version: str | None, started: int, note: str) -> BatchResult:
    filled = tuple(r if r is not None else {"status": "unconfirmed", "detail": note, "transient": True}
                   for r in results)
    return BatchResult(filled, version, started, note)


__all__ = ["run_batch", "spawn_worker", "WorkerOptions", "BatchResult", "WORKER_COMMAND"]
