"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: whether a response is one, and the links of its items."""

from __future__ import annotations

from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from .client import FetchFailed

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml")
# Servers that send no useful type: the URL's own suffix decides.
UNTYPED = ("", "application/octet-stream", "binary/octet-stream")
ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def feed_links(body: bytes, base_url: str) -> list[str] | None:
    """The item links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; None when the XML is no feed.

    Relative links are resolved against ``base_url`` (and Atom's
    ``xml:base``).  Items without a link are left out.

    :raises FetchFailed: the body is not well-formed XML, or declares
        entities (refused: they can expand without bound).
    """
    try:
        root = defusedxml.ElementTree.fromstring(body)
    except defusedxml.DefusedXmlException:
        raise FetchFailed("the feed declares XML entities, which are refused (they can expand without bound)") from None
    except ParseError as err:
        raise FetchFailed(f"not well-formed XML: {err}") from None
    links: list[str | None] = []
    if root.tag == "rss":
        links = [_rss_link(item) for item in root.iter("item")]
    elif root.tag == f"{ATOM}feed":
        base = urljoin(base_url, root.get(XML_BASE, ""))
        links = [_atom_link(entry, urljoin(base, entry.get(XML_BASE, ""))) for entry in root.iter(f"{ATOM}entry")]
    elif root.tag == f"{RDF}RDF":
        links = [
            (item.findtext(f"{RSS1}link") or "").strip() or item.get(f"{RDF}about") for item in root.iter(f"{RSS1}item")
        ]
    else:
        return None
    return list(dict.fromkeys(urljoin(base_url, link) for link in links if link))


def _rss_link(item: Element) -> str | None:
    link = (item.findtext("link") or "").strip()
    if link:
        return link
    guid = item.find("guid")
    # A guid is the item's address unless it says it is not (isPermaLink="false").
    if guid is not None and guid.get("isPermaLink", "true") != "false" and (guid.text or "").strip():
        return (guid.text or "").strip()
    return None


def _atom_link(entry: Element, base: str) -> str | None:
    candidates = [
        link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate" and link.get("href")
    ]
    candidates.sort(key=lambda link: "html" not in link.get("type", "text/html"))  # an HTML page first
    return urljoin(base, candidates[0].get("href", "").strip()) if candidates else None


def _declared_feed(media_type: str) -> bool:
    """The Content-Type says XML that may be a feed (not XHTML, which is a page)."""
    return media_type in FEED_TYPES or (media_type.endswith("+xml") and media_type != "application/xhtml+xml")


def _starts_like_xml(body: bytes) -> bool:
    """A feed served as text/html or text/plain still starts like one."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf:rdf"))
