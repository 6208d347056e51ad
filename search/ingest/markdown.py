"""Markdown notes -> :class:`ReportPage`.

Analysts keep notes and clipped reports in Markdown.  ATX (``# Title``) and
setext (underlined) headings are headings; list items (``-``, ``*``, ``+``,
``1.``) are bullets, their continuation lines joined; a paragraph that is
only ``**bold**`` is a heading, as on web pages.  Emphasis and inline code
marks are removed and ``[text](url)`` becomes ``text``.  Simple front matter
(``---`` then ``key: value`` lines) gives the title, date, source and URL; a
first ``# Title`` gives the title otherwise.  Footnote definitions
(``[^3]: text``) and ``[3] text https://…`` lines are endnotes, and ``[^3]``
references become ``[3]`` markers like everywhere else.
"""

from __future__ import annotations

import re

from .notes import URL, endnote_from_text
from .page import Endnote, ReportPage
from .text import CHROME, Block, clean_text

ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
FOOTNOTE_DEF = re.compile(r"^\s{0,3}\[\^(\d{1,4})\]:\s*(.*)$")
BOLD_ONLY = re.compile(r"^(\*\*|__)(.+?)\1:?$")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
FRONT_KEYS = {"title", "date", "source", "url", "publisher", "link"}


def _inline(text: str) -> str:
    """Markdown inline syntax -> plain text."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images: keep the alt text
    text = re.sub(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)", r"\1", text)  # links
    text = re.sub(r"\[\^(\d{1,4})\]", r"[\1]", text)  # footnote references
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    return " ".join(text.split())


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in ("---", "..."):
            meta = {}
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                if sep and key.strip().lower() in FRONT_KEYS:
                    meta[key.strip().lower()] = value.strip().strip("\"'")
            return meta, lines[end + 1 :]
    return {}, lines


def read_markdown(text: str) -> ReportPage:
    """Read a Markdown report into a :class:`ReportPage`."""
    meta, lines = _front_matter(clean_text(text).split("\n"))
    blocks: list[Block] = []
    endnotes: dict[int, Endnote] = {}
    title = meta.get("title") or None
    current: list[str] = []
    kind = "paragraph"
    start = 0
    in_fence = False

    def flush() -> None:
        nonlocal current, kind
        if current:
            raw = " ".join(current)
            body = _inline(raw)
            if body:
                bold = BOLD_ONLY.match(raw.strip())
                block_kind = "heading" if kind == "paragraph" and bold and len(body.split()) <= 25 else kind
                if CHROME.match(body):
                    block_kind = "chrome"
                note = endnote_from_text(body) if block_kind == "paragraph" else None
                if note is not None:
                    endnotes.setdefault(note.number, note)
                else:
                    blocks.append(Block(block_kind, body, start))
        current, kind = [], "paragraph"

    for number, line in enumerate(lines, start=1):
        if FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if not line.strip():
            flush()
            continue
        heading = ATX.match(line)
        if heading:
            flush()
            words = _inline(heading.group(2))
            if len(heading.group(1)) == 1 and not blocks and (title is None or words == title):
                title = words  # the document's own title, not a section
            elif words:
                blocks.append(Block("heading", words, number))
            continue
        if SETEXT.match(line) and current and kind == "paragraph":
            words = _inline(" ".join(current))
            current = []
            if line.strip().startswith("=") and title is None and not blocks:
                title = words
            elif words:
                blocks.append(Block("heading", words, start))
            continue
        definition = FOOTNOTE_DEF.match(line)
        if definition:
            flush()
            body = _inline(definition.group(2))
            urls = tuple(u.rstrip(".,;") for u in URL.findall(definition.group(2)))
            endnotes.setdefault(int(definition.group(1)), Endnote(int(definition.group(1)), body, urls))
            continue
        item = LIST_ITEM.match(line)
        if item and not re.match(r"^\s{0,3}-{3,}\s*$", line):
            flush()
            current, kind, start = [item.group(1)], "bullet", number
            continue
        if not current:
            start = number
        current.append(line.strip())
    flush()
    return ReportPage(
        blocks=blocks,
        title=title,
        date=meta.get("date") or None,
        date_basis="front matter" if meta.get("date") else "",
        url=meta.get("url") or meta.get("link") or None,
        source=meta.get("source") or meta.get("publisher") or None,
        endnotes=endnotes,
    )
