"""The opensearch back end's searching half: :class:`ClusterIndex`, the same calls as SearchIndex, over a cluster.

A request is checked and parsed exactly as on the Whoosh back end (the
same parser, name rewriting, date reading and relaxing rule), and the
parsed tree is translated into the query DSL (:mod:`search.backends.dsl`).
Facets are terms aggregations: the text and date conditions are the query,
the facet selections and exclusions a ``post_filter``, and each facet is
counted inside a filter aggregation of every *other* facet's selection, so
a facet's own choice never narrows its counts (Sitrep's multi-select).
The timeline is a ``date_histogram``, snippets come from ``highlight``,
``collapse`` is field collapsing on the repeat group, more-like-this is
the ``more_like_this`` query and "did you mean" the term suggester.  Every
answer is one of Sitrep's own dataclasses (search/query/results.py).
"""

from __future__ import annotations

import html
import math
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Iterable, Iterator, Mapping

from whoosh.query import And, Every, Query

from ..config import Settings
from ..errors import BadInput, ParagraphNotFound, QuerySyntaxError, ReportNotFound, SitrepError
from ..index import FACET_FIELDS, build_schema
from ..query.facets import FacetValue
from ..query.generation import DATE_FACETS
from ..query.grouping import check_grouping
from ..query.names import Rewritten, rewrite_names
from ..query.parse import clean_filters, date_range, parse_query, phrases_as_pairs
from ..query.plan import highlight_words
from ..query.request_checks import check_paging, check_query, date_bounds
from ..query.relax import AllWordsFirst, is_plain, word_clauses
from ..query.results import ALSO_IN_LISTED, Hit, Report, ReportGroup, SearchPage, hit_from_fields
from ..query.snippets import Marker
from ..query.suggest import RARE_DOCS, SUGGEST_RATIO, _plain_terms, _typed_word
from ..sections import canonical_section
from ..taxonomy import load_taxonomy
from ..query.timeline import check_interval
from .cluster import GENERATION_ID, cluster_errors, connect, files_alias
from .dsl import FIELDS, highlight_query, to_dsl

FACET_SIZE = 10_000  # every value of a facet is listed, as on the Whoosh back end
# Below this many distinct repeat groups the cardinality aggregation counts
# exactly (up to hash collisions); above it, collapsed counts are estimates.
CARDINALITY_PRECISION = 40_000
SNIPPET_CHARS = 200
REPORT_HITS_SHOWN = 3  # hits under each report with group=report (search/query/grouping.py)
PAGE_OF_SCAN = 1_000  # documents per request when reading all hits


def source_fields(source: Mapping[str, Any]) -> dict[str, Any]:
    """A cluster document's ``_source`` as the stored fields Whoosh gives, for :func:`hit_from_fields`."""
    day = source.get("date")
    return {
        "id": source["id"], "report_id": source["report_id"], "title": source.get("shown_title") or source["title"],
        "text": source["text"], "source": source["source"], "topic": ",".join(source.get("topics") or []),
        "place": ",".join(source.get("places") or []), "section": source.get("section") or "",
        "kind": source["kind"], "position": source["position"],
        "date": datetime.fromisoformat(day) if day else None, "date_inferred": source.get("date_inferred"),
        "date_basis": source.get("date_basis") or "", "footnotes": source.get("footnotes") or [],
        "markers": source.get("markers") or [], "heading": source.get("heading") or "",
        "label": source.get("label") or "", "cited": ",".join(source.get("cited") or []),
        "event_dates": source.get("event_dates") or [], "url": source.get("report_url") or "",
        "path": source.get("path") or "", "dup_group": source.get("dup_group") or "",
    }


