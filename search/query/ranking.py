"""Match and rank a parsed query with array operations over cached postings.

Whoosh's matchers are pure Python: to count every match (the page shows the
total and facet counts over all matches) and to rank them, it visits each
posting one call at a time, 100-300 ms for a common word at 100k
paragraphs.  Here each term's postings are read once per segment, block by
block, into numpy arrays (document numbers and weights) and kept in a
bounded cache; a query is then evaluated as whole-array operations over
every document of the generation: a mask of the matches and their BM25F
scores, computed with the formulas, statistics and boosts of
:mod:`search.query.scoring`, which the searcher's weighting model uses too.

Only the query shapes Sitrep's parser produces are handled (terms, AND, OR,
NOT, AND-MAYBE, phrases turned into word pairs, wildcards and fuzzy terms
expanded to their words, date ranges, and the relaxed OR of a plain
question, :class:`~search.query.relax.AllWordsFirst`).  Anything else raises
:class:`Unsupported`, and the caller falls back to Whoosh's own matchers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import numpy as np
from whoosh.query import (
    And,
    AndMaybe,
    DateRange,
    Every,
    Not,
    NullQuery,
    Or,
    Query,
    Term,
)
from whoosh.query.terms import MultiTerm

from .facets import FacetPostings, segment_id
from .postings import read_lengths, read_term_postings
from .relax import AllWordsFirst, tiered
from .scoring import Bm25fWeighting, normalised


class Unsupported(Exception):
    """The query has a part this module does not evaluate; use Whoosh's matchers."""


@dataclass
class Matches:
    """Which documents match (``mask``) and their scores (zero elsewhere)."""

    mask: np.ndarray  # bool[doc_count]
    scores: np.ndarray  # float32[doc_count]


