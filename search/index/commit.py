"""Open a writer on the index, give it up after an error, and choose what a commit merges.

Shared by the incremental update (:mod:`search.index.update`) and the
rebuild (:mod:`search.index.rebuild`), which commit through the same writer.
"""

from __future__ import annotations

from whoosh.index import Index, LockError

from ..errors import IndexBusy
from .locks import WAIT_S, holds_lock
from .writer import SitrepWriter


def cancel_writer(writer) -> None:
    """Give up ``writer`` after an error without hiding that error.

    Whoosh's commit closes the writer itself when it fails, and cancelling a
    closed writer raised IndexingError("This writer is closed") in place of
    the error (an OSError for a full disk, #13); closing its files on a full
    disk can fail again.
    """
    if writer.is_closed:
        return
    try:
        writer.cancel()
    except Exception:
        pass


def open_writer(ix: Index, timeout: float = WAIT_S) -> SitrepWriter:
    """A writer on ``ix``, waiting up to ``timeout`` seconds for the write lock unless this process holds it.

    :raises IndexBusy: another process kept the lock for ``timeout`` seconds.
    """
    # update_index holds the index's write lock for its whole run (see
    # search/index/locks.py): its writers must not take the same lock a second time.
    if holds_lock(ix.storage.folder):
        return SitrepWriter(ix, _lk=False)
    try:
        return SitrepWriter(ix, timeout=timeout)
    except LockError:
        raise IndexBusy(
            "another `sitrep index` is writing this index; wait for it to finish and run again"
        ) from None


# A commit merges only tiny segments (a report or two each), once there
# are MERGE_AT_SEGMENTS of them, and never more than MERGE_MAX_DOCS
# documents: Whoosh's MERGE_SMALL would also merge large segments,
# rewriting hundreds of thousands of documents to add one report.  Merging
# costs about 1 ms a document, so adding a report stays well under a second.
SMALL_SEGMENT_DOCS = 100
MERGE_AT_SEGMENTS = 6
MERGE_MAX_DOCS = 600


def merge_small_segments(writer, segments: list) -> list:
    """A Whoosh merge policy: the segments to keep, after merging tiny ones into ``writer``.

    The smallest segments under :data:`SMALL_SEGMENT_DOCS` documents, up to
    :data:`MERGE_MAX_DOCS` documents in all, are merged when there are at
    least :data:`MERGE_AT_SEGMENTS` of them; larger segments wait for a
    rebuild.  A merged segment is usually past the tiny size, so it is
    rewritten at most a few times.
    """
    from whoosh.reading import SegmentReader

    tiny = sorted((s for s in segments if s.doc_count_all() < SMALL_SEGMENT_DOCS), key=lambda s: s.doc_count_all())
    chosen, total = [], 0
    for segment in tiny:
        total += segment.doc_count_all()
        if total > MERGE_MAX_DOCS:
            break
        chosen.append(segment)
    if len(chosen) < MERGE_AT_SEGMENTS:
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in chosen]


__all__ = ["cancel_writer", "merge_small_segments", "open_writer"]
