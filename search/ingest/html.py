"""Saved web pages -> :class:`ReportPage`: the article body, without the site around it.

Parsed with the standard library's :class:`html.parser.HTMLParser`: it is
maintained with CPython, tolerates the broken markup saved pages are full
of, and costs no dependency.  The parser is driven as a stream of start
tags, text and end tags, with an explicit stack instead of a tree, so a page
nested ten thousand levels deep costs memory, not recursion.

What a report page looks like (ISW's daily assessments, think tanks' posts,
Drupal and WordPress sites): site chrome (menus, share buttons, related
posts, attachment lists, footers) around an article body; headings as
``<h2>`` or as a paragraph holding only bold text; takeaways as ``<li>``;
inline footnote markers ``[12]``; and an endnotes block of paragraphs that
start with ``[n]`` and hold links.  The rules:

* text inside ``script``, ``style``, ``template``, form controls and hidden
  elements is never text;
* ``nav``, ``header``, ``footer``, ``aside``, ``form`` and elements whose
  class or id names chrome ("share", "related", "menu", "sidebar", …) are
  chrome *unless they hold most of the page's text*: real pages put such
  classes on ``<body>`` ("one-sidebar sidebar-second") or wrap everything in
  a ``<form>``, and dropping the article with them loses the report;
* when the page marks its article (``<article>``, ``<main>``, ``itemprop=
  articleBody``, ``entry-content``, Drupal's ``field-name-body``), only text
  inside it counts;
* ``h1``–``h6`` and paragraphs that are all bold are headings, ``li``
  bullets, other blocks paragraphs; a short parenthesised line right after
  a heading belongs to the heading;
* not records: author and "submitted" lines, attachment lists and file
  names, "Download the PDF" links, map captions ("Click here to expand the
  map below"), and in-page tables of contents (a list of links to anchors,
  or a list whose items repeat the page's later headings);
* ``[n] … link`` paragraphs are endnotes; a link whose text the site
  shortened ("https://t.me/…") stands for its ``href``.

The page's own ``<title>``/``<h1>`` names the report unless ``og:title`` is
specific to it (sites often put their own name there), and the canonical
link beats ``og:url`` (which may name a staging host).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from ..dates import date_in_url, find_heading_date, parse_date_line
from .notes import URL, endnote_from_text, is_address_list, rebuild_addresses
from .page import Endnote, ReportPage
from .text import CAPTION, CAPTION_WORDS, CHROME, ERROR_TITLE, Block, clean_text, split_site_suffix

# Never text, wherever they are.
HIDDEN_TAGS = {"script", "style", "noscript", "svg", "template", "button", "select", "option", "textarea",
               "iframe", "object", "canvas", "head", "title"}
# Chrome by their tag, unless they hold most of the page's text.
CHROME_TAGS = {"nav", "header", "footer", "aside", "form"}
BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div", "section", "article",
              "main", "td", "th", "dd", "dt", "figcaption", "pre", "ul", "ol", "table", "tr", "body"}
TEXT_BLOCK_TAGS = {"p", "li", "blockquote", "td", "th", "dd", "dt", "pre", "div", "section", "figcaption"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LIST_TAGS = {"ul", "ol"}
BOLD_TAGS = {"strong", "b"}
VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "area", "base", "col", "embed",
             "param", "track"}
CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharethis|social|related|menu|navbar|nav|breadcrumbs?|cookie|consent|"
    r"footer|header|sidebar|widget|subscribe|newsletter|comments?|author|byline|submitted|tags|"
    r"pagination|pager|skip|toc|table-of-contents|popup|modal|banner|advert|ads?|attachments?|"
    r"attacments|print|file-attachments?)(?:$|[\s_-])",
    re.IGNORECASE,
)
ARTICLE_NAMES = re.compile(
    r"(?:^|\s)(?:entry-content|post-content|article-body|article-content|articlebody|field-body|"
    r"field-name-body|field--name-body|node__content|article__body|story-body|post-body|"
    r"content-body)(?:$|\s)",
    re.IGNORECASE,
)
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


@dataclass
class _Open:
    tag: str
    hidden: bool  # never text
    chrome: tuple[int, ...]  # the chrome-suspect containers this element is inside
    article: bool  # the page's article body
    list_id: int | None  # the list an <li> here belongs to


@dataclass
class _Draft:
    """The block being read: its text, its kind and how much of it is bold."""

    tag: str
    in_article: bool
    chrome: tuple[int, ...]
    list_id: int | None
    parts: list[str] = field(default_factory=list)
    bold_chars: int = 0
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, link text)
    anchors_only: bool = True  # every link points inside the page (a table of contents)


@dataclass
class _Found:
    kind: str
    text: str
    in_article: bool
    chrome: tuple[int, ...]
    list_id: int | None
    links: list[tuple[str, str]]


_STRAY_LT = re.compile(r"<(?![A-Za-z/!?])")


class _PageReader(HTMLParser):
    def parse_html_declaration(self, i: int) -> int:
        # "<![" not followed by a name makes html.parser (via _markupbase)
        # raise AssertionError on Python 3.11, which would skip the page.
        try:
            return super().parse_html_declaration(i)
        except AssertionError:
            self.handle_data("<![")
            return i + 3

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.found: list[_Found] = []
        self.meta: dict[str, str] = {}
        self.origins: Counter[str] = Counter()  # hosts of the site's own icons and styles
        self.title_parts: list[str] = []
        self.in_title = False
        self.bold_depth = 0
        self.draft: _Draft | None = None
        self.link: list[str] | None = None  # href and text parts of the open <a>
        self.containers = 0

    # -- state ------------------------------------------------------------

    def _top(self) -> _Open | None:
        return self.stack[-1] if self.stack else None

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
            linked = " ".join(" ".join(shown for _, shown in draft.links).split())
            # A contents entry (links inside the page) or a menu item (only a link's text).
            kind = "chrome" if draft.links and len(text) < 200 and (draft.anchors_only or linked == text) else "bullet"
        elif draft.bold_chars >= len(text.replace(" ", "")) * 0.9 and len(text.split()) <= 25:
            kind = "heading"  # <p><strong>Key Takeaways</strong></p>
        else:
            kind = "paragraph"
        self.found.append(_Found(kind, text, draft.in_article, draft.chrome, draft.list_id, draft.links))

    # -- parser callbacks -------------------------------------------------------

    def _metadata(self, tag: str, attributes: dict[str, str]) -> None:
        # <meta property=…>, and RDFa/microdata on any element: Drupal writes
        # <span property="dc:date dc:created" content="2023-01-06T21:08:22-05:00">.
        keys = attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or ""
        value = attributes.get("content") or (attributes.get("datetime") if tag == "time" else "")
        if keys and value:
            for key in keys.lower().split():
                self.meta.setdefault(key, value)
        if tag == "time" and attributes.get("datetime"):
            self.meta.setdefault("time", attributes["datetime"])
        if tag == "base" and attributes.get("href"):
            self.meta.setdefault("base", attributes["href"])
        if tag == "link":
            rel = attributes.get("rel", "").lower().split()
            href = attributes.get("href", "")
            if "canonical" in rel and href:
                self.meta.setdefault("canonical", href)
            elif ("icon" in rel or "stylesheet" in rel) and href.startswith(("http://", "https://")):
                self.origins[_origin(href)] += 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self._metadata(tag, attributes)
        if tag == "title":
            self.in_title = True
        top = self._top()
        hidden_here = bool(top and top.hidden)
        if tag == "br" and self.draft is not None:
            self.draft.parts.append(" ")
        if tag == "a" and not hidden_here:
            self.link = [attributes.get("href", "")]
            if self.draft is not None:
                href = attributes.get("href", "")
                if not href.startswith("#"):
                    self.draft.anchors_only = False
        if tag in VOID_TAGS:
            return
        names = f"{attributes.get('class', '')} {attributes.get('id', '')} {attributes.get('role', '')}"
        hidden = hidden_here or tag in HIDDEN_TAGS or attributes.get("aria-hidden") == "true" or \
            "hidden" in attributes
        chrome = top.chrome if top else ()
        if not hidden and (tag in CHROME_TAGS or CHROME_NAMES.search(names)):
            self.containers += 1
            chrome = (*chrome, self.containers)
        article = bool(top and top.article) or tag in ("article", "main") or \
            attributes.get("itemprop", "").lower() == "articlebody" or bool(ARTICLE_NAMES.search(names))
        list_id = top.list_id if top else None
        if tag in LIST_TAGS:
            self.containers += 1
            list_id = self.containers
        if tag in BLOCK_TAGS and not hidden:
            self._flush()
            if tag in TEXT_BLOCK_TAGS or tag in HEADING_TAGS:
                self.draft = _Draft(tag, article, chrome, list_id if tag == "li" else None)
        if tag in BOLD_TAGS:
            self.bold_depth += 1
        self.stack.append(_Open(tag, hidden, chrome, article, list_id))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "a" and self.link is not None:
            if self.draft is not None:
                self.draft.links.append((self.link[0], " ".join("".join(self.link[1:]).split())))
            self.link = None
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
        top = self._top()
        if top and top.hidden:
            return
        if self.link is not None:
            self.link.append(data)
        if self.draft is None:
            if not data.strip():
                return
            # Text straight inside a container: a block of its own.
            self.draft = _Draft("div", bool(top and top.article), top.chrome if top else (), None)
        self.draft.parts.append(data)
        if self.bold_depth:
            self.draft.bold_chars += len(data.replace(" ", "").strip())

    def close(self) -> None:
        super().close()
        self._flush()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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
        elif kind != "bullet" and SUBMITTED_LINE.match(block_text) and parse_date_line(block_text) is None:
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
    submitted = submitted or next(
        (f.text for f in reader.found if f.kind != "bullet" and SUBMITTED_LINE.match(f.text)
         and parse_date_line(f.text) is None), None)
    date, basis = _page_date(reader.meta, title, submitted)
    url = _page_url(reader)
    if date is None and url and date_in_url(url):
        date, basis = date_in_url(url), "URL"
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
