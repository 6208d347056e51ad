"""A parsed page -> :class:`~search.ingest.page.ReportPage`: body blocks, title, address, date, notes.

Drops what is not a record (tables of contents, author lines, captions) and
turns ``[n] link`` paragraphs into endnotes.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

from ...dates import date_in_url, find_heading_date, parse_date_line
from ..notes import URL, endnote_from_text, is_address_list, rebuild_addresses
from ..page import Endnote, ReportPage
from ..text import CAPTION, CAPTION_WORDS, CHROME, ERROR_TITLE, Block, clean_text, split_site_suffix
from .parser import _Found, _PageReader

# "Angelica Evans, Kateryna Stepanenko, and Frederick W. Kagan"; "By Jane Doe"
_NAME = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,3}"
AUTHOR_LINE = re.compile(rf"^(?:by\s+)?{_NAME}(?:\s*,\s*(?:and\s+)?{_NAME})*(?:,?\s+and\s+{_NAME})?$")
# "Jan 6, 2023 - Press ISW", "Submitted by admin on Jan 6, 2023", "Posted: 6 January 2023"
SUBMITTED_LINE = re.compile(
    r"^(?:(?:submitted|posted|published|updated)(?:\s+by\s+[^,]{1,40}?)?(?:\s+on)?\s*:?\s*.{4,40}"
    r"|[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+(?:19|20)\d\d\s*[-–—|]\s*.{1,40})$",
    re.IGNORECASE,
)
FILE_NAME = re.compile(r"^\S(?:.{0,200}\S)?\.(?:png|jpe?g|gif|webp|tiff?|pdf|docx?|xlsx?|pptx?|zip|csv)$", re.IGNORECASE)
REMARK = re.compile(r"^\(.{1,250}\)$")
DATE_KEYS = ("article:published_time", "datepublished", "dc:date", "dc.date", "dc.date.issued",
             "dcterms.date", "dcterms:created", "dc:created", "date", "publish-date", "pubdate",
             "sailthru.date", "parsely-pub-date", "time", "article:modified_time", "datemodified")
# More than this share of the page's text, and a chrome-named container is the page.
MOST_OF_THE_PAGE = 0.5
_STRAY_LT = re.compile(r"<(?![A-Za-z/!?])")


def _body(found: list[_Found]) -> list[_Found]:
    """The blocks that are the page's text: chrome containers dropped, unless one is most of the page."""
    total = sum(len(f.text) for f in found) or 1
    share: Counter[int] = Counter()
    for f in found:
        for container in f.chrome:
            share[container] += len(f.text)
    page_sized = {container for container, size in share.items() if size > MOST_OF_THE_PAGE * total}
    kept = [f for f in found if all(c in page_sized for c in f.chrome)]
    article = [f for f in kept if f.in_article]
    return article or kept


