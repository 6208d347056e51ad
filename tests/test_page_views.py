"""Grouping by report, the table view, controls that apply at once, state in every link (#16, items 1, 9, 10).

Debian's chromium against a real server on the real seed index, with and
without JavaScript.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import http_get, serving_generated


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def _api(base: str, query: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/search?{query}") as answer:
        return json.load(answer)



def _headings(page) -> list[str]:
    """The table's column headings, without the paragraph-link column."""
    return page.locator(".hits-table thead th:not(.col-link)").all_inner_texts()


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    yield context.new_page()
    context.close()


# -- group by report ------------------------------------------------------------------


def test_group_by_report_shows_each_report_with_its_first_hits_and_counts(page, live_server):
    data = _api(live_server, "q=Russian&group=report")
    assert data["group"] == "report" and data["reports"] == len(data["groups"]) >= 2
    assert sum(g["count"] for g in data["groups"]) == data["total"]  # every match is in one report
    page.goto(live_server + "/?q=Russian&group=report")
    assert page.locator(".summary").inner_text().startswith(
        f"{data['total']} paragraphs in {data['reports']} reports")
    groups = page.locator(".report-group")
    assert groups.count() == data["reports"]
    for i, group in enumerate(data["groups"]):
        shown = groups.nth(i)
        assert shown.locator(".report-heading").inner_text() == group["title"]
        assert shown.locator(".group-count").inner_text() == f"{group['count']} matching paragraphs"
        hits = shown.locator(".hit")
        assert hits.count() == len(group["hits"]) == min(3, group["count"])
        # Each hit opens its own report, at its paragraph, keeping the search.
        for link in hits.locator("a.para-link").all():
            href = link.get_attribute("href")
            assert urlsplit(href).path == f"/reports/{group['report_id']}"
            assert _query(href)["group"] == ["report"] and _query(href)["q"] == ["Russian"]
        more = shown.locator(".more-in-report a")
        assert more.inner_text() == f"{group['count'] - len(group['hits'])} more in this report"
        assert _query(more.get_attribute("href")) == {"q": ["Russian"], "group": ["report"]}
    # "N more" opens the report with the matches marked, and comes back to the grouped page.
    groups.first.locator(".more-in-report a").click()
    page.wait_for_url("**/reports/**")
    assert page.locator(".para mark").count() >= data["groups"][0]["count"]
    page.locator("p.back a").click()
    page.wait_for_url(f"{live_server}/?**")
    assert _query(page.url) == {"q": ["Russian"], "group": ["report"]}


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_grouped_reports_follow_the_sort(live_server, sort):
    data = _api(live_server, f"group=report&sort={sort}")
    dates = [g["date"] for g in data["groups"]]
    assert len(set(dates)) >= 2
    assert dates == sorted(dates, reverse=sort == "newest")


def test_grouped_relevance_puts_the_report_of_the_best_hit_first(live_server):
    flat = _api(live_server, "q=Russian")
    grouped = _api(live_server, "q=Russian&group=report")
    assert grouped["groups"][0]["report_id"] == flat["hits"][0]["report_id"]
    best = grouped["groups"][0]["hits"]
    assert [h["score"] for h in best] == sorted((h["score"] for h in best), reverse=True)


def test_group_state_rides_in_pagination_facet_and_report_links(page, live_server):
    state = "q=Russian&group=report&per_page=1&sort=newest&from=2024-12-01&view=table&col=date&col=snippet"
    page.goto(f"{live_server}/?{state}")
    wanted = _query(page.url)
    assert page.locator(".report-rows").count() == 1  # one report a page
    first_title = page.locator(".report-row a").first.inner_text()
    next_url = page.locator(".pages a[rel=next]").get_attribute("href")
    assert _query(next_url) == {**wanted, "page": ["2"]}
    for href in page.eval_on_selector_all(".facets a.include", "links => links.map(a => a.getAttribute('href'))"):
        assert {k: v for k, v in _query(href).items() if k in ("group", "view", "col", "sort")} == {
            "group": ["report"], "view": ["table"], "col": ["date", "snippet"], "sort": ["newest"]}
    # Exports and the feed list paragraphs: grouping and view stay out of them.
    for selector in (".exports a",):
        for href in page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))"):
            assert not {"group", "view", "col"} & set(_query(href)), href
    page.locator(".pages a[rel=next]").click()
    page.wait_for_url("**page=2**")
    assert page.locator(".report-row a").first.inner_text() != first_title
    assert page.locator(".summary").inner_text().startswith("18 paragraphs in 2 reports · report 2")


def test_a_page_past_the_last_report_is_a_readable_400(live_server):
    status, html = http_get(f"{live_server}/?q=Russian&group=report&page=3")
    assert status == 400 and "past the last page (1)" in html
    status, body = http_get(f"{live_server}/api/search?q=Russian&group=country")
    assert status == 400 and json.loads(body)["ok"] is False and "group must be report" in body


@pytest.fixture(scope="module")
def repeats_server(tmp_path_factory):
    """Generated ISW-like reports, each repeating one disclaimer paragraph."""
    with serving_generated(tmp_path_factory.mktemp("repeats"), 300) as url:
        yield url


