"""Plain text -> blocks: paragraphs, bullets, headings, date lines, source lines.

Reports pasted from web pages arrive with paragraphs separated by blank lines
or by nothing at all, lines broken inside a paragraph, bullets marked with
``•`` or ``-``, and leftovers of the page around them ("Share the Post:").
This module only decides what each stretch of text *is*; what it means for
dates, sources and sections is decided in :mod:`search.ingest`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·*]|[-–—](?=\s))\s*")
TERMINAL = tuple('.!?:;"”’)]')
# Leftovers of a web page: sharing and navigation widgets, not report text.
# Each run of spaces has one way to match, and a widget's name has a few
# words: "[\w ]+\s*:?\s*$" split runs of spaces every way, and a raw line
# "subscribe to" + 1,000 spaces + "!" took 2.4 s (#13).
CHROME = re.compile(
    r"^(?:share(?: (?:the|this)(?: (?:post|article|page|story))?)?|share on \w+|print(?: this page)?|"
    r"tweet|email|subscribe(?: to\s+\w+(?:\s+\w+){0,8})?|related(?: posts| articles| content)?|"
    r"read more|back to top|skip to (?:main )?content|menu|search|advertisement|"
    r"follow us(?: on \w+)?|download(?: the)? pdf|copy link|tags?)\s*(?::\s*)?$",
    re.IGNORECASE,
)
WRAPPED_LINE_MIN = 80  # a line this long without end punctuation was broken by a wrap


@dataclass(frozen=True)
class Block:
    """A stretch of text and what it looks like.

    ``kind`` is one of ``paragraph``, ``bullet``, ``heading`` or ``chrome``;
    date and source lines are told apart later, because knowing a source
    needs the taxonomy.
    """

    kind: str
    text: str
    line: int


# "Click here to expand the map below.", "Click here to see ISW's interactive
# map … This map is updated daily …": what a link leads to, not what happened.
CAPTION = re.compile(r"^(?:click|tap)\s*(?:here\s*)?to\b", re.IGNORECASE)
CAPTION_WORDS = 40
# The title of an error page saved in place of a report ("404 | Site", "Access Denied").
ERROR_TITLE = re.compile(r"^(?:40[0-9]|410|5\d\d)\b|^(?:page\s+)?not\s+found\b|^access\s+denied\b", re.IGNORECASE)
# Starts only where white space starts: tried inside a run of spaces, "\s+"
# scanned the rest of the run from each of them (quadratic, #13).
TITLE_SEPARATOR = re.compile(r"(?<!\s)\s+[|–—-]\s+")


def split_site_suffix(title: str) -> tuple[str, str]:
    """``"Story | Site"`` -> ``("Story", "Site")``; a title without a site's name -> ``(title, "")``.

    Only ``|`` or a suffix without digits counts, so "Iran Update - January
    5, 2023" keeps its date.

    >>> split_site_suffix("Russian Offensive Campaign Assessment, January 6, 2023 | Institute for the Study of War")
    ('Russian Offensive Campaign Assessment, January 6, 2023', 'Institute for the Study of War')
    """
    pieces = TITLE_SEPARATOR.split(title)
    if len(pieces) < 2:
        return title, ""
    separator = TITLE_SEPARATOR.findall(title)[-1].strip()
    last = pieces[-1]
    # A number standing alone is a date's ("January 5, 2023"); "UNITED24 Media" is a name.
    if 2 <= len(last) <= 60 and (separator == "|" or not re.search(r"\b\d+\b", last)):
        return title[: title.rfind(last)].rstrip(" |–—-"), last
    return title, ""


def clean_text(text: str) -> str:
    """Undo what copying from a browser does to text: odd spaces, BOM, CRLF."""
    return (
        text.replace("\ufeff", "")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u00a0", " ")
        .replace("\u200b", "")
    )


def _joins(previous: str, line: str, wrapped: bool = True) -> bool:
    """True when ``line`` continues the paragraph ``previous`` was broken from.

    ``wrapped=False`` is for text whose lines are a rendered page's elements,
    which no editor wrapped: only a line starting in lower case continues.
    """
    if previous.rstrip().endswith(TERMINAL):
        return False
    first = line.lstrip()[:1]
    return first.islower() or (wrapped and len(previous) >= WRAPPED_LINE_MIN)


def _kind(text: str, is_bullet: bool) -> str:
    if is_bullet:
        return "bullet"
    if CHROME.match(text):
        return "chrome"
    words = text.split()
    if text.endswith("?") and len(words) <= 30:
        return "heading"  # a question heading, as in Q&A explainers
    if len(words) <= 14 and not text.endswith(TERMINAL):
        return "heading"
    # "#2. Russian Main Effort – Eastern Ukraine (comprised of two efforts)":
    # a heading with a remark in brackets at its end.
    remark = _TRAILING_REMARK.search(text)
    if remark and len(words) <= 20:
        head = text[: remark.start()].rstrip()
        if head and len(head.split()) <= 14 and not head.endswith(TERMINAL):
            return "heading"
    return "paragraph"


_TRAILING_REMARK = re.compile(r"\([^()]*\)$")  # no leading "\s*": tried at every space, it was quadratic


def split_blocks(text: str, wrapped: bool = True) -> list[Block]:
    """Split plain text into blocks, joining lines broken inside a paragraph.

    ``wrapped=False`` when the lines were never wrapped (see :func:`_joins`).

    >>> [b.kind for b in split_blocks("Key facts\\n- one.\\n- two.\\nA long\\nline.")]
    ['heading', 'bullet', 'bullet', 'paragraph']
    """
    blocks: list[Block] = []
    lines: list[str] = []
    start = 0
    is_bullet = False

    def flush() -> None:
        nonlocal lines
        if lines:
            joined = " ".join(" ".join(lines).split())
            if joined:
                blocks.append(Block(_kind(joined, is_bullet), joined, start))
        lines = []

    for number, raw in enumerate(clean_text(text).split("\n"), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        bullet = BULLET.match(raw)
        if bullet and len(line) > 1:
            flush()
            lines, start, is_bullet = [raw[bullet.end() :].strip()], number, True
            continue
        if lines and _joins(lines[-1], line, wrapped) and not CHROME.match(line):
            lines.append(line)
            continue
        flush()
        lines, start, is_bullet = [line], number, False
    flush()
    return blocks
