"""Run a plan: rank and page its matches, count facets, build hits with snippets; and a whole report.

Ranking runs on arrays (:mod:`search.query.ranking`) when the query allows,
else through Whoosh's searcher; both give the same order.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from whoosh.query import And, Every, Term

from ..errors import BadInput, QuerySyntaxError, ReportNotFound
from ..index import FACET_FIELDS
from ..taxonomy import Taxonomy
from .facets import FacetValue, mask_of
from .generation import DATE_FACETS, _Generation
from .parse import parse_query
from .plan import Plan, highlight_words
from .grouping import group_by_report
from .results import Hit, Report, ReportGroup, SearchPage, also_in, date_column, hit_from_fields
from .snippets import Marker
from .suggest import did_you_mean


def result_page(
    plan: Plan, taxonomy: Taxonomy, sort: str, page: int, per_page: int, collapse: bool, suggest_max_hits: int = 10,
    group: str | None = None,
) -> SearchPage:
    """One page of ``plan``'s hits, in ``sort`` order, with facet counts over all its matches.

    With ``group="report"`` the page holds ``per_page`` reports instead,
    each with its first hits (:mod:`search.query.grouping`); ``total``
    still counts paragraphs and ``reports`` counts the reports.

    "Did you mean" is worked out for at most ``suggest_max_hits`` hits (past
    that only for words the index does not know), never for a literal
    search or one whose names were corrected: a page never both corrects
    and suggests.

    :raises BadInput: ``page`` is past the last page.
    """
    gen, searcher, chosen = plan.gen, plan.gen.searcher, plan.chosen
    q, base, full, text_query = plan.q, plan.base, plan.full, plan.text_query

    # Masks over document numbers: the matches of the query and dates,
    # and for each filtered facet the documents its selection allows.
    matched = plan.base_matches()  # evaluated once: build_plan may have needed it already
    base_docs = matched.mask if matched is not None else mask_of(searcher.docs_for_query(base), gen.doc_count)
    selected_docs = {name: gen.facet(name).docs_of(values) for name, values in chosen.items()}
    excluded_docs = {name: gen.facet(name).docs_of(values) for name, values in plan.excluded.items()}
    kept = _kept(excluded_docs)
    matching = np.logical_and.reduce([base_docs, *selected_docs.values(), *kept])
    # With collapse on, facets count groups as the total does, so a count is
    # the total its link would show (#16).
    groups = gen.groups() if collapse else None
    facets: dict[str, list[FacetValue]] = {}
    for name in (*FACET_FIELDS, *DATE_FACETS):
        # A facet's own selection does not narrow its counts (multi-select).
        others = [docs for other, docs in selected_docs.items() if other != name]
        pool = _every(base_docs, *others)
        # Exclusions narrow every count; a facet's excluded values are counted
        # without their own exclusion: how many matches each leaves out.
        excluded_pool = None
        if name in excluded_docs:
            excluded_pool = _every(pool, *_kept(excluded_docs, but=name))
        facets[name] = gen.facet(name).facet_values(
            _every(pool, *kept), chosen.get(name, ()), by_value=name in DATE_FACETS,
            excluded=plan.excluded.get(name, ()), excluded_pool=excluded_pool, groups=groups,
        )

    collapse_facet = None
    if collapse:
        # One hit per group of repeated paragraphs; the total counts groups.
        total = gen.group_count(matching)
        collapse_facet = "dup_group"
    else:
        total = int(matching.sum())
    if group == "report":
        reports, groups = _report_groups(plan, matching, matched, sort, page, per_page, collapse, collapse_facet, taxonomy)
        return _page(plan, taxonomy, sort, page, per_page, collapse, suggest_max_hits, total, facets,
                     [hit for g in groups for hit in g.hits], group=group, groups=groups, reports=reports)
    pages = max(1, math.ceil(total / per_page))
    if page > pages and total:
        raise BadInput(f"page {page} is past the last page ({pages})")
    hits: list[Hit] = []
    if total:
        order = "newest" if sort == "relevance" and not q.strip() else sort  # no words, no relevance
        extra = highlight_words(taxonomy, text_query)
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
        marker = Marker(text_query, extra)  # the query read once for the whole page
        dates = date_column(searcher) if collapse else None
        for fields, score in ranked:
            found = hit_from_fields(fields, marker.snippet(fields["text"]), score if sort == "relevance" else None)
            if collapse:
                listed, count = also_in(gen, found, dates)
                found = replace(found, also_in=listed, also_in_count=count)
            hits.append(found)
    return _page(plan, taxonomy, sort, page, per_page, collapse, suggest_max_hits, total, facets, hits)


def _page(plan: Plan, taxonomy: Taxonomy, sort: str, page: int, per_page: int, collapse: bool, suggest_max_hits: int,
          total: int, facets: dict[str, list[FacetValue]], hits: list[Hit], **grouped) -> SearchPage:
    start, end, event_start, event_end = plan.start, plan.end, plan.event_start, plan.event_end
    return SearchPage(
        query=plan.q,
        total=total,
        page=page,
        per_page=per_page,
        sort=sort,
        hits=hits,
        facets=facets,
        filters={name: list(values) for name, values in plan.chosen.items()},
        date_from=start.isoformat() if start else None,
        date_to=end.isoformat() if end else None,
        event_from=event_start.isoformat() if event_start else None,
        event_to=event_end.isoformat() if event_end else None,
        collapse=collapse,
        excluded={name: list(values) for name, values in plan.excluded.items()},
        did_you_mean=_suggestion(plan, taxonomy, total, suggest_max_hits),
        **_rewrite_fields(plan),
        all_words=plan.all_words,
        **grouped,
    )


def _report_groups(plan: Plan, matching: np.ndarray, matched, sort: str, page: int, per_page: int, collapse: bool,
                   collapse_facet: str | None, taxonomy: Taxonomy) -> tuple[int, list[ReportGroup]]:
    """How many reports match, and one page of them, each with its first hits, from every match in result order.

    :raises BadInput: ``page`` is past the last page of reports.
    """
    gen, searcher = plan.gen, plan.gen.searcher
    order = "newest" if sort == "relevance" and not plan.q.strip() else sort
    if matched is not None:
        ranked = gen.ordered(matching, matched.scores, order, None, collapse)
        scores = matched.scores
    else:
        sortedby, reverse = {"relevance": (None, False), "newest": ("date", True), "oldest": ("date", False)}[order]
        results = searcher.search(plan.full, limit=None, sortedby=sortedby, reverse=reverse, terms=False,
                                  collapse=collapse_facet, collapse_limit=1)
        ranked = np.array([results.docnum(i) for i in range(len(results))], dtype=np.int64)
        scores = np.zeros(gen.doc_count)
        for i in range(len(results)):
            scores[ranked[i]] = results.score(i)
    numbers = group_by_report(ranked, gen.reports(), page, per_page)
    pages = max(1, math.ceil(numbers.report_count / per_page))
    if page > pages and numbers.report_count:
        raise BadInput(f"page {page} is past the last page ({pages})")
    marker = Marker(plan.text_query, highlight_words(taxonomy, plan.text_query))
    dates = date_column(searcher) if collapse else None
    groups = []
    for docnums, count in numbers.groups:
        hits = []
        for n in docnums:
            fields = searcher.stored_fields(int(n))
            found = hit_from_fields(fields, marker.snippet(fields["text"]), float(scores[n]) if sort == "relevance" else None)
            if collapse:
                listed, also = also_in(gen, found, dates)
                found = replace(found, also_in=listed, also_in_count=also)
            hits.append(found)
        first = hits[0]
        groups.append(ReportGroup(report_id=first.report_id, title=first.title, source=first.source, date=first.date,
                                  date_inferred=first.date_inferred, count=count, hits=hits))
    return numbers.report_count, groups


def _every(first: np.ndarray, *others: np.ndarray) -> np.ndarray:
    """The documents in every mask given: ``first`` itself when it is the only one (read it, never write it)."""
    return np.logical_and.reduce([first, *others]) if others else first


def _kept(excluded_docs: dict[str, np.ndarray], but: str | None = None) -> list[np.ndarray]:
    """Masks of the documents each facet's exclusions keep (all facets but ``but``)."""
    return [~docs for name, docs in excluded_docs.items() if name != but]


