"""The reports folder a pull writes.

File names from URLs, the manifest of what was saved, atomic writes, the folder lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urldefrag, urlsplit, urlunsplit

from ..errors import BadInput, PullError
from ..ingest import slug
from .feeds import UNTYPED
from .client import FetchFailed, Response

MANIFEST_NAME = ".sitrep-pulled.json"
LOCK_NAME = ".sitrep-pulled.lock"
MANIFEST_VERSION = 1
TEMP_PREFIX = ".sitrep-pull-"  # a dotfile: the indexer never reads a file being written
MAX_STEM = 80  # characters of host and path kept in a file name, before the hash
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
URL_SUFFIXES = {".html": ".html", ".htm": ".html", ".pdf": ".pdf", ".txt": ".txt", ".md": ".md",
                ".markdown": ".md", ".json": ".json", ".jsonl": ".jsonl"}
TEXT_SUFFIXES = (".html", ".txt", ".md", ".json", ".jsonl")


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
