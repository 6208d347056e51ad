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

Modules: :mod:`.run` (the run), :mod:`.client` (HTTP), :mod:`.feeds`
(feeds and their links), :mod:`.files` (file names, the manifest, writes).

May import: the top-level modules of ``search`` (config, errors) and
``search.ingest`` for its file rules (size limit, hashes, slugs).  Never
whoosh, ``search.index``, ``search.query``, flask or click.
"""

from .feeds import feed_links
from .client import MAX_REDIRECTS, FetchFailed
from .files import LOCK_NAME, MANIFEST_NAME, TEMP_PREFIX, normalise_url, pulled_file_name, pulled_urls
from .run import PullSummary, pull

__all__ = [
    "LOCK_NAME",
    "MANIFEST_NAME",
    "MAX_REDIRECTS",
    "TEMP_PREFIX",
    "FetchFailed",
    "PullSummary",
    "feed_links",
    "normalise_url",
    "pull",
    "pulled_file_name",
    "pulled_urls",
]
