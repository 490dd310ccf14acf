"""A pool of worker processes with lanes, and no thread in this process.

Each job belongs to a lane (for rnnlint: the project of the file, analyze.project.ModuleLoader.project_of, whose
modules its files import), and a lane's jobs go to one worker, which then reads and parses those modules once: with one shared queue, two workers
took turns at each project and both parsed 112 of its modules on the real-code set (bench/RESULTS.md). A worker
whose own jobs are done takes jobs waiting for another one (the other's last lane, or half of its one lane), so the
ends of a run even out — but while this process still submits, it keeps a core busy itself (`reserved`): a worker
then takes another's jobs only if fewer workers than the other cores are busy (with two workers on two cores, the
second waits for a lane of its own, rather than parse the first's modules again).

    this process ──frame: [(id, payload), …]──► worker: run(payload) for each, in order
                 ◄──frame: (id, result)───────── (one per job)

- No thread here: frames go out through non-blocking pipes (what a full pipe does not take waits in `out`, written
  at the next `pump`), results are read when `pump` or `wait` is called. concurrent.futures' process pool keeps a
  manager thread and a feeder thread in this process, which took their share of a core the run needs.
- A worker has at most `depth` jobs sent and not done; the others wait here, where another worker can take them.
- A worker that dies (a segfault in a native parser, the OOM killer) is replaced. The job it was running is run
  again alone in a fresh worker: if that worker dies too, the job's result is `on_failure(payload, error)` (as is
  the result of a job whose result would not pickle); the jobs it had not started go to the other workers.
- Ctrl-C reaches the whole process group: workers ignore SIGINT (blocked from before the fork until then, so that it
  cannot interrupt a worker's start), and the owner stops them (`kill`). A worker whose owner is gone ends at the end
  of its task pipe, or when it cannot write a result.
- Processes come from a multiprocessing context ('fork' or 'spawn'); pipes are multiprocessing Connections (so
  that spawned workers receive them), read and written here as raw file descriptors.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable

_HEADER = struct.Struct("!Q")  # the length of the frame that follows
_PIPE_BYTES = 1 << 20  # asked of the system for each pipe (Linux: /proc/sys/fs/pipe-max-size is 1 MiB by default)
# How often `pump` looks at the pipes: a worker has `depth` jobs of several milliseconds each to run meanwhile.
PUMP_INTERVAL = 0.001


@dataclass
class Job:
    id: int
    payload: Any
    lane: Hashable
    crashed: bool = False  # its worker died while running it once


@dataclass
class _Member:
    """One worker process and what this process keeps for it."""

    process: Any
    tasks: Any  # the Connection frames go out through (its fd is written non-blocking)
    results: Any  # the Connection results come back through
    out: bytearray = field(default_factory=bytearray)  # frame bytes the pipe has not taken yet
    inbox: bytearray = field(default_factory=bytearray)  # result bytes that are not a whole frame yet
    running: deque = field(default_factory=deque)  # jobs sent, in order, without a result yet
    backlog: deque = field(default_factory=deque)  # jobs of its lanes, not sent yet
    solo: bool = False  # runs one job that killed a worker, and nothing else

    def load(self) -> int:
        return len(self.running) + len(self.backlog)


class LanePool:
    """Runs `run(payload)` in `workers` processes of `context`, each starting with `initializer()`. `submit` jobs,
    call `pump()` now and then while doing other work, then `wait()` for every result."""

    def __init__(self, workers: int, context, run: Callable[[Any], Any],
                 on_failure: Callable[[Any, Exception], Any], initializer: Callable[[], None] | None = None,
                 depth: int = 2) -> None:
        self.context, self.run, self.on_failure, self.initializer = context, run, on_failure, initializer
        self.depth = depth
        self.members: list[_Member] = []
        self.owner: dict[Hashable, _Member] = {}  # lane → its worker
        self.done: list[tuple[int, Any]] = []  # (job id, result) not yet handed out
        self.pending = 0  # jobs submitted without a result
        self.started = 0  # worker processes started (replacements included)
        self.reserved = 1  # cores this process keeps busy: 1 while it submits, 0 once it waits
        self.pumped = 0.0  # time.monotonic() of the last `pump` that stepped
        try:
            for _ in range(max(1, workers)):
                self.members.append(self._spawn())
        except BaseException:  # (a process limit, out of memory): none of those started is left behind
            self.kill()
            raise

    def _spawn(self, solo: bool = False) -> _Member:
        task_read, task_write = self.context.Pipe(duplex=False)
        result_read, result_write = self.context.Pipe(duplex=False)
        inherited = [m.tasks.fileno() for m in self.members] + [m.results.fileno() for m in self.members]
        forked = self.context.get_start_method() == "fork"
        closes = [task_write.fileno(), result_read.fileno(), *inherited] if forked else []
        process = self.context.Process(target=_serve, args=(task_read, result_write, self.run, self.initializer,
                                                             closes), daemon=True)
        # Ctrl-C reaches the whole process group, and the worker ignores it (its owner stops it); blocked from before
        # the fork until the worker ignores it, it cannot interrupt the worker's start (a traceback) — and here, it
        # waits until the start is done
        masked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, masked)
        task_read.close()
        result_write.close()
        for conn in (task_write, result_read):
            os.set_blocking(conn.fileno(), False)
            _widen(conn.fileno())
        self.started += 1
        return _Member(process, task_write, result_read, solo=solo)

    def submit(self, job: Job) -> None:
        member = self.owner.get(job.lane)
        if member is None or member not in self.members or member.solo:
            member = min([m for m in self.members if not m.solo] or self.members, key=_Member.load)
            self.owner[job.lane] = member
        member.backlog.append(job)
        self.pending += 1
        self._feed(member)

    def pump(self) -> None:
        """Without waiting: write what the pipes take, read what came back, keep every worker fed — at most once
        every PUMP_INTERVAL (a step costs ~6 µs; a run over the real-code set called this 2,500 times)."""
        now = time.monotonic()
        if now - self.pumped >= PUMP_INTERVAL:
            self.pumped = now
            self._step(0)

    def wait(self) -> list[tuple[int, Any]]:
        """The (job id, result) of every job submitted since the last `wait`, once all are done. Call it when
        everything is submitted: this process no longer keeps a core busy, and workers take each other's jobs."""
        self.reserved = 0
        while self.pending:
            self._step(None)
        out, self.done = self.done, []
        return out

    def close(self) -> None:
        """Stop the workers (after `wait`: each ends when it reads its stop frame) and reap them."""
        for member in self.members:
            member.out += _HEADER.pack(0)
            _flush(member)
            member.tasks.close()
        for member in self.members:
            member.process.join()
            member.results.close()
        self.members = []

    def kill(self) -> None:
        """Stop now (an interrupt): no worker outlives the run."""
        for member in self.members:
            member.process.kill()
        for member in self.members:
            member.process.join()
            member.tasks.close()
            member.results.close()
        self.members = []

    def _step(self, timeout: float | None) -> None:
        """Wait up to `timeout` seconds (None: until something happens) for a pipe or a worker's end, then act."""
        readable = {m.results.fileno(): m for m in self.members}
        ended = {m.process.sentinel: m for m in self.members}
        writable = {m.tasks.fileno(): m for m in self.members if m.out}
        poller = select.poll()  # (not select.select: no limit on the descriptors' numbers)
        for fd in (*readable, *ended):
            poller.register(fd, select.POLLIN)
        for fd in writable:
            poller.register(fd, select.POLLOUT)
        events = dict(poller.poll(None if timeout is None else int(timeout * 1000)))
        for fd, member in writable.items():
            if fd in events:
                _flush(member)
        for fd, member in readable.items():
            if fd in events:
                self._receive(member)
        for fd, member in ended.items():
            if fd in events and member in self.members:
                self._receive(member)  # what it wrote before it ended
                self._lost(member)
        for member in self.members:  # each its own jobs first: a worker whose results just came back is not idle
            self._feed(member, steal=False)
        for member in self.members:
            self._feed(member)

    def _receive(self, member: _Member) -> None:
        fd = member.results.fileno()
        while True:
            try:
                chunk = os.read(fd, _PIPE_BYTES)
            except BlockingIOError:
                break
            if not chunk:
                break
            member.inbox += chunk
        inbox = member.inbox
        start = 0
        while len(inbox) - start >= _HEADER.size:
            (size,) = _HEADER.unpack_from(inbox, start)
            end = start + _HEADER.size + size
            if len(inbox) < end:
                break
            job_id, result = pickle.loads(memoryview(inbox)[start + _HEADER.size:end])
            start = end
            job = member.running.popleft()
            assert job.id == job_id, "results come back in the order the jobs were sent"
            if isinstance(result, _Unpicklable):
                result = self.on_failure(job.payload, RuntimeError(f"its result could not be sent back: {result.error}"))
            self._finished(job_id, result)
            if member.solo:  # its one job is done: it takes lanes like the others now
                member.solo = False
        del inbox[:start]

    def _finished(self, job_id: int, result: Any) -> None:
        self.done.append((job_id, result))
        self.pending -= 1

    def _lost(self, member: _Member) -> None:
        """`member`'s process ended without being asked to: replace it; the job it was running runs again alone."""
        self.members.remove(member)
        member.process.join()
        member.tasks.close()
        member.results.close()
        unstarted = [*member.running, *member.backlog]
        culprit = unstarted.pop(0) if member.running else None
        for lane, owner in list(self.owner.items()):
            if owner is member:
                del self.owner[lane]
        if culprit is not None and culprit.crashed:  # it killed a worker of its own
            self._finished(culprit.id, self.on_failure(culprit.payload, WorkerDied(
                "the worker process running it died (exit signal or out of memory)")))
            culprit = None
        self.members.append(self._spawn(solo=culprit is not None))
        if culprit is not None:
            culprit.crashed = True
            self.members[-1].backlog.append(culprit)
        self.pending -= len(unstarted)
        for job in unstarted:
            self.submit(job)

    def _feed(self, member: _Member, steal: bool = True) -> None:
        """Send `member` jobs up to `depth` running: its own, else (`steal`) some another worker has waiting."""
        if member.solo:
            if member.backlog and not member.running:
                self._send(member, [member.backlog.popleft()])
            return
        room = self.depth - len(member.running)
        if room <= 0:
            return
        if not member.backlog and steal:
            self._steal(member)
        batch = [member.backlog.popleft() for _ in range(min(room, len(member.backlog)))]
        if batch:
            self._send(member, batch)

    def _steal(self, thief: _Member) -> None:
        """Give `thief` (nothing waiting for it) jobs another worker has waiting: that worker's last lane whole
        (the lane is the thief's from now on), or the later half of its one lane."""
        victims = [m for m in self.members if m is not thief and not m.solo and m.backlog]
        busy = sum(1 for m in self.members if m is not thief and m.running)
        if not victims or busy + 1 + self.reserved > len(self.members):  # no core left for the thief
            return
        victim = max(victims, key=lambda m: len(m.backlog))
        lane = victim.backlog[-1].lane
        if any(job.lane != lane for job in victim.backlog):
            taken = [job for job in victim.backlog if job.lane == lane]
            victim.backlog = deque(job for job in victim.backlog if job.lane != lane)
            self.owner[lane] = thief
        else:
            waiting = list(victim.backlog)
            keep = len(waiting) // 2
            taken, victim.backlog = waiting[keep:], deque(waiting[:keep])
        thief.backlog.extend(taken)

    def _send(self, member: _Member, jobs: list[Job]) -> None:
        frame = pickle.dumps([(job.id, job.payload) for job in jobs], pickle.HIGHEST_PROTOCOL)
        member.out += _HEADER.pack(len(frame))
        member.out += frame
        member.running.extend(jobs)
        _flush(member)


