"""Create, open and update the Whoosh index: the only module that writes it.

Updates are incremental: each indexed file is remembered by its path and
content hash (the ``file_key`` field), so a run reads only new and changed
files and deletes the paragraphs of files that are gone.  Every change is
committed by Whoosh atomically; a file is either fully in a generation or not.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import tempfile
import uuid
from array import array
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, Index, LockError
from whoosh.writing import CLEAR

from .config import Settings
from .errors import DiskFull, IndexBusy, IndexDamaged, IndexMissing, SchemaChanged, SitrepError
from .fingerprint import BANDS, ROWS, is_near, may_be_near
from .forking import ForkedJobs, can_fork, ordered_map
from .locks import holds_lock, try_lock, write_lock
from .storage import ThreadSafeFileStorage
from .ingest import (
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
from .schema import SCHEMA_VERSION, build_schema, schema_signature
from .taxonomy import Taxonomy, load_taxonomy
from .writer import SitrepWriter

VERSION_FILE = "SITREP_SCHEMA"
INDEX_NAME = "MAIN"  # Whoosh's default: segment files MAIN_<id>.seg, TOCs _MAIN_<generation>.toc
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


def _storage(index_dir: Path, writing: bool = False) -> FileStorage:
    # Without mmap, opening a searcher reads postings on demand instead of
    # copying the index into memory (0.3 ms and no extra memory at 100k docs).
    # Each thread reads with its own file positions: the web server shares
    # one searcher between request threads (see search/storage.py, #6).
    if not writing:
        return ThreadSafeFileStorage(str(index_dir), supports_mmap=False)
    # An update is one thread, and it keeps this run's paragraphs in memory
    # (RepeatGroups): it looks up in the index only what was there before
    # the run.  Not mapped either: Whoosh opens a segment of a mapped
    # compound file by copying its terms and postings into a BytesIO, so
    # each reader an update opened copied the whole index (2.9 s at 300k
    # paragraphs to add one report, #5).
    return FileStorage(str(index_dir), supports_mmap=False)


def open_index(index_dir: Path, *, writing: bool = False) -> Index:
    """Open the index in ``index_dir`` for reading or writing.

    :param writing: for :func:`update_index` only: a storage for one thread,
        not one searcher shared by many.

    :raises IndexMissing: no index there yet.
    :raises SchemaChanged: the index was built by a Sitrep with another schema.
    :raises IndexDamaged: the TOC or the schema file cannot be read (segments
        are opened later, by readers; see :mod:`search.integrity`).
    """
    from .integrity import file_problem, toc_damage  # search.integrity imports this module

    index_dir = Path(index_dir)
    recover_swap(index_dir)
    if not index_dir.is_dir() or not _has_toc(index_dir):
        raise IndexMissing(f"no index at {index_dir}; run `sitrep index` first")
    version_file = index_dir / VERSION_FILE
    problem = file_problem(version_file) if version_file.exists() or version_file.is_symlink() else None
    if problem:
        raise IndexDamaged(index_dir, VERSION_FILE, problem)
    version = version_file.read_text(errors="replace").split("\n", 1)[0].strip() if version_file.exists() else "?"
    try:
        ix = _storage(index_dir, writing).open_index()
    except Exception as error:  # Whoosh raises whatever the bytes of a bad TOC cause
        raise toc_damage(index_dir, error) from error
    if version != str(SCHEMA_VERSION) or schema_signature(ix.schema) != schema_signature(build_schema()):
        ix.close()
        raise SchemaChanged(
            f"the index at {index_dir} was built with another schema "
            + (f"(version {version}, this Sitrep uses {SCHEMA_VERSION})" if version != str(SCHEMA_VERSION)
               else "(its fields differ from this Sitrep's)")
            + "; run `sitrep index --rebuild`"
        )
    return ix


def _has_toc(index_dir: Path) -> bool:
    # Whoosh's exists_in() opens the index, so a damaged TOC would raise
    # there: whether a TOC exists is a question of file names only.
    return TOC._latest_generation(FileStorage(str(index_dir)), INDEX_NAME) >= 0


def create_index(index_dir: Path, *, writing: bool = False) -> Index:
    """Create an empty index in ``index_dir``, replacing whatever index is there.

    :param writing: as for :func:`open_index`.
    """
    index_dir = Path(index_dir)
    if index_dir.exists() and _has_toc(index_dir):
        for child in index_dir.iterdir():
            if child.name != ".gitkeep":
                child.unlink() if child.is_file() else shutil.rmtree(child)
    index_dir.mkdir(parents=True, exist_ok=True)
    # A fresh build token tells open readers that this is a new index even
    # when its generation number happens to equal the old one's.  It is
    # written before the index exists, so a run killed in between leaves
    # "no index" (created again next time), never an index with no schema file.
    (index_dir / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n{uuid.uuid4().hex}\n")
    return _storage(index_dir, writing).create_index(build_schema())


def index_identity(ix: Index, index_dir: Path) -> tuple[str, int]:
    """(build token, generation): changes whenever readers must reopen."""
    try:
        lines = (Path(index_dir) / VERSION_FILE).read_text().split("\n")
    except OSError:
        lines = []
    token = lines[1].strip() if len(lines) > 1 else ""
    try:
        generation = ix.latest_generation()
    except OSError:
        generation = -2
    return token, generation


def indexed_files(ix: Index) -> dict[str, str]:
    """Path -> content hash of every file that has paragraphs in the index."""
    with ix.reader() as reader:
        return _files_in(reader)


def _files_in(reader) -> dict[str, str]:
    # A deleted paragraph's terms stay in Whoosh's lexicon until its segment
    # is merged, so a file_key counts only while one of its paragraphs is
    # live: otherwise a deleted file was "removed" again by every run, and an
    # edited one kept its old hash when that sorted last (#13).
    files: dict[str, str] = {}
    for leaf, _ in reader.leaf_readers():
        deletions = leaf.has_deletions()
        for term in leaf.lexicon("file_key"):
            if deletions and all(leaf.is_deleted(n) for n in leaf.postings("file_key", term).all_ids()):
                continue
            digest, _, path = term.decode("utf-8").partition(" ")
            files[path] = digest
    return files


def record_fields(doc: ParagraphDoc, dup_group: str = "") -> dict:
    """A :class:`ParagraphDoc` as Whoosh field values."""
    fields = {
        "id": doc.id,
        "report_id": doc.report_id,
        "title": doc.title,
        "text": doc.text,
        "pairs": doc.text,
        "source": doc.source,
        "topic": ",".join(doc.topics),
        "place": ",".join(doc.places),
        "section": doc.section or "",
        "kind": doc.kind,
        "position": doc.position,
        "date_inferred": doc.date_inferred,
        "date_basis": doc.date_basis,
        "footnotes": [
            {"n": n, "text": note.text, "urls": list(note.urls)} if note else {"n": n, "text": "", "urls": []}
            for n in doc.footnotes
            for note in [next((e for e in doc.notes if e.number == n), None)]
        ],
        "heading": doc.heading or "",
        "label": doc.label or "",
        "cited": ",".join(doc.cited),
        "event_dates": [d.isoformat() for d in doc.event_dates],
        "url": doc.url or "",
        "fingerprint": doc.fingerprint,
        "bands": " ".join(doc.bands),
        "minhash": list(doc.signature),
        "dup_group": dup_group or doc.fingerprint,
        "path": doc.path,
        "file_hash": doc.file_hash,
        "file_key": f"{doc.file_hash} {doc.path}",
    }
    if doc.date is not None:
        fields["date"] = datetime(doc.date.year, doc.date.month, doc.date.day)
        fields["month"] = doc.date.strftime("%Y-%m")
        fields["day"] = doc.date.isoformat()
    if doc.event_dates:
        fields["event_date"] = [datetime(d.year, d.month, d.day) for d in doc.event_dates]
    if doc.year_from:
        fields["year_from"] = doc.year_from
    return fields


class RepeatGroups:
    """Gives each new paragraph the group of the paragraph it repeats.

    A paragraph joins the group of an indexed or earlier paragraph with the
    same normalised fingerprint, or else of one that shares a MinHash band
    and is a near-duplicate by word-pair Jaccard; otherwise it starts a
    group named by its own fingerprint.  Search collapses on the group.

    One instance serves a whole run.  Paragraphs indexed before the run are
    looked up in the index as it was when the run started (``searcher``);
    paragraphs of this run are kept in memory, compactly, for the whole
    run: looking them up in what the run committed meant reading postings
    and stored documents per candidate, a cost that grew with the index
    (#5).  A paragraph whose file this run deletes or replaces stops being
    a candidate as soon as that file comes up.
    """

    MAX_CANDIDATES = 10
    MIN_SHARED_BANDS = 1
    MAX_BAND_DOCS = 500  # a band this common is boilerplate, already caught by the fingerprint
    CACHE_ENTRIES = 50_000
    BATCH_ROWS = 1024  # first size of the batch's signature array

    def __init__(self, searcher=None) -> None:
        self._searcher = searcher
        self._reader = searcher.reader() if searcher is not None else None
        self._empty = self._reader is None or self._reader.doc_count_all() == 0
        self._leaves = self._reader.leaf_readers() if not self._empty else []
        self._deleted: set[int] = set()  # docnums of the index that this run deletes
        # Index lookups repeat (near-duplicates share bands and candidates):
        # each band's documents and each candidate's fields are read once.
        self._band_docs: dict[str, list[int]] = {}
        self._candidates: dict[int, tuple[tuple[int, ...], str, str | None]] = {}
        self._by_fingerprint: dict[str, str] = {}  # this run's and looked-up fingerprints -> group
        # This batch's paragraphs as (signature, text, group), band -> their
        # positions (array("I"): compact, and no garbage-collected objects),
        # and their signatures as rows of an array that grows by doubling,
        # so candidates are compared in one numpy operation (see _near_group).
        self._batch_docs: list[tuple[tuple[int, ...], str, str]] = []
        self._by_band: dict[str, array] = {}
        self._batch_signatures = _signature_rows(self.BATCH_ROWS)
        # Their bands as the 64-bit keys of self._keys, each with its paragraph's position.
        self._batch_keys = array("Q")
        self._batch_key_rows = array("I")
        # Earlier batches of this run: band keys sorted with their paragraphs'
        # run numbers, signatures and groups in memory, texts in a temporary
        # file (a million paragraphs: ~150 MB here, their texts on disk).
        self._keys = np.empty(0, dtype=np.uint64)
        self._docs = np.empty(0, dtype=np.uint32)
        self._signatures = np.empty((0, BANDS * ROWS), dtype=np.uint32)
        self._groups: list[str] = []
        self._offsets = array("Q", [0])
        self._texts = tempfile.TemporaryFile()

    def close(self) -> None:
        self._texts.close()

    def forget_path(self, path: str) -> None:
        """The index's paragraphs of ``path`` are being deleted: no longer candidates."""
        if self._empty or ("path", path) not in self._reader:
            return
        self._deleted.update(self._reader.postings("path", path).all_ids())

    def group_of(self, doc: ParagraphDoc) -> str:
        # Each band's list of this batch's paragraphs is looked up once, to
        # find candidates and then to add this paragraph: the dict is large
        # and each lookup is likely a cache miss.
        band_lists = [self._by_band.setdefault(band, array("I")) for band in doc.bands]
        band_keys = [_band_key(band) for band in doc.bands]
        group = self._by_fingerprint.get(doc.fingerprint)
        if group is None and not self._empty:
            group = self._indexed_group("fingerprint", doc.fingerprint)
        if group is None:
            group = self._near_group(doc, band_lists, band_keys)
        group = group or doc.fingerprint
        self._by_fingerprint.setdefault(doc.fingerprint, group)
        row = len(self._batch_docs)
        if row == len(self._batch_signatures):
            self._batch_signatures = np.concatenate([self._batch_signatures, _signature_rows(row)])
        self._batch_signatures[row] = doc.signature or 0  # zeros for no words, as in self._signatures
        self._batch_docs.append((doc.signature, doc.text, group))
        for positions in band_lists:
            positions.append(row)
        self._batch_keys.extend(band_keys)
        self._batch_key_rows.extend([row] * len(band_keys))
        return group

    def end_batch(self) -> None:
        """Move this batch's paragraphs into the run's sorted arrays.

        A batch's own paragraphs are candidates before earlier ones, as when
        earlier batches were read back from the committed index.
        """
        first = len(self._groups)
        texts = [text.encode("utf-8") for _, text, _ in self._batch_docs]
        self._groups += [group for _, _, group in self._batch_docs]
        self._texts.write(b"".join(texts))
        self._texts.flush()
        for data in texts:
            self._offsets.append(self._offsets[-1] + len(data))
        if self._batch_keys:
            keys = np.array(self._batch_keys, dtype=np.uint64)
            docs = np.array(self._batch_key_rows, dtype=np.uint32) + first
            order = np.lexsort((docs, keys))
            keys, docs = keys[order], docs[order]
            # Later paragraphs go after earlier ones with the same key, so
            # each key's paragraphs stay in run order.
            at = np.searchsorted(self._keys, keys, side="right")
            self._keys = np.insert(self._keys, at, keys)
            self._docs = np.insert(self._docs, at, docs)
        self._signatures = np.concatenate([self._signatures, self._batch_signatures[: len(self._batch_docs)]])
        self._batch_docs, self._by_band = [], {}
        self._batch_signatures = _signature_rows(self.BATCH_ROWS)
        self._batch_keys, self._batch_key_rows = array("Q"), array("I")

    def _indexed_group(self, fieldname: str, value: str) -> str | None:
        if (fieldname, value) not in self._reader:
            return None
        for docnum in self._reader.postings(fieldname, value).all_ids():
            if not self._reader.is_deleted(docnum) and docnum not in self._deleted:
                return self._searcher.stored_fields(docnum).get("dup_group")
        return None

    def _near_group(self, doc: ParagraphDoc, band_lists: list[array], band_keys: list[int]) -> str | None:
        """The group of a near-duplicate sharing a band, most shared bands first.

        With ten bands of three MinHash rows, a pair with word-pair Jaccard
        0.8 shares a band with probability 0.999 and one at 0.6 with 0.91,
        while chance collisions of common word pairs stay rare; each
        candidate's words are compared, so only the :data:`MAX_CANDIDATES`
        sharing the most bands are.  This batch's paragraphs come first,
        then this run's earlier ones, then the index's.

        Most paragraphs repeat nothing, and ranking their candidates cost
        more than anything else here.  So the signatures of all of this
        batch's candidates, then of all the earlier batches' ones, are
        compared first, each in one numpy operation, and their ranking is
        skipped when none passes :func:`may_be_near`: then no ranked
        candidate could.
        """
        if not doc.bands:
            return None
        signature = np.array(doc.signature, dtype=np.uint32)
        # Positions band by band (band_lists follow doc.bands), the order in
        # which most_common breaks ties.  Joined as bytes: common bands hold
        # thousands of positions, and no int object is made for each.
        positions = np.frombuffer(b"".join(band_lists), dtype=np.uintc)
        if len(positions) and _any_may_be_near(self._batch_signatures.take(positions, axis=0), signature):
            group = self._batch_group(doc, positions)
            if group is not None:
                return group
        numbers = self._run_candidates(band_keys)
        if len(numbers) and _any_may_be_near(self._signatures.take(numbers, axis=0), signature):
            group = self._run_group(doc, numbers, signature)
            if group is not None:
                return group
        return None if self._empty else self._indexed_near_group(doc)

    def _batch_group(self, doc: ParagraphDoc, positions: np.ndarray) -> str | None:
        """The group of a near-duplicate among this batch's ``positions``."""
        batch = Counter(positions.tolist())
        for index, shared in batch.most_common(self.MAX_CANDIDATES):
            if shared < self.MIN_SHARED_BANDS:
                break
            candidate, text, group = self._batch_docs[index]
            if may_be_near(doc.signature, candidate) and is_near(doc.text, text):
                return group
        return None

    def _run_candidates(self, band_keys: list[int]) -> np.ndarray:
        """This run's earlier paragraphs sharing a band, band by band, in run order within one."""
        if not len(self._keys):
            return _NO_NUMBERS
        keys = np.array(band_keys, dtype=np.uint64)
        starts = self._keys.searchsorted(keys, side="left")
        ends = self._keys.searchsorted(keys, side="right")
        runs = [self._docs[start:end] for start, end in zip(starts.tolist(), ends.tolist())
                if 0 < end - start <= self.MAX_BAND_DOCS]
        return np.concatenate(runs) if runs else _NO_NUMBERS

    def _run_group(self, doc: ParagraphDoc, numbers: np.ndarray, signature: np.ndarray) -> str | None:
        """The group of a near-duplicate among this run's earlier paragraphs ``numbers``."""
        found = Counter(numbers.tolist())
        best = [number for number, shared in found.most_common(self.MAX_CANDIDATES) if shared >= self.MIN_SHARED_BANDS]
        if not best:
            return None
        # may_be_near for the best candidates at once: half the signature's values equal.
        agree = (self._signatures[best] == signature).sum(axis=1) * 2 >= len(signature)
        for number, near in zip(best, agree.tolist()):
            if near and is_near(doc.text, self._text(number)):
                return self._groups[number]
        return None

    def _indexed_near_group(self, doc: ParagraphDoc) -> str | None:
        """The group of a near-duplicate among the paragraphs indexed before this run."""
        indexed: Counter[int] = Counter()
        for band in doc.bands:
            indexed.update(self._indexed_band(band))
        for docnum, shared in indexed.most_common(self.MAX_CANDIDATES):
            if shared < self.MIN_SHARED_BANDS:
                break
            if docnum in self._deleted:
                continue
            candidate, text, group = self._candidate(docnum)
            if may_be_near(doc.signature, candidate) and is_near(doc.text, text):
                return group
        return None

    def _text(self, number: int) -> str:
        start, end = self._offsets[number], self._offsets[number + 1]
        return os.pread(self._texts.fileno(), end - start, start).decode("utf-8")

    def _indexed_band(self, band: str) -> list[int]:
        """Indexed documents with this band, none when it is boilerplate (over MAX_BAND_DOCS)."""
        found = self._band_docs.get(band)
        if found is None:
            # Segment by segment: one term lookup where the band is absent
            # (most segments), instead of the multi-reader's two per segment
            # (frequency, then postings): an update costs less per segment.
            found = []
            for leaf, offset in self._leaves:
                if ("bands", band) in leaf:
                    found += [offset + docnum for docnum in leaf.postings("bands", band).all_ids()]
            if len(found) > self.MAX_BAND_DOCS:
                found = []
            if len(self._band_docs) >= self.CACHE_ENTRIES:
                self._band_docs.clear()
            self._band_docs[band] = found
        return found

    def _candidate(self, docnum: int) -> tuple[tuple[int, ...], str, str | None]:
        found = self._candidates.get(docnum)
        if found is None:
            fields = self._searcher.stored_fields(docnum)
            found = (tuple(fields.get("minhash") or ()), fields["text"], fields.get("dup_group"))
            if len(self._candidates) >= self.CACHE_ENTRIES:
                self._candidates.clear()
            self._candidates[docnum] = found
        return found


_NO_NUMBERS = np.empty(0, dtype=np.uint32)


def _signature_rows(count: int) -> np.ndarray:
    return np.zeros((count, BANDS * ROWS), dtype=np.uint32)


def _any_may_be_near(rows: np.ndarray, signature: np.ndarray) -> bool:
    """:func:`may_be_near` for any of the signatures ``rows``: half their values equal ``signature``'s."""
    # Counted as uint8 (at most BANDS * ROWS): numpy sums narrow integers faster.
    agree = (rows == signature).sum(axis=1, dtype=np.uint8)
    return int(agree.max()) * 2 >= len(signature)


# "b3" -> 3 << 48: a dict lookup costs a third of int("3"), for ten bands per paragraph.
_BAND_NUMBERS = {f"b{band}": band << 48 for band in range(BANDS)}


def _band_key(band: str) -> int:
    """A band term ``"b3:5f1c…"`` (48-bit hash) as one 64-bit integer."""
    number, _, digest = band.partition(":")
    return _BAND_NUMBERS[number] | int(digest, 16)


def _within(path: str, roots: list[Path]) -> bool:
    # Compared as strings: paths here are absolute and resolved, and an
    # update on a big index checks every indexed file (Path objects cost
    # 30 us each, 0.4 s at 15,000 files).
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in map(stored_path, roots))


