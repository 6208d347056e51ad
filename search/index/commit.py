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


# A run that leaves more than COMPACT_AT_SEGMENTS segments has its smaller
# ones merged into as few as the cores allow, each at most COMPACT_MAX_DOCS
# documents: every query word is looked up and read once per segment, so a
# 100k build's 14 segments made a top 10 about 1.7 times as slow as 2 (#17).
# Segments of half that size or more are left alone, so adding reports to a
# large index never rewrites it whole.  A merged segment keeps its
# documents' stored fields in memory until it is written (about 2 KB a
# paragraph): the cap bounds that.
COMPACT_AT_SEGMENTS = 8
COMPACT_MAX_DOCS = 200_000


def compaction_runs(segments: list, processes: int) -> list[list] | None:
    """Consecutive runs of ``segments``, each to be merged into one; None when there are few enough.

    Runs keep the segments' order (document numbers follow the files).  A
    segment of at least half :data:`COMPACT_MAX_DOCS` live documents is a
    run of its own (kept as it is); each stretch of smaller ones between
    them is cut into runs of about equal numbers of live documents: at
    least ``processes`` runs in all, so each core merges one, and more
    where a run would pass :data:`COMPACT_MAX_DOCS`.
    """
    if len(segments) <= COMPACT_AT_SEGMENTS:
        return None
    live = [segment.doc_count() for segment in segments]
    large = [count >= COMPACT_MAX_DOCS // 2 for count in live]
    small_total = sum(count for count, big in zip(live, large) if not big)
    wanted = max(processes, -(-small_total // COMPACT_MAX_DOCS))
    runs: list[list] = []
    stretch: list[tuple] = []

    def cut(stretch: list[tuple]) -> None:
        total = sum(count for _, count in stretch)
        share = round(wanted * total / max(small_total, 1))  # this stretch's share of the runs
        parts = min(len(stretch), max(1, share, -(-total // COMPACT_MAX_DOCS)))
        cuts: list[list] = [[] for _ in range(parts)]
        before = 0
        for segment, count in stretch:
            # A segment goes to the run its middle document falls in.
            cuts[min(parts - 1, (before + count // 2) * parts // max(total, 1))].append(segment)
            before += count
        runs.extend(run for run in cuts if run)

    for segment, count, big in zip(segments, live, large):
        if big:
            if stretch:
                cut(stretch)
                stretch = []
            runs.append([segment])
        else:
            stretch.append((segment, count))
    if stretch:
        cut(stretch)
    return runs if len(runs) < len(segments) else None


__all__ = ["COMPACT_AT_SEGMENTS", "cancel_writer", "compaction_runs", "merge_small_segments", "open_writer"]
