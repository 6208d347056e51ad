"""Caps on the size of a paragraph and of a report, the same for every format (#13).

A JSON Lines record may hold 100 MB of text in one string, a saved page one
enormous ``<p>``.  As one paragraph, 100 MB peaked at 7.9 GB while indexing,
and every later search that matched it took 103 s and 4.4 GB: a paragraph is
stored, analysed, highlighted and fingerprinted whole.  So before blocks
become paragraphs (:func:`cap_page`, called by :func:`search.ingest.read_report_file`):

* a block longer than :data:`MAX_PARAGRAPH_CHARS` is split into parts of at
  most that many characters, at the last sentence end in each stretch, else
  at the last space, else anywhere;
* a heading longer than :data:`MAX_HEADING_CHARS` is a paragraph, since it
  would otherwise become a section name;
* a page (a record of a JSON Lines or JSON export; a whole file of any other
  format) keeps at most :data:`MAX_PAGE_PARAGRAPHS` paragraphs and
  :data:`MAX_PAGE_CHARS` characters of text, and the rest is dropped with a
  warning that names the record;
* a title or source longer than :data:`MAX_TITLE_CHARS` is shortened, and an
  address longer than :data:`MAX_URL_CHARS` is dropped, each with a warning.
"""

from __future__ import annotations

import re
from typing import Iterator

from .page import ReportPage
from .text import Block

MAX_PARAGRAPH_CHARS = 4_000
MAX_HEADING_CHARS = 300
# A file of any format but an export is at most 20 MB (MAX_FILE_BYTES), so
# these caps only cut records of JSON exports, or files of countless tiny
# paragraphs; a year of ISW daily reports pasted into one file has ~36,000.
MAX_PAGE_CHARS = 20_000_000
MAX_PAGE_PARAGRAPHS = 50_000
MAX_TITLE_CHARS = 300
MAX_URL_CHARS = 2_000

# A sentence ends with . ! ? or …, perhaps closing quotes or brackets and
# footnote markers ("advanced.”[12]"), then white space.  No part can run
# past the next end mark, so finding them is linear.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?:\[\d{1,4}\])*\s")


def split_long_text(text: str, limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at sentence ends where there are any.

    Each cut is at the last sentence end within the next ``limit``
    characters, else at the last space, else at ``limit``.  Parts are
    stripped; text no longer than ``limit`` is its own one part.

    >>> split_long_text("One two. Three four five. Six.", limit=20)
    ['One two.', 'Three four five.', 'Six.']
    """
    return [part for _, part in _parts(text, limit)]


def _parts(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """(offset, part) for each part of :func:`split_long_text`, made only as they are asked for."""
    start = 0
    while len(text) - start > limit:
        # One character more: a space just after the limit still ends a part.
        window = text[start : start + limit + 1]
        cut = 0
        for cut_match in _SENTENCE_END.finditer(window):
            cut = cut_match.end()
        if cut == 0:
            cut = window.rfind(" ") + 1 or limit
        part = text[start : start + cut].strip()
        if part:
            yield start, part
        start += cut
    rest = text[start:].strip()
    if rest:
        yield start, rest


def cut_text(text: str, limit: int = MAX_PAGE_CHARS) -> tuple[str, int]:
    """``text`` cut to at most ``limit`` characters, and how many were left out.

    For a reader that holds one record's text as one string: cutting it
    before it is split into blocks spares the memory of splitting what
    :func:`cap_page` would leave out anyway (1.4 GB for a 100 MB record).
    """
    if len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


def left_out_warning(characters: int) -> str:
    """The warning for a page cut at the caps, without the page's origin."""
    return (
        f"longer than {MAX_PAGE_PARAGRAPHS:,} paragraphs or {MAX_PAGE_CHARS:,} characters; "
        f"the last {characters:,} characters are left out"
    )


def cap_page(page: ReportPage) -> list[str]:
    """Split ``page``'s long blocks and cut it at the page caps, in place; return the warnings.

    Each warning starts with the page's ``origin`` ("line 3: ...") when it
    has one, so that it names the record in its file.
    """
    where = f"{page.origin}: " if page.origin else ""
    warnings: list[str] = []
    for name, limit in (("title", MAX_TITLE_CHARS), ("source", MAX_TITLE_CHARS)):
        value = getattr(page, name)
        if value and len(value) > limit:
            setattr(page, name, _shortened(value, limit))
            warnings.append(f"{where}{name} of {len(value):,} characters shortened to {limit:,}")
    if page.url and len(page.url) > MAX_URL_CHARS:
        warnings.append(f"{where}address of {len(page.url):,} characters (over {MAX_URL_CHARS:,}) left out")
        page.url = None
    blocks: list[Block] = []
    paragraphs = chars = 0
    for number, block in enumerate(page.blocks):
        kind = block.kind
        if kind == "chrome" or (kind == "heading" and len(block.text) <= MAX_HEADING_CHARS):
            blocks.append(block)
            continue
        if kind == "heading":
            kind = "paragraph"
        parts = _parts(block.text, MAX_PARAGRAPH_CHARS) if len(block.text) > MAX_PARAGRAPH_CHARS else [(0, block.text)]
        for offset, part in parts:
            if paragraphs == MAX_PAGE_PARAGRAPHS or chars + len(part) > MAX_PAGE_CHARS:
                # What is left: this block from this part on, and the blocks after it.
                left = len(block.text) - offset + sum(len(later.text) for later in page.blocks[number + 1 :])
                warnings.append(where + left_out_warning(left))
                page.blocks = blocks
                return warnings
            blocks.append(block if part is block.text and kind == block.kind else Block(kind, part, block.line))
            paragraphs += 1
            chars += len(part)
    page.blocks = blocks
    return warnings


def _shortened(text: str, limit: int) -> str:
    """``text`` cut at the last space before ``limit`` characters, with an ellipsis."""
    head = text[: limit - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip() + "…"


__all__ = [
    "MAX_HEADING_CHARS",
    "MAX_PAGE_CHARS",
    "MAX_PAGE_PARAGRAPHS",
    "MAX_PARAGRAPH_CHARS",
    "MAX_TITLE_CHARS",
    "MAX_URL_CHARS",
    "cap_page",
    "cut_text",
    "left_out_warning",
    "split_long_text",
]
