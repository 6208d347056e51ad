"""The results timeline (#16, item 4): axes, counts, intervals, presets, brushing, one Tab stop; no Month facet.

Two real indexes: the seeds (two reports, 2024-12-14 and 2024-12-23: ten day
bars) and a generated one whose counts per month are known (a report every
nine days from 2023-01-04 to 2024-03-20, one of them 1,050 paragraphs long).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from search import load_settings, update_index

from conftest import serving

LONG_REPORT_DAY = date(2023, 6, 10)
LONG_REPORT_PARAGRAPHS = 1050


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _reports() -> dict[date, int]:
    """Report date -> paragraphs, for the generated corpus."""
    days, day = {}, date(2023, 1, 4)
    for i in range(50):
        days[day] = 1 + (i * 7) % 5
        day += timedelta(days=9)
    days[LONG_REPORT_DAY] = LONG_REPORT_PARAGRAPHS
    return days


@pytest.fixture(scope="module")
def known_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("timeline")
    reports = root / "reports"
    reports.mkdir()
    for n, (day, paragraphs) in enumerate(sorted(_reports().items())):
        body = "\n\n".join(
            f"Russian forces attacked positions near settlement {n}-{k} and Ukrainian forces repelled assault {k}."
            for k in range(paragraphs)
        )
        (reports / f"r{n:03d}.txt").write_text(f"{day:%B} {day.day}, {day.year}\n\nSituation report {n}\n\n{body}\n")
    settings = load_settings(index_dir=root / "index", environ={})
    update_index(settings, [reports])
    with serving(settings) as url:
        yield url


def _tick_boxes(page) -> list[dict]:
    """The boxes of the tick labels shown (in the tick set the chart's width shows)."""
    return page.eval_on_selector_all(
        ".timeline-plot g.ticks text",
        "els => els.filter(e => getComputedStyle(e.closest('g.ticks')).display !== 'none')"
        ".map(e => { const b = e.getBoundingClientRect();"
        " return {text: e.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom}; })",
    )


def _shown_ticks(page) -> list[str]:
    return [box["text"] for box in _tick_boxes(page) if not box["text"].isdigit()]


def _assert_no_overlap(page) -> None:
    boxes = _tick_boxes(page)
    chart = page.locator(".timeline-chart").bounding_box()
    assert boxes
    for box in boxes:
        assert chart["x"] <= box["left"] and box["right"] <= chart["x"] + chart["width"], box
    for a in boxes:
        for b in boxes:
            if a is not b and a["top"] < b["bottom"] and b["top"] < a["bottom"]:
                assert a["right"] <= b["left"] or b["right"] <= a["left"], (a, b)


def _shown_counts(page) -> list[str]:
    return page.eval_on_selector_all(
        ".timeline-plot .counts text", "els => els.filter(e => getComputedStyle(e).display !== 'none').map(e => e.textContent)"
    )


def _y_labels(page) -> list[str]:
    return page.locator(".timeline-y text").all_text_contents()


def test_day_ticks_y_scale_and_counts_on_the_seeds_at_two_widths(browser, live_server):
    for width, ticks, counts in (
        (1280, [f"Dec {d}" for d in range(14, 24)], ["13", "19"]),
        (390, [f"Dec {d}" for d in range(14, 24, 2)], ["19"]),  # the peak's count only
    ):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(live_server + "/")
        assert page.locator(".timeline a.bar").count() == 10
        assert _shown_ticks(page) == ticks and "2024" in [b["text"] for b in _tick_boxes(page)]
        _assert_no_overlap(page)
        assert _y_labels(page) == ["10", "20", "0"]  # peak 19: gridlines at 10 and 20
        assert _shown_counts(page) == counts
        assert page.locator(".timeline-readout").inner_text() == "Peak: 19 paragraphs, 2024-12-23."
        context.close()


def test_month_ticks_thousands_and_the_table_on_a_known_corpus(browser, known_server):
    expected = Counter()
    for day, paragraphs in _reports().items():
        expected[day.replace(day=1)] += paragraphs
    months = sorted(expected)
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(known_server + "/?interval=month")
        assert page.locator(".timeline a.bar").count() == len(months) == 15
        _assert_no_overlap(page)
        shown = _shown_ticks(page)
        if width == 1280:
            assert shown == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                             "Jan", "Feb", "Mar"]
        else:
            assert shown == ["Jan", "Apr", "Jul", "Oct", "Jan"]  # quarters on a phone
        assert [box["text"] for box in _tick_boxes(page) if box["text"].isdigit()] == ["2023", "2024"]
        peak = expected[date(2023, 6, 1)]
        assert _y_labels(page) == ["500", "1,000", "1,500", "0"]
        assert f"{peak:,}" in _shown_counts(page)
        assert page.locator(".timeline-readout").inner_text() == f"Peak: {peak:,} paragraphs, June 2023."
        if width == 1280:
            context.close()
    # The table under the chart (at 390 px): every month, its count, a link narrowing the dates.
    page.locator(".timeline-table summary").click()
    rows = page.locator(".timeline-table tbody tr")
    assert [(rows.nth(i).locator("th").inner_text(), rows.nth(i).locator("td").inner_text()) for i in range(rows.count())] \
        == [(m.strftime("%B %Y"), f"{expected[m]:,}") for m in months]
    assert page.locator(".timeline-table summary").inner_text() == "Counts per month (15 months)"
    rows.nth(5).locator("a").click()
    page.wait_for_url("**from=2023-06-01&to=2023-06-30**")
    assert _query(page.url)["interval"] == ["month"]
    context.close()