def _cancel(writer) -> None:
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


def _writer(ix: Index):
    # update_index holds the index's write lock for its whole run (see
    # search/locks.py): its writers must not take the same lock a second time.
    if holds_lock(ix.storage.folder):
        return SitrepWriter(ix, _lk=False)
    try:
        return SitrepWriter(ix, timeout=WRITER_TIMEOUT_S)
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
    raises :class:`IndexBusy`; see :mod:`search.locks`).  A rebuild is
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
        generation = _latest_generation(index_dir)
        try:
            if rebuild:
                _rebuild(index_dir, lambda ix: _update(ix, roots, files, taxonomy, summary, progress))
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
            _remove_unfinished(index_dir)
            full = _disk_full(error)
            if full is not None:
                committed = _latest_generation(index_dir) != generation
                raise DiskFull(_disk_full_message(full, index_dir, rebuild, committed)) from None
            if not rebuild and not isinstance(error, SitrepError):
                from .integrity import damage_of  # search.integrity imports this module

                damage = damage_of(index_dir, error)
                if damage is not None:
                    raise damage from error
            raise
    return summary


def _latest_generation(index_dir: Path) -> int:
    """The number of the latest committed generation in ``index_dir`` (-1: none), from file names only."""
    return TOC._latest_generation(FileStorage(str(index_dir)), INDEX_NAME)


