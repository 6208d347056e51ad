"""The reader of one index directory: a searcher per generation, reopened when a new one lands.

:class:`SearchIndex` is the query stage's one entry point.  It opens each
committed generation once (reopening, never ``refresh()``ing, which returns
stale or duplicate hits after a delete in every Whoosh fork), lends it to
each request for the request's whole length (leases), closes a replaced one
when its last request ends, and caches result pages per generation.  The
work of each request is done in :mod:`~search.query.plan`,
:mod:`~search.query.pages`, :mod:`~search.query.similar` and
:mod:`~search.query.suggest`.
"""

from __future__ import annotations

import html
import heapq
import threading
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from whoosh.index import Index

from ..config import Settings
from ..errors import BadInput, ParagraphNotFound, SitrepError
from ..index import explain_damage, index_identity, open_index
from ..taxonomy import load_taxonomy
from .columns import ColumnNumbers
from .spelling import SpellingCounts
from .facets import segment_id
from .generation import ResultCache, _Generation
from .grouping import check_grouping
from .pages import hit_numbers, report_page, result_page
from .plan import Plan, build_plan
from .ranking import PostingsCache
from .request_checks import MAX_DEPTH, check_paging
from .results import Hit, Report, SearchPage, hit_from_fields
from .scoring import Bm25fParameters
from .similar import more_like
from .suggest import did_you_mean
from .timeline import check_interval

WARM_TERMS = 5_000  # most common words considered for SearchIndex.warm


