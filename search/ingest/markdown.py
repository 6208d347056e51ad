"""Markdown notes -> :class:`ReportPage`.

Analysts keep notes and clipped reports in Markdown.  ATX (``# Title``) and
setext (underlined) headings are headings; list items (``-``, ``*``, ``+``,
``1.``) are bullets, their continuation lines joined; a paragraph that is
only ``**bold**`` is a heading, as on web pages.  Emphasis and inline code
marks are removed and ``[text](url)`` becomes ``text``.  Simple front matter
(``---`` then ``key: value`` lines), or a list of ``**Key**: value`` items as
page converters write it, gives the title, date, source and URL; a first
``# Title`` gives the title otherwise, unless it is only the site's host name.
On a converted page, an outline h1 that shares no word with the page's
``<title>`` line ("Make a Monthly Gift", "Video") gives way to that line, and
a one-word title ("Ukraine") to the whole line with the site's name.  Its
date is, in order: front matter or metadata, a date in its title, the date
line nearest a repetition of its title (not a feed's day or a site's clock
further off), its URL's (applied later), and a "This page was last updated
on …" line.
A list whose items are headings is the page's outline, not bullets, and a
paragraph of many lines or of very long ones is a rendered page's text, read
line by line as plain text is.  Footnote definitions
(``[^3]: text``) and ``[3] text https://…`` lines are endnotes, and ``[^3]``
references become ``[3]`` markers like everywhere else.
"""

from __future__ import annotations

import re

from ..dates import date_in_url, find_heading_date, parse_date_line
from .notes import URL, endnote_from_text, is_address_list
from .page import Endnote, ReportPage
from .text import CAPTION, CAPTION_WORDS, CHROME, ERROR_TITLE, Block, clean_text, split_blocks, split_site_suffix

# The closing "#"s are stripped in Python: "(.*?)\s*#*\s*$" tried every split
# of a long run of "#"s (18 s for one line of 20,000, #13).
ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
FOOTNOTE_DEF = re.compile(r"^\s{0,3}\[\^(\d{1,4})\]:\s*(.*)$")
BOLD_ONLY = re.compile(r"^(\*\*|__)(.+?)\1:?$")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
FRONT_KEYS = {"title", "date", "source", "url", "publisher", "link"}
# Page-to-Markdown converters write what they know as a list: "- **URL**: https://…".
META_ITEM = re.compile(r"^\*\*([^*\n]{1,40})\*\*\s*:\s*(.*)$")
META_KEYS = {"url": "url", "link": "url", "canonical": "url", "source url": "url", "title": "title",
             "date": "date", "published": "date", "publication date": "date", "date published": "date",
             "source": "source", "publisher": "source", "site": "source"}
# ... and the page's outline as a list of its headings: "- # Title", "  - ## Key Takeaways".
OUTLINE_ITEM = re.compile(r"^#{1,6}\s")
# A list item that is nothing but a link: a menu or link list, not a point the report makes.
LINK_ONLY = re.compile(r"^(?:\[[^\]\n]{0,300}\]\([^()\s]{0,2000}\)|<?https?://\S{1,2000}>?)$")
HOST_NAME = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+$", re.IGNORECASE)
# A paragraph whose lines are a flattened page (one DOM text node a line), not
# a hard-wrapped paragraph: a line no editor would wrap at, or many lines.
FLATTENED_LINE = 160
FLATTENED_LINES = 12


# Inline syntax, in the order it is removed.  No part of a pattern may run
# past the character that would start another match ("[", "(", the emphasis
# mark): a line of 40,000 "[" took 4.5 s and 200,000 "[a](b" 69 s when the
# link text and address could run to the end of the line, each "[" scanning
# it again (#13).  So link text holds no brackets, an address no unbalanced
# parenthesis, and single-mark emphasis no other mark of its kind.
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")  # keeps the alt text
_LINK = re.compile(r"\[([^\[\]]+)\]\((?:[^()]|\([^()]*\))*\)")  # keeps the text
_FOOTNOTE_REF = re.compile(r"\[\^(\d{1,4})\]")
# Bold opens on a mark followed by text (as CommonMark wants), so a run of
# "*" is not a string of empty bold spans.  Emphasis starts with its mark and
# looks behind it after, so that the engine skips from one mark to the next
# instead of trying every position.
_STRONG = tuple(re.compile(rf"{mark}{mark}(?![\s{mark}])(.+?){mark}{mark}") for mark in (r"\*", "_"))
_EMPHASIS = tuple(
    re.compile(rf"{mark}(?<![\w*]{mark})(?!\s)([^{mark}]+?)(?<!\s){mark}(?![\w*])") for mark in (r"\*", "_")
)


