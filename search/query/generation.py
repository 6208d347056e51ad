"""One index generation open for reading: its searcher, facet postings, arrays and result order.

:class:`~search.query.reader.SearchIndex` opens one per committed generation
and closes it when no request holds it any more; :class:`ResultCache` keeps
the pages made from the newest one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh.index import Index
from whoosh.query import Query

from ..index import FACET_FIELDS
from ..sections import canonical_section
from .columns import ColumnNumbers, segment_column
from .facets import FacetPostings
from .ranking import (
    Matches, PostingsCache, QueryArrays, Unsupported, dated_documents, first_of_groups_ranked, top_documents,
)
from .results import SearchPage
from .spelling import SUGGEST_RATIO, SpellingCounts, SuggestionTerms
from .scoring import Bm25fParameters, Bm25fWeighting

DATE_FACETS = ("month", "day")


class _Generation:
    """One index generation: its searcher and the facet postings read from it."""

    def __init__(
        self, ix: Index, identity: tuple[str, int], parameters: Bm25fParameters,
        segment_cache: dict | None = None, postings_cache: PostingsCache | None = None,
        group_numbers: ColumnNumbers | None = None, spelling: SpellingCounts | None = None,
    ) -> None:
        self.identity = identity
        self._segment_cache = segment_cache
        self._group_numbers = group_numbers if group_numbers is not None else ColumnNumbers("dup_group")
        # Whoosh ranks with the same BM25F as the array path (search/query/scoring.py).
        self.weighting = Bm25fWeighting(parameters)
        self.searcher = ix.searcher(weighting=self.weighting)
        self.doc_count = self.searcher.reader().doc_count_all()
        self._facets: dict[str, FacetPostings] = {}
        self._groups = None
        self._ids: np.ndarray | None = None
        self._ordinals: dict[str, np.ndarray] = {}  # facet field -> each document's value as a number
        self._arrays: QueryArrays | None = None
        self._spelling = spelling if spelling is not None else SpellingCounts()
        self._suggestion_terms: SuggestionTerms | None = None
        self._suggestion_floor = 0
        self._postings_cache = postings_cache if postings_cache is not None else PostingsCache()
        self._lock = threading.Lock()
        # Requests reading this generation (SearchIndex._lease), and whether
        # a newer one replaced it: it closes when both say so.
        self.users = 0
        self.retired = False

    def arrays(self) -> QueryArrays:
        with self._lock:
            if self._arrays is None:
                self._arrays = QueryArrays(
                    self.searcher, self._postings_cache, lambda: self.facet("day"), self.weighting
                )
            return self._arrays

    def suggestion_terms(self, floor: int) -> SuggestionTerms:
        """The terms "did you mean" may suggest (in ``floor`` paragraphs or more), read once per generation.

        Warmed when the generation opens (:meth:`warm`), from the counts of
        the generation before (:class:`~search.query.spelling.SpellingCounts`).
        """
        with self._lock:
            if self._suggestion_terms is None or self._suggestion_floor != floor:
                self._suggestion_terms = self._spelling.terms(self.searcher.reader(), floor)
                self._suggestion_floor = floor
            return self._suggestion_terms

    def matches(self, query: Query) -> Matches | None:
        """The matches of ``query`` as arrays, or None when only Whoosh can evaluate it."""
        try:
            return self.arrays().matches(query)
        except Unsupported:
            return None

    def warm(self) -> None:
        """Read what every route needs: facet postings, field lengths, dates, reports, repeat groups and ids.

        Done when the generation opens, so its cost shows as opening the
        index (once per generation) rather than on whichever request
        happens to come first: collapsed results, for one, need each facet's
        postings ordered by repeat group (#17).
        """
        for name in (*FACET_FIELDS, *DATE_FACETS):
            self.facet(name)
        arrays = self.arrays()
        for fieldname in ("text", "title", "pairs"):
            arrays.lengths(fieldname)
        self.day_ordinals()
        self.reports()
        groups = self.groups()
        for name in (*FACET_FIELDS, *DATE_FACETS):
            self.facet(name).grouped_postings(groups)
            self.facet(name).by_document()
            self.facet(name).casefold_rank()
        # The first query with a rare word would otherwise read every term (1 s at 100k paragraphs).
        self.suggestion_terms(SUGGEST_RATIO)
        self.paragraph_ids()  # a paragraph's page and "more like this" find it by id

    def day_ordinals(self) -> np.ndarray:
        """Each document's report date as a sortable number (-1 when undated)."""
        return self._facet_ordinals("day")

    def _facet_ordinals(self, fieldname: str) -> np.ndarray:
        """Each document's value of a single-valued facet as a number, worked out once per generation."""
        postings = self.facet(fieldname)
        with self._lock:
            if fieldname not in self._ordinals:
                self._ordinals[fieldname] = postings.ordinals()
            return self._ordinals[fieldname]

    def facet(self, fieldname: str) -> FacetPostings:
        """The postings of one facet field, read once per generation."""
        with self._lock:
            if fieldname not in self._facets:
                self._facets[fieldname] = FacetPostings(
                    self.searcher.reader(), fieldname, self.doc_count, self._segment_cache
                )
            return self._facets[fieldname]

    def canonical(self, fieldname: str, value: str) -> str:
        """The indexed spelling of a facet value typed in any case.

        A section may also be typed as a report wrote its heading ("Key ISW
        takeaways as of December 14"): it is the canonical section ingest
        gave that heading ("Key Takeaways"), unless the heading is itself an
        indexed section.
        """
        facet = self.facet(fieldname)
        found = facet.canonical(value)
        if fieldname == "section" and found not in facet.index:
            # The same rule as ingest's, so the heading as written finds what
            # its paragraphs were filed under instead of nothing (#15).
            found = facet.canonical(canonical_section(value))
        return found

    def groups(self) -> np.ndarray:
        """Each document's repeat group as a number (:data:`~search.query.columns.NO_VALUE` for none).

        Read from the ``dup_group`` column, numbered per segment and kept
        across generations (:class:`~search.query.columns.ColumnNumbers`).
        """
        with self._lock:
            if self._groups is None:
                self._groups = self._group_numbers.numbers(self.searcher.reader())
            return self._groups

    def group_members(self, dup_group: str) -> np.ndarray:
        """Numbers of the live documents in the repeat group ``dup_group``, in index order."""
        number = self._group_numbers.number_of(dup_group.encode("utf-8"))
        if number is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero((self.groups() == number) & self.arrays().live)

    def document_number(self, paragraph_id: str) -> int | None:
        """The number of the live document with id ``paragraph_id`` (the first, should two share it), or None.

        Read from the ``id`` column (schema 8: ids have no terms), once per
        segment while it lives and once per generation for the whole.
        """
        found = np.flatnonzero((self.paragraph_ids() == paragraph_id.encode("utf-8")) & self.arrays().live)
        return int(found[0]) if found.size else None

    def paragraph_ids(self) -> np.ndarray:
        """Each document's id (UTF-8 bytes), deleted documents included."""
        with self._lock:
            if self._ids is None:
                leaves = self.searcher.reader().leaf_readers()
                parts = [segment_column(leaf, "id", self._segment_cache) for leaf, _ in leaves]
                self._ids = np.concatenate(parts) if parts else np.zeros(0, dtype="S1")
            return self._ids

    def reports(self) -> np.ndarray:
        """Each document's report as a number, for grouping hits by report."""
        return self._facet_ordinals("report_id")

    def group_count(self, matching: np.ndarray) -> int:
        """How many repeat groups the documents in the ``matching`` mask fall into."""
        found = self.groups()[matching]
        if not found.size:
            return 0
        # Marks in a table of the groups (NO_VALUE, -1, as one more), not
        # np.unique's sort: 3 ms for a common word's collapsed page at 100k.
        seen = np.zeros(int(found.max()) + 2, dtype=bool)
        seen[found + 1] = True
        return int(np.count_nonzero(seen))

    def ordered(self, matching: np.ndarray, scores: np.ndarray, order: str, limit: int | None, collapse: bool) -> np.ndarray:
        """Document numbers of ``matching`` in result order, at most ``limit``.

        ``order`` is "relevance" (score, then index order), "newest" or
        "oldest" (report date, then index order).  With ``collapse`` only
        the first document of each repeat group is kept.
        """
        candidates = np.flatnonzero(matching)
        if order == "relevance":
            def rank(bound: int | None) -> np.ndarray:
                return top_documents(scores, candidates, bound)
        else:
            def rank(bound: int | None) -> np.ndarray:
                return dated_documents(self.day_ordinals(), candidates, bound, newest=order == "newest")
        if collapse:
            return first_of_groups_ranked(rank, self.groups(), limit)
        return rank(limit)


class ResultCache:
    """The most recent result pages of one index generation, by request.

    People page back and forth, reload, and share links; a server answering
    the same request again within one generation returns the page it made
    (the pages are frozen dataclasses).  Keys begin with the generation's
    identity: the first request on a new generation empties the cache.
    """

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._pages: OrderedDict = OrderedDict()
        self._identity = None
        self._lock = threading.Lock()

    def get(self, key: tuple) -> SearchPage | None:
        with self._lock:
            if key[0] != self._identity:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: SearchPage) -> None:
        if not self.entries:
            return
        with self._lock:
            if key[0] != self._identity:
                self._pages.clear()
                self._identity = key[0]
            self._pages[key] = page
            while len(self._pages) > self.entries:
                self._pages.popitem(last=False)


__all__ = ["DATE_FACETS", "ResultCache"]
