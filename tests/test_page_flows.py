"""What an analyst does on the page, in Debian's chromium: facets, timeline, export, feeds."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET


def facet_count(page, facet: str, value: str) -> int:
    item = page.locator(f"#facet-{facet}").locator("xpath=..").locator("li", has_text=value).first
    return int(item.locator(".count").inner_text())


def total(page) -> int:
    return int(page.locator(".summary strong").inner_text())


def test_two_values_of_one_facet_and_one_of_another(page, live_server):
    page.goto(live_server + "/")
    everything = total(page)
    syria = facet_count(page, "topic", "Syria")
    georgia = facet_count(page, "topic", "Georgia")
    page.locator("#facet-topic ~ ul a.include", has_text="Syria").click()
    page.wait_for_url("**topic=Syria**")
    assert total(page) == syria
    page.locator("#facet-topic ~ ul a.include", has_text="Georgia").click()
    page.wait_for_url("**topic=Georgia**")
    both = total(page)
    assert max(syria, georgia) <= both <= syria + georgia  # values of one facet are OR-ed
    # The topic facet ignores its own selection, so both counts stay as they were.
    assert (facet_count(page, "topic", "Syria"), facet_count(page, "topic", "Georgia")) == (syria, georgia)
    places = page.locator("#facet-place ~ ul li")
    narrower = next(
        i for i in range(places.count()) if 0 < int(places.nth(i).locator(".count").inner_text()) < both
    )
    place = places.nth(narrower).locator(".value").inner_text()
    expected = int(places.nth(narrower).locator(".count").inner_text())
    places.nth(narrower).locator("a.include").click()
    page.wait_for_url("**place=**")
    assert total(page) == expected < both  # facets are AND-ed
    chips = page.locator(".chips").inner_text()
    assert "Topic: Syria" in chips and "Topic: Georgia" in chips and f"Place: {place}" in chips
    page.go_back()
    page.wait_for_url(lambda url: "place=" not in url)
    assert total(page) == both
    page.go_back()
    page.go_back()
    assert total(page) == everything


def test_a_timeline_bar_narrows_the_dates(page, live_server):
    page.goto(live_server + "/")
    everything = total(page)
    bars = page.locator(".timeline a.bar")
    assert bars.count() == 10  # December 14 to 23, one bar a day
    bars.last.click()
    page.wait_for_url("**from=2024-12-23&to=2024-12-23**")
    assert 0 < total(page) < everything
    assert "From 2024-12-23" in page.locator(".chips").inner_text()
    assert page.locator("#from").input_value() == "2024-12-23"


def test_results_follow_typing_and_history(page, live_server):
    page.goto(live_server + "/")
    page.locator("#q").press_sequentially("Transnistria", delay=20)
    page.wait_for_url("**q=Transnistria**")
    assert page.locator(".hit").count() == 1
    page.go_back()
    page.wait_for_url(lambda url: "Transnistria" not in url)
    # Polled from Python: the page's CSP forbids the eval that wait_for_function needs.
    for _ in range(100):
        if page.locator(".hit").count() > 1:
            break
        page.wait_for_timeout(50)
    assert page.locator(".hit").count() > 1
    assert page.locator("#q").input_value() == ""


def test_export_csv_downloads_every_match(page, live_server):
    page.goto(live_server + "/?q=Russian")
    expected = total(page)
    with page.expect_download() as download:
        page.locator(".exports a", has_text="CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert len(rows) == expected and all("russian" in row["text"].lower() for row in rows)


def test_opensearch_and_atom_links(page, live_server):
    page.goto(live_server + "/?q=Kursk")
    href = page.locator('link[rel="search"]').get_attribute("href")
    description = ET.fromstring(page.request.get(live_server + href).body())
    assert description.find("{http://a9.com/-/spec/opensearch/1.1/}ShortName").text == "Sitrep"
    feed_href = page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    feed = ET.fromstring(page.request.get(live_server + feed_href).body())
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == total(page)
    dates = [e.find("{http://www.w3.org/2005/Atom}updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)


def test_cite_and_more_like_this(page, live_server):
    page.goto(live_server + "/?q=Transnistria")
    page.locator(".hit h2 a").first.click()
    target = page.locator(".para.target")
    target.locator("details.actions summary").click()  # the paragraph's one menu holds Cite
    citation = target.locator("textarea[id^=cite]").input_value()
    assert citation.startswith("Institute for the Study of War, “") and "#p" in citation
    target.locator("a", has_text="More like this").click()
    page.wait_for_url("**/more/**")
    assert page.locator(".hits .hit").count() >= 2
