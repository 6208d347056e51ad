"""Work on several cores with forked children that die with their parent (#5).

An index build is CPU-bound Python: one process uses one core.  Two stages
run in forked children instead: reading report files (:func:`ordered_map`)
and writing a batch's segments (:func:`run_forked`).  Children are plain
``os.fork`` processes, not a ``multiprocessing`` pool: they inherit the
loaded taxonomy and the batch's documents without pickling them, the
parent starts no threads, and results come back over one pipe per child
in a fixed order, so a build is the same whatever the timing.

A child must never outlive its parent: it inherits the descriptor of the
index's write lock (a flock, :mod:`search.index.locks`) and the parent's stdout,
so a lingering child would keep the lock and the caller's pipes open after
the parent is killed.  On Linux the kernel kills each child when its parent
dies (``PR_SET_PDEATHSIG``); elsewhere :func:`can_fork` says no and the
caller works in one process.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import struct
import sys
import threading
import traceback
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_FRAME = struct.Struct("!Q")
_PR_SET_PDEATHSIG = 1


class ChildFailed(RuntimeError):
    """A forked child died or could not send its result."""


def can_fork() -> bool:
    """True when work may go to forked children: Linux, and no other thread running.

    Forking while another thread holds a lock (a web server's, a logger's)
    would leave the child with that lock taken forever, so a process with
    threads works alone.
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def _die_with_parent(parent: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _send(handle, value: object) -> None:
    try:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    except Exception:  # an unpicklable result or exception: send its text
        data = pickle.dumps(("error", ChildFailed(traceback.format_exc())), pickle.HIGHEST_PROTOCOL)
    handle.write(_FRAME.pack(len(data)))
    handle.write(data)
    handle.flush()


def _receive(handle) -> object:
    head = handle.read(_FRAME.size)
    if len(head) < _FRAME.size:
        raise ChildFailed("a worker process exited without sending its result")
    (size,) = _FRAME.unpack(head)
    data = handle.read(size)
    if len(data) < size:
        raise ChildFailed("a worker process exited while sending its result")
    return pickle.loads(data)


def _fork(work: Callable[[object], None]) -> tuple[int, object]:
    """Start a child that runs ``work(pipe)`` and exits; return (pid, the pipe's reading end)."""
    parent = os.getpid()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code
        status = 0
        try:
            os.close(read_fd)
            _die_with_parent(parent)
            with os.fdopen(write_fd, "wb") as pipe:
                work(pipe)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_fd)
    return pid, os.fdopen(read_fd, "rb")


def _reap(children: list[tuple[int, object]]) -> None:
    """Stop and wait for children that are still running; close their pipes."""
    for pid, pipe in children:
        pipe.close()
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _outcome(value: object):
    kind, payload = value
    if kind == "error":
        raise payload
    return payload


class ForkedJobs:
    """Jobs running in forked children, one each, started at once; :meth:`results` waits for them.

    The caller goes on with other work meanwhile: an index build reads the
    next batch while children write the last one (#5).  :meth:`stop` kills
    children whose results are no longer wanted.
    """

    def __init__(self, jobs: Sequence[Callable[[], R]]) -> None:
        self._children: list[tuple[int, object]] = []
        try:
            for job in jobs:
                self._children.append(_fork(_job_runner(job)))
        except BaseException:
            self.stop()
            raise

    def results(self) -> list:
        """Each job's result, in order of the jobs; a job's exception is raised here (the first, in job order)."""
        try:
            return [_outcome(_receive(pipe)) for _, pipe in self._children]
        finally:
            self.stop()

    def stop(self) -> None:
        children, self._children = self._children, []
        _reap(children)


def _job_runner(job: Callable[[], R]) -> Callable[[object], None]:
    def run(pipe) -> None:
        try:
            result = ("ok", job())
        except BaseException as error:
            result = ("error", error)
        _send(pipe, result)

    return run


def run_forked(jobs: Sequence[Callable[[], R]]) -> list[R]:
    """Run each job in its own forked child at once; their results, in order of ``jobs``.

    An exception in a job is raised here (the first, in job order).
    """
    return ForkedJobs(jobs).results()


def ordered_map(func: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """``map(func, items)`` computed by ``workers`` forked children, yielded in order.

    Child ``k`` computes items ``k``, ``k + workers``, ...; each result waits
    in its pipe until the parent reads it, so a child runs at most about one
    item ahead and memory stays bounded.  An exception ``func`` raises is
    raised here when its item's turn comes.  Closing the iterator early
    stops the children.
    """
    workers = max(1, min(workers, len(items)))

    def work(first: int) -> Callable[[object], None]:
        def run(pipe) -> None:
            for index in range(first, len(items), workers):
                try:
                    result = ("ok", func(items[index]))
                except BaseException as error:
                    result = ("error", error)
                _send(pipe, result)

        return run

    children: list[tuple[int, object]] = []
    try:
        for first in range(workers):
            children.append(_fork(work(first)))
        for index in range(len(items)):
            yield _outcome(_receive(children[index % workers][1]))
    finally:
        _reap(children)


__all__ = ["ChildFailed", "ForkedJobs", "can_fork", "ordered_map", "run_forked"]
