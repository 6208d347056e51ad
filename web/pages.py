"""The HTML pages: search results and reports in context.

Views build plain values (strings, numbers, booleans, finished URLs) for the
templates, which only loop and test.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from search import FACET_FIELDS, Hit, SearchPage

from .map import map_view
from .params import (
    COLUMNS, TRUE_VALUES, absolute_url, carried_state, exclude_url, search_index, search_options, state_url,
    toggle_url, view_options, without_empty,
)
from .timeline import timeline_view

bp = Blueprint("pages", __name__)

FACET_LABELS = {
    "topic": "Topic", "source": "Source", "place": "Place", "section": "Section",
    "label": "Evidence", "cited": "Cited domain",
}
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first"}
VIEW_LABELS = {"": "List view", "table": "Table view"}  # the list is the default: no view= in its URLs
FACET_SHOWN = 12


def _hit_view(hit: Hit, args: MultiDict, q: str) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        # The whole search state rides along, for the report's "Back to results" (#16).
        "report_url": url_for("pages.report_page", report_id=hit.report_id, p=hit.position, **carried_state(args))
        + f"#p{hit.position}",
        "date": hit.date or "undated",
        "date_inferred": hit.date_inferred,
        "source": hit.source,
        "source_url": toggle_url(args, "source", hit.source),
        "section": hit.section,
        "section_url": toggle_url(args, "section", hit.section) if hit.section else None,
        "label": hit.label,
        "label_url": toggle_url(args, "label", hit.label) if hit.label else None,
        "kind": hit.kind,
        "also_in_count": hit.also_in_count,
        "also_in": [
            {"title": other["title"], "date": other["date"] or "undated",
             "url": url_for("pages.report_page", report_id=other["report_id"]) + "#" + other["url"].rsplit("#", 1)[-1]}
            for other in hit.also_in
        ],
        # Built by search.query.snippet_html, which escapes the text first.
        "snippet": Markup(hit.snippet),
        # Topic and place tags may share a name ("Syria"): each says its kind, in words.
        "tags": [
            {"label": value, "url": toggle_url(args, name, value), "kind": name, "kind_label": name}
            for name, values in (("topic", hit.topics), ("place", hit.places))
            for value in values
        ],
        "position": hit.position,
        # The table view's Topic and Place cells.
        "topics": [{"label": value, "url": toggle_url(args, "topic", value)} for value in hit.topics],
        "places": [{"label": value, "url": toggle_url(args, "place", value)} for value in hit.places],
    }


def _facet_views(page: SearchPage, args: MultiDict) -> list[dict[str, Any]]:
    # No Month list: the timeline above the results shows the same counts, by any interval (#16).
    views = []
    for name in FACET_FIELDS:
        values = page.facets.get(name, [])
        if not values:
            continue
        items = [
            {
                "value": v.value,
                "count": v.count,
                "selected": v.selected,
                "excluded": v.excluded,
                "url": toggle_url(args, name, v.value),
                "exclude_url": exclude_url(args, name, v.value),
            }
            for v in values
        ]
        views.append(
            {
                "name": name,
                "label": FACET_LABELS[name],
                "shown": items[:FACET_SHOWN],
                "more": items[FACET_SHOWN:],
            }
        )
    return views


def _chips(page: SearchPage, args: MultiDict) -> list[dict[str, str]]:
    chips = [
        {"label": f"{FACET_LABELS[name]}: {value}", "url": toggle_url(args, name, value)}
        for name, values in page.filters.items()
        for value in values
    ] + [
        {"label": f"{FACET_LABELS[name]}: not {value}", "url": exclude_url(args, name, value), "excluded": True}
        for name, values in page.excluded.items()
        for value in values
    ]
    if page.date_from:
        chips.append({"label": f"From {page.date_from}", "url": state_url(args, **{"from": None})})
    if page.date_to:
        chips.append({"label": f"To {page.date_to}", "url": state_url(args, **{"to": None})})
    if page.event_from:
        chips.append({"label": f"Events from {page.event_from}", "url": state_url(args, event_from=None)})
    if page.event_to:
        chips.append({"label": f"Events to {page.event_to}", "url": state_url(args, event_to=None)})
    if page.collapse:
        chips.append({"label": "Repeats collapsed", "url": state_url(args, collapse=None)})
    if page.literal:
        # Not a hidden field of the form: a new query has its names read again.
        chips.append({"label": "Words as typed", "url": state_url(args, literal=None)})
    return chips


def _pagination(page: SearchPage, args: MultiDict) -> dict[str, Any]:
    first = max(1, page.page - 3)
    last = min(page.pages, first + 6)
    return {
        "prev_url": state_url(args, page=page.page - 1) if page.page > 1 else None,
        "next_url": state_url(args, page=page.page + 1) if page.page < page.pages else None,
        "numbers": [
            {"number": n, "url": state_url(args, page=n), "current": n == page.page}
            for n in range(first, last + 1)
        ],
    }


# How the page shows hits, not which: exports and feeds leave these out.
PAGE_ONLY = {"group": None, "view": None, "col": None}


def _grouped_view(page: SearchPage, args: MultiDict, q: str) -> dict[str, Any] | None:
    """Reports with their first hits, for ``group=report``: headings, counts and "N more in this report"."""
    if page.group != "report":
        return None
    state = carried_state(args)
    return {
        "reports": page.reports,
        "reports_noun": "report" if page.reports == 1 else "reports",
        "groups": [
            {
                "title": group.title,
                "url": url_for("pages.report_page", report_id=group.report_id, **state),
                "date": group.date or "undated",
                "date_inferred": group.date_inferred,
                "source": group.source,
                "count": group.count,
                "more": group.more,
                "hits": [_hit_view(hit, args, q) for hit in group.hits],
            }
            for group in page.groups
        ],
    }


def _table_view(page: SearchPage, args: MultiDict, columns: list[str]) -> dict[str, Any]:
    """The table view's columns, and its column picker: a form that carries the rest of the state."""
    return {
        "columns": [{"name": name, "label": COLUMNS[name]} for name in columns],
        "shown": {name: name in columns for name in COLUMNS},
        "span": len(columns) + 1,  # a report's heading row spans the paragraph link and every column
        "picker": [{"name": name, "label": label, "checked": name in columns} for name, label in COLUMNS.items()],
        "state": [(name, value) for name, values in carried_state(args).items() if name not in ("col", "page")
                  for value in values],
    }


