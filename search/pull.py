"""Fetch report pages and feeds into the reports folder (`sitrep pull`).

Fetching is its own stage, before ingest: :func:`pull` saves each page
under a file name derived from its URL (:func:`pulled_file_name`), so
pulling a URL again maps to the same file, and records what it saved in a
manifest, ``.sitrep-pulled.json`` in the same folder (a dotfile, so the
indexer's walk skips it).  The caller then runs the incremental index over
the folder.

Rules:

* A URL in the manifest is not fetched again, unless ``refresh``: then it is
  fetched with a conditional GET and its file replaced only when the content
  changed.
* Content already saved under another URL (same hash) is not saved twice;
  the manifest notes the URL as a copy, so it is not fetched again either.
* A URL whose response is an RSS 2.0, RSS 1.0 (RDF) or Atom feed (by its
  Content-Type, or a body that parses as one) is a feed: each item's link is
  pulled, the feed itself is not saved.  A feed listed inside a feed is not
  followed.
* Polite: one request at a time, a ``Sitrep/<version>`` User-Agent, a
  timeout for connecting and for each read, a size limit, a delay between
  two requests to one host, http and https only, at most
  :data:`MAX_REDIRECTS` redirects.
* Nothing half-written: a file is written to a temporary dotfile in the same
  folder and renamed into place, and the manifest likewise.
* One failed URL never stops the others; each is reported with its reason.

This module never imports whoosh, flask or click.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import unquote, urldefrag, urljoin, urlsplit, urlunsplit

import defusedxml
import defusedxml.ElementTree
from xml.etree.ElementTree import Element, ParseError

from .config import Settings
from .errors import BadInput, PullError
from .ingest import MAX_FILE_BYTES, file_hash, slug

MANIFEST_NAME = ".sitrep-pulled.json"
LOCK_NAME = ".sitrep-pulled.lock"
MANIFEST_VERSION = 1
TEMP_PREFIX = ".sitrep-pull-"  # a dotfile: the indexer never reads a file being written
MAX_REDIRECTS = 5
MAX_STEM = 80  # characters of host and path kept in a file name, before the hash
# The ingest limit: a larger file would only be skipped by `sitrep index`.
MAX_RESPONSE_BYTES = MAX_FILE_BYTES

# Media type -> the suffix whose reader `sitrep index` uses.
SUFFIXES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/x-jsonlines": ".jsonl",
}
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml")
# Servers that send no useful type: the URL's own suffix decides.
UNTYPED = ("", "application/octet-stream", "binary/octet-stream")
URL_SUFFIXES = {".html": ".html", ".htm": ".html", ".pdf": ".pdf", ".txt": ".txt", ".md": ".md",
                ".markdown": ".md", ".json": ".json", ".jsonl": ".jsonl"}
TEXT_SUFFIXES = (".html", ".txt", ".md", ".json", ".jsonl")

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


class FetchFailed(Exception):
    """One URL could not be pulled; ``str(err)`` is the reason shown to the user."""


@dataclass
class PullSummary:
    """What one `sitrep pull` run did, URL by URL."""

    folder: Path
    fetched: list[tuple[str, Path]] = field(default_factory=list)  # new files
    replaced: list[tuple[str, Path]] = field(default_factory=list)  # --refresh, content changed
    unchanged: list[str] = field(default_factory=list)  # --refresh, content the same
    known: list[str] = field(default_factory=list)  # in the manifest already: not fetched
    same_content: list[tuple[str, str]] = field(default_factory=list)  # (URL, URL that has it)
    feeds: list[tuple[str, int]] = field(default_factory=list)  # (feed URL, items listed)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (URL, reason)

    @property
    def tried(self) -> int:
        """Every URL handled: the arguments and the items of their feeds."""
        return sum(map(len, (self.fetched, self.replaced, self.unchanged, self.known,
                             self.same_content, self.feeds, self.failed)))

    def line(self) -> str:
        """The one-line summary printed by the CLI."""
        feeds = ""
        if self.feeds:
            items = sum(count for _, count in self.feeds)
            feeds = (f"; {len(self.feeds)} feed{'s' if len(self.feeds) != 1 else ''} listed "
                     f"{items} item{'s' if items != 1 else ''}")
        return (
            f"{len(self.fetched)} fetched, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged, "
            f"{len(self.known)} already pulled, {len(self.same_content)} same content as another URL, "
            f"{len(self.failed)} failed{feeds}; saved in {self.folder}"
        )

    def check(self) -> None:
        """Raise when any URL failed, after the caller has reported them one by one.

        :raises PullError: at least one URL failed ("2 of 9 URLs failed").
        """
        if self.failed:
            noun = "URL" if self.tried == 1 else "URLs"
            raise PullError(f"{len(self.failed)} of {self.tried} {noun} failed")


def user_agent(settings: Settings) -> str:
    """``Sitrep/<version>``, plus ``(+contact)`` when ``settings.pull_contact`` is set."""
    try:
        version = metadata.version("sitrep")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        version = "0"
    return f"Sitrep/{version}" + (f" (+{settings.pull_contact})" if settings.pull_contact else "")


def normalise_url(text: str) -> str:
    """An http(s) URL as the manifest keys it: no fragment, lower-case scheme and host.

    >>> normalise_url("HTTPS://Example.org/Report#p3")
    'https://example.org/Report'

    :raises BadInput: not an http or https URL with a host.
    """
    text = text.strip()
    problem = _url_problem(text)
    if problem:
        raise BadInput(f"{text!r} is {problem}")
    parts = urlsplit(urldefrag(text)[0])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _url_problem(text: str) -> str | None:
    """Why ``text`` cannot be pulled ("not an http or https URL"), or None."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as err:
        return f"not a valid URL ({err})"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not an http or https URL"
    return None