def _suggestion(plan: Plan, taxonomy: Taxonomy, total: int, suggest_max_hits: int) -> str | None:
    rewritten = plan.rewritten
    if not plan.q.strip() or rewritten is None or rewritten.corrected:
        return None
    leave = frozenset(word.casefold() for r in rewritten.rewrites for word in r.typed.split())
    return did_you_mean(plan.gen, plan.q, taxonomy, only_unknown=total > suggest_max_hits, leave=leave,
                        query=plan.typed_query)


def _rewrite_fields(plan: Plan) -> dict:
    """The SearchPage fields that say how the query's names were rewritten."""
    rewritten = plan.rewritten
    if rewritten is None or not rewritten.rewrites:
        return {"literal": plan.rewritten is None}
    return {
        "showing_results_for": rewritten.shown,
        "search_instead_for": plan.q,
        "rewrites": [r.to_json() for r in rewritten.rewrites],
        "corrected": rewritten.corrected,
    }


def hit_numbers(plan: Plan, sort: str, limit: int | None) -> list[tuple[int, float | None]]:
    """(document number, score or None) of every hit of ``plan`` (or the first ``limit``), in order."""
    gen = plan.gen
    order = "newest" if sort == "relevance" and not plan.q.strip() else sort
    sortedby, reverse = {"relevance": (None, False), "newest": ("date", True), "oldest": ("date", False)}[order]
    scored = sort == "relevance" and order == "relevance"
    matched = plan.base_matches()
    if matched is not None:
        matching = plan.filtered(matched.mask)
        ordered = gen.ordered(matching, matched.scores, order, limit, collapse=False)
        return [(int(n), float(matched.scores[n]) if scored else None) for n in ordered]
    results = gen.searcher.search(plan.full, limit=limit, sortedby=sortedby, reverse=reverse, terms=False)
    return [(results.docnum(i), results.score(i) if scored else None) for i in range(len(results))]


