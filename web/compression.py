"""gzip for the pages, the JSON and the static files, when the browser asks for it.

A results page is 100–150 KB of HTML at 100k paragraphs (snippets, facets,
the map's outlines); gzip makes it about a fifth, which a phone on a slow
link feels more than any server-side millisecond.  A reverse proxy that
compresses does no harm: a response already encoded is left alone.
Streamed responses (the CSV and JSON exports) are left alone too, since
compressing them here would hold the whole export in memory, and so are
static files (sent straight from disk; browsers keep them cached).
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/atom+xml",
                "application/opensearchdescription+xml", "image/svg+xml")
MIN_BYTES = 1024  # below this the header costs more than it saves
LEVEL = 6  # zlib's default: about 3 ms for a 150 KB page, most of the gain of 9


def accepts_gzip() -> bool:
    # Werkzeug weighs q-values and "*": "gzip;q=0" refuses, "*" accepts.
    return request.accept_encodings["gzip"] > 0


def compress_response(response: Response) -> Response:
    """``response`` gzipped when the client accepts it and it is worth it; else unchanged."""
    response.vary.add("Accept-Encoding")
    if (response.direct_passthrough or response.is_streamed or "Content-Encoding" in response.headers
            or response.status_code < 200 or response.status_code in (204, 304)
            or not (response.mimetype or "").startswith(COMPRESSIBLE) or not accepts_gzip()):
        return response
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    if response.headers.get("ETag"):
        # The same entity in another encoding is another representation (RFC 9110, 8.8.3).
        etag, weak = response.get_etag()
        response.set_etag(etag + "-gzip", weak=weak)
    return response


def register(app: Flask) -> None:
    app.after_request(compress_response)