def _inline(text: str) -> str:
    """Markdown inline syntax -> plain text."""
    for pattern in (_IMAGE, _LINK):
        text = _keep_group(pattern, text)
    pieces = _FOOTNOTE_REF.split(text)
    pieces[1::2] = [f"[{number}]" for number in pieces[1::2]]
    text = "".join(pieces)
    for pattern in (*_STRONG, *_EMPHASIS):
        text = _keep_group(pattern, text)
    text = _without_code_marks(text)
    return " ".join(text.split())


def _keep_group(pattern: re.Pattern[str], text: str) -> str:
    """``pattern.sub(r"\\1", text)`` for a pattern with one group: each match replaced by its group.

    ``re.split`` returns the text between matches and each match's group, so
    joining them is the substitution without a Python call per match (a
    third of the time on a line of 300,000 ``**a``).
    """
    return "".join(pattern.split(text))


def _without_code_marks(text: str) -> str:
    """Remove the backticks of inline code spans: every backtick but an unpaired last one.

    The same as ``re.sub(r"`([^`]*)`", r"\\1", text)``: that pairs each
    backtick with the next, left to right.
    """
    if text.count("`") % 2 == 0:
        return text.replace("`", "")
    head, tail = text.rsplit("`", 1)
    return head.replace("`", "") + "`" + tail


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

    listed: dict[int, str] = {}  # block index -> "meta" or "outline", for lists told apart below

    def flush() -> None:
        nonlocal current, kind
        if current and kind == "paragraph" and len(current) > 1 and (
                len(current) > FLATTENED_LINES or max(map(len, current)) > FLATTENED_LINE):
            # Text copied from a rendered page: read its lines as plain text is read.
            if blocks and blocks[-1].kind == "heading" and "meta" in listed.values():
                # The converter's own "## Content" over the page's text, not a section.
                blocks[-1] = Block("chrome", blocks[-1].text, blocks[-1].line)
            for block in split_blocks("\n".join(_inline(line) for line in current), wrapped=False):
                note = endnote_from_text(block.text) if block.kind != "bullet" else None  # "[1] https://…" is short
                if note is None and block.kind != "heading" and _page_leftover(block.text):
                    blocks.append(Block("chrome", block.text, start + block.line - 1))
                    continue
                if note is not None:
                    endnotes.setdefault(note.number, note)
                else:
                    blocks.append(Block(block.kind, block.text, start + block.line - 1))
            current, kind = [], "paragraph"
            return
        if current:
            raw = " ".join(current)
            if kind == "bullet":
                if META_ITEM.match(raw.strip()):
                    listed[len(blocks)] = "meta"
                elif OUTLINE_ITEM.match(raw.strip()):
                    listed[len(blocks)] = "outline"
            body = _inline(raw)
            if body:
                bold = BOLD_ONLY.match(raw.strip())
                block_kind = "heading" if kind == "paragraph" and bold and len(body.split()) <= 25 else kind
                if CHROME.match(body) or (kind == "bullet" and LINK_ONLY.match(raw.strip())):
                    block_kind = "chrome"  # "- [Donate now](https://…)": a menu, not a takeaway
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
            words = _inline(heading.group(2).rstrip().rstrip("#"))
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
    blocks, listed_meta, outline = _lists_that_describe_the_page(blocks, listed)
    if listed_meta:
        blocks = [_as_rendered_page(block) for block in blocks]
    for key, value in listed_meta.items():
        meta.setdefault(key, value)
    if title is not None and HOST_NAME.match(title):
        title = None  # "# www.aljazeera.com": the site, not the report
    from_outline = not meta.get("title") and title is None and bool(outline)
    # Of the outline's top headings ("News", "Zelensky says …"), the report's is the fullest.
    title = meta.get("title") or title or max(outline, key=lambda h: len(h.split()), default=None)
    described = bool(listed_meta or outline or meta)
    shown = _shown_title([b.text for b in blocks if b.kind in ("heading", "paragraph")][:80], outline) if described else None
    if title is None and described:
        headings = [b.text for b in blocks if b.kind in ("heading", "paragraph")][:80]
        title = shown[0] if shown else next((h for h in headings if len(h.split()) >= 4), None)
    elif from_outline and shown and len(shown[0].split()) >= 3 and not _content_words(title) & _content_words(shown[0]):
        # An h1 that shares no word with the page's <title> heads a widget or a
        # section ("Make a Monthly Gift", "Video"), not the report (#12).
        title = shown[0]
    if (title and shown and not meta.get("title") and len(title.split()) == 1 and _fold(shown[0]) == _fold(title)
            and shown[1] != shown[0]):
        # "Ukraine" alone is a section's or a place's name: the <title> line
        # "Ukraine - European Civil Protection …" says whose page it is (#12).
        title = shown[1]
    if listed_meta and title:  # the page's own title again, as its heading or its <title> line
        blocks = [Block("chrome", b.text, b.line) if b.kind in ("paragraph", "bullet") and
                  title in (split_site_suffix(b.text)[0], b.text) else b for b in blocks]
    url = meta.get("url") or meta.get("link") or None
    date, basis = meta.get("date") or None, "front matter" if meta.get("date") else ""
    if date is None and title and find_heading_date(title) is not None:
        date, basis = title, "title"  # "Ukraine frontline update February 26 2026" is that day's report
    if date is None and title and described:
        date = _dateline_by_the_title(blocks, title)
        basis = "dateline" if date else ""
    if date is None and not (url and date_in_url(url)):
        # A page that prints no date of its own but says when it was last
        # updated: that, not an event in its timeline, dates it (#12).
        blocks, date = _last_updated(blocks)
        basis = "last-updated line" if date else ""
    return ReportPage(
        blocks=blocks,
        title=title,
        date=date,
        date_basis=basis,
        url=url,
        source=meta.get("source") or meta.get("publisher") or None,
        endnotes=endnotes,
        single_report=described,
        error_page=title if title and ERROR_TITLE.match(title) else None,
    )


