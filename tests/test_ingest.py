"""Report files -> paragraph records (search/ingest/), checked on the real seeds.

Seed 000 dates itself ("December 23, 2024"), so it is read without an index.
Seed 004 only says "as of December 14": its year comes from the corpus, so
those tests go through update_index and read the records back from the index.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from search import SearchIndex, load_settings, update_index
from search.ingest import SkipFile, paragraph_docs, read_report_file, strip_footnotes
from search.ingest.text import split_blocks

ISW_FILE = "000_0dbb5635bfea498f.txt"
TAKEAWAYS_FILE = "004_46fcd5d56deb0784.txt"
ISW = "Institute for the Study of War"
TAKEAWAYS = "Key Takeaways"  # canonical section of "Key ISW takeaways as of December 14"
TAKEAWAYS_HEADING = "Key ISW takeaways as of December 14"
QUESTION = "What is known about the presence of North Korean military personnel near the border with Ukraine?"


def read_docs(path: Path, taxonomy, anchor: date | None = None):
    return paragraph_docs(read_report_file(path, taxonomy), taxonomy, anchor, "a test anchor")


@pytest.fixture(scope="module")
def seed_000(seeds_dir, taxonomy):
    return read_docs(seeds_dir / ISW_FILE, taxonomy)


def all_hits(settings):
    with SearchIndex(settings) as index:
        return index.search("", per_page=settings.max_per_page, sort="oldest").hits


# -- seed 000: an ISW report, then a Wilson Center piece ---------------------


def test_000_isw_part(seed_000):
    isw = [doc for doc in seed_000 if doc.source == ISW]
    assert len(isw) == 13
    assert [doc.kind for doc in isw] == ["paragraph"] * 2 + ["bullet"] * 11
    assert [doc.position for doc in isw] == list(range(1, 14))
    assert {doc.report_id for doc in isw} == {"000_0dbb5635bfea498f"}
    assert {doc.title for doc in isw} == {
        "North Korea plans to deploy additional troops after losing 3,000 in Kursk"}
    assert {doc.date for doc in isw} == {date(2024, 12, 23)}
    assert {doc.date_inferred for doc in isw} == {False}
    assert {doc.date_basis for doc in isw} == {"date line"}


def test_000_wilson_center_part(seed_000):
    wilson = [doc for doc in seed_000 if doc.source == "Wilson Center"]
    assert len(wilson) == 6
    assert {doc.kind for doc in wilson} == {"paragraph"}
    assert {doc.report_id for doc in wilson} == {"000_0dbb5635bfea498f-2"}
    assert {doc.date for doc in wilson} == {date(2024, 12, 23)}
    assert {doc.date_inferred for doc in wilson} == {True}
    assert wilson[0].title.startswith("Forced displacement represents")
    assert len(seed_000) == 19  # nothing else in the file is a record


def test_000_line_broken_inside_a_paragraph_is_joined(seed_000):
    joined = [doc for doc in seed_000 if "compliance remains inconsistent." in doc.text]
    assert len(joined) == 1
    assert joined[0].text.startswith("International Humanitarian Law (IHL)")
    assert joined[0].text.endswith("these international standards.")


def test_000_web_chrome_and_source_lines_are_not_records(seed_000):
    assert not [doc for doc in seed_000 if "Share the Post" in doc.text]
    assert not [doc for doc in seed_000 if doc.text in (ISW, "Wilson Center", "December 23, 2024")]
    assert not [doc for doc in seed_000 if doc.text.startswith(f"{ISW}:")]


def test_000_footnote_markers_removed_numbers_kept(seed_000):
    assert not [doc for doc in seed_000 if re.search(r"\[\d+\]", doc.text)]
    first, second = seed_000[0], seed_000[1]
    assert first.footnotes == (1, 2, 3)
    assert second.footnotes == (4, 5)
    assert "towards Kotlyne. A Kremlin-affiliated" in first.text
    assert {doc.footnotes for doc in seed_000[2:]} == {()}


def test_000_topics_and_places(seed_000):
    (north_korea,) = [doc for doc in seed_000 if doc.text.startswith("North Korea is reportedly")]
    assert "North Korea" in north_korea.topics
    syria = [doc for doc in seed_000 if "positions in Syria" in doc.text]
    assert len(syria) == 1 and "Syria" in syria[0].topics
    pokrovsk = seed_000[0]
    assert pokrovsk.text.startswith("Russian forces are gradually advancing south and southwest of Pokrovsk")
    assert "Pokrovsk" in pokrovsk.places
    # Only paragraphs that name North Korea get the topic.
    assert [doc for doc in seed_000 if "North Korea" in doc.topics] == [north_korea]


# -- seed 004: dates without a year --------------------------------------------


def test_004_structure_sections_and_source(seeds_dir, taxonomy):
    docs = read_docs(seeds_dir / TAKEAWAYS_FILE, taxonomy)
    assert [doc.kind for doc in docs] == ["bullet"] * 8 + ["paragraph"] * 5
    assert [doc.section for doc in docs] == [TAKEAWAYS] * 8 + [QUESTION] * 5
    assert [doc.heading for doc in docs] == [TAKEAWAYS_HEADING] * 8 + [QUESTION] * 5
    assert {doc.source for doc in docs} == {ISW}  # from "ISW" in the heading
    assert {doc.report_id for doc in docs} == {"004_46fcd5d56deb0784"}
    assert not [doc for doc in docs if doc.text in (TAKEAWAYS_HEADING, QUESTION)]


def test_004_topics(seeds_dir, taxonomy):
    docs = read_docs(seeds_dir / TAKEAWAYS_FILE, taxonomy)
    bullets = docs[:8]
    assert "North Korea" in bullets[0].topics  # "North Korean soldiers in infantry assaults"
    syria = [doc for doc in bullets if "Syria" in doc.text]
    assert len(syria) == 2
    assert all("Syria" in doc.topics for doc in syria)
    assert all("North Korea" in doc.topics for doc in docs[8:])


def test_004_year_comes_from_the_corpus(seed_settings):
    takeaways = [hit for hit in all_hits(seed_settings) if hit.report_id == "004_46fcd5d56deb0784"]
    assert len(takeaways) == 13
    assert {hit.date for hit in takeaways} == {"2024-12-14"}
    assert {hit.date_inferred for hit in takeaways} == {True}
    assert all("000_0dbb5635bfea498f" in hit.date_basis for hit in takeaways)
    assert [hit.section for hit in takeaways] == [TAKEAWAYS] * 8 + [QUESTION] * 5


def test_004_alone_is_undated_not_guessed(tmp_path, seeds_dir, settings):
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(seeds_dir / TAKEAWAYS_FILE, reports)
    update_index(settings, [reports])
    hits = all_hits(settings)
    assert len(hits) == 13
    assert {(hit.date, hit.date_inferred, hit.date_basis) for hit in hits} == {(None, True, "no date found")}
    with SearchIndex(settings) as index:  # date filters leave undated paragraphs out
        assert index.search("", date_from="1990").total == 0


def test_year_in_the_file_name_completes_the_date(tmp_path, seeds_dir, settings):
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(seeds_dir / TAKEAWAYS_FILE, reports / "isw-2024-12.txt")
    update_index(settings, [reports])
    hits = all_hits(settings)
    assert len(hits) == 13
    assert {hit.date for hit in hits} == {"2024-12-14"}
    assert {hit.date_inferred for hit in hits} == {True}
    assert all(hit.date_basis.endswith("year from the file name") for hit in hits)


def test_the_file_name_year_beats_the_corpus(tmp_path, seeds_dir, settings):
    # The seeds date 004 from the corpus to 2024; a name that says 2023 is
    # evidence about the file itself and wins, whatever else is indexed (#12).
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(seeds_dir / "000_0dbb5635bfea498f.txt", reports)
    shutil.copy(seeds_dir / TAKEAWAYS_FILE, reports / "takeaways-2023.txt")
    update_index(settings, [reports])
    hits = [hit for hit in all_hits(settings) if hit.report_id == "takeaways-2023"]
    assert {hit.date for hit in hits} == {"2023-12-14"}
    assert all(hit.date_basis.endswith("year from the file name") for hit in hits)


def test_a_dateline_takes_its_year_from_the_file_name(tmp_path, taxonomy):
    report = tmp_path / "6_1_2023___assessment_january_6_2023.html"
    report.write_text("<body><p><b>January 6, 8:45 pm ET</b></p><p>Russian forces advanced near Kreminna.</p></body>")
    (doc,) = read_docs(report, taxonomy, anchor=date(2022, 1, 7))
    assert doc.date == date(2023, 1, 6)
    assert "year from the file's own dates" in doc.date_basis


def test_anchor_completes_the_year_across_new_year(tmp_path, taxonomy):
    report = tmp_path / "takeaways.txt"
    report.write_text("Key ISW takeaways as of January 3\n- Russian forces advanced near Kupyansk.\n")
    (doc,) = read_docs(report, taxonomy, anchor=date(2024, 12, 23))
    assert doc.date == date(2025, 1, 3)
    assert doc.date_inferred is True
    assert doc.date_basis == "heading; year from a test anchor"


# -- ids -----------------------------------------------------------------------


def test_ids_are_stable(seeds_dir, tmp_path, taxonomy, seed_000):
    again = read_docs(seeds_dir / ISW_FILE, taxonomy)
    assert [doc.id for doc in again] == [doc.id for doc in seed_000]
    shutil.copy(seeds_dir / ISW_FILE, tmp_path)  # the directory is not part of the id
    assert [doc.id for doc in read_docs(tmp_path / ISW_FILE, taxonomy)] == [doc.id for doc in seed_000]
    assert len({doc.id for doc in seed_000}) == len(seed_000)


def test_editing_a_paragraph_changes_only_its_id(seeds_dir, tmp_path, taxonomy, seed_000):
    edited = tmp_path / ISW_FILE
    text = (seeds_dir / ISW_FILE).read_text(encoding="utf-8")
    old = "Russian forces recently advanced near Kupyansk"
    assert text.count(old) == 1
    edited.write_text(text.replace(old, "Russian forces recently advanced near Siversk"), encoding="utf-8")
    after = read_docs(edited, taxonomy)
    changed = [i for i, (a, b) in enumerate(zip(seed_000, after)) if a.id != b.id]
    assert len(after) == len(seed_000)
    assert [seed_000[i].text[:46] for i in changed] == [old]


def test_files_of_one_name_in_two_folders_are_two_reports(tmp_path, settings):
    # Sources kept in folders of their own often name files alike (#12).
    reports = tmp_path / "reports"
    for folder, place in (("ocha", "Kherson"), ("unicef", "Mykolaiv")):
        (reports / folder).mkdir(parents=True)
        (reports / folder / "flash-update-1.txt").write_text(
            f"December 3, 2024\n\nShelling damaged a water station in {place} on December 2.\n")
    (reports / "top.txt").write_text("December 4, 2024\n\nConvoys reached Kherson on December 4.\n")
    update_index(settings, [reports])
    hits = all_hits(settings)
    assert sorted(hit.report_id for hit in hits) == ["ocha-flash-update-1", "top", "unicef-flash-update-1"]
    assert len({hit.id for hit in hits}) == 3


def test_identical_paragraphs_get_distinct_ids(tmp_path, taxonomy):
    report = tmp_path / "twice.txt"
    report.write_text("December 1, 2024\n- Russian forces advanced.\n- Russian forces advanced.\n")
    first, second = read_docs(report, taxonomy)
    assert first.id != second.id
    assert second.id == f"{first.id}-2"


# -- how text is read ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        ("Key facts\n- one.\n- two.\nA long\nline.",
         [("heading", "Key facts"), ("bullet", "one."), ("bullet", "two."), ("paragraph", "A long line.")]),
        ("• dot\n* star\n– dash\n-word",
         [("bullet", "dot"), ("bullet", "star"), ("bullet", "dash"), ("heading", "-word")]),
        ("Share the Post:\nPrint\nRelated posts\nA sentence that ends.",
         [("chrome", "Share the Post:"), ("chrome", "Print"), ("chrome", "Related posts"),
          ("paragraph", "A sentence that ends.")]),
        ("What is known about it?\nAnswer here.",
         [("heading", "What is known about it?"), ("paragraph", "Answer here.")]),
        # A long line without end punctuation was wrapped: the next line continues it.
        ("x " * 45 + "\nContinues here.", [("paragraph", "x " * 45 + "Continues here.")]),
        # A short line without end punctuation is a heading unless the next starts in lower case.
        ("Short line\nNext starts upper.", [("heading", "Short line"), ("paragraph", "Next starts upper.")]),
        ("Short line\ncontinued in lower case.", [("paragraph", "Short line continued in lower case.")]),
        ("\ufeffWindows\r\nline\u00a0ends.\r\n", [("paragraph", "Windows line ends.")]),
    ],
)
def test_split_blocks(text, blocks):
    assert [(b.kind, b.text) for b in split_blocks(text)] == [(k, " ".join(t.split())) for k, t in blocks]


def test_strip_footnotes():
    assert strip_footnotes("towards Kotlyne.[1] A Kremlin-affiliated [2] blogger") == (
        "towards Kotlyne. A Kremlin-affiliated blogger", (1, 2))
    assert strip_footnotes("no markers [a] here") == ("no markers [a] here", ())


def test_source_line_with_a_title(tmp_path, taxonomy):
    report = tmp_path / "wilson.txt"
    report.write_text("December 2, 2024\nWilson Center: Forced displacement today\n\nPeople flee their homes.\n")
    (doc,) = read_docs(report, taxonomy)
    assert (doc.source, doc.title) == ("Wilson Center", "Forced displacement today")


def test_unknown_source(tmp_path, taxonomy):
    report = tmp_path / "anon.txt"
    report.write_text("December 2, 2024\n\nPeople flee their homes.\n")
    (doc,) = read_docs(report, taxonomy)
    assert doc.source == "Unknown source"
    assert doc.title == "People flee their homes."


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Syria: Russia’s bases.\n".encode("utf-16"), "Syria: Russia’s bases."),
        ("Russia’s bases in Syria.\n".encode("utf-8-sig"), "Russia’s bases in Syria."),
    ],
)
def test_encodings_read_without_warning(tmp_path, taxonomy, data, text):
    path = tmp_path / "report.txt"
    path.write_bytes(data)
    draft = read_report_file(path, taxonomy)
    assert draft.warnings == []
    assert draft.parts[0].paragraphs[0].text == text


def test_windows_1252_is_read_with_a_warning(tmp_path, taxonomy):
    path = tmp_path / "report.txt"
    path.write_bytes("Russia’s bases in Syria.\n".encode("cp1252"))
    draft = read_report_file(path, taxonomy)
    assert draft.warnings == ["not UTF-8; read as Windows-1252"]
    assert draft.parts[0].paragraphs[0].text == "Russia’s bases in Syria."


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("binary.txt", b"PK\x03\x04\x00\x00report", "binary file (contains NUL bytes)"),
        ("report.pdf", b"%PDF-1.4 Russian forces advanced.", "not a valid PDF: data format error"),
        ("empty.pdf", b"", "empty file"),
        ("report.docx", b"Russian forces advanced.", "unsupported file type .docx; expected .txt, .md, .html, .json, .jsonl or .pdf"),
        ("README", b"Russian forces advanced.", "unsupported file type (none); expected .txt, .md, .html, .json, .jsonl or .pdf"),
        ("headings.txt", b"Only a heading\nAnother heading\n", "no paragraphs found"),
    ],
)
def test_unreadable_files_raise_skipfile_with_reason(tmp_path, taxonomy, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SkipFile) as caught:
        read_report_file(path, taxonomy)
    assert str(caught.value) == reason


def test_custom_vocabularies_tag_records(tmp_path, seeds_dir):
    topics = tmp_path / "topics.toml"
    topics.write_text('[topics."Armour"]\nterms = ["armored vehicle*"]\n')
    places = tmp_path / "places.toml"
    places.write_text('[[place]]\nname = "Slovakia"\nvariants = ["Slovak"]\n')
    settings = load_settings(index_dir=tmp_path / "index", taxonomy=topics, gazetteer=places)
    update_index(settings, [seeds_dir / ISW_FILE])
    tagged = [hit for hit in all_hits(settings) if hit.topics or hit.places]
    assert [(hit.topics, hit.places) for hit in tagged] == [(["Armour"], []), ([], ["Slovakia"])]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("isw-2025-02-24.txt", "2025-02-24"),
        ("assessment-february-24-2025.txt", "2025-02-24"),
        ("000_0dbb5635bfea498f.txt", None),  # a hash is not a date
    ],
)
def test_a_date_in_the_file_name_is_the_last_resort(tmp_path, taxonomy, name, expected):
    path = tmp_path / name
    path.write_text("Russian forces advanced near Kupyansk, according to geolocated footage.\n")
    (doc,) = paragraph_docs(read_report_file(path, taxonomy), taxonomy)
    assert (doc.date.isoformat() if doc.date else None) == expected
    assert doc.date_inferred is (expected is not None)
    assert doc.date_basis == ("file name" if expected else "no date found")


def test_a_heading_with_a_remark_in_brackets_is_a_heading():
    blocks = split_blocks(
        "#2. Russian Main Effort – Eastern Ukraine (comprised of two subordinate efforts)\n\n"
        "Russian forces advanced near Toretsk (geolocated).\n"
    )
    assert [b.kind for b in blocks] == ["heading", "paragraph"]
