"""PDF reports -> :class:`ReportPage`.

Situation reports and flash updates are published as PDFs laid out for
print: two or three columns, a sidebar of key figures, a running header and
footer with the page number, footnotes at the bottom of the page.  PDFium
(through pypdfium2) gives every character with its box, font size and font;
this module rebuilds what a reader sees from them:

* **lines**: PDFium's own lines, cut where a wide gap separates two columns
  that happen to share a baseline;
* **reading order**: the order the PDF draws its text in (the order it was
  written in Word, InDesign or a browser) unless a page draws its columns
  line by line in turn, which is then read column by column
  (:func:`_geometric_order`);
* **running headers, footers and page numbers**: text repeated at the same
  height in the page margins on most pages, and "3", "Page 3 of 10";
* **paragraphs**: consecutive lines of one column with the same font and the
  usual line spacing; a word broken with a hyphen at a line end is joined;
* **headings**: short blocks in a larger or bold font; **bullets**: blocks
  that start with a bullet sign or a list number;
* **footnotes**: small numbered lines at the bottom of a page become
  endnotes, and raised (superscript) numbers in the text become ``[n]``
  markers that point to them;
* **title and date**: the document's /Title when it names the report, else
  the first page's largest text; the first date printed on the first page,
  else the document's creation date.

This module never imports whoosh.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..dates import PartialDate, find_heading_date, infer_year, parse_date_line
from .notes import URL
from .page import Endnote, ReportPage
from .records import SkipFile
from .text import CHROME, TERMINAL, Block

# Raised digits stand for a footnote number until the endnotes are known:
# then they become "[n]" markers, or plain digits (a "km2").
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_MARK_OPEN}(\\d{{1,3}}){_MARK_CLOSE}")
# Bullet signs, including the private-use code points that Symbol and
# Wingdings bullets come out as.
_BULLET = re.compile(r"^\s*(?:[•●▪■◦‣∙·○◆◇❖➢►▶✓✔➤□§\uf000-\uf0ff]\s*|[-–—*]\s+)")
# Word's second-level bullet is a Courier "o".
_SUB_BULLET = re.compile(r"^o\s+(?=[A-Z])")
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+(?=\S)")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*[|:]?\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|/|\|)\s*\d{1,4})?$|^page\s+[ivxlc]+$",
    re.IGNORECASE,
)
_FOOTNOTE_START = re.compile(r"^\s*(\d{1,3})(?:[.)]\s*|\s+|(?=[A-Z]))(?=\S)")
_HYPHENS = "-\u00ad\u2010\u2011"
# Second halves of compounds that a line may break after the hyphen of:
# "community-|based" keeps its hyphen, "humani-|tarian" loses it.
_COMPOUND_TAILS = frozenset(
    "based led related level term scale specific affected wide run up making free sensitive driven "
    "friendly income owned saving hit prone oriented like day year month week sized style time "
    "long term border wide old new standing setting sharing building focused centred centered "
    "responsive informed specific linked borne dependent".split()
)
# Endings that are not words of their own: a line that breaks before one
# broke a word ("humani-|tarian", "displace-|ment").
_WORD_ENDINGS = (
    "tion", "tions", "sion", "sions", "ment", "ments", "ness", "ity", "ities", "ance", "ances",
    "ence", "ences", "able", "ible", "ably", "ibly", "ally", "ical", "ism", "ist", "ists", "ous",
    "arian", "arians", "ular", "ative", "ized", "ised", "ization", "isation",
)
_WORDY = re.compile(r"[^\W\d_]{3,}")
_NUMBER_WORDS = re.compile(r"\b(?:million|billion|thousand|percent|usd|us\$|mt|km|people|households?)\b", re.IGNORECASE)
_GENERIC_TITLE = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint|excel)\b|untitled|powerpoint presentation|"
    r"presentation\d*|document\d*|slide\s*\d*|print|title)\b",
    re.IGNORECASE,
)
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
# Section names that head a first page in large type but do not name the report.
_SECTION_TITLE = re.compile(
    r"^(?:highlights|key (?:messages|figures|facts|highlights)|situation (?:overview|update|summary)|"
    r"summary|executive summary|contents|table of contents|in numbers|fast facts|overview|background)\s*:?$",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"^(?:(?:figure|fig\.|map|chart|graph|table|photo|image)\s*\d+\b|sources?\s*:|photo\s*(?:credit)?\s*:|©|\(c\)\s)",
    re.IGNORECASE,
)
# Numeric dates: read only when the day cannot be the month (29/10/2025, 10/29/2025).
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d\d)\b")
# Lines that say which date is the report's own.
_ISSUE_LABEL = re.compile(r"\b(?:published|issued|released|as of|as at|report date|date of (?:issue|publication))\b", re.IGNORECASE)
_DATE_LABEL = re.compile(r"^(?:as of|as at|reporting period|period covered|covering|date)\b", re.IGNORECASE)
_PERIOD = re.compile(r"\s+(?:to|until|through|-|–|—)\s+", re.IGNORECASE)
_MONTH_NAMES = (
    "January February March April May June July August September October November December".split()
)
_PDF_DATE = re.compile(r"^(?:D:)?((?:19|20)\d\d)(\d\d)(\d\d)")
MARGIN = 0.15  # the top and bottom of a page where running headers, footers and page numbers sit
SUPERSCRIPT_SIZE = 0.8  # a raised glyph this much smaller than its line is a superscript
COLUMN_GAP = 1.5  # a gap of this many font sizes inside a line separates two columns
SEGMENT_JOIN_GAP = 4.0  # in drawing order, pieces of one line this close are one line


@dataclass
class Glyph:
    """One character as PDFium placed it; y grows downwards from the page top."""

    char: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float
    bold: bool


@dataclass
class Line:
    """A run of text on one baseline in one column."""

    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float
    bold: bool
    order: int = 0  # position in the page's drawing order
    lead_mark: str | None = None  # a raised number that starts the line (a footnote's number)

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class PageLines:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    links: list[tuple[tuple[float, float, float, float], str]] = field(default_factory=list)


@dataclass
class _Draft:
    """A block being built from lines."""

    lines: list[Line]
    bullet: bool = False

    @property
    def last(self) -> Line:
        return self.lines[-1]


def read_pdf(data: bytes) -> tuple[ReportPage, list[str]]:
    """Read a PDF report into a :class:`ReportPage`, with warnings about it.

    :raises SkipFile: the bytes are not a PDF PDFium can open, the PDF needs a
        password, or no page has a text layer (a scan).
    """
    if not data.strip():
        raise SkipFile("empty file")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if err.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise SkipFile("encrypted PDF: it needs a password to open") from None
        reason = str(err).split("PDFium: ", 1)[-1].rstrip(").")
        raise SkipFile(f"not a valid PDF: {reason.lower()}") from None
    try:
        metadata = {key: (value or "").strip() for key, value in document.get_metadata_dict().items()}
        pages = [_page_lines(document, number) for number in range(len(document))]
    finally:
        document.close()
    warnings: list[str] = []
    if not pages:
        raise SkipFile("not a valid PDF: it has no pages")
    if not any(page.lines for page in pages):
        raise SkipFile("scanned PDF: no text layer")
    blank = sum(1 for page in pages if not page.lines)
    if blank:
        warnings.append(f"{blank} of {len(pages)} pages have no text layer (scanned?) and were not read")
    return _report_page(pages, metadata), warnings


# --- characters and lines -------------------------------------------------


def _page_lines(document: pdfium.PdfDocument, number: int) -> PageLines:
    page = document[number]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            result = PageLines(number, width, height)
            lines = [line for run in _glyph_runs(textpage, height) for line in _split_run(run, number)]
            result.lines = _attach_raised_numbers(lines)
            for order, line in enumerate(result.lines):
                line.order = order
            result.links = _page_links(page, height)
        finally:
            textpage.close()
    finally:
        page.close()
    return result


def _glyph_runs(textpage: pdfium.PdfTextPage, page_height: float) -> list[list[Glyph]]:
    """PDFium's lines of one page as lists of glyphs (spaces included).

    Boxes are PDFium's "loose" boxes (advance width by the font's ascent and
    descent), so the glyphs of a word touch and a line's height does not
    depend on which letters it has.
    """
    box = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    # Font, size and angle belong to a text object: look them up once per object.
    style_by_object: dict[int | None, tuple[float, bool, bool]] = {}
    runs: list[list[Glyph]] = []
    run: list[Glyph] = []
    for index in range(pdfium_c.FPDFText_CountChars(textpage)):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        if code in (10, 13):
            if run:
                runs.append(run)
                run = []
            continue
        if code == 0 or (code < 32 and code != 2) or 0xFFFE <= code <= 0xFFFF:
            continue
        handle = ctypes.cast(pdfium_c.FPDFText_GetTextObject(textpage, index), ctypes.c_void_p).value
        if handle is None:  # a space or line break PDFium made up
            if code == 32 and run and run[-1].char != " ":
                last = run[-1]
                run.append(Glyph(" ", last.x1, last.x1, last.top, last.bottom, last.baseline, last.size, False))
            continue
        style = style_by_object.get(handle)
        if style is None:
            pdfium_c.FPDFText_GetMatrix(textpage, index, matrix)
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            size = pdfium_c.FPDFText_GetFontSize(textpage, index) * (scale or 1.0)
            weight = pdfium_c.FPDFText_GetFontWeight(textpage, index)
            pdfium_c.FPDFText_GetFontInfo(textpage, index, name, len(name), ctypes.byref(flags))
            font = name.value.decode("latin-1", "replace")
            bold = weight >= 600 or bool(_BOLD_FONT.search(font)) or bool(flags.value & (1 << 18))
            turned = abs(matrix.b) > 0.01 * max(abs(matrix.a), 1e-9) or matrix.a < 0
            style = style_by_object[handle] = (size, bold, turned)
        size, bold, turned = style
        if turned:
            continue  # turned text: photo credits up the margin, axis labels
        pdfium_c.FPDFText_GetLooseCharBox(textpage, index, box)
        pdfium_c.FPDFText_GetCharOrigin(textpage, index, origin_x, origin_y)
        # PDFium gives a hyphen that ends a line as code 2; it is drawn, so a real hyphen.
        char = "-" if code == 2 else chr(code)
        run.append(
            Glyph(
                char,
                box.left,
                box.right,
                page_height - box.top,
                page_height - box.bottom,
                page_height - origin_y.value,
                size,
                bold and not char.isspace(),
            )
        )
    if run:
        runs.append(run)
    return runs


def _split_run(run: list[Glyph], page: int) -> list[Line]:
    """Cut one of PDFium's lines where it jumps back, changes baseline or crosses a gutter."""
    pieces: list[list[Glyph]] = [[]]
    last: Glyph | None = None
    for glyph in run:
        if glyph.char.isspace():
            pieces[-1].append(glyph)
            continue
        if last is not None:
            size = max(last.size, glyph.size, 1.0)
            raised = glyph.size < last.size * SUPERSCRIPT_SIZE or last.size < glyph.size * SUPERSCRIPT_SIZE
            moved = abs(glyph.baseline - last.baseline) > 0.6 * size and not raised
            # The letters of a ligature ("ffi") share one box: no jump back.
            back = glyph.x0 < last.x0 - 0.5 * size
            # A bullet sign and its text are set apart by a tab, not a gutter.
            wide = glyph.x0 - last.x1 > COLUMN_GAP * size and not _is_list_sign("".join(g.char for g in pieces[-1]).strip())
            if back or moved or wide:
                pieces.append([])
        pieces[-1].append(glyph)
        last = glyph
    return [line for piece in pieces if (line := _line(piece, page)) is not None]


