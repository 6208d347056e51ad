"""bench/check_real.py counts what it should on small invented pages (so the harness cannot silently break).

The records in most tests are written by hand, as a reader that went wrong
would produce them (attachment names as paragraphs, a wrong date, the site's
name as title), so each count is known; one test runs the real ``sitrep
index`` through the harness end to end.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "check_real.py"
_spec = importlib.util.spec_from_file_location("check_real", SCRIPT)
check_real = importlib.util.module_from_spec(_spec)
sys.modules["check_real"] = check_real  # dataclasses look their module up by name
_spec.loader.exec_module(check_real)

BODY = [
    "Invented forces advanced two kilometers toward the river crossing near Lakeview on March 3, "
    "according to local officials.[1]",
    "Officials in the northern district reported that the water supply was restored after three days "
    "of repairs to the main pumping station.[2]",
    "Aid convoys reached the eastern villages for the first time since January, carrying food, blankets "
    "and medical supplies for about four thousand people.",
]
ATTACHMENT_PAGE = f"""<!DOCTYPE html>
<html><head><title>Daily Update, March 3, 2021 | Example Institute</title>
<meta property="og:site_name" content="Example Institute">
<meta property="article:published_time" content="2021-03-03T20:15:00-05:00">
</head><body><article>
<h1>Daily Update, March 3, 2021</h1>
<p><strong>Jane Roe, Ann Example, and John W. Doe</strong></p>
{''.join(f'<p>{text}</p>' for text in BODY)}
<p>[1] <a href="https://example.org/a">https://example.org/a</a></p>
<p>[2] <a href="https://example.org/b">https://example.org/b</a></p>
<div class="field-file-attachments"><div>File Attachments:</div>
<a href="a.png">Lakeview Map March 3, 2021.png</a> <a href="b.png">Northern District Map.png</a></div>
</article></body></html>
"""
SECOND_PAGE = ATTACHMENT_PAGE.replace("March 3", "March 4").replace("2021-03-03", "2021-03-04")
NOTES = """---
title: Field notes from the eastern villages
date: 2021-03-05
---

# Field notes from the eastern villages

Teams counted four hundred families in the school building, most of them from the villages
along the river that were shelled last week.

Water trucks arrive twice a day, but the families say the supply runs out before the evening
distribution reaches the upper floors.

The clinic has one doctor and two nurses for the whole site and asks for more staff and medicine.
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "daily_update_march_3_2021.html").write_text(ATTACHMENT_PAGE, encoding="utf-8")
    (folder / "daily_update_march_4_2021.html").write_text(SECOND_PAGE, encoding="utf-8")
    (folder / "field-notes.md").write_text(NOTES, encoding="utf-8")
    return folder


def record(path: Path, text: str, n: int, **fields) -> "check_real.Record":
    base = dict(id=f"{path.stem}-{n}", report_id=path.stem, title="Daily Update, March 3, 2021",
                source="Example Institute", date="2021-03-03", date_basis="page metadata", section=None,
                heading=None, kind="paragraph", position=n, text=text, path=str(path.resolve()), url=None)
    base.update(fields)
    return check_real.Record(**base)


def test_the_page_evidence_is_read_from_the_file_itself(corpus):
    evidence = check_real.file_evidence(corpus / "daily_update_march_3_2021.html")
    printed = evidence.printed_date()
    assert (printed.tier, printed.day) == ("title", date(2021, 3, 3))
    tiers = {(e.tier, e.day) for e in evidence.dates}
    assert ("metadata", date(2021, 3, 3)) in tiers  # the calendar day as written, not moved to UTC
    assert ("file name", date(2021, 3, 3)) in tiers
    assert "Example Institute" in evidence.site_names
    assert evidence.titles[0] == "Daily Update, March 3, 2021"


CONVERTED_PAGES = Path(__file__).resolve().parent / "data" / "converted"


@pytest.mark.parametrize(
    ("name", "tier", "day"),
    [
        # The site's clock ("28 February 2026") is the first dateline; the one by the title is the page's.
        ("clock-page.md", "dateline by the title", date(2026, 2, 27)),
        ("feed-page.md", "dateline by the title", date(2026, 2, 28)),
        # No date by the title: the "last updated" line beats the timeline's first dateline.
        ("country-page.md", "last updated", date(2026, 2, 24)),
    ],
)
def test_the_date_a_converted_page_prints_as_its_own(name, tier, day):
    evidence = check_real.file_evidence(CONVERTED_PAGES / name)
    printed = evidence.printed_date()
    assert (printed.tier, printed.day) == (tier, day)