def report_page(
    gen: _Generation, taxonomy: Taxonomy, report_id: str, highlight_query: str, plan: Plan | None = None,
) -> Report:
    """All paragraphs of one report, in order, with the matches of ``highlight_query`` marked.

    With ``plan`` (the search the report was opened from) the words are
    marked as that search's snippets mark them, and ``matches`` lists the
    paragraphs of this report the search finds: its own query and filters,
    restricted to this report, so the page's "next hit" goes where the
    results would.  Each paragraph's ``pieces`` are its marked text cut at
    its footnote markers.

    :raises ReportNotFound: no report has that id.
    """
    searcher = gen.searcher
    docnums = list(searcher.document_numbers(report_id=report_id))
    if not docnums:
        raise ReportNotFound(f"no report {report_id!r} in the index")
    if plan is not None:
        mark = plan.text_query
        found = set(searcher.docs_for_query(And([plan.full, Term("report_id", report_id)])))
    else:
        try:
            mark = parse_query(highlight_query, searcher, gen, taxonomy)
        except QuerySyntaxError:
            mark = Every()  # a query that cannot mark anything still shows the report
        found = set()
    marker = Marker(mark, highlight_words(taxonomy, mark))
    paragraphs = []
    for docnum in docnums:
        fields = searcher.stored_fields(docnum)
        hit = hit_from_fields(fields, marker.snippet(fields["text"], whole=True), None)
        paragraphs.append(replace(hit, pieces=marker.pieces(hit.text, [at for at, _ in hit.markers])))
    paragraphs.sort(key=lambda p: p.position)
    matching = sorted(fields["position"] for n in found for fields in [searcher.stored_fields(n)])
    first = paragraphs[0]
    return Report(
        report_id=report_id,
        title=first.title,
        source=first.source,
        date=first.date,
        date_inferred=first.date_inferred,
        path=first.path,
        paragraphs=paragraphs,
        url=first.report_url,
        matches=matching,
        searched=plan is not None,
    )


__all__ = ["hit_numbers", "report_page", "result_page"]
