"""Parse, search, count facets, build snippets: the only module that reads the index.

Callers get our own dataclasses (:class:`SearchPage`, :class:`Hit`,
:class:`Report`), never a Whoosh ``Results``, because that object keeps its
searcher open.  :class:`SearchIndex` keeps one searcher per index generation:
it reopens (never ``refresh()``es, which returns stale or duplicate hits after
a delete in every Whoosh fork) when ``latest_generation()`` changes.
"""

from __future__ import annotations

import html
import math
import re
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np
from whoosh import highlight
from whoosh.index import Index
from whoosh.qparser import PlusMinusPlugin, QueryParser
from whoosh.query import And, AndMaybe, AndNot, DateRange, Every, Not, NullQuery, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from .config import Settings
from .dates import parse_date_bound
from .facets import FacetPostings, FacetValue, mask_of, segment_id
from .errors import BadInput, ParagraphNotFound, QuerySyntaxError, ReportNotFound, SitrepError
from .index import FACET_FIELDS, TEXT_ANALYZER, explain_damage, index_identity, open_index
from .ranking import Matches, PostingsCache, QueryArrays, Unsupported, dated_documents, first_of_groups, top_documents
from .taxonomy import Taxonomy, load_taxonomy
from .timeline import Timeline, date_histogram

SORTS = ("relevance", "newest", "oldest")
DATE_FACETS = ("month", "day")
# Field names a query may use, with the plural spellings people type.
QUERY_FIELDS = {
    "title": "title",
    "text": "text",
    "topic": "topic",
    "topics": "topic",
    "place": "place",
    "places": "place",
    "source": "source",
    "section": "section",
    "kind": "kind",
    "date": "date",
    "report": "report_id",
}
_FIELD_PREFIX = re.compile(r"(?:^|(?<=[\s(]))[+-]?(\w+):(?!//)")
_QUOTED = re.compile(r'"[^"]*"')
_WORD = re.compile(r"\w")
# "+" and "-" are operators only at the start of a word, so hyphenated words
# such as "Kremlin-affiliated" stay words.
_PLUS_MINUS = PlusMinusPlugin(r"(?:^|(?<=[\s(]))\+", r"(?:^|(?<=[\s(]))-")
SNIPPET_CHARS = 400
MAX_DEPTH = 10_000  # page * per_page


@dataclass(frozen=True)
class Hit:
    """One paragraph in a result list or a report, with its stored fields."""

    id: str
    report_id: str
    title: str
    source: str
    date: str | None
    date_inferred: bool
    section: str | None
    kind: str
    position: int
    topics: list[str]
    places: list[str]
    text: str
    snippet: str  # HTML: escaped text with <mark> around the matched words
    score: float | None
    url: str
    footnotes: list[dict[str, Any]] = field(default_factory=list)  # [{"n", "text", "urls"}]
    date_basis: str = ""
    path: str = ""
    heading: str | None = None
    label: str | None = None
    cited: list[str] = field(default_factory=list)
    event_dates: list[str] = field(default_factory=list)
    report_url: str | None = None
    dup_group: str = ""
    also_in: list[dict[str, str]] = field(default_factory=list)  # filled when collapsing
    also_in_count: int = 0  # how many other reports repeat it (also_in lists the newest 50)

    def to_json(self) -> dict[str, Any]:
        """The hit as documented in README.md ("JSON")."""
        data = asdict(self)
        for private in ("date_basis", "path", "dup_group"):
            data.pop(private)
        return data


@dataclass(frozen=True)
class SearchPage:
    """Everything a result page shows: hits, totals and facet counts over all matches."""

    query: str
    total: int
    page: int
    per_page: int
    sort: str
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    filters: dict[str, list[str]]
    date_from: str | None
    date_to: str | None
    event_from: str | None = None
    event_to: str | None = None
    collapse: bool = False
    did_you_mean: str | None = None

    @property
    def timeline(self) -> Timeline:
        """Matching paragraphs per day, week or month, from the ``day`` facet."""
        return date_histogram((v.value, v.count) for v in self.facets.get("day", []))

    @property
    def pages(self) -> int:
        """The number of result pages."""
        return max(1, math.ceil(self.total / self.per_page))

    def to_json(self) -> dict[str, Any]:
        """The page as the JSON that CLI and API both print (README.md, "JSON")."""
        return {
            "ok": True,
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "sort": self.sort,
            "filters": self.filters,
            "from": self.date_from,
            "to": self.date_to,
            "event_from": self.event_from,
            "event_to": self.event_to,
            "collapse": self.collapse,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {
                name: [{"value": v.value, "count": v.count, "selected": v.selected} for v in values]
                for name, values in self.facets.items()
            },
            "timeline": self.timeline.to_json(),
            "did_you_mean": self.did_you_mean,
        }


@dataclass(frozen=True)
class Report:
    """A whole report: its paragraphs in order, for reading a hit in context."""

    report_id: str
    title: str
    source: str
    date: str | None
    date_inferred: bool
    path: str
    paragraphs: list[Hit]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "report_id": self.report_id,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "date_inferred": self.date_inferred,
            "path": self.path,
            "paragraphs": [p.to_json() for p in self.paragraphs],
        }