def pulled_file_name(url: str, suffix: str) -> str:
    """The stable file name for ``url``: host and path as a slug, a hash of the URL, ``suffix``.

    The hash keeps URLs that slug alike apart; the slug keeps the name
    readable and lets ingest find a date written in the path.

    >>> pulled_file_name("https://example.org/reports/kursk-dec-14.html", ".html")
    'example-org-reports-kursk-dec-14-f38f700a98.html'
    """
    parts = urlsplit(url)
    path = unquote(parts.path)
    for known in URL_SUFFIXES:
        if path.lower().endswith(known):
            path = path[: -len(known)]
            break
    stem = slug(f"{parts.hostname or ''} {path}")[:MAX_STEM].strip("-")
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:10]
    return f"{stem}-{digest}{suffix}"


def pulled_urls(folder: Path) -> dict[str, str]:
    """File name -> the address it was pulled from (after redirects), for ``folder``'s manifest.

    Ingest can use this to give a saved page without a canonical link its URL.

    :raises PullError: the manifest exists but cannot be read.
    """
    manifest = Manifest.load(Path(folder))
    return {entry["file"]: entry.get("final_url") or url for url, entry in manifest.entries.items() if "file" in entry}


def pull(settings: Settings, urls: Iterable[str], *, into: Path | None = None, refresh: bool = False) -> PullSummary:
    """Fetch each URL (a report page or a feed) into the reports folder.

    The folder is ``into``, or else the first of ``settings.reports``; it is
    created when missing.  Failures are collected URL by URL in the summary
    (call :meth:`PullSummary.check` to raise them); every URL is checked
    before any is fetched.

    :param refresh: fetch URLs in the manifest again, with a conditional GET,
        and replace their files when the content changed.
    :raises BadInput: a URL is not http(s), no URL was given, or the folder
        is a file.
    :raises PullError: the folder cannot be created, another pull is saving
        into it, or the manifest cannot be read or written.
    """
    targets = list(dict.fromkeys(normalise_url(url) for url in urls))
    if not targets:
        raise BadInput("give at least one URL of a report page or an RSS/Atom feed")
    if into is None and not settings.reports:
        raise BadInput("no reports folder to pull into: give --into DIR or set SITREP_REPORTS")
    folder = Path(into if into is not None else settings.reports[0])
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder} is a file; pull into a folder (--into DIR or SITREP_REPORTS)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PullError(f"cannot create {folder}: {err.strerror}") from None
    with _folder_lock(folder):
        run = _PullRun(Fetcher(settings), Manifest.load(folder), PullSummary(folder.resolve()), refresh)
        for url in targets:
            run.pull_url(url, in_feed=False)
    return run.summary


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``.sitrep-pulled.lock`` so two pulls never overwrite each other's manifest.

    An ``flock``: the kernel drops it when the process dies, so none is ever stale.

    :raises PullError: another `sitrep pull` holds it.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; one pull at a time is up to the user
        yield
        return
    with open(folder / LOCK_NAME, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PullError(f"another sitrep pull is saving into {folder}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclass
class Response:
    """A successful response, body read in full."""

    url: str  # after redirects
    media_type: str  # lower case, without parameters
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow at most :data:`MAX_REDIRECTS` redirects, and only to http(s) URLs."""

    # urllib's own limits (a loop, too many hops) fire after this check, and
    # would report only "HTTP 302": keep them out of the way.
    max_repeats = MAX_REDIRECTS + 1
    max_redirections = MAX_REDIRECTS + 1

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        problem = None
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            problem = f"redirected to {newurl}, which is not an http or https URL"
        elif sum(getattr(req, "redirect_dict", {}).values()) >= MAX_REDIRECTS:
            problem = f"more than {MAX_REDIRECTS} redirects"
        if problem:
            fp.close()
            raise FetchFailed(problem)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Fetcher:
    """GET one URL at a time, politely (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.timeout = settings.pull_timeout
        self.delay = settings.pull_delay
        self.user_agent = user_agent(settings)
        self.last_request: dict[str, float] = {}
        # Built by hand, not with build_opener(): no file:, ftp: or data:
        # handlers, so a feed or a redirect can never reach a local file.
        self.opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(),
            urllib.request.HTTPHandler(),
            urllib.request.HTTPSHandler(),
            urllib.request.HTTPDefaultErrorHandler(),
            _Redirects(),
            urllib.request.HTTPErrorProcessor(),
        ):
            self.opener.add_handler(handler)

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response | None:
        """Fetch ``url``; None when a conditional GET says it is not modified.

        :raises FetchFailed, OSError, http.client.HTTPException, ValueError:
            the URL could not be fetched (see :func:`describe_failure`).
        """
        headers = {"User-Agent": self.user_agent, "Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = urlsplit(url).hostname or ""
        wait = self.last_request.get(host, -1e9) + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            return self._read(urllib.request.Request(url, headers=headers))
        except urllib.error.HTTPError as err:
            err.close()
            if err.code == 304:
                return None
            raise FetchFailed(f"HTTP {err.code} {err.reason}") from None
        finally:
            self.last_request[host] = time.monotonic()

    def _read(self, request: urllib.request.Request) -> Response:
        with self.opener.open(request, timeout=self.timeout) as response:
            declared = response.headers.get("Content-Length", "")
            limit_text = f"larger than {MAX_RESPONSE_BYTES // 2**20} MB"
            if declared.isdigit():
                if int(declared) > MAX_RESPONSE_BYTES:
                    raise FetchFailed(limit_text)
                body = response.read()  # raises IncompleteRead when the body is cut short
            else:
                body = response.read(MAX_RESPONSE_BYTES + 1)
                if len(body) > MAX_RESPONSE_BYTES:
                    raise FetchFailed(limit_text)
            return Response(
                url=response.geturl(),
                media_type=response.headers.get_content_type() if response.headers.get("Content-Type") else "",
                charset=response.headers.get_content_charset(),
                body=body,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
            )


def describe_failure(err: BaseException, timeout: int) -> str:
    """The reason shown for a URL that failed with ``err``."""
    if isinstance(err, FetchFailed):
        return str(err)
    reason: Any = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(reason, TimeoutError):
        return f"timed out (no answer within {timeout} s)"
    if isinstance(reason, http.client.IncompleteRead):
        return f"connection closed after {len(reason.partial)} of {len(reason.partial) + (reason.expected or 0)} bytes"
    if isinstance(reason, http.client.HTTPException):
        return f"bad HTTP response: {reason.__class__.__name__} {reason}".strip()
    if isinstance(reason, OSError) and reason.strerror:
        return f"cannot connect: {reason.strerror}"
    return f"cannot fetch: {reason}"


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


def _suffix(response: Response) -> str:
    if response.media_type in SUFFIXES:
        return SUFFIXES[response.media_type]
    if response.media_type in UNTYPED:
        path = urlsplit(response.url).path.lower()
        for known, suffix in URL_SUFFIXES.items():
            if path.endswith(known):
                return suffix
    shown = response.media_type or "no Content-Type"
    raise FetchFailed(f"unsupported content type {shown}; expected HTML, PDF, plain text, Markdown or JSON")


def _as_utf8(body: bytes, charset: str | None) -> bytes:
    """Text in the charset the server named, re-encoded as UTF-8 (what ingest reads first)."""
    if not charset or charset.lower().replace("_", "-") in ("utf-8", "us-ascii", "ascii"):
        return body
    try:
        return body.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):  # a wrong or unknown charset: keep the bytes for ingest to guess
        return body


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary dotfile and a rename: whole or not at all.

    :raises OSError: the file cannot be written; no temporary file is left.
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes 0600; a report is no secret
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


class Manifest:
    """URL -> what was pulled from it, kept in ``.sitrep-pulled.json``.

    An entry has ``hash`` and ``fetched_at``, and either ``file`` (with
    ``final_url``, ``content_type``, ``etag``, ``last_modified``) or
    ``same_as``, the URL whose file holds the same content.
    """

    def __init__(self, path: Path, entries: dict[str, dict[str, Any]]) -> None:
        self.path = path
        self.entries = entries

    @classmethod
    def load(cls, folder: Path) -> "Manifest":
        """The manifest of ``folder``; empty when there is none yet.

        :raises PullError: the file exists but is not a manifest.
        """
        path = folder / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path, {})
        except (OSError, ValueError) as err:
            raise PullError(f"cannot read {path} ({err}); move it away to pull everything again") from None
        entries = data.get("pulled") if isinstance(data, dict) else None
        if not isinstance(entries, dict) or not all(isinstance(e, dict) for e in entries.values()):
            raise PullError(f"{path} is not a Sitrep pull manifest; move it away to pull everything again")
        return cls(path, entries)

    def save(self) -> None:
        """Write the manifest whole (temporary file and rename).

        :raises PullError: it cannot be written.
        """
        text = json.dumps({"version": MANIFEST_VERSION, "pulled": self.entries}, indent=1, sort_keys=True)
        try:
            write_atomically(self.path, text.encode("utf-8"))
        except OSError as err:
            raise PullError(f"cannot write {self.path}: {err.strerror}") from None

    def holder_of(self, digest: str, other_than: str) -> str | None:
        """The URL whose saved file has content ``digest``, other than ``other_than``."""
        return next(
            (url for url, entry in self.entries.items()
             if url != other_than and "file" in entry and entry.get("hash") == digest),
            None,
        )


@dataclass
class _PullRun:
    fetcher: Fetcher
    manifest: Manifest
    summary: PullSummary
    refresh: bool
    seen: set[str] = field(default_factory=set)

    def pull_url(self, url: str, in_feed: bool) -> None:
        """Pull one URL (a feed's items too); record the outcome in the summary."""
        if url in self.seen:
            return
        self.seen.add(url)
        entry = self.manifest.entries.get(url)
        if entry is not None and not self.refresh:
            self.summary.known.append(url)
            return
        try:
            self._fetch(url, entry, in_feed)
        except (FetchFailed, http.client.HTTPException, OSError, ValueError) as err:
            self.summary.failed.append((url, describe_failure(err, self.fetcher.timeout)))

    def _fetch(self, url: str, entry: dict[str, Any] | None, in_feed: bool) -> None:
        folder = self.summary.folder
        saved = folder / entry["file"] if entry and "file" in entry else None
        # A file deleted since is fetched whole: a 304 could not bring it back.
        conditional = entry if entry and (saved is None or saved.exists()) else {}
        response = self.fetcher.get(url, conditional.get("etag"), conditional.get("last_modified"))
        if response is None:
            self.summary.unchanged.append(url)
            return
        declared = _declared_feed(response.media_type)
        if declared or _starts_like_xml(response.body):
            try:
                links = feed_links(response.body, response.url)
            except FetchFailed:
                if declared:
                    raise
                links = None  # XHTML that is not well-formed XML is still a page
            if links is not None:
                if in_feed:
                    raise FetchFailed("a feed listed in a feed is not followed; pull it by its own URL")
                self._pull_feed(url, links)
                return
            if declared:
                raise FetchFailed("XML that is not an RSS or Atom feed")
        suffix = _suffix(response)
        data = _as_utf8(response.body, response.charset) if suffix in TEXT_SUFFIXES else response.body
        digest = file_hash(data)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if entry and entry.get("hash") == digest and (saved is None or saved.exists()):
            entry.update(fetched_at=now, etag=response.etag, last_modified=response.last_modified)
            self.manifest.save()
            self.summary.unchanged.append(url)
            return
        holder = self.manifest.holder_of(digest, other_than=url)
        if holder is not None:
            self.manifest.entries[url] = {"same_as": holder, "hash": digest, "fetched_at": now}
            self.manifest.save()
            self.summary.same_content.append((url, holder))
            return
        path = folder / pulled_file_name(url, suffix)
        try:
            write_atomically(path, data)
        except OSError as err:
            raise FetchFailed(f"cannot save {path.name}: {err.strerror}") from None
        if saved is not None and saved != path:  # the server changed the type: the old suffix goes
            saved.unlink(missing_ok=True)
        self.manifest.entries[url] = {
            "file": path.name, "hash": digest, "fetched_at": now, "final_url": response.url,
            "content_type": response.media_type, "etag": response.etag, "last_modified": response.last_modified,
        }
        self.manifest.save()
        (self.summary.replaced if entry and "file" in entry else self.summary.fetched).append((url, path))

    def _pull_feed(self, url: str, links: list[str]) -> None:
        self.summary.feeds.append((url, len(links)))
        for link in links:
            problem = _url_problem(link)
            if problem:
                if link not in self.seen:
                    self.seen.add(link)
                    self.summary.failed.append((link, problem))
                continue
            self.pull_url(normalise_url(link), in_feed=True)


__all__ = [
    "FetchFailed",
    "MANIFEST_NAME",
    "PullSummary",
    "feed_links",
    "normalise_url",
    "pull",
    "pulled_file_name",
    "pulled_urls",
]
