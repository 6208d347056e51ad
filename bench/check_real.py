"""Index a folder of real report files and check what Sitrep made of them.

    python bench/check_real.py DIR [--reference trafilatura] [--json FILE] [--index-dir DIR]

Runs the real ``sitrep index`` on DIR into a scratch index (one subprocess,
timed, its peak memory taken from ``wait4``), reads every record back through
the public query API (``SearchIndex.iter_hits``), and prints, per source,
per input folder and overall:

* files read and skipped (with the reasons ``sitrep index`` gave), records
  per file, and pages that are error pages ("404") with nothing to index;
* records that look like page chrome rather than body text (attachment
  names, bylines and "submitted" lines, link lists, endnote text,
  navigation, tables of contents, scraper metadata, ...), by reason, with
  examples;
* reports whose date differs from the date the page prints, found by this
  script's own reading of the file (never ``search.ingest``): the title,
  the page's metadata, a "submitted" line, the dateline nearest a line that
  is the page's title, the URL, a "last updated" line, any other dateline
  (a timeline's, a related story's) and, weakest, the file name;
* titles equal to a site-wide name, and titles that are none of the page's
  own titles (a one-word h1 such as "Ukraine" or "Video", or an h1 sharing
  no word with the page's <title>, counts only when the page has no other);
* records whose section is a dateline or a caption;
* with ``--reference trafilatura``: coverage against an independent
  extractor, as the share of its body paragraphs found among Sitrep's
  records and the share of Sitrep's records it does not have.

PDFs are compared with pdfminer.six's text (:func:`pdf_pages`), read so
that its own artifacts do not count as Sitrep's misses, the same way for
every file: text inside form objects laid out (``all_texts``), justified
lines kept whole (``char_margin`` 4), words matched with spaces removed
but in order (:func:`coverage`, ``spaceless``), text spelled one letter a
word (rotated map labels) left out as unreadable, and a table's indicator
labels without figures ("No. of volunteers trained") not body text, as
trafilatura leaves tables out of the HTML reference.  A PDF's own titles
are what its first page prints and the name its publisher gave the file.

Nothing here is asserted: the script prints figures and the goals next to
them; ``--json FILE`` writes the same figures for a machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import SearchIndex, SitrepError, load_settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")
PDF_SUFFIXES = (".pdf",)
MIN_REFERENCE_WORDS = 8  # shorter reference paragraphs are captions, labels and menu items
FOUND_SHARE = 0.9  # of a paragraph's word 3-grams, for it to count as found in the other side
CHAR_GRAM = 15  # characters of a spaceless gram: about as long as three words without their spaces
MERGED = 3  # a record holding this many whole reference paragraphs is several paragraphs run together
EXAMPLES = 3
SNIPPET = 140
GOALS = {"found": 0.98, "chrome": 0.02}
KNOWN_SITE_NAMES = ("Institute for the Study of War", "Unknown source")

# --------------------------------------------------------------------------- dates printed on a page

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_ORD = r"(?:st|nd|rd|th)?"
TEXT_DATES = [
    re.compile(rf"\b{_MONTH}\.?\s+(?P<day>\d{{1,2}}){_ORD},?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}}){_ORD},?\s+{_MONTH}\.?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>\d\d)-(?P<day>\d\d)\b"),
    # "10/26/2025" or "26/10/2025": only when the day is the part above 12.
    re.compile(r"\b(?P<mnum>0?[1-9]|1[0-2])/(?P<day>1[3-9]|2\d|3[01])/(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<day>1[3-9]|2\d|3[01])/(?P<mnum>0?[1-9]|1[0-2])/(?P<year>(?:19|20)\d\d)\b"),
]
# File names run words together: "26oct-2025", "oct29-2025", "27October2025", "january_6_2023".
NAME_DATES = [
    re.compile(rf"(?<![a-z]){_MONTH}\s?(?P<day>\d{{1,2}}){_ORD}\s(?P<year>(?:19|20)\d\d)(?!\d)"),
    re.compile(rf"(?<!\d)(?P<day>\d{{1,2}}){_ORD}\s?{_MONTH}\s?(?P<year>(?:19|20)\d\d)(?!\d)"),
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)(?P<mnum>0[1-9]|1[0-2])(?P<day>0[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)\s(?P<mnum>\d{1,2})\s(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<day>\d{1,2})\s(?P<mnum>\d{1,2})\s(?P<year>(?:19|20)\d\d)(?!\d)"),
]
URL_DATES = [
    re.compile(r"/(?P<year>(?:19|20)\d\d)/(?P<mnum>\d{1,2})/(?P<day>\d{1,2})(?:/|$)"),
    re.compile(rf"(?<![a-z]){_MONTH}-(?P<day>\d{{1,2}})-(?P<year>(?:19|20)\d\d)(?!\d)", re.I),
]
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
# What may stand around a date on a line that is only a date: weekday, time, zone, "Published".
DATELINE_REST = re.compile(
    rf"^(?:(?:published|posted|updated|last updated|date)(?: on)?:?|{_WEEKDAY}|at|"
    r"on|\d{1,2}(?:[:.]\d\d)?(?:\s?[ap]\.?m\.?)?|[ap]\.?m\.?|[ecmp][sd]?t|utc|gmt|ist|cet|cest|eet|eest|msk|bst|ast|"
    r"gmt[+-]\d\d:?\d\d|[+-]\d\d:?\d\d|[,|•–—-])$",
    re.I,
)
SUBMITTED = re.compile(r"^(?:submitted|published|posted|date)\b|^\S.{0,40}?\d{4}\s+(?:-|–|\||by)\s+\S", re.I)

# Priority of page evidence, strongest first: what the page prints as its own date,
# then its address, then a "last updated" line, then any dateline (a timeline's, a
# related item's), and the file name as the fallback (#12).
TIERS = ("title", "metadata", "submitted line", "dateline by the title", "first page", "url", "last updated",
         "dateline", "file name")


def _date_of(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    month = _MONTHS[groups["month"].lower()] if groups.get("month") else int(groups["mnum"])
    try:
        return date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None


def dates_in_text(text: str) -> list[date]:
    """Complete dates written in ``text`` ("January 6, 2023", "27 Feb 2026", "2023-01-06"), in order."""
    found: list[tuple[int, date]] = []
    for pattern in TEXT_DATES:
        for match in pattern.finditer(text):
            day = _date_of(match)
            if day is not None:
                found.append((match.start(), day))
    return [day for _, day in sorted(found, key=lambda pair: pair[0])]


def date_in_file_name(name: str) -> date | None:
    """The date a file name gives, if any: ``..._january_6_2023.html``, ``..._20251023.pdf``, ``-26oct-2025.pdf``."""
    stem = re.sub(r"[\s_.\-]+", " ", Path(name).stem.lower())
    for pattern in NAME_DATES:
        for match in pattern.finditer(stem):
            day = _date_of(match)
            if day is not None:
                return day
    return None


def date_in_url(url: str) -> date | None:
    """The date a page address gives (``/2026/02/27/``, ``-february-26-2026``), if any."""
    for pattern in URL_DATES:
        for match in pattern.finditer(url):
            day = _date_of(match)
            if day is not None:
                return day
    return None


def is_dateline(line: str) -> bool:
    """True when ``line`` is only a date, maybe with weekday, time and zone ("Feb 27, 2026 6:40 pm")."""
    line = line.strip()
    if len(line) > 70:
        return False
    for pattern in TEXT_DATES:
        match = pattern.search(line)
        if match:
            rest = (line[: match.start()] + " " + line[match.end():]).replace(",", " , ")
            return all(DATELINE_REST.match(word) for word in rest.split())
    return False


# --------------------------------------------------------------------------- what a file says about itself


@dataclass
class DateEvidence:
    """One date a file prints, what kind of evidence it is (one of :data:`TIERS`) and where it stood."""

    tier: str
    day: date
    where: str  # what it was read from, shortened


@dataclass
class FileEvidence:
    """What this script reads from a file by itself, to judge Sitrep's records against."""

    path: str
    fmt: str  # html, markdown, pdf, other
    dates: list[DateEvidence] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # the page's own titles
    site_names: list[str] = field(default_factory=list)
    error_page: bool = False
    first_page: str = ""  # PDFs: the first page's text, for titles

    def printed_date(self) -> DateEvidence | None:
        """The strongest date evidence: page evidence before the file name, in :data:`TIERS` order."""
        for tier in TIERS:
            for evidence in self.dates:
                if evidence.tier == tier:
                    return evidence
        return None

    def page_conflict(self) -> bool:
        """True when two kinds of page evidence (not the file name) give different dates."""
        firsts = {}
        for evidence in self.dates:
            if evidence.tier != "file name":
                firsts.setdefault(evidence.tier, evidence.day)
        return len(set(firsts.values())) > 1


META_DATE_KEYS = {
    "article:published_time", "og:published_time", "dc:date", "dc.date", "dc.date.issued", "dcterms.created",
    "dcterms.issued", "date", "pubdate", "publishdate", "publish-date", "datepublished", "sailthru.date",
    "parsely-pub-date", "dc:created", "citation_publication_date", "article.published",
}
META_TITLE_KEYS = {"og:title", "dc:title", "twitter:title", "dc.title"}
META_SITE_KEYS = {"og:site_name", "application-name", "apple-mobile-web-app-title"}
BREAK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "section",
              "article", "header", "footer", "aside", "main", "nav", "ul", "ol", "dd", "dt", "figcaption",
              "blockquote", "table", "time", "body", "title"}
