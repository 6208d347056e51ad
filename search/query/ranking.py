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
from ..index.postings import read_lengths, read_term_postings
from .relax import AllWordsFirst, tiered
from .scoring import Bm25fWeighting, normalised


class Unsupported(Exception):
    """The query has a part this module does not evaluate; use Whoosh's matchers."""


class Matches:
    """Which documents match (``mask``) and their scores (``scores``, zero elsewhere).

    The scores are worked out on first use, for the matching documents
    only: a page sorted by date, or a count, never needs them.
    """

    def __init__(self, mask: np.ndarray, scores_at: Callable[[np.ndarray, bool], np.ndarray]) -> None:
        self.mask = mask  # bool[doc_count]
        self._scores_at = scores_at
        self._scores: np.ndarray | None = None
        self._lock = threading.Lock()

    @property
    def scores(self) -> np.ndarray:
        """float32[doc_count]: each matching document's score, 0 elsewhere."""
        with self._lock:
            if self._scores is None:
                docs = np.flatnonzero(self.mask)
                scores = np.zeros(self.mask.size, dtype=np.float32)
                scores[docs] = self._scores_at(docs, True)
                self._scores = scores
            return self._scores


@dataclass(frozen=True)
class _Node:
    """One evaluated part of a query: its matches, and a function scoring any documents as that part scores them."""

    mask: np.ndarray
    # (document numbers, sorted; whether all of them are in ``mask``) -> float32 scores.
    # Knowing they all match spares a node the test of which do: a part of
    # an AND scores only documents the AND matched, a part of an OR any.
    scores_at: Callable[[np.ndarray, bool], np.ndarray]


def _zeros(docs: np.ndarray, inside: bool = False) -> np.ndarray:
    return np.zeros(docs.size, dtype=np.float32)