def _disk_full(error: BaseException) -> OSError | None:
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


def _disk_full_message(error: OSError, index_dir: Path, rebuild: bool, committed: bool) -> str:
    where = error.filename or index_dir
    again = "`sitrep index --rebuild`" if rebuild else "`sitrep index`"
    if committed:  # batches of a long run committed before the disk filled up
        return (f"no space left on device while writing {where}; the reports committed before that are kept: "
                f"free some space and run {again} again to index the rest")
    return f"no space left on device while writing {where}; nothing was changed (free some space and run {again} again)"


def _remove_unfinished(index_dir: Path) -> None:
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
# about 3% faster, with the same peak memory.
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


def _rebuild(index_dir: Path, fill: Callable[[Index], None]) -> None:
    """Build a new index with ``fill`` beside ``index_dir``, then put it in place.

    The caller holds the write lock of ``index_dir``.  With the same schema,
    the new segments are moved into the live index and committed with a merge
    policy that, like ``CLEAR``, drops every old segment: one atomic TOC
    rename replaces the old generation, so readers and a killed run see
    either the old generation or the new one (:func:`_adopt_segments`).
    After a schema change the old index cannot take the new documents, and
    the directories are swapped instead (:func:`_swap_in`); so is a damaged
    old index: a rebuild never needs to read the old one (:func:`_adoptable`).
    """
    _remove_leftovers(index_dir)
    target = index_dir.parent / f".{index_dir.name}.rebuild-{uuid.uuid4().hex[:8]}"
    built = current = None
    try:
        built = create_index(target, writing=True)
        with write_lock(target):
            fill(built)
        current = _adoptable(index_dir)
        if current is not None:
            try:
                _adopt_segments(built, current)
            finally:
                current.close()
    except BaseException:
        # Inside the try, create_index too: on a full disk it can fail
        # after making the directory (#13).
        if built is not None:
            built.close()
        shutil.rmtree(target, ignore_errors=True)
        raise
    built.close()
    if current is None:
        _swap_in(target, index_dir)
    else:
        shutil.rmtree(target, ignore_errors=True)