SILENT_TAGS = {"script", "style", "noscript", "template", "svg"}


class _PageReader(HTMLParser):
    """Collects metadata, ``<title>``, ``<h1>``, ``datetime`` attributes and the page's text lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.attr_dates: list[str] = []
        self.title = ""
        self.h1: list[str] = []
        self.lines: list[str] = []
        self.canonical = ""
        self.ld_json: list[str] = []
        self._buffer: list[str] = []
        self._silent = 0
        self._in_title = False
        self._in_h1 = False
        self._h1_text: list[str] = []
        self._in_ld = False

    def _flush(self) -> None:
        line = " ".join("".join(self._buffer).split())
        if line:
            self.lines.append(line)
        self._buffer = []

    def close(self) -> None:
        super().close()
        self._flush()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and values.get("content"):
                self.meta.append((key, values["content"]))
            return
        if tag == "link" and "canonical" in values.get("rel", "").lower():
            self.canonical = values.get("href", "")
        if values.get("datetime"):
            self.attr_dates.append(values["datetime"])
        names = f"{values.get('property', '')} {values.get('itemprop', '')}".lower()
        if values.get("content") and ("date" in names.split() or "datepublished" in names.split()
                                      or any(k in names for k in ("dc:date", "dc:created"))):
            self.attr_dates.append(values["content"])
        if tag == "script" and "ld+json" in values.get("type", ""):
            self._in_ld = True
        if tag in SILENT_TAGS:
            self._silent += 1
        if tag in BREAK_TAGS:
            self._flush()
        if tag == "title":
            self._in_title = True
        if tag == "h1":
            self._in_h1, self._h1_text = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag in SILENT_TAGS and self._silent:
            self._silent -= 1
        if tag == "script":
            self._in_ld = False
        if tag in BREAK_TAGS:
            self._flush()
        if tag == "title":
            self._in_title = False
        if tag == "h1" and self._in_h1:
            self._in_h1 = False
            self.h1.append(" ".join("".join(self._h1_text).split()))

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.ld_json.append(data)
        if self._in_title:
            self.title += data
            return
        if self._silent:
            return
        if self._in_h1:
            self._h1_text.append(data)
        self._buffer.append(data)


def _split_title(title: str) -> tuple[str, str | None]:
    """``"Report, Jan 6 | Site Name"`` -> ("Report, Jan 6", "Site Name")."""
    parts = re.split(r"\s+[|–—-]\s+|\s+\|\s*", title.strip())
    if len(parts) > 1 and len(parts[-1].split()) <= 6:
        return " | ".join(parts[:-1]).strip(), parts[-1].strip()
    return title.strip(), None


def _iso_date(value: str) -> date | None:
    """The calendar date as written at the start of an ISO value: ``2023-01-06T21:08-05:00`` is January 6."""
    match = re.match(r"\s*((?:19|20)\d\d)-(\d\d)-(\d\d)", value)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    found = dates_in_text(value)
    return found[0] if found else None


def _short(text: str, limit: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


ERROR_PAGE = re.compile(
    r"^(?:404|403|500|error)\b|page (?:not found|you.{0,20}looking for)|not found$|^access denied|^forbidden|"
    r"^just a moment|^attention required|^are you a robot", re.I)


def html_evidence(path: Path, markup: str) -> FileEvidence:
    """Dates, titles and site names an HTML page prints, read with this script's own parser."""
    reader = _PageReader()
    reader.feed(markup)
    reader.close()
    evidence = FileEvidence(str(path), "html")
    title, site = _split_title(reader.title)
    if site:
        evidence.site_names.append(site)
    meta = reader.meta
    evidence.site_names += [v for k, v in meta if k in META_SITE_KEYS]
    sites = {normalise(s) for s in evidence.site_names}
    candidates = [title] + [v for k, v in meta if k in META_TITLE_KEYS] + reader.h1
    evidence.titles = [t for t in dict.fromkeys(c.strip() for c in candidates) if t and normalise(t) not in sites]
    evidence.error_page = any(ERROR_PAGE.search(t) for t in [title, *reader.h1] if t)
    for text in evidence.titles:
        for day in dates_in_text(text)[:1]:
            evidence.dates.append(DateEvidence("title", day, _short(text)))
    for key, value in meta:
        if key in META_DATE_KEYS and (day := _iso_date(value)):
            evidence.dates.append(DateEvidence("metadata", day, f"<meta {key}={value}>"))
    for value in reader.attr_dates:
        if day := _iso_date(value):
            evidence.dates.append(DateEvidence("metadata", day, f"datetime/content={value}"))
    for match in re.finditer(r'"datePublished"\s*:\s*"([^"]+)"', " ".join(reader.ld_json)):
        if day := _iso_date(match.group(1)):
            evidence.dates.append(DateEvidence("metadata", day, f"JSON-LD datePublished={match.group(1)}"))
    _line_dates(evidence, reader.lines)
    url = reader.canonical or next((v for k, v in meta if k == "og:url"), "")
    if url and (day := date_in_url(url)):
        evidence.dates.append(DateEvidence("url", day, url))
    return evidence


# A page's own date stands next to its title (above or below, maybe past a byline);
# a feed's day or a site's clock stands elsewhere.
BY_THE_TITLE = 12
# "This page was last updated on 24 February 2026": the page's own date when it prints no other.
LAST_UPDATED = re.compile(r"^(?:this\s+(?:page|article|report)\s+was\s+|page\s+)?last\s+(?:updated|modified|reviewed)\b", re.I)


def _line_dates(evidence: FileEvidence, lines: Iterable[str]) -> None:
    """Dates from the page's lines: the first submitted line ("Jan 6, 2023 - Press ISW"), the
    dateline nearest a line that is the page's title, the first "last updated" line and the
    first dateline anywhere."""
    lines = list(lines)
    titles = {normalise(t) for t in evidence.titles if normalise(t)}
    spots = [i for i, line in enumerate(lines)
             if titles & {normalise(line), normalise(_split_title(line)[0])}]
    found: dict[str, tuple[int, date, str]] = {}
    for number, line in enumerate(lines):
        if len(line) > 120:
            continue
        days = dates_in_text(line)
        if not days:
            continue
        if LAST_UPDATED.match(line):
            found.setdefault("last updated", (0, days[0], line))
        elif is_dateline(line):
            found.setdefault("dateline", (0, days[0], line))
            distance = min((abs(number - spot) for spot in spots), default=BY_THE_TITLE + 1)
            if 0 < distance <= BY_THE_TITLE and distance < found.get("dateline by the title", (distance + 1,))[0]:
                found["dateline by the title"] = (distance, days[0], line)
        elif SUBMITTED.search(line) and not line.lower().startswith("updated"):
            found.setdefault("submitted line", (0, days[0], line))
    for tier, (_, day, line) in found.items():
        evidence.dates.append(DateEvidence(tier, day, _short(line)))


# Scraper dumps ("# host", "## Metadata", "## Page Structure", "## Content", "## Links"): only
# "Content" is the page; "URL" is the page's address.
DUMP_SECTIONS = re.compile(r"^## (Metadata|Page Structure|Content|Links)\s*$", re.M)


def markdown_sections(text: str) -> dict[str, str] | None:
    """A scraper dump's sections by name, or None when ``text`` is an ordinary Markdown file."""
    marks = list(DUMP_SECTIONS.finditer(text))
    names = [m.group(1) for m in marks]
    if "Content" not in names or "Metadata" not in names:
        return None
    sections = {"_head": text[: marks[0].start()]}
    for mark, after in zip(marks, marks[1:] + [None]):
        sections[mark.group(1)] = text[mark.end(): after.start() if after else len(text)]
    return sections


def markdown_evidence(path: Path, text: str) -> FileEvidence:
    """Dates, titles and site names a Markdown file prints (front matter, first heading, dump metadata)."""
    evidence = FileEvidence(str(path), "markdown")
    front: dict[str, str] = {}
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for line in lines[1:60]:
            if line.strip() in ("---", "..."):
                break
            key, sep, value = line.partition(":")
            if sep:
                front[key.strip().lower()] = value.strip().strip("\"'")
    dump = markdown_sections(text)
    url = front.get("url") or front.get("link") or ""
    titles = [front["title"]] if front.get("title") else []
    if dump is not None:
        meta = dict(re.findall(r"^- \*\*([^*]+)\*\*:\s*(.*)$", dump.get("Metadata", ""), re.M))
        url = meta.get("URL", url)
        if meta.get("Domain"):
            evidence.site_names += [meta["Domain"], re.sub(r"^www\.", "", meta["Domain"])]
        host = re.match(r"#\s+(.+)", dump["_head"].strip())
        if host:
            evidence.site_names.append(host.group(1).strip())
        body = [line.strip() for line in dump["Content"].split("\n") if line.strip()]
        if body:
            page_title, site = _split_title(body[0])
            titles.append(page_title)
            if site:
                evidence.site_names.append(site)
        titles += [m.strip() for m in re.findall(r"^- # (.+)$", dump.get("Page Structure", ""), re.M)]
    else:
        body = [line.strip() for line in lines if line.strip()]
        first_heading = next((m.group(1) for line in body if (m := re.match(r"#\s+(.+)", line))), None)
        if first_heading:
            titles.append(first_heading.strip())
    sites = {normalise(s) for s in evidence.site_names}
    evidence.titles = [t for t in dict.fromkeys(titles) if t and normalise(t) not in sites]
    evidence.error_page = any(ERROR_PAGE.search(t) for t in evidence.titles)
    for title in evidence.titles:
        for day in dates_in_text(title)[:1]:
            evidence.dates.append(DateEvidence("title", day, _short(title)))
    if front.get("date") and (day := _iso_date(front["date"])):
        evidence.dates.append(DateEvidence("metadata", day, f"front matter date: {front['date']}"))
    _line_dates(evidence, (re.sub(r"^[#>*\-\s]+", "", line) for line in body[1:] if not line.startswith("#")))
    if url and (day := date_in_url(url)):
        evidence.dates.append(DateEvidence("url", day, url))
    return evidence


