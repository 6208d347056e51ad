"""Endnotes: the numbered sources a report cites, and the domains they point to.

Inline markers (``[12]``) are stripped from the indexed text and resolved to
their endnote; the endnotes block itself is never body text.  In plain text
and Markdown an endnote is a line that starts with ``[n]`` and holds a link.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .page import Endnote

URL = re.compile(r"https?://[^\s<>\"'\])]+", re.IGNORECASE)
ENDNOTE_LINE = re.compile(r"^\s*\[(\d{1,4})\]\s*(.*)$", re.DOTALL)


def endnote_from_text(text: str) -> Endnote | None:
    """Read ``"[3] https://t.me/… ; https://mil.ru/…"`` as endnote 3, or None.

    A line needs a link to count: "[3] Russian forces…" is a paragraph that
    happens to start with a marker.
    """
    match = ENDNOTE_LINE.match(text)
    if match is None:
        return None
    body = " ".join(match.group(2).split())
    urls = tuple(url.rstrip(".,;") for url in URL.findall(body))
    if not urls:
        return None
    return Endnote(int(match.group(1)), body, urls)


# A link whose host is plain lower-case letters, digits, dots and hyphens:
# urlsplit(url).hostname would return that host unchanged, and it costs far
# more.  Anything else (user info, a port, brackets, capitals, other
# characters) still goes through urlsplit.
_PLAIN_HOST = re.compile(r"https?://([a-z0-9.-]+)(?=[/?#]|\Z)")


def url_domain(url: str) -> str | None:
    """``https://www.t.me/x`` -> ``t.me``; None for a URL without a host."""
    plain = _PLAIN_HOST.match(url)
    if plain is not None:
        host = plain.group(1)
    else:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return None
        if not host:
            return None
    return host[4:] if host.startswith("www.") else host


def cited_domains(notes: list[Endnote] | tuple[Endnote, ...]) -> tuple[str, ...]:
    """The distinct domains the given endnotes link to, in first-seen order."""
    domains = (url_domain(url) for note in notes for url in note.urls)
    return tuple(dict.fromkeys(d for d in domains if d))
