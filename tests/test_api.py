"""The JSON API (web/api.py) through Flask's test client, on the seed index."""

from __future__ import annotations

import pytest

from web import create_app

HIT_KEYS = {
    "id", "report_id", "title", "source", "date", "date_inferred", "section", "kind",
    "position", "topics", "places", "text", "snippet", "score", "url",
    "heading", "label", "footnotes", "cited", "event_dates", "report_url", "also_in", "also_in_count",
}


@pytest.fixture(scope="module")
def client(seed_settings):
    app = create_app(seed_settings, TESTING=True)
    yield app.test_client()
    app.extensions["sitrep"].close()


def assert_error(response, status: int, words: str) -> None:
    assert response.status_code == status
    body = response.get_json()
    assert body["ok"] is False and body["status"] == status
    assert words in body["error"] and body["errors"] == [body["error"]]


def test_search_returns_the_documented_shape(client):
    body = client.get("/api/search?q=Pokrovsk").get_json()
    assert body["ok"] is True
    assert body["query"] == "Pokrovsk" and body["total"] >= 5
    assert set(body["facets"]) >= {"topic", "source", "place", "month", "day"}
    assert all(set(hit) == HIT_KEYS for hit in body["hits"])
    assert all("<mark>Pokrovsk</mark>" in hit["snippet"] for hit in body["hits"])


def test_api_and_engine_agree(client, seed_settings):
    from search import search

    api = client.get("/api/search?q=troops&sort=newest").get_json()
    engine = search(seed_settings, "troops", sort="newest").to_json()
    assert api == engine


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ("topic=Syria", lambda b: b["total"] and all("Syria" in h["topics"] for h in b["hits"])),
        ("source=Wilson+Center", lambda b: b["total"] == 6 and {h["source"] for h in b["hits"]} == {"Wilson Center"}),
        ("place=Pokrovsk", lambda b: b["total"] and all("Pokrovsk" in h["places"] for h in b["hits"])),
        ("section=Key+Takeaways", lambda b: b["total"] == 8),
        ("section=key+takeaways", lambda b: b["total"] == 8),
        ("from=2024-12-20", lambda b: b["total"] == 19 and all(h["date"] >= "2024-12-20" for h in b["hits"])),
        ("to=2024-12-15", lambda b: b["total"] == 13 and all(h["date"] <= "2024-12-15" for h in b["hits"])),
        ("sort=oldest&per_page=100", lambda b: [h["date"] for h in b["hits"]] == sorted(h["date"] for h in b["hits"])),
        ("sort=newest&per_page=100", lambda b: [h["date"] for h in b["hits"]] == sorted((h["date"] for h in b["hits"]), reverse=True)),
        ("per_page=3", lambda b: len(b["hits"]) == 3 and b["per_page"] == 3),
        ("per_page=5&page=2", lambda b: b["page"] == 2 and len(b["hits"]) == 5),
        ("q=%22Time+of+Heroes%22", lambda b: b["total"] == 2),
    ],
)
def test_every_parameter_changes_the_result(client, params, check):
    body = client.get(f"/api/search?{params}").get_json()
    everything = client.get("/api/search?per_page=100").get_json()
    assert body["ok"] is True
    assert check(body)
    assert body != everything


def test_repeated_filter_values_are_ored(client):
    one = client.get("/api/search?source=Wilson+Center").get_json()["total"]
    two = client.get("/api/search?source=Wilson+Center&source=Institute+for+the+Study+of+War").get_json()["total"]
    assert two == 32 and one == 6


def test_report_and_paragraph(client):
    hit = client.get("/api/search?q=Transnistria").get_json()["hits"][0]
    report = client.get(f"/api/reports/{hit['report_id']}").get_json()
    assert [p["position"] for p in report["paragraphs"]] == list(range(1, 14))
    paragraph = client.get(f"/api/paragraphs/{hit['id']}").get_json()
    assert paragraph["ok"] is True and paragraph["text"] == hit["text"]


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ('/api/search?q=%22unclosed', 400, "unclosed quote"),
        ("/api/search?q=nope:thing", 400, "unknown field 'nope'"),
        ("/api/search?from=yesterday-ish", 400, "cannot read"),
        ("/api/search?sort=best", 400, "unknown sort"),
        ("/api/search?page=zero", 400, "page must be"),
        ("/api/search?per_page=1000", 400, "per_page must be between"),
        ("/api/search?page=99", 400, "past the last page"),
        ("/api/search?colour=red", 400, "unknown parameter 'colour'"),
        ("/api/reports/no-such-report", 404, "no report"),
        ("/api/paragraphs/no-such-paragraph", 404, "no paragraph"),
        ("/api/no-such-endpoint", 404, "not found"),
    ],
)
def test_errors_are_json_with_a_4xx_status(client, url, status, words):
    assert_error(client.get(url), status, words)


def test_missing_index_is_a_json_503(tmp_path):
    from search import load_settings

    app = create_app(load_settings(index_dir=tmp_path / "nothing"), TESTING=True)
    assert_error(app.test_client().get("/api/search?q=x"), 503, "run `sitrep index` first")


def test_exclude_parameter_leaves_values_out_of_search_and_exports(client):
    body = client.get("/api/search?exclude=topic:Syria&exclude=source:Wilson+Center&per_page=100").get_json()
    assert body["exclude"] == {"topic": ["Syria"], "source": ["Wilson Center"]}
    assert body["hits"] and all("Syria" not in h["topics"] and h["source"] != "Wilson Center" for h in body["hits"])
    syria = next(v for v in body["facets"]["topic"] if v["value"] == "Syria")
    assert syria["excluded"] is True and syria["count"] > 0
    rows = client.get("/api/export.csv?exclude=topic:Syria&exclude=source:Wilson+Center").get_data(as_text=True)
    assert len(rows.strip().splitlines()) - 1 == body["total"]
    exported = client.get("/api/export.json?exclude=topic:Syria&exclude=source:Wilson+Center").get_json()
    assert {h["id"] for h in exported} == {h["id"] for h in body["hits"]}


@pytest.mark.parametrize("value", ["Syria", "kind:bullet", "topic:"])
def test_a_bad_exclude_is_a_400(client, value):
    assert_error(client.get("/api/search", query_string={"exclude": value}), 400, "FIELD:VALUE")


def test_collapse_says_what_it_counts(client):
    assert client.get("/api/search?collapse=1").get_json()["counted"] == "groups"
    assert client.get("/api/search").get_json()["counted"] == "paragraphs"
