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
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Iterable, Mapping

from whoosh import highlight
from whoosh.index import Index
from whoosh.qparser import PlusMinusPlugin, QueryParser
from whoosh.query import And, AndMaybe, AndNot, DateRange, Every, Not, NullQuery, Or, Query, Term
from whoosh.searching import Searcher

from .config import Settings
from .dates import parse_date_bound
from .errors import BadInput, ParagraphNotFound, QuerySyntaxError, ReportNotFound
from .index import index_identity, open_index
from .schema import FACET_FIELDS
from .taxonomy import load_taxonomy

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
    footnotes: list[int] = field(default_factory=list)
    date_basis: str = ""
    path: str = ""

    def to_json(self) -> dict[str, Any]:
        """The hit as documented in README.md ("JSON")."""
        data = asdict(self)
        for private in ("footnotes", "date_basis", "path"):
            data.pop(private)
        return data


@dataclass(frozen=True)
class FacetValue:
    """A facet value, how many matches carry it, and whether it is selected."""

    value: str
    count: int
    selected: bool = False


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
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {
                name: [{"value": v.value, "count": v.count, "selected": v.selected} for v in values]
                for name, values in self.facets.items()
            },
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


def snippet_html(searcher: Searcher, query: Query, text: str, *, whole: bool = False) -> str:
    """An HTML snippet of ``text`` with the words ``query`` matched marked.

    Short paragraphs (and any paragraph when ``whole``) are shown whole; long
    ones as up to three fragments around the matches.
    """
    text_terms = frozenset(
        t.decode("utf-8") if isinstance(t, bytes) else t for f, t in _wanted_terms(query) if f == "text"
    )
    if not text_terms:
        return html.escape(text if whole else _shorten(text), quote=False)
    fragmenter = (
        highlight.WholeFragmenter()
        if whole or len(text) <= SNIPPET_CHARS
        else highlight.ContextFragmenter(maxchars=220, surround=70)
    )
    analyzer = searcher.schema["text"].analyzer
    marked = highlight.highlight(
        text, text_terms, analyzer, fragmenter, _MarkFormatter(), top=3, scorer=highlight.BasicFragmentScorer()
    )
    return marked or html.escape(text if whole else _shorten(text), quote=False)


def _wanted_terms(query: Query) -> set[tuple[str, Any]]:
    """The (field, term) pairs a query looks for, leaving out what it excludes."""
    if isinstance(query, Not):
        return set()
    if isinstance(query, AndNot):
        return _wanted_terms(query.a)
    children = list(query.children())
    if not children:
        return set(query.iter_all_terms(phrases=True))
    wanted: set[tuple[str, Any]] = set()
    for child in children:
        wanted |= _wanted_terms(child)
    return wanted


