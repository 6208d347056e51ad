"""Page furniture and footnotes: what a page repeats in its margins, and its notes.

Running headers, footers and page numbers are dropped; small numbered
lines at the bottom of a page become endnotes.
"""

from __future__ import annotations

import re

from ..notes import URL
from ..page import Endnote
from .lines import Line, PageLines
from .patterns import _FOOTNOTE_START, MARGIN, _MARKER, _PAGE_NUMBER


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