def read_html(text: str) -> ReportPage:
    """Read a saved web page into a :class:`ReportPage` (see the module docstring).

    :raises ValueError: never; an error page ("404 | Site") comes back with
        ``error_page`` set so the caller can skip it with that reason.
    """
    reader = _PageReader()
    # A "<" that opens no tag is text; escaped, html.parser reads it in one
    # step instead of re-scanning the rest of the page for a tag each time.
    reader.feed(_STRAY_LT.sub("&lt;", clean_text(text)))
    reader.close()
    found = _body(reader.found)
    site = reader.meta.get("og:site_name") or None
    raw_title = " ".join("".join(reader.title_parts).split())
    title = _title(reader, raw_title, site)
    table_of_contents = _table_of_contents(found)
    endnotes: dict[int, Endnote] = {}
    blocks: list[Block] = []
    submitted: str | None = None
    last_note: Endnote | None = None
    for number, item in enumerate(found, start=1):
        kind, block_text = item.kind, item.text
        note = _endnote(block_text, item.links) if kind == "paragraph" else None
        if note is not None:
            endnotes.setdefault(note.number, note)
            last_note = endnotes[note.number]
            continue
        if kind == "paragraph" and (is_address_list(block_text) or (last_note and _is_fragment(block_text))):
            # An endnote's addresses that the page broke into a paragraph of
            # their own ("[7]" then "https://t.me/a; https://t.me/b"): they
            # belong to the endnote before them, and are never body text.
            if last_note is not None:
                rebuilt = rebuild_addresses(block_text)
                more = tuple(u.rstrip(".,;") for u in URL.findall(rebuilt))
                last_note = Endnote(last_note.number, f"{last_note.text} {rebuilt}",
                                    tuple(dict.fromkeys([*last_note.urls, *more])))
                endnotes[last_note.number] = last_note
            continue
        if kind == "heading" and title and _same(block_text, title):
            continue  # the page's own title repeated as its <h1>
        if number - 1 in table_of_contents:
            kind = "chrome"
        elif kind != "bullet" and AUTHOR_LINE.match(block_text) and len(block_text.split()) <= 30 and (
                # A bold line of two capitalised phrases ("Force Generation and
                # Mobilization Efforts") is a heading; a list of names is not.
                kind == "paragraph" or "," in block_text
                or (" and " in block_text and not any(b.kind == "paragraph" for b in blocks))):
            kind = "chrome"
        elif _is_submitted_line(kind, block_text):
            kind = "chrome"
            submitted = submitted or block_text
        elif CHROME.match(block_text) or FILE_NAME.match(block_text) or (
                CAPTION.match(block_text) and len(block_text.split()) <= CAPTION_WORDS):
            kind = "chrome"
        elif kind == "paragraph" and REMARK.match(block_text) and blocks and blocks[-1].kind == "heading" \
                and len(block_text.split()) <= 30:
            # "Russian Main Effort" then "(Russian objective: …)": one heading.
            blocks[-1] = Block("heading", f"{blocks[-1].text} {block_text}", blocks[-1].line)
            continue
        elif kind == "paragraph" and block_text.endswith(":") and len(block_text.split()) <= 15 \
                and number < len(found) and found[number].kind == "bullet":
            kind = "heading"  # "Observed indicators for the MDCOA in the past 24 hours:" over its list
        blocks.append(Block(kind, block_text, number))
    # A submitted line outside the article (Drupal's) still dates the page.
    submitted = submitted or next((f.text for f in reader.found if _is_submitted_line(f.kind, f.text)), None)
    date, basis = _page_date(reader.meta, title, submitted)
    url = _page_url(reader)
    if date is None and url:
        date = date_in_url(url)
        basis = "URL"
    return ReportPage(
        blocks=blocks,
        title=title,
        date=date,
        date_basis=basis if date else "",
        url=url,
        source=site,
        endnotes=endnotes,
        error_page=raw_title if ERROR_TITLE.match(raw_title) else None,
        single_report=True,
    )


def _title(reader: _PageReader, raw_title: str, site: str | None) -> str | None:
    """The report's own title: ``og:title`` only when it names this page, not the site."""
    own, suffix = split_site_suffix(raw_title)
    site_names = {_fold(name) for name in (site, suffix) if name}
    heading = next((f.text for f in reader.found if f.kind == "heading" and parse_date_line(f.text) is None
                    and not AUTHOR_LINE.match(f.text)), None)
    for candidate in (reader.meta.get("og:title"), reader.meta.get("twitter:title"), own,
                      reader.meta.get("dc:title"), heading):
        if candidate and candidate.strip() and _fold(candidate) not in site_names:
            return " ".join(candidate.split())
    return own or None


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def _page_url(reader: _PageReader) -> str | None:
    """Canonical link first (resolved against the site's own host); ``og:url`` only as a fallback."""
    canonical = reader.meta.get("canonical", "").strip()
    og_url = reader.meta.get("og:url", "").strip() or None
    if not canonical:
        return og_url
    if canonical.startswith(("http://", "https://")):
        return canonical
    base = reader.meta.get("base")
    if not base and reader.origins:
        base = reader.origins.most_common(1)[0][0]
    if not base and og_url and urlsplit(og_url).path.strip("/"):
        base = og_url
    return urljoin(base, canonical) if base else (og_url or canonical)


_SHORTENED = re.compile(r"(?:\.\.\.|…)$")


