"""Request parameters (web/params.py) on every route that reads them, through Flask's test client.

Numbers and dates are written with the ASCII digits 0-9: "²", "١٢" and "１"
pass ``str.isdigit`` but are not numbers a user meant, and "²" made ``int()``
raise, a 500 on every route (#13).
"""

from __future__ import annotations

from html import unescape

import pytest

from web import create_app

SEARCH_ROUTES = ["/", "/api/search", "/api/export.csv", "/api/export.json", "/feed.atom"]
NOT_NUMBERS = ["²", "١٢", "１", "1_0", "+3", "3.0", "-1", "9" * 5000]


@pytest.fixture(scope="module")
def client(seed_settings):
    app = create_app(seed_settings, TESTING=True)
    yield app.test_client()
    app.extensions["sitrep"].close()


def assert_bad_request(response, words: str) -> None:
    """A 400 that says ``words``: the JSON error shape under /api/, an error page elsewhere."""
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body[:300]
    if response.request.path.startswith("/api/"):
        error = response.get_json()
        assert error["ok"] is False and error["status"] == 400 and words in error["error"]
    else:
        assert words in unescape(body) and "Traceback" not in body


@pytest.mark.parametrize("route", SEARCH_ROUTES)
@pytest.mark.parametrize("name", ["page", "per_page"])
@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_page_numbers_are_ascii_digits(client, route, name, value):
    response = client.get(route, query_string={"q": "Kursk", name: value})
    assert_bad_request(response, f"{name} must be a whole number")


@pytest.mark.parametrize("route", SEARCH_ROUTES)
def test_ascii_page_numbers_still_work(client, route):
    response = client.get(route, query_string={"page": " 2 ", "per_page": "05"})
    body = response.get_data(as_text=True)  # read a streamed export to its end
    assert response.status_code == 200, body[:300]
    if route == "/api/search":
        assert (response.get_json()["page"], response.get_json()["per_page"]) == (2, 5)


@pytest.mark.parametrize("route", SEARCH_ROUTES)
@pytest.mark.parametrize("name", ["from", "to", "event_from", "event_to"])
@pytest.mark.parametrize("value", ["٢٠٢٤", "２０２４-12", "20٢٤-12-01", "last ١٢ days", "Dec ５ 2024"])
def test_dates_are_written_with_ascii_digits(client, route, name, value):
    response = client.get(route, query_string={"q": "Kursk", name: value})
    assert_bad_request(response, "digits 0-9")


def test_a_date_range_in_the_query_is_written_with_ascii_digits(client):
    response = client.get("/api/search", query_string={"q": "Kursk date:[٢٠٢٤ TO 2025]"})
    assert_bad_request(response, "digits 0-9")
