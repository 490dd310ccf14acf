"""The pool of worker processes (rnnlint.workpool.LanePool): every job's result comes back once, a lane's jobs go
to one worker while it has them, an idle worker takes what another has waiting, a worker's death costs one job at
most, frames larger than a pipe go through, and no worker outlives the pool."""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import process_ended
from rnnlint.workpool import Job, LanePool, WorkerDied

FORK = "fork" in multiprocessing.get_all_start_methods()
needs_fork = pytest.mark.skipif(not FORK, reason="carries the test's state into the workers by forking")


def _pid_and_payload(payload):
    """What a job returns: the worker's pid and its payload (module level: pickled by reference)."""
    return os.getpid(), payload


def _failure(payload, error):
    return "failed", payload, type(error).__name__, str(error)


def _held(payload):
    """Waits until the file named in the payload exists, then returns (pid, name)."""
    release, name = payload
    while not os.path.exists(release):
        time.sleep(0.002)
    return os.getpid(), name


def _dies_on(payload):
    """Kills its worker when the payload says so: always ("always", …), or the first time only ("once", marker),
    the marker file telling that it happened."""
    kind, value = payload
    if kind == "always":
        os._exit(9)
    if kind == "once" and not os.path.exists(value):
        Path(value).touch()
        os._exit(9)
    return os.getpid(), payload


def _unpicklable(payload):
    return lambda: payload  # a lambda does not pickle


def _pool(run, workers=2, method="fork", depth=2) -> LanePool:
    return LanePool(workers, multiprocessing.get_context(method), run, _failure, depth=depth)


@contextlib.contextmanager
def _stopped_on_failure(pool: LanePool, release: str) -> Iterator[None]:
    """A block that holds `pool`'s jobs until `release` exists: if it fails, they are let go and the workers stopped."""
    try:
        yield
    except BaseException:
        Path(release).touch()
        pool.kill()
        raise


def _finish(pool: LanePool) -> dict:
    try:
        done = pool.wait()
    finally:
        pool.close()
    return dict(done)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_every_result_comes_back_once_under_its_job_id(method) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    pool = _pool(_pid_and_payload, method=method)
    for i in range(40):
        pool.submit(Job(i, f"payload {i}", lane=i % 5))
        pool.pump()
    results = _finish(pool)
    assert sorted(results) == list(range(40))
    assert all(results[i][1] == f"payload {i}" for i in range(40))
    assert {pid for pid, _ in results.values()} - {os.getpid()}  # run in workers, not here


@needs_fork
def test_a_lanes_jobs_go_to_one_worker_and_each_worker_has_at_most_depth_sent(tmp_path) -> None:
    release = str(tmp_path / "release")
    pool = _pool(_held, depth=2)
    with _stopped_on_failure(pool, release):
        for i in range(5):
            pool.submit(Job(i, (release, f"a{i}"), lane="a"))
        for i in range(5, 8):
            pool.submit(Job(i, (release, f"b{i}"), lane="b"))
        first, second = pool.members
        # lane a went to the first worker (both were idle), lane b to the one with less to do
        assert [j.id for j in first.running] == [0, 1] and [j.id for j in first.backlog] == [2, 3, 4]
        assert [j.id for j in second.running] == [5, 6] and [j.id for j in second.backlog] == [7]
        pool.submit(Job(8, (release, "a8"), lane="a"))  # a lane stays with its worker
        assert [j.id for j in first.backlog] == [2, 3, 4, 8]
        Path(release).touch()
        results = _finish(pool)
    assert sorted(results) == list(range(9))
    assert results[0][0] != results[5][0]  # the first jobs of the two lanes ran in two workers