class SearchIndex:
    """Reads one index directory, reopening its searcher when a new generation lands.

    Thread-safe: the web server shares one instance between requests.  Each
    request holds the generation it started on (:meth:`_lease`), so it
    finishes on one searcher however many generations land meanwhile (a
    long export during a rebuild sees several).  A replaced generation is
    closed when its last request ends; the previous one stays open for
    callers of :meth:`generation`, which hold nothing.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The gazetteer maps any spelling of a place ("Kiev") to the name
        # the index holds ("Kyiv"), so filters accept every spelling.
        self.taxonomy = load_taxonomy(settings.taxonomy, settings.gazetteer)
        # Re-entrant: dropped hits give their generation back from __del__,
        # which the garbage collector may run while this thread holds the lock.
        self._lock = threading.RLock()
        self._ix: Index | None = None
        self._current: _Generation | None = None
        self._pending: tuple[str, int] | None = None  # the generation warm() is opening, if any
        self._previous: _Generation | None = None
        # (segment id, facet field) -> postings: segments outlive generations.
        self._segment_cache: dict = {}
        self._group_numbers = ColumnNumbers("dup_group")  # repeat groups, numbered once per segment
        self._spelling = SpellingCounts()  # "did you mean" words, counted once per segment
        self._postings_cache = PostingsCache(settings.postings_cache_mb * 1024 * 1024)
        self._pages = ResultCache(settings.result_cache)
        self._bm25f = Bm25fParameters.from_settings(settings)

    def generation(self) -> _Generation:
        """The searcher for the newest committed generation.

        :raises IndexMissing: there is no index yet.
        :raises SchemaChanged: the index needs a rebuild.
        :raises IndexDamaged: a file of the index cannot be read (see search/index/integrity.py).
        """
        with self._lock:
            return self._latest()

    def _latest(self) -> _Generation:
        # Called with self._lock held.
        with explain_damage(self.settings.index_dir):
            return self._open_latest()

    def _open_latest(self) -> _Generation:
        # Called with self._lock held.
        if self._ix is None:
            self._ix = open_index(self.settings.index_dir)
        latest = index_identity(self._ix, self.settings.index_dir)
        if self._current is not None and latest in (self._current.identity, self._pending):
            # The newest, or being opened by warm() in another thread: answer
            # from this one meanwhile rather than open it twice.
            return self._current
        gen = self._new_generation(latest)
        gen.warm()
        self._install(gen)
        return gen

    def _new_generation(self, identity: tuple[str, int]) -> _Generation:
        """A generation for the index's ``identity``, not yet warmed (with self._lock held)."""
        # Re-open the index too: a rebuild may have replaced it entirely.
        self._ix.close()
        self._ix = open_index(self.settings.index_dir)
        return _Generation(
            self._ix, identity, self._bm25f, self._segment_cache, self._postings_cache, self._group_numbers,
            self._spelling,
        )

    def _install(self, gen: _Generation) -> None:
        """Make the warmed ``gen`` the newest generation and forget what no open generation reads (lock held)."""
        if self._previous is not None:
            self._retire(self._previous)
        self._previous, self._current = self._current, gen
        live = {segment_id(leaf) for leaf, _ in gen.searcher.reader().leaf_readers()}
        if self._previous is not None:
            live |= {segment_id(leaf) for leaf, _ in self._previous.searcher.reader().leaf_readers()}
        for key in [key for key in self._segment_cache if key[0] not in live]:
            del self._segment_cache[key]
        self._postings_cache.forget_segments(live)
        self._group_numbers.forget_segments(live)

    def _open_newer_meanwhile(self) -> bool:
        """Open and warm a newer generation while requests are answered from the one before; True if one opened.

        Warming a generation takes 0.2-0.4 s at 100k paragraphs; a request
        that came meanwhile used to wait for it under the lock, or open it
        a second time (#17).  Now it is answered from the generation before,
        committed at most that long earlier.  The first generation of all
        is opened as before: there is nothing older to answer from.
        """
        with self._lock, explain_damage(self.settings.index_dir):
            if self._ix is None:
                self._ix = open_index(self.settings.index_dir)
            latest = index_identity(self._ix, self.settings.index_dir)
            if self._current is None:
                self._open_latest()
                return True
            if latest in (self._current.identity, self._pending):
                return False
            before, gen = self._current, self._new_generation(latest)
            self._pending = latest
        try:
            with explain_damage(self.settings.index_dir):
                gen.warm()
        except BaseException:
            with self._lock:
                self._pending = None
            gen.searcher.close()
            raise
        with self._lock:
            self._pending = None
            if self._current is not before:
                # A request opened an even newer one meanwhile: keep that.
                gen.searcher.close()
                return False
            self._install(gen)
        return True

    def warm(self, postings_mb: int = 0) -> bool:
        """Open the newest generation and read what every route needs, before any request comes.

        True when that opened a generation newer than the one open before.

        A generation is warmed whenever it opens (facets, field lengths,
        dates, reports and repeat groups); this opens it now.  With
        ``postings_mb``, the postings of the words in the most paragraphs
        are decoded too, most common first, until they take that many
        megabytes (at most half the postings cache): common words cost the
        most to read, so a query nobody asked before is not the slow one
        (#17).  ``sitrep serve`` calls this in gunicorn's master, before the
        workers fork and share what it read.

        Does nothing (False) when there is no index yet or it cannot be read:
        requests say why (a 503).
        """
        budget = min(postings_mb * 1024 * 1024, self._postings_cache.max_bytes // 2)
        try:
            opened = self._open_newer_meanwhile()
            if budget > 0:
                self._warm_postings(budget)
        except SitrepError:
            return False
        return opened

    def _warm_postings(self, budget: int) -> None:
        with self._lease() as gen:
            reader, arrays = gen.searcher.reader(), gen.arrays()
            # Words only: the word pairs' lexicon is too long to rank at
            # start (20 s at 100k paragraphs), and a pair is in fewer
            # paragraphs than either of its words.
            terms = ((info.doc_frequency(), text) for text, info in reader.iter_field("text"))
            for _, text in heapq.nlargest(WARM_TERMS, terms):
                if self._postings_cache.bytes >= budget:
                    break
                arrays.postings("text", text)
                if "title" in gen.searcher.schema:
                    arrays.postings("title", text)  # a word in the text is scored over the title too (BM25F)

    @staticmethod
    def _retire(gen: _Generation) -> None:
        gen.retired = True
        if not gen.users:
            gen.searcher.close()

    def _take(self) -> _Generation:
        """The newest generation, held until :meth:`_give_back`."""
        with self._lock:
            gen = self._latest()
            gen.users += 1
            return gen

    def _give_back(self, gen: _Generation) -> None:
        with self._lock:
            gen.users -= 1
            if gen.retired and not gen.users:
                gen.searcher.close()

    @contextmanager
    def _lease(self) -> Iterator[_Generation]:
        """The newest generation, kept open for the block however many land meanwhile.

        An error that damage to the index explains leaves the block as
        :class:`~search.errors.IndexDamaged` (a 503, not a 500).
        """
        gen = self._take()
        try:
            with explain_damage(self.settings.index_dir):
                yield gen
        finally:
            self._give_back(gen)

    def close(self) -> None:
        """Close every searcher this object opened.

        What its generations read per segment (facet postings, repeat
        groups, decoded postings) is kept: a later request opens the index
        again and reuses it, as ``sitrep serve``'s workers do after the fork.
        """
        with self._lock:
            for gen in (self._previous, self._current):
                if gen is not None:
                    gen.searcher.close()
            if self._ix is not None:
                self._ix.close()
            self._ix = self._current = self._previous = None

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- searching ---------------------------------------------------------

    def search(
        self,
        q: str = "",
        *,
        filters: Mapping[str, Iterable[str]] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int | None = None,
        event_from: str | None = None,
        event_to: str | None = None,
        collapse: bool = False,
        literal: bool = False,
        exclude: Mapping[str, Iterable[str]] | None = None,
        group: str | None = None,
        interval: str = "auto",
    ) -> SearchPage:
        """Run a query and return one page of hits with facet counts over all matches.

        Values within one filter are OR-ed, filters are AND-ed.  A facet's own
        counts ignore that facet's selection, so its alternatives stay visible.
        An empty ``q`` lists everything the filters allow.  Names in ``q`` are
        searched in all their forms, and misspelt places corrected, unless
        ``literal`` (the page says what was searched: ``showing_results_for``).
        ``exclude`` (facet -> values, as ``filters``) leaves out every
        paragraph carrying one of its values; an excluded value stays in its
        own facet's list with the count it leaves out.  With ``collapse`` the
        total and every facet count are groups of repeats, not paragraphs.
        With ``group="report"`` a page holds ``per_page`` reports, each with
        its first hits (:mod:`search.query.grouping`).
        ``interval`` is the timeline's bar ("auto": what the span calls for).

        :raises QuerySyntaxError: the query cannot be parsed.
        :raises BadDate: ``date_from`` or ``date_to`` is not a date.
        :raises BadInput: an unknown filter, sort, grouping or interval, or a page out of range.
        """
        settings = self.settings
        group = check_grouping(group)
        check_interval(interval)
        per_page = check_paging(settings, page, per_page)
        with self._lease() as gen:
            plan = self._plan(gen, q, filters, date_from, date_to, event_from, event_to, sort, literal, exclude)
            key = (gen.identity, plan.q, tuple(sorted((k, tuple(v)) for k, v in plan.chosen.items())),
                   tuple(sorted((k, tuple(v)) for k, v in plan.excluded.items())),
                   plan.start, plan.end, plan.event_start, plan.event_end, sort, page, per_page, collapse, literal, group)
            found = self._pages.get(key)
            if found is None:
                found = result_page(plan, self.taxonomy, sort, page, per_page, collapse, settings.suggest_max_hits, group)
                self._pages.put(key, found)
            # The timeline is drawn from the cached facets: one cached page serves every interval.
            return found if interval == "auto" else replace(found, interval=interval)

    def _plan(
        self, gen: _Generation, q, filters, date_from, date_to, event_from, event_to, sort, literal=False, exclude=None,
    ) -> Plan:
        """Check a request and build its queries against the generation ``gen`` (:func:`build_plan`)."""
        return build_plan(
            gen, self.settings, self.taxonomy, q, filters, date_from, date_to, event_from, event_to, sort, literal,
            exclude,
        )

    def iter_hits(
        self,
        q: str = "",
        *,
        filters: Mapping[str, Iterable[str]] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        event_from: str | None = None,
        event_to: str | None = None,
        sort: str = "relevance",
        limit: int | None = None,
        literal: bool = False,
        exclude: Mapping[str, Iterable[str]] | None = None,
    ) -> Iterator[Hit]:
        """Every matching paragraph (or the first ``limit``), in order, without snippets: for exports and feeds.

        The request is checked before the first hit is made, so errors come
        before any output; hits are then read one at a time from one searcher,
        held until the last hit is read or the iterator is closed or dropped.

        :raises QuerySyntaxError, BadDate, BadInput: as :meth:`search`.
        """
        gen = self._take()
        try:
            with explain_damage(self.settings.index_dir):
                plan = self._plan(gen, q, filters, date_from, date_to, event_from, event_to, sort, literal, exclude)
                docnums = hit_numbers(plan, sort, limit)
        except BaseException:
            self._give_back(gen)
            raise
        return _HeldHits(gen, docnums, self._give_back, self.settings.index_dir)

    def newest_date(self) -> str | None:
        """The newest report date (``YYYY-MM-DD``) of any paragraph in the index, or None when none is dated.

        The page's "last 7 days" presets count back from it, not from today:
        an archive of past reports would otherwise always be empty there (#16).
        """
        with self._lease() as gen:
            ordinals = gen.day_ordinals()[gen.arrays().live]
            newest = int(ordinals.max()) if ordinals.size else -1
            return gen.facet("day").values[newest] if newest >= 0 else None

    def more_like_this(self, paragraph_id: str, top: int = 10) -> list[Hit]:
        """Paragraphs most similar to one paragraph (by its most distinctive words).

        Repeats of the paragraph itself are left out: they are "also in", not "like".

        :raises ParagraphNotFound: no paragraph has that id.
        """
        with self._lease() as gen:
            return more_like(gen, paragraph_id, top)

    def suggest(self, q: str) -> str | None:
        """A "did you mean" query: rare words replaced by a close, much more frequent word.

        A word counts as rare in at most :data:`RARE_DOCS` paragraphs; the
        replacement is one or two edits away (see :func:`did_you_mean`) and in
        at least :data:`SUGGEST_RATIO` times as many paragraphs.  None when
        nothing is worth suggesting.
        """
        with self._lease() as gen:
            return did_you_mean(gen, q, self.taxonomy)

    def report(
        self,
        report_id: str,
        highlight_query: str = "",
        *,
        filters: Mapping[str, Iterable[str]] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        event_from: str | None = None,
        event_to: str | None = None,
        literal: bool = False,
        exclude: Mapping[str, Iterable[str]] | None = None,
    ) -> Report:
        """All paragraphs of one report, in order; matches of ``highlight_query`` marked.

        Given the rest of a search's state (the arguments of :meth:`search`),
        ``Report.matches`` lists the paragraphs of this report that search
        finds.  A state that cannot be searched (a bad date, an unclosed
        quote) still shows the report, with nothing marked or matched: the
        report is what was asked for.

        :raises ReportNotFound: no report has that id.
        """
        filters = {name: list(values) for name, values in (filters or {}).items()}
        exclude = {name: list(values) for name, values in (exclude or {}).items()}
        with self._lease() as gen:
            plan = None
            searching = highlight_query.strip() or date_from or date_to or event_from or event_to or any(
                values for values in (*filters.values(), *exclude.values()))
            if searching:
                try:
                    plan = self._plan(gen, highlight_query, filters, date_from, date_to, event_from, event_to,
                                      "relevance", literal, exclude)
                except BadInput:
                    plan = None
            return report_page(gen, self.taxonomy, report_id, highlight_query, plan)

    def paragraph(self, paragraph_id: str) -> Hit:
        """One paragraph by its id.

        :raises ParagraphNotFound: no paragraph has that id.
        """
        with self._lease() as gen:
            docnum = gen.document_number(paragraph_id)
            fields = gen.searcher.stored_fields(docnum) if docnum is not None else None
        if fields is None:
            raise ParagraphNotFound(f"no paragraph {paragraph_id!r} in the index")
        return hit_from_fields(fields, html.escape(fields["text"], quote=False), None)
class _HeldHits:
    """The hits of :meth:`SearchIndex.iter_hits`, read from a generation held until they end.

    A class, not a generator: a generator never started never runs its
    ``finally``, and a caller may drop the hits unread (a client that hangs
    up before an export's first row).
    """

    def __init__(
        self, gen: _Generation, docnums: list, give_back: Callable[[_Generation], None], index_dir: Path,
    ) -> None:
        self._gen: _Generation | None = gen
        self._docnums = iter(docnums)
        self._give_back = give_back
        self._index_dir = index_dir

    def __iter__(self) -> "_HeldHits":
        return self

    def __next__(self) -> Hit:
        if self._gen is None:
            raise StopIteration
        try:
            docnum, score = next(self._docnums)
        except StopIteration:
            self.close()
            raise
        with explain_damage(self._index_dir):
            return hit_from_fields(self._gen.searcher.stored_fields(docnum), "", score)

    def close(self) -> None:
        """Let the generation go (it closes if a newer one replaced it); idempotent."""
        gen, self._gen = self._gen, None
        if gen is not None:
            self._give_back(gen)

    def __del__(self) -> None:
        self.close()
def search(settings: Settings, q: str = "", **options: Any) -> SearchPage:
    """Open the index, run :meth:`SearchIndex.search` once, and close it again."""
    with SearchIndex(settings) as index:
        return index.search(q, **options)


__all__ = ["MAX_DEPTH", "SearchIndex", "search"]