class _MarkFormatter(highlight.Formatter):
    """Escapes all text first, then wraps matched words in ``<mark>``."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return "<mark>" + html.escape(highlight.get_text(text, token, replace), quote=False) + "</mark>"

    def format(self, fragments: list[Any], replace: bool = False) -> str:
        # Show where a fragment was cut out of a longer paragraph.
        formatted = []
        for fragment in fragments:
            body = self.format_fragment(fragment, replace=replace).strip()
            before = fragment.text[: fragment.startchar]
            after = fragment.text[fragment.endchar :]
            # Whoosh cuts fragments at tokens, so a fragment that reaches the
            # paragraph's edge loses only its punctuation: put it back rather
            # than pretend that text was left out.
            if _WORD.search(before):
                body = "… " + body
            else:
                body = self._text(before.lstrip()) + body
            if _WORD.search(after):
                body += " …"
            else:
                body += self._text(after.rstrip())
            formatted.append(body)
        return " ".join(formatted).replace("… …", "…")


def snippet_html(
    searcher: Searcher, query: Query, text: str, *, whole: bool = False, extra: frozenset[str] = frozenset()
) -> str:
    """An HTML snippet of ``text`` with the words ``query`` matched marked.

    Short paragraphs (and any paragraph when ``whole``) are shown whole; long
    ones as up to three fragments around the matches.  ``extra`` holds more
    analysed words to mark (other spellings of a place the query names).
    """
    phrases = _wanted_phrases(query)
    words = frozenset(
        t.decode("utf-8") if isinstance(t, bytes) else t for f, t in _wanted_terms(query, phrases=False) if f == "text"
    )
    text_terms = extra | words
    if not text_terms and not phrases:
        return html.escape(text if whole else _shorten(text), quote=False)
    fragmenter = (
        highlight.WholeFragmenter()
        if whole or len(text) <= SNIPPET_CHARS
        else highlight.ContextFragmenter(maxchars=220, surround=70)
    )
    analyzer = searcher.schema["text"].analyzer
    # Phrase-exact: a phrase's words are marked only where they stand as the
    # phrase; stop words are left out of the comparison as they are left out
    # of the phrase itself.
    tokens = analyzer(text, chars=True, mode="query", removestops=True)
    singles = [Term("text", word) for word in sorted(text_terms)]
    tokens = highlight.set_matched_filter_phrases(tokens, text, singles, phrases)
    fragments = highlight.top_fragments(
        fragmenter.fragment_tokens(text, tokens), 3, highlight.BasicFragmentScorer(), highlight.FIRST, 1
    )
    marked = _MarkFormatter()(text, fragments)
    return marked or html.escape(text if whole else _shorten(text), quote=False)


def _wanted_phrases(query: Query) -> list[Phrase]:
    """The phrases over the text that a query looks for (not excluded ones)."""
    if isinstance(query, Not):
        return []
    if isinstance(query, AndNot):
        return _wanted_phrases(query.a)
    if isinstance(query, Phrase):
        return [query] if query.fieldname == "text" else []
    return [phrase for child in query.children() for phrase in _wanted_phrases(child)]


def _wanted_terms(query: Query, phrases: bool = True) -> set[tuple[str, Any]]:
    """The (field, term) pairs a query looks for, leaving out what it excludes.

    :param phrases: include the words of phrases.
    """
    if isinstance(query, Not):
        return set()
    if isinstance(query, AndNot):
        return _wanted_terms(query.a, phrases)
    if isinstance(query, Phrase) and not phrases:
        return set()
    children = list(query.children())
    if not children:
        return set(query.iter_all_terms(phrases=phrases))
    wanted: set[tuple[str, Any]] = set()
    for child in children:
        wanted |= _wanted_terms(child, phrases)
    return wanted


def _shorten(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


class _Generation:
    """One index generation: its searcher and the facet postings read from it."""

    def __init__(
        self, ix: Index, identity: tuple[str, int], segment_cache: dict | None = None,
        postings_cache: PostingsCache | None = None,
    ) -> None:
        self.identity = identity
        self._segment_cache = segment_cache
        self.searcher = ix.searcher()
        self.doc_count = self.searcher.reader().doc_count_all()
        self._facets: dict[str, FacetPostings] = {}
        self._groups = None
        self._day_ordinals = None
        self._arrays: QueryArrays | None = None
        self._postings_cache = postings_cache if postings_cache is not None else PostingsCache()
        self._lock = threading.Lock()
        # Requests reading this generation (SearchIndex._lease), and whether
        # a newer one replaced it: it closes when both say so.
        self.users = 0
        self.retired = False

    def arrays(self) -> QueryArrays:
        with self._lock:
            if self._arrays is None:
                self._arrays = QueryArrays(self.searcher, self._postings_cache, lambda: self.facet("day"))
            return self._arrays

    def matches(self, query: Query) -> Matches | None:
        """The matches of ``query`` as arrays, or None when only Whoosh can evaluate it."""
        try:
            return self.arrays().matches(query)
        except Unsupported:
            return None

    def warm(self) -> None:
        """Read what every results page needs: facet postings and field lengths.

        Done when the generation opens, so its cost shows as opening the
        index (once per generation) rather than on whichever request
        happens to come first.
        """
        for name in (*FACET_FIELDS, *DATE_FACETS):
            self.facet(name)
        arrays = self.arrays()
        for fieldname in ("text", "title", "pairs"):
            arrays.lengths(fieldname)

    def day_ordinals(self) -> np.ndarray:
        """Each document's report date as a sortable number (-1 when undated)."""
        days = self.facet("day")
        with self._lock:
            if self._day_ordinals is None:
                self._day_ordinals = days.ordinals()
            return self._day_ordinals

    def facet(self, fieldname: str) -> FacetPostings:
        """The postings of one facet field, read once per generation."""
        with self._lock:
            if fieldname not in self._facets:
                self._facets[fieldname] = FacetPostings(
                    self.searcher.reader(), fieldname, self.doc_count, self._segment_cache
                )
            return self._facets[fieldname]

    def canonical(self, fieldname: str, value: str) -> str:
        """The indexed spelling of a facet value typed in any case."""
        return self.facet(fieldname).canonical(value)

    def groups(self) -> np.ndarray:
        """Each document's repeat group as a number."""
        groups = self.facet("dup_group")  # per-segment postings, cached like the facets'
        with self._lock:
            if self._groups is None:
                self._groups = groups.ordinals()
            return self._groups

    def group_count(self, matching: np.ndarray) -> int:
        """How many repeat groups the documents in the ``matching`` mask fall into."""
        return int(np.unique(self.groups()[matching]).size)

    def ordered(self, matching: np.ndarray, scores: np.ndarray, order: str, limit: int | None, collapse: bool) -> np.ndarray:
        """Document numbers of ``matching`` in result order, at most ``limit``.

        ``order`` is "relevance" (score, then index order), "newest" or
        "oldest" (report date, then index order).  With ``collapse`` only
        the first document of each repeat group is kept.
        """
        candidates = np.flatnonzero(matching)
        bound = None if collapse else limit  # collapsing needs the whole order first
        if order == "relevance":
            ranked = top_documents(scores, candidates, bound)
        else:
            ranked = dated_documents(self.day_ordinals(), candidates, bound, newest=order == "newest")
        if collapse:
            ranked = first_of_groups(ranked, self.groups())
        return ranked if limit is None else ranked[:limit]


