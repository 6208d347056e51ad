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
# Converted pages whose dates and titles compete (#12), apart from FORMATS, which is indexed whole.
CONVERTED_PAGES = Path(__file__).parent / "data" / "converted"
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
    assert kinds[:5] == [
        ("paragraph", "February 24, 3:00 pm EST"),
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


def test_a_declaration_that_is_no_declaration_is_text():
    # html.parser raises AssertionError on "<![" before a non-name (#13).
    page = read_html("<p>Shelling near <![ Kherson</p><p>Convoys reached Kupiansk; 3 < 4.</p>")
    assert [b.text for b in page.blocks] == ["Shelling near <![ Kherson", "Convoys reached Kupiansk; 3 < 4."]


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


# A Drupal-era report page as a real site served it (invented text, real
# shapes): sidebar classes on <body>, the site's name as og:title, a staging
# og:url beside a relative canonical link, the date in an RDFa span and a
# "submitted" line, an attachment list, a plain-list table of contents whose
# first entry is a paragraph, captions, shortened and defanged endnote links.
DRUPAL = FORMATS / "drupal-assessment.html"


@pytest.fixture(scope="module")
def drupal_page():
    return read_html(DRUPAL.read_text(encoding="utf-8"))


def test_a_sidebar_classed_body_is_not_dropped_as_chrome(drupal_page):
    body = [b.text for b in drupal_page.blocks if b.kind in ("paragraph", "bullet")]
    assert any(text.startswith("Invented forces continued offensive operations") for text in body)
    assert any(text.startswith("Partisans reportedly damaged") for text in body)
    text = " ".join(b.text for b in drupal_page.blocks)
    # ... while the chrome inside it still is.
    for chrome in ("Skip to main content", "Support our work", "1400 Example Street", "Home", "Facebook"):
        assert chrome not in text


def test_the_title_is_the_pages_own_not_the_sites(drupal_page):
    assert drupal_page.title == "Offensive Campaign Assessment, March 3, 2023"
    assert drupal_page.source == "Example Institute for Conflict Study"


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ('<title>Iran Update - January 5, 2023</title>', "Iran Update - January 5, 2023"),
        ('<title>Iran Update | Example Site</title><meta property="og:site_name" content="Example Site">',
         "Iran Update"),
        ('<meta property="og:title" content="Kherson Flash Update No. 3"><title>Flash | Agency</title>',
         "Kherson Flash Update No. 3"),
        ('<meta property="og:title" content="Agency"><title>Flash Update No. 4 - Agency</title>', "Flash Update No. 4"),
    ],
)
def test_og_title_only_when_it_names_the_page(head, title):
    page = read_html(f"<html><head>{head}</head><body><p>Russian forces advanced.</p></body></html>")
    assert page.title == title


def test_the_canonical_link_beats_a_staging_og_url(drupal_page):
    # The relative canonical link is resolved against the host the site's own icon and styles come from.
    assert drupal_page.url == "https://example-institute.org/backgrounder/offensive-campaign-assessment-march-3-2023"
    page = read_html('<head><link rel="canonical" href="https://a.example/report-1">'
                     '<meta property="og:url" content="http://staging.example/"></head><p>Text here.</p>')
    assert page.url == "https://a.example/report-1"


def test_the_date_comes_from_rdfa_metadata(drupal_page):
    assert (drupal_page.date, drupal_page.date_basis) == ("2023-03-03T20:41:00-05:00", "page metadata")


@pytest.mark.parametrize(
    ("first", "kind"),
    [
        ("Key Takeaways", "heading"),  # two capitalised words, not a name
        ("Maria Example, Tomas Sample, and Jonah W. Placeholder", "chrome"),
        ("Maria Example and Jonah W. Placeholder", "chrome"),
    ],
)
def test_a_bold_first_line_is_a_heading_unless_it_lists_names(first, kind):
    page = read_html(f"<body><div class='entry-content'><p><strong>{first}</strong></p>"
                     "<ul><li>Russian forces advanced near Kreminna.</li></ul></div></body>")
    assert page.blocks[0].kind == kind


def test_a_submitted_line_dates_the_page_and_is_not_a_record():
    page = read_html("<body><div class='content'><p>Jan 6, 2023 - Press Desk</p>"
                     "<p>Russian forces advanced near Kreminna on January 6.</p></div></body>")
    assert (page.date, page.date_basis) == ("2023-01-06", "submitted line")
    assert [b.kind for b in page.blocks] == ["chrome", "paragraph"]


def test_attachments_submitted_lines_captions_and_pdf_links_are_not_records(drupal_page):
    records = [b.text for b in drupal_page.blocks if b.kind in ("paragraph", "bullet", "heading")]
    for chrome in ("File Attachments", ".png", "Download the PDF", "Mar 3, 2023 - ", "Press Desk",
                   "Click here to expand the map below", "Maria Example"):
        assert not [text for text in records if chrome in text], chrome