def _is_list_sign(text: str) -> bool:
    return bool(text) and len(text) <= 4 and bool(_BULLET.fullmatch(text + " ") or re.fullmatch(r"\(?\w{1,2}[.)]", text))


def _line(glyphs: list[Glyph], page: int) -> Line | None:
    ink = [g for g in glyphs if not g.char.isspace()]
    if not ink:
        return None
    sizes = Counter(round(g.size * 2) / 2 for g in ink)
    size = max(sizes.items(), key=lambda item: (item[1], item[0]))[0]
    main = [g for g in ink if abs(g.size - size) <= 0.15 * size] or ink
    baseline = median(g.baseline for g in main)
    text: list[str] = []
    lead_mark: str | None = None
    index = 0
    while index < len(glyphs):
        glyph = glyphs[index]
        raised = (
            not glyph.char.isspace()
            and glyph.size <= size * SUPERSCRIPT_SIZE
            and glyph.baseline < baseline - 0.2 * size
        )
        if raised and glyph.char.isdigit():
            end = index
            while end < len(glyphs) and glyphs[end].char.isdigit() and glyphs[end].size <= size * SUPERSCRIPT_SIZE:
                end += 1
            digits = "".join(g.char for g in glyphs[index:end])
            if not "".join(text).strip():
                lead_mark = digits
                text.append(f"{digits} ")
            else:
                while text and text[-1] == " ":
                    text.pop()  # PDFium puts a space before a raised number
                text.append(f"{_MARK_OPEN}{digits}{_MARK_CLOSE}")
            index = end
            continue
        if text and not glyph.char.isspace() and not text[-1].endswith(" "):
            previous = glyphs[index - 1]
            if not previous.char.isspace() and glyph.x0 - previous.x1 > 0.25 * size:
                text.append(" ")  # words set apart by position only
        text.append(glyph.char)
        index += 1
    joined = " ".join("".join(text).replace("\u00a0", " ").split())
    if not joined:
        return None
    letters = [g for g in main if g.char.isalpha()] or main
    bold = sum(g.bold for g in letters) >= 0.8 * len(letters)
    return Line(
        page,
        joined,
        min(g.x0 for g in ink),
        max(g.x1 for g in ink),
        min(g.top for g in main),
        max(g.bottom for g in main),
        baseline,
        size,
        bold,
        lead_mark=lead_mark,
    )