def _flush(member: _Member) -> None:
    if not member.out:
        return
    try:
        written = os.write(member.tasks.fileno(), member.out)
    except (BlockingIOError, BrokenPipeError):
        return  # full (written at the next step), or the worker is gone (its sentinel says so)
    del member.out[:written]


def _widen(fd: int) -> None:
    """Ask for a larger pipe buffer (fewer waits on a full pipe); where the system refuses, the default stays."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts = []
    while size:
        chunk = os.read(fd, min(size, _PIPE_BYTES))
        if not chunk:
            return None
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve(tasks, results, run: Callable[[Any], Any], initializer: Callable[[], None] | None,
           closes: Iterable[int]) -> None:
    """A worker: frames of jobs in, one result frame per job out, until the stop frame (or the pool's end)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the pool's owner stops us
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # (blocked since before the fork: `_spawn`)
    for fd in closes:  # a forked worker's copies of the pool's ends of every pipe: a worker's death must show
        try:
            os.close(fd)
        except OSError:
            pass
    if initializer is not None:
        initializer()
    fd_in, fd_out = tasks.fileno(), results.fileno()
    os.set_blocking(fd_in, True)
    os.set_blocking(fd_out, True)
    while True:
        header = _read_exactly(fd_in, _HEADER.size)
        if header is None:
            return
        (size,) = _HEADER.unpack(header)
        if not size:
            return
        frame = _read_exactly(fd_in, size)
        if frame is None:
            return
        for job_id, payload in pickle.loads(frame):
            result = run(payload)
            try:
                data = pickle.dumps((job_id, result), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - a result that does not pickle: the pool hears of it
                data = pickle.dumps((job_id, _Unpicklable(repr(exc))), pickle.HIGHEST_PROTOCOL)
            try:
                _write_all(fd_out, _HEADER.pack(len(data)) + data)
            except BrokenPipeError:
                return  # the pool's process is gone: nobody reads the results


class WorkerDied(RuntimeError):
    """Given to `on_failure` for a job whose worker died twice while running it."""


@dataclass(frozen=True)
class _Unpicklable:
    """In place of a result that would not pickle: why."""

    error: str


__all__ = ["Job", "LanePool", "WorkerDied"]