def test_a_plain_list_table_of_contents_is_not_bullets(drupal_page):
    bullets = [b.text for b in drupal_page.blocks if b.kind == "bullet"]
    assert bullets == [
        "Invented forces continued limited attacks northwest of Svatove.",
        "Occupation officials announced new passport rules in occupied Melitopol.",
        "Nothing significant to report.",
    ]
    assert "Northern Counteroffensive—Eastern Front" not in [b.text for b in drupal_page.blocks if b.kind != "chrome"]


def test_datelines_and_remarks_are_not_sections(drupal_page):
    headings = [b.text for b in drupal_page.blocks if b.kind == "heading"]
    assert headings[0] == "March 3, 8 pm ET"  # a dateline: ingest dates the text after it, no section
    assert "Northern Counteroffensive (efforts to liberate occupied territory)" in headings
    assert "Observed indicators in the past 24 hours:" in headings  # a colon line over its list


def test_shortened_and_defanged_endnote_links_are_whole_addresses(drupal_page):
    notes = drupal_page.endnotes
    assert notes[1].urls == ("https://www.facebook.com/GeneralStaff.example/posts/pfbid0LongIdentifierThatTheSiteShortened",)
    assert notes[2].urls == ("https://t.me/example_channel/3047",)
    assert notes[3].urls == ("https://sprotyv.mod.gov.ua/2023/03/03/example-story/",)
    # Note 4 runs on into a paragraph of addresses of its own, one of them defanged with [.].
    assert notes[4].urls == ("https://www.example-news.ru/politics/03/03/2023/63cec90a9", "https://t.me/example_two/15",
                             "https://twitter.com/example/status/1620102674283892736",
                             "https://tass.ru/politika/16795105")
    assert not [b for b in drupal_page.blocks if "twitter.com" in b.text]


def test_an_error_page_is_skipped_with_its_title(tmp_path, taxonomy):
    path = tmp_path / "assessment-january-1-2023.html"
    path.write_text("<html><head><title>404 | Example Institute</title></head>"
                    "<body><h1>404</h1><p>We're Sorry. The page you're looking for wasn't found.</p></body></html>")
    with pytest.raises(SkipFile, match=r"an error page \('404 \| Example Institute'\), not a report"):
        read_report_file(path, taxonomy)


def test_a_drupal_page_indexes_as_one_dated_report_with_domains(tmp_path, settings):
    report = tmp_path / "reports" / "3_3_2023___offensive_campaign_assessment_march_3_2023.html"
    report.parent.mkdir()
    report.write_bytes(DRUPAL.read_bytes())
    update_index(settings, [report.parent])
    with SearchIndex(settings) as index:
        page = index.search("", per_page=100)
        assert {hit.report_id for hit in page.hits} == {"3_3_2023___offensive_campaign_assessment_march_3_2023"}
        assert {hit.date for hit in page.hits} == {"2023-03-03"}
        assert {hit.title for hit in page.hits} == {"Offensive Campaign Assessment, March 3, 2023"}
        assert {hit.section for hit in page.hits} >= {"Key Takeaways", None}
        assert not any(hit.section and "March 3" in hit.section for hit in page.hits)
        cited = {v.value for v in page.facets["cited"]}
        assert cited == {"facebook.com", "t.me", "mod.gov.ua", "example-news.ru", "twitter.com", "tass.ru"}


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


# A page as a page-to-Markdown converter saved it (invented text, real
# shape): the host as "# title", a "**Key**: value" metadata list, the page's
# outline as a list of headings, and the rendered text one line per element.
CONVERTED = FORMATS / "converted-page.md"


def test_a_converted_page_describes_itself():
    page = read_markdown(CONVERTED.read_text(encoding="utf-8"))
    assert page.title == "Invented forces advance near Huliaipole as talks stall"
    assert page.url == "https://www.example-news.test/news/2026/2/27/invented-forces-advance-near-huliaipole"
    assert page.single_report
    records = [b.text for b in page.blocks if b.kind in ("paragraph", "bullet")]
    assert [text[:30] for text in records] == [
        "Invented forces advanced towar",
        "The regional governor said rep",
        "The ministry said its air defe",
    ]
    # Not records: a photo credit, a note's back-link, a follower count, a
    # cookie banner, a map caption, share links, menu links and menu names.
    headings = [b.text for b in page.blocks if b.kind == "heading"]
    assert not {"Metadata", "Page Structure", "Content"} & set(headings)
    # The ministry's endnote is read from its own line, and is no record.
    assert page.endnotes[1].urls == ("https://t.me/example_ministry/101",
                                     "https://example-news.test/2026/02/26/earlier-story/")


def test_a_converted_page_is_one_report_dated_by_its_page(tmp_path, settings):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "example-news.test_news_invented-forces.md").write_bytes(CONVERTED.read_bytes())
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        page = index.search("", per_page=100)
    # The related story's date and the publisher's name in the footer start no report of their own.
    assert {hit.report_id for hit in page.hits} == {"example-news-test_news_invented-forces"}
    assert {hit.date for hit in page.hits} == {"2026-02-27"}
    assert page.hits[0].url.startswith("/reports/")
    assert {hit.section for hit in page.hits} >= {"What the ministry said"}