@pytest.mark.parametrize(
    ("name", "outline", "title", "own"),
    [
        ("country-page.md", None, "Lakeland", False),  # the country's name alone, the page has more
        ("country-page.md", None, "Lakeland - Example Union Civil Protection and Aid Operations", True),
        ("post-page.md", "Video", "Video", False),
        ("post-page.md", "Make a Monthly Gift", "Make a Monthly Gift", False),  # a box's h1, no word of the title
        ("post-page.md", "Video", "An invented ferry captain was honoured for rescuing twelve passengers "
                                  "from the frozen northern lake.", True),
        ("clock-page.md", None, "Will the Invented Valley Recover This Year?", True),
    ],
)
def test_a_generic_h1_is_not_the_reports_own_title(tmp_path, name, outline, title, own):
    text = (CONVERTED_PAGES / name).read_text(encoding="utf-8")
    if outline:
        text = text.replace("## Content", f"## Page Structure\n\n- # {outline}\n\n## Content")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert check_real._is_own_title(title, check_real.file_evidence(path)) is own


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("6_1_2023___russian_offensive_campaign_assessment_january_6_2023.html", date(2023, 1, 6)),
        ("4183047_Flashupdate1TSMelissaENG_20251023.pdf", date(2025, 10, 23)),
        ("4183824_sitrep1-paho-hurricane-melissa-haiti-26oct-2025.pdf", date(2025, 10, 26)),
        ("4184083_sitrep3-paho-hurricane-melissa-jamaica-oct29-2025.pdf", date(2025, 10, 29)),
        ("4184659_ht-sm-2025-10-31-m1762132745.pdf", date(2025, 10, 31)),
        ("aljazeera.com_news_2026_2_27_ukraine-claws-back.md", date(2026, 2, 27)),
        ("4189284_MDRET039do.pdf", None),
    ],
)
def test_file_names_give_their_date(name, day):
    assert check_real.date_in_file_name(name) == day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("DraftUkraineCOTJanuary06,2023.png", "attachment name"),
        ("File Attachments:", "attachment name"),
        ("Riley Bailey, Grace Mappes, and Frederick W. Kagan", "submitted or byline"),
        ("Jan 6, 2023 - Press ISW", "submitted or byline"),
        ("[12] https://t.me/example/123", "endnote text"),
        ("https://sprotyv.mod dot gov.ua/2023/01/06/example/", "endnote text"),
        ("Click here to see the interactive map of the front line.", "link caption"),
        ("Share", "navigation"),
        ("Home > Research > Ukraine", "navigation"),
        ("February 27, 2026 6:40 pm", "dateline"),
        ("No. of volunteers trained in community surveillance", "table row label"),
        ("Number of displaced families rose to 5,000 in March.", None),
        ("By the end of January, invented forces had advanced to the outskirts of Lakeview.", None),
        ("Middle East and Northern Africa regional offices reported new arrivals at every crossing point.", None),
        (BODY[0], None),
    ],
)
def test_chrome_reasons(text, reason):
    assert check_real.chrome_reason(text) == reason


@pytest.mark.parametrize(
    ("section", "problem"),
    [("September 25, 6 pm ET", "dateline"), ("January 5, 2023", "dateline"),
     ("Click here to expand the map below", "caption"), ("Source: OCHA", "caption"), ("Key Takeaways", None)],
)
def test_section_problems(section, problem):
    assert check_real.section_problem(section) == problem


