"""Saved web pages -> :class:`ReportPage`: the article body, without the site around it.

Parsed with the standard library's :class:`html.parser.HTMLParser`: it is
maintained with CPython, tolerates the broken markup saved pages are full
of, and costs no dependency.  The parser is driven as a stream of start
tags, text and end tags, with an explicit stack instead of a tree, so a page
nested ten thousand levels deep costs memory, not recursion.

What a report page looks like (ISW's daily assessments, think tanks' posts):
site chrome (menus, share buttons, related posts, footers) around an article
body; headings as ``<h2>`` or as a paragraph holding only bold text; takeaways
as ``<li>``; inline footnote markers ``[12]``; and an endnotes block of
paragraphs that start with ``[n]`` and hold links.  The rules:

* text inside ``script``, ``style``, ``nav``, ``header``, ``footer``,
  ``aside``, ``form`` and elements whose class or id names chrome ("share",
  "related", "menu", "cookie", …) is dropped;
* when the page marks its article (``<article>``, ``<main>``, ``itemprop=
  articleBody``, ``entry-content``-like classes), only text inside it counts;
* ``h1``–``h6`` and paragraphs that are all bold are headings, ``li`` bullets,
  other blocks paragraphs; author lines and in-page tables of contents are
  chrome; ``[n] … link`` paragraphs are endnotes, not blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..dates import find_heading_date
from .notes import URL, endnote_from_text
from .page import Endnote, ReportPage
from .text import CHROME, Block, clean_text

SKIPPED_TAGS = {"script", "style", "noscript", "svg", "template", "nav", "header", "footer", "aside",
                "form", "button", "select", "iframe", "object", "canvas", "head"}
BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div", "section", "article",
              "main", "td", "th", "dd", "dt", "figcaption", "pre", "ul", "ol", "table", "tr", "body"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BOLD_TAGS = {"strong", "b"}
VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "area", "base", "col", "embed",
             "param", "track"}
CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|related|menu|navbar|nav|breadcrumbs?|cookie|consent|footer|"
    r"header|sidebar|widget|subscribe|newsletter|comments?|author|byline|tags|pagination|skip|toc|"
    r"table-of-contents|popup|modal|banner|advert|ads?)(?:$|[\s_-])",
    re.IGNORECASE,
)
ARTICLE_NAMES = re.compile(
    r"(?:^|\s)(?:entry-content|post-content|article-body|article-content|articlebody|field-body|"
    r"story-body|post-body|content-body)(?:$|\s)",
    re.IGNORECASE,
)
# "Angelica Evans, Kateryna Stepanenko, and Frederick W. Kagan"; "By Jane Doe"
_NAME = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,3}"
AUTHOR_LINE = re.compile(rf"^(?:by\s+)?{_NAME}(?:\s*,\s*(?:and\s+)?{_NAME})*(?:,?\s+and\s+{_NAME})?$")
TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,60}$")
URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/|$)")


@dataclass
class _Open:
    tag: str
    skipped: bool  # chrome: its text is dropped
    article: bool  # the page's article body


@dataclass
class _Draft:
    """The block being read: its text, its kind and how much of it is bold."""

    tag: str
    in_article: bool
    parts: list[str] = field(default_factory=list)
    bold_chars: int = 0
    links: list[str] = field(default_factory=list)
    anchors_only: bool = True  # every link points inside the page (a table of contents)


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.blocks: list[tuple[str, str, bool, list[str]]] = []  # kind, text, in_article, links
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.in_title = False
        self.bold_depth = 0
        self.draft: _Draft | None = None
        self.saw_article = False

    # -- state ------------------------------------------------------------

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1].skipped

    def _in_article(self) -> bool:
        return bool(self.stack) and self.stack[-1].article

    def _flush(self) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            return
        text = " ".join("".join(draft.parts).split())
        if not text:
            return
        if draft.tag in HEADING_TAGS:
            kind = "heading"
        elif draft.tag == "li":
            kind = "chrome" if draft.links and draft.anchors_only and len(text) < 200 else "bullet"
        elif draft.bold_chars >= len(text.replace(" ", "")) * 0.9 and len(text.split()) <= 25:
            kind = "heading"  # <p><strong>Key Takeaways</strong></p>
        else:
            kind = "paragraph"
        self.blocks.append((kind, text, draft.in_article, draft.links))

    # -- parser callbacks -------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "meta":
            key = (attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or "").lower()
            if key and attributes.get("content"):
                self.meta.setdefault(key, attributes["content"])
            return
        if tag == "link" and "canonical" in attributes.get("rel", "").lower():
            self.meta.setdefault("canonical", attributes.get("href", ""))
            return
        if tag == "time" and attributes.get("datetime"):
            self.meta.setdefault("time", attributes["datetime"])
        if tag == "title":
            self.in_title = True
        if tag == "br" and self.draft is not None:
            self.draft.parts.append(" ")
        if tag == "a" and self.draft is not None and not self._skipping():
            href = attributes.get("href", "")
            self.draft.links.append(href)
            if not href.startswith("#"):
                self.draft.anchors_only = False
        if tag in VOID_TAGS:
            return
        names = f"{attributes.get('class', '')} {attributes.get('id', '')} {attributes.get('role', '')}"
        skipped = self._skipping() or tag in SKIPPED_TAGS or bool(CHROME_NAMES.search(names)) or \
            attributes.get("aria-hidden") == "true" or "hidden" in attributes
        article = self._in_article() or tag in ("article", "main") or \
            attributes.get("itemprop", "").lower() == "articlebody" or bool(ARTICLE_NAMES.search(names))
        if article and not skipped:
            self.saw_article = True
        if tag in BLOCK_TAGS and not skipped:
            self._flush()
            if tag in ("p", "li", "blockquote", "td", "th", "dd", "dt", "pre", "div", "section") or tag in HEADING_TAGS:
                self.draft = _Draft(tag, article)
        if tag in BOLD_TAGS:
            self.bold_depth += 1
        self.stack.append(_Open(tag, skipped, article))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in VOID_TAGS:
            return
        # Close up to the matching open tag; a stray end tag closes nothing.
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth].tag == tag:
                for closed in self.stack[depth:]:
                    if closed.tag in BOLD_TAGS:
                        self.bold_depth = max(0, self.bold_depth - 1)
                del self.stack[depth:]
                if tag in BLOCK_TAGS:
                    self._flush()
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self._skipping():
            return
        if self.draft is None:
            if not data.strip():
                return
            # Text straight inside a container: a block of its own.
            self.draft = _Draft("div", self._in_article())
        self.draft.parts.append(data)
        if self.bold_depth:
            self.draft.bold_chars += len(data.replace(" ", "").strip())

    def close(self) -> None:
        super().close()
        self._flush()


def read_html(text: str) -> ReportPage:
    """Read a saved web page into a :class:`ReportPage` (see the module docstring)."""
    reader = _PageReader()
    reader.feed(clean_text(text))
    reader.close()
    found = [b for b in reader.blocks if b[2]] if reader.saw_article else reader.blocks
    title = _title(reader)
    endnotes: dict[int, Endnote] = {}
    blocks: list[Block] = []
    for number, (kind, block_text, _, links) in enumerate(found, start=1):
        note = _endnote(block_text, links) if kind == "paragraph" else None
        if note is not None:
            endnotes.setdefault(note.number, note)
            continue
        if kind == "heading" and title and _same(block_text, title):
            continue  # the page's own title repeated as its <h1>
        if kind == "paragraph" and AUTHOR_LINE.match(block_text) and len(block_text.split()) <= 30:
            kind = "chrome"
        if CHROME.match(block_text):
            kind = "chrome"
        blocks.append(Block(kind, block_text, number))
    date, basis = _page_date(reader.meta, title, blocks)
    url = reader.meta.get("og:url") or reader.meta.get("canonical") or None
    if date is None and url:
        date, basis = _url_date(url)
    return ReportPage(
        blocks=blocks,
        title=title,
        date=date,
        date_basis=basis if date else "",
        url=url,
        source=reader.meta.get("og:site_name") or None,
        endnotes=endnotes,
    )


def _title(reader: _PageReader) -> str | None:
    raw = reader.meta.get("og:title") or reader.meta.get("twitter:title") or " ".join("".join(reader.title_parts).split())
    if not raw:
        heading = next((text for kind, text, _, _ in reader.blocks if kind == "heading"), None)
        return heading
    return TITLE_SUFFIX.sub("", " ".join(raw.split())) or raw


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def _endnote(text: str, links: list[str]) -> Endnote | None:
    note = endnote_from_text(text)
    if note is not None:
        urls = tuple(dict.fromkeys([*note.urls, *(u for u in links if URL.match(u))]))
        return Endnote(note.number, note.text, urls)
    match = re.match(r"^\s*\[(\d{1,4})\]", text)
    web_links = [u for u in links if URL.match(u)]
    if match and web_links:  # "[3] Source" with the address only in the link
        return Endnote(int(match.group(1)), " ".join(text[match.end():].split()), tuple(web_links))
    return None


def _page_date(meta: dict[str, str], title: str | None, blocks: list[Block]) -> tuple[str | None, str]:
    for key in ("article:published_time", "date", "dc.date", "dc.date.issued", "datepublished",
                "publish-date", "article:modified_time", "time"):
        if meta.get(key):
            return meta[key], "page metadata"
    if title:
        found = find_heading_date(title)
        if found is not None and found.year is not None:
            return title, "title"
    return None, ""


def _url_date(url: str) -> tuple[str | None, str]:
    match = URL_DATE.search(url)
    if match:
        return f"{match.group('y')}-{int(match.group('m')):02d}-{int(match.group('d')):02d}", "URL"
    found = find_heading_date(re.sub(r"[-_/]+", " ", url))
    if found is not None and found.year is not None:
        return f"{found.year}-{found.month:02d}-{found.day:02d}", "URL"
    return None, ""
