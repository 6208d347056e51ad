"""The index's write lock: one `sitrep index` at a time, released when its process dies.

Whoosh locks an index with ``fcntl.flock`` on the file ``MAIN_WRITELOCK`` in
the index directory (``whoosh/util/filelock.py``, ``FcntlLock``).  The file
stays behind after a run, but the lock does not: the kernel drops a flock
when the last descriptor of its holder closes, which includes a process
killed with SIGKILL.  So there is no stale lock to detect or clear
(``tests/test_concurrency.py::test_killed_writer_leaves_no_lock`` proves it).

`sitrep index` holds this same lock for its whole run, not only while one
Whoosh writer is open, because a run reads the list of indexed files before
it writes: a second run that slipped in between two commits of the first
would work from a stale list and add its files twice.  Writers opened during
the run skip Whoosh's own locking (``_lk=False``) since the run already holds
it.  A second run waits up to :data:`WAIT_S` seconds, saying once on stderr
"waiting for another sitrep index (pid N) ...", then stops with
:class:`~search.errors.IndexBusy` (exit status 1).  The holder's pid is
written to ``SITREP_WRITER`` for that message only; it is never trusted to
decide who holds the lock.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from whoosh.util.filelock import FileLock

from ..errors import IndexBusy

LOCK_FILE = "MAIN_WRITELOCK"  # Whoosh's name: f"{indexname}_WRITELOCK"
OWNER_FILE = "SITREP_WRITER"
WAIT_S = 10.0  # search.index passes its WRITER_TIMEOUT_S
POLL_S = 0.1

_log = logging.getLogger("sitrep")
# Directories whose lock this process holds: (holding thread, nesting depth).
_held: dict[str, tuple[int | None, int]] = {}
_held_guard = threading.Lock()


def _key(index_dir: str | Path) -> str:
    return os.path.realpath(str(index_dir))


def holds_lock(index_dir: str | Path) -> bool:
    """True when the calling thread holds the write lock of ``index_dir`` (see :func:`write_lock`)."""
    with _held_guard:
        return _held.get(_key(index_dir), (None, 0))[0] == threading.get_ident()


def lock_owner(index_dir: str | Path) -> int | None:
    """The pid last recorded as holding the lock of ``index_dir``, if that process is alive."""
    try:
        pid = int((Path(index_dir) / OWNER_FILE).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def try_lock(index_dir: str | Path) -> FileLock | None:
    """Take the lock of ``index_dir`` now, or return None when someone holds it."""
    lock = FileLock(os.path.join(str(index_dir), LOCK_FILE))
    try:
        return lock if lock.acquire(blocking=False) else None
    except FileNotFoundError:  # the directory is being swapped by a rebuild
        return None


def acquire(
    index_dir: str | Path,
    wait_s: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> FileLock:
    """Take the write lock of ``index_dir``, waiting up to ``wait_s`` seconds.

    :param on_wait: called once with "waiting for another sitrep index (pid N)..."
        when the lock is taken; logs a warning (shown on stderr) by default.
    :raises IndexBusy: the lock is still held after ``wait_s`` seconds.
    """
    wait_s = WAIT_S if wait_s is None else wait_s
    lock = try_lock(index_dir)
    if lock is None:
        pid = lock_owner(index_dir)
        who = f"pid {pid}" if pid else "pid unknown"
        if wait_s > 0:
            (on_wait or _log.warning)(
                f"waiting for another sitrep index ({who}) to finish with {index_dir}, up to {wait_s:g} s"
            )
        deadline = time.monotonic() + wait_s
        while lock is None and time.monotonic() < deadline:
            time.sleep(POLL_S)
            lock = try_lock(index_dir)
        if lock is None:
            raise IndexBusy(
                f"another `sitrep index` ({who}) is still writing {index_dir} after {wait_s:g} s; "
                "wait for it to finish and run again"
            )
    try:
        (Path(index_dir) / OWNER_FILE).write_text(f"{os.getpid()}\n")
    except OSError:
        pass
    return lock


@contextmanager
def write_lock(index_dir: str | Path, wait_s: float | None = None) -> Iterator[None]:
    """Hold the write lock of ``index_dir`` (created if missing) for a whole run.

    Re-entrant within one thread.  Writers that :func:`search.index._writer`
    opens meanwhile in this thread do not lock again; another thread or
    process waits as described in the module docstring.

    :raises IndexBusy: another writer keeps the lock past ``wait_s`` seconds.
    """
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    key = _key(index_dir)
    me = threading.get_ident()
    with _held_guard:
        nested = _held.get(key, (None, 0))[0] == me
        if nested:
            _held[key] = (me, _held[key][1] + 1)
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] = (me, _held[key][1] - 1)
        return
    taken = acquire(index_dir, wait_s)
    with _held_guard:
        _held[key] = (me, 1)
    try:
        yield
    finally:
        with _held_guard:
            _held.pop(key, None)
        taken.release()


__all__ = ["acquire", "holds_lock", "lock_owner", "try_lock", "write_lock", "WAIT_S"]