def form_state(args: MultiDict, sort: str | None = None, collapse: bool | None = None) -> dict[str, Any]:
    """The search form's values as the user gave them (also for an error page, where nothing was searched)."""
    chosen_sort = sort or args.get("sort") or "relevance"
    return {
        "q": args.get("q", ""),
        "date_from": args.get("from", ""),
        "date_to": args.get("to", ""),
        "sorts": [{"value": k, "label": v, "selected": k == chosen_sort} for k, v in SORT_LABELS.items()],
        "hidden": [(name, value) for name in (*FACET_FIELDS, "exclude", "col") for value in args.getlist(name)]
        + [(name, args[name]) for name in ("per_page", "event_from", "event_to", "interval") if args.get(name)],
        "collapse": collapse if collapse is not None else args.get("collapse", "").strip().lower() in TRUE_VALUES,
        "group": args.get("group") == "report",
        "display_hidden": [(name, args[name]) for name in ("group", "view") if args.get(name)],
        "views": [{"value": k, "label": v, "selected": k == (args.get("view") or "").replace("list", "")}
                  for k, v in VIEW_LABELS.items()],
        "active_filters": sum(len(args.getlist(name)) for name in (*FACET_FIELDS, "exclude")),
    }


@bp.get("/")
def search_page():
    """The search page; its whole state is in the query string."""
    args = request.args
    cleaned = without_empty(args)
    if cleaned is not None:
        return redirect(url_for("pages.search_page", **{k: cleaned.getlist(k) for k in cleaned}), code=302)
    options = search_options(args)
    shown = view_options(args)
    page = search_index().search(**options)
    q = options["q"]
    start = (page.page - 1) * page.per_page
    return render_template(
        "search.html",
        **{**form_state(args, page.sort, page.collapse), "q": q,
           "active_filters": sum(len(v) for v in page.filters.values()) + sum(len(v) for v in page.excluded.values())},
        total=page.total,
        # With collapse on, the total and the facets count groups of repeats (#16).
        total_noun=("distinct paragraph" if page.total == 1 else "distinct paragraphs") if page.collapse
        else ("paragraph" if page.total == 1 else "paragraphs"),
        counted_note="Counts are distinct paragraphs: a repeated paragraph counts once." if page.collapse else None,
        first_shown=start + 1 if page.total else 0,
        last_shown=start + (len(page.groups) if page.group else len(page.hits)),
        hits=[_hit_view(hit, args, q) for hit in page.hits],
        display_controls=True,
        grouped=_grouped_view(page, args, q),
        table=_table_view(page, args, shown["columns"]) if shown["view"] == "table" else None,
        facets=_facet_views(page, args),
        chips=_chips(page, args),
        clear_url=url_for("pages.search_page", q=q or None),
        pagination=_pagination(page, args),
        timeline=timeline_view(page, args, search_index().newest_date()),
        place_map=map_view(page.places_map, {name: p.kind for name, p in search_index().taxonomy.places.items()},
                           lambda place: toggle_url(args, "place", place) + "#map"),
        did_you_mean={"q": page.did_you_mean, "url": state_url(args, q=page.did_you_mean)} if page.did_you_mean else None,
        rewritten=_rewritten_view(page, args),
        relaxed_note=page.relaxed_note,
        feed_url=state_url(args, "feeds.atom_feed", per_page=None, collapse=None, sort=None, **PAGE_ONLY),
        csv_url=state_url(args, "feeds.export_csv", per_page=None, collapse=None, **PAGE_ONLY),
        json_url=state_url(args, "feeds.export_json", per_page=None, collapse=None, **PAGE_ONLY),
        has_query=bool(q.strip()) or bool(page.filters or page.excluded) or bool(page.date_from or page.date_to),
    )


