"""axe-core on every kind of page, desktop and phone, and the Tab presses to the first result (#16, item 11).

axe-core comes from the npm registry into ``tests/a11y/node_modules`` (``make
test`` runs ``npm ci`` there) and is evaluated inside pages served on
127.0.0.1, so nothing is loaded off the machine.  A violation of impact
"serious" or "critical" fails; lesser ones are printed, not hidden.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

AXE = Path(__file__).resolve().parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"

PAGES = {
    "home": "/",
    "results": "/?q=Pokrovsk",
    "filtered": "/?q=Russian&topic=North+Korea&exclude=source:ISW&sort=newest&collapse=true",
    "no-results": "/?q=zzzunmatchedword",
    "bad-date": "/?q=Kursk&from=notadate",
    "bad-query": "/?q=%22unclosed",
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        why = "npm is not installed (apt-get install npm)" if not shutil.which("npm") else "run: npm ci --prefix tests/a11y"
        pytest.skip(f"axe-core is missing: {why}")
    return AXE.read_text(encoding="utf-8")


def _violations(page, axe_source: str) -> list[dict]:
    # page.evaluate is not subject to the page's Content-Security-Policy, which
    # (rightly) refuses inline scripts.
    page.evaluate(axe_source)
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    return json.loads(result)


def _serious(violations: list[dict]) -> list[str]:
    found = []
    for v in violations:
        if v["impact"] in ("serious", "critical"):
            targets = [" ".join(node["target"]) for node in v["nodes"][:3]]
            found.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes: {targets}): {v['help']}")
        else:
            print(f"axe {v['impact']}: {v['id']} ({len(v['nodes'])} nodes)")
    return found


def _report_url(page, live_server: str) -> str:
    page.goto(f"{live_server}/?q=Pokrovsk")
    return page.locator(".hit h2 a").first.get_attribute("href")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violations(page, live_server, axe_source, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + PAGES[name])
    assert _serious(_violations(page, axe_source)) == []


@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_axe_violations_on_a_report_and_more_like_this(page, live_server, axe_source, width):
    page.set_viewport_size({"width": width, "height": 900})
    report = _report_url(page, live_server)
    page.goto(live_server + report if report.startswith("/") else report)
    assert _serious(_violations(page, axe_source)) == []
    more = page.locator("a", has_text=re.compile("More like this")).first.get_attribute("href")
    page.goto(live_server + more if more.startswith("/") else more)
    assert _serious(_violations(page, axe_source)) == []


def test_no_serious_axe_violations_with_the_phone_filters_open(page, live_server, axe_source):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/?q={quote('North Korea')}")
    page.locator(".filters-toggle").first.click()
    assert _serious(_violations(page, axe_source)) == []


def _tab_stops_before_the_first_result(page, limit: int = 200) -> list[str]:
    """What each Tab press from the top lands on, until one lands in the first result."""
    page.locator("body").focus()
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        where = page.evaluate("""() => {
          const e = document.activeElement;
          if (e.closest('.hit, .group, .results table')) return 'result';
          if (e.closest('.facets')) return 'facet';
          if (e.closest('.timeline svg')) return 'timeline bar';
          if (e.closest('.place-map svg')) return 'map place';
          return e.tagName.toLowerCase();
        }""")
        if where == "result":
            return stops
        stops.append(where)
    raise AssertionError(f"no result reached in {limit} Tab presses")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_first_result_is_a_few_tab_presses_from_the_top(page, live_server, width, capsys):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server}/?q=Russian")
    stops = _tab_stops_before_the_first_result(page)
    with capsys.disabled():
        print(f"\nTab presses from the top to the first result at {width} px: {len(stops) + 1}")
    # The facets come after the results in the page; the chart and the map are
    # one stop each however many bars and places they draw.
    assert "facet" not in stops
    assert stops.count("timeline bar") == 1 and stops.count("map place") == 1
    page.goto(f"{live_server}/?q=Russian")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Skip to results"
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('.hit, .group, .results table')")


def test_results_typed_into_the_box_keep_the_chart_and_map_single_stops(page, live_server):
    # The live results replace the page's layout; its new chart and map must
    # be set up for the keyboard too, not left with a Tab stop per bar or place.
    page.goto(f"{live_server}/")
    page.fill("input[name=q]", "Russian")
    page.wait_for_url("**q=Russian**")
    page.wait_for_selector(".hit")
    assert page.locator(".place-map a.map-place").count() >= 2
    stops = _tab_stops_before_the_first_result(page)
    assert stops.count("timeline bar") == 1 and stops.count("map place") == 1