def _adoptable(index_dir: Path) -> Index | None:
    """The live index, open, when a rebuild can commit its segments into it; else None.

    Only a whole index of this schema qualifies (:func:`~search.integrity.check_index`
    without ``deep``: its TOC and every segment open).  A missing, older or
    damaged one is replaced by renaming directories, which reads none of its
    files, so damage never stops the rebuild that repairs it.
    """
    from .integrity import check_index  # search.integrity imports this module

    try:
        check_index(index_dir, deep=False)
        return open_index(index_dir)
    except (IndexMissing, SchemaChanged, IndexDamaged):
        return None


def _adopt_segments(built: Index, current: Index) -> None:
    """Make ``built``'s segments the whole of ``current`` in one commit.

    The segment files are moved (renamed, same file system) into
    ``current``'s directory, where nothing refers to them until the commit;
    the commit's merge policy then drops every old segment, like ``CLEAR``,
    and keeps only the moved ones.  Whoosh writes the TOC to a temporary
    file and renames it, so the switch is atomic.  Old segment files stay
    until Whoosh cleans them, so searchers of the old generation finish.
    (``writer.add_reader`` would copy instead, but it fails on column fields
    in whoosh3 3.54.0.)
    """
    segments = built._segments()
    source, destination = Path(built.storage.folder), Path(current.storage.folder)
    writer = _writer(current)
    try:
        for segment in segments:
            for name in segment.list_files(built.storage):
                os.rename(source / name, destination / name)

        def only_built(writer, old_segments):  # a Whoosh merge policy, as CLEAR
            return CLEAR(writer, old_segments) + list(segments)

        writer.commit(mergetype=only_built)
    except BaseException:
        _cancel(writer)
        raise


