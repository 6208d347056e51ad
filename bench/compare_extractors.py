"""Sitrep's HTML reader beside trafilatura (with htmldate) on a folder of saved pages.

    python bench/compare_extractors.py DIR

For #12 we had to choose the extraction core for web pages.  This prints,
for both: time, paragraphs, headings, list items and endnotes found, how
many pages each dates to the date the page's own title prints, and how many
of trafilatura's body paragraphs (eight words or more, endnotes left out)
Sitrep's reader has no record of.  trafilatura is a bench extra
(``pip install -e '.[bench]'``); nothing here is imported by Sitrep.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import trafilatura
from lxml import etree

from search.dates import find_heading_date
from search.ingest.html import read_html

ENDNOTE = re.compile(r"^\s*\[\d+\]")


def normalised(text: str) -> str:
    """Lower case, footnote markers and punctuation out, spacing folded: what two readers can agree on."""
    return "".join(re.sub(r"\[\d+\]", " ", text.lower()).split()).translate(str.maketrans("", "", ".,;:!?'’\"“”()—–-"))


def compare(folder: Path) -> dict[str, float]:
    counts = dict.fromkeys(
        ["pages", "trafilatura_s", "sitrep_s", "trafilatura_paragraphs", "sitrep_paragraphs", "trafilatura_headings",
         "sitrep_headings", "trafilatura_items", "sitrep_bullets", "trafilatura_endnote_lines", "sitrep_endnotes",
         "trafilatura_dated_right", "sitrep_dated_right", "trafilatura_paragraphs_sitrep_lacks"], 0)
    missing: list[str] = []
    for path in sorted(folder.glob("*.htm*")):
        html = path.read_text(encoding="utf-8", errors="replace")
        started = time.perf_counter()
        xml = trafilatura.extract(html, output_format="xml", with_metadata=True, include_comments=False,
                                  include_tables=False, include_links=True)
        counts["trafilatura_s"] += time.perf_counter() - started
        started = time.perf_counter()
        page = read_html(html)
        counts["sitrep_s"] += time.perf_counter() - started
        if page.error_page or not xml:
            continue
        counts["pages"] += 1
        root = etree.fromstring(xml.encode())
        printed = find_heading_date(page.title or "")
        want = printed.complete().isoformat() if printed and printed.complete() else None
        counts["trafilatura_dated_right"] += root.get("date") == want
        counts["sitrep_dated_right"] += (page.date or "")[:10] == want
        body = root.find("main")
        blocks = [] if body is None else [(e.tag, "".join(e.itertext()).strip()) for e in body.iter("p", "head", "item")]
        counts["trafilatura_paragraphs"] += sum(tag == "p" for tag, _ in blocks)
        counts["trafilatura_headings"] += sum(tag == "head" for tag, _ in blocks)
        counts["trafilatura_items"] += sum(tag == "item" for tag, _ in blocks)
        counts["trafilatura_endnote_lines"] += sum(bool(ENDNOTE.match(text)) for _, text in blocks)
        counts["sitrep_paragraphs"] += sum(b.kind == "paragraph" for b in page.blocks)
        counts["sitrep_headings"] += sum(b.kind == "heading" for b in page.blocks)
        counts["sitrep_bullets"] += sum(b.kind == "bullet" for b in page.blocks)
        counts["sitrep_endnotes"] += len(page.endnotes)
        # Everything the reader kept, chrome included: a paragraph it judged
        # chrome (an author line, a contents list) is a choice, not a miss.
        ours = "".join(normalised(b.text) for b in page.blocks)
        for _, text in blocks:
            if len(text.split()) >= 8 and not ENDNOTE.match(text) and normalised(text)[:120] not in ours:
                counts["trafilatura_paragraphs_sitrep_lacks"] += 1
                missing.append(f"{path.name[:40]}: {text[:100]}")
    for line in missing[:20]:
        print("  lacks:", line)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    for name, value in compare(args.folder).items():
        print(f"{name:38} {value:.2f}" if isinstance(value, float) else f"{name:38} {value}")


if __name__ == "__main__":
    main()
