"""Clean up after a run that failed or was killed: unfinished commits, half-done swaps, a full disk.

Whoosh removes the files of a failed commit only at its next successful
one, and a rebuild killed between its two renames leaves the index aside;
these functions put the directory back in a state readers can open.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from .locks import try_lock
from .storage import INDEX_NAME


def disk_full_error(error: BaseException) -> OSError | None:
    """The "no space left" error behind ``error``, if any.

    Looked for along the chain of causes: a failed commit can be followed
    by another error while Whoosh closes its files.
    """
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return error
        error = error.__cause__ or error.__context__
    return None


def disk_full_message(error: OSError, index_dir: Path, rebuild: bool, committed: bool) -> str:
    where = error.filename or index_dir
    again = "`sitrep index --rebuild`" if rebuild else "`sitrep index`"
    if committed:  # batches of a long run committed before the disk filled up
        return (f"no space left on device while writing {where}; the reports committed before that are kept: "
                f"free some space and run {again} again to index the rest")
    return f"no space left on device while writing {where}; nothing was changed (free some space and run {again} again)"


def remove_unfinished(index_dir: Path) -> None:
    """Delete what a failed run left in ``index_dir`` that no commit refers to.

    Segment files the latest TOC does not list (a batch whose commit
    failed, its forked writers' segments, segments a rebuild had moved in),
    Whoosh's temporary folder and a TOC never renamed into place.  Whoosh
    removes such files only at its next successful commit, and on a full
    disk that never comes (#13).  Called under the write lock, so no writer
    is using them; old generations' files go as Whoosh's own commits remove
    them.  Never raises: the error that stopped the run is the one to report.
    """
    storage = FileStorage(str(index_dir))
    try:
        live = {segment.segment_id() for segment in TOC.read(storage, INDEX_NAME).segments}
    except Exception:  # no TOC, or one that cannot be read: leave the segment files alone
        live = None
    segment_file = TOC._segment_pattern(INDEX_NAME)
    for name in storage.list():
        path = index_dir / name
        found = segment_file.match(name)
        try:
            if name == f"{INDEX_NAME}.tmp":
                shutil.rmtree(path, ignore_errors=True)
            elif name.startswith(f"_{INDEX_NAME}_") and ".toc." in name:
                path.unlink()
            elif found and live is not None and found.group(1) not in live and path.is_file():
                path.unlink()
        except OSError:
            pass


# A build makes millions of small objects that live until their batch is
# written (records, postings).  With Python's default thresholds (700, 10,
# 10) the garbage collector walks them again and again.  During a build,
# and in the children it forks, collections are rarer: at 100k paragraphs


def remove_leftovers(index_dir: Path) -> None:
    """Delete the rebuild and swap directories that killed runs left beside ``index_dir``.

    Only called under the index's write lock, so no other run is using them.
    """
    recover_swap(index_dir)
    if not index_dir.exists():
        return
    for pattern in (f".{index_dir.name}.rebuild-*", f".{index_dir.name}.old-*"):
        for leftover in index_dir.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def recover_swap(index_dir: Path) -> None:
    """Finish or undo a rebuild swap that a killed run left half done."""
    index_dir = Path(index_dir)
    if index_dir.exists():
        return
    for old in sorted(index_dir.parent.glob(f".{index_dir.name}.old-*")):
        # The rebuild that moved it holds its lock until the swap is done: a
        # reader arriving between the two renames must not undo a live swap.
        lock = try_lock(old)
        if lock is None:
            return
        try:
            os.rename(old, index_dir)
        except OSError:
            pass
        finally:
            lock.release()
        return


__all__ = ["disk_full_error", "disk_full_message", "recover_swap", "remove_leftovers", "remove_unfinished"]