def _constant(mask: np.ndarray, docs: np.ndarray, inside: bool) -> np.ndarray:
    """1 for each of ``docs`` in ``mask``, else 0 (Whoosh's score of a filter or an exclusion)."""
    return np.ones(docs.size, dtype=np.float32) if inside else mask[docs].astype(np.float32)


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

    def peek(self, key) -> tuple[np.ndarray, np.ndarray] | None:
        """The entry for ``key`` if held (never reads it)."""
        with self._lock:
            return self._entries.get(key)

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
        self.frequencies = TermFrequencies(self)

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
    #
    # In two steps.  First every node of the query gets its mask of matches
    # (whole-array boolean operations); then, only when someone asks for
    # scores, each node scores just the documents the whole query matched.
    # The mask is what the total and every facet count need; the scores
    # only rank, and an AND of a rare and a common word matches a few
    # documents where the common word alone has tens of thousands of
    # postings to score.  The arithmetic is the same, element by element and
    # in the same order, as scoring every posting: the scores are identical.

    def matches(self, query: Query) -> Matches:
        """The live documents matching ``query``; their scores are worked out on first use.

        :raises Unsupported: the query has a part evaluated only by Whoosh.
        """
        node = self._node(query)
        return Matches(node.mask & self.live, node.scores_at)

    def _node(self, query: Query) -> "_Node":
        kind = type(query)
        if kind is Term:
            node = self._term(query)
        elif kind is And:
            node = self._and(query.subqueries)
        elif kind is Or:
            if query.minmatch or query.scale:
                raise Unsupported("Or with minmatch or scale")
            node = self._or(query.subqueries)
        elif kind is AllWordsFirst:
            node = self._all_words_first(query.subqueries)
        elif kind is AndMaybe:
            node = self._and_maybe(query.a, query.b)
        elif kind is Not:
            # Whoosh gives each document an exclusion lets through a score of 1
            # (and ignores the boost of an exclusion).
            inner = self._node(query.query)
            mask = ~inner.mask
            return _Node(mask, lambda docs, inside: _constant(mask, docs, inside))
        elif kind is Every and not query.fieldname:
            node = _Node(np.ones(self.doc_count, dtype=bool), _zeros)
        elif query is NullQuery or kind is type(NullQuery):
            node = _Node(np.zeros(self.doc_count, dtype=bool), _zeros)
        elif kind is DateRange:
            if query.fieldname == "date":
                mask = self._date_mask(query)
            else:
                # Event dates: few per paragraph and rarely filtered; Whoosh scans them.
                mask = np.zeros(self.doc_count, dtype=bool)
                mask[np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)] = True
            node = _Node(mask, lambda docs, inside: _constant(mask, docs, inside))  # a constant score, as Whoosh's
        elif isinstance(query, MultiTerm):
            # Wildcards and fuzzy terms: an OR of the words they stand for
            # (how many is capped before this, in search/limits.py).
            simplified = query.simplify(self.reader)
            if isinstance(simplified, MultiTerm):
                raise Unsupported(type(query).__name__)
            node = self._node(simplified)
        else:
            raise Unsupported(type(query).__name__)
        boost = getattr(query, "boost", 1.0)
        if boost != 1.0:
            unboosted = node.scores_at

            def boosted(docs: np.ndarray, inside: bool) -> np.ndarray:
                scores = unboosted(docs, inside)
                scores *= boost
                return scores

            node = _Node(node.mask, boosted)
        return node

    def _term(self, query: Term) -> "_Node":
        field = self.searcher.schema[query.fieldname] if query.fieldname in self.searcher.schema else None
        if field is None:
            return _Node(np.zeros(self.doc_count, dtype=bool), _zeros)
        ids, weights = self.postings(query.fieldname, query.text)
        mask = np.zeros(self.doc_count, dtype=bool)
        mask[ids] = True

        def scores_at(docs: np.ndarray, inside: bool) -> np.ndarray:
            if not ids.size or not docs.size:
                return np.zeros(docs.size, dtype=np.float32)
            # Where each document is among the postings (both in document
            # order): for many documents, from a running count of the mask,
            # one pass where a binary search per document cost seven times more.
            many = docs.size * 16 >= self.doc_count
            present = None
            if inside:
                at = np.cumsum(mask, dtype=np.int32)[docs] - 1 if many else np.searchsorted(ids, docs)
            elif many:
                present = mask[docs]
                at = np.cumsum(mask, dtype=np.int32)[docs[present]] - 1
            else:
                at = np.minimum(np.searchsorted(ids, docs), ids.size - 1)
                present = ids[at] == docs
                at = at[present]
            if field.scorable:
                found = self._bm25f(query.fieldname, query.text, ids[at], weights[at])
            else:
                found = weights[at]  # Whoosh scores unscorable fields by weight
            if present is None:
                return np.asarray(found, dtype=np.float32).copy() if found is weights else found.astype(np.float32, copy=False)
            scores = np.zeros(docs.size, dtype=np.float32)
            scores[present] = found
            return scores

        return _Node(mask, scores_at)

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

    def _and(self, subqueries: list[Query]) -> "_Node":
        if not subqueries:
            return _Node(np.zeros(self.doc_count, dtype=bool), _zeros)
        required = [self._node(q) for q in subqueries if type(q) is not Not]
        excluded = [self._node(q.query) for q in subqueries if type(q) is Not]
        mask = required[0].mask.copy() if required else np.ones(self.doc_count, dtype=bool)
        for node in required[1:]:
            mask &= node.mask
        for node in excluded:
            mask &= ~node.mask

        def scores_at(docs: np.ndarray, inside: bool) -> np.ndarray:
            # What this AND matched, each required part matched too.
            scores = required[0].scores_at(docs, inside) if required else np.zeros(docs.size, dtype=np.float32)
            for node in required[1:]:
                scores += node.scores_at(docs, inside)
            for _ in excluded:
                scores += 1.0  # as a lone Not
            if not inside:
                scores *= mask[docs]
            return scores

        return _Node(mask, scores_at)

    def _union(self, subqueries: list[Query]) -> tuple[list["_Node"], np.ndarray]:
        """The parts' nodes, and the mask of documents any of them matches."""
        nodes = [self._node(q) for q in subqueries]
        mask = np.zeros(self.doc_count, dtype=bool)
        for node in nodes:
            mask |= node.mask
        return nodes, mask

    def _or(self, subqueries: list[Query]) -> "_Node":
        nodes, mask = self._union(subqueries)

        def scores_at(docs: np.ndarray, inside: bool) -> np.ndarray:
            scores = np.zeros(docs.size, dtype=np.float32)
            for node in nodes:
                scores += node.scores_at(docs, False)
            return scores

        return _Node(mask, scores_at)

    def _and_maybe(self, required: Query, optional: Query) -> "_Node":
        first = self._node(required)
        second: list[_Node] = []  # the optional part, read only when scoring

        def scores_at(docs: np.ndarray, inside: bool) -> np.ndarray:
            if not second:
                second.append(self._node(optional))
            # The optional part only adds to the scores of what already matches.
            scores = first.scores_at(docs, inside)
            optional_scores = second[0].scores_at(docs, False)
            scores += optional_scores if inside else optional_scores * first.mask[docs]
            return scores

        return _Node(first.mask, scores_at)

    def _all_words_first(self, subqueries: list[Query]) -> "_Node":
        nodes, mask = self._union(subqueries)

        def scores_at(docs: np.ndarray, inside: bool) -> np.ndarray:
            counts = np.zeros(docs.size, dtype=np.int32)
            scores = np.zeros(docs.size, dtype=np.float64)
            for node in nodes:
                matched = node.mask[docs]
                counts += matched
                scores += node.scores_at(docs, False) * matched
            tiers = tiered(scores, counts == len(nodes))
            return (tiers if inside else tiers * mask[docs]).astype(np.float32)

        return _Node(mask, scores_at)

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