def _remove_leftovers(index_dir: Path) -> None:
    """Delete the rebuild and swap directories that killed runs left beside ``index_dir``.

    Only called under the index's write lock, so no other run is using them.
    """
    recover_swap(index_dir)
    if not index_dir.exists():
        return
    for pattern in (f".{index_dir.name}.rebuild-*", f".{index_dir.name}.old-*"):
        for leftover in index_dir.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def _update(ix: Index, roots: list[Path], files: list[Path], taxonomy: Taxonomy, summary: IndexSummary, progress) -> None:
    with ix.searcher() as searcher:
        known = _files_in(searcher.reader())
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
                from .query import dated_neighbour

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
# run of consecutive paragraphs (see search/forking.py).
FORK_MIN_FILES = 4
FORK_MIN_PARAGRAPHS = 2_000
MAX_PROCESSES = 4


def _processes(files: int) -> int:
    """How many processes read and write this run: one per core, when it is worth a fork."""
    if files < FORK_MIN_FILES or not can_fork():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_PROCESSES))


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
            writer = _writer(self.ix)
            try:
                for path in deletions:
                    writer.delete_by_term("path", path)
                for fields in records:
                    writer.add_document(**fields)
                writer.commit(mergetype=merge_small_segments)
            except BaseException:
                _cancel(writer)
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
        writer = _writer(self.ix)
        try:
            for path in deletions:
                writer.delete_by_term("path", path)
            writer.add_segments(segments)
            writer.commit(mergetype=merge_small_segments)
        except BaseException:
            _cancel(writer)
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


def _swap_in(built: Path, index_dir: Path) -> None:
    """Put the index built in ``built`` where ``index_dir`` is, keeping ``.gitkeep``.

    Two renames: the old index moves aside, the new one takes its place.  If
    the process dies between them, :func:`open_index` moves the old one back.
    """
    old = index_dir.parent / f".{index_dir.name}.old-{built.name.rsplit('-', 1)[-1]}"
    if (index_dir / ".gitkeep").exists():
        (built / ".gitkeep").touch()
    if index_dir.exists():
        os.rename(index_dir, old)
    os.rename(built, index_dir)
    shutil.rmtree(old, ignore_errors=True)


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


__all__ = ["IndexSummary", "create_index", "indexed_files", "open_index", "update_index"]
