"""Report text and URLs from the web never run as script; ids never read files; limits are 400s (#6).

Reports whose text carries script, event-handler and ``javascript:`` payloads
are indexed and shown in Debian's chromium (search results with
highlighting, report pages, error pages): no dialog may open and no injected
element may exist.  Every response carries the security headers; path
traversal ids are 404s; over-long queries, runaway wildcards, deep pages and
huge pages are clear 400s.
"""

from __future__ import annotations

import itertools
import string
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """No access log: werkzeug's log handler would outlive the test's captured stderr."""

    def log_request(self, *args, **kwargs) -> None:
        pass

from search import load_settings, update_index
from search.query.limits import MAX_EXPANSION
from web import create_app

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><script>alert(document.domain)</script>",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
    "{{7*7}} ${alert(1)}",
]
INJECTED = "document.querySelectorAll('script:not([src]), img[src=x], svg[onload], [onerror], [onload]').length"
JS_LINKS = "document.querySelectorAll('a[href^=\"javascript:\" i], a[href^=\"data:\" i]').length"


def _write_reports(directory: Path) -> None:
    directory.mkdir()
    body = "\n\n".join(f"Russian forces near Pokrovsk wrote xsscheck {p} in a message on December 22." for p in PAYLOADS)
    (directory / "isw-2024-12-23.txt").write_text(
        "Institute for the Study of War\n\nDecember 23, 2024\n\n"
        f"Key ISW takeaways <script>alert(1)</script>\n\n{body}\n\n"
        "Ukrainian forces repelled xsscheck assaults.[1]\n\n"
        "[1] javascript:alert(1) https://t.me/example/1\n"
    )
    (directory / "payload-title.md").write_text(
        "---\ntitle: <img src=x onerror=alert(1)> xsscheck title\ndate: 2024-12-20\n"
        "url: javascript:alert(1)\nsource: \"><svg onload=alert(1)>\n---\n\n"
        "A [link](javascript:alert(1)) and <b onmouseover=alert(1)>bold</b> xsscheck near Kursk.\n"
    )
    # Over a thousand distinct words starting with "a", so "a*" passes the expansion cap.
    words = ["a" + "".join(t) for t in itertools.islice(itertools.product(string.ascii_lowercase, repeat=3), MAX_EXPANSION + 100)]
    (directory / "isw-2024-12-01.txt").write_text(
        "Institute for the Study of War\n\nDecember 1, 2024\n\n"
        + "\n\n".join("Forces reported " + " ".join(words[i:i + 50]) + "." for i in range(0, len(words), 50))
    )


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss")
    _write_reports(root / "reports")
    settings = load_settings(environ={}, index_dir=root / "index")
    update_index(settings, [root / "reports"])
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    app.extensions["sitrep"].close()


@pytest.fixture(scope="module")
def xss_client(xss_server):
    return xss_server[1].test_client()


def _visit(page, url: str, dialogs: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(50)
    assert dialogs == [], f"{url} opened a dialog"
    assert page.evaluate(INJECTED) == 0, f"{url} holds an injected element"
    assert page.evaluate(JS_LINKS) == 0, f"{url} holds a javascript: link"


def test_report_text_and_queries_never_run_script(page, xss_server) -> None:
    base, app = xss_server
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    visited = 0
    # Highlighted hits of the payload paragraphs, and payloads typed as queries.
    for q in ["xsscheck", "alert", "script", "onerror", "svg onload", *PAYLOADS]:
        _visit(page, f"{base}/?q={quote(q)}", dialogs)
        visited += 1
    hits = app.test_client().get("/api/search?q=xsscheck&per_page=50").get_json()["hits"]
    assert len(hits) >= len(PAYLOADS)
    for report_id in {h["report_id"] for h in hits}:
        _visit(page, f"{base}/reports/{quote(report_id)}", dialogs)
        visited += 1
    for hit in hits[:3]:
        _visit(page, f"{base}{hit['url']}" if hit["url"].startswith("/") else f"{base}/reports/{quote(hit['report_id'])}", dialogs)
    # Error pages echo the query back: still escaped.
    for q in ['"<script>alert(1)</script>', "nosuch:<img src=x onerror=alert(1)>"]:
        _visit(page, f"{base}/?q={quote(q)}", dialogs)
    _visit(page, f"{base}/reports/{quote('<script>alert(1)</script>')}", dialogs)
    # The payload text is shown as text.
    page.goto(f"{base}/?q=xsscheck&per_page=50")
    assert "<script>alert(1)</script>" in page.locator("main").inner_text()
    assert visited >= 10


@pytest.mark.parametrize("path", ["/", "/?q=xsscheck", "/api/search?q=xsscheck", "/api/search?q=%22", "/nosuch",
                                  "/api/reports/nosuch", "/reports/isw-2024-12-23", "/api/openapi.json"])
def test_security_headers_on_pages_and_api(xss_client, path: str) -> None:
    response = xss_client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    script = directives.get("script-src", directives.get("default-src"))
    assert script and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert directives.get("object-src") == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert response.headers["X-Frame-Options"] == "DENY"


TRAVERSALS = ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..\\..\\etc\\passwd",
              "%252e%252e%252fetc%252fpasswd", "....//....//etc/passwd", "/etc/passwd", "%00", ".."]


@pytest.mark.parametrize("prefix", ["/api/reports/", "/api/paragraphs/", "/reports/", "/more/"])
@pytest.mark.parametrize("ident", TRAVERSALS)
def test_path_traversal_ids_are_404(xss_client, prefix: str, ident: str) -> None:
    response = xss_client.get(prefix + ident)
    assert response.status_code == 404, (prefix + ident, response.status_code)
    assert b"root:" not in response.data


def test_static_files_do_not_escape_their_folder(xss_client) -> None:
    for path in ["/static/../../etc/passwd", "/static/..%2F..%2F..%2Fetc%2Fpasswd", "/static/%2e%2e/search/config.py"]:
        response = xss_client.get(path)
        assert response.status_code == 404 and b"root:" not in response.data


@pytest.mark.parametrize(
    "query_string, message",
    [
        ("q=" + "x" * 600, "query is 600 characters long; the limit is 500"),
        ("q=a*", f"'a*' matches more than {MAX_EXPANSION:,} words"),
        ("q=a*%3F", f"'a*?' matches more than {MAX_EXPANSION:,} words"),
        ("q=xsscheck&per_page=101", "per_page must be between 1 and 100"),
        ("q=xsscheck&per_page=0", "per_page"),
        ("q=xsscheck&page=100000", "cannot be paged to"),
        ("q=xsscheck&page=2", "past the last page"),
        ("q=xsscheck&page=-1", "page"),
    ],
)
def test_limits_are_clear_400s(xss_client, query_string: str, message: str) -> None:
    response = xss_client.get(f"/api/search?{query_string}")
    body = response.get_json()
    assert response.status_code == 400, body
    assert body["ok"] is False and message in body["error"], body["error"]
    page = xss_client.get(f"/?{query_string}")
    assert page.status_code == 400


def test_prefix_below_the_cap_still_works(xss_client) -> None:
    response = xss_client.get("/api/search?q=aab*")
    assert response.status_code == 200 and response.get_json()["total"] >= 1