def pdf_pages(path: Path) -> list[str] | None:
    """The text of each page, by pdfminer.six or else pypdfium2; None when neither is installed.

    pdfminer.six comes first because Sitrep's own PDF reader uses pypdfium2:
    a second extractor makes an independent reference.  pdfminer lays out
    the text of a page's form objects (figures) only with ``all_texts``:
    without it, the characters of a form come out in drawing order with no
    spaces or line breaks at all ("strucksouthern Haiti, unleashing
    widespread disruptionacross"), and design tools such as Canva put all
    of a page's text in forms.

    ``char_margin`` 4 (pdfminer's default is 2): pdfminer keeps two glyphs
    on one line while the gap between them is under that many glyph
    widths.  At 2 the wide word gaps of justified text cut a line into
    pieces, which pdfminer then stacks into boxes of their own and reads
    box by box, so a paragraph's words come out shuffled ("a well-defined
    to undergo is expected eye.  Melissa not eyewall").  At 4 a justified
    line stays whole.  A wider reach cannot hide a miss: Sitrep cuts lines
    at gaps of 1.5 font sizes, so where pdfminer now joins two columns
    that Sitrep keeps apart, the joined reference paragraph counts as
    missed, not found.
    """
    try:
        import logging

        from pdfminer.high_level import extract_text
        from pdfminer.layout import LAParams

        logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns about every odd font
        return extract_text(str(path), laparams=LAParams(all_texts=True, char_margin=4.0)).split("\f")
    except ImportError:
        pass
    try:
        import pypdfium2
    except ImportError:
        return None
    document = pypdfium2.PdfDocument(str(path))
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            page.close()
        return pages
    finally:
        document.close()


def pdf_library() -> str:
    """Which library :func:`pdf_pages` reads PDFs with."""
    for module, name in (("pdfminer.high_level", "pdfminer.six"), ("pypdfium2", "pypdfium2")):
        try:
            __import__(module)
            return name
        except ImportError:
            continue
    return "none"


def _read_pdf(path: Path) -> tuple[str, list[str] | None, str | None]:
    try:
        return str(path), pdf_pages(path), None
    except Exception as error:  # a PDF the library cannot open is reported, not fatal
        return str(path), None, f"{type(error).__name__}: {error}"


def read_pdfs(paths: list[Path]) -> dict[str, list[str] | None]:
    """Each PDF's page texts, read in parallel processes (pdfminer takes seconds a file)."""
    if not paths:
        return {}
    from concurrent.futures import ProcessPoolExecutor

    texts: dict[str, list[str] | None] = {}
    with ProcessPoolExecutor(max_workers=min(len(paths), os.cpu_count() or 1)) as pool:
        for key, pages, error in pool.map(_read_pdf, paths):
            texts[key] = pages
            if error:
                print(f"note: {Path(key).name}: the PDF library could not read it ({error})", file=sys.stderr)
    return texts


# A first-page line that dates the report: "FLASH UPDATE N0.1 – as of 23 October 2025",
# "Reporting Period: 22-24 October 2025", "Situation Report | 26 October 2025".
PDF_DATE_LABEL = re.compile(
    r"\b(?:as of|date|reporting period|period|situation report|sitrep|update|flash|monitor|brief|bulletin|"
    r"released|published|issued|outlook|factsheet|fact sheet)\b", re.I)


def pdf_evidence(path: Path, pages: list[str] | None) -> FileEvidence:
    """The date a PDF's first page gives the report; its first page's text for titles.

    The first first-page line that is a dateline or carries a label ("as
    of", "Reporting Period", "Situation Report") gives its last date (the end
    of a reporting period); failing that, the first date in the page's first
    fifteen lines.
    """
    evidence = FileEvidence(str(path), "pdf")
    if not pages:
        return evidence
    evidence.first_page = pages[0]
    lines = [" ".join(line.split()) for line in pages[0].split("\n") if line.strip()]
    for line in lines:
        days = dates_in_text(line)
        if days and len(line) <= 120 and (is_dateline(line) or PDF_DATE_LABEL.search(line)):
            evidence.dates.append(DateEvidence("first page", days[-1], _short(line)))
            break
    else:
        for line in lines[:15]:
            if days := dates_in_text(line):
                evidence.dates.append(DateEvidence("first page", days[0], _short(line)))
                break
    evidence.titles = [line for line in lines if len(line.split()) >= 2][:6]
    return evidence