def test_grouping_after_collapse_counts_distinct_paragraphs_once(repeats_server):
    plain = _api(repeats_server, "group=report&per_page=100")
    collapsed = _api(repeats_server, "group=report&per_page=100&collapse=1")
    assert plain["pages"] == collapsed["pages"] == 1
    assert sum(g["count"] for g in plain["groups"]) == plain["total"]
    # A repeated paragraph is counted (and shown) in one report only.
    assert sum(g["count"] for g in collapsed["groups"]) == collapsed["total"] < plain["total"]
    assert plain["total"] - collapsed["total"] >= plain["reports"] - 1  # the disclaimer, once per report
    texts = [h["text"] for g in collapsed["groups"] for h in g["hits"]]
    assert len(texts) == len(set(texts))
    # Collapse only takes paragraphs away from a report, and most reports lose their copy of the disclaimer.
    counts = {g["report_id"]: g["count"] for g in plain["groups"]}
    assert all(g["count"] <= counts[g["report_id"]] for g in collapsed["groups"])
    assert sum(g["count"] < counts[g["report_id"]] for g in collapsed["groups"]) >= len(counts) - 1


def test_grouped_collapsed_page_says_distinct_paragraphs(page, repeats_server):
    data = _api(repeats_server, "group=report&collapse=1")
    page.goto(repeats_server + "/?group=report&collapse=1")
    assert page.locator(".summary").inner_text().startswith(
        f"{data['total']} distinct paragraphs in {data['reports']} reports · reports 1–{len(data['groups'])}")


# -- the table view -------------------------------------------------------------------


def test_table_shows_the_chosen_columns_only(page, live_server):
    page.goto(live_server + "/?q=Russian&view=table&col=place&col=date")
    assert _headings(page) == ["DATE", "PLACE"]  # table order, whatever the URL's order
    rows = page.locator(".hits-table tr.hit-row")
    assert rows.count() == 10
    assert rows.first.locator("td").count() == 3  # the paragraph link, date, place
    assert rows.first.locator("td.col-date time").inner_text().startswith("2024-12-")
    page.goto(live_server + "/?q=Russian&view=table")
    assert _headings(page) == ["DATE", "SOURCE", "SECTION", "PLACE", "SNIPPET"]  # the default
    assert page.locator(".hits-table td.col-snippet mark").count() >= 10
    page.goto(live_server + "/?q=Russian&view=table&group=report")
    assert page.locator(".hits-table .report-row").count() == 2
    assert page.locator(".hits-table tr.hit-row").count() == 6


def test_bad_view_or_column_is_a_readable_400(live_server):
    for query, message in (("view=grid", "view must be list or table"), ("col=author", "unknown column")):
        status, html = http_get(f"{live_server}/?q=Russian&{query}")
        assert status == 400 and message in html
        status, body = http_get(f"{live_server}/api/search?q=Russian&{query}")
        assert status == 400 and message in json.loads(body)["error"]


def test_column_picker_without_javascript(no_js_page, live_server):
    tab = no_js_page
    tab.goto(live_server + "/?q=Russian&view=table&sort=oldest")
    picker = tab.locator(".column-picker")
    picker.locator("input[value=section]").uncheck()
    picker.locator("input[value=snippet]").uncheck()
    picker.locator("input[value=topic]").check()
    picker.locator("button").click()
    tab.wait_for_url("**col=**")
    assert _query(tab.url) == {"q": ["Russian"], "view": ["table"], "sort": ["oldest"],
                               "col": ["date", "source", "place", "topic"]}
    assert _headings(tab) == ["DATE", "SOURCE", "PLACE", "TOPIC"]


def test_column_picker_applies_at_once_with_javascript(page, live_server):
    page.goto(live_server + "/?q=Russian&view=table&sort=oldest")
    assert not page.locator(".column-picker button").is_visible()  # nothing to press
    page.locator(".column-picker input[value=report]").check()
    page.wait_for_url("**col=report**")
    assert _headings(page) == ["DATE", "REPORT", "SOURCE", "SECTION", "PLACE", "SNIPPET"]
    assert _query(page.url)["sort"] == ["oldest"]
    # The header form keeps the columns: a new sort does not drop them.
    page.select_option("#sort", "newest")
    page.wait_for_url("**sort=newest**")
    assert _query(page.url)["col"] == ["date", "report", "source", "section", "place", "snippet"]
    assert "REPORT" in _headings(page)


@pytest.mark.parametrize("javascript", [True, False])
def test_no_page_scroll_sideways_on_a_phone_in_table_view(browser, live_server, javascript):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=javascript)
    tab = context.new_page()
    columns = "&".join(f"col={c}" for c in ("date", "report", "source", "section", "place", "topic", "snippet"))
    tab.goto(f"{live_server}/?q=Russian&view=table&group=report&{columns}")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = tab.locator(".table-wrap")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # the table scrolls, inside its box
    assert wrap.bounding_box()["width"] <= 390
    context.close()


# -- controls apply at once with JS, and submit without ----------------------------------


