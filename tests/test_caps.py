"""Caps on paragraph and report size (search/ingest/caps.py, #13).

A record of 100 MB of text used to be one paragraph: 7.9 GB while indexing,
103 s for a later search.  Long blocks are now split at sentence ends, and a
page is cut at MAX_PAGE_PARAGRAPHS / MAX_PAGE_CHARS with a warning naming
its record.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search import SearchIndex
from search.cli import cli
from search.ingest import read_report_file
from search.ingest.caps import (
    MAX_HEADING_CHARS,
    MAX_PAGE_CHARS,
    MAX_PAGE_PARAGRAPHS,
    MAX_PARAGRAPH_CHARS,
    MAX_TITLE_CHARS,
    cap_page,
    split_long_text,
)
from search.ingest.page import ReportPage
from search.ingest.text import Block

SENTENCE = "Russian forces attacked near Pokrovsk, and the capword battalion withdrew on December 3. "


@pytest.mark.parametrize(
    "text, parts",
    [
        # At the last sentence end within each 20 characters...
        ("One two. Three four five. Six seven eight nine. Ten.",
         ["One two.", "Three four five.", "Six seven eight", "nine. Ten."]),
        # ... with its closing quote and footnote marker ...
        ('He said "go."[12] Then they left the town at once.', ['He said "go."[12]', "Then they left the", "town at once."]),
        # ... else at the last space, else anywhere.
        ("alpha beta gamma delta epsilon zeta eta theta", ["alpha beta gamma", "delta epsilon zeta", "eta theta"]),
        ("x" * 45, ["x" * 20, "x" * 20, "x" * 5]),
        ("Short.", ["Short."]),
        ("  ", []),
    ],
)
def test_long_text_is_cut_at_sentence_ends_then_spaces_then_anywhere(text: str, parts: list[str]) -> None:
    assert split_long_text(text, limit=20) == parts


def test_a_page_is_cut_at_its_paragraph_cap_with_a_warning_naming_the_record() -> None:
    blocks = [Block("paragraph", f"Paragraph {n}.", n) for n in range(MAX_PAGE_PARAGRAPHS + 5)]
    page = ReportPage(blocks=[Block("heading", "Key Takeaways", 0), *blocks], origin="line 7")
    warnings = cap_page(page)
    assert len(page.blocks) == MAX_PAGE_PARAGRAPHS + 1  # the heading is no paragraph
    assert page.blocks[-1].text == f"Paragraph {MAX_PAGE_PARAGRAPHS - 1}."
    left = sum(len(b.text) for b in blocks[MAX_PAGE_PARAGRAPHS:])
    assert warnings == [
        f"line 7: longer than {MAX_PAGE_PARAGRAPHS:,} paragraphs or {MAX_PAGE_CHARS:,} characters; "
        f"the last {left:,} characters are left out"
    ]


def test_long_blocks_are_split_and_a_long_heading_is_a_paragraph() -> None:
    long_heading = "Word " * (MAX_HEADING_CHARS // 5 + 1)
    page = ReportPage(
        blocks=[
            Block("heading", long_heading.strip(), 1),
            Block("bullet", SENTENCE * 100, 2),
            Block("chrome", "Share", 3),
        ],
        title="T" * (MAX_TITLE_CHARS + 1),
    )
    warnings = cap_page(page)
    kinds = [b.kind for b in page.blocks]
    assert kinds[0] == "paragraph" and kinds[-1] == "chrome"
    assert set(kinds[1:-1]) == {"bullet"} and len(kinds) - 2 == -(-len(SENTENCE * 100) // MAX_PARAGRAPH_CHARS)
    assert all(len(b.text) <= MAX_PARAGRAPH_CHARS and b.text.endswith("3.") for b in page.blocks[1:-1])
    assert len(page.title) <= MAX_TITLE_CHARS
    assert warnings == [f"title of {MAX_TITLE_CHARS + 1:,} characters shortened to {MAX_TITLE_CHARS:,}"]


def test_a_five_megabyte_record_is_indexed_in_capped_paragraphs_and_searched(settings, tmp_path: Path, runner) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    text = SENTENCE * (5_000_000 // len(SENTENCE))
    (folder / "export.jsonl").write_text(
        json.dumps({"text": "A small first record about smallword.", "date": "2024-12-02"}) + "\n"
        + json.dumps({"id": "big", "text": text, "date": "2024-12-03"}) + "\n"
    )
    result = runner.invoke(cli, ["index", "--index-dir", str(settings.index_dir), str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with SearchIndex(settings) as index:
        assert index.search("smallword").total == 1
        found = index.search('"capword battalion"', per_page=100)
        assert found.total >= len(text) // MAX_PARAGRAPH_CHARS
        assert all(len(hit.text) <= MAX_PARAGRAPH_CHARS and hit.report_id == "big" for hit in found.hits)
        assert sum(len(hit.text) for hit in index.report("big").paragraphs) >= len(text) * 0.99
        assert found.hits[0].date == "2024-12-03"


def test_a_record_over_the_character_cap_is_cut_before_it_is_split(tmp_path: Path, taxonomy) -> None:
    path = tmp_path / "export.jsonl"
    text = "x" * (MAX_PAGE_CHARS + 1000)  # one word: cheap to split into blocks
    path.write_text(json.dumps({"text": "Small record."}) + "\n" + json.dumps({"text": text}) + "\n")
    draft = read_report_file(path, taxonomy)
    assert draft.warnings == [
        f"line 2: longer than {MAX_PAGE_PARAGRAPHS:,} paragraphs or {MAX_PAGE_CHARS:,} characters; "
        f"the last {len(text) - MAX_PAGE_CHARS:,} characters are left out"
    ]
    kept = [p.text for part in draft.parts for p in part.paragraphs if p.text.startswith("x")]
    assert "".join(kept) == "x" * MAX_PAGE_CHARS and max(map(len, kept)) == MAX_PARAGRAPH_CHARS
