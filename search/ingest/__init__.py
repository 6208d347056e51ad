"""Report files -> :class:`ParagraphDoc` records.

Reading a file happens in two steps, because a date without a year can only
be completed with evidence from the rest of the corpus:

1. :func:`read_report_file` parses a file into a :class:`FileDraft`: its
   source parts, their paragraphs, sections and (possibly partial) dates.
2. :func:`paragraph_docs` turns a draft into records, given the ``anchor``
   date the caller found for it (see ``FileDraft.needs_year``).

This module never imports whoosh: the index is the caller's business.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..dates import PartialDate, date_in_file_name, date_in_url, find_heading_date, find_year, infer_year, parse_date_line
from ..fingerprint import fingerprints, signature_bands
from ..taxonomy import Taxonomy
from .caps import cap_page
from .events import event_dates
from .notes import cited_domains, endnote_from_text
from .page import Endnote, ReportPage
from .sections import canonical_section, evidence_label
from .text import Block, split_blocks

# What each reader takes; anything else is skipped with its reason.
READABLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".jsonl", ".json", ".pdf")
# No leading "\s*" (the spaces go when the text is re-spaced): tried at every
# space of a long run, it made stripping markers quadratic (#13).
FOOTNOTE = re.compile(r"\[(\d{1,4})\]")
MAX_FILE_BYTES = 20 * 1024 * 1024
# An export of many reports is one file: JSON Lines may be larger.
MAX_RECORDS_FILE_BYTES = 512 * 1024 * 1024


class SkipFile(Exception):
    """Raised inside ingest when a file cannot yield records; carries the reason."""


@dataclass(frozen=True)
class ParagraphDoc:
    """One searchable paragraph or bullet, with everything shown beside a hit."""

    id: str
    report_id: str
    title: str
    source: str
    date: date | None
    date_inferred: bool
    date_basis: str
    section: str | None
    kind: str
    position: int
    text: str
    footnotes: tuple[int, ...]
    topics: tuple[str, ...]
    places: tuple[str, ...]
    path: str
    file_hash: str
    heading: str | None = None  # the heading as written; ``section`` is its canonical form
    label: str | None = None  # ISW evidence label ("Assessed Russian advances")
    notes: tuple[Endnote, ...] = ()  # the endnotes behind ``footnotes``, where known
    cited: tuple[str, ...] = ()  # domains the endnotes link to
    event_dates: tuple[date, ...] = ()
    fingerprint: str = ""  # equal for paragraphs equal after normalisation
    signature: tuple[int, ...] = ()  # MinHash of the word pairs, for near-duplicates
    bands: tuple[str, ...] = ()  # the signature's band terms, to find candidates
    url: str | None = None  # the report's address on the web, when known
    # "corpus" when the date's year came from the corpus, "unknown" when a
    # date without a year found none: the index reads such files again when
    # dated reports arrive.
    year_from: str = ""


@dataclass
class DraftParagraph:
    kind: str
    text: str
    section: str | None
    footnotes: tuple[int, ...]
    date: PartialDate | None  # the date this paragraph's own section gave it
    date_basis: str
    heading: str | None = None
    label: str | None = None


@dataclass
class DraftPart:
    """One source's part of a file (a file may hold several reports)."""

    number: int
    source: str | None = None
    title: str | None = None
    paragraphs: list[DraftParagraph] = field(default_factory=list)
    record_id: str | None = None
    url: str | None = None
    topics: tuple[str, ...] = ()
    endnotes: dict[int, Endnote] = field(default_factory=dict)
    standalone: bool = False


@dataclass
class FileDraft:
    """A parsed file whose dates may still need a year."""

    path: Path
    file_hash: str
    parts: list[DraftPart]
    file_date: PartialDate | None
    file_date_basis: str = "file's first date"
    warnings: list[str] = field(default_factory=list)
    # What report ids are made from: the path below the indexed folder
    # ("isw/2024-12-01"), so files of one name in two folders stay apart.
    report_name: str = ""
    # Set by the index when it reads an indexed file again for its year:
    # the dates its year-less paragraphs have in the index now.
    indexed_dates: list = field(default_factory=list)

    @property
    def needs_year(self) -> bool:
        """True when some date lacks a year and neither the file nor its name can supply one.

        Only then is the year inferred from the corpus: evidence printed on
        the page or in its name always comes first (#12).
        """
        return self.own_anchor() is None and find_year(self.path.name) is None and any(
            (p.date or self.file_date) is not None and (p.date or self.file_date).year is None
            for part in self.parts
            for p in part.paragraphs
        )

    def own_anchor(self) -> date | None:
        """A complete date written in the file itself, the first evidence for a year."""
        dates = [p.date.complete() for part in self.parts for p in part.paragraphs if p.date]
        if self.file_date is not None:
            dates.insert(0, self.file_date.complete())
        return next((d for d in dates if d is not None), None)

    def text(self) -> str:
        """All body text, for finding similar reports."""
        return "\n".join(p.text for part in self.parts for p in part.paragraphs)


