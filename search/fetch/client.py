"""One polite HTTP client for a pull.

Timeouts, a size limit, a delay per host, few redirects, one failure reason per URL.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from ..config import Settings
from ..ingest import MAX_FILE_BYTES

MAX_REDIRECTS = 5
# The ingest limit: a larger file would only be skipped by `sitrep index`.
MAX_RESPONSE_BYTES = MAX_FILE_BYTES


class FetchFailed(Exception):
    """One URL could not be pulled; ``str(err)`` is the reason shown to the user."""


def user_agent(settings: Settings) -> str:
    """``Sitrep/<version>``, plus ``(+contact)`` when ``settings.pull_contact`` is set."""
    try:
        version = metadata.version("sitrep")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        version = "0"
    return f"Sitrep/{version}" + (f" (+{settings.pull_contact})" if settings.pull_contact else "")


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
