"""The incremental update: read new and changed report files, write them in batches, commit in order.

Updates are incremental: each indexed file is remembered by its path and
content hash (the ``file_key`` field), so a run reads only new and changed
files and deletes the paragraphs of files that are gone.  Every change is
committed by Whoosh atomically; a file is either fully in a generation or not.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterable

from whoosh.index import Index
from whoosh.reading import SegmentReader

from ..config import Settings
from ..errors import DiskFull, IndexMissing, SitrepError
from ..ingest import (
    FileDraft,
    ParagraphDoc,
    SkipFile,
    file_hash,
    find_report_files,
    paragraph_docs,
    read_report_file,
    report_name,
    stored_path,
)
from ..taxonomy import Taxonomy, load_taxonomy
from .commit import cancel_writer, compaction_runs, merge_small_segments, open_writer
from .forking import ForkedJobs, can_fork, ordered_map
from .integrity import damage_of
from .locks import write_lock
from .neighbours import dated_neighbour
from .open import create_index, files_in_reader, latest_generation, open_index
from .rebuild import rebuild_beside
from .records import record_fields
from .recovery import disk_full_error, disk_full_message, remove_unfinished
from .repeats import RepeatGroups
from .writer import SitrepWriter

WRITER_TIMEOUT_S = 10.0


@dataclass
class IndexSummary:
    """What one `sitrep index` run did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    redated: int = 0  # unchanged files read again for a year that new dated reports may give
    paragraphs: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed by the CLI."""
        redated = f", {self.redated} re-dated" if self.redated else ""
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{len(self.skipped)} skipped, {self.unchanged} unchanged{redated}; "
            f"{self.paragraphs} paragraphs written"
        )


def _within(path: str, roots: list[Path]) -> bool:
    # Compared as strings: paths here are absolute and resolved, and an
    # update on a big index checks every indexed file (Path objects cost
    # 30 us each, 0.4 s at 15,000 files).
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in map(stored_path, roots))


BATCH_PARAGRAPHS = 20_000  # commit this often, so memory stays bounded on big runs


def update_index(
    settings: Settings,
    paths: Iterable[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
) -> IndexSummary:
    """Bring the index up to date with the report files under ``paths``.

    New and changed files (by content hash) are read and written; unchanged
    files are not touched; files that were indexed from under ``paths`` and
    no longer exist lose their paragraphs.  A file that cannot be read is
    skipped with its reason, and whatever it had in the index stays.

    Files are committed every :data:`BATCH_PARAGRAPHS` paragraphs, in order,
    each file whole within one commit (a batch is written while the next is
    read), so memory stays bounded and a run that is killed keeps what it
    committed.  Commits never rewrite large segments
    (:func:`merge_small_segments`), so a small update stays cheap on a big
    index.
    The whole run holds the index's write lock (a second run waits, then
    raises :class:`IndexBusy`; see :mod:`search.index.locks`).  A rebuild is
    written into a new directory beside the index; when complete it replaces
    the old index in one commit (or, after a schema change, by renaming the
    directories): until then readers see the old index, and a run killed
    meanwhile leaves the old index as it was.

    :param paths: files or directories; ``settings.reports`` when None.
    :param rebuild: start from an empty index (needed after a schema change).
    :param progress: wraps the list of files to read, e.g. a progress bar.
    :raises SchemaChanged: the index needs ``rebuild=True``.
    :raises IndexDamaged: a file of the index cannot be read (not raised
        with ``rebuild=True``, which never reads the old index).
    :raises DiskFull: the disk filled up; the files of the commit that
        failed are removed, and the index is as its last commit left it.
    :raises IndexBusy: another writer holds the lock.
    :raises TaxonomyError: the taxonomy or gazetteer cannot be read.
    """
    taxonomy = load_taxonomy(settings.taxonomy, settings.gazetteer)
    roots = [Path(p).resolve() for p in (paths if paths is not None else settings.reports)]
    files, missing = find_report_files(roots)
    summary = IndexSummary(skipped=[(stored_path(p), reason) for p, reason in missing])
    index_dir = Path(settings.index_dir)
    with write_lock(index_dir, WRITER_TIMEOUT_S), _rare_collections():
        generation = latest_generation(index_dir)
        try:
            if rebuild:
                rebuild_beside(index_dir, lambda ix: _update(ix, roots, files, taxonomy, summary, progress))
                return summary
            try:
                ix = open_index(index_dir, writing=True)
            except IndexMissing:
                ix = create_index(index_dir, writing=True)
            try:
                _update(ix, roots, files, taxonomy, summary, progress)
            finally:
                ix.close()
        except Exception as error:
            remove_unfinished(index_dir)
            full = disk_full_error(error)
            if full is not None:
                committed = latest_generation(index_dir) != generation
                raise DiskFull(disk_full_message(full, index_dir, rebuild, committed)) from None
            if not rebuild and not isinstance(error, SitrepError):
                damage = damage_of(index_dir, error)
                if damage is not None:
                    raise damage from error
            raise
    return summary


BUILD_GC_THRESHOLDS = (100_000, 50, 1000)


@contextmanager
def _rare_collections():
    """Use :data:`BUILD_GC_THRESHOLDS` inside the block, the caller's thresholds after it."""
    before = gc.get_threshold()
    gc.set_threshold(*BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _update(ix: Index, roots: list[Path], files: list[Path], taxonomy: Taxonomy, summary: IndexSummary, progress) -> None:
    with ix.searcher() as searcher:
        known = files_in_reader(searcher.reader())
        changed = _changed_files(files, known, summary)
        present = {stored_path(path) for path in files}
        gone = [path for path in known if _within(path, roots) and path not in present]
        waiting: list[FileDraft] = []
        processes = _processes(len(changed))
        groups = RepeatGroups(searcher)
        dated = False  # whether this run writes a report its own evidence dates
        try:
            with _Batches(ix, known, summary, groups, processes) as batches:
                batches.delete(gone)
                read = partial(_read_file, taxonomy=taxonomy, roots=[root.resolve() for root in roots])
                outcomes = ordered_map(read, changed, processes) if processes > 1 else map(read, changed)
                for path, (kind, *found) in zip(progress(changed) if progress else changed, outcomes):
                    if kind == "skipped":
                        summary.skipped.append((stored_path(path), found[0]))
                        continue
                    warnings, result = found
                    summary.warnings.extend((stored_path(path), warning) for warning in warnings)
                    if kind == "waiting":
                        waiting.append(result)
                    else:
                        dated = dated or any(doc.date is not None and not doc.date_inferred for doc in result)
                        batches.add(path, result)
            redating = _to_redate(ix, {stored_path(p) for p in changed} | set(gone), taxonomy, roots) if dated else []
            waiting += redating
            if waiting:
                # Dates without a year are completed from the most similar dated
                # report, which may be one just committed above: hence a later commit.
                with _Batches(ix, known, summary, groups, processes) as batches:
                    for draft in waiting:
                        try:
                            found = dated_neighbour(ix, draft.text(), exclude_path=stored_path(draft.path))
                            anchor, basis = found if found else (None, "")
                            docs = paragraph_docs(draft, taxonomy, anchor, basis)
                        except Exception as error:  # one file's bug must not stop the run (#13)
                            summary.skipped.append((stored_path(draft.path), _unexpected_reason(error)))
                            continue
                        redated = any(draft is r for r in redating)
                        if redated and sorted((d.date for d in docs if d.year_from), key=str) == draft.indexed_dates:
                            continue  # the new reports give it the year it has: nothing to write
                        batches.add(draft.path, docs, redated=redated)
        finally:
            groups.close()
    _compact(ix)


def _compact(ix: Index) -> None:
    """Merge the index's segments into a few when this run left too many (:func:`compaction_runs`).

    Each run of segments is merged by a forked child (one per core at a
    time) into one new segment; then one commit puts the new segments in
    place of the old, so readers see the old generation until then and a
    run killed meanwhile leaves it as it was.  A run of one segment is
    kept as it is (its deleted paragraphs go at the next rebuild).
    """
    segments = ix._segments()
    processes = _cores()
    runs = compaction_runs(segments, processes)
    if runs is None:
        return

    def merged(run: list) -> Callable[[], object]:
        def write():
            writer = SitrepWriter(ix, _lk=False)
            for segment in run:
                reader = SegmentReader(ix.storage, ix.schema, segment)
                try:
                    writer.add_reader(reader)
                finally:
                    reader.close()
            return writer.finish_segment()

        return write

    todo = [k for k, run in enumerate(runs) if len(run) > 1]
    jobs = [merged(runs[k]) for k in todo]
    results: list = []
    for start in range(0, len(jobs), processes):
        wave = jobs[start : start + processes]
        results += ForkedJobs(wave).results() if len(wave) > 1 else [job() for job in wave]
    replaced = dict(zip(todo, results))
    writer = open_writer(ix, WRITER_TIMEOUT_S)
    try:
        if [s.segment_id() for s in writer.segments] != [s.segment_id() for s in segments]:
            cancel_writer(writer)  # changed meanwhile (the lock makes that a bug): keep what is there
            return
        writer.add_segments([replaced.get(k, run[0]) for k, run in enumerate(runs)])
        writer.commit(mergetype=_replace_all)
    except BaseException:
        cancel_writer(writer)
        raise


def _replace_all(writer, segments: list) -> list:
    """A merge policy keeping none of the segments: the compaction's commit lists every segment itself."""
    return []


def _to_redate(ix: Index, read_now: set[str], taxonomy: Taxonomy, roots: list[Path]) -> list[FileDraft]:
    """Unchanged files whose year the corpus gave (or could not give), read again as drafts.

    A dated report this run wrote may now be the nearest to them; reading
    them again makes their years what one run over all files would give,
    whatever order the files came in.  A file that changed or went away
    since is left to its own run.
    """
    with ix.searcher() as searcher:
        reader = searcher.reader()
        dates: dict[str, list] = {}
        for value in (b"corpus", b"unknown"):
            if reader.doc_frequency("year_from", value):
                for number in reader.postings("year_from", value).all_ids():
                    if not reader.is_deleted(number):
                        stored = reader.stored_fields(number)
                        day = stored.get("date")
                        dates.setdefault(stored["path"], []).append(day.date() if day else None)
    drafts = []
    for path in sorted(set(dates) - read_now):
        try:
            draft = read_report_file(Path(path), taxonomy, report_name(Path(path), [r.resolve() for r in roots]))
        except Exception:  # gone or unreadable now: its next run says why
            continue
        if draft.needs_year:
            draft.indexed_dates = sorted(dates[path], key=str)
            drafts.append(draft)
    return drafts


def _read_file(path: Path, taxonomy: Taxonomy, roots: list[Path] | None = None) -> tuple:
    """One file's outcome: ("skipped", reason), ("waiting", warnings, draft) or ("read", warnings, docs).

    A draft that needs a year from the corpus waits for the first commit.
    Runs in a reading child when files are read in parallel, so what it
    returns is all that comes back to the parent.
    """
    try:
        draft = read_report_file(path, taxonomy, report_name(path, roots or []))
        if draft.needs_year:
            return ("waiting", draft.warnings, draft)
        return ("read", draft.warnings, paragraph_docs(draft, taxonomy))
    except SkipFile as reason:
        return ("skipped", str(reason))
    except Exception as error:  # a bug met in one file skips that file, not the run (#13)
        return ("skipped", _unexpected_reason(error))


def _unexpected_reason(error: Exception) -> str:
    """The skip reason for an error no reader expected: its type and message, to report as a bug."""
    return f"unexpected {type(error).__name__}: {error}"


# Parallel work: files are read by forked children, and a batch of at least
# FORK_MIN_PARAGRAPHS is written as one segment per process, each with a
# run of consecutive paragraphs (see search/index/forking.py).
FORK_MIN_FILES = 4
FORK_MIN_PARAGRAPHS = 2_000
MAX_PROCESSES = 4


def _processes(files: int) -> int:
    """How many processes read and write this run: one per core, when it is worth a fork."""
    return 1 if files < FORK_MIN_FILES else _cores()


def _cores() -> int:
    """How many processes may work at once: one per core (at most MAX_PROCESSES) where this system can fork."""
    return max(1, min(os.cpu_count() or 1, MAX_PROCESSES)) if can_fork() else 1


def _changed_files(files: list[Path], known: dict[str, str], summary: IndexSummary) -> list[Path]:
    changed = []
    for path in files:
        if stored_path(path) in known:
            try:
                if file_hash(path.read_bytes()) == known[stored_path(path)]:
                    summary.unchanged += 1
                    continue
            except OSError:
                pass
        changed.append(path)
    return changed


class _Batches:
    """Writes files into the index, committing every :data:`BATCH_PARAGRAPHS` paragraphs.

    A file's old paragraphs are deleted and its new ones added in the same
    commit, so each generation holds every file whole.  A batch's deletions
    and documents are kept until its commit.  With ``processes`` above one,
    forked children write a batch's documents, one segment each
    (:meth:`_start_writing`), while this process reads and groups the next
    batch; the batch is committed when they are done, before the next
    batch's children start, so commits follow the files in order.
    """

    def __init__(self, ix: Index, known: dict[str, str], summary: IndexSummary, groups: RepeatGroups,
                 processes: int = 1) -> None:
        self.ix = ix
        self.known = known
        self.summary = summary
        self.groups = groups
        self.processes = processes
        self.pending = 0
        self.deletions: list[str] = []  # this batch's paths whose old paragraphs go
        self.records: list[dict] = []  # this batch's documents
        self.writing: tuple[ForkedJobs, list[str]] | None = None  # the batch children are writing

    def delete(self, paths: list[str]) -> None:
        for path in paths:
            self._forget(path)
            self.summary.removed += 1

    def _forget(self, path: str) -> None:
        self.groups.forget_path(path)
        self.deletions.append(path)

    def add(self, path: Path, docs: list[ParagraphDoc], redated: bool = False) -> None:
        path = stored_path(path)
        if redated:
            self._forget(path)
            self.summary.redated += 1
        elif path in self.known:
            self._forget(path)
            self.summary.updated += 1
        else:
            self.summary.added += 1
        for doc in docs:
            # Groups are given in file order, whoever writes the documents.
            self.records.append(record_fields(doc, self.groups.group_of(doc)))
        self.summary.paragraphs += len(docs)
        self.pending += len(docs)
        if self.pending >= BATCH_PARAGRAPHS:
            self.commit()

    def commit(self) -> None:
        """End this batch: commit it now, or start children that write it and commit it later."""
        self._finish_writing()
        if not self.records and not self.deletions:
            return
        self.groups.end_batch()
        records, deletions = self.records, self.deletions
        self.records, self.deletions, self.pending = [], [], 0
        parts = min(self.processes, len(records) // (FORK_MIN_PARAGRAPHS // 2))
        if parts < 2:
            writer = open_writer(self.ix, WRITER_TIMEOUT_S)
            try:
                for path in deletions:
                    writer.delete_by_term("path", path)
                for fields in records:
                    writer.add_document(**fields)
                writer.commit(mergetype=merge_small_segments)
            except BaseException:
                cancel_writer(writer)
                raise
            return
        self.writing = (self._start_writing(records, parts), deletions)

    def _start_writing(self, records: list[dict], parts: int) -> ForkedJobs:
        """Children that write ``records`` as ``parts`` segments.

        Child ``k`` writes the ``k``-th run of consecutive documents as its
        own segment, and the commit lists the segments in that order, so
        document numbers follow the files as in a one-process build.
        """
        cuts = [len(records) * k // parts for k in range(parts + 1)]
        ix = self.ix

        def segment_of(run: list[dict]) -> Callable[[], object]:
            def write():
                writer = SitrepWriter(ix, _lk=False)
                for fields in run:
                    writer.add_document(**fields)
                return writer.finish_segment()

            return write

        return ForkedJobs([segment_of(records[cuts[k] : cuts[k + 1]]) for k in range(parts)])

    def _finish_writing(self) -> None:
        """Wait for the children writing the last batch and commit their segments."""
        if self.writing is None:
            return
        jobs, deletions = self.writing
        self.writing = None
        segments = jobs.results()
        writer = open_writer(self.ix, WRITER_TIMEOUT_S)
        try:
            for path in deletions:
                writer.delete_by_term("path", path)
            writer.add_segments(segments)
            writer.commit(mergetype=merge_small_segments)
        except BaseException:
            cancel_writer(writer)
            raise

    def __enter__(self) -> "_Batches":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.commit()
            self._finish_writing()
        elif self.writing is not None:
            if issubclass(kind, Exception):
                # The batch before the failure is whole: keep it, as when
                # each batch was committed before the next was read.
                try:
                    self._finish_writing()
                except Exception:
                    pass
            else:
                self.writing[0].stop()
            self.writing = None


__all__ = ["IndexSummary", "update_index"]
