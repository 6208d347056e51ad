"""The HTML pages (web/pages.py) through Flask's test client: links, state, errors."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from web import create_app


@pytest.fixture(scope="module")
def client(seed_settings):
    app = create_app(seed_settings, TESTING=True)
    yield app.test_client()
    app.extensions["sitrep"].close()


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html)]


def test_search_page_shows_ranked_hits_with_marks(client):
    html = client.get("/?q=Pokrovsk").get_data(as_text=True)
    assert "of <strong>6</strong> paragraphs" in html
    assert html.count('class="hit"') == 6
    assert "<mark>Pokrovsk</mark>" in html


def test_facet_link_toggles_the_filter(client):
    html = client.get("/?q=Russian").get_data(as_text=True)
    syria = next(link for link in links(html) if "topic=Syria" in link)
    filtered = client.get(syria).get_data(as_text=True)
    assert 'aria-current="true"' in filtered and "Topic: Syria" in filtered
    again = next(link for link in links(filtered) if urlsplit(link).path == "/" and "topic" not in parse_qs(urlsplit(link).query) and "q=Russian" in link)
    assert "Topic: Syria" not in client.get(again).get_data(as_text=True)


def test_hit_links_to_its_paragraph_in_the_report(client):
    html = client.get("/?q=Transnistria").get_data(as_text=True)
    report_link = next(link for link in links(html) if link.startswith("/reports/"))
    path, _, anchor = report_link.partition("#")
    page = client.get(path).get_data(as_text=True)
    assert f'id="{anchor}"' in page
    assert re.search(rf'class="para bullet target( match)?" id="{anchor}"', page)
    assert "<mark>Transnistria</mark>" in page


def test_pagination_links_keep_the_state(client):
    html = client.get("/?q=&source=Institute+for+the+Study+of+War&per_page=5", follow_redirects=True).get_data(as_text=True)
    next_link = next(link for link in links(html) if "page=2" in link)
    state = parse_qs(urlsplit(next_link).query)
    assert state["source"] == ["Institute for the Study of War"] and state["per_page"] == ["5"]


def test_date_filter_from_the_form(client):
    html = client.get("/?q=&from=Dec+20+2024&to=2024-12-31", follow_redirects=True).get_data(as_text=True)
    assert "of <strong>19</strong> paragraphs" in html
    assert "From 2024-12-20" in html


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/?q=%22unclosed", 400, "unclosed quote"),
        ("/?q=x&from=not+a+date", 400, "cannot read"),
        ("/reports/nope", 404, "no report"),
        ("/no/such/page", 404, "Not found"),
    ],
)
def test_errors_are_readable_pages(client, url, status, words):
    response = client.get(url)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert words in unescape(html) and "Traceback" not in html


def test_report_text_is_escaped(client, seed_settings):
    html = client.get("/?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