def file_evidence(path: Path, pdf_text: list[str] | None = None) -> FileEvidence:
    """Everything this script reads from one file by itself, file-name date included."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        evidence = html_evidence(path, path.read_text(encoding="utf-8", errors="replace"))
    elif suffix in MARKDOWN_SUFFIXES:
        evidence = markdown_evidence(path, path.read_text(encoding="utf-8", errors="replace"))
    elif suffix in PDF_SUFFIXES:
        evidence = pdf_evidence(path, pdf_text)
    else:
        evidence = FileEvidence(str(path), "other")
    if day := date_in_file_name(path.name):
        evidence.dates.append(DateEvidence("file name", day, path.name))
    return evidence


# --------------------------------------------------------------------------- chrome-like records

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_DATE_ANY = re.sub(r"\(\?P<\w+>", "(?:", "|".join(p.pattern for p in TEXT_DATES))
NAV_WORDS = {
    "share", "print", "email", "e-mail", "tweet", "facebook", "twitter", "linkedin", "whatsapp", "telegram",
    "back to top", "top", "read more", "more", "subscribe", "download pdf", "download the pdf", "download",
    "skip to main content", "skip to content", "menu", "close", "search", "home", "next", "previous", "log in",
    "login", "sign up", "sign in", "logout", "related", "tags", "comments", "donate", "copy link", "advertisement",
    "share this", "share the post", "print this page", "print page", "download page", "options", "load more",
}
# (reason, pattern, longest record in words it applies to): a pattern that may match
# anywhere only judges short records, so one phrase cannot make a long paragraph chrome.
CHROME_RULES: list[tuple[str, re.Pattern[str], int | None]] = [
    ("scraper metadata", re.compile(
        r"^(?:URL|Domain|Scraped at|HTTP Status|Fetcher tier|type|timestamp|tool|url_extraction_mode):\s", re.I), None),
    ("markup left in text", re.compile(r"^#{1,6}\s|^!\[|^\|.*\|$"), None),
    ("markup left in text", re.compile(r"\]\((?:https?:|/)"), 60),
    ("attachment name", re.compile(
        r"^file attachments?\b|^attachments?:|\bdownload the pdf\b|\(pdf(?:,\s*[\d.]+\s*[km]b)?\)|"
        r"^\S(?:.{0,120}\S)?\.(?:png|jpe?g|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip)$", re.I), 25),
    ("endnote text", re.compile(r"^\[\d{1,4}\]|^\^?\d{1,3}\s+https?://", re.I), None),
    ("endnote text", re.compile(r"\b\w+ dot (?:com|org|net|ru|ua|by|gov|info|su|me|io)\b", re.I), 60),
    # "For more information contact x@agency.org", "FEWS NET Haiti haiti@fews.net fews.net/…": a contact line.
    ("contact line", re.compile(r"\b(?:for (?:more|further) information|for more informations|pour plus d.informations)\b"
                                r".{0,120}(?:@|www\.|https?://)", re.I), 40),
    ("contact line", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"), 15),
    # A cookie banner says so in its first words, however long it runs on.
    ("legal or cookie notice", re.compile(r"^(?:we|this (?:web)?site|our (?:web)?site) uses? cookies\b", re.I), None),
    ("legal or cookie notice", re.compile(
        r"\bcookies?\b.{0,80}\b(?:accept|consent|use|policy)|all rights reserved|©|\bprivacy policy\b|"
        r"\bterms (?:of (?:use|service)|and conditions)\b|^(?:accessibility|contact us|about us|cookie settings)$",
        re.I), 60),
    ("submitted or byline", re.compile(
        rf"^submitted(?: by)?\b|^(?:posted|published)(?: on| by)?\b|^(?:{_DATE_ANY})\s+[-–|]\s+\S", re.I), 12),
    # Case matters here: "By the end of January, ..." is a sentence.
    ("submitted or byline", re.compile(r"^[Bb][Yy]:?\s+[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}(?:\s*(?:,|and|&|\|).*)?$"), 15),
    ("link caption", re.compile(r"^click (?:here|on|to)\b|\bclick here\b|^(?:see|view|read) (?:the )?(?:full|more|all)\b",
                                re.I), 40),
    ("error page", re.compile(r"page (?:you.{0,20}looking for|not found|could not be found)|^404\b", re.I), 30),
    ("caption", re.compile(
        r"^(?:photo|image|map|source|credit|illustrative photo|figure \d+|graphic)\s*[:.]|"
        r"\((?:photo|image)s?\s*(?:by|:|credit)|via getty images|/\s?afp\b|\breuters/\w", re.I), 80),
    ("table of contents", re.compile(r"^(?:jump to|table of contents|contents|in this (?:report|article))\b", re.I), 30),
    # A results table's indicator column without its figures ("No. of volunteers trained in CBS"):
    # trafilatura leaves tables out of the HTML reference, and pdfminer cannot tell a cell from a line.
    ("table row label", re.compile(r"^(?:#\.?|%|no\.?|number)\s+of\b(?!.*\d)(?!.*[.!?:;]$)", re.I), 15),
]
# "Karolina Hird, Riley Bailey, and Frederick W. Kagan": names only, no sentence.
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’-]*\.?|[A-Z]\.|and|&|of|de|van|von|der|la|al|bin|el)$")


def _is_name_list(text: str) -> bool:
    """True for a list of two or more personal names ("Riley Bailey, Grace Mappes, and Frederick W. Kagan")."""
    if "," not in text:  # "Middle East and Northern Africa" is a menu item, not two people
        return False
    names = [n.strip() for n in re.split(r",\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+", text.strip()) if n.strip()]
    if len(names) < 2 or len(names) > 20:
        return False
    return all(2 <= len(n.split()) <= 4 and all(_NAME_WORD.match(w) for w in n.split()) for n in names)


def chrome_reason(text: str, headings: set[str] | None = None) -> str | None:
    """Why a record looks like page chrome rather than body text, or None when it looks like body text.

    ``headings`` are the normalised headings, sections and titles of the same
    report: a record that only repeats one of them is a table-of-contents line.

    >>> chrome_reason("DraftUkraineCOTJanuary06,2023.png")
    'attachment name'
    >>> chrome_reason("Russian forces continued offensive operations near Bakhmut on January 6.") is None
    True
    """
    stripped = " ".join(text.split())
    if not stripped:
        return "empty"
    count = len(stripped.split())
    for reason, pattern, longest in CHROME_RULES:
        if (longest is None or count <= longest) and pattern.search(stripped):
            return reason
    urls = sum(len(u) for u in _URL.findall(stripped))
    if urls and urls >= 0.5 * len(stripped):
        return "link list"
    if is_dateline(stripped) or BARE_DATELINE.match(stripped):
        return "dateline"
    words = stripped.split()
    if _is_name_list(stripped):
        return "submitted or byline"
    bare = re.sub(r"[^\w\s-]", "", stripped).strip().lower()
    if bare in NAV_WORDS or len(words) <= 8 and re.match(r"^(?:share|follow us|sign up|subscribe|read more|related)\b", bare):
        return "navigation"
    if len(re.findall(r"\s[>»›/]\s", stripped)) >= 2 and len(words) <= 20:
        return "navigation"
    if headings and normalise(stripped) in headings:
        return "table of contents"
    # "1,250,000 people affected" is a key figure, not a menu entry.
    if len(words) <= 3 and not re.search(r"[.!?:;]$", stripped) and not re.match(r"^[$€£]?\d", stripped):
        return "navigation"
    return None


# Sections that are not headings of the report's text: a date (line), a time, or a caption.
CAPTION_SECTION = re.compile(
    r"^(?:click (?:here|to|on)\b|map\b|maps\b|image\b|photo\b|figure\b|source\s*:|note\s*:|credit\s*:|"
    r"graphic\b|infographic\b|video\b)", re.I)
TIME_SECTION = re.compile(r"^\d{1,2}(?::\d\d)?\s?[ap]\.?m\.?(?:\s+[A-Z]{2,4})?$", re.I)
BARE_DATELINE = re.compile(rf"^{_MONTH}\.?\s+\d{{1,2}}{_ORD}(?:,?\s+(?:\d{{4}}|\d{{1,2}}(?::\d\d)?\s?[ap]\.?m\.?.*))?$", re.I)


def section_problem(section: str | None) -> str | None:
    """"dateline" or "caption" when a record's section value is one, else None."""
    if not section:
        return None
    value = " ".join(section.split())
    if is_dateline(value) or TIME_SECTION.match(value) or BARE_DATELINE.match(value):
        return "dateline"
    if CAPTION_SECTION.match(value):
        return "caption"
    return None


# --------------------------------------------------------------------------- reference paragraphs and matching


def normalise(text: str) -> str:
    """Lower case, ligatures and compatibility forms folded, footnote markers removed, alphanumerics only."""
    text = re.sub(r"\[\d{1,4}\]", " ", unicodedata.normalize("NFKC", text).lower())
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def ngrams(words: list[str], n: int = 3) -> set[tuple[str, ...]]:
    """The word n-grams of ``words`` (all of them as one gram when there are fewer than ``n``)."""
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i: i + n]) for i in range(len(words) - n + 1)}