@needs_fork
def test_an_idle_worker_takes_another_workers_last_lane_or_half_of_its_one_lane_once_all_is_submitted(tmp_path) -> None:
    release = str(tmp_path / "release")
    pool = _pool(_held, depth=1)
    try:
        first, second = pool.members
        for i in range(3):
            pool.submit(Job(i, (release, f"x{i}"), lane="x"))  # to the first worker (both idle)
        for i in range(3, 7):
            pool.submit(Job(i, (release, f"y{i}"), lane="y"))  # to the second, which has less to do
        for i in range(7, 11):
            pool.submit(Job(i, (release, f"z{i}"), lane="z"))  # to the first, which has less now
        assert [j.id for j in first.backlog] == [1, 2, 7, 8, 9, 10] and [j.id for j in second.backlog] == [4, 5, 6]
        second.backlog.clear()  # (as if the second had done its lane:) nothing waiting for it, room for a job
        second.running.clear()
        pool._feed(second)  # while this process submits, it keeps the other core busy: the second waits
        assert not second.running and not second.backlog
        pool.reserved = 0  # (as `wait` sets it:) everything submitted
        pool._feed(second)  # it takes the first's last lane, whole, and keeps it
        assert [j.id for j in second.running] == [7] and [j.id for j in second.backlog] == [8, 9, 10]
        assert [j.id for j in first.backlog] == [1, 2] and pool.owner["z"] is second
        second.backlog.clear()
        second.running.clear()
        pool._feed(second)  # then the later half of the first's one lane, which stays the first's
        assert [j.id for j in second.running] == [2] and [j.id for j in first.backlog] == [1]
        assert pool.owner["x"] is first
    finally:
        Path(release).touch()
        pool.kill()


@needs_fork
def test_a_worker_whose_results_just_came_back_takes_its_own_next_job(tmp_path) -> None:
    """Results of two workers read in one step: each is given its own jobs before either takes another's (the
    first, with none of its own, would otherwise take the second's next job, and parse its lane's modules too)."""
    release = str(tmp_path / "release")
    pool = _pool(_held, depth=1)
    try:
        pool.submit(Job(0, (release, "a0"), lane="a"))
        pool.submit(Job(1, (release, "b1"), lane="b"))
        pool.submit(Job(2, (release, "b2"), lane="b"))
        first, second = pool.members
        assert [j.id for j in second.backlog] == [2]
        first.running.clear()  # (as if both results had just been read)
        second.running.clear()
        pool.reserved = 0
        pool._step(0)
        assert not first.running and [j.id for j in second.running] == [2]
    finally:
        Path(release).touch()
        pool.kill()


@needs_fork
def test_while_this_process_submits_an_idle_worker_takes_others_jobs_only_for_a_free_core(tmp_path) -> None:
    """This process keeps a core busy while it submits: with three workers (three cores), two may run, so a second
    worker takes half of the first's one lane, and the third waits for a lane of its own."""
    release = str(tmp_path / "release")
    pool = _pool(_held, workers=3, depth=1)
    try:
        for i in range(8):
            pool.submit(Job(i, (release, f"x{i}"), lane="x"))
        first, second, third = pool.members
        pool._feed(second)
        assert [j.id for j in second.running] == [4] and [j.id for j in first.backlog] == [1, 2, 3]
        pool._feed(third)
        assert not third.running and [j.id for j in second.backlog] == [5, 6, 7]
        pool.reserved = 0
        pool._feed(third)  # everything submitted: the third core is free; it takes half of the longer backlog
        assert [j.id for j in third.running] == [2] and [j.id for j in first.backlog] == [1]
    finally:
        Path(release).touch()
        pool.kill()


@needs_fork
def test_a_job_that_kills_its_worker_twice_fails_alone_and_the_others_finish(tmp_path) -> None:
    pool = _pool(_dies_on)
    jobs = [("ok", i) for i in range(10)]
    jobs[3] = ("always", None)
    jobs[6] = ("once", str(tmp_path / "died-once"))  # an innocent bystander of a death: run again, it passes
    for i, payload in enumerate(jobs):
        pool.submit(Job(i, payload, lane=i % 2))
    results = _finish(pool)
    assert sorted(results) == list(range(10))
    assert results[3] == ("failed", ("always", None), "WorkerDied",
                          "the worker process running it died (exit signal or out of memory)")
    assert all(results[i][1] == jobs[i] for i in range(10) if i != 3)
    assert pool.started >= 2 + 3  # the first death, the solo retry's death, and the bystander's death: replaced


