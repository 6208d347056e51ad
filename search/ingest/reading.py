"""The reading rules every format shares: pages -> a :class:`~search.ingest.records.FileDraft`.

Sections, datelines, footnote markers, standalone parts and the dates found
on the way (README.md, "How reports are read"); each reader only turns its
format into :class:`~search.ingest.page.ReportPage` objects.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..dates import PartialDate, date_in_file_name, date_in_url, find_heading_date, parse_date_line
from ..taxonomy import Taxonomy
from .caps import cap_page
from .notes import endnote_from_text
from .page import Endnote, ReportPage
from .records import DraftParagraph, DraftPart, FileDraft, SkipFile
from .sections import canonical_section, evidence_label
from .text import Block, split_blocks

# No leading "\s*" (the spaces go when the text is re-spaced): tried at every
# space of a long run, it made stripping markers quadratic (#13).
FOOTNOTE = re.compile(r"\[(\d{1,4})\]")


_MARKER_SLOT = "\ue000"  # a private-use character: never in report text, never a word


def strip_footnotes(text: str) -> tuple[str, tuple[int, ...]]:
    """Remove footnote markers such as ``[3]`` from text, keeping their numbers.

    >>> strip_footnotes("towards Kotlyne.[1] A Kremlin-affiliated [2] blogger")
    ('towards Kotlyne. A Kremlin-affiliated blogger', (1, 2))
    """
    body, markers = strip_markers(text)
    return body, tuple(n for _, n in markers)


def strip_markers(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Remove footnote markers from text, keeping each one's number and where it stood.

    The offsets index the returned text, so the report page can show the
    markers again as links while the index and snippets never see their
    digits (#16).  Spacing is normalised as before: runs of spaces become
    one, and a space before a full stop goes.

    >>> strip_markers("towards Kotlyne.[1] A Kremlin-affiliated [2] blogger [3].")
    ('towards Kotlyne. A Kremlin-affiliated blogger.', ((16, 1), (37, 2), (45, 3)))
    """
    if "[" not in text:
        return " ".join(text.split()).replace(" .", "."), ()
    numbers = [int(n) for n in FOOTNOTE.findall(text)]
    out: list[str] = []
    length = 0
    markers: list[tuple[int, int]] = []
    # The same result as joining the words with spaces and then removing
    # " ." (what this function always did), built word by word so that each
    # marker's offset is known.
    for word in FOOTNOTE.sub(f" {_MARKER_SLOT} ", text).split():
        if word == _MARKER_SLOT:
            markers.append((length, numbers[len(markers)]))
            continue
        separator = "" if not out or word.startswith(".") else " "
        out.append(separator + word)
        length += len(separator) + len(word)
    return "".join(out), tuple(markers)


def text_page(text: str) -> ReportPage:
    """A plain-text report as a :class:`ReportPage`; trailing ``[n] link`` lines are its endnotes."""
    blocks = split_blocks(text)
    endnotes: dict[int, Endnote] = {}
    body: list[Block] = []
    for block in blocks:
        note = endnote_from_text(block.text) if block.kind != "bullet" else None
        if note is not None:
            endnotes.setdefault(note.number, note)
        else:
            body.append(block)
    return ReportPage(blocks=body, endnotes=endnotes)


def parse_report_text(text: str, path: Path, digest: str, taxonomy: Taxonomy) -> FileDraft:
    """Parse the text of one plain-text report file into a :class:`FileDraft`."""
    return draft_from_pages([text_page(text)], path, digest, taxonomy)


def draft_from_pages(pages: list[ReportPage], path: Path, digest: str, taxonomy: Taxonomy) -> FileDraft:
    """Cap the pages a reader found in one file, then apply the reading rules (:func:`_apply_reading_rules`).

    Every format passes here: long blocks are split and oversized pages cut
    (:func:`~search.ingest.caps.cap_page`), and a date the page gives that
    is no calendar date is ignored with a warning, each naming the record.

    :raises SkipFile: no paragraphs are left.
    """
    warnings: list[str] = []
    for page in pages:
        warnings.extend(cap_page(page))
        if page.date and find_heading_date(page.date.replace("T", " ")) is None:
            where = f"{page.origin}: " if page.origin else ""
            basis = page.date_basis or "page"
            warnings.append(f"{where}{basis} date {page.date!r} is not a calendar date from 1900 to 2099; ignored")
    draft = _apply_reading_rules(pages, path, digest, taxonomy)
    draft.warnings[:0] = warnings
    return draft