def test_the_analysis_counts_chrome_dates_titles_sections_and_coverage(corpus):
    first = corpus / "daily_update_march_3_2021.html"
    second = corpus / "daily_update_march_4_2021.html"
    notes = corpus / "field-notes.md"
    records = [record(first, text, n) for n, text in enumerate(BODY, 1)]
    records += [record(first, "Lakeview Map March 3, 2021.png", 4), record(first, "Northern District Map.png", 5)]
    # A reader that dated the second page a day late, titled it with the site's name and took the
    # dateline for a section.
    records += [record(second, text, n, report_id=second.stem, title="Example Institute", date="2021-03-05",
                       section="March 4, 8:00 pm ET") for n, text in enumerate(BODY, 1)]
    paragraphs = NOTES.split("\n\n")[2:]
    records += [record(notes, " ".join(paragraphs[0].split()), 1, report_id="notes", title="Field notes from the eastern villages",
                       date="2021-03-05"),
                record(notes, " ".join(paragraphs[1].split()), 2, report_id="notes", title="Field notes from the eastern villages",
                       date="2021-03-05"),
                record(notes, "Menu", 3, report_id="notes", title="Field notes from the eastern villages", date="2021-03-05")]
    files = check_real.corpus_files(corpus)
    summary = check_real.analyse(corpus, files, records, None, reference=None)

    assert summary["files"] == 3 and summary["read"] == 3 and summary["records"] == 11
    assert summary["chrome"]["by_reason"] == {"attachment name": 2, "navigation": 1}
    dates = summary["dates"]
    assert dates["reports_with_printed_date"] == 3
    assert dates["reports_date_differs"] == 1 and dates["records_date_differs"] == 3
    assert [(Path(r["file"]).name, r["sitrep_date"], r["printed_date"]) for r in dates["differs"]] == [
        ("daily_update_march_4_2021.html", "2021-03-05", "2021-03-04")]
    assert [Path(r["file"]).name for r in summary["titles"]["sitewide"]] == ["daily_update_march_4_2021.html"]
    assert summary["sections"]["records"] == 3
    assert summary["sections"]["values"][0]["problem"] == "dateline"
    # HTML has no reference without --reference; the Markdown file is its own.
    coverage = summary["coverage"]
    assert (coverage["found"], coverage["body_paragraphs"]) == (2, 3)
    assert (coverage["records_not_in_reference"], coverage["records_compared"]) == (1, 3)
    assert not summary["goals"]["every report date = printed date"]["met"]
    text = check_real.format_report(summary)
    assert "daily_update_march_4_2021.html: Sitrep 2021-03-05 (page metadata), page 2021-03-04 (title" in text
    assert "attachment name: 2" in text

    # The same records with the right date and title: nothing to report there.
    fixed = [replace(r, date="2021-03-04", title="Daily Update, March 4, 2021", section=None)
             if r.path == str(second.resolve()) else r for r in records]
    summary = check_real.analyse(corpus, files, fixed, None, reference=None)
    assert summary["dates"]["reports_date_differs"] == 0 and not summary["titles"]["sitewide"]
    assert summary["sections"]["records"] == 0


def test_a_trafilatura_reference_counts_found_and_missed_paragraphs(corpus):
    import trafilatura  # noqa: F401  the test extra brings it: a missing peer fails, never skips
    reference = check_real.trafilatura_reference(ATTACHMENT_PAGE)
    page = corpus / "daily_update_march_3_2021.html"
    result = check_real.coverage(reference, "trafilatura", [record(page, BODY[0], 1), record(page, BODY[2], 2)])
    assert (result.found, result.body) == (2, 3)
    assert result.missed_examples == [BODY[1]]
    assert result.chrome == 1  # the byline, which trafilatura keeps, is not a body paragraph



PDF_BODY = ("Mobile teams reached the flood-prone villages of the lower valley and handed out "
            "hygiene kits to four hundred families.")


@pytest.mark.parametrize(
    ("reference", "spaceless", "found"),
    [
        # pdfminer joins a line-end hyphen and runs words together; the words are all there.
        ("Mobile teams reached the floodprone villages of the lower valley and handed out hygiene"
         "kits to four hundred families.", True, 1),
        ("Mobile teams reached the floodprone villages of the lower valley and handed out hygiene"
         "kits to four hundred families.", False, 0),
        # The same words in another order are still a miss, spaces or not.
        ("Mobile teams reached the hygiene kits of the lower valley and handed out flood-prone "
         "villages to four hundred families.", True, 0),
    ],
)
def test_a_pdf_reference_matches_without_spaces_but_in_order(tmp_path, reference, spaceless, found):
    report = tmp_path / "report.pdf"
    result = check_real.coverage([reference], "pdfminer.six", [record(report, PDF_BODY, 1)], spaceless=spaceless)
    assert (result.found, result.body) == (found, 1)


def test_text_spelled_letter_by_letter_is_unreadable_not_missed(tmp_path):
    # A country name set up a map's margin comes out one letter a word.
    result = check_real.coverage(["Hot days (North) a i l a m o S n a d u S"], "pdfminer.six",
                                 [record(tmp_path / "report.pdf", PDF_BODY, 1)], spaceless=True)
    assert (result.body, result.unreadable) == (0, 1)

def test_the_harness_runs_the_real_index_end_to_end(corpus, tmp_path):
    out = tmp_path / "summary.json"
    assert check_real.main([str(corpus), "--json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["index"]["returncode"] == 0 and summary["index"]["peak_rss_mb"] > 0
    assert summary["files"] == 3 and summary["formats"] == {".html": 2, ".md": 1}
    assert {Path(r["file"]).name: r["printed_date"] for r in summary["per_file"]} == {
        "daily_update_march_3_2021.html": "2021-03-03", "daily_update_march_4_2021.html": "2021-03-04",
        "field-notes.md": "2021-03-05"}
    # Every file Sitrep read shows up with the records the query API returned for it.
    assert summary["records"] == sum(r["records"] for r in summary["per_file"]) > 0
    assert summary["read"] + summary["skipped"] + summary["no_records"] == 3


def test_a_missing_folder_is_one_error_line(tmp_path, capsys):
    assert check_real.main([str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"Error: {tmp_path / 'nowhere'} does not exist"]
