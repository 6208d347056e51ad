"""Characters and lines: PDFium's glyphs of each page as lines, cut at column gaps, with raised numbers and links."""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .patterns import _BOLD_FONT, _BULLET, COLUMN_GAP, _MARK_CLOSE, _MARK_OPEN, SUPERSCRIPT_SIZE


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