class PostingsCache:
    """Per-segment postings of recently used terms, bounded by bytes.

    Keyed by segment id: a segment never changes once written (deletions
    are applied from the generation's live mask, not baked in here), so
    entries stay valid across index generations until the segment is merged
    away.  Thread-safe: request threads share it.
    """

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key, load: Callable[[], tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = load()
        size = found[0].nbytes + found[1].nbytes
        with self._lock:
            if key not in self._entries and size <= self.max_bytes:
                self._entries[key] = found
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, (ids, weights) = self._entries.popitem(last=False)
                    self._bytes -= ids.nbytes + weights.nbytes
        return found

    @property
    def bytes(self) -> int:
        """The bytes of postings held."""
        return self._bytes

    def forget_segments(self, live: set) -> None:
        """Drop the entries of segments no longer in the index."""
        with self._lock:
            for key in [key for key in self._entries if key[0] not in live]:
                ids, weights = self._entries.pop(key)
                self._bytes -= ids.nbytes + weights.nbytes


class QueryArrays:
    """Evaluates queries over one index generation (one searcher).

    :param day_facet: the generation's ``day`` facet, for date ranges on
        ``date`` (one slice of its postings instead of a numeric range scan).
    :param weighting: the searcher's weighting model, whose statistics and
        parameters the scores here use.
    """

    def __init__(
        self, searcher, cache: PostingsCache, day_facet: Callable[[], FacetPostings], weighting: Bm25fWeighting,
    ) -> None:
        self.searcher = searcher
        self.weighting = weighting
        self.reader = searcher.reader()
        self.cache = cache
        self._day_facet = day_facet
        self.leaves = [(leaf, offset, segment_id(leaf)) for leaf, offset in self._leaf_readers()]
        self.doc_count = self.reader.doc_count_all()
        self.live = np.ones(self.doc_count, dtype=bool)
        for leaf, offset, _ in self.leaves:
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
                self.live[deleted + offset] = False
        self._lengths: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _leaf_readers(self):
        if hasattr(self.reader, "leaf_readers"):
            return self.reader.leaf_readers()
        return [(self.reader, 0)]

    # -- inputs ----------------------------------------------------------------

    def postings(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """A term's (document numbers, weights) over the whole generation, deleted documents included."""
        btext = text if isinstance(text, bytes) else self.searcher.schema[fieldname].to_bytes(text)
        ids, weights = [], []
        for leaf, offset, segid in self.leaves:
            if segid is None:
                found = read_term_postings(leaf, fieldname, btext)
            else:
                found = self.cache.get((segid, fieldname, btext), lambda: read_term_postings(leaf, fieldname, btext))
            if found[0].size:
                ids.append(found[0].astype(np.int64) + offset)
                weights.append(found[1])
        if not ids:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return np.concatenate(ids), np.concatenate(weights)

    def lengths(self, fieldname: str) -> np.ndarray:
        with self._lock:
            if fieldname not in self._lengths:
                parts = [read_lengths(leaf, fieldname) for leaf, _, _ in self.leaves]
                self._lengths[fieldname] = np.concatenate(parts) if parts else np.zeros(0, np.float32)
            return self._lengths[fieldname]

    # -- evaluation ------------------------------------------------------------

    def matches(self, query: Query) -> Matches:
        """The live documents matching ``query`` and their scores.

        :raises Unsupported: the query has a part evaluated only by Whoosh.
        """
        found = self._evaluate(query)
        found.mask &= self.live
        return found

    def _empty(self) -> Matches:
        return Matches(np.zeros(self.doc_count, dtype=bool), np.zeros(self.doc_count, dtype=np.float32))

    def _evaluate(self, query: Query) -> Matches:
        kind = type(query)
        if kind is Term:
            found = self._term(query)
        elif kind is And:
            found = self._and(query.subqueries)
        elif kind is Or:
            if query.minmatch or query.scale:
                raise Unsupported("Or with minmatch or scale")
            found = self._or(query.subqueries)
        elif kind is AllWordsFirst:
            found = self._all_words_first(query.subqueries)
        elif kind is AndMaybe:
            found = self._evaluate(query.a)
            # The optional part only adds to the scores of what already matches.
            found.scores += self._evaluate(query.b).scores * found.mask
        elif kind is Not:
            # Whoosh gives each document an exclusion lets through a score of 1.
            inner = self._evaluate(query.query)
            found = Matches(~inner.mask, (~inner.mask).astype(np.float32))
        elif kind is Every and not query.fieldname:
            found = Matches(np.ones(self.doc_count, dtype=bool), np.zeros(self.doc_count, dtype=np.float32))
        elif query is NullQuery or kind is type(NullQuery):
            found = self._empty()
        elif kind is DateRange and query.fieldname == "date":
            mask = self._date_mask(query)
            found = Matches(mask, mask.astype(np.float32))  # a constant score, as Whoosh's
        elif kind is DateRange:
            # Event dates: few per paragraph and rarely filtered; Whoosh scans them.
            mask = np.zeros(self.doc_count, dtype=bool)
            ids = np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)
            mask[ids] = True
            found = Matches(mask, mask.astype(np.float32))
        elif isinstance(query, MultiTerm):
            # Wildcards and fuzzy terms: an OR of the words they stand for
            # (how many is capped before this, in search/limits.py).
            simplified = query.simplify(self.reader)
            if isinstance(simplified, MultiTerm):
                raise Unsupported(type(query).__name__)
            found = self._evaluate(simplified)
        else:
            raise Unsupported(type(query).__name__)
        boost = getattr(query, "boost", 1.0)
        if boost != 1.0 and kind is not Not:  # Whoosh ignores the boost of an exclusion
            found.scores *= boost
        return found

    def _term(self, query: Term) -> Matches:
        found = self._empty()
        field = self.searcher.schema[query.fieldname] if query.fieldname in self.searcher.schema else None
        if field is None:
            return found
        ids, weights = self.postings(query.fieldname, query.text)
        if not ids.size:
            return found
        found.mask[ids] = True
        if field.scorable:
            found.scores[ids] = self._bm25f(query.fieldname, query.text, ids, weights)
        else:
            found.scores[ids] = weights  # Whoosh scores unscorable fields by weight
        return found

    def _bm25f(self, fieldname: str, text, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The BM25F scores of the documents ``ids`` whose ``fieldname`` holds the word (weights: its frequencies)."""
        parameters = self.weighting.parameters
        own, *others = parameters.fields_for(fieldname)
        tf = normalised(own, weights, self.lengths(own.name)[ids], self.weighting.average_length(self.searcher, own.name))
        for other in others:
            if other.name not in self.searcher.schema:
                continue
            other_ids, other_weights = self.postings(other.name, text)
            if not other_ids.size:
                continue
            # Both lists are in document order: find which of ``ids`` the other field has.
            at = np.minimum(np.searchsorted(other_ids, ids), other_ids.size - 1)
            present = other_ids[at] == ids
            other_tf = np.where(present, other_weights[at], 0)
            average = self.weighting.average_length(self.searcher, other.name)
            tf = tf + normalised(other, other_tf, self.lengths(other.name)[ids], average)
        return parameters.saturate(self.searcher.idf(fieldname, text), tf)

    def _and(self, subqueries: list[Query]) -> Matches:
        if not subqueries:
            return self._empty()
        required = [q for q in subqueries if type(q) is not Not]
        excluded = [q.query for q in subqueries if type(q) is Not]
        if not required:
            found = Matches(np.ones(self.doc_count, dtype=bool), np.zeros(self.doc_count, dtype=np.float32))
        else:
            found = self._evaluate(required[0])
            for query in required[1:]:
                other = self._evaluate(query)
                found.mask &= other.mask
                found.scores += other.scores
        for query in excluded:
            found.mask &= ~self._evaluate(query).mask
            found.scores += 1.0  # as a lone Not above
        found.scores *= found.mask
        return found

    def _or(self, subqueries: list[Query]) -> Matches:
        found = self._empty()
        for query in subqueries:
            other = self._evaluate(query)
            found.mask |= other.mask
            found.scores += other.scores
        return found

    def _all_words_first(self, subqueries: list[Query]) -> Matches:
        counts = np.zeros(self.doc_count, dtype=np.int32)
        scores = np.zeros(self.doc_count, dtype=np.float64)
        for subquery in subqueries:
            other = self._evaluate(subquery)
            counts += other.mask
            scores += other.scores * other.mask
        mask = counts > 0
        return Matches(mask, (tiered(scores, counts == len(subqueries)) * mask).astype(np.float32))

    def _date_mask(self, query: DateRange) -> np.ndarray:
        facet = self._day_facet()
        low = _day(query.startdate) if query.startdate is not None else None
        high = _day(query.enddate) if query.enddate is not None else None
        values = facet.values  # ISO days, so sorted by date
        first = 0 if low is None else int(np.searchsorted(values, low, side="right" if query.startexcl else "left"))
        last = len(values) if high is None else int(np.searchsorted(values, high, side="left" if query.endexcl else "right"))
        mask = np.zeros(self.doc_count, dtype=bool)
        if first < last:
            mask[facet.postings[facet.offsets[first] : facet.offsets[last]]] = True
        return mask


def _day(moment) -> str:
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def top_documents(scores: np.ndarray, candidates: np.ndarray, limit: int | None) -> np.ndarray:
    """``candidates`` ordered by score, highest first, ties by document number; at most ``limit``.

    Partitions first, so ranking a page from 400k matches sorts only the
    few that can be on it.
    """
    if limit is not None and candidates.size > limit:
        values = scores[candidates]
        threshold = np.partition(values, candidates.size - limit)[candidates.size - limit]
        candidates = candidates[values >= threshold]
    values = scores[candidates]
    order = np.lexsort((candidates, -values))
    ordered = candidates[order]
    return ordered if limit is None else ordered[:limit]


def dated_documents(day_ordinals: np.ndarray, candidates: np.ndarray, limit: int | None, newest: bool) -> np.ndarray:
    """``candidates`` by report date (newest or oldest first), undated last, then in index order."""
    keys = day_ordinals[candidates].astype(np.int64)
    undated = keys < 0
    keys = np.where(undated, np.iinfo(np.int64).max, -keys if newest else keys)
    if limit is not None and candidates.size > limit:
        threshold = np.partition(keys, limit - 1)[limit - 1]
        keep = keys <= threshold
        candidates, keys = candidates[keep], keys[keep]
    ordered = candidates[np.lexsort((candidates, keys))]
    return ordered if limit is None else ordered[:limit]


def first_of_groups(ordered: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Of documents in rank order, the first of each group, still in rank order."""
    _, first = np.unique(groups[ordered], return_index=True)
    return ordered[np.sort(first)]


__all__ = ["Matches", "PostingsCache", "QueryArrays", "Unsupported", "dated_documents", "first_of_groups", "top_documents"]