def _rewritten_view(page: SearchPage, args: MultiDict) -> dict[str, Any] | None:
    """ "Showing results for Toretsk — search instead for Torestk": what was searched, and a literal link."""
    if page.showing_results_for is None:
        return None
    return {
        "corrected": page.corrected,
        "shown": page.showing_results_for,
        "typed": page.search_instead_for,
        "literal_url": state_url(args, literal="1"),
    }


@bp.get("/more/<paragraph_id>")
def more_like_this_page(paragraph_id: str):
    """Paragraphs like one paragraph, from any report."""
    index = search_index()
    source = index.paragraph(paragraph_id)
    hits = index.more_like_this(paragraph_id)
    # The search a report was read from rides along, back to its results (#16).
    state = MultiDict(carried_state(request.args))
    return render_template(
        "more.html",
        q=state.get("q", ""),
        back_url=url_for("pages.search_page", **state) if state else None,
        source=_hit_view(source, state, ""),
        hits=[_hit_view(hit, state, "") for hit in hits],
    )


def citation(
    report_source: str, title: str, date: str | None, section: str | None, position: int, permalink: str,
    original: str | None = None, accessed: str | None = None,
) -> str:
    """A citation ready to paste: source, title, date, section, paragraph, the original's address, the permalink.

    ``accessed`` is the day the citation is made (the usual "accessed"
    convention for web sources); it follows the original's address, which
    is what was accessed, or the permalink when the original is unknown.
    """
    parts = [report_source, f"“{title}”", date or "undated"]
    if section:
        parts.append(f"section “{section}”")
    parts.append(f"paragraph {position}")
    text = ", ".join(parts) + "."
    when = f" (accessed {accessed})" if accessed else ""
    if original:
        return f"{text} {original}{when}. Sitrep: {permalink}"
    return f"{text} {permalink}{when}"


def _report_search(args: MultiDict) -> dict[str, Any]:
    """The search a report was opened from, as keyword arguments for :meth:`SearchIndex.report`."""
    options = search_options(MultiDict(carried_state(args)))
    return {
        "highlight_query": options["q"],
        **{name: options[name] for name in ("filters", "exclude", "date_from", "date_to", "event_from", "event_to",
                                            "literal")},
    }


def _hit_bar(matches: list[int], target: int | None, link: Any) -> dict[str, Any]:
    """ "Hit 2 of 5 ↑ ↓": where ``target`` is among the matching paragraphs, and links to its neighbours."""
    count = len(matches)
    if target in matches:
        at = matches.index(target)
        label = f"Hit {at + 1} of {count}"
        before, after = matches[:at], matches[at + 1:]
    else:
        label = "No hit in this report" if not count else f"{count} hit{'s' if count != 1 else ''} in this report"
        before = [m for m in matches if target is not None and m < target]
        after = [m for m in matches if target is None or m > target]
    return {
        "label": label,
        "prev_url": link(before[-1]) if before else None,
        "next_url": link(after[0]) if after else None,
        "prev_position": before[-1] if before else None,
        "next_position": after[0] if after else None,
    }


