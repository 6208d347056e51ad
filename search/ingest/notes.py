"""Endnotes: the numbered sources a report cites, and the domains they point to.

Inline markers (``[12]``) are stripped from the indexed text and resolved to
their endnote; the endnotes block itself is never body text.  In plain text
and Markdown an endnote is a line that starts with ``[n]`` and holds a link.

Reports defang the addresses of the sites they cite ("sprotyv.mod dot
gov.ua/…", "tass[.]ru"), so the address is rebuilt before its domain is read.
The ``cited`` facet holds registrable domains (``t.me``, ``tass.ru``,
``mod.gov.ua``), found with the Public Suffix List, so a fragment such as
``t`` or ``www`` never becomes a value.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

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
    body = rebuild_addresses(" ".join(match.group(2).split()))
    urls = tuple(url.rstrip(".,;") for url in URL.findall(body))
    if not urls:
        return None
    return Endnote(int(match.group(1)), body, urls)


# "tass[.]ru", "gur.gov [dot] ua", "mod dot gov.ua": a dot written so that no link is made.
_DEFANGED_DOT = re.compile(
    r"(?<=[\w-])(?:\s*(?:\[\.\]|\(\.\)|\[dot\]|\(dot\)|\{dot\})\s*|(?P<word>\s+dot\s+))(?=(?P<label>[a-z0-9-]+))",
    re.IGNORECASE,
)
_MARK = "\x00"
# A token holding a rebuilt dot, or a bare host with a path, lacks its scheme.
_BARE_ADDRESS = re.compile(r"(?<![\w/.@:-])((?:[a-z0-9-]+[.\x00])+[a-z]{2,24}(?:/[^\s;,]*|(?=[\s;,]|$)))", re.IGNORECASE)


def _undefang(match: re.Match[str]) -> str:
    # " dot " is also an English word: only before a top-level domain ("ru", "gov", "com").
    if match.group("word") and _suffixes().publicsuffix(match.group("label").lower(), accept_unknown=False) is None:
        return match.group(0)
    return _MARK


def rebuild_addresses(text: str) -> str:
    """Undo defanged addresses in an endnote: ``"ria dot ru/x"`` -> ``"https://ria.ru/x"``.

    >>> rebuild_addresses("https://sprotyv.mod dot gov.ua/2023/01/06/a ; tass[.]ru/b")
    'https://sprotyv.mod.gov.ua/2023/01/06/a ; https://tass.ru/b'
    """
    if not _DEFANGED_DOT.search(text):
        return text
    marked = _DEFANGED_DOT.sub(_undefang, text)
    if _MARK not in marked:
        return text

    def with_scheme(match: re.Match[str]) -> str:
        token = match.group(1)
        return f"https://{token}" if _MARK in token else token

    return _BARE_ADDRESS.sub(with_scheme, marked).replace(_MARK, ".")


_ADDRESS_TOKEN = re.compile(r"^(?:h?t?tps?:\S*|www\.\S+|\S+\.[a-z]{2,}/\S*|\S+/\S+|dot|\[dot\]|[;,|]|\S+\.\.\.)$",
                            re.IGNORECASE)


def is_address_list(text: str) -> bool:
    """True for a paragraph of addresses only ("https://t.me/a; https://x.com/b", "ttps://t.me/c")."""
    tokens = text.split()
    if not tokens or len(tokens) > 400:  # an endnote may list a hundred addresses; a page's text is longer
        return False
    addresses = [t for t in tokens if _ADDRESS_TOKEN.match(t)]
    return bool(addresses) and sum(map(len, addresses)) >= 0.8 * sum(map(len, tokens))


# A link whose host is plain lower-case letters, digits, dots and hyphens:
# urlsplit(url).hostname would return that host unchanged, and it costs far
# more.  Anything else (user info, a port, brackets, capitals, other
# characters) still goes through urlsplit.
_PLAIN_HOST = re.compile(r"https?://([a-z0-9.-]+)(?=[/?#]|\Z)")


def url_domain(url: str) -> str | None:
    """``https://www.t.me/x`` -> ``t.me``: the registrable domain; None without a real host.

    >>> url_domain("https://sprotyv.mod.gov.ua/x"), url_domain("https://t")
    ('mod.gov.ua', None)
    """
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
    return registrable_domain(host)


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list the package ships: nothing is fetched


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str | None:
    """The part of ``host`` a registrant owns (``news.yahoo.co.jp`` -> ``yahoo.co.jp``), or None.

    An IP address is kept as it is, and so is a site served at a public
    suffix itself (``mil.ru``); a host with no public suffix (``t``, ``www``,
    ``localhost``) is None.
    """
    host = host.rstrip(".").lower()
    if host.startswith("www.") and "." in host[4:]:
        host = host[4:]  # "www.mil.ru" is mil.ru, though mil.ru is on the suffix list
    if re.fullmatch(r"[\d.]+|\[[0-9a-f:.]+\]", host):
        return host
    suffixes = _suffixes()
    owned = suffixes.privatesuffix(host, accept_unknown=False)
    if owned is None and "." in host and suffixes.is_public(host):
        return host  # a site at a public suffix itself: https://mil.ru/, https://gov.uk/
    return owned


def cited_domains(notes: list[Endnote] | tuple[Endnote, ...]) -> tuple[str, ...]:
    """The distinct domains the given endnotes link to, in first-seen order."""
    domains = (url_domain(url) for note in notes for url in note.urls)
    return tuple(dict.fromkeys(d for d in domains if d))