class _Stats:
    """Document frequencies from the cluster, in the shape of a Whoosh reader, for name rewriting and parsing."""

    schema = build_schema()

    def __init__(self, index: "ClusterIndex", doc_count: int) -> None:
        self._index = index
        self._count = doc_count
        self._frequencies: dict[tuple[str, str], int] = {}

    def reader(self) -> "_Stats":
        return self

    def doc_count(self) -> int:
        return self._count

    def doc_frequency(self, fieldname: str, text: Any) -> int:
        value = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        key = (fieldname, value)
        if key not in self._frequencies:
            self._frequencies[key] = self._index._count({"term": {FIELDS.get(fieldname, fieldname): value}})
        return self._frequencies[key]


@dataclass
class _Generation:
    """What one state of the cluster's index tells every request: its identity, facet values and statistics."""

    identity: str
    doc_count: int
    values: dict[str, list[str]]
    stats: _Stats
    _folded: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def searcher(self) -> _Stats:
        return self.stats

    def canonical(self, fieldname: str, value: str) -> str:
        """The indexed spelling of a facet value typed in any case (a section also as its heading)."""
        values = self.values.get(fieldname, [])
        if value in values:
            return value
        folded = self._folded.setdefault(fieldname, {v.casefold(): v for v in values})
        found = folded.get(value.casefold(), value)
        if fieldname == "section" and found not in values:
            found = folded.get(canonical_section(value).casefold(), canonical_section(value))
        return found


@dataclass(frozen=True)
class _Plan:
    gen: _Generation
    q: str
    chosen: dict[str, list[str]]
    excluded: dict[str, list[str]]
    text_query: Query
    base: dict[str, Any]
    start: date | None
    end: date | None
    event_start: date | None
    event_end: date | None
    rewritten: Rewritten | None
    all_words: int | None

    def selection(self, but: str | None = None, exclusions_but: str | None = None) -> list[dict[str, Any]]:
        """Filter clauses: every facet's selection but ``but``'s, every exclusion but ``exclusions_but``'s."""
        clauses: list[dict[str, Any]] = [{"terms": {FIELDS[name]: values}} for name, values in self.chosen.items()
                                         if name != but]
        unwanted = [{"terms": {FIELDS[name]: values}} for name, values in self.excluded.items()
                    if name != exclusions_but]
        if unwanted:
            clauses.append({"bool": {"must_not": unwanted}})
        return clauses

    def full(self) -> dict[str, Any]:
        """The query with every filter in it: what the hits match."""
        return {"bool": {"must": [self.base], "filter": self.selection()}}