def _shorten(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


class _Generation:
    """One index generation: its searcher and the facet postings read from it."""

    def __init__(self, ix: Index, identity: tuple[str, int]) -> None:
        self.identity = identity
        self.searcher = ix.searcher()
        self._facet_docs: dict[str, dict[str, frozenset[int]]] = {}
        self._lock = threading.Lock()

    def facet_docs(self, fieldname: str) -> dict[str, frozenset[int]]:
        """Value -> the document numbers that carry it, for one facet field."""
        with self._lock:
            if fieldname not in self._facet_docs:
                reader = self.searcher.reader()
                values: dict[str, frozenset[int]] = {}
                for term in reader.lexicon(fieldname):
                    value = term.decode("utf-8")
                    if value:
                        docs = frozenset(reader.postings(fieldname, term).all_ids())
                        if docs:
                            values[value] = docs
                self._facet_docs[fieldname] = values
            return self._facet_docs[fieldname]

    def canonical(self, fieldname: str, value: str) -> str:
        """The indexed spelling of a facet value typed in any case."""
        docs = self.facet_docs(fieldname)
        if value in docs:
            return value
        folded = value.casefold()
        return next((known for known in docs if known.casefold() == folded), value)


class SearchIndex:
    """Reads one index directory, reopening its searcher when a new generation lands.

    Thread-safe: the web server shares one instance between requests.  The
    searcher of the previous generation is kept open until the next one
    arrives, so a request that started on it can finish.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The gazetteer maps any spelling of a place ("Kiev") to the name
        # the index holds ("Kyiv"), so filters accept every spelling.
        self.taxonomy = load_taxonomy(settings.taxonomy, settings.gazetteer)
        self._lock = threading.Lock()
        self._ix: Index | None = None
        self._current: _Generation | None = None
        self._previous: _Generation | None = None

    def generation(self) -> _Generation:
        """The searcher for the newest committed generation.

        :raises IndexMissing: there is no index yet.
        :raises SchemaChanged: the index needs a rebuild.
        """
        with self._lock:
            if self._ix is None:
                self._ix = open_index(self.settings.index_dir)
            latest = index_identity(self._ix, self.settings.index_dir)
            if self._current is None or latest != self._current.identity:
                # Re-open the index too: a rebuild may have replaced it entirely.
                self._ix.close()
                self._ix = open_index(self.settings.index_dir)
                if self._previous is not None:
                    self._previous.searcher.close()
                self._previous, self._current = self._current, _Generation(self._ix, latest)
            return self._current

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
        q = q or ""
        if len(q) > settings.max_query_length:
            raise BadInput(f"query is {len(q)} characters long; the limit is {settings.max_query_length}")
        if sort not in SORTS:
            raise BadInput(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
        per_page = settings.per_page if per_page is None else per_page
        if not 1 <= per_page <= settings.max_per_page:
            raise BadInput(f"per_page must be between 1 and {settings.max_per_page}")
        if page < 1:
            raise BadInput("page must be 1 or more")
        chosen = _clean_filters(filters or {})
        start = parse_date_bound(date_from, end=False) if date_from else None
        end = parse_date_bound(date_to, end=True) if date_to else None
        if start and end and start > end:
            raise BadInput(f"'from' ({start}) is after 'to' ({end})")

        gen = self.generation()
        searcher = gen.searcher
        chosen = {name: [self._canonical(gen, name, v) for v in values] for name, values in chosen.items()}
        text_query = parse_query(q, searcher, gen)
        base = text_query
        if start or end:
            base = And([base, _date_range(start, end)])
        facet_filters = {name: Or([Term(name, v) for v in values]) for name, values in chosen.items()}
        full = And([base, *facet_filters.values()]) if facet_filters else base

        base_docs = set(searcher.docs_for_query(base))
        selected_docs = {
            name: set().union(*(gen.facet_docs(name).get(v, frozenset()) for v in values))
            for name, values in chosen.items()
        }
        matching = base_docs.intersection(*selected_docs.values()) if selected_docs else base_docs
        facets: dict[str, list[FacetValue]] = {}
        for name in (*FACET_FIELDS, *DATE_FACETS):
            others = [docs for other, docs in selected_docs.items() if other != name]
            pool = base_docs.intersection(*others) if others else base_docs
            facets[name] = facet_counts(gen.facet_docs(name), pool, chosen.get(name, ()), by_value=name in DATE_FACETS)

        total = len(matching)
        pages = max(1, math.ceil(total / per_page))
        if page > pages and total:
            raise BadInput(f"page {page} is past the last page ({pages})")
        hits: list[Hit] = []
        if total:
            order = "newest" if sort == "relevance" and not q.strip() else sort  # no words, no relevance
            sortedby, reverse = {"relevance": (None, False), "newest": ("date", True), "oldest": ("date", False)}[order]
            results = searcher.search_page(
                full, page, pagelen=per_page, sortedby=sortedby, reverse=reverse, terms=False
            )
            for hit in results:
                hits.append(_hit(hit.fields(), snippet_html(searcher, text_query, hit["text"]), hit.score if sort == "relevance" else None))
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
        )

    def _canonical(self, gen: _Generation, fieldname: str, value: str) -> str:
        if fieldname == "place":
            value = self.taxonomy.canonical_place(value) or value
        return gen.canonical(fieldname, value)

    def report(self, report_id: str, highlight_query: str = "") -> Report:
        """All paragraphs of one report, in order; matches of ``highlight_query`` marked.

        :raises ReportNotFound: no report has that id.
        """
        gen = self.generation()
        searcher = gen.searcher
        docs = [searcher.stored_fields(n) for n in searcher.document_numbers(report_id=report_id)]
        if not docs:
            raise ReportNotFound(f"no report {report_id!r} in the index")
        docs.sort(key=lambda d: d["position"])
        try:
            mark = parse_query(highlight_query, searcher, gen)
        except QuerySyntaxError:
            mark = Every()  # a query that cannot mark anything still shows the report
        paragraphs = [_hit(d, snippet_html(searcher, mark, d["text"], whole=True), None) for d in docs]
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
        searcher = self.generation().searcher
        fields = searcher.document(id=paragraph_id)
        if fields is None:
            raise ParagraphNotFound(f"no paragraph {paragraph_id!r} in the index")
        return _hit(fields, html.escape(fields["text"], quote=False), None)


def facet_counts(
    value_docs: Mapping[str, frozenset[int]],
    pool: set[int],
    selected: Iterable[str] = (),
    *,
    by_value: bool = False,
) -> list[FacetValue]:
    """Count, for each facet value, how many documents of ``pool`` carry it.

    Values with no document in the pool are left out unless selected.  The
    list is ordered by count (most first), or by value for date facets.
    """
    chosen = set(selected)
    counted = [
        FacetValue(value, len(pool & docs) if pool else 0, value in chosen)
        for value, docs in value_docs.items()
    ]
    counted = [v for v in counted if v.count or v.selected]
    if by_value:
        return sorted(counted, key=lambda v: v.value)
    return sorted(counted, key=lambda v: (-v.count, v.value.casefold()))


def _clean_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for name, values in filters.items():
        if name not in FACET_FIELDS:
            raise BadInput(f"unknown filter {name!r}; use one of: {', '.join(FACET_FIELDS)}")
        kept = [v.strip() for v in ([values] if isinstance(values, str) else values) if v and v.strip()]
        if kept:
            chosen[name] = list(dict.fromkeys(kept))
    return chosen


def _date_range(start: date | None, end: date | None) -> Query:
    # Built from python-dateutil's result rather than Whoosh's date parser,
    # whose ranges were wrong in Whoosh 2.7.4 (see pyproject.toml).
    return DateRange(
        "date",
        datetime.combine(start, time.min) if start else None,
        datetime.combine(end, time.max) if end else None,
    )


def parse_query(text: str, searcher: Searcher, gen: _Generation | None = None) -> Query:
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
    text_for_parser = _FIELD_PREFIX.sub(lambda m: m.group(0).replace(m.group(1), QUERY_FIELDS[m.group(1).lower()]), stripped)
    matched = _parse(text_for_parser, "text", searcher)
    if matched is NullQuery:
        raise QuerySyntaxError("the query has no searchable words (only very common words?)")
    if gen is not None:
        matched = _canonical_terms(matched, gen)
    # A paragraph must match in its own text: a word only in the report's
    # title would make every paragraph of that report a hit.  The title
    # (boosted in the schema) still lifts the paragraphs whose report is about it.
    boosted = AndMaybe(matched, _parse(text_for_parser, "title", searcher))
    return And([boosted, *date_ranges]) if date_ranges else boosted


_DATE_TERM = re.compile(r'(?i)(?<![\w-])date:(?:"([^"]*)"|\[([^\]]*)\]|(\S+))')


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
        footnotes=list(fields.get("footnotes") or []),
        date_basis=fields.get("date_basis", ""),
        path=fields.get("path", ""),
    )


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
            if hit.get("date") is None:
                continue
            by_report[hit["report_id"]] = by_report.get(hit["report_id"], 0.0) + hit.score
            dates[hit["report_id"]] = hit["date"].date()
        if not by_report:
            return None
        best = max(by_report, key=by_report.__getitem__)
        return dates[best], f"the most similar dated report, {best} ({dates[best].isoformat()})"


def search(settings: Settings, q: str = "", **options: Any) -> SearchPage:
    """Open the index, run :meth:`SearchIndex.search` once, and close it again."""
    with SearchIndex(settings) as index:
        return index.search(q, **options)
