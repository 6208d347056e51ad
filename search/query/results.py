"""What a search returns: :class:`SearchPage`, :class:`Hit` and :class:`Report`, and hits made from stored fields.

Our own frozen dataclasses, never a Whoosh ``Results``, which keeps its
searcher open; their ``to_json`` is the JSON the CLI and the API print.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Mapping

from whoosh.searching import Searcher

from .facets import FacetValue
from .mapping import PlaceMap, place_map
from .relax import relaxed_note
from .timeline import Timeline, date_histogram



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
    # (offset in ``text``, note number) of each footnote marker the text had.
    markers: list[tuple[int, int]] = field(default_factory=list)
    # On a report page: the whole text as marked HTML, cut at each marker
    # (one more piece than ``markers``), for putting the markers back.
    pieces: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The hit as documented in README.md ("JSON")."""
        data = asdict(self)
        for private in ("date_basis", "path", "dup_group", "markers", "pieces"):
            data.pop(private)
        return data


@dataclass(frozen=True)
class ReportGroup:
    """One report's hits on a page grouped by report (``group="report"``)."""

    report_id: str
    title: str
    source: str
    date: str | None
    date_inferred: bool
    count: int  # its matching paragraphs (distinct ones with collapse); ``hits`` shows the first few
    hits: list[Hit]

    @property
    def more(self) -> int:
        """How many of its matches are not shown under its heading."""
        return self.count - len(self.hits)

    def to_json(self) -> dict[str, Any]:
        """The group as documented in README.md ("JSON API")."""
        return {
            "report_id": self.report_id, "title": self.title, "source": self.source, "date": self.date,
            "date_inferred": self.date_inferred, "url": f"/reports/{self.report_id}", "count": self.count,
            "more": self.more, "hits": [hit.to_json() for hit in self.hits],
        }


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
    # What was searched when names were rewritten (search/query/names.py),
    # and the query as typed, which ``literal`` searches without rewriting.
    showing_results_for: str | None = None
    search_instead_for: str | None = None
    rewrites: list[dict[str, Any]] = field(default_factory=list)
    corrected: bool = False  # a word was replaced, not only joined by other forms
    literal: bool = False
    # Set when few or no paragraphs had all the plain words, so the hits
    # are those with most of them (#15): how many had them all.
    all_words: int | None = None
    excluded: dict[str, list[str]] = field(default_factory=dict)  # facet values no hit carries
    # With group="report": the page's reports, each with its first hits
    # (``hits`` is then all of them in order), and how many reports match.
    group: str | None = None
    groups: list[ReportGroup] = field(default_factory=list)
    reports: int | None = None
    interval: str = "auto"  # the timeline's bars: "auto" or day, week, month, year (search/query/timeline.py)

    @property
    def counted(self) -> str:
        """What ``total`` and the facet counts count: "groups" of repeats when collapsed, else "paragraphs"."""
        return "groups" if self.collapse else "paragraphs"

    @cached_property  # the page and its JSON both draw it; a cached page is shared, its timeline too
    def timeline(self) -> Timeline:
        """Matching paragraphs per day, week, month or year (``interval``), from the ``day`` facet."""
        return date_histogram(((v.value, v.count) for v in self.facets.get("day", [])), self.interval)

    @cached_property
    def places_map(self) -> PlaceMap:
        """The place facet's places with their coordinates (:mod:`search.query.mapping`)."""
        return place_map(self.facets.get("place", []))

    @property
    def relaxed(self) -> bool:
        """Whether the query's words were relaxed to a ranked OR (search/query/relax.py)."""
        return self.all_words is not None

    @property
    def relaxed_note(self) -> str | None:
        """What the page and the CLI say when not every hit has all the words."""
        return relaxed_note(self.all_words) if self.all_words is not None else None

    @property
    def pages(self) -> int:
        """The number of result pages (of reports, when grouped by report)."""
        counted = self.reports if self.group == "report" and self.reports is not None else self.total
        return max(1, math.ceil(counted / self.per_page))

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
            "exclude": self.excluded,
            "from": self.date_from,
            "to": self.date_to,
            "event_from": self.event_from,
            "event_to": self.event_to,
            "collapse": self.collapse,
            "counted": self.counted,
            "hits": [hit.to_json() for hit in self.hits],
            **({"group": self.group, "reports": self.reports, "groups": [g.to_json() for g in self.groups]}
               if self.group else {"group": None}),
            "facets": {
                name: [{"value": v.value, "count": v.count, "selected": v.selected, "excluded": v.excluded}
                       for v in values]
                for name, values in self.facets.items()
            },
            "timeline": self.timeline.to_json(),
            "map": self.places_map.to_json(),
            "did_you_mean": self.did_you_mean,
            "showing_results_for": self.showing_results_for,
            "search_instead_for": self.search_instead_for,
            "rewrites": self.rewrites,
            "literal": self.literal,
            "relaxed": self.relaxed,
            "all_words": self.all_words,
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
    url: str | None = None  # the report's address on the web, when known
    # Positions of the paragraphs that match the search the report was
    # opened from (its query and filters), in report order; empty without one.
    matches: list[int] = field(default_factory=list)
    searched: bool = False  # whether a search was given (and could run): ``matches`` is meaningful

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "report_id": self.report_id,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "date_inferred": self.date_inferred,
            "path": self.path,
            "url": self.url,
            "paragraphs": [p.to_json() for p in self.paragraphs],
        }


def hit_from_fields(fields: Mapping[str, Any], snippet: str, score: float | None) -> Hit:
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
        markers=[(int(at), int(n)) for at, n in fields.get("markers") or []],
    )


ALSO_IN_LISTED = 50


def date_column(searcher: Searcher) -> Any:
    """The reader's ``date`` column (None when it has none): making it opens every segment's column."""
    reader = searcher.reader()
    return reader.column_reader("date") if reader.has_column("date") else None


def also_in(gen: Any, hit: Hit, dates: Any = None) -> tuple[list[dict[str, str]], int]:
    """The newest other reports holding a paragraph of ``hit``'s repeat group, and how many there are.

    A daily disclaimer repeats in thousands of reports: the newest
    :data:`ALSO_IN_LISTED` are listed, all are counted.  ``dates`` is the
    reader's ``date`` column (:func:`date_column`), read once for a page's hits.
    The group's paragraphs come from the ``dup_group`` column, which has no
    terms (schema 8, :meth:`~search.query.generation._Generation.group_members`).
    ``gen`` is that generation, typed loosely: generation.py imports this
    module, so this one cannot import it back.
    """
    searcher = gen.searcher
    docnums = gen.group_members(hit.dup_group).tolist()
    if dates is None:
        dates = date_column(searcher)
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


__all__ = ["Hit", "Report", "ReportGroup", "SearchPage", "also_in", "date_column", "hit_from_fields"]