class ClusterIndex:
    """Searches the paragraphs of an OpenSearch cluster; the same methods and results as SearchIndex.

    Thread-safe: one client (with its connection pool) is shared between
    requests; what a generation of the index knows (facet values, document
    frequencies) is read once and kept until the next ``sitrep index``
    changes the generation stamp in the file list.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.taxonomy = load_taxonomy(settings.taxonomy, settings.gazetteer)
        self._client = connect(settings)
        self._lock = threading.Lock()
        self._gen: _Generation | None = None

    # -- the cluster -------------------------------------------------------

    def _call(self, method: str, **kwargs: Any) -> Any:
        with cluster_errors(self.settings):
            return getattr(self._client, method)(index=self.settings.opensearch_index, **kwargs)

    def _count(self, query: dict[str, Any]) -> int:
        return int(self._call("count", body={"query": query})["count"])

    def _generation(self) -> _Generation:
        with cluster_errors(self.settings):
            try:
                stamp = self._client.get(index=files_alias(self.settings), id=GENERATION_ID)["_source"]["generation"]
            except Exception as error:  # a missing stamp: the index is there but was never finished
                from opensearchpy import NotFoundError

                if isinstance(error, NotFoundError):
                    stamp = ""
                else:
                    raise
        with self._lock:
            if self._gen is not None and self._gen.identity == stamp and stamp:
                return self._gen
        aggs = {name: {"terms": {"field": FIELDS[name], "size": FACET_SIZE}} for name in FACET_FIELDS}
        found = self._call("search", body={"size": 0, "track_total_hits": True, "aggs": aggs})
        values = {name: sorted(b["key"] for b in found["aggregations"][name]["buckets"]) for name in FACET_FIELDS}
        total = found["hits"]["total"]["value"]
        gen = _Generation(stamp, total, values, _Stats(self, total))
        with self._lock:
            self._gen = gen
        return gen

    def check(self) -> int:
        """How many paragraphs the cluster's index holds.

        :raises ClusterUnavailable: the cluster does not answer or has no index.
        """
        return self._generation().doc_count

    def warm(self, postings_mb: int = 0) -> bool:
        """Read the index's statistics before the first request; the cluster keeps its own caches.

        ``sitrep serve`` warms its back end in gunicorn's master before the
        workers fork, so a cluster that does not answer is said at start.

        Returns False: nothing new is kept here for the page to fill.

        :raises ClusterUnavailable: the cluster does not answer or has no index.
        """
        self._generation()
        return False

    def close(self) -> None:
        """Close the client's connections."""
        with cluster_errors(self.settings):
            self._client.close()

    def __enter__(self) -> "ClusterIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- planning ----------------------------------------------------------

    def _plan(self, gen: _Generation, q, filters, date_from, date_to, event_from, event_to, sort, literal=False,
              exclude=None) -> _Plan:
        """Check a request as search/query/plan.py's build_plan does and translate its queries.

        :raises QuerySyntaxError, BadDate, BadInput: as :meth:`search`.
        """
        settings = self.settings
        q = check_query(settings, q, sort)
        chosen = clean_filters(filters or {})
        bounds = date_bounds(date_from, date_to, event_from, event_to)
        start, end, event_start, event_end = bounds.start, bounds.end, bounds.event_start, bounds.event_end
        chosen = {name: [self._canonical(gen, name, v) for v in values] for name, values in chosen.items()}
        excluded = {name: list(dict.fromkeys(self._canonical(gen, name, v) for v in values))
                    for name, values in clean_filters(exclude or {}).items()}
        rewritten = None if literal else rewrite_names(q, self.taxonomy, gen.stats, settings.name_form_max_percent)
        searched = rewritten.text if rewritten else q
        text_query = parse_query(searched, gen.stats, gen)
        weight = settings.bm25_title_weight / settings.bm25_text_weight

        def conditions(text: Query) -> dict[str, Any]:
            base: Query = phrases_as_pairs(text)
            if start or end:
                base = And([base, date_range(start, end)])
            if event_start or event_end:
                base = And([base, date_range(event_start, event_end, "event_date")])
            return to_dsl(base, weight)

        base = conditions(text_query)
        plan = _Plan(gen, q, chosen, excluded, text_query, base, start, end, event_start, event_end, rewritten, None)
        if settings.relax_below and not literal and sort == "relevance" and is_plain(q):
            found = min(self._count(plan.full()), settings.relax_below)
            clauses = word_clauses(searched, lambda unit: parse_query(unit, gen.stats, gen)) \
                if found < settings.relax_below else []
            if clauses:
                loose = AllWordsFirst(clauses)
                relaxed = replace(plan, text_query=loose, base=conditions(loose), all_words=found)
                if self._count(relaxed.full()) > found:
                    plan = relaxed
        return plan

    @staticmethod
    def _canonical(gen: _Generation, fieldname: str, value: str) -> str:
        return gen.canonical(fieldname, value)

    # -- searching ---------------------------------------------------------

    def search(
        self, q: str = "", *, filters: Mapping[str, Iterable[str]] | None = None, date_from: str | None = None,
        date_to: str | None = None, sort: str = "relevance", page: int = 1, per_page: int | None = None,
        event_from: str | None = None, event_to: str | None = None, collapse: bool = False, literal: bool = False,
        exclude: Mapping[str, Iterable[str]] | None = None, group: str | None = None, interval: str = "auto",
    ) -> SearchPage:
        """One page of hits with facet counts over all matches, as :meth:`SearchIndex.search` returns.

        :raises QuerySyntaxError: the query cannot be parsed.
        :raises BadDate: a date bound is not a date.
        :raises BadInput: an unknown filter, sort, grouping or interval, or a page out of range.
        :raises ClusterUnavailable: the cluster does not answer, or has no index.
        """
        settings = self.settings
        group = check_grouping(group)
        check_interval(interval)
        per_page = check_paging(settings, page, per_page)
        gen = self._generation()
        plan = self._plan(gen, q, filters, date_from, date_to, event_from, event_to, sort, literal, exclude)
        order = "newest" if sort == "relevance" and not q.strip() else sort
        body: dict[str, Any] = {
            "query": plan.base,
            "post_filter": {"bool": {"filter": plan.selection()}},
            "track_total_hits": True,
            "aggs": self._facet_aggs(plan, collapse),
            "from": (page - 1) * per_page,
            "size": 0 if group else per_page,
            "sort": self._sort(order),
            "_source": {"excludes": ["words", "title_words", "pairs"]},
        }
        marks = self._highlight(plan)
        if marks and not group:
            body["highlight"] = marks
        if collapse:
            body["collapse"] = {"field": "dup_group"}
        found = self._call("search", body=body)
        aggs = found["aggregations"]
        facets = self._facets(plan, aggs, collapse)
        total = int(aggs["groups"]["count"]["value"]) if collapse else int(found["hits"]["total"]["value"])
        grouped: dict[str, Any] = {}
        if group == "report":
            reports, groups = self._report_groups(plan, order, sort, page, per_page, collapse, marks)
            hits = [hit for g in groups for hit in g.hits]
            grouped = {"group": group, "groups": groups, "reports": reports}
        else:
            pages = max(1, math.ceil(total / per_page))
            if page > pages and total:
                raise BadInput(f"page {page} is past the last page ({pages})")
            hits = [self._hit(raw, sort) for raw in found["hits"]["hits"]]
            if collapse:
                hits = self._with_also_in(hits)
        start, end, event_start, event_end = plan.start, plan.end, plan.event_start, plan.event_end
        return SearchPage(
            query=q, total=total, page=page, per_page=per_page, sort=sort, hits=hits, facets=facets,
            filters={name: list(values) for name, values in plan.chosen.items()},
            date_from=start.isoformat() if start else None, date_to=end.isoformat() if end else None,
            event_from=event_start.isoformat() if event_start else None,
            event_to=event_end.isoformat() if event_end else None, collapse=collapse,
            excluded={name: list(values) for name, values in plan.excluded.items()},
            did_you_mean=self._suggestion(plan, total), **self._rewrite_fields(plan), all_words=plan.all_words,
            interval=interval, **grouped,
        )

    @staticmethod
    def _sort(order: str) -> list[Any]:
        # Ties in score or date in index order, as Whoosh leaves them.
        if order == "relevance":
            return ["_score", {"order": "asc"}]
        direction = "desc" if order == "newest" else "asc"
        return [{"date": {"order": direction, "missing": "_last"}}, {"order": "asc"}]

    def _highlight(self, plan: _Plan) -> dict[str, Any] | None:
        marking = highlight_query(plan.text_query, highlight_words(self.taxonomy, plan.text_query))
        if marking is None:
            return None
        return {"fields": {"text": {"number_of_fragments": 1, "fragment_size": SNIPPET_CHARS,
                                    "no_match_size": SNIPPET_CHARS}},
                "highlight_query": marking, "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html"}

    def _facet_aggs(self, plan: _Plan, collapse: bool) -> dict[str, Any]:
        """One filter aggregation per facet (every other facet's selection) around its terms; see the module docstring."""
        groups = {"count": {"cardinality": {"field": "dup_group", "precision_threshold": CARDINALITY_PRECISION}}}
        per_value = {"aggs": groups} if collapse else {}
        aggs: dict[str, Any] = {"groups": {"filter": {"bool": {"filter": plan.selection()}}, "aggs": groups}} \
            if collapse else {}
        for name in FACET_FIELDS:
            aggs[name] = {"filter": {"bool": {"filter": plan.selection(but=name)}},
                          "aggs": {"values": {"terms": {"field": FIELDS[name], "size": FACET_SIZE}, **per_value}}}
            if name in plan.excluded:
                # An excluded value's count: how many matches its exclusion leaves out.
                aggs[f"{name}_excluded"] = {
                    "filter": {"bool": {"filter": plan.selection(but=name, exclusions_but=name)}},
                    "aggs": {"values": {"terms": {"field": FIELDS[name], "include": plan.excluded[name],
                                                  "size": len(plan.excluded[name])}, **per_value}}}
        for name, interval, shape in (("month", "month", "yyyy-MM"), ("day", "day", "yyyy-MM-dd")):
            aggs[name] = {"filter": {"bool": {"filter": plan.selection()}},
                          "aggs": {"values": {"date_histogram": {"field": "date", "calendar_interval": interval,
                                                                 "format": shape, "min_doc_count": 1},
                                              **per_value}}}
        return aggs

    @staticmethod
    def _bucket_counts(agg: Mapping[str, Any], collapse: bool) -> dict[str, int]:
        return {bucket.get("key_as_string", bucket["key"]): int(bucket["count"]["value"] if collapse
                                                                 else bucket["doc_count"])
                for bucket in agg["values"]["buckets"]}

    def _facets(self, plan: _Plan, aggs: Mapping[str, Any], collapse: bool) -> dict[str, list[FacetValue]]:
        facets: dict[str, list[FacetValue]] = {}
        for name in (*FACET_FIELDS, *DATE_FACETS):
            counts = self._bucket_counts(aggs[name], collapse)
            chosen, dropped = set(plan.chosen.get(name, ())), set(plan.excluded.get(name, ()))
            left_out = self._bucket_counts(aggs[f"{name}_excluded"], collapse) if dropped else {}
            found = [FacetValue(value, count, value in chosen) for value, count in counts.items()
                     if count and value not in dropped]
            found.extend(FacetValue(value, 0, True) for value in chosen if not counts.get(value) and value not in dropped)
            found.extend(FacetValue(value, left_out.get(value, 0), value in chosen, True) for value in dropped)
            if name in DATE_FACETS:
                facets[name] = sorted(found, key=lambda v: v.value)
            else:
                facets[name] = sorted(found, key=lambda v: (-v.count, v.value.casefold()))
        return facets

    def _hit(self, raw: Mapping[str, Any], sort: str) -> Hit:
        fields = source_fields(raw["_source"])
        marked = raw.get("highlight", {}).get("text")
        if marked:
            snippet = marked[0]
            if not fields["text"].startswith(html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))[:20]):
                snippet = "… " + snippet
        else:
            snippet = html.escape(fields["text"][:SNIPPET_CHARS], quote=False)
        if len(html.unescape(snippet.replace("<mark>", "").replace("</mark>", "")).lstrip("… ")) < len(fields["text"]) \
                and not snippet.endswith("…"):
            snippet += " …"
        score = raw.get("_score") if sort == "relevance" else None
        return hit_from_fields(fields, snippet, float(score) if score is not None else None)

    def _with_also_in(self, hits: list[Hit]) -> list[Hit]:
        """Each collapsed hit with the other reports that hold its repeat group (all of them, as Whoosh lists)."""
        if not hits:
            return hits
        searches: list[dict[str, Any]] = []
        for hit in hits:
            searches += [{"index": self.settings.opensearch_index},
                         {"query": {"term": {"dup_group": hit.dup_group}}, "size": ALSO_IN_LISTED + 1,
                          "track_total_hits": True, "sort": [{"date": {"order": "desc", "missing": "_last"}}, {"order": "asc"}],
                          "_source": ["report_id", "shown_title", "title", "date", "position"]}]
        with cluster_errors(self.settings):
            answers = self._client.msearch(body=searches)["responses"]
        listed_hits = []
        for hit, answer in zip(hits, answers):
            if "error" in answer:
                raise SitrepError(f"the OpenSearch cluster could not list repeats: {answer['error']}")
            others: dict[str, dict[str, Any]] = {}
            for raw in answer["hits"]["hits"]:
                src = raw["_source"]
                if len(others) == ALSO_IN_LISTED:
                    break
                if src["report_id"] == hit.report_id or src["report_id"] in others:
                    continue
                others[src["report_id"]] = {"report_id": src["report_id"],
                                            "title": src.get("shown_title") or src["title"],
                                            "date": src.get("date"),
                                            "url": f"/reports/{src['report_id']}#p{src['position']}"}
            group_size = int(answer["hits"]["total"]["value"])
            count = len(others) if len(others) < ALSO_IN_LISTED else group_size - 1
            listed = sorted(others.values(), key=lambda o: o["date"] or "", reverse=True)
            listed_hits.append(replace(hit, also_in=listed, also_in_count=count))
        return listed_hits

    def _report_groups(self, plan: _Plan, order: str, sort: str, page: int, per_page: int, collapse: bool,
                       marks: dict[str, Any] | None) -> tuple[int, list[ReportGroup]]:
        """A page of reports in the order of their first hit, each with its first hits (field collapsing on report_id)."""
        inner: dict[str, Any] = {"name": "first", "size": REPORT_HITS_SHOWN, "sort": self._sort(order),
                                 "_source": {"excludes": ["words", "title_words", "pairs"]}}
        if marks:
            inner["highlight"] = marks
        body = {"query": plan.full(), "collapse": {"field": "report_id", "inner_hits": inner},
                "from": (page - 1) * per_page, "size": per_page, "sort": self._sort(order),
                "_source": False, "track_total_hits": False,
                "aggs": {"reports": {"cardinality": {"field": "report_id",
                                                     "precision_threshold": CARDINALITY_PRECISION}}}}
        found = self._call("search", body=body)
        reports = int(found["aggregations"]["reports"]["value"])
        pages = max(1, math.ceil(reports / per_page))
        if page > pages and reports:
            raise BadInput(f"page {page} is past the last page ({pages})")
        groups = []
        for raw in found["hits"]["hits"]:
            inner_hits = raw["inner_hits"]["first"]["hits"]
            hits = [self._hit(h, sort) for h in inner_hits["hits"]]
            if collapse:
                hits = self._with_also_in(hits)
            first = hits[0]
            groups.append(ReportGroup(report_id=first.report_id, title=first.title, source=first.source,
                                      date=first.date, date_inferred=first.date_inferred,
                                      count=int(inner_hits["total"]["value"]), hits=hits))
        return reports, groups

    def _suggestion(self, plan: _Plan, total: int) -> str | None:
        rewritten = plan.rewritten
        if not plan.q.strip() or rewritten is None or rewritten.corrected:
            return None
        leave = frozenset(word.casefold() for r in rewritten.rewrites for word in r.typed.split())
        return self._did_you_mean(plan.gen, plan.q, only_unknown=total > self.settings.suggest_max_hits, leave=leave)

    def _did_you_mean(self, gen: _Generation, q: str, *, only_unknown: bool = False,
                      leave: frozenset[str] = frozenset()) -> str | None:
        """Rare typed words replaced by the term suggester's most frequent close word (the rule of search/query/suggest.py)."""
        try:
            query = parse_query(q, gen.stats, gen)
        except SitrepError:
            return None
        suggestion, changed = q, False
        for node in _plain_terms(query):
            stem = node.text.decode("utf-8") if isinstance(node.text, bytes) else node.text
            frequency = gen.stats.doc_frequency("text", stem)
            if frequency > (0 if only_unknown else RARE_DOCS) or len(stem) < 4:
                continue
            typed = _typed_word(q, stem)
            if typed is None or typed.casefold() in leave or self.taxonomy.name_of(typed):
                continue
            body = {"size": 0, "suggest": {"word": {"text": typed.lower(), "term": {
                "field": "text.plain", "suggest_mode": "popular", "max_edits": 1 if len(typed) <= 5 else 2,
                "sort": "frequency", "size": 5, "min_word_length": 4}}}}
            options = self._call("search", body=body)["suggest"]["word"]
            best = max((o for entry in options for o in entry["options"]), key=lambda o: o["freq"], default=None)
            if best is None or best["freq"] < max(1, frequency) * SUGGEST_RATIO:
                continue
            suggestion = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", best["text"], suggestion, count=1)
            changed = True
        return suggestion if changed and suggestion != q else None

    @staticmethod
    def _rewrite_fields(plan: _Plan) -> dict[str, Any]:
        rewritten = plan.rewritten
        if rewritten is None or not rewritten.rewrites:
            return {"literal": plan.rewritten is None}
        return {"showing_results_for": rewritten.shown, "search_instead_for": plan.q,
                "rewrites": [r.to_json() for r in rewritten.rewrites], "corrected": rewritten.corrected}

    def iter_hits(
        self, q: str = "", *, filters: Mapping[str, Iterable[str]] | None = None, date_from: str | None = None,
        date_to: str | None = None, event_from: str | None = None, event_to: str | None = None,
        sort: str = "relevance", limit: int | None = None, literal: bool = False,
        exclude: Mapping[str, Iterable[str]] | None = None,
    ) -> Iterator[Hit]:
        """Every matching paragraph (or the first ``limit``), in order, without snippets: for exports and feeds.

        The request is checked before the first hit is read (search_after pages).

        :raises QuerySyntaxError, BadDate, BadInput, ClusterUnavailable: as :meth:`search`.
        """
        gen = self._generation()
        plan = self._plan(gen, q, filters, date_from, date_to, event_from, event_to, sort, literal, exclude)
        order = "newest" if sort == "relevance" and not plan.q.strip() else sort
        scored = sort == "relevance" and order == "relevance"
        return self._scan(plan.full(), [*self._sort(order), {"id": "asc"}], limit, scored)

    def _scan(self, query: dict[str, Any], sort: list[Any], limit: int | None, scored: bool) -> Iterator[Hit]:
        after = None
        given = 0
        while limit is None or given < limit:
            size = PAGE_OF_SCAN if limit is None else min(PAGE_OF_SCAN, limit - given)
            body: dict[str, Any] = {"query": query, "size": size, "sort": sort, "track_total_hits": False,
                                    "_source": {"excludes": ["words", "title_words", "pairs"]}}
            if after is not None:
                body["search_after"] = after
            found = self._call("search", body=body)["hits"]["hits"]
            for raw in found:
                score = raw.get("_score") if scored else None
                yield hit_from_fields(source_fields(raw["_source"]), "", float(score) if score is not None else None)
                given += 1
            if len(found) < size:
                return
            after = found[-1]["sort"]

    def newest_date(self) -> str | None:
        """The newest report date (``YYYY-MM-DD``) of any paragraph, or None when none is dated."""
        found = self._call("search", body={"size": 0, "aggs": {"newest": {"max": {"field": "date",
                                                                                 "format": "yyyy-MM-dd"}}}})
        return found["aggregations"]["newest"].get("value_as_string")

    def _source_of(self, paragraph_id: str) -> dict[str, Any]:
        from opensearchpy import NotFoundError

        with cluster_errors(self.settings):
            try:
                found = self._client.search(index=self.settings.opensearch_index, body={
                    "query": {"term": {"id": paragraph_id}}, "size": 1,
                    "_source": {"excludes": ["words", "title_words", "pairs"]}})
            except NotFoundError:
                raise
        hits = found["hits"]["hits"]
        if not hits:
            raise ParagraphNotFound(f"no paragraph {paragraph_id!r} in the index")
        return hits[0]["_source"]

    def paragraph(self, paragraph_id: str) -> Hit:
        """One paragraph by its id.

        :raises ParagraphNotFound: no paragraph has that id.
        """
        fields = source_fields(self._source_of(paragraph_id))
        return hit_from_fields(fields, html.escape(fields["text"], quote=False), None)

    def more_like_this(self, paragraph_id: str, top: int = 10) -> list[Hit]:
        """Paragraphs most similar to one paragraph (OpenSearch's more_like_this over Sitrep's terms); repeats left out.

        :raises ParagraphNotFound: no paragraph has that id.
        """
        source = self._source_of(paragraph_id)
        body = {"size": top, "_source": {"excludes": ["words", "title_words", "pairs"]}, "query": {"bool": {
            "must": [{"more_like_this": {"fields": ["words"], "like": [{"_id": paragraph_id,
                                                                         "_index": self.settings.opensearch_index}],
                                         "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 20}}],
            "must_not": [{"term": {"dup_group": source.get("dup_group") or ""}}, {"term": {"id": paragraph_id}}]}}}
        # more_like_this names a document by its _id: a paragraph's _id is its id (idempotent bulk loads).
        found = self._call("search", body=body)["hits"]["hits"]
        return [self._hit(raw, "relevance") for raw in found]

    def suggest(self, q: str) -> str | None:
        """A "did you mean" query: rare words replaced by a close, much more frequent word (the term suggester)."""
        return self._did_you_mean(self._generation(), q)

    def report(
        self, report_id: str, highlight_query: str = "", *, filters: Mapping[str, Iterable[str]] | None = None,
        date_from: str | None = None, date_to: str | None = None, event_from: str | None = None,
        event_to: str | None = None, literal: bool = False, exclude: Mapping[str, Iterable[str]] | None = None,
    ) -> Report:
        """All paragraphs of one report, in order; matches of the search it was opened from marked and listed.

        Words are marked by Sitrep's own marker (search/query/snippets.py),
        which cuts the text at its footnote markers for the report page.

        :raises ReportNotFound: no report has that id.
        """
        filters = {name: list(values) for name, values in (filters or {}).items()}
        exclude = {name: list(values) for name, values in (exclude or {}).items()}
        gen = self._generation()
        plan = None
        if highlight_query.strip() or date_from or date_to or event_from or event_to or any(
                values for values in (*filters.values(), *exclude.values())):
            try:
                plan = self._plan(gen, highlight_query, filters, date_from, date_to, event_from, event_to,
                                  "relevance", literal, exclude)
            except BadInput:
                plan = None
        in_report = {"term": {"report_id": report_id}}
        sources = [hit for hit in self._scan(in_report, [{"position": "asc"}, {"id": "asc"}], None, False)]
        if not sources:
            raise ReportNotFound(f"no report {report_id!r} in the index")
        if plan is not None:
            mark = plan.text_query
            matching = sorted(hit.position for hit in self._scan(
                {"bool": {"must": [plan.full()], "filter": [in_report]}}, [{"position": "asc"}], None, False))
        else:
            try:
                mark = parse_query(highlight_query, gen.stats, gen, self.taxonomy)
            except QuerySyntaxError:
                mark = Every()
            matching = []
        marker = Marker(mark, highlight_words(self.taxonomy, mark))
        paragraphs = [replace(hit, snippet=marker.snippet(hit.text, whole=True),
                              pieces=marker.pieces(hit.text, [at for at, _ in hit.markers])) for hit in sources]
        first = paragraphs[0]
        return Report(report_id=report_id, title=first.title, source=first.source, date=first.date,
                      date_inferred=first.date_inferred, path=first.path, paragraphs=paragraphs,
                      url=first.report_url, matches=matching, searched=plan is not None)


__all__ = ["ClusterIndex", "source_fields"]
