"""One `sitrep pull` run: each URL fetched, saved or followed as a feed, and what happened to it."""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from ..config import Settings
from ..errors import BadInput, PullError
from ..ingest import file_hash
from .feeds import _declared_feed, _starts_like_xml, feed_links
from .client import FetchFailed, Fetcher, describe_failure
from .files import (
    Manifest,
    TEXT_SUFFIXES,
    _as_utf8,
    _folder_lock,
    _suffix,
    _url_problem,
    normalise_url,
    pulled_file_name,
    write_atomically,
)


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