def test_sort_dates_collapse_group_and_view_apply_without_pressing_search(page, live_server):
    page.goto(live_server + "/?q=Russian")
    page.select_option("#sort", "oldest")
    page.wait_for_url("**sort=oldest**")
    assert page.locator(".hit time").first.inner_text() == "2024-12-14"
    page.fill("#from", "2024-12-20")
    page.locator("#from").press("Tab")  # a date applies when the box is left
    page.wait_for_url("**from=2024-12-20**")
    assert set(page.locator(".hit time").all_inner_texts()) == {"2024-12-23"}
    page.locator("input[name=collapse][type=checkbox]").check()
    page.wait_for_url("**collapse=true**")
    assert "distinct paragraphs" in page.locator(".summary").inner_text()
    page.locator("input[name=group][type=checkbox]").check()
    page.wait_for_url("**group=report**")
    assert page.locator(".report-group").count() == 1
    page.select_option("#view", "table")
    page.wait_for_url("**view=table**")
    assert page.locator(".hits-table .report-row").count() == 1
    assert _query(page.url) == {"q": ["Russian"], "from": ["2024-12-20"], "collapse": ["true"],
                                "sort": ["oldest"], "group": ["report"], "view": ["table"]}  # no empty "to"
    # Back and forward walk through the same states, controls included.
    page.go_back()
    page.wait_for_url(lambda url: "view=" not in url)
    page.wait_for_selector(".report-group")
    assert page.locator("#view").input_value() == "" and page.locator("input[name=group][type=checkbox]").is_checked()
    page.go_back()
    page.wait_for_url(lambda url: "group=" not in url)
    page.wait_for_selector("ol.hits .hit")
    assert not page.locator("input[name=group][type=checkbox]").is_checked()
    assert page.locator("input[name=collapse][type=checkbox]").is_checked()


def test_a_bad_date_typed_with_javascript_shows_its_message(page, live_server):
    page.goto(live_server + "/?q=Russian")
    page.fill("#from", "someday")
    page.locator("#from").press("Tab")
    page.wait_for_selector("#field-error")
    assert "someday" in page.locator("#field-error").inner_text()


def test_without_javascript_the_search_button_sends_every_control(no_js_page, live_server):
    tab = no_js_page
    tab.goto(live_server + "/?q=Russian&topic=Front+line")
    tab.select_option("#sort", "newest")
    tab.locator("input[name=collapse][type=checkbox]").check()
    tab.locator("input[name=group][type=checkbox]").check()
    tab.select_option("#view", "table")
    assert _query(tab.url) == {"q": ["Russian"], "topic": ["Front line"]}  # nothing applied yet
    tab.locator("form.search button[type=submit]").click()
    tab.wait_for_url("**view=table**")
    assert _query(tab.url) == {"q": ["Russian"], "topic": ["Front line"], "collapse": ["true"],
                               "sort": ["newest"], "group": ["report"], "view": ["table"]}
    assert tab.locator(".hits-table .report-row").count() >= 1
    # And back to the list from the same form.
    tab.select_option("#view", "")
    tab.locator("input[name=group][type=checkbox]").uncheck()
    tab.locator("form.search button[type=submit]").click()
    tab.wait_for_url(lambda url: "view=" not in url)
    assert tab.locator("ol.hits .hit").count() >= 1 and "group" not in _query(tab.url)


def test_an_error_page_keeps_group_and_view_in_its_form(live_server):
    status, html = http_get(f"{live_server}/?q=Russian&from=notadate&group=report&view=table")
    assert status == 400
    assert '<input type="hidden" name="group" value="report">' in html
    assert '<input type="hidden" name="view" value="table">' in html


# -- the whole state in pagination and "more like this" links (item 1) --------------------


def test_pagination_links_carry_filters_excludes_sort_dates_and_collapse(page, live_server):
    state = ("q=Russian&topic=Front+line&exclude=place:Kursk+Oblast&sort=oldest&from=2024-12-01&to=2024-12-31"
             "&collapse=1&per_page=2&view=table&col=date")
    page.goto(f"{live_server}/?{state}")
    wanted = _query(page.url)
    for link in page.locator(".pages a").all():
        query = _query(link.get_attribute("href"))
        query.pop("page", None)
        assert query == wanted
    page.locator(".pages a[rel=next]").click()
    page.wait_for_url("**page=2**")
    assert _query(page.url) == {**wanted, "page": ["2"]}
    assert _headings(page) == ["DATE"]


def test_more_like_this_keeps_the_search_state_back_to_the_results(page, live_server):
    page.goto(live_server + "/?q=Russian&sort=newest&group=report&collapse=1")
    wanted = _query(page.url)
    page.locator(".report-group a.para-link").first.click()
    page.wait_for_url("**/reports/**")
    more = page.locator(".para.target a", has_text="More like this").get_attribute("href")  # in the paragraph's menu
    assert _query(more) == wanted
    page.goto(live_server + more)
    page.locator("ol.hits:not(.source) .hit h2 a").first.click()
    page.wait_for_url("**/reports/**")
    page.locator("p.back a").click()
    page.wait_for_url(f"{live_server}/?**")
    assert _query(page.url) == wanted
    assert page.locator(".report-group").count() >= 1
