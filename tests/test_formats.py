"""Saved web pages, Markdown and JSON Lines: the readers and the whole path to the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from search import SearchIndex, update_index
from search.ingest import SkipFile, paragraph_docs, read_report_file
from search.ingest.html import read_html
from search.ingest.jsonl import read_json_records
from search.ingest.markdown import read_markdown

FORMATS = Path(__file__).parent / "data" / "formats"
PAGE = FORMATS / "isw-assessment.html"


@pytest.fixture(scope="module")
def page():
    return read_html(PAGE.read_text(encoding="utf-8"))


def test_html_metadata_and_its_basis(page):
    assert page.title == "Russian Offensive Campaign Assessment, February 24, 2025"
    assert (page.date, page.date_basis) == ("2025-02-24T20:15:00+00:00", "page metadata")
    assert page.source == "Institute for the Study of War"
    assert page.url.endswith("/russian-offensive-campaign-assessment-february-24-2025")


def test_html_keeps_only_the_article_body(page):
    texts = " ".join(block.text for block in page.blocks)
    for chrome in ("Home", "Related posts", "cookies", "Share on Twitter", "All rights reserved",
                   "dataLayer", "Subscribe", "February 23, 2025"):
        assert chrome not in texts
    kinds = [(block.kind, block.text[:30]) for block in page.blocks if block.kind != "chrome"]
    assert kinds[:6] == [
        ("paragraph", "February 24, 3:00 pm EST"),
        ("paragraph", "Click here to see ISW's intera"),
        ("heading", "Key Takeaways:"),
        ("bullet", "Russian forces recently advanc"),
        ("bullet", "North Korean troops resumed as"),
        ("bullet", "Ukrainian forces struck the No"),
    ]
    assert ("heading", "Mobilization and Force Generat") in kinds  # <p><b>…</b></p>
    assert any(text.startswith("A deeply nested paragraph") for _, text in kinds)


def test_html_author_lines_and_tables_of_contents_are_not_body(page):
    chrome = [block.text for block in page.blocks if block.kind == "chrome"]
    assert "Angelica Evans, Kateryna Stepanenko, and Frederick W. Kagan" in chrome
    body = [block.text for block in page.blocks if block.kind != "chrome"]
    assert "Russian Main Effort" not in body  # the TOC's link text


def test_html_endnotes_are_collected_not_indexed(page):
    assert sorted(page.endnotes) == [1, 2, 3, 4, 5, 6, 7]
    assert page.endnotes[1].urls == ("https://t.me/mod_russia/50123", "https://t.me/wargonzo/24881")
    assert page.endnotes[4].urls == ("https://x.com/geoconfirmed/status/1",)  # the address only in the link
    assert not [block for block in page.blocks if block.text.startswith("[")]


def test_html_lines_broken_by_br_are_one_paragraph(page):
    (block,) = [b for b in page.blocks if b.text.startswith("Ukrainian forces reportedly")]
    assert block.text.endswith("65 combat engagements in the Pokrovsk direction.")


def test_deeply_nested_html_does_not_crash():
    depth = 10_000
    text = "<div>" * depth + "<p>Russian forces advanced near Kupiansk.</p>" + "</div>" * depth
    (block,) = read_html(text).blocks
    assert block.text == "Russian forces advanced near Kupiansk."


def test_broken_html_is_read():
    page = read_html("<p>Unclosed paragraph about Pokrovsk<p>Another <b>one</b> &amp; more</div></span>")
    assert [b.text for b in page.blocks] == ["Unclosed paragraph about Pokrovsk", "Another one & more"]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta name="date" content="2024-12-23">', ("2024-12-23", "page metadata")),
        ("<title>Russian Offensive Campaign Assessment, December 23, 2024</title>",
         ("Russian Offensive Campaign Assessment, December 23, 2024", "title")),
        ('<link rel="canonical" href="https://example.org/2024/12/23/assessment/">', ("2024-12-23", "URL")),
        ('<meta property="og:url" content="https://example.org/assessment-december-23-2024">', ("2024-12-23", "URL")),
        ("<title>No date here</title>", (None, "")),
    ],
)
def test_html_date_sources_in_order(head, expected):
    page = read_html(f"<html><head>{head}</head><body><p>Russian forces advanced.</p></body></html>")
    assert (page.date, page.date_basis) == expected


def test_markdown():
    page = read_markdown((FORMATS / "kursk-notes.md").read_text(encoding="utf-8"))
    assert (page.title, page.date, page.date_basis, page.source) == (
        "Notes on the Kursk front", "2025-01-05", "front matter", "Wilson Center")
    assert [(b.kind, b.text[:24]) for b in page.blocks if b.kind != "chrome"] == [
        ("heading", "Key points"),
        ("bullet", "North Korean troops suff"),
        ("bullet", "Ukrainian forces reporte"),
        ("heading", "What comes next"),
        ("paragraph", "The Kremlin is unlikely "),
    ]
    bullet = page.blocks[1].text
    assert bullet.endswith("[1] Russian commanders kept them in infantry assaults.")
    assert "](" not in page.blocks[4].text and "`" not in page.blocks[4].text
    assert page.endnotes[1].urls == ("https://en.yna.co.kr/view/AEN2025", "https://t.me/dva_majors/6000")


def test_json_lines_good_and_bad_records():
    pages, warnings = read_json_records((FORMATS / "export.jsonl").read_text(), "export.jsonl")
    assert [p.record_id for p in pages] == ["ri-2024-12-01", "17"]
    assert (pages[0].date, pages[0].date_basis, pages[0].topics) == ("2024-12-01", "record", ("Field report",))
    assert [b.text[:20] for b in pages[0].blocks] == ["Evacuations from Pok", "Humanitarian organis"]
    assert warnings == [
        "line 3: not JSON (Expecting value)",
        'line 4: missing "text"',
        "line 5: not a JSON object",
        'line 6: "topics" must be a list of strings',
    ]


def test_json_array_and_broken_json():
    pages, warnings = read_json_records('[{"text": "One."}, {"text": "Two."}]', "x.json")
    assert len(pages) == 2 and warnings == []
    pages, warnings = read_json_records('{"text": ', "x.json")
    assert pages == [] and warnings[0].startswith("not JSON")


def test_formats_through_ingest(taxonomy):
    docs = paragraph_docs(read_report_file(PAGE, taxonomy), taxonomy)
    assert {d.date.isoformat() for d in docs} == {"2025-02-24"}
    assert {d.source for d in docs} == {"Institute for the Study of War"}
    first = docs[1]  # after "Click here…"
    assert first.section == "Key Takeaways" and first.kind == "bullet"
    assert [n.urls for n in first.notes] == [("https://t.me/mod_russia/50123", "https://t.me/wargonzo/24881")]
    assert first.cited == ("t.me",)
    advances = next(d for d in docs if d.text.startswith("Assessed Russian advances"))
    assert (advances.section, advances.heading) == (
        "Russian Main Effort—Eastern Ukraine",
        "#2. Russian Main Effort – Eastern Ukraine (comprised of two subordinate efforts)")
    assert advances.label == "Assessed Russian advances"
    assert advances.event_dates[0].isoformat() == "2025-02-23"
    assert advances.url.startswith("https://www.understandingwar.org/")
    assert "Kupyansk" in next(d for d in docs if "deeply nested" in d.text).places
    assert not [d for d in docs if d.text.startswith("[") or "Angelica" in d.text]


def test_json_record_ids_and_topics(taxonomy):
    draft = read_report_file(FORMATS / "export.jsonl", taxonomy)
    assert len(draft.warnings) == 4
    docs = paragraph_docs(draft, taxonomy)
    assert [d.report_id for d in docs] == ["ri-2024-12-01", "ri-2024-12-01", "17"]
    assert docs[0].source == "Refugees International" and "Field report" in docs[0].topics
    assert docs[2].date is None


def test_a_json_file_with_no_good_record_is_skipped(tmp_path, taxonomy):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "no text"}\n')
    with pytest.raises(SkipFile, match='line 1: missing "text"'):
        read_report_file(path, taxonomy)


def test_every_format_is_searchable(tmp_path, settings):
    summary = update_index(settings, [FORMATS])
    assert (summary.added, summary.skipped) == (3, [])
    with SearchIndex(settings) as index:
        page = index.search("", filters={"cited": ["t.me"]}, per_page=100)
        assert page.total >= 4 and all("t.me" in hit.cited for hit in page.hits)
        assert {v.value for v in page.facets["cited"]} >= {"t.me", "president.gov.ua", "mil.ru"}
        label = index.search("", filters={"label": ["Assessed Russian advances"]})
        assert label.total == 1
        section = index.search("Putin", filters={"section": ["Mobilization and Force Generation Efforts"]})
        assert section.total == 1 and section.hits[0].footnotes[0]["urls"] == ["http://kremlin.ru/acts/news/76000"]
        assert index.search("evacuations", event_from="2024-11-01").total == 0  # no dates mentioned
        assert index.search("Kupiansk").total == 2  # in the web page and in the JSON record
