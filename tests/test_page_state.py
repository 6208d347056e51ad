"""The search state survives a visit to a report, and empty boxes stay out of URLs (#16, item 1)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

from conftest import http_get


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_back_to_results_keeps_filters_sort_dates_and_page(page, live_server):
    state = "q=Kursk&topic=North+Korea&sort=newest&from=2024-12-01&collapse=1&per_page=2"
    page.goto(f"{live_server}/?{state}")
    wanted = _query(page.url)
    page.locator(".hit h2 a").first.click()
    page.wait_for_url("**/reports/**")
    page.locator("p.back a").click()
    page.wait_for_url(f"{live_server}/?**")
    assert _query(page.url) == wanted
    assert page.locator(".chip, .chips a").count() >= 1  # the topic filter is still on
    assert page.locator("select[name=sort]").input_value() == "newest"


def test_a_report_link_from_page_two_comes_back_to_page_two(page, live_server):
    page.goto(f"{live_server}/?q=Russian&per_page=2&page=2")
    page.locator(".hit h2 a").first.click()
    page.wait_for_url("**/reports/**")
    page.locator("p.back a").click()
    page.wait_for_url(f"{live_server}/?**")
    assert _query(page.url)["page"] == ["2"]


def test_empty_boxes_are_left_out_of_the_url(page, live_server):
    page.goto(f"{live_server}/")
    page.fill("input[name=q]", "Pokrovsk")
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url("**q=Pokrovsk**")
    query = _query(page.url)
    assert query["q"] == ["Pokrovsk"]
    assert all(values != [""] for values in query.values()), page.url
    # Every link on the page leaves empty parameters out too.
    hrefs = page.eval_on_selector_all("a[href*='?']", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all("=&" not in h and not h.endswith("=") for h in hrefs)


def test_a_url_with_empty_parameters_redirects_to_the_one_without(live_server):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"{live_server}/?q=Kursk&from=&to=&sort=newest")
        raise AssertionError("expected a redirect")
    except urllib.error.HTTPError as answer:
        assert answer.code == 302
        assert _query(answer.headers["Location"]) == {"q": ["Kursk"], "sort": ["newest"]}



def test_a_bad_date_keeps_the_whole_form_and_names_the_date_box(live_server):
    status, html = http_get(f"{live_server}/?q=Kursk&from=notadate&sort=newest&topic=North+Korea&collapse=1")
    assert status == 400
    assert 'id="from" name="from" value="notadate"' in html
    assert '<option value="newest" selected>' in html
    assert '<input type="hidden" name="topic" value="North Korea">' in html
    assert re.search(r'name="collapse" value="true" checked', html)
    assert re.search(r'id="from"[^>]*aria-invalid="true"', html)
    assert 'class="field-error field-error-dates"' in html and "notadate" in html.split('id="field-error"')[1]
    assert not re.search(r'id="q"[^>]*aria-invalid', html)


def test_a_query_error_links_to_the_syntax_panel_whose_examples_run(live_server):
    status, html = http_get(f"{live_server}/?q=%22Kursk&sort=oldest")
    assert status == 400
    assert re.search(r'id="q"[^>]*aria-invalid="true"', html)
    assert 'href="#syntax"' in html and 'id="syntax"' in html
    assert '<option value="oldest" selected>' in html
    examples = re.findall(r'<details class="syntax".*?</details>', html, re.S)[0]
    links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', examples)]
    assert len(links) >= 7
    for link in links:
        assert http_get(f"{live_server}{link}")[0] == 200, link


def test_date_boxes_do_not_show_example_dates(live_server):
    html = http_get(f"{live_server}/")[1]
    for box in ("from", "to"):
        placeholder = re.search(rf'id="{box}"[^>]*placeholder="([^"]*)"', html).group(1)
        assert not re.search(r"\d", placeholder), placeholder  # an example date looks like a filter that is on