def _strip_markdown(line: str) -> str:
    line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"\[\^(\d+)\]", r"[\1]", line)
    line = re.sub(r"(\*\*|__|\*|_|`)", "", line)
    return re.sub(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+", "", line).strip()


def markdown_reference(text: str) -> tuple[list[str], str]:
    """A Markdown file's own paragraphs: blank-line blocks (list items one each), markup stripped, headings left out.

    A scraper dump writes one page element a line: there each line of its
    "Content" section is a paragraph, and its metadata, outline and link
    list are not the page.
    """
    dump = markdown_sections(text)
    if dump is not None:
        # A rendered page's lines are its elements; the body's are sentences.
        # A line that ends no sentence is a headline, a menu entry or a
        # related story's title ("Zaporizhzhia arson case tied to …"), which
        # trafilatura would not count as body text either.
        lines = [line.strip() for line in dump["Content"].split("\n")]
        body = [_strip_markdown(line) for line in lines[1:] if line and not line.startswith("#")]
        return ([line for line in body if line and SENTENCE_END.search(line.strip())],
                "the Content lines of the scraper dump that end a sentence")
    paragraphs, current = [], []
    in_front = text.startswith("---\n")
    for number, line in enumerate(text.split("\n")):
        if in_front:
            in_front = not (number and line.strip() in ("---", "..."))
            continue
        if not line.strip() or re.match(r"^\s{0,3}#{1,6}\s|^\s{0,3}(?:=+|-+)\s*$", line) or re.match(
                r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+", line):
            if current:
                paragraphs.append(" ".join(current))
            current = []
            if re.match(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+", line):
                current = [_strip_markdown(line)]
            continue
        current.append(_strip_markdown(line))
    if current:
        paragraphs.append(" ".join(current))
    return [p for p in paragraphs if p], "its own blank-line paragraphs"


def pdf_reference(pages: list[str]) -> list[str]:
    """Plain-text paragraphs of a PDF: lines joined until a blank line or a line ending a sentence.

    pdfminer leaves blank lines inside justified paragraphs, so a piece that
    ends no sentence is joined to a next piece that starts in lower case; a
    word hyphenated at a line end is joined again.
    """
    pieces: list[str] = []
    for page in pages:
        current: list[str] = []
        for line in page.split("\n") + [""]:
            line = line.strip()
            if not line:
                if current:
                    pieces.append(re.sub(r"(\w)- (?=[a-z])", r"\1", " ".join(current)))
                current = []
                continue
            current.append(line)
            if line.endswith((".", "!", "?")):
                pieces.append(re.sub(r"(\w)- (?=[a-z])", r"\1", " ".join(current)))
                current = []
    paragraphs: list[str] = []
    for piece in pieces:
        if paragraphs and not SENTENCE_END.search(paragraphs[-1]) and piece[:1].islower():
            paragraphs[-1] += " " + piece
        else:
            paragraphs.append(piece)
    return paragraphs


def trafilatura_reference(markup: str) -> list[str]:
    """The main text trafilatura extracts: its paragraphs, list items and quotes, its headings left out."""
    import trafilatura
    from xml.etree import ElementTree

    xml = trafilatura.extract(markup, include_comments=False, include_tables=False, output_format="xml")
    if not xml:
        return []
    paragraphs = []
    for element in ElementTree.fromstring(xml).iter():
        if element.tag in ("p", "item", "quote"):
            # An item holding a nested list is only its own text; the nested items come on their own.
            parts = [element.text or ""] + [
                "".join(child.itertext()) + (child.tail or "") if child.tag != "list" else (child.tail or "")
                for child in element
            ]
            text = " ".join("".join(parts).split())
            if text:
                paragraphs.append(text)
    return paragraphs


SENTENCE_END = re.compile(r"[.!?:…][\"”’)\]]*\s*(?:\[\d{1,4}\]\s*)*$")


def is_heading_like(text: str) -> bool:
    """True for a title-case line of up to 30 words that ends no sentence, or a question: a heading or a contents line.

    Extractors give ISW's bold-paragraph headings ("Supporting Effort—Southern
    Axis (Russian objective: ...)") and its list of covered sections as
    paragraphs; they are not body text. A takeaway that lacks its full stop
    is a sentence in lower case, so it stays.
    """
    if len(text.split()) > 30:
        return False
    # A question of a line is a heading: an explainer's ("What's the current
    # humanitarian crisis in Ukraine?"), a related story's or a survey's.
    if text.strip().endswith("?"):
        return True
    if SENTENCE_END.search(text.strip()):
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text.split("(")[0]) if len(w) >= 4]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


@dataclass
class Coverage:
    """How one file's reference paragraphs and Sitrep's records match."""

    reference: str  # what the reference is
    body: int = 0  # reference paragraphs counted (long enough, not chrome)
    found: int = 0
    short: int = 0
    headings: int = 0  # heading-like reference lines, left out of ``body``
    headings_found: int = 0
    chrome: int = 0
    unreadable: int = 0  # reference paragraphs whose words the extractor ran together
    merged_records: int = 0  # records that hold MERGED or more whole reference paragraphs
    found_in_merged: int = 0  # body paragraphs found only inside such records
    records: int = 0
    extra: int = 0  # records the reference does not have
    missed_examples: list[str] = field(default_factory=list)
    extra_examples: list[str] = field(default_factory=list)


def _stream_grams(texts: Iterable[str]) -> set[tuple[str, ...]]:
    """Word 3-grams over ``texts`` read as one stream, so a paragraph split in two still matches across the split."""
    words: list[str] = []
    for text in texts:
        words += text.split()
    return ngrams(words)


def squeeze(text: str) -> str:
    """:func:`normalise`'s text with no spaces at all: "flood-prone", "floodprone" and "flood prone" are one."""
    return normalise(text).replace(" ", "")


def char_grams(text: str, n: int = CHAR_GRAM) -> set[str]:
    """The character n-grams of ``text`` (all of it as one gram when it is shorter than ``n``)."""
    if len(text) < n:
        return {text} if text else set()
    return {text[i: i + n] for i in range(len(text) - n + 1)}


def letter_spelled(words: list[str]) -> bool:
    """True when most words are one letter: text set up a map's margin, which an extractor spells out ("a i l a m o S")."""
    return len(words) >= MIN_REFERENCE_WORDS and sum(len(w) == 1 and w.isalpha() for w in words) >= 0.5 * len(words)


class _Matcher:
    """The records of one file (and their headings, titles and notes) to look a text up in."""

    def __init__(self, texts: list[str], extras: list[str], spaceless: bool) -> None:
        self.joined = " | ".join(texts + extras)
        self.grams = _stream_grams(texts) | set().union(*(ngrams(t.split()) for t in extras))
        self.spaceless = spaceless
        if spaceless:
            self.squeezed = "|".join(t.replace(" ", "") for t in texts + extras)
            self.char_grams = char_grams("".join(t.replace(" ", "") for t in texts)).union(
                *(char_grams(t.replace(" ", "")) for t in extras))

    def has(self, text: str) -> bool:
        """True when normalised ``text`` is inside one of the texts, or :data:`FOUND_SHARE` of its grams are."""
        mine = ngrams(text.split())
        if text and (text in self.joined or len(mine & self.grams) >= FOUND_SHARE * len(mine)):
            return True
        if not self.spaceless or not text:
            return False
        flat = text.replace(" ", "")
        flat_grams = char_grams(flat)
        return flat in self.squeezed or len(flat_grams & self.char_grams) >= FOUND_SHARE * len(flat_grams)


def coverage(reference: list[str], label: str, records: list["Record"], spaceless: bool = False) -> Coverage:
    """Match one file's reference paragraphs against its records, both ways, by word 3-grams.

    A reference paragraph is found when its normalised text is inside one
    record (or the records' headings or titles, which are not records but
    are kept), or when at least :data:`FOUND_SHARE` of its 3-grams occur in
    the file's records (read in order as one stream); a record is in the
    reference by the same rules the other way round.

    ``spaceless`` (PDFs) also matches with every space removed, by
    character :data:`CHAR_GRAM`-grams under the same rules: a PDF holds
    glyphs and gaps, not spaces, so each extractor guesses its own word
    breaks, and pdfminer joins a word broken at a line end whether the
    hyphen was a break or part of a compound ("floodprone" for
    "flood-prone", "outof-pocket").  Words read in another order still
    fail, so a paragraph whose lines are out of order is still missed.
    """
    result = Coverage(label)
    records = sorted(records, key=lambda r: (r.report_id, r.position))
    texts = [normalise(r.text) for r in records]
    extras = [normalise(t) for r in records for t in (r.heading or "", r.title, *r.notes) if t]
    matcher = _Matcher(texts, extras, spaceless)
    ref_texts = []
    found_inside: list[list[int]] = []  # for each found body paragraph, the records holding all of it
    for paragraph in reference:
        words = normalise(paragraph).split()
        ref_texts.append(" ".join(words))
        if len(words) < MIN_REFERENCE_WORDS:
            result.short += 1
            continue
        if chrome_reason(paragraph) is not None:
            result.chrome += 1
            continue
        if max(map(len, words)) > 40 or letter_spelled(words):  # "FoodSecurityCrisisDeepens…": the extractor lost the spaces
            result.unreadable += 1
            continue
        found = matcher.has(" ".join(words))
        if is_heading_like(paragraph):
            result.headings += 1
            result.headings_found += found
            continue
        result.body += 1
        if found:
            result.found += 1
            found_inside.append([n for n, text in enumerate(texts) if " ".join(words) in text])
        elif len(result.missed_examples) < EXAMPLES:
            result.missed_examples.append(_short(paragraph))
    held = Counter(n for holders in found_inside for n in holders)
    merged = {n for n, count in held.items() if count >= MERGED}
    result.merged_records = len(merged)
    result.found_in_merged = sum(1 for holders in found_inside if holders and set(holders) <= merged)
    in_reference = _Matcher(ref_texts, [], spaceless)
    for record, text in zip(records, texts):
        result.records += 1
        if in_reference.has(text):
            continue
        result.extra += 1
        if len(result.extra_examples) < EXAMPLES:
            result.extra_examples.append(_short(record.text))
    return result


# --------------------------------------------------------------------------- the index run and its records


@dataclass
class IndexRun:
    """One ``sitrep index`` subprocess: its output, time and peak memory."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    summary_line: str
    skipped: list[tuple[str, str]]
    warnings: list[tuple[str, str]]
    stderr_tail: str


@dataclass(frozen=True)
class Record:
    """One indexed paragraph as the query API returns it."""

    id: str
    report_id: str
    title: str
    source: str
    date: str | None
    date_basis: str
    section: str | None
    heading: str | None
    kind: str
    position: int
    text: str
    path: str
    url: str | None
    # The endnotes the record's markers resolve to: kept and shown with it,
    # so a reference paragraph that is an endnote is found, not missed.
    notes: tuple[str, ...] = ()


def run_index(paths: list[Path], index_dir: Path) -> IndexRun:
    """Run the real ``sitrep index PATHS --index-dir INDEX_DIR`` as a subprocess and wait for it with ``wait4``.

    :raises OSError: the interpreter cannot be started.
    """
    command = [sys.executable, "-c", "import sys; from search.cli import main; sys.argv[0] = 'sitrep'; main()",
               "index", *map(str, paths), "--index-dir", str(index_dir)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, text=True)
        # wait4 gives this child's own peak, its forked workers included once they are waited for.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    skipped, warnings = [], []
    for line in stderr.splitlines():
        for prefix, into in (("skipped ", skipped), ("warning ", warnings)):
            if line.startswith(prefix) and ": " in line:
                where, _, reason = line[len(prefix):].partition(": ")
                into.append((where, reason))
    lines = stdout.strip().splitlines()
    return IndexRun(seconds, usage.ru_maxrss / 1024, process.returncode, lines[-1] if lines else "",
                    skipped, warnings, "\n".join(stderr.strip().splitlines()[-5:]))


def read_records(index_dir: Path) -> list[Record]:
    """Every record in the index, through :meth:`SearchIndex.iter_hits` (an empty list when there is no index)."""
    try:
        with SearchIndex(load_settings(index_dir=index_dir)) as index:
            hits = list(index.iter_hits(sort="oldest"))
    except SitrepError:
        return []
    return [
        Record(h.id, h.report_id, h.title, h.source, h.date, h.date_basis, h.section, h.heading, h.kind,
               h.position, h.text, str(Path(h.path).resolve()) if h.path else "", h.report_url,
               tuple(note.get("text", "") for note in (h.footnotes or []) if note.get("text")))
        for h in hits
    ]


# --------------------------------------------------------------------------- analysis


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def corpus_files(root: Path) -> list[Path]:
    """Every file under ``root`` that is not hidden, in name order."""
    if root.is_file():
        return [root.resolve()]
    return sorted(p.resolve() for p in root.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(root).parts))


def analyse(
    root: Path,
    files: list[Path],
    records: list[Record],
    run: IndexRun | None,
    reference: str | None = None,
    evidence: dict[str, FileEvidence] | None = None,
    references: dict[str, tuple[list[str], str] | None] | None = None,
) -> dict[str, Any]:
    """All the figures of the report, as one JSON-ready dictionary.

    ``evidence`` and ``references`` (by resolved path) are read from the files
    when not given. ``reference`` is "trafilatura" or None (then only
    Markdown and PDF files get a reference, their own text).
    """
    root = root.resolve()
    pdf_text: dict[str, list[str] | None] = {}
    if evidence is None or references is None:
        pdf_text = read_pdfs([p for p in files if p.suffix.lower() in PDF_SUFFIXES])
    if evidence is None:
        evidence = {str(p): file_evidence(p, pdf_text.get(str(p))) for p in files}
    if references is None:
        references = {str(p): reference_for(p, reference, pdf_text.get(str(p))) for p in files}
    by_file: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_file[record.path].append(record)
    skipped = {str(Path(p).resolve()): reason for p, reason in (run.skipped if run else [])}

    def folder_of(path: str) -> str:
        try:
            parent = str(Path(path).relative_to(root).parent)
        except ValueError:
            parent = str(Path(path).parent)
        return parent

    per_file: dict[str, dict[str, Any]] = {}
    chrome_examples: dict[str, list[str]] = defaultdict(list)
    chrome_counts: Counter[str] = Counter()
    # A report is a report id *in one file*: two files that get the same id are two reports.
    reports: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number, record in enumerate(records):
        reports[(record.report_id, record.path)].append(number)
    record_chrome: list[str | None] = [None] * len(records)
    for numbers in reports.values():
        headings = {normalise(t) for n in numbers for t in (records[n].heading, records[n].section, records[n].title) if t}
        for n in numbers:
            reason = chrome_reason(records[n].text, headings)
            record_chrome[n] = reason
            if reason:
                chrome_counts[reason] += 1
                if len(chrome_examples[reason]) < EXAMPLES:
                    chrome_examples[reason].append(f"{Path(records[n].path).name}: {_short(records[n].text, 100)}")
    files_of_report_id: dict[str, set[str]] = defaultdict(set)
    records_of_id: Counter[str] = Counter()
    for record in records:
        files_of_report_id[record.report_id].add(record.path)
        records_of_id[record.id] += 1

    # Reports against what their pages print.
    source_reports: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, numbers in reports.items():
        source_reports[records[numbers[0]].source].append(key)
    date_rows, title_rows, foreign_titles = [], [], []
    report_rows: dict[tuple[str, str], dict[str, Any]] = {}
    for source, keys in source_reports.items():
        # Copies of one page in several folders (same file name) count once,
        # whatever report ids the folders gave them.
        pages = {(Path(k[1]).name, re.sub(r"^.*?(-\d+)?$", r"\1", k[0])): normalise(records[reports[k][0]].title)
                 for k in keys}
        titles = Counter(pages.values())
        for key in keys:
            report_records = sorted((records[n] for n in reports[key]), key=lambda r: r.position)
            first = report_records[0]
            seen = evidence.get(first.path) or FileEvidence(first.path, "other")
            printed = seen.printed_date()
            printed_day = printed.day.isoformat() if printed else None
            title_key = normalise(first.title)
            sites = {normalise(s) for s in seen.site_names} | {normalise(source)} | {
                normalise(s) for s in KNOWN_SITE_NAMES}
            sitewide = None
            if title_key in sites:
                sitewide = "equals the site or source name"
            elif len(pages) >= 3 and titles[title_key] >= 2 and titles[title_key] >= 0.3 * len(pages):
                sitewide = f"shared by {titles[title_key]} of {len(pages)} reports of the source"
            own = _is_own_title(first.title, seen)
            row = {
                "report_id": key[0], "file": key[1], "source": source, "title": first.title,
                "records": len(report_records), "sitrep_date": first.date, "date_basis": first.date_basis,
                "printed_date": printed_day, "printed_tier": printed.tier if printed else None,
                "printed_from": printed.where if printed else None,
                "records_other_date": sum(r.date != printed_day for r in report_records) if printed else 0,
                "date_differs": bool(printed) and first.date != printed_day,
                "title_sitewide": sitewide, "title_own": own,
            }
            report_rows[key] = row
            if row["date_differs"]:
                date_rows.append(row)
            if sitewide:
                title_rows.append(row)
            if own is False:
                foreign_titles.append(row)

    section_counts: Counter[tuple[str, str]] = Counter()
    for record in records:
        problem = section_problem(record.section)
        if problem:
            section_counts[(problem, record.section or "")] += 1

    coverages: dict[str, Coverage] = {}
    for path in files:
        key = str(path)
        ref = references.get(key)
        if ref is not None and (key in by_file or key not in skipped):
            coverages[key] = coverage(ref[0], ref[1], by_file.get(key, []), spaceless=path.suffix.lower() in PDF_SUFFIXES)

    chrome_numbers_by_file: dict[str, list[int]] = defaultdict(list)
    for number, record in enumerate(records):
        if record_chrome[number]:
            chrome_numbers_by_file[record.path].append(number)
    for path in files:
        key = str(path)
        mine = by_file.get(key, [])
        seen = evidence.get(key) or FileEvidence(key, "other")
        cov = coverages.get(key)
        printed = seen.printed_date()
        per_file[key] = {
            "file": key, "folder": folder_of(key), "format": seen.fmt,
            "status": "skipped" if key in skipped else ("indexed" if mine else "no records"),
            "skip_reason": skipped.get(key), "error_page": seen.error_page,
            "records": len(mine), "reports": len({r.report_id for r in mine}),
            "chrome": sum(1 for n in chrome_numbers_by_file.get(key, [])),
            "printed_date": printed.day.isoformat() if printed else None,
            "printed_tier": printed.tier if printed else None,
            "page_evidence_conflicts": seen.page_conflict(),
            "evidence": [{"tier": e.tier, "date": e.day.isoformat(), "where": e.where} for e in seen.dates],
            "sitrep_dates": sorted({r.date or "none" for r in mine}),
            "coverage": asdict(cov) if cov else None,
        }

    def group(key_of: Callable[[Record], str]) -> dict[str, dict[str, Any]]:
        groups: dict[str, dict[str, Any]] = {}
        for number, record in enumerate(records):
            g = groups.setdefault(key_of(record), {"records": 0, "chrome": 0, "reports": set(), "files": set(),
                                                    "other_date": 0, "section_problems": 0})
            g["records"] += 1
            g["chrome"] += bool(record_chrome[number])
            g["reports"].add((record.report_id, record.path))
            g["files"].add(record.path)
            row = report_rows[(record.report_id, record.path)]
            g["other_date"] += bool(row["printed_date"] and record.date != row["printed_date"])
            g["section_problems"] += bool(section_problem(record.section))
        out = {}
        for name, g in sorted(groups.items()):
            keys = g.pop("reports")
            paths = g.pop("files")
            cov = [coverages[p] for p in paths if p in coverages]
            out[name] = {
                **g, "reports": len(keys), "files": len(paths),
                "chrome_share": _share(g["chrome"], g["records"]),
                "other_date_share": _share(g["other_date"], g["records"]),
                "reports_date_differs": sum(report_rows[k]["date_differs"] for k in keys),
                "titles_sitewide": sum(bool(report_rows[k]["title_sitewide"]) for k in keys),
                "found_share": _share(sum(c.found for c in cov), sum(c.body for c in cov)),
                "extra_share": _share(sum(c.extra for c in cov), sum(c.records for c in cov)),
            }
        return out

    folders: dict[str, dict[str, Any]] = {}
    for row in per_file.values():
        f = folders.setdefault(row["folder"], {"files": 0, "read": 0, "skipped": 0, "error_pages": 0, "records": 0,
                                               "chrome": 0, "body": 0, "found": 0, "cov_records": 0, "extra": 0})
        f["files"] += 1
        f["read"] += row["status"] == "indexed"
        f["skipped"] += row["status"] == "skipped"
        f["error_pages"] += row["error_page"]
        f["records"] += row["records"]
        f["chrome"] += row["chrome"]
        if row["coverage"]:
            f["body"] += row["coverage"]["body"]
            f["found"] += row["coverage"]["found"]
            f["cov_records"] += row["coverage"]["records"]
            f["extra"] += row["coverage"]["extra"]
    for f in folders.values():
        f["chrome_share"] = _share(f["chrome"], f["records"])
        f["found_share"] = _share(f.pop("found"), f["body"])
        f["extra_share"] = _share(f.pop("extra"), f.pop("cov_records"))

    all_cov = list(coverages.values())
    body = sum(c.body for c in all_cov)
    found = sum(c.found for c in all_cov)
    cov_records = sum(c.records for c in all_cov)
    extra = sum(c.extra for c in all_cov)
    indexed = [r for r in per_file.values() if r["status"] == "indexed"]
    pages = [r for r in per_file.values() if not r["error_page"]]
    printed_reports = [r for r in report_rows.values() if r["printed_date"]]
    other_date_records = sum(r["records_other_date"] for r in printed_reports)
    records_with_print = sum(r["records"] for r in printed_reports)
    formats = Counter(Path(p).suffix.lower() or "(none)" for p in per_file)
    summary = {
        "corpus": str(root),
        "files": len(per_file),
        "formats": dict(formats),
        "read": len(indexed),
        "skipped": len([r for r in per_file.values() if r["status"] == "skipped"]),
        "no_records": len([r for r in per_file.values() if r["status"] == "no records"]),
        "skip_reasons": dict(Counter(r["skip_reason"] for r in per_file.values() if r["skip_reason"])),
        "error_pages": [r["file"] for r in per_file.values() if r["error_page"]],
        "error_pages_indexed": [r["file"] for r in per_file.values() if r["error_page"] and r["records"]],
        "records": len(records),
        "reports": len(reports),
        "report_ids_in_several_files": {i: sorted(p) for i, p in files_of_report_id.items() if len(p) > 1},
        "records_sharing_an_id": sum(n for n in records_of_id.values() if n > 1),
        "longest_record_words": max((len(r.text.split()) for r in records), default=0),
        "records_per_file": _spread([r["records"] for r in indexed]),
        "index": asdict(run) if run else None,
        "reference": reference_labels(reference, files),
        "chrome": {"records": sum(chrome_counts.values()), "share": _share(sum(chrome_counts.values()), len(records)),
                   "by_reason": dict(chrome_counts.most_common()), "examples": dict(chrome_examples)},
        "dates": {
            "reports_with_printed_date": len(printed_reports),
            "reports_without_printed_date": [_report_label(r) for r in report_rows.values() if not r["printed_date"]],
            "reports_date_differs": len(date_rows),
            "reports_date_differs_share": _share(len(date_rows), len(printed_reports)),
            "records_date_differs": other_date_records,
            "records_date_differs_share": _share(other_date_records, records_with_print),
            "by_tier": dict(Counter(r["printed_tier"] for r in printed_reports)),
            "differs": date_rows,
            "files_whose_page_evidence_conflicts": [r["file"] for r in per_file.values() if r["page_evidence_conflicts"]],
        },
        "titles": {"sitewide": title_rows, "not_the_pages_own": foreign_titles,
                   "reports_checked_own": sum(1 for r in report_rows.values() if r["title_own"] is not None)},
        "sections": {"records": sum(section_counts.values()), "share": _share(sum(section_counts.values()), len(records)),
                     "values": [{"problem": p, "section": s, "records": n} for (p, s), n in section_counts.most_common()]},
        "coverage": {
            "body_paragraphs": body, "found": found, "found_share": _share(found, body),
            "short_ignored": sum(c.short for c in all_cov), "headings_ignored": sum(c.headings for c in all_cov),
            "headings_found": sum(c.headings_found for c in all_cov),
            "chrome_ignored": sum(c.chrome for c in all_cov),
            "unreadable_ignored": sum(c.unreadable for c in all_cov),
            "records_compared": cov_records, "records_not_in_reference": extra,
            "merged_records": sum(c.merged_records for c in all_cov),
            "found_only_in_merged_records": sum(c.found_in_merged for c in all_cov),
            "not_in_reference_share": _share(extra, cov_records),
        },
        "per_source": group(lambda r: r.source),
        "per_folder": folders,
        "per_file": list(per_file.values()),
    }
    summary["goals"] = {
        "every page indexed": {"value": f"{len([r for r in pages if r['status'] == 'indexed'])}/{len(pages)}",
                               "met": all(r["status"] == "indexed" for r in pages)},
        "reference paragraphs found >= 98%": {"value": summary["coverage"]["found_share"],
                                              "met": body > 0 and found >= GOALS["found"] * body},
        "records not body text (chrome-like) <= 2%": {"value": summary["chrome"]["share"],
                                                      "met": bool(records) and sum(chrome_counts.values()) <= GOALS["chrome"] * len(records)},
        "every report date = printed date": {"value": f"{len(printed_reports) - len(date_rows)}/{len(printed_reports)}",
                                             "met": bool(printed_reports) and not date_rows},
        "every title the report's own": {"value": f"{len(report_rows) - len({(r['report_id'], r['file']) for r in title_rows + foreign_titles})}/{len(report_rows)}",
                                         "met": bool(report_rows) and not title_rows and not foreign_titles},
    }
    return summary


def _report_label(row: dict[str, Any]) -> str:
    """The file's name, and the report id when the file holds several reports."""
    name = Path(row["file"]).name
    return name if Path(name).stem.lower().replace(".", "-") in row["report_id"].lower() else f"{name} [{row['report_id']}]"


def _is_own_title(title: str, seen: FileEvidence) -> bool | None:
    """True when ``title`` is one of the page's own titles (or, for a PDF, on its first page); None when the page has none."""
    mine = normalise(title)
    if seen.fmt == "pdf":
        # A PDF's own names: what its first page prints (spaces aside, as
        # extractors guess them) and the name its publisher gave the file
        # (after a numeric id: "4196311_WFPHaitiCountryBrief-December2025"),
        # for a report whose title is a picture.
        if not seen.first_page:
            return None
        flat = squeeze(title)
        file_name = squeeze(re.sub(r"^\d{4,}[_\-\s]+", "", Path(seen.path).stem))
        return bool(flat) and (flat in squeeze(seen.first_page) or flat in file_name)
    candidates = [normalise(t) for t in seen.titles if normalise(t)]
    if not candidates:
        return None
    # A one-word title ("Ukraine", "Video") or one that shares no word with the page's other
    # titles (a box's "Make a Monthly Gift") heads a section or a widget: it is the report's
    # own only when the page has nothing more specific (#12).
    candidates = [c for c in candidates if not _is_generic_title(c, candidates)] or candidates
    for other in candidates:
        shorter, longer = sorted((mine, other), key=len)
        if mine == other or (shorter and shorter in longer and len(shorter) >= 0.6 * len(longer)):
            return True
    return False


def _is_generic_title(title: str, titles: list[str]) -> bool:
    """True for a normalised title of one word when the page has a longer one, or for a later
    title (an h1) sharing no word of three letters or more with the page's first (its <title>)."""
    if len(title.split()) == 1 and any(len(other.split()) > 1 for other in titles):
        return True

    def words(text: str) -> set[str]:
        return {word for word in text.split() if len(word) >= 3}

    return title != titles[0] and not words(title) & words(titles[0])


def _spread(values: list[int]) -> dict[str, float] | None:
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "total": sum(values)}