# What a rendered page leaves between its paragraphs: "[lix]" (a note's
# back-link), "[#IABV2_LABEL#]", "(current)", "© 2026 …  All rights reserved."
_NO_WORDS = re.compile(r"^(?:[\[(][^\])]{0,60}[\])]|[^A-Za-z\u00C0-\u024F\u0400-\u04FF]*)$")
_LEGAL = re.compile(r"^(?:©|\(c\)\s|copyright\b)|\ball rights reserved\b", re.IGNORECASE)


def _page_leftover(text: str) -> bool:
    """True for a rendered page's line that is no text of the report (see above), or only addresses."""
    return bool(_NO_WORDS.match(text)) or is_address_list(text) or (
        len(text.split()) <= 40 and bool(_LEGAL.search(text)))


_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[.!?…][\"”’)\]]*$")
_ADDRESS_START = re.compile(r"^(?:\[?https?://|whatsapp://|mailto:|\[?\\?\[email)", re.IGNORECASE)


def _as_rendered_page(block: Block) -> Block:
    """What a converted page's paragraph or list item is, read as a rendered page.

    Converted pages carry the whole page: share links ("https://twitter.com/
    intent/tweet?text=…"), cookie notices, follower counts ("55K DW News") and
    menus of names ("Olena Zashko").  A report's own text says something in
    sentences; those do not.
    """
    if block.kind not in ("paragraph", "bullet"):
        return block
    text, words = block.text, len(block.text.split())
    if _page_leftover(text) or (_ADDRESS_START.match(text) and words <= 30) or (
            CAPTION.match(text) and words <= CAPTION_WORDS) or (
            _COOKIE.search(text) and words <= 120) or ("©" in text and words <= 60):
        return Block("chrome", text, block.line)  # "… Photo credit: © 2022 Laura Noel / CARE"
    if not _SENTENCE.search(text) and words <= (3 if block.kind == "bullet" else 6):
        return Block("chrome" if block.kind == "bullet" else "heading", text, block.line)
    return block


_SMALL_WORDS = {"the", "and", "for", "with", "from", "that", "this", "its", "are", "was", "has", "how", "why",
                "what", "who", "not", "but", "into", "over", "after", "about"}


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _content_words(text: str) -> set[str]:
    """The words that say what a title is about: "Putin’s war" -> {"putin", "war"}."""
    words = (re.sub(r"[’']s$", "", word) for word in re.findall(r"[\w’']+", text.casefold()))
    return {word for word in words if len(word) >= 3 and word not in _SMALL_WORDS}


