"""Near-duplicate grouping: each new paragraph joins the group of the paragraph it repeats.

One job, kept whole (about 330 lines): exact repeats by fingerprint, near
repeats by MinHash bands, looked up among this run's paragraphs and the
indexed ones (whose fingerprints and signatures are columns of their
segments, read into sorted numpy arrays once per run), with the caches
they share.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections import Counter

import numpy as np

from ..ingest.fingerprint import BANDS, ROWS, band_keys, is_near, may_be_near
from ..ingest import ParagraphDoc


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
        # The index's band keys, sorted with their documents, and its
        # signatures, read from the minhash columns when first needed
        # (see _load_index_bands); each candidate's fields are read once.
        self._index_keys: np.ndarray | None = None
        self._index_docs = _NO_NUMBERS
        self._signature_columns: list = []  # each segment's minhash column, for its candidates' signatures
        self._index_fingerprints = np.empty(0, dtype=np.uint64)  # sorted, with their documents
        self._fingerprint_docs = _NO_NUMBERS
        self._candidates: dict[int, tuple[str, str | None]] = {}
        self._by_fingerprint: dict[str, str] = {}  # this run's and looked-up fingerprints -> group
        # This batch's paragraphs as (signature, text, group), band -> their
        # positions (array("I"): compact, and no garbage-collected objects),
        # and their signatures as rows of an array that grows by doubling,
        # so candidates are compared in one numpy operation (see _near_group).
        self._batch_docs: list[tuple[tuple[int, ...], str, str]] = []
        self._by_band: dict[int, array] = {}
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
        keys = list(doc.bands)
        group = self._by_fingerprint.get(doc.fingerprint)
        if group is None and not self._empty:
            group = self._indexed_group(doc.fingerprint)
        if group is None:
            group = self._near_group(doc, band_lists, keys)
        group = group or doc.fingerprint
        self._by_fingerprint.setdefault(doc.fingerprint, group)
        row = len(self._batch_docs)
        if row == len(self._batch_signatures):
            self._batch_signatures = np.concatenate([self._batch_signatures, _signature_rows(row)])
        self._batch_signatures[row] = doc.signature or 0  # zeros for no words, as in self._signatures
        self._batch_docs.append((doc.signature, doc.text, group))
        for positions in band_lists:
            positions.append(row)
        self._batch_keys.extend(keys)
        self._batch_key_rows.extend([row] * len(keys))
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

    def _indexed_group(self, fingerprint: str) -> str | None:
        """The group of the first live indexed paragraph with this fingerprint."""
        if self._index_keys is None:
            self._load_index_bands()
        key = np.uint64(int(fingerprint, 16)) if fingerprint else None
        if key is None:
            return None
        start = int(self._index_fingerprints.searchsorted(key, side="left"))
        end = int(self._index_fingerprints.searchsorted(key, side="right"))
        for docnum in self._fingerprint_docs[start:end].tolist():
            if docnum not in self._deleted:
                return self._candidate(docnum)[1]
        return None

    def _near_group(self, doc: ParagraphDoc, band_lists: list[array], keys: list[int]) -> str | None:
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
        numbers = self._run_candidates(keys)
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

    def _run_candidates(self, wanted: list[int]) -> np.ndarray:
        """This run's earlier paragraphs sharing a band, band by band, in run order within one."""
        if not len(self._keys):
            return _NO_NUMBERS
        keys = np.array(wanted, dtype=np.uint64)
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
        if self._index_keys is None:
            self._load_index_bands()
        keys = np.array(doc.bands, dtype=np.uint64)
        starts = self._index_keys.searchsorted(keys, side="left").tolist()
        ends = self._index_keys.searchsorted(keys, side="right").tolist()
        # Band by band, each band's documents in index order, none for a
        # boilerplate band: the order in which most_common breaks ties.
        indexed = Counter(docnum for start, end in zip(starts, ends) if end - start <= self.MAX_BAND_DOCS
                          for docnum in self._index_docs[start:end].tolist())
        for docnum, shared in indexed.most_common(self.MAX_CANDIDATES):
            if shared < self.MIN_SHARED_BANDS:
                break
            if docnum in self._deleted:
                continue
            candidate = self._indexed_signature(docnum)
            if may_be_near(doc.signature, candidate):
                text, group = self._candidate(docnum)
                if is_near(doc.text, text):
                    return group
        return None

    def _load_index_bands(self) -> None:
        """Read the signatures of the index's live documents and sort their band keys.

        A tenth of a second at 100k paragraphs: the minhash columns are read
        whole, and the keys computed for all of them at once.
        """
        keys, docs, fingerprints, fingerprint_docs = [], [], [], []
        for leaf, offset in self._leaves:
            rows = _column_rows(leaf, "minhash", BANDS * ROWS, np.uint32)
            has_column = leaf.has_column("minhash")
            self._signature_columns.append((offset, leaf.column_reader("minhash", translate=False) if has_column else None))
            live = np.ones(len(rows), dtype=bool)
            if leaf.has_deletions():
                live[list(leaf.deleted_docs_set)] = False
            numbers = np.flatnonzero(live & rows.any(axis=1))  # zeros: no words, so no bands
            keys.append(band_keys(rows[numbers]).ravel())
            docs.append(np.repeat(numbers.astype(np.uint32) + np.uint32(offset), BANDS))
            numbers = np.flatnonzero(live)
            # Big-endian: the fingerprint's hex digits read as one number.
            fingerprints.append(_column_rows(leaf, "fingerprint_key", 1, ">u8")[numbers, 0].astype(np.uint64))
            fingerprint_docs.append(numbers.astype(np.uint32) + np.uint32(offset))
        self._index_keys = np.empty(0, dtype=np.uint64)
        if keys:
            # Documents come in index order: a stable sort of the keys alone
            # keeps each key's documents in that order (a lexsort needs more memory).
            all_keys = np.concatenate(keys)
            order = all_keys.argsort(kind="stable")
            self._index_keys, self._index_docs = all_keys[order], np.concatenate(docs)[order]
            all_keys = np.concatenate(fingerprints)
            order = all_keys.argsort(kind="stable")
            self._index_fingerprints, self._fingerprint_docs = all_keys[order], np.concatenate(fingerprint_docs)[order]

    def _indexed_signature(self, docnum: int) -> tuple[int, ...]:
        """The signature of an indexed paragraph, read from its segment's column (() for none)."""
        for offset, column in reversed(self._signature_columns):
            if docnum >= offset:
                if column is None:
                    return ()
                values = np.frombuffer(column[docnum - offset], dtype=np.uint32)
                return tuple(values.tolist()) if values.any() else ()
        return ()

    def _text(self, number: int) -> str:
        start, end = self._offsets[number], self._offsets[number + 1]
        return os.pread(self._texts.fileno(), end - start, start).decode("utf-8")

    def _candidate(self, docnum: int) -> tuple[str, str | None]:
        found = self._candidates.get(docnum)
        if found is None:
            fields = self._searcher.stored_fields(docnum)
            found = (fields["text"], fields.get("dup_group"))
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


def _column_rows(leaf, fieldname: str, width: int, dtype) -> np.ndarray:
    """A fixed-width column of one segment as ``(documents, width)`` numbers (zeros where none was written)."""
    count = leaf.doc_count_all()
    rows = np.zeros((count, width), dtype=dtype)
    if not leaf.has_column(fieldname):
        return rows
    column = leaf.column_reader(fieldname, translate=False)
    # FixedBytesColumn leaves out the default values after the last one
    # written: the bytes there are read at once, not a document at a time.
    written = min(column._count, count)
    if written:
        data = column._dbfile.get(column._basepos, written * column._fixedlen)
        rows[:written] = np.frombuffer(data, dtype=dtype).reshape(written, width)
    return rows


__all__ = ["RepeatGroups"]
