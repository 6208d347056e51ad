"""PDF reports (search/ingest/pdf.py), written with fpdf2 the way report PDFs are laid out.

Every PDF here is made in ``tmp_path`` by a real PDF writer: text placed at
exact positions in core fonts, so each test controls the geometry (columns,
margins, font sizes, raised footnote numbers) that the reader has to undo.
The text is invented.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fpdf import FPDF

from search import SearchIndex, load_settings
from search.cli import cli
from search.ingest import SkipFile, paragraph_docs, read_report_file
from search.ingest.pdf import read_pdf

LEFT, RIGHT = 56, 316  # the two columns of a two-column page, in points


class Report:
    """An A4 PDF in points, with one call per line of text."""

    def __init__(self) -> None:
        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.core_fonts_encoding = "cp1252"  # WinAnsi, as office PDFs have it: bullets and curly quotes
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(datetime(2025, 11, 20, 9, 0, tzinfo=timezone.utc))

    def page(self) -> Report:
        self.pdf.add_page()
        return self

    def line(self, x: float, y: float, text: str, size: float = 10, bold: bool = False, link: str = "") -> Report:
        """Write ``text`` with its top at ``y``."""
        self.pdf.set_font("helvetica", style="B" if bold else "", size=size)
        self.pdf.set_xy(x, y)
        self.pdf.cell(text=text, link=link)
        return self

    def lines(self, x: float, y: float, texts: list[str], size: float = 10, leading: float = 13) -> float:
        """Write lines one under the other; return the top of the next line."""
        for text in texts:
            self.line(x, y, text, size)
            y += leading
        return y

    def raised(self, text: str, size: float = 6) -> Report:
        """A superscript footnote number right after the line just written."""
        return self.line(self.pdf.get_x(), self.pdf.get_y() - 2, text, size)

    def write(self, path: Path) -> Path:
        self.pdf.output(str(path))
        return path


def blocks(path: Path) -> list[tuple[str, str]]:
    page, _ = read_pdf(path.read_bytes())
    return [(block.kind, block.text) for block in page.blocks if block.kind != "chrome"]


LEFT_TEXT = [
    "Russian forces attacked near Pokrovsk on the night",
    "of October 22 and shelled the roads that lead",
    "into the town from the west and the south.",
]
RIGHT_TEXT = [
    "Humanitarian partners opened two shelters in",
    "Kramatorsk for families who left Kostiantynivka",
    "after the strikes on its power station.",
]


@pytest.mark.parametrize("drawn", ["column after column", "line by line across the columns"])
def test_a_two_column_page_is_read_column_by_column(tmp_path, drawn):
    report = Report().page().line(LEFT, 60, "Eastern Ukraine: Flash Update No. 4", size=18, bold=True)
    if drawn == "column after column":
        report.lines(LEFT, 120, LEFT_TEXT)
        report.lines(RIGHT, 120, RIGHT_TEXT)
    else:  # some writers draw row by row: the reader must not interleave the columns
        for row, (left, right) in enumerate(zip(LEFT_TEXT, RIGHT_TEXT)):
            report.line(LEFT, 120 + 13 * row, left).line(RIGHT, 120 + 13 * row, right)
    path = report.write(tmp_path / "columns.pdf")
    assert blocks(path) == [
        ("heading", "Eastern Ukraine: Flash Update No. 4"),
        ("paragraph", " ".join(LEFT_TEXT)),
        ("paragraph", " ".join(RIGHT_TEXT)),
    ]



def test_a_table_cell_wrapped_over_two_lines_stays_one_record(tmp_path):
    # A form's question column and answer column, drawn row by row: the answer
    # comes between the two lines of its question, so the page is read by columns.
    report = Report().page()
    wide = ("The district office answered the preparedness questions below in the week before the rains, "
            "with its partners.")
    report.line(LEFT, 60, wide, size=8)
    questions = [("Does the district have a written plan for", "floods and landslides?", "Yes"),
                 ("Does the district keep a stock of hygiene", "kits for displaced families?", "No"),
                 ("Does the district train volunteers in first", "aid every year?", "Yes")]
    y = 100.0
    for first, second, answer in questions:
        report.line(LEFT, y, first, size=8).line(300, y, answer, size=8).line(LEFT, y + 12, second, size=8)
        y += 36
    records = [text for kind, text in blocks(report.write(tmp_path / "form.pdf")) if kind == "paragraph"]
    assert records == [wide] + [f"{first} {second}" for first, second, _ in questions]

def test_running_headers_footers_and_page_numbers_are_dropped(tmp_path):
    report = Report()
    bodies = [
        ["Shelling damaged the water station in Sloviansk,", "leaving 12,000 people without water."],
        ["Repairs to the Sloviansk water station started", "on October 24 with parts from Dnipro."],
        ["Water returned to most districts of Sloviansk", "by October 27, the city council said."],
    ]
    for number, body in enumerate(bodies, start=1):
        report.page().line(LEFT, 30, "Donetsk Oblast Situation Report No. 7", size=8)
        report.lines(LEFT, 120, body)
        report.line(LEFT, 800, "Office for the Coordination of Humanitarian Affairs | www.unocha.org", size=8)
        report.line(500, 800, f"Page {number} of 3", size=8)
    # The report's own words about a page of it are body text, not a page number.
    report.lines(LEFT, 200, ["See page 2 of the annex for the list of districts."])
    path = report.write(tmp_path / "sitrep.pdf")
    assert blocks(path) == [
        ("paragraph", " ".join(bodies[0])),
        ("paragraph", " ".join(bodies[1])),
        ("paragraph", " ".join(bodies[2])),
        ("paragraph", "See page 2 of the annex for the list of districts."),
    ]


def test_a_single_page_keeps_its_header_but_loses_its_page_number(tmp_path):
    report = Report().page().line(LEFT, 30, "Donetsk Oblast Situation Report No. 7", size=8)
    report.lines(LEFT, 120, ["Shelling damaged the water station in Sloviansk."])
    report.line(290, 800, "1", size=8)
    path = report.write(tmp_path / "one-page.pdf")
    texts = [text for _, text in blocks(path)]
    assert texts == ["Donetsk Oblast Situation Report No. 7", "Shelling damaged the water station in Sloviansk."]


def test_words_broken_at_line_ends_are_joined_and_real_hyphens_kept(tmp_path):
    report = Report().page()
    report.lines(
        LEFT,
        120,
        [
            "The humanitarian situation worsened as the humani-",
            "tarian convoy waited at the checkpoint while Kremlin-",
            "affiliated channels claimed gains and the community-",
            "based shelters near Port-au-",
            "Prince filled up. A Kremlin-affiliated blogger agreed.",
        ],
    )
    path = report.write(tmp_path / "hyphens.pdf")
    assert blocks(path) == [
        (
            "paragraph",
            "The humanitarian situation worsened as the humanitarian convoy waited at the checkpoint while "
            "Kremlin-affiliated channels claimed gains and the community-based shelters near Port-au-Prince "
            "filled up. A Kremlin-affiliated blogger agreed.",
        )
    ]


def test_headings_are_larger_or_bold_and_short(tmp_path):
    report = Report().page()
    report.line(LEFT, 100, "Situation Overview", size=16, bold=True)
    report.lines(LEFT, 130, ["Flooding cut the road between Jeremie and Les Cayes.", "Crews cleared it on Friday."])
    report.line(LEFT, 180, "Shelter and Non-Food Items", size=10, bold=True)
    report.lines(LEFT, 196, ["Volunteers opened 100 evacuation shelters in Sud."])
    report.line(LEFT, 230, "Population: 11 million")  # short, but in the body font: not a heading
    report.line(LEFT, 245, "Figure 1: Flooded areas of Sud", size=12, bold=True)  # a caption: not a section
    report.line(LEFT, 260, "The storm is moving west at 6 km/h and will reach the coast on Sunday.", size=16, bold=True)
    path = report.write(tmp_path / "headings.pdf")
    assert blocks(path) == [
        ("heading", "Situation Overview"),
        ("paragraph", "Flooding cut the road between Jeremie and Les Cayes. Crews cleared it on Friday."),
        ("heading", "Shelter and Non-Food Items"),
        ("paragraph", "Volunteers opened 100 evacuation shelters in Sud."),
        ("paragraph", "Population: 11 million"),
        ("paragraph", "The storm is moving west at 6 km/h and will reach the coast on Sunday."),
    ]


def test_bullets_and_numbered_items_are_bullets_with_their_wrapped_lines(tmp_path):
    report = Report().page()
    report.line(LEFT, 100, "Key figures", size=14, bold=True)
    report.line(LEFT, 130, "\u2022").line(LEFT + 14, 130, "43 deaths, 21 injured and 13 missing persons")
    report.line(LEFT + 14, 143, "were reported by the Civil Protection.")
    report.line(LEFT, 156, "- More than 11,900 houses were flooded.")
    report.line(LEFT, 169, "1. Restore water in Jeremie;")
    report.line(LEFT, 182, "2. Reopen the road to Les Cayes.")
    report.lines(LEFT, 210, ["Partners are preparing a joint assessment of the damage (IPC", "5) in the south."])
    path = report.write(tmp_path / "bullets.pdf")
    assert blocks(path) == [
        ("heading", "Key figures"),
        ("bullet", "43 deaths, 21 injured and 13 missing persons were reported by the Civil Protection."),
        ("bullet", "More than 11,900 houses were flooded."),
        ("bullet", "Restore water in Jeremie;"),
        ("bullet", "Reopen the road to Les Cayes."),
        # "5)" after an open bracket carries the sentence on; it starts no list item.
        ("paragraph", "Partners are preparing a joint assessment of the damage (IPC 5) in the south."),
    ]


def test_labels_of_maps_and_figures_are_not_records(tmp_path):
    report = Report().page()
    report.lines(LEFT, 100, ["The storm crossed the south coast of Haiti on Tuesday night."])
    report.line(LEFT, 200, "Caribbean Sea", size=7).line(300, 230, "Amber alert", size=7)
    report.line(LEFT, 300, "1,250,000 people affected", size=12)
    report.line(LEFT, 330, "4.1 million", size=14, bold=True)
    path = report.write(tmp_path / "map.pdf")
    assert blocks(path) == [
        ("paragraph", "The storm crossed the south coast of Haiti on Tuesday night."),
        ("paragraph", "1,250,000 people affected"),
    ]



def test_short_list_items_are_one_list_a_heading_or_a_label(tmp_path):
    report = Report().page()
    report.lines(LEFT, 60, ["The partners below support the response in the three districts that the floods hit."])
    # Names: one record of the list.
    y = 90
    for name in ("Ministry of Health", "Regional Health Office", "Lakeland Red Cross"):
        report.line(LEFT, y, "\u2022").line(LEFT + 14, y, name)
        y += 13
    y = report.lines(LEFT, y + 20, ["Each partner reports to the district office once a week on what it delivered."])
    # A bulleted sub-heading over a paragraph.
    report.line(LEFT, y + 20, "\u2022").line(LEFT + 14, y + 20, "WASH")
    y = report.lines(LEFT, y + 40, ["Teams repaired two boreholes and chlorinated the wells of the upper villages."])
    # A short item over long items heads them.
    report.line(LEFT, y + 20, "\u2022").line(LEFT + 14, y + 20, "Surveillance")
    report.line(LEFT, y + 33, "\u2022").line(LEFT + 14, y + 33, "Train two hundred volunteers to report suspected cases within a day.")
    report.line(LEFT, y + 46, "\u2022").line(LEFT + 14, y + 46, "Support airtime so that volunteers can report alerts from remote areas.")
    y = report.lines(LEFT, y + 70, ["The district office will review the plan at the end of the month with partners."])
    # A stray cell read as a bullet.
    report.line(LEFT, y + 20, "- Urban")
    assert blocks(report.write(tmp_path / "lists.pdf")) == [
        ("paragraph", "The partners below support the response in the three districts that the floods hit."),
        ("bullet", "Ministry of Health; Regional Health Office; Lakeland Red Cross"),
        ("paragraph", "Each partner reports to the district office once a week on what it delivered."),
        ("heading", "WASH"),
        ("paragraph", "Teams repaired two boreholes and chlorinated the wells of the upper villages."),
        ("heading", "Surveillance"),
        ("bullet", "Train two hundred volunteers to report suspected cases within a day."),
        ("bullet", "Support airtime so that volunteers can report alerts from remote areas."),
        ("paragraph", "The district office will review the plan at the end of the month with partners."),
    ]


def test_a_month_a_date_label_and_the_title_again_are_not_records(tmp_path):
    report = Report().page()
    report.line(LEFT, 40, "Lakeland Food Security Outlook", size=20, bold=True)
    report.lines(LEFT, 100, ["Harvests in the lowlands were below average after the late start of the rains."])
    report.line(LEFT, 140, "Outlook Published: 27-11-2025")
    report.line(LEFT, 400, "November 2025")  # a running header of one page
    report.page().line(LEFT, 70, "Lakeland Food Security Outlook", size=10)  # the title as the next page's header
    report.lines(LEFT, 100, ["Prices of maize rose for the third month in a row in the markets of the capital."])
    assert blocks(report.write(tmp_path / "outlook.pdf")) == [
        ("heading", "Lakeland Food Security Outlook"),
        ("paragraph", "Harvests in the lowlands were below average after the late start of the rains."),
        ("paragraph", "Prices of maize rose for the third month in a row in the markets of the capital."),
    ]

def footnoted_report() -> Report:
    report = Report().page()
    report.line(LEFT, 100, "Over 1.4 million people were affected by the storm.")
    report.raised("1")
    report.line(LEFT, 113, "Maternity homes in the south reopened on Monday.")
    report.raised("2")
    report.line(LEFT, 126, "The area is 24 km2 and has 3 clinics.")
    report.line(LEFT, 760, "1 OCHA, Cuba: Flash Update No. 7, https://reliefweb.int/report/cuba/flash-update-7", size=7)
    report.line(LEFT, 770, "2 Jamaica Observer, Care beyond shelter.", size=7, link="https://www.jamaicaobserver.com/care")
    return report


def test_numbered_footnotes_at_the_page_bottom_become_endnotes(tmp_path):
    path = footnoted_report().write(tmp_path / "notes.pdf")
    page, _ = read_pdf(path.read_bytes())
    assert {n: (note.text, note.urls) for n, note in page.endnotes.items()} == {
        1: ("OCHA, Cuba: Flash Update No. 7, https://reliefweb.int/report/cuba/flash-update-7",
            ("https://reliefweb.int/report/cuba/flash-update-7",)),
        # The link is only in the PDF's link annotation, not in the printed text.
        2: ("Jamaica Observer, Care beyond shelter.", ("https://www.jamaicaobserver.com/care",)),
    }
    assert [block.text for block in page.blocks] == [
        "Over 1.4 million people were affected by the storm.[1] Maternity homes in the south reopened on Monday.[2] "
        "The area is 24 km2 and has 3 clinics."
    ]


def test_footnote_markers_link_records_to_their_endnotes(tmp_path, taxonomy):
    path = footnoted_report().write(tmp_path / "notes.pdf")
    (doc,) = paragraph_docs(read_report_file(path, taxonomy), taxonomy)
    assert doc.footnotes == (1, 2)
    assert "[1]" not in doc.text and doc.text.startswith("Over 1.4 million people were affected by the storm. Maternity")
    assert [note.urls for note in doc.notes] == [
        ("https://reliefweb.int/report/cuba/flash-update-7",), ("https://www.jamaicaobserver.com/care",)]
    assert doc.cited == ("reliefweb.int", "jamaicaobserver.com")


def dated_report(title: str, first_page_date: str | None) -> Report:
    report = Report()
    report.pdf.set_title(title)
    report.page().line(LEFT, 60, "HAITI: Hurricane Melissa", size=20, bold=True)
    report.line(LEFT, 88, "FLASH UPDATE No. 5", size=14)
    if first_page_date:
        report.line(LEFT, 108, first_page_date, size=12)
    report.lines(LEFT, 150, ["Flooding cut the road between Jeremie and Les Cayes after the hurricane."])
    return report


@pytest.mark.parametrize(
    ("meta_title", "printed", "title", "day", "basis"),
    [
        ("Haiti: Hurricane Melissa Flash Update 5", "As of 10 November 2025", "Haiti: Hurricane Melissa Flash Update 5",
         "2025-11-10", "first page"),
        ("Microsoft Word - flash5_final.docx", "10 November 2025", "HAITI: Hurricane Melissa FLASH UPDATE No. 5",
         "2025-11-10", "first page"),
        ("", None, "HAITI: Hurricane Melissa FLASH UPDATE No. 5", "2025-11-20", "PDF metadata"),
        ("ht-flash-2025-11", "Reporting period: 1 to 9 November 2025", "HAITI: Hurricane Melissa FLASH UPDATE No. 5",
         "2025-11-09", "first page"),
        # A template's leftover title names another report: the first page wins.
        ("Drought Outlook for the Horn of Africa", "10 November", "HAITI: Hurricane Melissa FLASH UPDATE No. 5",
         "2025-11-10", "first page; year from PDF metadata"),
        ("Flash Update - Haiti - 20251023", "Situation Report # 3- Date 10/29/2025",
         "HAITI: Hurricane Melissa FLASH UPDATE No. 5 Situation Report # 3- Date 10/29/2025", "2025-10-29", "first page"),
        # 05/11/2025 may be May 11 or 5 November: not read.
        ("", "Date 05/11/2025", "HAITI: Hurricane Melissa FLASH UPDATE No. 5", "2025-11-20", "PDF metadata"),
    ],
)
def test_title_and_date_come_from_metadata_or_the_first_page(tmp_path, meta_title, printed, title, day, basis):
    path = dated_report(meta_title, printed).write(tmp_path / "flash.pdf")
    page, _ = read_pdf(path.read_bytes())
    assert (page.title, page.date, page.date_basis) == (title, day, basis)


def test_a_labelled_publication_date_beats_other_dates_on_the_first_page(tmp_path):
    report = dated_report("", None)
    report.line(LEFT, 400, "Operation start date:").line(200, 400, "19-11-2025")
    report.line(LEFT, 420, "Published:").line(200, 420, "27-11-2025")
    page, _ = read_pdf(report.write(tmp_path / "dref.pdf").read_bytes())
    assert (page.date, page.date_basis) == ("2025-11-27", "first page")


def test_records_carry_the_pdf_date_and_title(tmp_path, taxonomy):
    path = dated_report("", "As of 10 November 2025").write(tmp_path / "flash.pdf")
    (doc,) = paragraph_docs(read_report_file(path, taxonomy), taxonomy)
    assert (doc.title, doc.date.isoformat(), doc.date_basis) == (
        "HAITI: Hurricane Melissa FLASH UPDATE No. 5", "2025-11-10", "first page")



FACTSHEET_BODY = [
    "During the reporting period, mobile clinics in the northern camps treated four hundred",
    "patients for diarrhoea, and the water committee repaired two of the three broken pumps.",
]


def test_a_headline_that_says_more_than_the_pdf_title_is_the_title(tmp_path):
    # The /Title is the template's name; the page's headline names the crisis it covers.
    report = Report()
    report.pdf.set_title("Thematic Factsheet - Water - 3 March 2025")
    report.page().line(300, 30, "NORTHERN FLOODS RESPONSE - LAKELAND", size=12, bold=True)
    report.line(400, 46, "WATER FACTSHEET", size=13, bold=True)
    report.line(400, 64, "3 March 2025", size=10)
    report.line(LEFT, 300, "Highlights", size=14, bold=True)
    y = report.lines(LEFT, 320, FACTSHEET_BODY)
    # A section heading below the first body text, larger than the headline: not the title.
    report.line(LEFT, y + 20, "Response & Challenges", size=14, bold=True)
    report.lines(LEFT, y + 40, FACTSHEET_BODY)
    page, _ = read_pdf(report.write(tmp_path / "factsheet.pdf").read_bytes())
    assert page.title == "NORTHERN FLOODS RESPONSE - LAKELAND WATER FACTSHEET"


@pytest.mark.parametrize(
    ("first_heading", "title"),
    [
        # A generic section name is no title: the file's name of words is.
        ("Operational Context", "Agency Lakeland Country Brief March 2025"),
        ("Flood Response, Lakeland Situation Report #2", "Flood Response, Lakeland Situation Report #2"),
    ],
)
def test_a_pdf_whose_title_is_a_picture_is_titled_by_its_first_heading_or_file_name(
        tmp_path, taxonomy, first_heading, title):
    report = Report().page()
    report.pdf.rect(LEFT, 30, 200, 60, style="F")  # the banner with the title, a picture
    report.line(LEFT, 120, first_heading, bold=True)
    report.lines(LEFT, 136, FACTSHEET_BODY)
    path = report.write(tmp_path / "1234567_AgencyLakelandCountryBrief-March2025.pdf")
    docs = paragraph_docs(read_report_file(path, taxonomy), taxonomy)
    assert {doc.title for doc in docs} == {title}

def test_a_pdf_without_a_text_layer_is_skipped(tmp_path):
    report = Report().page()
    report.pdf.rect(56, 56, 300, 200, style="F")  # a scan is pictures and shapes, no characters
    report.pdf.line(56, 300, 500, 300)
    path = report.write(tmp_path / "scan.pdf")
    with pytest.raises(SkipFile, match=r"^scanned PDF: no text layer$"):
        read_pdf(path.read_bytes())


def test_blank_pages_among_text_pages_are_a_warning(tmp_path, taxonomy):
    report = Report().page()
    report.lines(LEFT, 120, ["Flooding cut the road between Jeremie and Les Cayes."])
    report.page().pdf.rect(56, 56, 300, 200, style="F")
    path = report.write(tmp_path / "half-scanned.pdf")
    draft = read_report_file(path, taxonomy)
    assert draft.warnings == ["1 of 2 pages have no text layer (scanned?) and were not read"]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda data: data[: len(data) // 2], "not a valid PDF: data format error"),
        (lambda data: b"%PDF-1.7\n" + b"\x00garbage" * 50, "not a valid PDF: data format error"),
        (lambda data: b"", "empty file"),
    ],
    ids=["truncated", "garbage", "empty"],
)
def test_a_broken_pdf_is_skipped_with_its_reason(tmp_path, taxonomy, damage, reason):
    data = Report().page().line(LEFT, 120, "Flooding cut the road.").pdf.output()
    path = tmp_path / "broken.pdf"
    path.write_bytes(damage(bytes(data)))
    with pytest.raises(SkipFile) as caught:
        read_report_file(path, taxonomy)
    assert str(caught.value) == reason


def test_an_encrypted_pdf_is_skipped(tmp_path, taxonomy):
    report = Report()
    report.pdf.set_encryption(owner_password="owner", user_password="reader")
    path = report.page().line(LEFT, 120, "Flooding cut the road.").write(tmp_path / "locked.pdf")
    with pytest.raises(SkipFile, match=r"^encrypted PDF: it needs a password to open$"):
        read_report_file(path, taxonomy)


def test_sitrep_index_reads_a_folder_with_a_pdf(runner, tmp_path, index_dir):
    reports = tmp_path / "reports"
    reports.mkdir()
    report = dated_report("", "As of 10 November 2025")
    report.line(LEFT, 200, "Shelter and Non-Food Items", size=12, bold=True)
    report.lines(LEFT, 220, ["Volunteers opened 100 evacuation shelters in the Sud", "department, IOM said."])
    report.write(reports / "flash-update-5.pdf")
    (reports / "scan.pdf").write_bytes(Report().page().pdf.output())
    result = runner.invoke(cli, ["index", str(reports), "--index-dir", str(index_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "scan.pdf: scanned PDF: no text layer" in result.stderr
    assert "1 added" in result.stdout and "2 paragraphs written" in result.stdout
    found = runner.invoke(
        cli, ["search", "evacuation shelters", "--json", "--index-dir", str(index_dir)], catch_exceptions=False)
    (hit,) = json.loads(found.stdout)["hits"]
    assert hit["text"] == "Volunteers opened 100 evacuation shelters in the Sud department, IOM said."
    assert (hit["title"], hit["date"], hit["section"]) == (
        "HAITI: Hurricane Melissa FLASH UPDATE No. 5", "2025-11-10", "Shelter and Non-Food Items")
    with SearchIndex(load_settings(index_dir=index_dir)) as index:
        assert [p.text for p in index.report(hit["report_id"]).paragraphs] == [
            "Flooding cut the road between Jeremie and Les Cayes after the hurricane.", hit["text"]]



def test_a_credit_line_names_the_source_and_starts_no_other_report(tmp_path, taxonomy):
    # A map credit "OCHA" under the text, and a date further down, used to
    # start a second report ("…-2") through the plain-text source rule.
    report = Report().page()
    report.line(56, 60, "Flash Update No. 2: Floods in the Grand Sud", size=16, bold=True)
    report.line(56, 90, "As of 26 October 2025")
    y = report.lines(56, 120, ["Flooding displaced about 1,200 households in Jeremie and Les Cayes on",
                               "25 October, and roads to the coast remain cut in several places."])
    report.line(56, y + 30, "OCHA", size=12, bold=True)
    report.line(56, y + 60, "28 October 2025", size=12, bold=True)
    report.lines(56, y + 90, ["Partners delivered water and hygiene kits to shelters in Les Cayes, and",
                              "mobile clinics reached two communes cut off by the floods."])
    docs = paragraph_docs(read_report_file(report.write(tmp_path / "flash-2.pdf"), taxonomy), taxonomy)
    assert {doc.report_id for doc in docs} == {"flash-2"}
    assert {doc.date.isoformat() for doc in docs} == {"2025-10-26"}
    assert {doc.source for doc in docs} == {"UN OCHA"}  # the credit still names the source


def test_region_labels_table_row_labels_and_contact_lines_are_not_records(tmp_path):
    report = Report().page()
    report.line(56, 60, "Seasonal Outlook", size=16, bold=True)
    y = report.lines(56, 100, ["Rainfall is expected to be below normal over most of the region, and hot days",
                               "are likely to be more frequent than usual in the lowlands."])
    report.line(56, y + 20, "(SUD south)")
    report.line(56, y + 50, "# of volunteers equipped with PPE")
    report.line(56, y + 80, "For more information: www.example-agency.org, desk@example-agency.org")
    report.line(56, y + 110, "Jane Example Representative Country Office Tel: +509 0000 0000 Email: jexample@agency.org")
    # A results table's indicator column, the figures far to the right, and a bulleted contact.
    report.line(56, y + 140, "# feedback channels established")
    report.line(56, y + 170, "% of feedback collected and addressed")
    report.line(56, y + 200, "# of inclusive leaflets developed and distributed.")
    report.line(56, y + 230, "\u2022").line(70, y + 230, "Reports Officer: Jane Example (jane.example@agency.org)")
    kinds = blocks(report.write(tmp_path / "outlook.pdf"))
    assert [text[:20] for kind, text in kinds if kind != "chrome"] == ["Seasonal Outlook", "Rainfall is expected"]


def test_a_key_figure_and_its_label_are_one_record(tmp_path):
    # Situation reports lead with boxes of figures, each a large number over its label.
    report = Report().page()
    report.line(56, 60, "Regional Situation Report", size=16, bold=True)
    y = report.lines(56, 100, ["The recovery is under way, but the needs of people in the hardest-hit areas",
                               "remain urgent, and many health centres are still closed."])
    report.line(56, y + 20, "1.86 million", size=20, bold=True)
    report.line(56, y + 46, "People targeted w/ SRH services")
    report.line(300, y + 20, "814,000", size=20, bold=True)
    report.line(300, y + 46, "People targeted w/ GBV programmes")
    records = [text for kind, text in blocks(report.write(tmp_path / "figures.pdf")) if kind == "paragraph"]
    assert "1.86 million People targeted w/ SRH services" in records
    assert "814,000 People targeted w/ GBV programmes" in records
    assert not [text for text in records if text in ("1.86 million", "814,000")]
