"""Facets on the page in Debian's chromium: excluding values, counts with collapse, 1,234, the phone layout (#16)."""

from __future__ import annotations

import re

import pytest

from conftest import ARTIFACTS, serving_generated


def summary_total(page) -> int:
    return int(page.locator(".summary strong").inner_text().replace(",", ""))


def facet_row(page, facet: str, value: str):
    return page.locator(f"#facet-{facet}").locator("xpath=..").locator("li", has_text=value).first


# -- excluding a value -----------------------------------------------------------


def test_not_excludes_a_value_and_its_chip_brings_it_back(page, live_server):
    page.goto(live_server + "/?q=Pokrovsk")
    before = summary_total(page)
    topic = "Combat effectiveness and losses"
    row = facet_row(page, "topic", topic)
    count = int(row.locator(".count").inner_text())
    assert 0 < count < before
    row.hover()
    row.locator("a.not").click()
    page.wait_for_url("**exclude=topic*")
    assert summary_total(page) == before - count
    # Still listed, struck through, with the number it leaves out.
    row = facet_row(page, "topic", topic)
    assert "excluded" in row.get_attribute("class")
    assert row.locator("s.value").inner_text() == topic and int(row.locator(".count").inner_text()) == count
    assert row.locator("a.not").text_content().startswith("not ")  # the visible word starts its name
    assert f"{topic}: stop excluding it" in row.locator("a.not").text_content()
    tags = page.locator(".hit .tags").all_inner_texts()
    assert tags and not any(topic in t for t in tags)
    chip = page.locator(".chips li.excluded a")
    assert chip.inner_text().startswith(f"Topic: not {topic}")
    chip.click()
    page.wait_for_url(lambda url: "exclude=" not in url)
    assert summary_total(page) == before


def test_exclusion_in_the_url_works_without_javascript_and_survives_a_new_query(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server + "/?exclude=topic:Syria")
    assert tab.locator(".hits .tag-topic", has_text="Syria").count() == 0
    assert "not Syria" in tab.locator(".chips").inner_text()
    tab.fill("#q", "Russian")
    tab.locator("form.search button[type=submit]").click()
    tab.wait_for_url("**q=Russian**")
    assert "exclude=topic%3ASyria" in tab.url or "exclude=topic:Syria" in tab.url
    assert tab.locator(".hits .tag-topic", has_text="Syria").count() == 0
    # Selecting an excluded value ends its exclusion.
    facet_row(tab, "topic", "Syria").locator("a.include").click()
    tab.wait_for_url("**topic=Syria**")
    assert "exclude=" not in tab.url and tab.locator(".hit").count() > 0
    context.close()


def test_topic_and_place_tags_say_their_kind(page, live_server):
    page.goto(live_server + "/?q=Syria")
    topic = page.locator(".tags .tag-topic", has_text="Syria").first
    place = page.locator(".tags .tag-place", has_text="Syria").first
    assert topic.inner_text().lower().split() == ["topic", "syria"]
    assert place.inner_text().lower().split() == ["place", "syria"]
    assert topic.locator(".tag-kind").evaluate("e => getComputedStyle(e).color") != \
        place.locator(".tag-kind").evaluate("e => getComputedStyle(e).color")


def test_the_page_names_bullets_as_the_index_does(page, live_server):
    page.goto(live_server + "/?q=kind:bullet")
    kinds = page.locator(".hit .kind").all_inner_texts()
    assert kinds and set(kinds) == {"bullet"}
    assert "takeaway" not in page.locator(".hits").inner_text().replace("takeaways", "")


# -- a bigger index: thousands and collapse ---------------------------------------


@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    """1,500 generated ISW-like paragraphs, each report repeating a disclaimer."""
    with serving_generated(tmp_path_factory.mktemp("big"), 1500) as url:
        yield url


def test_counts_on_the_page_have_thousands_separators(page, big_server):
    data = page.request.get(big_server + "/api/search").json()
    assert data["total"] > 1000 and isinstance(data["total"], int)
    page.goto(big_server + "/")
    assert page.locator(".summary strong").inner_text() == f"{data['total']:,}"
    assert f"Download all {data['total']:,}" in page.locator(".exports").inner_text()
    big = [v for values in data["facets"].values() for v in values if v["count"] > 999 and v["value"]]
    assert big
    counts = page.locator(".facets .count").all_text_contents()  # also those folded away
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", c) for c in counts)
    assert f"{big[0]['count']:,}" in counts


def test_collapsed_counts_are_distinct_paragraphs_on_the_page_and_in_the_json(page, big_server):
    plain = page.request.get(big_server + "/api/search").json()
    collapsed = page.request.get(big_server + "/api/search?collapse=1").json()
    assert collapsed["counted"] == "groups" and plain["counted"] == "paragraphs"
    assert collapsed["total"] < plain["total"]  # the disclaimer is one group
    (source,) = collapsed["facets"]["source"]
    assert source["count"] == collapsed["total"]  # one source: its count is the total, both in groups
    page.goto(big_server + "/?collapse=1")
    assert "distinct paragraphs" in page.locator(".summary").inner_text()
    assert "counts once" in page.locator(".facets .counted").inner_text()
    assert facet_row(page, "source", source["value"]).locator(".count").inner_text() == f"{source['count']:,}"


# -- phone and desktop --------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False])
def test_phone_header_is_short_and_filters_open_above_the_results(browser, live_server, javascript):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=javascript)
    tab = context.new_page()
    tab.goto(live_server + "/?q=Pokrovsk")
    assert tab.evaluate("document.querySelector('header.top').getBoundingClientRect().height") <= 120
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    assert not tab.locator(".facets").is_visible() and not tab.locator("#from").is_visible()
    tab.locator(".filters-toggle").click()
    assert tab.locator(".facets").is_visible()
    facets_top = tab.evaluate("document.querySelector('.facets').getBoundingClientRect().top")
    first_hit_top = tab.evaluate("document.querySelector('.hit').getBoundingClientRect().top")
    assert facets_top < first_hit_top
    if javascript:
        assert tab.locator(".filters-toggle").get_attribute("aria-expanded") == "true"
    tab.locator(".options-toggle").click()
    assert tab.locator("#from").is_visible() and tab.locator("#sort").is_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"phone-filters-{'js' if javascript else 'nojs'}.png"))
    # The options checkbox has no name: dates go to the URL, the toggle does not.
    tab.fill("#from", "2024-12-20")
    tab.locator("#from").press("Enter")
    tab.wait_for_url("**from=2024-12-20**")
    assert "show-options" not in tab.url and "on" not in tab.url.split("?")[1].split("&")
    context.close()


def test_desktop_keeps_its_one_row_header_and_side_facets(page, live_server):
    page.goto(live_server + "/?q=Pokrovsk")
    assert page.locator(".facets").is_visible() and page.locator("#from").is_visible()
    assert not page.locator(".filters-toggle").is_visible() and not page.locator(".options-toggle").is_visible()
    header = page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
    assert header < 100  # one row
    facets = page.locator(".facets").bounding_box()
    results = page.locator(".results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"]  # beside, not above