def _apply_reading_rules(pages: list[ReportPage], path: Path, digest: str, taxonomy: Taxonomy) -> FileDraft:
    """Apply the reading rules to the pages a reader found in one file.

    Rules (documented in README.md, "How reports are read"):

    * the page's own date (metadata, title, dateline, URL) dates it;
    * a line that is only a date dates what follows it, within its source part;
    * a line that is only a source's name, or "Source: Title", starts that
      source's part (unless the current part has no paragraphs yet);
    * a heading (a short line without end punctuation, or a question) is the
      section of what follows; a date inside it dates that section;
    * web chrome ("Share the Post:") is dropped.
    """
    parts: list[DraftPart] = []
    file_date: PartialDate | None = None
    for page in pages:
        in_url = date_in_url(page.url) if not page.date and page.url else None
        if in_url:
            # Every format's address counts, after what the page itself prints.
            page.date, page.date_basis = in_url, "URL"
        # "2025-02-24T15:00:00Z" from page metadata reads like "2025-02-24 15:00".
        page_date = find_heading_date(page.date.replace("T", " ")) if page.date else None
        if page_date is not None and file_date is None:
            file_date = page_date
        found = _read_page(page, page_date, parts, taxonomy)
        file_date = file_date or found
    kept = [part for part in parts if part.paragraphs]
    if not kept:
        raise SkipFile("no paragraphs found")
    # After the page's own evidence: a date in the file name ("isw-2025-02-24.html",
    # "assessment-february-24-2025.md", "6_1_2023___…_january_6_2023.html").
    named = date_in_file_name(path.stem)
    if named is not None and named.complete() is not None:
        if file_date is None:
            return FileDraft(path, digest, kept, named, "file name")
        if file_date.year is None and (file_date.month, file_date.day) == (named.month, named.day):
            # "January 6, 8:45 pm ET" on the page, 2023 in the name: the same day.
            return FileDraft(path, digest, kept, named, "date line; year from the file name")
    return FileDraft(path, digest, kept, file_date)


def _read_page(page: ReportPage, page_date: PartialDate | None, parts: list[DraftPart], taxonomy: Taxonomy) -> PartialDate | None:
    """Append the parts of one page to ``parts``; return the first date it wrote."""

    def new_part(source: str | None = None) -> DraftPart:
        part = DraftPart(
            len(parts) + 1, source=source, title=page.title, record_id=page.record_id,
            url=page.url, topics=page.topics, endnotes=page.endnotes, standalone=page.standalone,
        )
        parts.append(part)
        return part

    first_date: PartialDate | None = page_date
    source_name = (taxonomy.source_line(page.source) or (page.source, None))[0] if page.source else None
    part = new_part(source_name)
    section: str | None = None
    heading: str | None = None
    # A date line dates the rest of its part; a dated heading only its section.
    part_date: PartialDate | None = page_date
    part_basis = page.date_basis or "date line"
    section_date: PartialDate | None = None
    for block in page.blocks:
        if block.kind == "chrome":
            continue
        line_date = parse_date_line(block.text) if block.kind != "bullet" else None
        if line_date is not None and page.single_report and part_date is not None:
            continue  # a date further down a web page: a related post's, not the report's
        if line_date is not None and page.single_report and part.paragraphs:
            # A rendered page prints its date below the menus it starts with:
            # it dates the whole page, menus' leftovers included.
            for earlier in part.paragraphs:
                if earlier.date is None:
                    earlier.date, earlier.date_basis = line_date, "date line"
            part_date, part_basis = line_date, "date line"
            first_date = first_date or line_date
            continue
        if line_date is not None:
            if part.paragraphs:  # a new date line after text starts a new dated part
                part = new_part(part.source)
                section, heading, section_date = None, None, None
            part_date, part_basis = line_date, "date line"
            first_date = first_date or line_date
            continue
        source = taxonomy.source_line(block.text) if block.kind != "bullet" else None
        if source is not None and page.single_report and part.paragraphs:
            # The publisher's name in a page's footer or menu, or a PDF's
            # credit line: it names the source, and starts no other report.
            part.source = part.source or source[0]
            continue
        if source is not None and (block.kind == "heading" or source[1]):
            if part.paragraphs:
                part = new_part()
                part.title = None
                section, heading, part_date, section_date = None, None, None, None
            part.source = source[0]
            part.title = source[1] or part.title
            continue
        if block.kind == "heading":
            heading = block.text.rstrip(":").strip()
            section = canonical_section(heading)
            section_date = find_heading_date(block.text)
            first_date = first_date or section_date
            if page.single_report and part_date is not None:
                # A dated web page is one report: "EU assistance (since 24 February 2022)"
                # names an event's day, not its section's (#12).
                section_date = None
            if part.source is None:
                part.source = taxonomy.source_mentioned(block.text)
            if part.title is None and not part.paragraphs:
                part.title = heading
            continue
        body, markers = strip_markers(block.text)
        label, _ = evidence_label(body)
        own_date, basis = (section_date, "heading") if section_date else (part_date, part_basis)
        part.paragraphs.append(
            DraftParagraph(block.kind, body, section, tuple(n for _, n in markers), own_date,
                           basis if own_date else "", heading, label, markers)
        )
    return first_date


__all__ = ["draft_from_pages", "parse_report_text", "strip_footnotes", "strip_markers", "text_page"]