def reference_for(path: Path, reference: str | None, pdf_text: list[str] | None) -> tuple[list[str], str] | None:
    """The reference paragraphs of one file and what they are, or None when it has none."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        if reference != "trafilatura":
            return None
        return trafilatura_reference(path.read_text(encoding="utf-8", errors="replace")), "trafilatura"
    if suffix in MARKDOWN_SUFFIXES:
        return markdown_reference(path.read_text(encoding="utf-8", errors="replace"))
    if suffix in PDF_SUFFIXES and pdf_text:
        return pdf_reference(pdf_text), f"{pdf_library()} plain text"
    return None


def reference_labels(reference: str | None, files: list[Path]) -> dict[str, str]:
    """What the reference is for each format present."""
    labels = {}
    suffixes = {p.suffix.lower() for p in files}
    if suffixes & set(HTML_SUFFIXES):
        if reference == "trafilatura":
            import trafilatura

            labels["html"] = (f"trafilatura {trafilatura.__version__} extract(include_comments=False, "
                              "include_tables=False, output_format='xml'; favor_precision/favor_recall off): "
                              "its p, item and quote elements (its head elements are headings)")
        else:
            labels["html"] = "n/a (no --reference)"
    if suffixes & set(MARKDOWN_SUFFIXES):
        labels["markdown"] = ("the file's own paragraphs: blank-line blocks and list items, markup stripped, "
                              "headings left out; a scraper dump's Content lines (its Metadata, Page Structure and "
                              "Links are not the page)")
    if suffixes & set(PDF_SUFFIXES):
        library = pdf_library()
        labels["pdf"] = f"{library} plain text, lines joined into paragraphs" if library != "none" else "n/a"
    labels["rules"] = (f"reference paragraphs under {MIN_REFERENCE_WORDS} words, those this script calls chrome, and "
                       "headings and contents lines (title case, up to 30 words, ending no sentence) are left out; "
                       f"found = inside one record or >= {FOUND_SHARE:.0%} of its word 3-grams in the file's records "
                       "(their headings and titles included)")
    return labels


# --------------------------------------------------------------------------- the printed report


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def format_report(summary: dict[str, Any]) -> str:
    """The summary as the readable text report."""
    out: list[str] = []
    say = out.append
    formats = ", ".join(f"{n} {s}" for s, n in sorted(summary["formats"].items()))
    say(f"Sitrep real-corpus check: {summary['corpus']} ({summary['files']} files: {formats})")
    run = summary["index"]
    if run:
        say(f"index: {run['seconds']:.1f} s, peak RSS {run['peak_rss_mb']:.0f} MB (sitrep index subprocess, "
            f"exit {run['returncode']}): {run['summary_line']}")
        if run["returncode"] != 0:
            say("  stderr: " + run["stderr_tail"].replace("\n", "\n  "))
    say("reference:")
    for name, label in summary["reference"].items():
        say(f"  {name}: {label}")

    say("")
    say("== Files")
    say(f"read {summary['read']}, skipped {summary['skipped']}, read but no records {summary['no_records']}; "
        f"{summary['records']} records in {summary['reports']} reports")
    for reason, count in summary["skip_reasons"].items():
        say(f"  skipped ({count}): {reason}")
    if summary["error_pages"]:
        say(f"  error pages (404/not found, nothing to index): {len(summary['error_pages'])}, "
            f"indexed anyway: {len(summary['error_pages_indexed'])}: "
            + ", ".join(Path(p).name for p in summary["error_pages"]))
    if summary["records_per_file"]:
        s = summary["records_per_file"]
        say(f"  records per read file: min {s['min']}, median {s['median']:g}, max {s['max']}; "
            f"longest record {summary['longest_record_words']} words")
    shared = summary["report_ids_in_several_files"]
    if shared:
        say(f"  report ids given to several files: {len(shared)} ids, {sum(len(p) for p in shared.values())} files "
            f"(e.g. {next(iter(shared))!r}); records sharing a paragraph id: {summary['records_sharing_an_id']}")

    say("")
    say("== Per source")
    _table(out, ["source", "reports", "records", "chrome", "date differs", "sitewide titles", "bad sections",
                 "ref found", "not in ref"],
           [[name, g["reports"], g["records"], f"{g['chrome']} ({_pct(g['chrome_share'])})",
             f"{g['reports_date_differs']} rep / {_pct(g['other_date_share'])} rec", g["titles_sitewide"],
             g["section_problems"], _pct(g["found_share"]), _pct(g["extra_share"])]
            for name, g in summary["per_source"].items()])
    if len(summary["per_folder"]) > 1:
        say("")
        say("== Per folder")
        _table(out, ["folder", "files", "read", "skipped", "404", "records", "chrome", "ref found", "not in ref"],
               [[name, f["files"], f["read"], f["skipped"], f["error_pages"], f["records"], _pct(f["chrome_share"]),
                 _pct(f["found_share"]), _pct(f["extra_share"])] for name, f in summary["per_folder"].items()])

    chrome = summary["chrome"]
    say("")
    say(f"== Chrome-like records: {chrome['records']} of {summary['records']} ({_pct(chrome['share'])})")
    for reason, count in chrome["by_reason"].items():
        say(f"  {reason}: {count}")
        for example in chrome["examples"].get(reason, []):
            say(f"      {example}")

    dates = summary["dates"]
    say("")
    say(f"== Report dates against the date the page prints (strongest of: {', '.join(TIERS)})")
    say(f"reports with a printed date: {dates['reports_with_printed_date']} (from "
        + ", ".join(f"{t}: {n}" for t, n in dates["by_tier"].items()) + "); "
        f"without: {len(dates['reports_without_printed_date'])}")
    say(f"reports whose date differs: {dates['reports_date_differs']} ({_pct(dates['reports_date_differs_share'])}); "
        f"records whose date differs: {dates['records_date_differs']} ({_pct(dates['records_date_differs_share'])})")
    for (row, copies) in _collapse(dates["differs"], ("sitrep_date", "date_basis", "printed_date", "printed_from"))[:40]:
        say(f"  {_report_label(row)}{copies}: Sitrep {row['sitrep_date']} ({row['date_basis']}), "
            f"page {row['printed_date']} ({row['printed_tier']}: {_short(row['printed_from'] or '', 80)})")
    if dates["reports_without_printed_date"]:
        say("  no printed date: " + ", ".join(dates["reports_without_printed_date"][:15])
            + (" …" if len(dates["reports_without_printed_date"]) > 15 else ""))
    if dates["files_whose_page_evidence_conflicts"]:
        say(f"  files whose page evidence disagrees with itself: {len(dates['files_whose_page_evidence_conflicts'])} "
            "(see --json per_file.evidence): "
            + ", ".join(Path(p).name for p in dates["files_whose_page_evidence_conflicts"][:8]))

    titles = summary["titles"]
    say("")
    say(f"== Titles: {len(titles['sitewide'])} equal to a site-wide name; {len(titles['not_the_pages_own'])} of "
        f"{titles['reports_checked_own']} checked are none of the page's own titles")
    for row, copies in _collapse(titles["sitewide"], ("title", "title_sitewide"))[:20]:
        say(f"  site-wide: {_report_label(row)}{copies}: {row['title']!r} ({row['title_sitewide']})")
    for row, copies in _collapse(titles["not_the_pages_own"], ("title",))[:20]:
        say(f"  not own: {_report_label(row)}{copies}: {_short(row['title'], 90)!r}")

    sections = summary["sections"]
    say("")
    say(f"== Sections that are datelines or captions: {sections['records']} records ({_pct(sections['share'])})")
    for value in sections["values"][:15]:
        say(f"  {value['problem']}: {value['section']!r} ({value['records']} records)")

    cov = summary["coverage"]
    say("")
    say(f"== Coverage against the reference: {cov['found']} of {cov['body_paragraphs']} body paragraphs found "
        f"({_pct(cov['found_share'])}); {cov['records_not_in_reference']} of {cov['records_compared']} records "
        f"not in the reference ({_pct(cov['not_in_reference_share'])})")
    say(f"  left out of the reference: {cov['short_ignored']} under {MIN_REFERENCE_WORDS} words, "
        f"{cov['headings_ignored']} headings or contents lines ({cov['headings_found']} of them found), "
        f"{cov['chrome_ignored']} chrome-like, {cov['unreadable_ignored']} with words run together by the extractor")
    say(f"  records holding {MERGED} or more whole reference paragraphs (run together): {cov['merged_records']}; "
        f"body paragraphs found only inside them: {cov['found_only_in_merged_records']}")
    rows = [r for r in summary["per_file"] if r["coverage"] and r["coverage"]["body"]]
    rows.sort(key=lambda r: (r["coverage"]["found"] / r["coverage"]["body"],
                             -r["coverage"]["extra"] / max(1, r["coverage"]["records"])))
    if rows:
        say("  10 worst files:")
        for row in rows[:10]:
            c = row["coverage"]
            say(f"    {_pct(c['found'] / c['body']):>6} found of {c['body']:>4}, {c['extra']:>4} of {c['records']:>4} "
                f"records not in ref: {_file_label(row, len(summary['per_folder']) > 1, 120)}")
        missed = [(Path(r["file"]).name, e) for r in rows for e in r["coverage"]["missed_examples"]]
        extra = [(Path(r["file"]).name, e) for r in summary["per_file"] if r["coverage"]
                 for e in r["coverage"]["extra_examples"]]
        say("  missed paragraphs (examples):")
        for name, example in _spread_examples(missed):
            say(f"    {name}: {example}")
        say("  records not in the reference (examples):")
        for name, example in _spread_examples(extra):
            say(f"    {name}: {example}")

    say("")
    say("== Per file")
    _table(out, ["file", "status", "records", "chrome", "Sitrep date", "printed date", "ref found", "not in ref"],
           [[_file_label(r, len(summary["per_folder"]) > 1),
             r["status"] + (" (error page)" if r["error_page"] else ""), r["records"], r["chrome"],
             ",".join(r["sitrep_dates"])[:23], f"{r['printed_date'] or '-'} {r['printed_tier'] or ''}".strip(),
             _pct(r["coverage"]["found"] / r["coverage"]["body"]) if r["coverage"] and r["coverage"]["body"] else "n/a",
             f"{r['coverage']['extra']}/{r['coverage']['records']}" if r["coverage"] else "n/a"]
            for r in summary["per_file"]])

    say("")
    say("== Goals")
    for goal, value in summary["goals"].items():
        shown = _pct(value["value"]) if isinstance(value["value"], float) or value["value"] is None else value["value"]
        say(f"  [{'x' if value['met'] else ' '}] {goal}: {shown}")
    return "\n".join(out)


def _collapse(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> list[tuple[dict[str, Any], str]]:
    """One row per page and finding: copies of a file in several folders are shown once, with their count."""
    seen: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        seen.setdefault((Path(row["file"]).name, row["report_id"], *(row[f] for f in fields)), []).append(row)
    return [(group[0], f" (x{len(group)} copies)" if len(group) > 1 else "") for group in seen.values()]


def _file_label(row: dict[str, Any], with_folder: bool, width: int = 72) -> str:
    name = f"{row['folder']}/{Path(row['file']).name}" if with_folder else Path(row["file"]).name
    return name if len(name) <= width else name[: width - 1] + "…"


def _spread_examples(pairs: list[tuple[str, str]], limit: int = 10) -> list[tuple[str, str]]:
    """Up to ``limit`` examples, taking one per file before a second from any."""
    by_file: dict[str, list[str]] = defaultdict(list)
    for name, example in pairs:
        by_file[name].append(example)
    chosen: list[tuple[str, str]] = []
    for round_ in range(EXAMPLES):
        for name, examples in by_file.items():
            if len(chosen) < limit and round_ < len(examples):
                chosen.append((name, examples[round_]))
    return chosen


def _table(out: list[str], header: list[str], rows: list[list[Any]]) -> None:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for number, row in enumerate(cells):
        out.append("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if number == 0:
            out.append("  " + "  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="a folder of real report files (or one file)")
    parser.add_argument("--reference", choices=["trafilatura"],
                        help="compare HTML pages with an independent extractor (pip install -e '.[bench]')")
    parser.add_argument("--json", type=Path, dest="json_out", help="also write the figures as JSON to this file")
    parser.add_argument("--index-dir", type=Path, help="index here instead of a scratch directory (must be new)")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"Error: {args.corpus} does not exist", file=sys.stderr)
        return 2
    if args.reference == "trafilatura":
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            print("Error: --reference trafilatura needs trafilatura: pip install -e '.[bench]'", file=sys.stderr)
            return 2
    if args.index_dir and args.index_dir.exists() and any(args.index_dir.iterdir()):
        print(f"Error: {args.index_dir} is not empty; give a new directory", file=sys.stderr)
        return 2
    files = corpus_files(args.corpus)
    with tempfile.TemporaryDirectory(prefix="sitrep-check-real-") as scratch:
        index_dir = args.index_dir or Path(scratch) / "index"
        run = run_index([args.corpus], index_dir)
        records = read_records(index_dir)
    started = time.perf_counter()
    summary = analyse(args.corpus, files, records, run, args.reference)
    summary["check_seconds"] = round(time.perf_counter() - started, 1)
    print(format_report(summary))
    print(f"\n(reading the files, the reference and comparing took {summary['check_seconds']} s)")
    if args.json_out:
        args.json_out.write_text(json.dumps(summary, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