def test_the_interval_changes_the_bars_and_every_link_carries_it(page, live_server):
    page.goto(live_server + "/?q=Russian&per_page=2")
    assert page.locator(".timeline-intervals strong").inner_text() == "Auto (day)"
    page.locator(".timeline-intervals a", has_text="Week").click()
    page.wait_for_url("**interval=week**")
    bars = page.locator(".timeline a.bar")
    # Saturday 14 December and Monday 23 December: the weeks of the 9th, 16th and 23rd.
    assert bars.count() == 3
    assert [bars.nth(i).get_attribute("data-from") for i in range(3)] == ["2024-12-09", "2024-12-16", "2024-12-23"]
    assert page.locator(".timeline-intervals strong").inner_text() == "Week"
    assert page.locator(".timeline-table summary").inner_text() == "Counts per week (3 weeks)"
    carried = page.eval_on_selector_all(
        ".facets a.include, .pages a, .timeline a.bar, .timeline-presets a",
        "links => links.map(a => a.getAttribute('href'))",
    )
    assert carried and all("interval=week" in href for href in carried)
    assert page.locator("form.search input[type=hidden][name=interval]").get_attribute("value") == "week"
    page.locator(".timeline-intervals a", has_text="Auto").click()
    page.wait_for_url(lambda url: "interval" not in url)
    assert page.locator(".timeline a.bar").count() == 10


def test_the_api_honours_the_interval(live_server, known_server):
    def get(url):
        try:
            with urllib.request.urlopen(url) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as answer:
            return answer.code, json.load(answer)

    status, body = get(live_server + "/api/search?q=Russian")
    assert status == 200 and body["timeline"]["interval"] == "auto" and body["timeline"]["bucket"] == "day"
    assert len(body["timeline"]["bars"]) == 10
    status, body = get(live_server + "/api/search?q=Russian&interval=week")
    assert body["timeline"]["bucket"] == "week"
    assert [bar["start"] for bar in body["timeline"]["bars"]] == ["2024-12-09", "2024-12-16", "2024-12-23"]
    status, body = get(known_server + "/api/search?interval=year")
    assert [(bar["start"], bar["count"]) for bar in body["timeline"]["bars"]] == [
        ("2023-01-01", sum(n for d, n in _reports().items() if d.year == 2023)),
        ("2024-01-01", sum(n for d, n in _reports().items() if d.year == 2024)),
    ]
    # 442 days is more bars than can be drawn: weeks instead, and the page says so.
    status, body = get(known_server + "/api/search?interval=day")
    assert (body["timeline"]["interval"], body["timeline"]["bucket"]) == ("day", "week")
    status, body = get(live_server + "/api/search?interval=fortnight")
    assert status == 400 and body["ok"] is False and "interval must be one of" in body["error"]


def test_a_chosen_interval_too_fine_to_draw_says_so(page, known_server):
    page.goto(known_server + "/?interval=day")
    assert page.locator(".timeline-note").inner_text() == "Too many days to draw: shown per week."
    assert page.locator(".timeline-intervals strong").inner_text() == "Day"


def test_presets_set_from_and_to_from_the_newest_report_and_keep_the_rest(page, live_server):
    page.goto(live_server + "/?q=Russian&sort=newest&topic=Syria&interval=week")
    presets = page.locator(".timeline-presets")
    assert "to 2024-12-23, the newest report" in presets.inner_text()
    for label, start in (("Last 7 days", "2024-12-17"), ("Last 30 days", "2024-11-24"), ("This year (2024)", "2024-01-01")):
        page.locator(".timeline-presets a", has_text=label).click()
        page.wait_for_url(f"**from={start}**")
        query = _query(page.url)
        assert query == {"q": ["Russian"], "sort": ["newest"], "topic": ["Syria"], "interval": ["week"],
                         "from": [start], "to": ["2024-12-23"]}
        assert page.locator(".timeline-presets strong").inner_text() == label
        assert page.locator("#from").input_value() == start and page.locator("#to").input_value() == "2024-12-23"
    page.locator(".timeline-presets a", has_text="Any date").click()
    page.wait_for_url(lambda url: "from=" not in url)
    assert _query(page.url) == {"q": ["Russian"], "sort": ["newest"], "topic": ["Syria"], "interval": ["week"]}