def _raised_number(mark: Line, line: Line) -> bool:
    """True when ``mark`` is a small raised number set at the height of ``line``."""
    return (
        mark.text.isdigit()
        and len(mark.text) <= 3
        and mark.size <= line.size * SUPERSCRIPT_SIZE
        and mark.baseline < line.baseline - 0.15 * line.size
        and mark.bottom > line.top
    )


def _attach_raised_numbers(lines: list[Line]) -> list[Line]:
    """Put footnote numbers drawn on their own back into their lines.

    A raised number right after a line's end is a footnote marker; one
    right before a line's start is the number of the footnote it begins.
    """
    kept: list[Line] = []
    for index, line in enumerate(lines):
        previous = kept[-1] if kept else None
        following = lines[index + 1] if index + 1 < len(lines) else None
        if previous is not None and _raised_number(line, previous) and abs(line.x0 - previous.x1) <= previous.size:
            previous.text += f"{_MARK_OPEN}{line.text}{_MARK_CLOSE}"
            previous.x1 = max(previous.x1, line.x1)
            continue
        if following is not None and _raised_number(line, following) and abs(following.x0 - line.x1) <= following.size:
            following.text = f"{line.text} {following.text}"
            following.lead_mark = line.text
            following.x0 = line.x0
            continue
        kept.append(line)
    return kept


