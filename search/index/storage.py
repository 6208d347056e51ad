"""Whoosh file storage whose open files can be read by many threads at once.

A Whoosh reader opens each index file once and keeps one read position per
file: every matcher ``seek()``s, then ``read()``s.  The web server shares one
searcher per generation between its request threads, so two searches could
interleave their seeks and reads and get each other's bytes, which Whoosh
reports as ``CorruptIndexError`` ("invalid load key") or a wrong term: a 500
for about one request in five under four concurrent clients (#6,
``tests/test_concurrency.py``).  Here each thread has its own position in
every file, and bytes are read with ``os.pread`` at an absolute offset, so
no read depends on another thread's seek.  Single-threaded behaviour is
unchanged: Whoosh seeks before every read it relies on.
"""

from __future__ import annotations

import os
import threading

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


INDEX_NAME = "MAIN"  # Whoosh's default: segment files MAIN_<id>.seg, TOCs _MAIN_<generation>.toc
READ_AHEAD = 8192


class _PreadFile:
    """A read-only window ``[offset, offset + length)`` of a file, with a position per thread."""

    def __init__(self, fd: int, offset: int, length: int, owner: bool, root: "_PreadFile | None" = None) -> None:
        self._fd = fd
        self._offset = offset
        self._length = length
        self._owner = owner
        self._root = root or self
        self._local = threading.local()
        self.closed = False

    def tell(self) -> int:
        return getattr(self._local, "pos", 0)

    def seek(self, where: int, whence: int = 0) -> int:
        if whence == 1:
            where += self.tell()
        elif whence == 2:
            where += self._length
        self._local.pos = where
        return where

    def read(self, size: int | None = -1) -> bytes:
        pos = self.tell()
        available = max(0, self._length - pos)
        size = available if size is None or size < 0 else min(size, available)
        if self._root.closed:
            # The descriptor may already belong to another file: never read through it.
            raise ValueError("I/O operation on closed file")
        if not size:
            return b""
        local = self._local
        start = getattr(local, "buf_start", -1)
        buf = getattr(local, "buf", b"")
        if not (start <= pos and pos + size <= start + len(buf)):
            # Whoosh reads a few bytes at a time: fetch a block per system call,
            # as a buffered file would (index files never change once written).
            start, buf = pos, os.pread(self._fd, max(size, READ_AHEAD), self._offset + pos)
            buf = buf[: max(0, self._length - pos)]
            local.buf_start, local.buf = start, buf
        data = buf[pos - start : pos - start + size]
        local.pos = pos + len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        line = bytearray()
        while size is None or size < 0 or len(line) < size:
            chunk = self.read(64 if size is None or size < 0 else min(64, size - len(line)))
            if not chunk:
                break
            cut = chunk.find(b"\n")
            if cut >= 0:
                line += chunk[: cut + 1]
                self.seek(self.tell() - (len(chunk) - cut - 1))
                break
            line += chunk
        return bytes(line)

    def subset(self, offset: int, length: int) -> "_PreadFile":
        return _PreadFile(self._fd, self._offset + offset, length, owner=False, root=self._root)

    def close(self) -> None:
        if self._owner and not self.closed:
            os.close(self._fd)
        self.closed = True


class _SharedStructFile(StructFile):
    """A :class:`StructFile` whose sub-files (compound segment parts) keep per-thread positions too."""

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        return _SharedStructFile(self.file.subset(offset, length), name=name or self._name)


class ThreadSafeFileStorage(FileStorage):
    """:class:`FileStorage` whose files opened for reading are safe to share between threads.

    Needs ``supports_mmap=False`` (the mmap path wraps the file in a shared ``BytesIO``).
    """

    def open_file(self, name: str, **kwargs) -> StructFile:
        fd = os.open(self._fpath(name), os.O_RDONLY)
        return _SharedStructFile(_PreadFile(fd, 0, os.fstat(fd).st_size, owner=True), name=name, **kwargs)


__all__ = ["ThreadSafeFileStorage"]
