"""The stream parser of a saved page: tags and text on an explicit stack, sorted into blocks.

It tells the article from the site chrome around it (the rules are in
:mod:`search.ingest.html`) and keeps every candidate block with what the
reader needs to choose among them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

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