# Converted pages that print other dates before their own (invented text, real
# shapes, #12): a news feed's day ("27 February") above the article, and a
# site's clock ("28 February 2026") in the header above "Friday 27 February
# 2026 - 08:01" over the title.
@pytest.mark.parametrize(
    ("name", "title", "date"),
    [
        ("feed-page.md", "Invented ferry service resumes on the northern lake", "Saturday, 28 February 2026, 00:34"),
        ("clock-page.md", "Will the Invented Valley Recover This Year?", "Friday 27 February 2026 - 08:01"),
    ],
)
def test_the_dateline_by_the_title_dates_a_converted_page(name, title, date):
    page = read_markdown((CONVERTED_PAGES / name).read_text(encoding="utf-8"))
    assert (page.title, page.date, page.date_basis) == (title, date, "dateline")


def test_a_date_in_the_title_beats_the_dateline_by_it():
    text = (CONVERTED_PAGES / "feed-page.md").read_text(encoding="utf-8").replace(
        "Invented ferry service resumes on the northern lake", "Invented lake report February 27 2026")
    page = read_markdown(text)
    assert (page.date, page.date_basis) == ("Invented lake report February 27 2026", "title")


# A country page with no date of its own but a timeline of events and a
# "last updated" footer; its h1 is the country's name alone.
COUNTRY = CONVERTED_PAGES / "country-page.md"


def test_a_page_without_its_own_date_is_dated_by_its_last_updated_line():
    page = read_markdown(COUNTRY.read_text(encoding="utf-8"))
    assert (page.date, page.date_basis) == ("24 February 2026", "last-updated line")
    assert "This page was last updated on 24 February 2026" not in [
        b.text for b in page.blocks if b.kind in ("paragraph", "bullet")]


def test_an_address_with_a_date_beats_the_last_updated_line():
    text = COUNTRY.read_text(encoding="utf-8").replace("/where/europe/lakeland_en", "/2026/02/20/lakeland")
    page = read_markdown(text)
    assert page.date is None and page.url.endswith("/2026/02/20/lakeland")


def test_a_one_word_title_takes_the_pages_title_line():
    page = read_markdown(COUNTRY.read_text(encoding="utf-8"))
    assert page.title == "Lakeland - Example Union Civil Protection and Aid Operations"


# A video post whose <title> is the post's text, over two lines, the site's
# name after the second.
POST = CONVERTED_PAGES / "post-page.md"
POST_TITLE = "An invented ferry captain was honoured for rescuing twelve passengers from the frozen northern lake."


@pytest.mark.parametrize("outline", [None, "Video", "Make a Monthly Gift"])
def test_a_post_is_titled_by_its_first_sentence_not_a_section_or_widget_h1(outline):
    text = POST.read_text(encoding="utf-8")
    if outline:
        text = text.replace("## Content", f"## Page Structure\n\n- # {outline}\n  - ## Comments\n\n## Content")
    assert read_markdown(text).title == POST_TITLE


def test_an_h1_that_tells_the_story_of_the_title_line_stays_the_title():
    text = (CONVERTED_PAGES / "clock-page.md").read_text(encoding="utf-8").replace(
        "- # Will the Invented Valley Recover This Year?", "- # The invented valley waits for its dams")
    assert read_markdown(text).title == "The invented valley waits for its dams"


def test_converted_pages_index_with_their_own_dates(tmp_path, settings):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("feed-page.md", "clock-page.md", "country-page.md"):
        (reports / name).write_bytes((CONVERTED_PAGES / name).read_bytes())
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        page = index.search("", per_page=100)
    dates = {(hit.report_id, hit.date, hit.date_basis) for hit in page.hits}
    assert dates == {("feed-page", "2026-02-28", "dateline"), ("clock-page", "2026-02-27", "dateline"),
                     ("country-page", "2026-02-24", "last-updated line")}
    assert {hit.title for hit in page.hits if hit.report_id == "country-page"} == {
        "Lakeland - Example Union Civil Protection and Aid Operations"}


def test_an_error_page_in_markdown_is_skipped(tmp_path, taxonomy):
    path = tmp_path / "blocked.md"
    path.write_text("# www.example.test\n\n## Metadata\n\n- **URL**: https://www.example.test/a\n"
                    "- **HTTP Status**: 200\n\n## Page Structure\n\n- # Access Denied\n\n## Content\n\n"
                    "Access Denied\nYou don't have permission to access this page.\n")
    with pytest.raises(SkipFile, match="an error page"):
        read_report_file(path, taxonomy)


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
    first = docs[0]  # "Click here to see ISW's interactive map" is a link caption, not a record
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
    assert (summary.added, summary.skipped) == (5, [])
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