def _page_links(page: pdfium.PdfPage, page_height: float) -> list[tuple[tuple[float, float, float, float], str]]:
    """The web links of a page's link annotations, with their boxes (top-down)."""
    links: list[tuple[tuple[float, float, float, float], str]] = []
    position = ctypes.c_int(0)
    link = pdfium_c.FPDF_LINK()
    rect = pdfium_c.FS_RECTF()
    buffer = ctypes.create_string_buffer(2048)
    while pdfium_c.FPDFLink_Enumerate(page, ctypes.byref(position), ctypes.byref(link)):
        action = pdfium_c.FPDFLink_GetAction(link)
        if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_URI:
            continue
        length = pdfium_c.FPDFAction_GetURIPath(page.pdf, action, buffer, len(buffer))
        uri = buffer.raw[: max(length - 1, 0)].decode("latin-1", "replace").strip()
        if not uri.lower().startswith(("http://", "https://")):
            continue
        if pdfium_c.FPDFLink_GetAnnotRect(link, ctypes.byref(rect)):
            box = (rect.left, page_height - rect.top, rect.right, page_height - rect.bottom)
            links.append((box, uri))
    return links


# --- page furniture -------------------------------------------------------


def _in_margin(line: Line, page: PageLines) -> bool:
    return line.bottom < page.height * MARGIN or line.top > page.height * (1 - MARGIN)


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _drop_furniture(pages: list[PageLines]) -> None:
    """Remove page numbers and text repeated at the same height in the margins of most pages."""
    by_text: dict[str, list[tuple[int, Line]]] = {}
    for page in pages:
        for line in page.lines:
            if _in_margin(line, page):
                by_text.setdefault(_furniture_key(line.text), []).append((page.number, line))
    repeated: set[int] = set()
    needed = max(2, (len(pages) + 1) // 2)
    for placed in by_text.values():
        if len({number for number, _ in placed}) < needed:
            continue
        for _, line in placed:
            pages_at_height = {number for number, other in placed if abs(other.top - line.top) <= 3}
            if len(pages_at_height) >= needed:
                repeated.add(id(line))
    for page in pages:
        page.lines = [
            line
            for line in page.lines
            if id(line) not in repeated and not (_in_margin(line, page) and _PAGE_NUMBER.match(line.text))
        ]


# --- footnotes ------------------------------------------------------------


def _split_footnotes(page: PageLines, body_size: float, expected_first: int) -> tuple[list[Line], dict[int, Endnote]]:
    """Take the numbered small-print lines at the bottom of a page as endnotes.

    They must be numbered one after another, from about where the previous
    page's footnotes stopped (``expected_first``).
    """
    lines = sorted(page.lines, key=lambda line: (line.top, line.x0))
    small = body_size * 0.9
    start = len(lines)
    while start > 0 and lines[start - 1].size < small and lines[start - 1].top > page.height * 0.45:
        start -= 1
    tail = lines[start:]
    first = next((i for i, line in enumerate(tail) if line.lead_mark or _FOOTNOTE_START.match(line.text)), None)
    if first is None:
        return page.lines, {}
    notes: list[list[Line]] = []
    taken: set[int] = set()
    for line in tail[first:]:
        starts = line.lead_mark is not None or _FOOTNOTE_START.match(line.text) is not None
        if starts:
            notes.append([line])
        elif notes and line.top - notes[-1][-1].bottom <= line.size * 0.8 and line.x0 >= notes[-1][0].x0 - 2:
            notes[-1].append(line)
        else:
            break
        taken.add(id(line))
    numbers = [int(m.group(1)) for note in notes if (m := _FOOTNOTE_START.match(note[0].text))]
    if not numbers or any(b != a + 1 for a, b in zip(numbers, numbers[1:])) or numbers[0] > expected_first + 20:
        return page.lines, {}  # figures in small print ("14 People Receiving..."), not footnotes 1, 2, 3
    endnotes: dict[int, Endnote] = {}
    for note_lines in notes:
        text = _join_note_lines([line.text for line in note_lines])
        match = _FOOTNOTE_START.match(text)
        if match is None:
            continue
        body = _MARKER.sub(r"\1", text[match.end() :]).strip()
        urls = [url.rstrip(".,;)") for url in URL.findall(body)]
        for box, uri in page.links:
            if any(_overlaps(box, line) for line in note_lines) and uri not in urls:
                urls.append(uri)
        endnotes[int(match.group(1))] = Endnote(int(match.group(1)), body, tuple(urls))
    if not endnotes:
        return page.lines, {}
    return [line for line in page.lines if id(line) not in taken], endnotes


def _join_note_lines(texts: list[str]) -> str:
    """Join a footnote's lines; a link broken over two lines is joined without a space."""
    joined = texts[0]
    for text in texts[1:]:
        last_word = joined.rsplit(" ", 1)[-1]
        if "://" in last_word and re.match(r"^[\w/.%?=&#~+-]+(?:\s|$)", text) and not text[:1].isupper():
            joined += text
        else:
            joined += " " + text
    return joined


def _overlaps(box: tuple[float, float, float, float], line: Line) -> bool:
    x0, top, x1, bottom = box
    return x0 < line.x1 and x1 > line.x0 and top < line.bottom and bottom > line.top


# --- reading order --------------------------------------------------------


def _x_overlap(a: Line, b: Line) -> bool:
    return a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1


def _interleaved(lines: list[Line]) -> bool:
    """True when the drawing order hops between columns line by line."""
    hops = 0
    for a, b, c in zip(lines, lines[1:], lines[2:]):
        if (
            _x_overlap(a, c)
            and not _x_overlap(a, b)
            and not _x_overlap(b, c)
            and a.top - a.height <= b.top <= c.top
            and 0 < c.top - a.top <= 3 * a.size
        ):
            hops += 1
    return hops >= 3


def _geometric_order(lines: list[Line]) -> list[Line]:
    """Read lines column by column: cut the page at gutters, then at gaps between bands.

    A recursive XY cut.  A vertical gutter that runs the whole height of a
    region splits it into columns, read left to right.  Otherwise the region
    is cut into bands at full-width horizontal gaps, and consecutive bands
    that share a gutter are read together (so two columns whose paragraph
    breaks happen to line up are still read one column after the other).
    """
    if len(lines) <= 1:
        return list(lines)
    columns = _split_columns(lines)
    if len(columns) > 1:
        return [line for column in columns for line in _geometric_order(column)]
    bands = _split_bands(lines)
    if len(bands) == 1:
        return sorted(lines, key=lambda line: (round(line.top), line.x0))
    ordered: list[Line] = []
    group: list[Line] = []
    group_gutters: list[tuple[float, float]] = []
    for band in bands:
        gutters = _gutters(band)
        shared = _shared_gutters(group_gutters, gutters) if group else []
        if group and shared:
            group.extend(band)
            group_gutters = shared
            continue
        if group:
            ordered.extend(_geometric_order(group) if len(group) < len(lines) else sorted(group, key=lambda l: (l.top, l.x0)))
        group, group_gutters = list(band), gutters
    if group:
        ordered.extend(_geometric_order(group) if len(group) < len(lines) else sorted(group, key=lambda l: (l.top, l.x0)))
    return ordered


def _gutters(lines: list[Line]) -> list[tuple[float, float]]:
    """Vertical strips no line of ``lines`` crosses, between their left and right edges."""
    spans = sorted((line.x0, line.x1) for line in lines)
    gutters: list[tuple[float, float]] = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 > reach:
            gutters.append((reach, x0))
        reach = max(reach, x1)
    return gutters


def _shared_gutters(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    shared = []
    for a0, a1 in a:
        for b0, b1 in b:
            if min(a1, b1) - max(a0, b0) > 3:
                shared.append((max(a0, b0), min(a1, b1)))
    return shared


def _split_columns(lines: list[Line]) -> list[list[Line]]:
    sizes = median(line.size for line in lines)
    gutters = [g for g in _gutters(lines) if g[1] - g[0] >= sizes * 0.8]
    if not gutters:
        return [lines]
    edges = [g[0] for g in gutters]
    columns: list[list[Line]] = [[] for _ in range(len(edges) + 1)]
    for line in lines:
        columns[sum(1 for edge in edges if line.x0 >= edge)].append(line)
    return [column for column in columns if column]


def _split_bands(lines: list[Line]) -> list[list[Line]]:
    ordered = sorted(lines, key=lambda line: line.top)
    bands: list[list[Line]] = [[ordered[0]]]
    reach = ordered[0].bottom
    for line in ordered[1:]:
        if line.top > reach:
            bands.append([])
        bands[-1].append(line)
        reach = max(reach, line.bottom)
    return bands


def _reading_order(lines: list[Line]) -> list[Line]:
    """The page's lines in reading order: drawing order, unless it hops between columns."""
    drawn = sorted(lines, key=lambda line: line.order)
    if _interleaved(drawn):
        return _geometric_order(drawn)
    return _rejoin_segments(drawn)


def _rejoin_segments(lines: list[Line]) -> list[Line]:
    """Join consecutive pieces of one baseline cut at a wide word gap (justified text)."""
    joined: list[Line] = []
    for line in lines:
        if joined:
            last = joined[-1]
            gap = line.x0 - last.x1
            if (
                abs(line.baseline - last.baseline) < 0.2 * last.size
                and abs(line.size - last.size) < 0.15 * last.size
                and line.bold == last.bold
                and 0 < gap <= SEGMENT_JOIN_GAP * last.size
                and not _BULLET.match(line.text)
            ):
                last.text = f"{last.text} {line.text}"
                last.x1 = line.x1
                last.top, last.bottom = min(last.top, line.top), max(last.bottom, line.bottom)
                continue
        joined.append(line)
    return joined


# --- blocks ---------------------------------------------------------------


def _starts_item(text: str) -> bool:
    return bool(_BULLET.match(text) or _NUMBERED.match(text) or _SUB_BULLET.match(text))


def _item_text(text: str) -> str:
    """A list item's text without its bullet sign or number."""
    for sign in (_BULLET, _NUMBERED, _SUB_BULLET):
        if sign.match(text):
            return sign.sub("", text, count=1)
    return text


def _line_pitch(pages: list[PageLines], body_size: float) -> float:
    """The usual distance between the baselines of two lines of body text, per point of size."""
    pitches: Counter[float] = Counter()
    for page in pages:
        drawn = sorted(page.lines, key=lambda line: line.order)
        for a, b in zip(drawn, drawn[1:]):
            if abs(a.size - body_size) < 0.5 and abs(b.size - body_size) < 0.5 and _x_overlap(a, b):
                pitch = b.baseline - a.baseline
                if 0.8 * body_size < pitch < 3 * body_size:
                    pitches[round(pitch / body_size, 2)] += 1
    return pitches.most_common(1)[0][0] if pitches else 1.2


def _continues(block: _Draft, line: Line, pitch: float) -> bool:
    """True when ``line`` carries on the paragraph or bullet ``block``."""
    last = block.last
    if _BULLET.match(line.text) or _SUB_BULLET.match(line.text):
        return False
    if _NUMBERED.match(line.text) and (block.bullet or last.text.endswith(TERMINAL)):
        return False  # "2. Next item", but not "(IPC" / "5) to Emergency (IPC 4)"
    if abs(line.size - last.size) > 0.12 * last.size:
        return False
    left = min(l.x0 for l in block.lines)
    right = max(l.x1 for l in block.lines)
    if _carries_over(last, line):
        return True
    if not _x_overlap(last, line) and not (block.bullet and line.x0 > block.lines[0].x0):
        return False
    step = line.baseline - last.baseline
    if not 0 < step <= max(pitch * last.size * 1.3, last.size * 1.05 + 1.5):
        return False
    if last.bold and not line.bold and not block.bullet and all(l.bold for l in block.lines):
        words = sum(len(l.text.split()) for l in block.lines)
        if words <= 12 and last.x1 < max(right, line.x1) - 2 * last.size and not last.text.endswith((",", "-")):
            return False  # a bold heading line, then the plain text under it (not a bold first sentence)
    if len(block.lines) >= 2 and last.text.endswith((".", "!", "?", ":")) and last.x1 < right - 4 * last.size:
        return False  # a short last line ends the paragraph even without a gap
    if line.x0 > left + 1.5 * line.size and not block.bullet and last.text.endswith(TERMINAL):
        return False  # an indented first line
    return True


def _carries_over(last: Line, line: Line) -> bool:
    """True when a sentence cut at the foot of a column goes on at the top of the next."""
    return (
        line.page == last.page
        and not last.text.endswith(TERMINAL)
        and line.text[:1].islower()
        and line.bold == last.bold
        and abs(line.size - last.size) < 0.5
        and line.top < last.top
        and not _x_overlap(last, line)
    )


def _blocks(lines: list[Line], pitch: float) -> list[_Draft]:
    drafts: list[_Draft] = []
    for line in lines:
        if drafts and _continues(drafts[-1], line, pitch):
            drafts[-1].lines.append(line)
        else:
            drafts.append(_Draft([line], bullet=_starts_item(line.text)))
    return drafts


def _join_lines(texts: list[str], vocabulary: Counter[str]) -> str:
    """Join a block's lines, undoing hyphenation at line ends."""
    joined = texts[0]
    for text in texts[1:]:
        match = re.search(rf"(\w+)[{_HYPHENS}]$", joined)
        right = re.match(r"\w+", text)
        if match and right and not match.group(1).isdigit():
            left_word, right_word = match.group(1), right.group()
            if _join_hyphenated(left_word, right_word, joined[-1], vocabulary):
                joined = joined[:-1] + text
            else:
                joined = joined[:-1] + "-" + text
            continue
        joined = f"{joined} {text}"
    return joined


def _join_hyphenated(left: str, right: str, hyphen: str, vocabulary: Counter[str]) -> bool:
    """True when ``left-`` + ``right`` is one word broken by hyphenation, not a compound.

    Word and most office tools break lines only at spaces and at real
    hyphens: of the 49 hyphens that end a line in the 36 ReliefWeb PDFs
    measured, 47 belong to compounds ("pre-|positioned", "flood-|prone",
    "Port-au-|Prince").  So the hyphen stays unless the report itself
    writes the joined word, or the second half is only a word ending
    ("Displace-|ment").
    """
    if hyphen == "\u00ad":
        return True  # a soft hyphen is only ever a break
    whole, compound = f"{left}{right}".lower(), f"{left}-{right}".lower()
    if vocabulary[whole] or vocabulary[compound]:
        return vocabulary[whole] > vocabulary[compound]
    tail = right.lower()
    if left[:1].isupper() and left[1:2].isupper() or right[:1].isupper() or right[:1].isdigit():
        return False  # "COVID-|19", "Port-au-|Prince", "North-|West"
    return len(tail) <= 7 and tail.endswith(_WORD_ENDINGS) and tail not in _COMPOUND_TAILS


def _kind(draft: _Draft, text: str, body_size: float, body_bold: bool) -> str:
    size = max(line.size for line in draft.lines)
    words = text.split()
    bold = all(line.bold for line in draft.lines)
    if CHROME.match(text) or not _WORDY.search(_NUMBER_WORDS.sub("", text)):
        return "chrome"  # web-style chrome, or a bare figure from an infographic ("1,350", "4.1 million")
    if _CAPTION.match(text) and len(words) <= 25:
        return "chrome"  # "Figure 2: ...", "Source: REACH", "© UNICEF/2025": about a picture, not the report
    short = len(words) <= 20 and len(draft.lines) <= 3 and not text.endswith((".", ";", ","))
    # "1,250,000 people affected" in large type is a key figure, not a section.
    figure = re.match(r"^[\d.,]+%?\s+[a-z]", text) is not None
    if short and (size >= body_size * 1.15 or (bold and not body_bold)) and not draft.bullet and not figure:
        return "heading"
    if draft.bullet:
        return "bullet"
    if len(words) <= 3 and not re.search(r"\d", text) and not text.endswith(TERMINAL):
        return "chrome"  # a label from a map, chart or table ("Caribbean Sea", "Amber alert"), not a sentence
    if len(words) <= 6 and text.startswith("(") and text.endswith(")"):
        return "chrome"  # a map's region label in brackets ("(SUD south)", "(Northwest)")
    if len(words) <= 12 and re.match(r"^(?:#|no\.|number) of\b", text, re.IGNORECASE) and not text.endswith(TERMINAL):
        return "chrome"  # a table's row label ("# of volunteers equipped with PPE") without its figures
    if _CONTACT.search(text) and len(words) <= 40:
        return "chrome"  # "For more information: www.unocha.org, x@ocha.org": who to ask, not what happened
    return "paragraph"


_CONTACT = re.compile(r"\b(?:for (?:more|further) informations?|pour plus d.informations)\b.{0,120}?(?:@|www\.|https?://)",
                      re.IGNORECASE)


# --- the whole report -----------------------------------------------------


def _body_size(pages: list[PageLines]) -> tuple[float, bool]:
    sizes: Counter[float] = Counter()
    bold: Counter[bool] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[line.size] += len(line.text)
            bold[line.bold] += len(line.text)
    return sizes.most_common(1)[0][0], bold[True] > bold[False]


def _report_page(pages: list[PageLines], metadata: dict[str, str]) -> ReportPage:
    body_size, body_bold = _body_size(pages)
    first_page = PageLines(pages[0].number, pages[0].width, pages[0].height, list(pages[0].lines))
    title = _title(metadata, pages[0], body_size)
    _drop_furniture(pages)
    endnotes: dict[int, Endnote] = {}
    for page in pages:
        page.lines, notes = _split_footnotes(page, body_size, max(endnotes, default=0) + 1)
        for number, note in notes.items():
            endnotes.setdefault(number, note)
    pitch = _line_pitch(pages, body_size)
    vocabulary: Counter[str] = Counter(
        word.lower() for page in pages for line in page.lines for word in re.findall(r"\w+(?:-\w+)*", line.text)
    )
    drafts = [draft for page in pages for draft in _blocks(_reading_order(page.lines), pitch)]
    drafts = _join_across_pages(drafts)
    blocks: list[Block] = []
    for draft in drafts:
        text = _join_lines([line.text for line in draft.lines], vocabulary)
        text = _MARKER.sub(lambda m: f"[{m.group(1)}]" if int(m.group(1)) in endnotes else m.group(1), text)
        text = " ".join(text.split())
        kind = _kind(draft, text, body_size, body_bold)
        if draft.bullet:
            text = _item_text(text) if kind == "bullet" else text
        if parse_date_line(text) is not None or (_DATE_LABEL.match(text) and len(text.split()) <= 8 and _line_date(text)):
            # "As of 10 November 2025": the first page's date is the report's
            # (ReportPage.date); a date alone further on is a table cell.
            kind = "chrome"
        if text:
            blocks.append(Block(kind, text, draft.lines[0].page + 1))
    page_date, basis = _report_date(first_page, metadata)
    # A PDF is one report: a map credit ("OCHA") or a date further down
    # starts no other report.
    return ReportPage(blocks=blocks, title=title, date=page_date, date_basis=basis, endnotes=endnotes,
                      single_report=True)


def _join_across_pages(drafts: list[_Draft]) -> list[_Draft]:
    """Join a paragraph a page break cut in two (it ends mid-sentence, the next starts in lower case)."""
    joined: list[_Draft] = []
    for draft in drafts:
        if joined:
            last = joined[-1]
            first = draft.lines[0]
            if (
                first.page == last.last.page + 1
                and not last.last.text.endswith(TERMINAL)
                and first.text[:1].islower()
                and abs(first.size - last.last.size) < 0.5
                and not draft.bullet
            ):
                last.lines.extend(draft.lines)
                continue
        joined.append(draft)
    return joined


def _title(metadata: dict[str, str], first_page: PageLines, body_size: float) -> str | None:
    """The report's title: a /Title that names it, else the largest text on the first page.

    The largest line is joined by the lines drawn right after it in a
    headline size, so a title set over several lines in falling sizes
    ("Haiti" / "Tropical Storm Melissa" / "Flash Update No. 1") is read whole.
    """
    words = set(re.findall(r"\w+", " ".join(line.text for line in first_page.lines).lower()))
    meta_title = " ".join(metadata.get("Title", "").split())
    if _meaningful_title(meta_title, words):
        return meta_title
    drawn = sorted(
        (
            line
            for line in first_page.lines
            if line.top < first_page.height * 0.5
            and sum(c.isalpha() for c in line.text) >= 3
            and not _SECTION_TITLE.match(line.text)
        ),
        key=lambda line: line.order,
    )
    if not drawn:
        return None
    largest = max(line.size for line in drawn)
    if largest < body_size * 1.3:
        return None
    start = next(i for i, line in enumerate(drawn) if line.size >= largest * 0.95)
    chosen = [drawn[start]]
    for line in drawn[start + 1 :]:
        previous = chosen[-1]
        if line.size < max(largest * 0.55, body_size * 1.2) or not 0 < line.top - previous.top <= 2.5 * previous.size:
            break
        if parse_date_line(line.text) is not None or _DATE_LABEL.match(line.text):
            break  # "As of 10 November 2025" under the title dates the report; it is not its title
        chosen.append(line)
    text = " ".join(line.text for line in chosen)
    words_in = text.split()
    if len(words_in) > 30:
        text = " ".join(words_in[:30]) + "…"
    return " ".join(_MARKER.sub("", text).split()) or None


def _meaningful_title(title: str, first_page_words: set[str]) -> bool:
    """False for an empty, generic ("Microsoft Word - x.docx") or file-name-like /Title."""
    if not title or _GENERIC_TITLE.match(title):
        return False
    if " " not in title or re.search(r"\.(?:docx?|pptx?|xlsx?|indd|pdf|ai)$", title, re.IGNORECASE):
        return False  # "ht-fso-2025-10", "report_final.docx"
    words = [word for word in re.findall(r"\w+", title.lower()) if len(word) > 1 or word.isdigit()]
    if not words:
        return False
    # A title left over from a template or an earlier issue ("Flash Update -
    # TS Melissa Flooding - Haiti - 20251023" on flash report No. 3) has words
    # and numbers the first page does not print.
    return sum(word in first_page_words for word in words) >= 0.8 * len(words)


def _report_date(first_page: PageLines, metadata: dict[str, str]) -> tuple[str | None, str]:
    """The date the first page prints, else the PDF's creation date.

    The top third of the page is read first, top to bottom, then the rest in
    reading order.  A period ("1 December 2025 to 4 February 2026") is dated
    by its end.  A date without a year in the top half ("8 - 18 November")
    takes the year that puts it closest to the creation date; the creation
    date alone is weak evidence (a file re-saved later), so it comes last.
    """
    top = sorted(
        (line for line in first_page.lines if line.top < first_page.height / 3), key=lambda line: (line.top, line.x0)
    )
    rest = sorted((line for line in first_page.lines if line.top >= first_page.height / 3), key=lambda line: line.order)
    created = next((m for key in ("CreationDate", "ModDate") if (m := _PDF_DATE.match(metadata.get(key, "")))), None)
    partial: PartialDate | None = None
    drawn = sorted(first_page.lines, key=lambda line: line.order)
    # "DREF Published:" may be a table cell with its date in the next one.
    labelled = [
        line
        for index, label in enumerate(drawn)
        if _ISSUE_LABEL.search(label.text)
        for line in drawn[index : index + 2]
    ]
    for line in labelled + top + rest:
        found = _line_date(line.text)
        if found is None:
            continue
        if found.complete() is not None:
            return found.complete().isoformat(), "first page"
        if line.top < first_page.height / 2:
            partial = partial or found  # "8 - 18 November" under the title; not "on January 8" in the text
    if partial is not None and created is not None:
        day = infer_year(partial, date(int(created.group(1)), int(created.group(2)), int(created.group(3))))
        return day.isoformat(), "first page; year from PDF metadata"
    if created is not None:
        return f"{created.group(1)}-{created.group(2)}-{created.group(3)}", "PDF metadata"
    if partial is not None:
        return f"{_MONTH_NAMES[partial.month - 1]} {partial.day}", "first page"
    return None, ""


def _line_date(text: str) -> PartialDate | None:
    """The date a line gives; a period gives its last day."""
    text = _MARKER.sub("", text)
    found = find_heading_date(text)
    if found is None:
        return _numeric_date(text)
    parts = _PERIOD.split(text)
    if len(parts) > 1:
        end = find_heading_date(parts[-1])
        if end is not None and (end.year is not None or found.year is None):
            return end
    return found


def _numeric_date(text: str) -> PartialDate | None:
    """"10/29/2025" or "27-11-2025": a numeric date whose day is over 12, so its order is plain."""
    for match in _NUMERIC_DATE.finditer(text):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        month, day = (first, second) if second > 12 >= first else (second, first) if first > 12 >= second else (0, 0)
        if month and PartialDate(month, day, year).complete() is not None:
            return PartialDate(month, day, year)
    return None