@needs_fork
def test_a_worker_that_died_before_its_job_is_replaced_and_the_job_runs(tmp_path) -> None:
    release = str(tmp_path / "release")
    pool = _pool(_held)
    with _stopped_on_failure(pool, release):
        victim = pool.members[0]
        victim.process.kill()
        victim.process.join()
        pool.submit(Job(0, (release, "sent to a dead worker"), lane="a"))
        Path(release).touch()
        results = _finish(pool)
    assert results[0][1] == "sent to a dead worker" and pool.started == 3


@needs_fork
def test_a_result_that_does_not_pickle_is_a_failure_of_that_job_only() -> None:
    pool = _pool(_unpicklable)
    pool.submit(Job(0, "x", lane=0))
    results = _finish(pool)
    assert results[0][:3] == ("failed", "x", "RuntimeError") and "could not be sent back" in results[0][3]


@needs_fork
def test_frames_larger_than_a_pipe_go_both_ways() -> None:
    big = os.urandom(3 << 20)  # 3 MiB: more than a pipe holds, so the writes are partial and resumed
    pool = _pool(_pid_and_payload)
    for i in range(4):
        pool.submit(Job(i, big, lane=i))
    results = _finish(pool)
    assert all(results[i][1] == big for i in range(4))


@needs_fork
def test_no_worker_outlives_the_pool(tmp_path) -> None:
    pool = _pool(_pid_and_payload)
    pool.submit(Job(0, "x", lane=0))
    _finish(pool)
    release = str(tmp_path / "never")
    held = _pool(_held)
    held.submit(Job(0, (release, "never released"), lane=0))
    processes = [m.process for m in held.members]
    held.kill()  # an interrupt: the workers are stopped, not waited for
    assert all(not p.is_alive() for p in processes)


@needs_fork
def test_a_pool_whose_second_worker_cannot_start_leaves_no_first_behind() -> None:
    real = multiprocessing.get_context("fork")
    started = []

    class Limited:  # a fork context whose second process cannot start (a process limit)
        Pipe = staticmethod(real.Pipe)
        get_start_method = staticmethod(real.get_start_method)

        @staticmethod
        def Process(**kwargs):
            if started:
                raise BlockingIOError(11, "Resource temporarily unavailable")
            started.append(real.Process(**kwargs))
            return started[-1]

    with pytest.raises(BlockingIOError):
        LanePool(2, Limited, _pid_and_payload, _failure)
    assert len(started) == 1 and not started[0].is_alive() and started[0].exitcode is not None


_OWNER = """
import multiprocessing, os, sys, time
sys.path.insert(0, {tests!r})
from rnnlint.workpool import Job, LanePool
from test_workpool import _failure, _pid_and_payload
pool = LanePool(2, multiprocessing.get_context("fork"), _pid_and_payload, _failure)
pool.submit(Job(0, "x", lane=0))
while pool.pending:
    pool.pump()
print(" ".join(str(m.process.pid) for m in pool.members), flush=True)
time.sleep(60)
"""


@needs_fork
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads processes' states from /proc")
def test_the_workers_of_a_killed_owner_end() -> None:
    """The owner killed outright (the OOM killer, SIGKILL): each worker reads the end of its task pipe and exits —
    no forked worker holds another's pipe open."""
    import signal
    import subprocess
    import sys

    owner = subprocess.Popen([sys.executable, "-c", _OWNER.format(tests=str(Path(__file__).parent))],
                             stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in owner.stdout.readline().split()]
        assert len(pids) == 2 and not any(process_ended(pid) for pid in pids)
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    deadline = time.monotonic() + 30
    while not all(process_ended(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(process_ended(pid) for pid in pids)


@needs_fork
def test_a_worker_ignores_ctrl_c_which_is_its_owners_to_handle() -> None:
    """Ctrl-C reaches the whole process group: a worker lives on (no traceback of its own), and the owner, which gets
    it too, stops the pool. Here the owner does not: the worker runs the next job."""
    import signal

    pool = _pool(_pid_and_payload, workers=1)
    worker = pool.members[0].process.pid
    os.kill(worker, signal.SIGINT)  # before or after the worker's start: blocked until it ignores it
    pool.submit(Job(0, "x", lane=0))
    results = _finish(pool)
    assert results[0] == (worker, "x") and pool.started == 1


def test_worker_died_is_the_error_of_a_death() -> None:
    assert issubclass(WorkerDied, RuntimeError)
