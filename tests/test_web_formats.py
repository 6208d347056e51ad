"""Pages and API over reports with endnotes, labels, sections and repeats (the ingest issue's fields)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search import load_settings, update_index
from web import create_app

FORMATS = Path(__file__).parent / "data" / "formats"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-formats")
    reports = root / "reports"
    shutil.copytree(FORMATS, reports)
    # The same web page mirrored under another name: a repeat of every paragraph.
    page = (FORMATS / "isw-assessment.html").read_text()
    (reports / "mirror.html").write_text(page.replace("2025-02-24T20:15:00", "2025-02-25T08:00:00"))
    settings = load_settings(environ={}, index_dir=root / "index")
    update_index(settings, [reports])
    app = create_app(settings, TESTING=True)
    yield app.test_client()
    app.extensions["sitrep"].close()


def test_new_facets_are_listed_and_filter(client):
    html = client.get("/?q=Russian").get_data(as_text=True)
    assert ">Evidence<" in html and ">Cited domain<" in html
    body = client.get("/api/search?cited=t.me&label=Assessed+Russian+advances").get_json()
    assert body["total"] == 2 and all("t.me" in hit["cited"] for hit in body["hits"])
    assert body["filters"] == {"label": ["Assessed Russian advances"], "cited": ["t.me"]}


def test_collapse_on_the_api_and_the_page(client):
    full = client.get("/api/search?q=Putin").get_json()
    collapsed = client.get("/api/search?q=Putin&collapse=true").get_json()
    assert (full["total"], collapsed["total"]) == (2, 1)
    (hit,) = collapsed["hits"]
    assert [other["report_id"] for other in hit["also_in"]] and collapsed["collapse"] is True
    html = client.get("/?q=Putin&collapse=true").get_data(as_text=True)
    assert "Also in 1 other report" in html and "Repeats collapsed" in html


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_collapse_value_is_a_400(client, value):
    response = client.get(f"/api/search?collapse={value}")
    assert response.status_code == 400 and "collapse must be true or false" in response.get_json()["error"]


def test_event_dates_filter_on_the_api(client):
    body = client.get("/api/search?event_from=2025-02-22&event_to=2025-02-23").get_json()
    assert body["total"] == 4  # two paragraphs, each in both copies of the page
    assert all({"2025-02-22", "2025-02-23"} & set(hit["event_dates"]) for hit in body["hits"])
    assert client.get("/api/search?event_from=notadate").status_code == 400


def test_report_page_shows_endnotes_as_links(client):
    hit = client.get("/api/search?q=Putin").get_json()["hits"][0]
    html = client.get(hit["url"].split("#")[0]).get_data(as_text=True)
    assert '<a href="http://kremlin.ru/acts/news/76000" rel="noopener noreferrer nofollow">' in html
    assert "#2. Russian Main Effort – Eastern Ukraine" in html  # the heading as written
    assert hit["footnotes"] == [{"n": 7, "text": "http://kremlin.ru/acts/news/76000", "urls": ["http://kremlin.ru/acts/news/76000"]}]


def test_timeline_bars_narrow_the_dates(client):
    import re
    from html import unescape

    body = client.get("/api/search?q=Russian").get_json()
    assert body["timeline"]["bucket"] == "day"
    assert sum(bar["count"] for bar in body["timeline"]["bars"]) == body["total"]
    html = client.get("/?q=Russian").get_data(as_text=True)
    assert '<svg class="timeline-plot' in html and 'role="group"' in html
    bars = [unescape(h) for h in re.findall(r'<a href="([^"]+)" class="bar" tabindex="-1"', html)]
    assert len(bars) == len(body["timeline"]["bars"])
    first = body["timeline"]["bars"][0]
    assert f"from={first['start']}" in bars[0] and f"to={first['end']}" in bars[0]
    narrowed = client.get(bars[0]).get_data(as_text=True)
    assert f"From {first['start']}" in narrowed
