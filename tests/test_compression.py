"""Pages and JSON go out gzipped when the client accepts it, over real HTTP (#16: page weight)."""

from __future__ import annotations

import gzip
import json
import urllib.request


def _get(url: str, encoding: str | None) -> tuple[dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    with urllib.request.urlopen(request) as answer:
        return dict(answer.headers), answer.read()


def test_a_results_page_is_gzipped_for_a_browser_and_plain_for_others(live_server):
    url = f"{live_server}/?q=Russian"
    zipped_headers, zipped = _get(url, "gzip, deflate, br")
    plain_headers, plain = _get(url, None)
    assert zipped_headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain_headers
    assert "Accept-Encoding" in zipped_headers["Vary"] and "Accept-Encoding" in plain_headers["Vary"]
    page = gzip.decompress(zipped)
    assert page == plain and b"<ol class=\"hits\"" in page
    assert int(zipped_headers["Content-Length"]) == len(zipped) < len(plain) / 3


def test_json_is_gzipped_and_decodes_to_the_same_answer(live_server):
    url = f"{live_server}/api/search?q=Kursk"
    headers, body = _get(url, "gzip")
    assert headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(body)) == json.loads(_get(url, None)[1])


def test_gzip_refused_with_q0_and_streamed_exports_stay_plain(live_server):
    headers, _ = _get(f"{live_server}/?q=Russian", "gzip;q=0, identity")
    assert "Content-Encoding" not in headers
    headers, body = _get(f"{live_server}/api/export.csv?q=Russian", "gzip")
    assert "Content-Encoding" not in headers
    assert b"Russian" in body  # readable CSV as sent, not gzip