def _shown_title(texts: list[str], outline: list[str]) -> tuple[str, str] | None:
    """The rendered page's <title> line: (the title without the site's name, the line as written).

    A rendered page's text starts with its <title> ("Story | Site", or an
    outline heading as it is), often after a few menu words ("Skip links",
    "Close").  A <title> written over several lines (a post's text, as a
    video page gives it) starts at the first sentence before the line that
    ends with the site's name.
    """
    if texts and split_site_suffix(texts[0])[1]:
        return split_site_suffix(texts[0])[0], texts[0]
    # The <title> run together with the icon names after it ("Story | Site bars bin close").
    heading = next((h for h in outline if texts and _fold(texts[0]).startswith(_fold(h))), None)
    if heading:
        return heading, heading
    for index, text in enumerate(texts):
        own, site = split_site_suffix(text)
        if site:
            start = next((t for t in texts[:index] if len(t.split()) >= 4 and _SENTENCE.search(t)), None)
            return (start, start) if start else (own, text)
    return None


# A page's own date stands next to its title, above or below it, maybe past a
# byline; a news feed's day ("27 February") or a site's clock stands elsewhere.
BY_THE_TITLE = 12


def _dateline_by_the_title(blocks: list[Block], title: str) -> str | None:
    """The date line nearest to a repetition of the page's title, within :data:`BY_THE_TITLE` blocks."""
    key = _fold(title)
    spots = [i for i, b in enumerate(blocks) if key in (_fold(b.text), _fold(split_site_suffix(b.text)[0]))]
    dated = [i for i, b in enumerate(blocks) if b.kind != "bullet" and parse_date_line(b.text) is not None]
    pairs = [(abs(i - spot), i) for spot in spots for i in dated if 0 < abs(i - spot) <= BY_THE_TITLE]
    return blocks[min(pairs)[1]].text if pairs else None


LAST_UPDATED = re.compile(
    r"^(?:this\s+(?:page|article|report)\s+was\s+|page\s+)?last\s+(?:updated|modified|reviewed)"
    r"(?:\s+on)?\s*:?\s*(?P<date>[^.]{4,40}?)\.?$", re.IGNORECASE)


def _last_updated(blocks: list[Block]) -> tuple[list[Block], str | None]:
    """The date of a "This page was last updated on 24 February 2026" line, which then is no record."""
    for number, block in enumerate(blocks):
        match = LAST_UPDATED.match(block.text) if block.kind != "chrome" else None
        if match and find_heading_date(match.group("date")) is not None:
            out = list(blocks)
            out[number] = Block("chrome", block.text, block.line)
            return out, match.group("date")
    return blocks, None


def _lists_that_describe_the_page(blocks: list[Block], listed: dict[int, str]) -> tuple[list[Block], dict[str, str], list[str]]:
    """Turn metadata lists and outlines (whole lists of them, two items or more) into chrome.

    :returns: the blocks, the metadata found (``url``, ``title``, ``date``,
        ``source``) and the outline's headings.
    """
    found: dict[str, str] = {}
    outline: list[str] = []
    out = list(blocks)
    index = 0
    while index < len(blocks):
        end = index
        while end < len(blocks) and blocks[end].kind == "bullet":
            end += 1
        run = range(index, end)
        # One item is an outline too when the headings under it are nested in it.
        # A single "- # Title" is an outline too: a real bullet is never a heading.
        if len(run) >= 2 or (len(run) == 1 and listed.get(index) == "outline"):
            for what in ("meta", "outline"):
                if all(listed.get(i) == what for i in run):
                    if index > 0 and out[index - 1].kind == "heading":  # "## Metadata", "## Page Structure"
                        out[index - 1] = Block("chrome", out[index - 1].text, out[index - 1].line)
                    for i in run:
                        out[i] = Block("chrome", blocks[i].text, blocks[i].line)
                        if what == "meta":
                            key, _, value = blocks[i].text.partition(":")
                            field = META_KEYS.get(key.strip().lower())
                            if field and value.strip():
                                found.setdefault(field, value.strip())
                        elif blocks[i].text.startswith("# "):  # the outline's top headings
                            outline.append(blocks[i].text.split(" - #")[0].lstrip("#").strip())
        index = max(end, index + 1)
    return out, found, outline
