"""The report page in Debian's chromium (#16 item 8): title bar, footnote links, one menu, hits, Cite.

The index is built from tests/data/report/velmora-assessment.html: invented
text in the shape of an ISW daily page (markers as ``[n]`` and
``<sup>[n]</sup>``, an endnotes block of ``[n] link`` paragraphs, a canonical
link), 24 paragraphs, "convoy" in ten of them, and one paragraph (¶6) whose
markers [10], [11], [12] have no endnote.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from search import SearchIndex, load_settings, update_index
from search.ingest import strip_markers

from conftest import serving

REPORTS = Path(__file__).resolve().parent / "data" / "report"
REPORT = "/reports/velmora-assessment"
ORIGINAL = "https://reports.example.org/backgrounder/velmora-front-assessment-march-3-2025"
BASE_URL = "https://sitrep.example/desk"
CONVOY = [2, 4, 8, 9, 12, 15, 18, 20, 22, 23]  # the paragraphs that mention a convoy
STATE = "q=convoy&source=Example+Institute&sort=newest"


@pytest.fixture(scope="module")
def report_settings(tmp_path_factory):
    settings = load_settings(environ={}, index_dir=tmp_path_factory.mktemp("report-index"), base_url=BASE_URL)
    update_index(settings, [REPORTS])
    return settings


@pytest.fixture(scope="module")
def report_server(report_settings):
    with serving(report_settings) as url:
        yield url


def _state(url: str) -> dict[str, list[str]]:
    return {k: v for k, v in parse_qs(urlsplit(url).query).items() if k != "p"}


# -- ingest and query: where the markers were, and what a search finds -------------


def test_marker_offsets_point_into_the_stripped_text():
    text, markers = strip_markers("Troops left Dresna.[4] Roads [5] closed [6].")
    assert text == "Troops left Dresna. Roads closed."
    assert markers == ((19, 4), (25, 5), (32, 6))
    assert [text[:at].split()[-1] for at, _ in markers] == ["Dresna.", "Roads", "closed"]


def test_report_lists_the_paragraphs_its_search_matches(report_settings):
    with SearchIndex(report_settings) as index:
        report = index.report("velmora-assessment", "convoy", filters={"source": ["Example Institute"]})
        assert report.searched and report.matches == CONVOY
        assert index.report("velmora-assessment", "convoy", filters={"source": ["Nobody"]}).matches == []
        # An unclosed quote cannot be searched: the report still shows, nothing matched.
        broken = index.report("velmora-assessment", '"convoy')
        assert not broken.searched and broken.matches == [] and len(broken.paragraphs) == 24
        assert index.report("velmora-assessment").url == ORIGINAL


def test_the_report_api_gives_the_original_address(report_server):
    import json
    import urllib.request

    with urllib.request.urlopen(f"{report_server}/api{REPORT}") as answer:
        body = json.load(answer)
    assert body["url"] == ORIGINAL
    assert all("markers" not in p and "pieces" not in p for p in body["paragraphs"])


def test_a_marker_number_is_not_searchable(report_settings):
    with SearchIndex(report_settings) as index:
        assert index.search("12").total == 0  # [12] stands in ¶6, and no text says 12
        assert index.search("Schools closed").total == 1
        (hit,) = index.search('"Schools closed"').hits
        assert "12" not in hit.text and "12" not in hit.snippet


# -- the page ------------------------------------------------------------------------


def test_title_bar_stays_visible_and_the_target_lands_below_it(browser, report_server):
    for width in (1280, 390):
        # Short enough that ¶20 can be scrolled to the top of the window.
        context = browser.new_context(viewport={"width": width, "height": 600})
        tab = context.new_page()
        tab.goto(f"{report_server}{REPORT}?{STATE}&p=20#p20")
        tab.wait_for_function("window.scrollY > 0")
        bar = tab.locator(".report-head").bounding_box()
        title = tab.locator(".report-head h1").bounding_box()
        target = tab.locator("#p20").bounding_box()
        assert 0 <= title["y"] and title["y"] + title["height"] <= bar["y"] + bar["height"] <= 600
        assert bar["y"] == 0  # stuck to the top of the viewport
        # Just below the bar: not under it, and not far down the window.
        assert 0 <= target["y"] - (bar["y"] + bar["height"]) <= 24, (width, bar, target)
        assert tab.locator(".report-head .back a").is_visible()
        if width == 390:
            assert bar["height"] < 120, bar  # compact on a phone: three short lines
            # Nothing pokes out sideways (the paragraphs' negative margins once did by a pixel).
            assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        context.close()


def test_markers_are_links_to_their_endnotes_and_back(page, report_server):
    page.goto(f"{report_server}{REPORT}")
    links = page.locator(".para sup.fn a")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    # Every marker with an endnote: 49 markers in the page, [10], [11], [12] without one.
    assert len(hrefs) == 46
    for href in hrefs:
        assert page.locator(f"li{href}").count() == 1, href
    # ¶3's note 5 is cited twice: one endnote, a link back to each marker.
    assert page.locator("#p3 sup.fn a").all_inner_texts() == ["[5]", "[5]"]
    assert page.locator("#note-3-5 a.backlink").evaluate_all("a => a.map(x => x.getAttribute('href'))") == \
        ["#ref-3-5", "#ref-3-5-2"]
    page.locator("#p2 sup.fn a").first.click()
    assert page.url.endswith("#note-2-3")
    page.locator("#note-2-3 a.backlink").click()
    assert page.url.endswith("#ref-2-3")
    # Missing endnotes: the markers stay as text, and one short line says so.
    assert page.locator("#p6 sup.fn.missing").all_inner_texts() == ["[10]", "[11]", "[12]"]
    assert page.locator("#p6 .notes-missing").inner_text() == "[10], [11], [12]: no endnote in the report"
    assert page.locator(".notes-missing").count() == 1
    assert page.get_by_text("(no endnote in the report)").count() == 0


def test_one_menu_per_paragraph_holds_cite_more_and_link(page, report_server):
    page.goto(f"{report_server}{REPORT}?{STATE}")
    paragraphs = page.locator(".para").count()
    assert paragraphs == 24
    assert page.locator(".para > details.actions").count() == paragraphs
    assert page.locator(".para .tools").count() == 0
    menu = page.locator("#p4 details.actions")
    summary = menu.locator("summary")
    page.mouse.move(0, 0)
    assert summary.evaluate("s => getComputedStyle(s).opacity") == "0"  # hidden until hover or focus
    summary.focus()  # keyboard: Tab reaches it, and focus shows it
    assert summary.evaluate("s => getComputedStyle(s).opacity") == "1"
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is not None
    assert menu.locator("textarea").is_visible()
    assert menu.locator("a.more-like").inner_text() == "More like this"
    assert menu.locator("button.copy", has_text="Copy link").is_visible()
    assert menu.locator("button.copy", has_text="Copy citation").is_visible()
    assert _state(menu.locator("a.more-like").get_attribute("href")) == _state(f"?{STATE}")


def test_next_and_previous_hit_walk_the_matching_paragraphs_in_order(browser, report_server):
    # Plain links: they work without JavaScript.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.goto(f"{report_server}{REPORT}?{STATE}&p=2#p2")
    assert tab.locator(".para.match").evaluate_all("ps => ps.map(p => p.id)") == [f"p{n}" for n in CONVOY]
    assert tab.locator(".hit-count").inner_text() == f"Hit 1 of {len(CONVOY)}"
    assert tab.locator("a.hit-prev").count() == 0
    visited = [2]
    while tab.locator("a.hit-next").count():
        tab.locator("a.hit-next").click()
        tab.wait_for_load_state()
        position = int(urlsplit(tab.url).fragment[1:])
        visited.append(position)
        assert tab.locator(".hit-count").inner_text() == f"Hit {len(visited)} of {len(CONVOY)}"
        assert "target" in tab.locator(f"#p{position}").get_attribute("class")
        assert _state(tab.url) == _state(f"?{STATE}")
    assert visited == CONVOY
    tab.locator("a.hit-prev").click()
    tab.wait_for_load_state()
    assert tab.url.endswith(f"#p{CONVOY[-2]}")
    # From a paragraph that is no hit, the bar counts hits and points to the neighbours.
    tab.goto(f"{report_server}{REPORT}?{STATE}&p=10#p10")
    assert tab.locator(".hit-count").inner_text() == f"{len(CONVOY)} hits in this report"
    assert tab.locator("a.hit-prev").get_attribute("href").endswith("#p9")
    assert tab.locator("a.hit-next").get_attribute("href").endswith("#p12")
    context.close()


def test_keys_move_between_hits(page, report_server):
    page.goto(f"{report_server}{REPORT}?{STATE}&p=8#p8")
    page.keyboard.press("n")
    page.wait_for_url("**#p9")
    page.keyboard.press("k")
    page.wait_for_url("**#p8")


def test_citation_has_the_original_the_access_date_and_a_base_url_permalink(page, report_server):
    before = date.today()
    page.goto(f"{report_server}{REPORT}?{STATE}&p=9#p9")
    after = date.today()
    citation = page.locator("#cite-9").input_value()
    accessed = {f"(accessed {day.isoformat()})" for day in (before, after)}  # the day the page was made
    assert citation.startswith("Example Institute, “Velmora Front Assessment, March 3, 2025”, 2025-03-03, "
                               "section “Northern Axis”, paragraph 9.")
    assert f" {ORIGINAL} (accessed " in citation and any(a in citation for a in accessed)
    assert citation.endswith(f"Sitrep: {BASE_URL}/reports/velmora-assessment?p=9#p9")
    assert "127.0.0.1" not in citation
    assert page.locator("#link-9").input_value() == f"{BASE_URL}/reports/velmora-assessment?p=9#p9"
    original = page.locator(".report-head .original a")
    assert original.get_attribute("href") == ORIGINAL
    assert page.locator(".report-head .original").inner_text().startswith("Original: ")


def test_every_link_on_the_report_keeps_the_search_state(page, report_server):
    page.goto(f"{report_server}{REPORT}?{STATE}&p=9#p9")
    wanted = _state(f"?{STATE}")
    assert _state(page.locator("p.back a").get_attribute("href")) == wanted
    for selector in (".para a.num", ".para a.more-like", "a.hit-next", "a.hit-prev"):
        hrefs = page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert hrefs and all(_state(h) == wanted for h in hrefs), selector
    # More like this keeps it too, back to the same results.
    page.locator("#p9 details.actions summary").click()
    page.locator("#p9 a.more-like").click()
    page.wait_for_url("**/more/**")
    assert _state(page.locator("p.back a").get_attribute("href")) == wanted
    page.locator("p.back a").click()
    page.wait_for_url(f"{report_server}/?**")
    assert _state(page.url) == wanted