def file_hash(data: bytes) -> str:
    """The content hash that tells a changed file from an unchanged one."""
    return hashlib.sha256(data).hexdigest()[:20]


def stored_path(path: Path | str) -> str:
    """A file's path as the index stores and prints it: valid UTF-8 whatever the file system holds.

    A name that is not UTF-8 (``bad\\xff.txt`` written by another system)
    reaches Python with surrogate escapes, which no UTF-8 field can store;
    its undecodable bytes are written as ``\\xff`` instead.  Every other
    path is ``str(path)`` unchanged.
    """
    text = str(path)
    if text.isascii():
        return text
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def decode_report(data: bytes) -> tuple[str, str | None]:
    """Bytes -> text, with a warning when the encoding had to be guessed.

    :raises SkipFile: the bytes are binary or empty.
    """
    if not data.strip():
        raise SkipFile("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            raise SkipFile("starts like UTF-16 but is not valid UTF-16") from None
    if b"\x00" in data[:8192]:
        raise SkipFile("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        # Reports saved on Windows are usually cp1252; it decodes any byte.
        return data.decode("cp1252", errors="replace"), "not UTF-8; read as Windows-1252"


def slug(text: str) -> str:
    """A URL-safe id part: ``"ISW Dec 14.txt"`` -> ``"isw-dec-14-txt"``."""
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-") or "report"


def strip_footnotes(text: str) -> tuple[str, tuple[int, ...]]:
    """Remove footnote markers such as ``[3]`` from text, keeping their numbers.

    >>> strip_footnotes("towards Kotlyne.[1] A Kremlin-affiliated [2] blogger")
    ('towards Kotlyne. A Kremlin-affiliated blogger', (1, 2))
    """
    numbers = tuple(int(n) for n in FOOTNOTE.findall(text))
    return " ".join(FOOTNOTE.sub(" ", text).split()).replace(" .", "."), numbers


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
        if not page.date and page.url and date_in_url(page.url):
            # Every format's address counts, after what the page itself prints.
            page.date, page.date_basis = date_in_url(page.url), "URL"
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
            if part.source is None:
                part.source = taxonomy.source_mentioned(block.text)
            if part.title is None and not part.paragraphs:
                part.title = heading
            continue
        body, notes = strip_footnotes(block.text)
        label, _ = evidence_label(body)
        own_date, basis = (section_date, "heading") if section_date else (part_date, part_basis)
        part.paragraphs.append(
            DraftParagraph(block.kind, body, section, notes, own_date, basis if own_date else "", heading, label)
        )
    return first_date


def report_name(path: Path, roots: list[Path]) -> str:
    """The name a file's report ids are made from: its path below the outermost folder indexed.

    ``seeds/000_x.txt`` under ``seeds`` is ``000_x``; ``reports/isw/01.html``
    under ``reports`` is ``isw/01``, so ``reports/ocha/01.html`` gets other ids.

    >>> report_name(Path("/r/isw/01.html"), [Path("/r")]), report_name(Path("/r/a.txt"), [Path("/r/a.txt")])
    ('isw/01', 'a')
    """
    for root in sorted(roots, key=lambda r: len(r.parts)):
        try:
            relative = path.relative_to(root)
        except ValueError:
            continue
        if relative.parts:
            return str(relative.with_suffix("")) if relative.suffix else str(relative)
    return path.stem


def read_report_file(path: Path, taxonomy: Taxonomy, name: str | None = None) -> FileDraft:
    """Read and parse one report file of any supported format.

    ``name`` is what its report ids are made from (see :func:`report_name`);
    the file's name without its suffix by default.

    :raises SkipFile: the file is unreadable, binary, empty, too large or of
        an unsupported type; the message is the reason shown to the user.
    """
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise SkipFile(
            f"unsupported file type {path.suffix or '(none)'}; expected .txt, .md, .html, .json, .jsonl or .pdf"
        )
    try:
        size = path.stat().st_size
        limit = MAX_RECORDS_FILE_BYTES if suffix in (".jsonl", ".json") else MAX_FILE_BYTES
        if size > limit:
            raise SkipFile(f"larger than {limit // 2**20} MB")
        data = path.read_bytes()
    except OSError as err:
        raise SkipFile(f"cannot read: {err.strerror}") from None
    if suffix == ".pdf":  # a PDF is read from its bytes, not decoded as text
        from .pdf import read_pdf

        page, pdf_warnings = read_pdf(data)
        draft = draft_from_pages([page], path, file_hash(data), taxonomy)
        draft.warnings.extend(pdf_warnings)
        draft.report_name = name or path.stem
        return draft
    text, warning = decode_report(data)
    warnings = [warning] if warning else []
    pages, found_warnings = _pages(suffix, text, path.name)
    warnings.extend(found_warnings)
    if not pages:
        raise SkipFile("; ".join(found_warnings) or "no report found")
    draft = draft_from_pages(pages, path, file_hash(data), taxonomy)
    draft.warnings.extend(warnings)
    draft.report_name = name or path.stem
    return draft


def _pages(suffix: str, text: str, name: str) -> tuple[list[ReportPage], list[str]]:
    """Hand the text to the reader for its format."""
    if suffix in (".html", ".htm"):
        from .html import read_html

        page = read_html(text)
        if page.error_page is not None:
            raise SkipFile(f"an error page ({page.error_page!r}), not a report")
        return [page], []
    if suffix in (".md", ".markdown"):
        from .markdown import read_markdown

        page = read_markdown(text)
        if page.error_page is not None:
            raise SkipFile(f"an error page ({page.error_page!r}), not a report")
        return [page], []
    if suffix in (".jsonl", ".json"):
        from .jsonl import read_json_records

        return read_json_records(text, name)
    return [text_page(text)], []


def _first_sentence(text: str, limit: int = 90) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


def paragraph_docs(
    draft: FileDraft, taxonomy: Taxonomy, anchor: date | None = None, anchor_basis: str = ""
) -> list[ParagraphDoc]:
    """Turn a draft into records, completing dates that lack a year.

    A paragraph's date is its own section's date, or else the file's first
    date (then marked inferred).  A year missing from it comes from, in order:
    a complete date elsewhere in the same file (its metadata, a dateline, its
    URL, a full date in its name); a year in the file name; and only then
    ``anchor``, the date of the most similar dated report the caller found in
    the corpus, which therefore never moves a date the file's own evidence
    fixed.  Without any of these the paragraph is indexed undated.
    """
    own = draft.own_anchor()
    name_year = find_year(draft.path.name)
    docs: list[ParagraphDoc] = []
    stem = slug(draft.report_name or draft.path.stem)
    for part in draft.parts:
        if part.record_id:
            report_id = slug(part.record_id)
        else:
            report_id = stem if part.number == 1 else f"{stem}-{part.number}"
        title = part.title or _first_sentence(part.paragraphs[0].text)
        seen: dict[str, int] = {}
        for position, para in enumerate(part.paragraphs, start=1):
            partial, inferred, basis = para.date, False, para.date_basis
            if partial is None and draft.file_date is not None and not part.standalone:
                partial, inferred, basis = draft.file_date, True, draft.file_date_basis
            day: date | None = None
            year_from = ""
            if partial is not None:
                day = partial.complete()
                if day is None:
                    year_from = "unknown"
                    inferred = True
                    if own is not None:
                        day, basis = infer_year(partial, own), f"{basis}; year from the file's own dates"
                    elif name_year is not None:
                        day = PartialDate(partial.month, partial.day, name_year).complete()
                        basis = f"{basis}; year from the file name"
                    elif anchor is not None:
                        day, basis = infer_year(partial, anchor), f"{basis}; year from {anchor_basis}"
                        year_from = "corpus"
                    if year_from == "unknown" and day is not None:
                        year_from = ""  # the file's own evidence gave it
            if day is None:
                basis = "no date found"
            tags = taxonomy.tag(para.text)
            fingerprint, signature = fingerprints(para.text)
            notes = tuple(part.endnotes[n] for n in dict.fromkeys(para.footnotes) if n in part.endnotes)
            # A record's own topics join the taxonomy's; commas would split them in the index.
            own_topics = (" ".join(t.replace(",", " ").split()) for t in part.topics)
            topics = tuple(dict.fromkeys([*(t for t in own_topics if t), *tags.topics]))
            digest = hashlib.sha1(f"{report_id}\n{para.text}".encode()).hexdigest()[:16]
            seen[digest] = seen.get(digest, 0) + 1
            doc_id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
            docs.append(
                ParagraphDoc(
                    id=doc_id,
                    report_id=report_id,
                    title=title,
                    source=part.source or "Unknown source",
                    date=day,
                    date_inferred=inferred,
                    date_basis=basis,
                    section=para.section,
                    kind=para.kind,
                    position=position,
                    text=para.text,
                    footnotes=para.footnotes,
                    topics=topics,
                    places=tuple(tags.places),
                    path=stored_path(draft.path),
                    file_hash=draft.file_hash,
                    heading=para.heading,
                    label=para.label,
                    notes=notes,
                    cited=cited_domains(notes),
                    event_dates=event_dates(para.text, day),
                    fingerprint=fingerprint,
                    signature=signature,
                    bands=tuple(signature_bands(signature)),
                    url=part.url,
                    year_from=year_from,
                )
            )
    return docs


def find_report_files(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand files and directories (recursively) into report files.

    :returns: (files to read, [(path, reason)] for paths that cannot be read).
    """
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith("."):
                    files.append(child.resolve())
        elif path.is_file():
            files.append(path.resolve())
        else:
            skipped.append((path, "no such file or directory"))
    return files, skipped


__all__ = [
    "Block",
    "FileDraft",
    "ParagraphDoc",
    "SkipFile",
    "find_report_files",
    "paragraph_docs",
    "read_report_file",
    "report_name",
    "stored_path",
    "strip_footnotes",
]