class TermFrequencies:
    """Document frequencies of one generation's terms, remembered, for rewriting names and "did you mean".

    A multi-segment reader looks a term up in every segment each time it
    is asked; the same few name forms ("Russia", "Russian") are asked about
    by query after query, and a word the query just matched has its
    postings in the cache already.  Counts include deleted documents, as
    the reader's own do.  Quacks like the reader for those two uses
    (``doc_count()``, ``doc_frequency(fieldname, text)``).
    """

    KEPT = 100_000  # terms remembered before starting afresh

    def __init__(self, arrays: "QueryArrays") -> None:
        self._arrays = arrays
        self._live = arrays.reader.doc_count()
        self._found: dict[tuple[str, object], int] = {}

    def doc_count(self) -> int:
        """Live documents in the generation."""
        return self._live

    def doc_frequency(self, fieldname: str, text) -> int:
        """How many documents (deleted ones included) hold ``text`` in ``fieldname``."""
        key = (fieldname, text)
        found = self._found.get(key)
        if found is None:
            found = self._from_cache(fieldname, text)
            if found is None:
                found = self._arrays.reader.doc_frequency(fieldname, text)
            if len(self._found) >= self.KEPT:
                self._found.clear()
            self._found[key] = found
        return found

    def _from_cache(self, fieldname: str, text) -> int | None:
        arrays = self._arrays
        if fieldname not in arrays.searcher.schema:
            return None
        btext = text if isinstance(text, bytes) else arrays.searcher.schema[fieldname].to_bytes(text)
        total = 0
        for _, _, segid in arrays.leaves:
            found = arrays.cache.peek((segid, fieldname, btext)) if segid is not None else None
            if found is None:
                return None
            total += found[0].size
        return total


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


def first_of_groups_ranked(
    rank: Callable[[int | None], np.ndarray], groups: np.ndarray, limit: int | None,
) -> np.ndarray:
    """The first ``limit`` documents of distinct groups, in rank order, ranking only as many as that needs.

    ``rank(n)`` gives the first ``n`` documents of the whole order (all for
    None).  The first documents of the first ``limit`` groups all lie in a
    prefix of the order holding ``limit`` groups, so a prefix four times
    the limit is ranked first, and a longer one only while it holds fewer
    groups: a page of a collapsed common word sorts hundreds of its tens of
    thousands of matches.
    """
    if limit is None:
        return first_of_groups(rank(None), groups)
    size = max(4 * limit, 64)
    while True:
        ranked = rank(size)
        firsts = first_of_groups(ranked, groups)
        if firsts.size >= limit or ranked.size < size:
            return firsts[:limit]
        size *= 4


__all__ = ["Matches", "PostingsCache", "QueryArrays", "TermFrequencies", "Unsupported", "dated_documents", "first_of_groups",
           "first_of_groups_ranked", "top_documents"]