def _bar_centre(page, i: int) -> tuple[float, float]:
    box = page.locator(".timeline a.bar .hit-area").nth(i).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_dragging_across_bars_narrows_the_dates_to_them(page, live_server):
    page.goto(live_server + "/?q=Russian&sort=oldest")
    everything = int(page.locator(".summary strong").inner_text())
    page.mouse.move(*_bar_centre(page, 0))
    page.mouse.down()
    page.mouse.move(*_bar_centre(page, 2), steps=4)
    page.mouse.move(*_bar_centre(page, 4), steps=4)
    assert page.locator(".timeline .brush").count() == 1
    assert page.locator(".timeline-readout").inner_text().startswith("2024-12-14 to 2024-12-18: ")
    page.mouse.up()
    page.wait_for_url("**from=2024-12-14**")
    assert _query(page.url) == {"q": ["Russian"], "sort": ["oldest"], "from": ["2024-12-14"], "to": ["2024-12-18"]}
    assert 0 < int(page.locator(".summary strong").inner_text()) < everything
    # Right to left works too, and a click without a drag still follows its bar.
    page.goto(live_server + "/?q=Russian")
    page.mouse.move(*_bar_centre(page, 9))
    page.mouse.down()
    page.mouse.move(*_bar_centre(page, 7), steps=5)
    page.mouse.up()
    page.wait_for_url("**from=2024-12-21&to=2024-12-23**")
    page.goto(live_server + "/?q=Russian")
    page.mouse.click(*_bar_centre(page, 0))
    page.wait_for_url("**from=2024-12-14&to=2024-12-14**")


def _focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return (e.closest('.timeline-plot') ? 'chart:' : '')"
        " + (e.getAttribute('data-from') || e.textContent.trim()); }"
    )


def test_the_chart_is_one_tab_stop_with_arrow_keys(page, live_server):
    page.goto(live_server + "/")
    assert page.locator(".timeline a.bar[tabindex='0']").count() == 1
    page.locator(".timeline-presets a").last.focus()
    page.keyboard.press("Tab")
    assert _focused(page) == "chart:2024-12-23"  # the peak is the Tab stop at first
    assert "19 paragraphs" in page.locator(".timeline-readout").inner_text()
    page.keyboard.press("Tab")
    assert _focused(page) == "Counts per day (10 days)"  # past the chart in one press
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowLeft")
    assert _focused(page) == "chart:2024-12-22"
    page.keyboard.press("Home")
    assert _focused(page) == "chart:2024-12-14"
    assert page.locator(".timeline-readout").inner_text() == "2024-12-14: 13 paragraphs. Enter narrows the dates to it."
    page.keyboard.press("ArrowRight")
    assert _focused(page) == "chart:2024-12-15"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert _focused(page) == "chart:2024-12-15"  # the Tab stop stays where the arrows left it
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    page.wait_for_url("**from=2024-12-14&to=2024-12-14**")


def test_without_javascript_no_bar_is_a_tab_stop(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/?q=Russian")
    assert page.locator(".timeline a.bar").count() == 10
    assert page.locator(".timeline a.bar:not([tabindex='-1'])").count() == 0
    page.locator(".timeline-presets a").last.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Counts per day (10 days)"
    page.locator(".timeline a.bar").first.click()  # the mouse still narrows the dates
    page.wait_for_url("**from=2024-12-14&to=2024-12-14**")
    context.close()


def test_the_chart_keeps_its_keys_after_live_results_replace_the_page(page, live_server):
    page.goto(live_server + "/")
    page.locator("#q").press_sequentially("Russian", delay=20)
    page.wait_for_url("**q=Russian**")
    for _ in range(100):  # polled: the page's CSP forbids the eval that wait_for_function needs
        if page.locator(".timeline a.bar[tabindex='0']").count() == 1:
            break
        page.wait_for_timeout(50)
    assert page.locator(".timeline a.bar[tabindex='0']").count() == 1
    page.locator(".timeline a.bar[tabindex='0']").focus()
    page.keyboard.press("Home")
    assert _focused(page) == "chart:2024-12-14"


def test_the_month_facet_is_gone_from_the_sidebar_but_not_from_the_api(page, live_server):
    page.goto(live_server + "/")
    assert page.locator("#facet-month").count() == 0
    assert "Month" not in page.locator("nav.facets").inner_text()
    assert page.locator(".timeline a.bar").count() == 10
    assert page.request.get(live_server + "/api/search").json()["facets"]["month"][0]["value"] == "2024-12"
    # There never was a month parameter (the list set from and to): it is refused, not ignored.
    assert page.request.get(live_server + "/api/search?month=2024-12").status == 400


def test_the_presets_stay_when_no_dated_paragraph_matches(page, live_server):
    page.goto(live_server + "/?q=Russian&from=2024-12-15&to=2024-12-20")
    assert page.locator(".summary").inner_text().startswith("No paragraphs match")
    assert page.locator(".timeline a.bar").count() == 0 and page.locator(".timeline-intervals").count() == 0
    page.locator(".timeline-presets a", has_text="Any date").click()
    page.wait_for_url(lambda url: "from=" not in url)
    assert page.locator(".timeline a.bar").count() == 10