def _marker_html(position: int, n: int, occurrence: int, has_note: bool) -> Markup:
    ref_id = f"ref-{position}-{n}" + (f"-{occurrence}" if occurrence > 1 else "")
    if not has_note:
        return Markup('<sup class="fn missing" id="{}" title="No endnote in the report">[{}]</sup>').format(ref_id, n)
    return Markup('<sup class="fn" id="{}"><a href="#note-{}-{}" aria-label="Note {}">[{}]</a></sup>').format(
        ref_id, position, n, n, n)


def _paragraph_view(p: Hit) -> tuple[Markup, list[dict[str, Any]], str | None]:
    """A paragraph's text with its footnote markers as links, its endnotes (each once), and a line for missing ones."""
    notes: dict[int, dict[str, Any]] = {}
    for note in p.footnotes:
        # Only web addresses become links: a javascript: URL in a report stays text.
        urls = [u for u in note["urls"] if u.lower().startswith(("http://", "https://"))]
        notes.setdefault(note["n"], {"n": note["n"], "id": f"note-{p.position}-{note['n']}", "text": note["text"],
                                     "urls": urls, "backlinks": [], "known": bool(note["text"] or note["urls"])})
    html = [Markup(p.pieces[0]) if p.pieces else Markup(p.snippet)]
    seen: dict[int, int] = {}
    for (_, n), piece in zip(p.markers, p.pieces[1:]):
        seen[n] = seen.get(n, 0) + 1
        note = notes.setdefault(n, {"n": n, "id": f"note-{p.position}-{n}", "text": "", "urls": [], "backlinks": [],
                                    "known": False})
        html.append(_marker_html(p.position, n, seen[n], note["known"]))
        html.append(Markup(piece))
        ref = f"#ref-{p.position}-{n}" + (f"-{seen[n]}" if seen[n] > 1 else "")
        note["backlinks"].append({"url": ref, "label": "↩" if seen[n] == 1 else f"↩{seen[n]}"})
    missing = [f"[{n}]" for n, note in notes.items() if not note["known"]]
    missing_line = f"{', '.join(missing)}: no endnote in the report" if missing else None
    return Markup("").join(html), [note for note in notes.values() if note["known"]], missing_line


@bp.get("/reports/<report_id>")
def report_page(report_id: str):
    """A whole report, every paragraph anchored as #pN, matches of the search it was opened from marked.

    The search state rides in the query string (``q`` and the filters, as on
    the results page) with ``p``, the paragraph arrived at; every link on
    the page keeps that state.
    """
    args = request.args
    state = carried_state(args)
    raw_target = args.get("p", "")
    target = int(raw_target) if raw_target.isdecimal() and len(raw_target) < 10 else None
    report = search_index().report(report_id, **_report_search(args))
    accessed = date.today().isoformat()

    def link(position: int) -> str:
        return url_for("pages.report_page", report_id=report_id, p=position, **state) + f"#p{position}"

    matching = set(report.matches)
    paragraphs = []
    for i, p in enumerate(report.paragraphs):
        text_html, notes, missing_line = _paragraph_view(p)
        permalink = absolute_url(url_for("pages.report_page", report_id=report_id, p=p.position)) + f"#p{p.position}"
        paragraphs.append({
            "anchor": f"p{p.position}",
            "position": p.position,
            "kind": p.kind,
            "section": p.heading or p.section,
            "new_section": p.section and (i == 0 or report.paragraphs[i - 1].heading != p.heading),
            "html": text_html,
            "target": p.position == target,
            "match": p.position in matching,
            "notes": notes,
            "missing_notes": missing_line,
            "link": link(p.position),
            "permalink": permalink,
            "more_url": url_for("pages.more_like_this_page", paragraph_id=p.id, **state),
            "citation": citation(report.source, report.title, report.date, p.section, p.position, permalink,
                                 original=report.url, accessed=accessed),
        })
    return render_template(
        "report.html",
        q=args.get("q", ""),
        report=report,
        original_url=report.url if report.url and report.url.lower().startswith(("http://", "https://")) else None,
        back_url=url_for("pages.search_page", **state),
        hit_bar=_hit_bar(report.matches, target, link) if report.searched else None,
        paragraphs=paragraphs,
    )