def _endnote(text: str, links: list[tuple[str, str]]) -> Endnote | None:
    # Hrefs as saved pages write them: "https://t.me/x;" or "https://sprotyv.mod dot".
    hrefs = [href.split()[0].rstrip(";,.") for href, _ in links if URL.match(href.strip())]
    links = [(href.strip().split()[0].rstrip(";,.") if href.strip() else href, shown) for href, shown in links]
    # Sites shorten a long link's text ("https://t.me/…"): the href is the address.
    for href, shown in links:
        if href in hrefs and shown and shown != href and (_SHORTENED.search(shown) or href.startswith(shown)):
            text = text.replace(shown, href, 1)
    note = endnote_from_text(text)
    match = re.match(r"^\s*\[(\d{1,4})\]", text)
    if note is None and not (match and hrefs):
        return None
    if note is None:  # "[3] Source" with the address only in the link
        note = Endnote(int(match.group(1)), " ".join(text[match.end():].split()))
    found = list(dict.fromkeys([*note.urls, *hrefs]))
    # A defanged address ("gur.gov [dot] ua/…") is often linked only up to the
    # defanged dot: the rebuilt address in the text is the whole of it.
    urls = tuple(u for u in found if not any(other != u and other.startswith(u) for other in found))
    return Endnote(note.number, note.text, urls)


def _table_of_contents(found: list[_Found]) -> set[int]:
    """Indexes of list items that repeat the page's later headings: an in-page table of contents.

    Sites write their contents as a plain list ("Russian Main Effort—Eastern
    Ukraine", …) without links, so the rule is what the items say, not how
    they are marked up: a list of short, unpunctuated items most of which
    name a heading that comes later.
    """
    lists: dict[int, list[int]] = {}
    for index, item in enumerate(found):
        if item.kind == "bullet" and item.list_id is not None:
            lists.setdefault(item.list_id, []).append(index)
    contents: set[int] = set()
    for members in lists.values():
        items = [found[i].text for i in members]
        if len(items) < 2 or any(len(t.split()) > 25 or t.rstrip().endswith((".", "!", "?")) for t in items):
            continue
        later = [_words(f.text) for f in found[members[-1] + 1:] if f.kind == "heading"]
        if not later:
            continue
        named = sum(any(_names(_words(t), heading) for heading in later) for t in items)
        if named >= max(2, 0.6 * len(items)):
            contents.update(members)
            # The list's first entry is sometimes a paragraph of its own just above it.
            before = members[0] - 1
            if before >= 0 and found[before].kind == "paragraph" and len(found[before].text.split()) <= 25 \
                    and not found[before].text.rstrip().endswith((".", "!", "?")) \
                    and any(_names(_words(found[before].text), heading) for heading in later):
                contents.add(before)
    return contents


def _is_fragment(text: str) -> bool:
    """True for a stray word or two with no sentence in it ("glava_lnr_info"): text left over from a broken link."""
    tokens = text.split()
    return len(tokens) <= 3 and not re.search(r"[.!?]$", text) and not re.search(r"[A-Z][a-z]+ [a-z]", text)


_STOP = frozenset("a an and the of in on to for with by at from".split())


def _words(text: str) -> set[str]:
    """The stems of a heading's words, its trailing remark ("(comprised of …)") left out."""
    text = re.sub(r"\([^()]*\)[^\w()]*$", "", text)  # "\W*" after it retried at every "(": quadratic
    return {w[:6] for w in re.findall(r"[^\W_]+", text.lower()) if w not in _STOP}


def _names(item: set[str], heading: set[str]) -> bool:
    """True when a list item and a heading share most of the heading's words (stems of six letters)."""
    if not item or not heading:
        return False
    common = len(item & heading)
    return common >= 0.6 * len(heading) or common >= 0.6 * len(item)


def _is_submitted_line(kind: str, text: str) -> bool:
    """ "Jan 6, 2023 - Press ISW": who posted the page and when, not a dateline and not body text."""
    return kind != "bullet" and bool(SUBMITTED_LINE.match(text)) and parse_date_line(text) is None


def _page_date(meta: dict[str, str], title: str | None, submitted: str | None) -> tuple[str | None, str]:
    for key in DATE_KEYS:
        if meta.get(key) and find_heading_date(meta[key].replace("T", " ")) is not None:
            return meta[key], "page metadata"
    if submitted:
        found = find_heading_date(submitted)
        if found is not None and found.year is not None:
            return f"{found.year}-{found.month:02d}-{found.day:02d}", "submitted line"
    if title:
        found = find_heading_date(title)
        if found is not None and found.year is not None:
            return title, "title"
    return None, ""
