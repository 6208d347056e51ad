"""The search page in a real browser: Debian's chromium driven by Playwright.

A real Flask server (werkzeug's, in a thread) serves the seed index.  A
failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import pytest

from conftest import ARTIFACTS


def test_search_from_the_box(page, live_server):
    page.goto(live_server + "/")
    page.fill("#q", "North Korea")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=North+Korea**")
    # The seeds' 7 paragraphs about North Korea, North Korean troops included (#15).
    assert page.locator(".hit").count() == 7
    assert page.locator(".hit mark").first.inner_text() == "North"
    notice = page.locator(".rewritten")
    assert notice.inner_text().startswith('Also searched as ("North Korea" OR DPRK OR "North Korean")')
    notice.locator("a", has_text="North Korea").click()
    page.wait_for_url("**literal=1**")
    assert page.locator(".hit").count() == 2  # the words as typed
    assert page.locator(".rewritten").count() == 0


def test_facets_filter_and_chips_unfilter(page, live_server):
    page.goto(live_server + "/?q=Russian")
    total = page.locator(".summary strong").inner_text()
    page.locator(".facet a", has_text="Syria").first.click()
    page.wait_for_url("**topic=Syria**")
    assert page.locator(".chips").inner_text().startswith("Topic: Syria")
    assert page.locator(".summary strong").inner_text() != total
    page.locator(".chips a", has_text="Topic: Syria").click()
    page.wait_for_load_state()
    assert page.locator(".summary strong").inner_text() == total
    page.go_back()
    assert "topic=Syria" in page.url
    page.go_forward()
    assert "topic=Syria" not in page.url


def test_hit_opens_in_context_highlighted_and_scrolled(page, live_server):
    page.goto(live_server + "/?q=Transnistria")
    page.locator(".hit h2 a").first.click()
    page.wait_for_load_state()
    target = page.locator(".para.target")
    assert target.count() == 1
    assert "Transnistria" in target.locator("mark").inner_text()
    assert target.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")


def test_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server + "/")
    tab.fill("#q", "displacement")
    tab.locator("form.search button").click()
    tab.wait_for_url("**q=displacement**")
    assert tab.locator(".hit").count() >= 2
    context.close()


def test_slash_focuses_the_search_box(page, live_server):
    page.goto(live_server + "/?q=Kursk")
    page.locator("body").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_bad_query_shows_a_readable_message(page, live_server):
    response = page.goto(live_server + "/?q=%22unclosed")
    assert response.status == 400
    # The message stands by the query box, the box keeps what was typed (#16).
    assert "unclosed quote" in page.locator("#field-error").inner_text()
    assert page.locator("#q").input_value() == '"unclosed'


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshot_desktop_and_phone(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.goto(live_server + "/?q=Pokrovsk")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"search-{width}.png"), full_page=True)
    # Nothing wider than the viewport: readable at phone width.
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
