"""Queries, filters, facets, snippets and lookups (search/query.py).

Most tests run on the session's seed index.  Expected results are computed
from the 32 stored records themselves (``records``), so a test states the
rule ("paragraphs that mention Pokrovsk but not Kursk") rather than a count
that would hide which paragraphs were meant.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from search import (
    BadDate,
    BadInput,
    IndexMissing,
    NotFound,
    ParagraphNotFound,
    QuerySyntaxError,
    ReportNotFound,
    SearchIndex,
    load_settings,
    search,
    update_index,
)

TAKEAWAYS = "Key Takeaways"  # canonical section of "Key ISW takeaways as of December 14"
TAKEAWAYS_HEADING = "Key ISW takeaways as of December 14"
ISW = "Institute for the Study of War"
ALL = 32


@pytest.fixture(scope="module")
def index(seed_settings):
    with SearchIndex(seed_settings) as index:
        yield index


@pytest.fixture(scope="module")
def records(index):
    """Every paragraph in the seed index."""
    page = index.search("", per_page=100)
    assert page.total == len(page.hits) == ALL
    return page.hits


def has(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){word}(?!\w)", text, re.IGNORECASE) is not None


def ids(hits) -> set[str]:
    return {hit.id for hit in hits}


def matching(index, q: str = "", **options):
    page = index.search(q, per_page=100, **options)
    assert page.total == len(page.hits)
    return page


# -- the query language --------------------------------------------------------



@pytest.mark.parametrize(
    ("q", "rule"),
    [
        ("Pokrovsk", lambda t: has(t, "Pokrovsk")),
        ("pokrovsk", lambda t: has(t, "Pokrovsk")),
        # Plain "Pokrovsk Kursk" has fewer than a page of AND hits in the
        # seeds, so it is relaxed (tests/test_relax.py); AND says "all".
        ("Pokrovsk AND Kursk", lambda t: has(t, "Pokrovsk") and has(t, "Kursk")),
        ('"Time of Heroes"', lambda t: "Time of Heroes" in t),
        ('"North Korean" soldiers', lambda t: "North Korean" in t and has(t, "soldiers?")),
        # Names are searched in their adjectival forms too (search/query/names.py).
        ("Syria OR Georgian", lambda t: has(t, "Syrian?") or has(t, "Georgian?")),
        ("Pokrovsk NOT Kursk", lambda t: has(t, "Pokrovsk") and not has(t, "Kursk")),
        ("Kursk NOT Pokrovsk", lambda t: has(t, "Kursk") and not has(t, "Pokrovsk")),
        ("Kursk -Pokrovsk", lambda t: has(t, "Kursk") and not has(t, "Pokrovsk")),
        ("Pokrovsk -Kursk", lambda t: has(t, "Pokrovsk") and not has(t, "Kursk")),
        ('(Kursk OR Syria) "North Korean"', lambda t: (has(t, "Kursk") or has(t, "Syria")) and "North Korean" in t),
        ("Pokrov*", lambda t: has(t, r"Pokrov\w*")),
        ("Transnistr*", lambda t: has(t, r"Transnistr\w*")),
        ("advancing", lambda t: has(t, "advanc(?:e|ed|es|ing)")),  # stemmed
        ("Kremlin-affiliated", lambda t: "Kremlin-affiliated" in t),
        ("Georgian Dream-dominated", lambda t: "Dream-dominated" in t),
    ],
)
def test_query_language(index, records, q, rule):
    expected = {hit.id for hit in records if rule(hit.text)}
    assert expected, "the rule should pick some paragraphs"
    assert ids(matching(index, q).hits) == expected


@pytest.mark.parametrize(
    "q", ["Pokrovsk NOT Kursk", "Pokrovsk -Kursk"]
)
def test_exclusion_in_a_single_segment(tmp_path, settings, q):
    # The first Pokrovsk paragraph also names Kursk, and a Kursk paragraph comes before it.
    report = tmp_path / "reports" / "three.txt"
    report.parent.mkdir()
    report.write_text(
        "December 1, 2024\n\nKursk alone is named in this first paragraph.\n\n"
        "Pokrovsk and Kursk are both named in this second paragraph.\n\n"
        "Pokrovsk alone is named in this third paragraph.\n"
    )
    update_index(settings, [report.parent])
    with SearchIndex(settings) as index:
        texts = [hit.text for hit in index.search(q).hits]
    assert texts == ["Pokrovsk alone is named in this third paragraph."]


def test_a_word_only_in_the_title_is_not_a_hit(index, records):
    # "plans" is in the ISW report's title and in no paragraph.
    assert not [hit for hit in records if has(hit.text, "plans")]
    assert index.search("plans").total == 0
    title_hits = matching(index, "title:plans").hits
    assert {hit.report_id for hit in title_hits} == {"000_0dbb5635bfea498f"}
    assert len(title_hits) == 13


@pytest.mark.parametrize(
    ("q", "rule"),
    [
        ('topic:"north korea"', lambda h: "North Korea" in h.topics),
        ('topic:"NORTH KOREA"', lambda h: "North Korea" in h.topics),
        ('topics:"North Korea"', lambda h: "North Korea" in h.topics),
        ("topic:syria", lambda h: "Syria" in h.topics),
        ("place:pokrovsk", lambda h: "Pokrovsk" in h.places),
        ('place:"kursk oblast"', lambda h: "Kursk Oblast" in h.places),
        ('source:"wilson center"', lambda h: h.source == "Wilson Center"),
        (f'section:"{TAKEAWAYS}"', lambda h: h.section == TAKEAWAYS),
        ("kind:bullet", lambda h: h.kind == "bullet"),
        ('report:"000_0dbb5635bfea498f-2"', lambda h: h.report_id == "000_0dbb5635bfea498f-2"),
        pytest.param("report:000_0dbb5635bfea498f-2", lambda h: h.report_id == "000_0dbb5635bfea498f-2"),
        ("Kursk kind:paragraph", lambda h: h.kind == "paragraph" and has(h.text, "Kursk")),
        ("date:2024-12-14", lambda h: h.date == "2024-12-14"),
        ("date:[2024-12-15 to 2024-12-31]", lambda h: "2024-12-15" <= h.date <= "2024-12-31"),
        ("date:[to 2024-12-15]", lambda h: h.date <= "2024-12-15"),
        ("date:[2024-12-15 to]", lambda h: h.date >= "2024-12-15"),
        ('date:"Dec 2024"', lambda h: h.date.startswith("2024-12")),
        ("Kursk date:2024-12-14", lambda h: h.date == "2024-12-14" and has(h.text, "Kursk")),
    ],
)
def test_field_queries(index, records, q, rule):
    expected = {hit.id for hit in records if rule(hit)}
    assert expected, "the rule should pick some paragraphs"
    assert ids(matching(index, q).hits) == expected


# -- filters and dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "rule"),
    [
        ({"topic": ["Syria"]}, lambda h: "Syria" in h.topics),
        ({"topic": ["syria"]}, lambda h: "Syria" in h.topics),
        ({"topic": "Syria"}, lambda h: "Syria" in h.topics),
        ({"topic": ["Syria", "Georgia"]}, lambda h: {"Syria", "Georgia"} & set(h.topics)),
        ({"topic": ["North Korea"], "section": [TAKEAWAYS]},
         lambda h: "North Korea" in h.topics and h.section == TAKEAWAYS),
        ({"topic": ["North Korea"], "source": ["Wilson Center"]}, lambda h: False),
        ({"source": [ISW]}, lambda h: h.source == ISW),
        ({"source": ["wilson center"]}, lambda h: h.source == "Wilson Center"),
        ({"place": ["Pokrovsk"]}, lambda h: "Pokrovsk" in h.places),
        ({"place": ["Pokrovsk", "Qamishli"]}, lambda h: {"Pokrovsk", "Qamishli"} & set(h.places)),
        ({"place": ["Pokrovsk"], "topic": ["Combat effectiveness and losses"]},
         lambda h: "Pokrovsk" in h.places and "Combat effectiveness and losses" in h.topics),
        ({"section": [TAKEAWAYS]}, lambda h: h.section == TAKEAWAYS),
        ({"topic": ["", "  "]}, lambda h: True),  # blank values are no filter
    ],
)
def test_filters(index, records, filters, rule):
    expected = {hit.id for hit in records if rule(hit)}
    assert ids(matching(index, filters=filters).hits) == expected


def test_filters_combine_with_the_query(index, records):
    expected = {h.id for h in records if has(h.text, "Kursk") and "North Korea" in h.topics}
    assert expected
    assert ids(matching(index, "Kursk", filters={"topic": ["North Korea"]}).hits) == expected


@pytest.mark.parametrize("spelling", ["Kurakhovo", "Курахове", "kurakhove"])
def test_place_filter_takes_any_gazetteer_spelling(index, records, spelling):
    expected = {h.id for h in records if "Kurakhove" in h.places}
    assert expected
    page = index.search("", filters={"place": [spelling]}, per_page=100)
    assert ids(page.hits) == expected
    assert page.filters == {"place": ["Kurakhove"]}


def test_selected_filter_values_are_reported_in_indexed_spelling(index):
    page = index.search("", filters={"topic": ["north korea"]})
    assert page.filters == {"topic": ["North Korea"]}


@pytest.mark.parametrize(
    ("date_from", "date_to", "rule"),
    [
        ("2024-12-20", None, lambda d: d >= "2024-12-20"),
        (None, "2024-12-15", lambda d: d <= "2024-12-15"),
        ("2024-12-14", "2024-12-14", lambda d: d == "2024-12-14"),
        ("Dec 2024", "Dec 2024", lambda d: True),
        ("2025", None, lambda d: False),
        (None, "Nov 2024", lambda d: False),
    ],
)
def test_from_and_to(index, records, date_from, date_to, rule):
    page = matching(index, date_from=date_from, date_to=date_to)
    assert ids(page.hits) == {hit.id for hit in records if rule(hit.date)}


def test_from_and_to_are_echoed_as_iso_dates(index):
    page = index.search("", date_from="Dec 2024", date_to="Dec 2024")
    assert (page.date_from, page.date_to) == ("2024-12-01", "2024-12-31")


def test_from_after_to_is_bad_input(index):
    with pytest.raises(BadInput, match="after"):
        index.search("", date_from="2024-12-20", date_to="2024-12-15")


# -- order and pages ---------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "Kursk OR Syria"])
def test_sort_by_date(index, q):
    newest = [hit.date for hit in matching(index, q, sort="newest").hits]
    oldest = [hit.date for hit in matching(index, q, sort="oldest").hits]
    assert newest == sorted(newest, reverse=True) and newest[0] > newest[-1]
    assert oldest == sorted(oldest)


def test_relevance_scores_descend(index):
    page = matching(index, "Kursk OR Syria")
    scores = [hit.score for hit in page.hits]
    assert None not in scores
    assert scores == sorted(scores, reverse=True)
    assert all(hit.score is None for hit in matching(index, "Kursk OR Syria", sort="newest").hits)


def test_empty_query_lists_newest_first(index):
    dates = [hit.date for hit in matching(index, "").hits]
    assert dates == sorted(dates, reverse=True)


def test_pages(index):
    first = index.search("", per_page=5, page=1)
    second = index.search("", per_page=5, page=2)
    assert first.total == second.total == ALL
    assert (first.pages, second.page) == (7, 2)
    assert len(first.hits) == len(second.hits) == 5
    assert not ids(first.hits) & ids(second.hits)
    every = [hit.id for page in range(1, 8) for hit in index.search("", per_page=5, page=page).hits]
    assert len(every) == len(set(every)) == ALL


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"per_page": 0}, "per_page must be between 1 and 100"),
        ({"per_page": 101}, "per_page must be between 1 and 100"),
        ({"page": 0}, "page must be 1 or more"),
        ({"page": 8, "per_page": 5}, "past the last page"),
        ({"sort": "best"}, "unknown sort 'best'"),
        ({"filters": {"colour": ["red"]}}, "unknown filter 'colour'"),
    ],
)
def test_bad_options(index, options, words):
    with pytest.raises(BadInput, match=re.escape(words)):
        index.search("", **options)


def test_largest_page(index):
    assert len(index.search("", per_page=100).hits) == ALL


def test_empty_result_has_one_page(index):
    page = index.search("Zanzibar")
    assert (page.total, page.pages, page.hits) == (0, 1, [])


def test_per_page_setting_is_the_default_page_size(seed_settings):
    settings = load_settings(index_dir=seed_settings.index_dir, per_page=3)
    with SearchIndex(settings) as index:
        page = index.search("")
    assert (page.per_page, len(page.hits)) == (3, 3)


@pytest.mark.parametrize(
    ("setting", "q", "options", "words"),
    [
        ({"max_per_page": 5}, "", {"per_page": 6}, "per_page must be between 1 and 5"),
        ({"max_query_length": 10}, "Pokrovsk OR", {}, "the limit is 10"),
    ],
)
def test_settings_limit_requests(seed_settings, setting, q, options, words):
    settings = load_settings(index_dir=seed_settings.index_dir, **setting)
    with SearchIndex(settings) as index, pytest.raises(BadInput, match=words):
        index.search(q, **options)


# -- facets --------------------------------------------------------------------


def expected_counts(hits, facet: str) -> dict[str, int]:
    values = {
        "topic": lambda h: h.topics,
        "place": lambda h: h.places,
        "source": lambda h: [h.source],
        "section": lambda h: [h.section] if h.section else [],
        "label": lambda h: [h.label] if h.label else [],
        "cited": lambda h: h.cited,
        "month": lambda h: [h.date[:7]],
        "day": lambda h: [h.date],
    }[facet]
    return dict(Counter(value for hit in hits for value in values(hit)))


def facet_counts(page, facet: str) -> dict[str, int]:
    return {value.value: value.count for value in page.facets[facet]}


FACETS = ("topic", "place", "source", "section", "label", "cited", "month", "day")


@pytest.mark.parametrize("q", ["", "Kursk", "Pokrovsk OR Syria"])
def test_facets_count_all_matches_not_just_the_page(index, records, q):
    page = index.search(q, per_page=1)
    assert len(page.hits) == 1
    matches = matching(index, q).hits
    assert set(page.facets) == set(FACETS)
    for facet in FACETS:
        assert facet_counts(page, facet) == expected_counts(matches, facet), facet


def test_date_facets(index):
    page = index.search("")
    assert facet_counts(page, "month") == {"2024-12": ALL}
    assert [(v.value, v.count) for v in page.facets["day"]] == [("2024-12-14", 13), ("2024-12-23", 19)]


def test_facets_are_ordered_by_count(index):
    counts = [v.count for v in index.search("").facets["topic"]]
    assert counts == sorted(counts, reverse=True)


def test_a_facet_ignores_its_own_selection(index, records):
    everything = index.search("")
    page = index.search("", filters={"topic": ["Syria"]})
    syria = [hit for hit in records if "Syria" in hit.topics]
    assert page.total == len(syria)
    # The topic facet still shows every alternative, as without the selection...
    assert facet_counts(page, "topic") == facet_counts(everything, "topic")
    assert [v.value for v in page.facets["topic"] if v.selected] == ["Syria"]
    # ...while the other facets count only the selected paragraphs.
    for facet in ("source", "place", "section", "day"):
        assert facet_counts(page, facet) == expected_counts(syria, facet), facet


def test_two_selected_facets_narrow_each_other(index, records):
    page = index.search("", filters={"topic": ["Syria"], "source": [ISW]})
    isw = [hit for hit in records if hit.source == ISW]
    syria = [hit for hit in records if "Syria" in hit.topics]
    assert facet_counts(page, "topic") == expected_counts(isw, "topic")
    assert facet_counts(page, "source") == expected_counts(syria, "source")


def test_selected_value_without_matches_stays_listed(index):
    page = index.search("", filters={"topic": ["Syria"], "source": ["Wilson Center"]})
    assert page.total == 0
    syria = [v for v in page.facets["topic"] if v.value == "Syria"]
    assert [(v.count, v.selected) for v in syria] == [(0, True)]


# -- snippets --------------------------------------------------------------------


@pytest.fixture
def html_index(tmp_path, settings):
    report = tmp_path / "reports" / "markup.txt"
    report.parent.mkdir()
    report.write_text(
        "December 1, 2024\n\n"
        "Pokrovsk & Kursk <b>drones</b> appeared together in this paragraph.\n\n"
        + "Filler words about the weather today. " * 20 + "Then drones arrived near the end.\n",
        encoding="utf-8",
    )
    update_index(settings, [report.parent])
    with SearchIndex(settings) as index:
        yield index


def test_snippet_escapes_html_and_marks_matches(html_index):
    (hit,) = [h for h in html_index.search("drones").hits if "Pokrovsk" in h.text]
    assert hit.snippet == (
        "Pokrovsk &amp; Kursk &lt;b&gt;<mark>drones</mark>&lt;/b&gt; appeared together in this paragraph.")
    assert hit.text == "Pokrovsk & Kursk <b>drones</b> appeared together in this paragraph."


def test_snippet_without_query_words_is_escaped_text(html_index):
    hits = html_index.search("", filters={}).hits
    short = [h for h in hits if h.text.startswith("Pokrovsk")][0]
    assert short.snippet == "Pokrovsk &amp; Kursk &lt;b&gt;drones&lt;/b&gt; appeared together in this paragraph."
    long = [h for h in hits if h.text.startswith("Filler")][0]
    assert long.snippet.endswith(" …") and len(long.snippet) < len(long.text)


def test_long_paragraph_snippet_is_cut_around_the_match(html_index):
    (hit,) = [h for h in html_index.search("drones").hits if h.text.startswith("Filler")]
    assert hit.snippet.startswith("… ")
    assert "Then <mark>drones</mark> arrived near the end" in hit.snippet
    assert len(hit.snippet) < len(hit.text)


def test_snippet_reaching_the_end_has_no_trailing_ellipsis(html_index):
    (hit,) = [h for h in html_index.search("drones").hits if h.text.startswith("Filler")]
    assert hit.snippet.endswith("<mark>drones</mark> arrived near the end.")


def test_long_snippet_keeps_the_three_best_fragments_in_text_order(tmp_path, settings):
    filler = "The weather stayed cold and grey over the steppe for days. " * 4
    text = (
        "Drones hit a depot. " + filler + "More drones flew at night. " + filler
        + "Drones and artillery struck the bridge together. " + filler + "Drones again. " + filler
        + "A last drone fell."
    )
    reports = tmp_path / "long"
    reports.mkdir()
    (reports / "a.txt").write_text("December 20, 2024\n\n" + text + "\n")
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        (hit,) = index.search("drones artillery").hits
    fragments = hit.snippet.split(" … ")
    assert len(fragments) == 3 and len(hit.snippet) < len(text)
    # The fragment with both words is kept, and the fragments keep the text's order.
    assert "<mark>Drones</mark> and <mark>artillery</mark> struck the bridge" in hit.snippet
    marked = re.findall(r"<mark>(\w+)</mark>", hit.snippet)
    assert marked[:1] == ["Drones"] and "artillery" in marked
    assert hit.snippet.index("hit a depot") < hit.snippet.index("struck the bridge")
    assert "<" not in re.sub(r"</?mark>", "", hit.snippet)


def test_seed_snippets_mark_every_hit(index):
    page = matching(index, "Pokrovsk")
    assert all("<mark>Pokrovsk</mark>" in hit.snippet for hit in page.hits)
    page = matching(index, "advancing")
    assert all(re.search(r"<mark>advanc\w*</mark>", hit.snippet, re.I) for hit in page.hits)


# -- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ('"Time of Heroes', "unclosed quote"),
        ('"', "unclosed quote"),
        ("(Kursk OR Syria", "unbalanced brackets"),
        ("Kursk)", "unbalanced brackets"),
        ("date:[2024-12-01 to 2024-12-31", "unbalanced brackets"),
        ("colour:red", "unknown field 'colour'"),
        ("the", "no searchable words"),
        ("the of and", "no searchable words"),
        ('""', "no searchable words"),
        ("date:[2024-12-01]", "date:[2024-12-01 to 2024-12-31]"),
    ],
)
def test_query_syntax_errors(index, q, words):
    with pytest.raises(QuerySyntaxError, match=re.escape(words)):
        index.search(q)


@pytest.mark.parametrize(
    ("q", "options"),
    [
        ("date:notadate", {}),
        ("date:[notadate to 2024-12-31]", {}),
        ("", {"date_from": "notadate"}),
        ("", {"date_to": "2024-13-45"}),
    ],
)
def test_bad_dates(index, q, options):
    with pytest.raises(BadDate, match="cannot read"):
        index.search(q, **options)


def test_query_too_long(index):
    with pytest.raises(BadInput, match="the limit is 500"):
        index.search("Kursk " * 100)


def test_missing_index(tmp_path):
    settings = load_settings(index_dir=tmp_path / "nowhere")
    with pytest.raises(IndexMissing, match=f"no index at {re.escape(str(tmp_path / 'nowhere'))}"):
        search(settings, "Kursk")
    with SearchIndex(settings) as index, pytest.raises(IndexMissing):
        index.paragraph("anything")


# -- reports and paragraphs --------------------------------------------------------


@pytest.mark.parametrize(
    ("report_id", "source", "count", "inferred"),
    [
        ("000_0dbb5635bfea498f", ISW, 13, False),
        ("000_0dbb5635bfea498f-2", "Wilson Center", 6, True),
        ("004_46fcd5d56deb0784", ISW, 13, True),
    ],
)
def test_report(index, report_id, source, count, inferred):
    report = index.report(report_id)
    assert (report.report_id, report.source, report.date_inferred) == (report_id, source, inferred)
    assert [p.position for p in report.paragraphs] == list(range(1, count + 1))
    assert {p.report_id for p in report.paragraphs} == {report_id}
    assert report.to_json()["paragraphs"][0]["id"] == report.paragraphs[0].id


def test_report_marks_the_query_in_whole_paragraphs(index):
    report = index.report("000_0dbb5635bfea498f-2", highlight_query="displacement")
    marked = [p for p in report.paragraphs if "<mark>" in p.snippet]
    assert marked and all(has(p.text, r"displac\w*") for p in marked)
    assert all(not p.snippet.startswith("…") for p in report.paragraphs)


def test_report_does_not_mark_excluded_words(index):
    report = index.report("000_0dbb5635bfea498f", highlight_query="Kursk NOT Pokrovsk")
    assert not [p for p in report.paragraphs if "<mark>Pokrovsk</mark>" in p.snippet]


def test_report_with_a_bad_highlight_query_still_shows(index):
    report = index.report("000_0dbb5635bfea498f-2", highlight_query='"unclosed')
    assert len(report.paragraphs) == 6
    assert not [p for p in report.paragraphs if "<mark>" in p.snippet]


def test_paragraph(index, records):
    wanted = records[0]
    hit = index.paragraph(wanted.id)
    assert (hit.id, hit.text, hit.report_id, hit.position) == (wanted.id, wanted.text, wanted.report_id, wanted.position)
    assert hit.date_basis


@pytest.mark.parametrize(
    ("lookup", "error"),
    [("report", ReportNotFound), ("paragraph", ParagraphNotFound)],
)
def test_not_found(index, lookup, error):
    with pytest.raises(error, match="'nope'") as caught:
        getattr(index, lookup)("nope")
    assert isinstance(caught.value, NotFound) and caught.value.status == 404


# -- the JSON shape ----------------------------------------------------------------


def test_search_function_matches_search_index(seed_settings, index):
    assert search(seed_settings, "Kursk", sort="newest").to_json() == index.search("Kursk", sort="newest").to_json()


@pytest.mark.parametrize("q", ["Russian", '"Russian forces"'])  # the array path, and Whoosh's for a phrase
def test_group_by_report_pages_reports_with_their_first_hits(index, q):
    flat = index.search(q, per_page=100)
    grouped = index.search(q, group="report", per_page=1)
    by_report: dict[str, list[str]] = {}
    for hit in flat.hits:
        by_report.setdefault(hit.report_id, []).append(hit.id)
    assert grouped.total == flat.total and grouped.reports == len(by_report) == grouped.pages
    (group,) = grouped.groups
    # The report of the best hit first, with its own best hits, in the flat order.
    assert group.report_id == flat.hits[0].report_id
    assert [h.id for h in group.hits] == by_report[group.report_id][:3] and group.count == len(by_report[group.report_id])
    assert [h.id for h in grouped.hits] == [h.id for h in group.hits]
    second = index.search(q, group="report", per_page=1, page=2).groups[0]
    assert second.report_id != group.report_id
    with pytest.raises(BadInput, match="past the last page"):
        index.search(q, group="report", per_page=1, page=grouped.reports + 1)
    with pytest.raises(BadInput, match="group must be report"):
        index.search(q, group="source")


def test_to_json_shape(index):
    data = index.search("Kursk", filters={"topic": ["north korea"]}, date_from="Dec 2024").to_json()
    assert {"ok", "query", "total", "page", "per_page", "pages", "sort", "filters", "from", "to",
            "event_from", "event_to", "collapse", "hits", "facets", "timeline", "map", "did_you_mean",
            "showing_results_for", "search_instead_for", "rewrites", "literal", "relaxed", "all_words",
            "exclude", "counted", "group"} == set(data)
    assert data["filters"] == {"topic": ["North Korea"]}
    assert data["from"] == "2024-12-01" and data["to"] is None
    assert set(data["hits"][0]) == {
        "id", "report_id", "title", "source", "date", "date_inferred", "section", "kind",
        "position", "topics", "places", "text", "snippet", "score", "url",
        "heading", "label", "footnotes", "cited", "event_dates", "report_url", "also_in", "also_in_count"}
    assert set(data["facets"]["topic"][0]) == {"value", "count", "selected", "excluded"}


@pytest.mark.parametrize("phrase", ['"North Korean"', '"Time of Heroes"', '"Russian forces"', '"Kremlin affiliated"',
                                    '"forces Russian"'])
def test_phrases_through_word_pairs_match_position_checked_phrases(index, phrase):
    from search.index.schema import TEXT_ANALYZER
    from search.query.parse import parse_query, phrases_as_pairs

    # The text field keeps no positions (schema 7): the phrase is checked
    # here on each paragraph's analysed words, as a positional match would.
    searcher = index.generation().searcher
    query = parse_query(phrase, searcher)
    words = [token.text for token in TEXT_ANALYZER(phrase.strip('"'))]
    by_positions = set()
    for docnum, fields in searcher.iter_docs():
        text = [token.text for token in TEXT_ANALYZER(fields["text"])]
        if any(text[at : at + len(words)] == words for at in range(len(text))):
            by_positions.add(docnum)
    by_pairs = set(searcher.docs_for_query(phrases_as_pairs(query)))
    assert by_pairs == by_positions
    assert phrase == '"forces Russian"' or by_positions  # every phrase but the reversed one occurs


@pytest.mark.parametrize("phrase", ['"forces"', '"the forces"', '"forces of the"'])
def test_phrases_of_one_word_or_stop_words_need_no_positions(index, phrase):
    from search.query.parse import parse_query, phrases_as_pairs

    searcher = index.generation().searcher
    query = phrases_as_pairs(parse_query(phrase, searcher))
    found = set(searcher.docs_for_query(query))  # a positional match would raise QueryError
    assert found and found == set(searcher.docs_for_query(parse_query("forces", searcher)))


def test_deep_pages_are_refused(index):
    with pytest.raises(BadInput, match="cannot be paged to"):
        index.search("", page=101, per_page=100)


def test_phrase_highlighting_is_phrase_exact(tmp_path, settings):
    reports = tmp_path / "phrase"
    reports.mkdir()
    (reports / "a.txt").write_text(
        "December 20, 2024\n\nRussian officials said that forces of the Russian army and Russian forces advanced.\n"
    )
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        (hit,) = index.search('"Russian forces"').hits
        assert hit.snippet.count("<mark>") == 2
        assert "and <mark>Russian</mark> <mark>forces</mark> advanced" in hit.snippet
        (hit,) = index.search('"Russian forces" army').hits
        assert "the Russian <mark>army</mark>" in hit.snippet


def test_field_like_text_inside_quotes_is_text(index):
    # Found by tests/test_fuzz.py: a "name:" inside quotes raised KeyError.
    with pytest.raises(QuerySyntaxError, match="no searchable words"):
        index.search('"0:x"')
    assert index.search('"colour:red" Kursk').total == 0


def test_a_repeated_request_is_answered_from_the_result_cache(settings, seed_copy):
    update_index(settings, [seed_copy])
    with SearchIndex(settings) as index:
        first = index.search("Pokrovsk", filters={"topic": ["Front line"]})
        assert index.search("Pokrovsk", filters={"topic": ["Front line"]}) is first
        assert index.search("Pokrovsk") is not first  # another request
        extra = seed_copy / "extra.txt"
        extra.write_text("Pokrovsk update\n\nRussian forces attacked near Pokrovsk on Friday.\n", encoding="utf-8")
        update_index(settings, [seed_copy])
        again = index.search("Pokrovsk", filters={"topic": ["Front line"]})
        assert again is not first  # a new generation is searched afresh
        assert again.total == first.total + 1


def test_the_result_cache_can_be_turned_off(seed_settings):
    settings = load_settings(environ={}, index_dir=seed_settings.index_dir, result_cache=0)
    with SearchIndex(settings) as index:
        first = index.search("Pokrovsk")
        second = index.search("Pokrovsk")
        assert second is not first and second == first


def test_iter_hits_stops_at_its_limit(index):
    every = [hit.id for hit in index.iter_hits("Russian")]
    assert len(every) > 3
    assert [hit.id for hit in index.iter_hits("Russian", limit=3)] == every[:3]


# -- excluding facet values (#16) -----------------------------------------------


def test_exclude_leaves_out_every_paragraph_with_the_value(index):
    everything = index.search("Pokrovsk", per_page=50)
    page = index.search("Pokrovsk", per_page=50, exclude={"place": ["pokrovsk"]})  # any case, as filters
    assert everything.total > page.total
    assert page.total == sum(1 for hit in everything.hits if "Pokrovsk" not in hit.places)
    assert all("Pokrovsk" not in hit.places for hit in page.hits)
    assert page.excluded == {"place": ["Pokrovsk"]}


def test_an_excluded_value_stays_in_its_facet_with_what_it_leaves_out(index):
    everything = index.search("", per_page=100)
    page = index.search("", per_page=100, exclude={"topic": ["Syria"]})
    syria = next(v for v in page.facets["topic"] if v.value == "Syria")
    assert syria.excluded and not syria.selected
    assert syria.count == sum(1 for hit in everything.hits if "Syria" in hit.topics)
    # Every other count is over the paragraphs left: what clicking the value would show.
    for value in page.facets["place"] + [v for v in page.facets["topic"] if not v.excluded]:
        field = "place" if value in page.facets["place"] else "topic"
        narrowed = index.search("", filters={field: [value.value]}, exclude={"topic": ["Syria"]})
        assert value.count == narrowed.total, value


def test_exclusions_of_several_facets_and_one_unknown_value(index):
    page = index.search("", per_page=100, exclude={"topic": ["Syria", "No Such Topic"],
                                                  "source": ["Wilson Center"]})
    assert page.hits and all("Syria" not in h.topics and h.source != "Wilson Center" for h in page.hits)
    unknown = next(v for v in page.facets["topic"] if v.value == "No Such Topic")
    assert unknown.excluded and unknown.count == 0


# A title phrase is evaluated by Whoosh, not the arrays: both paths must exclude.
@pytest.mark.parametrize(("q", "exclude"), [
    ("", {"source": ["Wilson Center"]}),
    ('title:"North Korea" troops', {"topic": ["Combat effectiveness and losses"]}),
    ('title:"North Korea" troops', {"topic": ["Syria"]}),
])
def test_exports_and_searches_agree_on_exclusions(index, q, exclude):
    ids = {hit.id for hit in index.iter_hits(q, exclude=exclude)}
    page = index.search(q, per_page=100, exclude=exclude)
    assert ids == {hit.id for hit in page.hits} and len(ids) == page.total
    everything = index.search(q, per_page=100)
    ((name, values),) = exclude.items()
    kept = [h.id for h in everything.hits if not set(values) & set(h.topics if name == "topic" else [h.source])]
    assert ids == set(kept)


@pytest.mark.parametrize("item", ["Syria", "topic:", "kind:bullet", ":Syria"])
def test_parse_exclusions_refuses_what_it_cannot_read(item):
    from search import parse_exclusions

    with pytest.raises(BadInput, match="FIELD:VALUE"):
        parse_exclusions([item])


def test_parse_exclusions_splits_at_the_first_colon():
    from search import parse_exclusions

    assert parse_exclusions(["section:Key Takeaways: Russia", "Topic:Syria", "topic:Syria", ""]) == {
        "section": ["Key Takeaways: Russia"], "topic": ["Syria"]}


@pytest.mark.parametrize("text", [
    "Russian forces advanced near Pokrovsk.", "U.S. and E.U. officials", "a..b .c d. e.f.g", "",
    "Kyïv’s forces—and “drones” (x_y) 12.5 km", "...", "word", " lead and trail ",
])
def test_snippet_tokens_are_the_analyzer_tokenizers(text):
    # Snippets cut the stored text into words with re.split and offsets
    # from lengths; they must be the words (and places) finditer finds.
    from search.query.snippets import _TOKEN, _analysed_word, _tokens

    assert _tokens(text) == [(m.start(), m.end(), _analysed_word(m.group(0))) for m in _TOKEN.finditer(text)]


def test_plain_words_are_parsed_as_whooshs_parser_parses_them(seed_settings):
    # A query of plain words skips Whoosh's parser (search/query/parse.py):
    # the query it builds must be the parser's own, stop words, stems,
    # accents, numbers, other scripts, repeats and spacing included.
    import random

    from whoosh.query import NullQuery

    from search.query import parse as parse_module

    with SearchIndex(seed_settings) as index:
        searcher = index.generation().searcher
        parser = parse_module._parser("text", searcher.schema)
        texts = [fields["text"] for _, fields in searcher.reader().iter_docs()]
    words = sorted({word for text in texts for word in re.findall(r"[^\W_]+", text)})
    words += ["the", "of", "not", "or", "and", "to", "TO", "Київ", "Kyiv", "café", "ÜBER", "2024", "12th", "x", "I"]
    chance = random.Random(7)
    queries = ["the of", "Київ", "Pokrovsk   Pokrovsk", " advancing  forces "]
    queries += [" ".join(chance.choice(words) for _ in range(chance.choice([1, 2, 3, 6]))) for _ in range(3000)]
    compared = 0
    for text in queries:
        stripped = text.strip()
        assert parse_module._PLAIN_WORDS.fullmatch(stripped)
        if not parse_module._OPERATOR_WORDS.isdisjoint(stripped.split()):
            continue
        compared += 1
        fast = parse_module._plain_words(parser, "text", stripped.split())
        whooshs = parse_module._without_and_not(parser.parse(text))
        assert (fast, repr(fast), fast is NullQuery) == (whooshs, repr(whooshs), whooshs is NullQuery), text
    assert compared > 2900


@pytest.mark.parametrize("text", ["Kursk OR Belgorod", "Kursk NOT Pokrovsk", "-Kursk Pokrovsk", "Transnistr*", "kursk^2"])
def test_queries_with_syntax_still_go_through_whooshs_parser(text):
    from search.query import parse as parse_module

    plain = bool(parse_module._PLAIN_WORDS.fullmatch(text)) and parse_module._OPERATOR_WORDS.isdisjoint(text.split())
    assert not plain