@dataclass(frozen=True)
class _Plan:
    """A checked request and its queries, bound to one generation."""

    gen: _Generation
    q: str
    chosen: dict[str, list[str]]
    text_query: Query
    base: Query  # the text and date conditions
    full: Query  # plus the facet filters
    start: date | None
    end: date | None
    event_start: date | None
    event_end: date | None


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
        self._previous: _Generation | None = None
        # (segment id, facet field) -> postings: segments outlive generations.
        self._segment_cache: dict = {}
        self._postings_cache = PostingsCache(settings.postings_cache_mb * 1024 * 1024)
        self._pages = ResultCache(settings.result_cache)

    def generation(self) -> _Generation:
        """The searcher for the newest committed generation.

        :raises IndexMissing: there is no index yet.
        :raises SchemaChanged: the index needs a rebuild.
        :raises IndexDamaged: a file of the index cannot be read (see search/integrity.py).
        """
        with self._lock:
            return self._latest()

    def _latest(self) -> _Generation:
        # Called with self._lock held.
        with explain_damage(self.settings.index_dir):
            return self._open_latest()

    def _open_latest(self) -> _Generation:
        if self._ix is None:
            self._ix = open_index(self.settings.index_dir)
        latest = index_identity(self._ix, self.settings.index_dir)
        if self._current is None or latest != self._current.identity:
            # Re-open the index too: a rebuild may have replaced it entirely.
            self._ix.close()
            self._ix = open_index(self.settings.index_dir)
            if self._previous is not None:
                self._retire(self._previous)
            self._previous, self._current = self._current, _Generation(
                self._ix, latest, self._segment_cache, self._postings_cache
            )
            live = {segment_id(leaf) for leaf, _ in self._current.searcher.reader().leaf_readers()}
            if self._previous is not None:
                live |= {segment_id(leaf) for leaf, _ in self._previous.searcher.reader().leaf_readers()}
            for key in [key for key in self._segment_cache if key[0] not in live]:
                del self._segment_cache[key]
            self._postings_cache.forget_segments(live)
            self._current.warm()
        return self._current

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
        """Close every searcher this object opened."""
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
    ) -> SearchPage:
        """Run a query and return one page of hits with facet counts over all matches.

        Values within one filter are OR-ed, filters are AND-ed.  A facet's own
        counts ignore that facet's selection, so its alternatives stay visible.
        An empty ``q`` lists everything the filters allow.

        :raises QuerySyntaxError: the query cannot be parsed.
        :raises BadDate: ``date_from`` or ``date_to`` is not a date.
        :raises BadInput: an unknown filter or sort, or a page out of range.
        """
        settings = self.settings
        per_page = settings.per_page if per_page is None else per_page
        if not 1 <= per_page <= settings.max_per_page:
            raise BadInput(f"per_page must be between 1 and {settings.max_per_page}")
        if page < 1:
            raise BadInput("page must be 1 or more")
        if page * per_page > MAX_DEPTH:
            # Deep pages cost a full ranking each; exports give whole result sets.
            raise BadInput(f"results past the first {MAX_DEPTH} cannot be paged to; narrow the search or export it")
        with self._lease() as gen:
            plan = self._plan(gen, q, filters, date_from, date_to, event_from, event_to, sort)
            key = (gen.identity, plan.q, tuple(sorted((k, tuple(v)) for k, v in plan.chosen.items())),
                   plan.start, plan.end, plan.event_start, plan.event_end, sort, page, per_page, collapse)
            found = self._pages.get(key)
            if found is None:
                found = self._page(plan, sort, page, per_page, collapse)
                self._pages.put(key, found)
            return found

    def _page(self, plan: "_Plan", sort: str, page: int, per_page: int, collapse: bool) -> SearchPage:
        gen, searcher, chosen = plan.gen, plan.gen.searcher, plan.chosen
        q, base, full, text_query = plan.q, plan.base, plan.full, plan.text_query
        start, end, event_start, event_end = plan.start, plan.end, plan.event_start, plan.event_end

        # Masks over document numbers: the matches of the query and dates,
        # and for each filtered facet the documents its selection allows.
        matched = gen.matches(base)
        base_docs = matched.mask if matched is not None else mask_of(searcher.docs_for_query(base), gen.doc_count)
        selected_docs = {name: gen.facet(name).docs_of(values) for name, values in chosen.items()}
        matching = np.logical_and.reduce([base_docs, *selected_docs.values()]) if selected_docs else base_docs
        facets: dict[str, list[FacetValue]] = {}
        for name in (*FACET_FIELDS, *DATE_FACETS):
            # A facet's own selection does not narrow its counts (multi-select).
            others = [docs for other, docs in selected_docs.items() if other != name]
            pool = np.logical_and.reduce([base_docs, *others]) if others else base_docs
            facets[name] = gen.facet(name).facet_values(pool, chosen.get(name, ()), by_value=name in DATE_FACETS)

        collapse_facet = None
        if collapse:
            # One hit per group of repeated paragraphs; the total counts groups.
            total = gen.group_count(matching)
            collapse_facet = "dup_group"
        else:
            total = int(matching.sum())
        pages = max(1, math.ceil(total / per_page))
        if page > pages and total:
            raise BadInput(f"page {page} is past the last page ({pages})")
        hits: list[Hit] = []
        if total:
            order = "newest" if sort == "relevance" and not q.strip() else sort  # no words, no relevance
            extra = self._highlight_words(text_query)
            if matched is not None:
                docnums = gen.ordered(matching, matched.scores, order, page * per_page, collapse)
                ranked = [(searcher.stored_fields(int(n)), float(matched.scores[n])) for n in docnums[(page - 1) * per_page :]]
            else:
                sortedby, reverse = {"relevance": (None, False), "newest": ("date", True), "oldest": ("date", False)}[order]
                # Not search_page(): it counts every match again for its page
                # total, which the mask above already gives.
                results = searcher.search(
                    full, limit=page * per_page, sortedby=sortedby, reverse=reverse, terms=False,
                    collapse=collapse_facet, collapse_limit=1,
                )
                ranked = [(hit.fields(), hit.score) for hit in results[(page - 1) * per_page : page * per_page]]
            for fields, score in ranked:
                found = _hit(fields, snippet_html(searcher, text_query, fields["text"], extra=extra), score if sort == "relevance" else None)
                if collapse:
                    listed, count = _also_in(searcher, found)
                    found = replace(found, also_in=listed, also_in_count=count)
                hits.append(found)
        return SearchPage(
            query=q,
            total=total,
            page=page,
            per_page=per_page,
            sort=sort,
            hits=hits,
            facets=facets,
            filters={name: list(values) for name, values in chosen.items()},
            date_from=start.isoformat() if start else None,
            date_to=end.isoformat() if end else None,
            event_from=event_start.isoformat() if event_start else None,
            event_to=event_end.isoformat() if event_end else None,
            collapse=collapse,
            did_you_mean=self._suggest(gen, q) if q.strip() else None,
        )

    def _plan(self, gen: _Generation, q, filters, date_from, date_to, event_from, event_to, sort) -> "_Plan":
        """Check a request and build its queries against the generation ``gen``."""
        q = q or ""
        if len(q) > self.settings.max_query_length:
            raise BadInput(f"query is {len(q)} characters long; the limit is {self.settings.max_query_length}")
        if sort not in SORTS:
            raise BadInput(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
        chosen = _clean_filters(filters or {})
        start = parse_date_bound(date_from, end=False) if date_from else None
        end = parse_date_bound(date_to, end=True) if date_to else None
        if start and end and start > end:
            raise BadInput(f"'from' ({start}) is after 'to' ({end})")
        event_start = parse_date_bound(event_from, end=False) if event_from else None
        event_end = parse_date_bound(event_to, end=True) if event_to else None
        if event_start and event_end and event_start > event_end:
            raise BadInput(f"'event_from' ({event_start}) is after 'event_to' ({event_end})")
        chosen = {name: [self._canonical(gen, name, v) for v in values] for name, values in chosen.items()}
        text_query = parse_query(q, gen.searcher, gen, self.taxonomy)
        base = phrases_as_pairs(text_query)  # text_query keeps the phrases, for highlighting
        if start or end:
            base = And([base, _date_range(start, end)])
        if event_start or event_end:
            base = And([base, _date_range(event_start, event_end, "event_date")])
        facet_filters = [Or([Term(name, v) for v in values]) for name, values in chosen.items()]
        full = And([base, *facet_filters]) if facet_filters else base
        return _Plan(gen, q, chosen, text_query, base, full, start, end, event_start, event_end)

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
                docnums = self._hit_numbers(gen, q, filters, date_from, date_to, event_from, event_to, sort, limit)
        except BaseException:
            self._give_back(gen)
            raise
        return _HeldHits(gen, docnums, self._give_back, self.settings.index_dir)

    def _hit_numbers(self, gen, q, filters, date_from, date_to, event_from, event_to, sort, limit) -> list:
        """(document number, score or None) of every hit of :meth:`iter_hits`, in order."""
        plan = self._plan(gen, q, filters, date_from, date_to, event_from, event_to, sort)
        order = "newest" if sort == "relevance" and not plan.q.strip() else sort
        sortedby, reverse = {"relevance": (None, False), "newest": ("date", True), "oldest": ("date", False)}[order]
        scored = sort == "relevance" and order == "relevance"
        matched = gen.matches(plan.base)
        if matched is not None:
            matching = matched.mask
            for name, values in plan.chosen.items():
                matching &= gen.facet(name).docs_of(values)
            ordered = gen.ordered(matching, matched.scores, order, limit, collapse=False)
            return [(int(n), float(matched.scores[n]) if scored else None) for n in ordered]
        results = gen.searcher.search(plan.full, limit=limit, sortedby=sortedby, reverse=reverse, terms=False)
        return [(results.docnum(i), results.score(i) if scored else None) for i in range(len(results))]

    def more_like_this(self, paragraph_id: str, top: int = 10) -> list[Hit]:
        """Paragraphs most similar to one paragraph (by its most distinctive words).

        Repeats of the paragraph itself are left out: they are "also in", not "like".

        :raises ParagraphNotFound: no paragraph has that id.
        """
        with self._lease() as gen:
            return self._more_like_this(gen, paragraph_id, top)

    def _more_like_this(self, gen: _Generation, paragraph_id: str, top: int) -> list[Hit]:
        searcher = gen.searcher
        docnum = next(iter(searcher.document_numbers(id=paragraph_id)), None)
        if docnum is None:
            raise ParagraphNotFound(f"no paragraph {paragraph_id!r} in the index")
        own = searcher.stored_fields(docnum)
        similar = searcher.more_like(docnum, "text", text=own["text"], top=top * 2, numterms=15)
        hits = []
        for result in similar:
            if result.get("dup_group") == own.get("dup_group"):
                continue
            hits.append(_hit(result.fields(), html.escape(_shorten(result["text"]), quote=False), result.score))
            if len(hits) == top:
                break
        return hits

    def suggest(self, q: str) -> str | None:
        """A "did you mean" query: rare words replaced by a close, much more frequent word.

        A word counts as rare in at most :data:`RARE_DOCS` paragraphs; the
        replacement is within two edits and in at least :data:`SUGGEST_RATIO`
        times as many paragraphs.  None when nothing is worth suggesting.
        """
        with self._lease() as gen:
            return self._suggest(gen, q)

    def _suggest(self, gen: _Generation, q: str) -> str | None:
        try:
            query = parse_query(q, gen.searcher, gen)
        except SitrepError:
            return None
        reader = gen.searcher.reader()
        suggestion = q
        changed = False
        for node in _plain_terms(query):
            stem = node.text.decode("utf-8") if isinstance(node.text, bytes) else node.text
            frequency = reader.doc_frequency("text", stem)
            if frequency > RARE_DOCS or len(stem) < 4:
                continue
            candidates = [
                (reader.doc_frequency("text", other), other)
                for other in reader.terms_within("text", stem, 2, prefix=1)
                if other != stem
            ]
            best = max(candidates, default=(0, ""))
            if best[0] < max(1, frequency) * SUGGEST_RATIO:
                continue
            typed = _typed_word(q, stem)
            surface = _surface_word(gen.searcher, best[1])
            if typed and surface:
                suggestion = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", surface, suggestion, count=1)
                changed = True
        return suggestion if changed and suggestion != q else None

    def _highlight_words(self, query: Query) -> frozenset[str]:
        """Analysed spellings of every place the query asks for, to mark in snippets."""
        words: set[str] = set()
        for fieldname, value in _wanted_terms(query):
            if fieldname == "place":
                place = self.taxonomy.places.get(value.decode("utf-8") if isinstance(value, bytes) else value)
                for variant in place.variants if place else ():
                    words.update(token.text for token in TEXT_ANALYZER(variant))
        return frozenset(words)

    def _canonical(self, gen: _Generation, fieldname: str, value: str) -> str:
        if fieldname == "place":
            value = self.taxonomy.canonical_place(value) or value
        return gen.canonical(fieldname, value)

    def report(self, report_id: str, highlight_query: str = "") -> Report:
        """All paragraphs of one report, in order; matches of ``highlight_query`` marked.

        :raises ReportNotFound: no report has that id.
        """
        with self._lease() as gen:
            return self._report(gen, report_id, highlight_query)

    def _report(self, gen: _Generation, report_id: str, highlight_query: str) -> Report:
        searcher = gen.searcher
        docs = [searcher.stored_fields(n) for n in searcher.document_numbers(report_id=report_id)]
        if not docs:
            raise ReportNotFound(f"no report {report_id!r} in the index")
        docs.sort(key=lambda d: d["position"])
        try:
            mark = parse_query(highlight_query, searcher, gen, self.taxonomy)
        except QuerySyntaxError:
            mark = Every()  # a query that cannot mark anything still shows the report
        extra = self._highlight_words(mark)
        paragraphs = [_hit(d, snippet_html(searcher, mark, d["text"], whole=True, extra=extra), None) for d in docs]
        first = paragraphs[0]
        return Report(
            report_id=report_id,
            title=first.title,
            source=first.source,
            date=first.date,
            date_inferred=first.date_inferred,
            path=first.path,
            paragraphs=paragraphs,
        )

    def paragraph(self, paragraph_id: str) -> Hit:
        """One paragraph by its id.

        :raises ParagraphNotFound: no paragraph has that id.
        """
        with self._lease() as gen:
            fields = gen.searcher.document(id=paragraph_id)
        if fields is None:
            raise ParagraphNotFound(f"no paragraph {paragraph_id!r} in the index")
        return _hit(fields, html.escape(fields["text"], quote=False), None)


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
            return _hit(self._gen.searcher.stored_fields(docnum), "", score)

    def close(self) -> None:
        """Let the generation go (it closes if a newer one replaced it); idempotent."""
        gen, self._gen = self._gen, None
        if gen is not None:
            self._give_back(gen)

    def __del__(self) -> None:
        self.close()


def _clean_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for name, values in filters.items():
        if name not in FACET_FIELDS:
            raise BadInput(f"unknown filter {name!r}; use one of: {', '.join(FACET_FIELDS)}")
        kept = [v.strip() for v in ([values] if isinstance(values, str) else values) if v and v.strip()]
        if kept:
            chosen[name] = list(dict.fromkeys(kept))
    return chosen


def _date_range(start: date | None, end: date | None, fieldname: str = "date") -> Query:
    # Built from python-dateutil's result rather than Whoosh's date parser,
    # whose ranges were wrong in Whoosh 2.7.4 (see pyproject.toml).
    return DateRange(
        fieldname,
        datetime.combine(start, time.min) if start else None,
        datetime.combine(end, time.max) if end else None,
    )


def parse_query(
    text: str, searcher: Searcher, gen: _Generation | None = None, taxonomy: Taxonomy | None = None
) -> Query:
    """Parse query text in Whoosh's language: matched in text, boosted by title.

    Words are AND-ed; ``"phrases"``, ``OR``, ``NOT``, ``-word``, ``field:value``
    and wildcards work as in README.md ("Query syntax").  Facet field values
    match in any case (``topic:"north korea"``).

    :raises QuerySyntaxError: unbalanced quotes or brackets, an unknown field,
        or a query with nothing searchable in it.
    """
    stripped = text.strip()
    if not stripped:
        return Every()
    if stripped.count('"') % 2:
        raise QuerySyntaxError('the query has an unclosed quote (")')
    outside = _QUOTED.sub(" ", stripped)
    if outside.count("(") != outside.count(")") or outside.count("[") != outside.count("]"):
        raise QuerySyntaxError("the query has unbalanced brackets")
    for match in _FIELD_PREFIX.finditer(outside):
        if match.group(1).lower() not in QUERY_FIELDS:
            raise QuerySyntaxError(
                f"unknown field {match.group(1)!r}; use one of: {', '.join(sorted(set(QUERY_FIELDS)))}"
            )
    stripped, date_ranges = _extract_dates(stripped)
    if not stripped.strip():
        return And([Every(), *date_ranges]) if date_ranges else Every()
    text_for_parser = _FIELD_PREFIX.sub(lambda m: m.group(0).replace(m.group(1), QUERY_FIELDS.get(m.group(1).lower(), m.group(1))), stripped)
    if taxonomy is not None:
        text_for_parser = _with_place_names(text_for_parser, taxonomy, searcher)
    matched = _parse(text_for_parser, "text", searcher)
    if matched is NullQuery:
        raise QuerySyntaxError("the query has no searchable words (only very common words?)")
    # a* or word~5 could stand for thousands of words: refuse with a 400 (#6).
    from .limits import check_expansions

    check_expansions(matched, searcher)
    if gen is not None:
        matched = _canonical_terms(matched, gen)
    # A paragraph must match in its own text: a word only in the report's
    # title would make every paragraph of that report a hit.  The title
    # (boosted in the schema) still lifts the paragraphs whose report is about it.
    boosted = AndMaybe(matched, _parse(text_for_parser, "title", searcher))
    return And([boosted, *date_ranges]) if date_ranges else boosted


_DATE_TERM = re.compile(r'(?i)(?<![\w-])date:(?:"([^"]*)"|\[([^\]]*)\]|(\S+))')


_BARE_WORD = re.compile(r"(?<![\w:*?~'’-])([^\W\d_][\w'’-]*)(?![\w*?~:'’-])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def _with_place_names(text: str, taxonomy: Taxonomy, searcher: Searcher) -> str:
    """Let a place name in any spelling find the place: ``Kiev`` -> ``(Kiev OR place:"Kyiv")``.

    Paragraphs are tagged with the gazetteer's name for every spelling they
    use, so the ``place`` term finds "Київ" and "Kyiv" paragraphs alike.  A
    word the index does not know, one edit from a place name ("Torestk"),
    finds that place too.  Quoted phrases that are a place name get the same
    treatment; words inside other phrases and field values are left alone.
    """
    reader = searcher.reader()

    def place_for(words: str) -> str | None:
        name = taxonomy.canonical_place(words)
        if name is None and " " not in words:
            analysed = [t.text for t in TEXT_ANALYZER(words)]
            unknown = all(("text", a) not in reader for a in analysed)
            name = taxonomy.near_place(words) if unknown else None
        return name

    def bare(match: re.Match[str]) -> str:
        word = match.group(1)
        name = None if word.upper() in _OPERATORS and word.isupper() else place_for(word)
        return f'({word} OR place:"{name}")' if name else word

    pieces = []
    for index, piece in enumerate(re.split(r'("[^"]*")', text)):
        if index % 2:  # a quoted phrase
            before = pieces[-1] if pieces else ""
            name = None if re.search(r"\w:$", before) else place_for(piece.strip('"'))
            pieces.append(f'({piece} OR place:"{name}")' if name and " " in piece.strip() else piece)
        else:
            pieces.append(_BARE_WORD.sub(bare, piece))
    return "".join(pieces)


def _extract_dates(text: str) -> tuple[str, list[Query]]:
    """Take ``date:VALUE`` and ``date:[A to B]`` out of the query as date ranges.

    Whoosh's own date parsing mis-reads several forms, so the bounds go
    through :func:`parse_date_bound` like the from/to filters do.
    """
    ranges: list[Query] = []

    def replace(match: re.Match[str]) -> str:
        quoted, bracketed, bare = match.groups()
        if bracketed is not None:
            bounds = re.match(r"(?is)^(.*?)\bto\b(.*)$", bracketed.strip())
            if bounds is None:
                raise QuerySyntaxError("write a date range as date:[2024-12-01 to 2024-12-31]")
            low, high = bounds.groups()
            start = parse_date_bound(low, end=False) if low.strip() else None
            end = parse_date_bound(high, end=True) if high.strip() else None
        else:
            value = quoted if quoted is not None else bare
            start, end = parse_date_bound(value, end=False), parse_date_bound(value, end=True)
        if start is None and end is None:
            raise QuerySyntaxError("a date range needs at least one bound: date:[2024-12-01 to 2024-12-31]")
        ranges.append(_date_range(start, end))
        return " "

    return _DATE_TERM.sub(replace, text), ranges


def _parse(text: str, default_field: str, searcher: Searcher) -> Query:
    parser = QueryParser(default_field, searcher.schema)
    parser.add_plugin(_PLUS_MINUS)
    try:
        parsed = parser.parse(text)
    except Exception as err:  # whoosh raises plain exceptions for odd input
        raise QuerySyntaxError(f"cannot parse the query: {err}") from None
    return _without_and_not(parsed)


def _without_and_not(query: Query) -> Query:
    """Rewrite ``AndNot(a, b)`` as ``And([a, Not(b)])``.

    whoosh3 3.54.0's AndNot matcher can return a document that matches the
    excluded term when it is the first match of a segment; ``Not`` inside
    ``And`` filters correctly.
    """
    if isinstance(query, AndNot):
        return And([_without_and_not(query.a), Not(_without_and_not(query.b))])
    return query.apply(_without_and_not)


def _canonical_terms(query: Query, gen: _Generation) -> Query:
    """Rewrite ``topic:north korea``-style terms to the indexed spelling of the value."""

    def visit(node: Query) -> Query:
        if isinstance(node, Term) and node.fieldname in FACET_FIELDS:
            value = node.text.decode("utf-8") if isinstance(node.text, bytes) else node.text
            return Term(node.fieldname, gen.canonical(node.fieldname, value), boost=node.boost)
        return node.apply(visit)

    return visit(query)


RARE_DOCS = 2
SUGGEST_RATIO = 10


def phrases_as_pairs(query: Query) -> Query:
    """Rewrite each phrase in the text as an AND of its adjacent word pairs (the ``pairs`` field).

    ``"North Korean troops"`` needs the pairs "north korean" and "korean
    troop" in one paragraph; they could in principle come from two places in
    it, which a paragraph-sized document makes rare enough to accept for a
    lookup that is orders of magnitude faster than comparing positions.
    """
    if isinstance(query, Phrase) and query.fieldname == "text" and len(query.words) >= 2:
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in query.words]
        pairs = [Term("pairs", f"{a} {b}") for a, b in zip(words, words[1:])]
        return And(pairs, boost=query.boost) if len(pairs) > 1 else Term("pairs", pairs[0].text, boost=query.boost)
    return query.apply(phrases_as_pairs)


def _plain_terms(query: Query) -> list[Term]:
    """The single-word text terms a user typed (not phrases, wildcards or excluded words)."""
    if isinstance(query, Not):
        return []
    if isinstance(query, AndNot):
        return _plain_terms(query.a)
    if isinstance(query, AndMaybe):
        return _plain_terms(query.a)
    if type(query) is Term and query.fieldname == "text":
        return [query]
    found: list[Term] = []
    for child in query.children():
        found.extend(_plain_terms(child))
    return found


def _typed_word(q: str, stem: str) -> str | None:
    """The word of ``q`` that analyses to ``stem``."""
    for word in re.findall(r"[\w'’-]+", q):
        if [t.text for t in TEXT_ANALYZER(word)] == [stem]:
            return word
    return None


def _surface_word(searcher: Searcher, stem: str) -> str | None:
    """A word as written in some paragraph that analyses to ``stem``."""
    for fields in searcher.documents(text=stem):
        for word in re.findall(r"\w+", fields["text"]):
            if [t.text for t in TEXT_ANALYZER(word)] == [stem]:
                return word
        break
    return None


def _hit(fields: Mapping[str, Any], snippet: str, score: float | None) -> Hit:
    day = fields.get("date")
    return Hit(
        id=fields["id"],
        report_id=fields["report_id"],
        title=fields["title"],
        source=fields["source"],
        date=day.date().isoformat() if day else None,
        date_inferred=bool(fields.get("date_inferred")),
        section=fields.get("section") or None,
        kind=fields["kind"],
        position=fields["position"],
        topics=[t for t in fields.get("topic", "").split(",") if t],
        places=[p for p in fields.get("place", "").split(",") if p],
        text=fields["text"],
        snippet=snippet,
        score=round(score, 4) if score is not None else None,
        url=f"/reports/{fields['report_id']}#p{fields['position']}",
        footnotes=[note if isinstance(note, dict) else {"n": note, "text": "", "urls": []} for note in fields.get("footnotes") or []],
        date_basis=fields.get("date_basis", ""),
        path=fields.get("path", ""),
        heading=fields.get("heading") or None,
        label=fields.get("label") or None,
        cited=[c for c in fields.get("cited", "").split(",") if c],
        event_dates=list(fields.get("event_dates") or []),
        report_url=fields.get("url") or None,
        dup_group=fields.get("dup_group", ""),
    )


ALSO_IN_LISTED = 50


def _also_in(searcher: Searcher, hit: Hit) -> tuple[list[dict[str, str]], int]:
    """The newest other reports holding a paragraph of ``hit``'s repeat group, and how many there are.

    A daily disclaimer repeats in thousands of reports: the newest
    :data:`ALSO_IN_LISTED` are listed, all are counted.
    """
    docnums = list(searcher.document_numbers(dup_group=hit.dup_group))
    dates = searcher.reader().column_reader("date") if searcher.reader().has_column("date") else None
    if dates is not None:
        docnums.sort(key=lambda n: dates[n] or 0, reverse=True)
    others: dict[str, dict[str, str]] = {}
    for docnum in docnums:
        if len(others) == ALSO_IN_LISTED:
            break
        fields = searcher.stored_fields(docnum)
        report_id = fields["report_id"]
        if report_id == hit.report_id or report_id in others:
            continue
        day = fields.get("date")
        others[report_id] = {
            "report_id": report_id,
            "title": fields["title"],
            "date": day.date().isoformat() if day else None,
            "url": f"/reports/{report_id}#p{fields['position']}",
        }
    # Past the listed reports, each further paragraph of the group counts as one more report.
    count = len(others) if len(others) < ALSO_IN_LISTED else len(docnums) - 1
    listed = sorted(others.values(), key=lambda o: o["date"] or "", reverse=True)
    return listed, count


def dated_neighbour(ix: Index, text: str, exclude_path: str = "") -> tuple[date, str] | None:
    """The date of the explicitly dated report most similar to ``text``, and why.

    Similarity is BM25 over the twenty most distinctive terms of ``text``
    (by the index's own term statistics), summed per report.
    """
    with ix.searcher() as searcher:
        keywords = [term for term, _ in searcher.key_terms_from_text("text", text, numterms=20)]
        if not keywords:
            return None
        query = Or([Term("text", word) for word in keywords])
        results = searcher.search(
            query, limit=50, filter=Term("date_inferred", False), mask=Term("path", exclude_path)
        )
        by_report: dict[str, float] = {}
        dates: dict[str, date] = {}
        for hit in results:
            # The stored value, never hit["date"]: for an undated paragraph that
            # falls back to the sortable column, whose filler for a missing
            # date is no datetime (OverflowError, #13).
            day = hit.fields().get("date")
            if day is None:
                continue
            by_report[hit["report_id"]] = by_report.get(hit["report_id"], 0.0) + hit.score
            dates[hit["report_id"]] = day.date()
        if not by_report:
            return None
        best = max(by_report, key=by_report.__getitem__)
        return dates[best], f"the most similar dated report, {best} ({dates[best].isoformat()})"


def search(settings: Settings, q: str = "", **options: Any) -> SearchPage:
    """Open the index, run :meth:`SearchIndex.search` once, and close it again."""
    with SearchIndex(settings) as index:
        return index.search(q, **options)
