"""`sitrep pull` (search/pull.py): pages and feeds fetched from a real HTTP server on 127.0.0.1.

The server is ``http.server.ThreadingHTTPServer`` on a free port, serving
small invented pages, an RSS and an Atom feed, and the failures a real site
gives: a 404, a URL slower than the timeout, redirects, a body cut short.
It records every request, so tests can tell what was fetched and with which
headers.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from search import BadInput, load_settings, search
from search.cli import cli
from search.errors import PullError
from search.fetch import LOCK_NAME, MANIFEST_NAME, TEMP_PREFIX, feed_links, pull, pulled_file_name, pulled_urls

KURSK = b"""<!doctype html><html><head><title>Kursk brief, December 14</title>
<meta property="article:published_time" content="2024-12-14"></head>
<body><article><h1>Kursk brief, December 14</h1>
<p>Observers counted forty pontoon ferries near Glushkovo on the Seym river, a number not seen before.</p>
<p>Ferry crossings continued through the night despite drone strikes on the eastern bank.</p>
</article></body></html>"""
POKROVSK = b"""<!doctype html><html><head><title>Pokrovsk brief, December 15</title></head>
<body><article><h1>Pokrovsk brief, December 15</h1>
<p>Engineers laid a new line of dragon's teeth west of Pokrovsk, the quartermasters reported.</p>
</article></body></html>"""


def page(title: str, sentence: str) -> bytes:
    return (f"<!doctype html><html><head><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1><p>{sentence}</p></article></body></html>").encode()


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answered with 304 when the request's If-None-Match matches
    delay: float = 0.0  # seconds before answering (a slow server)
    cut_after: int | None = None  # send only this many bytes of a longer declared body


class Site(ThreadingHTTPServer):
    """A small web site whose routes tests can change; records (path, headers) of each request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.released = threading.Event()  # ends slow answers at teardown

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        # The client gave up on a slow or cut answer: that is the test, not a server fault.
        pass


class Handler(BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.server.requests.append((self.path, dict(self.headers.items())))
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        if route.delay:
            self.server.released.wait(route.delay)
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body if route.cut_after is None else route.body[: route.cut_after])
        if route.cut_after is not None:
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def site():
    server = Site()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    rss_items = "".join(
        f"<item><title>{name}</title><link>{server.url(f'/items/{name}.html')}</link></item>"
        for name in ("one", "two")
    )
    atom_entries = (
        f'<entry><title>three</title><link rel="alternate" type="text/html" href="{server.url("/items/three.html")}"/>'
        f'<link rel="enclosure" href="{server.url("/items/three.mp3")}"/></entry>'
        '<entry><title>four</title><link href="items/four.html"/></entry>'  # relative to xml:base
    )
    server.routes.update({
        "/reports/kursk.html": Route(KURSK),
        "/reports/pokrovsk.html": Route(POKROVSK),
        "/mirror/kursk-copy": Route(KURSK),
        "/items/one.html": Route(page("Item one", "The flotilla of barges sailed past Kherson at dawn.")),
        "/items/two.html": Route(page("Item two", "A convoy of tankers waited at the Kerch strait.")),
        "/items/three.html": Route(page("Item three", "Grain silos in Izmail were hit twice.")),
        "/feeds/items/four.html": Route(page("Item four", "Sappers cleared the orchard road near Orikhiv.")),
        "/feed.rss": Route(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Briefs</title>{rss_items}</channel></rss>'.encode(),
            "application/rss+xml"),
        "/feed.atom": Route(
            f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:base="{server.url("/feeds/")}"><title>Briefs</title>{atom_entries}</feed>'.encode(),
            "application/atom+xml"),
        "/slow.html": Route(page("Slow", "Too late."), delay=5),
        "/moved": Route(status=302, headers={"Location": "/reports/new-home.html"}),
        "/reports/new-home.html": Route(page("New home", "The depot moved to Synelnykove in spring.")),
        "/loop": Route(status=302, headers={"Location": "/loop"}),
        "/brief.pdf": Route(b"%PDF-1.4\n% invented brief\n", "application/pdf"),
        "/cut.html": Route(page("Cut", "This answer never arrives whole." * 20), cut_after=60),
        "/image.png": Route(b"\x89PNG\r\n", "image/png"),
    })
    yield server
    server.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def pull_settings(settings):
    """No delay between requests, a 1 s timeout for the slow URL."""
    return load_settings(index_dir=settings.index_dir, pull_delay=0, pull_timeout=1)


@pytest.fixture
def folder(tmp_path) -> Path:
    """The reports folder pulled into (created by pull)."""
    return tmp_path / "reports"


def folder_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))["pulled"]


# -- pages -----------------------------------------------------------------------------------


def test_pages_are_saved_under_stable_names(site, pull_settings, tmp_path):
    urls = [site.url("/reports/kursk.html"), site.url("/reports/pokrovsk.html")]
    summary = pull(pull_settings, urls, into=tmp_path / "a")
    again = pull(pull_settings, urls, into=tmp_path / "b")
    names = [path.name for _, path in summary.fetched]
    assert [path.name for _, path in again.fetched] == names  # the same URL, the same name anywhere
    assert names[0].startswith("127-0-0-1-reports-kursk-") and names[0].endswith(".html")
    assert names[1].startswith("127-0-0-1-reports-pokrovsk-")
    assert names[0] != names[1]
    assert (tmp_path / "a" / names[0]).read_bytes() == KURSK
    assert (tmp_path / "a" / names[1]).read_bytes() == POKROVSK
    assert folder_files(tmp_path / "a") == sorted([LOCK_NAME, MANIFEST_NAME, *names])
    entry = manifest(tmp_path / "a")[urls[0]]
    assert entry["file"] == names[0]
    assert entry["content_type"] == "text/html"
    assert entry["fetched_at"].startswith("20")
    assert summary.failed == []


def test_file_name_keeps_host_and_path_and_parts_urls_that_slug_alike():
    one = pulled_file_name("https://www.understandingwar.org/backgrounder/assessment-december-14-2024", ".html")
    assert one.startswith("www-understandingwar-org-backgrounder-assessment-december-14-2024-")
    assert pulled_file_name("https://example.org/a-b", ".txt") != pulled_file_name("https://example.org/a/b", ".txt")
    assert pulled_file_name("https://example.org/x.html", ".pdf").endswith(".pdf")
    long = pulled_file_name("https://example.org/" + "word-" * 100, ".html")
    assert len(long) < 100


def test_second_pull_skips_known_urls_without_a_request(site, pull_settings, folder):
    url = site.url("/reports/kursk.html")
    pull(pull_settings, [url], into=folder)
    requests = len(site.requests)
    summary = pull(pull_settings, [url], into=folder)
    assert summary.known == [url]
    assert summary.fetched == []
    assert len(site.requests) == requests


def test_same_content_under_another_url_is_saved_once(site, pull_settings, folder):
    original, copy = site.url("/reports/kursk.html"), site.url("/mirror/kursk-copy")
    summary = pull(pull_settings, [original, copy], into=folder)
    assert [url for url, _ in summary.fetched] == [original]
    assert summary.same_content == [(copy, original)]
    assert len([name for name in folder_files(folder) if name.endswith(".html")]) == 1
    assert manifest(folder)[copy]["same_as"] == original
    # The copy is known now: not fetched again.
    requests = len(site.requests)
    assert pull(pull_settings, [copy], into=folder).known == [copy]
    assert len(site.requests) == requests


def test_pdf_response_is_saved_as_pdf(site, pull_settings, folder):
    summary = pull(pull_settings, [site.url("/brief.pdf")], into=folder)
    ((_, path),) = summary.fetched
    assert path.suffix == ".pdf"
    assert path.read_bytes().startswith(b"%PDF-1.4")


def test_redirect_is_followed_and_the_file_named_for_the_url_asked(site, pull_settings, folder):
    url = site.url("/moved")
    ((_, path),) = pull(pull_settings, [url], into=folder).fetched
    assert path.name == pulled_file_name(url, ".html")
    assert b"Synelnykove" in path.read_bytes()
    assert manifest(folder)[url]["final_url"] == site.url("/reports/new-home.html")
    assert pulled_urls(folder) == {path.name: site.url("/reports/new-home.html")}  # the page's own address


def test_text_in_another_charset_is_saved_as_utf8(site, pull_settings, folder):
    text = page("Київ", "Мер міста повідомив про відключення світла.").decode()
    site.routes["/kyiv.html"] = Route(text.encode("cp1251"), "text/html; charset=windows-1251")
    ((_, path),) = pull(pull_settings, [site.url("/kyiv.html")], into=folder).fetched
    assert path.read_text(encoding="utf-8") == text


def test_user_agent_names_sitrep_and_the_contact(site, settings, folder):
    contacted = load_settings(index_dir=settings.index_dir, pull_delay=0, pull_contact="mailto:desk@example.org")
    pull(contacted, [site.url("/reports/kursk.html")], into=folder)
    ((_, headers),) = site.requests
    assert headers["User-Agent"].startswith("Sitrep/")
    assert headers["User-Agent"].endswith(" (+mailto:desk@example.org)")


def test_requests_to_one_host_wait_for_the_delay(site, settings, folder):
    polite = load_settings(index_dir=settings.index_dir, pull_delay=1)
    times: list[float] = []
    original = Handler.do_GET

    def timed(handler: Handler) -> None:
        times.append(time.monotonic())
        original(handler)

    Handler.do_GET = timed  # type: ignore[method-assign]
    try:
        pull(polite, [site.url("/reports/kursk.html"), site.url("/reports/pokrovsk.html")], into=folder)
    finally:
        Handler.do_GET = original  # type: ignore[method-assign]
    assert len(times) == 2
    assert times[1] - times[0] >= 0.95  # a lower bound, never a speed: the requests are spaced


# -- feeds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("feed", "items"),
    [("/feed.rss", ["/items/one.html", "/items/two.html"]),
     ("/feed.atom", ["/items/three.html", "/feeds/items/four.html"])],
)
def test_feed_pulls_every_item(site, pull_settings, folder, feed, items):
    summary = pull(pull_settings, [site.url(feed)], into=folder)
    assert summary.feeds == [(site.url(feed), len(items))]
    assert [url for url, _ in summary.fetched] == [site.url(item) for item in items]
    assert all(path.exists() for _, path in summary.fetched)
    assert not any(name.endswith((".rss", ".atom", ".xml")) for name in folder_files(folder))
    # The feed is read again next time; its items are known.
    again = pull(pull_settings, [site.url(feed)], into=folder)
    assert again.known == [site.url(item) for item in items]
    assert site.paths().count(feed) == 2


def test_rss_1_and_a_feed_served_as_html_are_read_as_feeds(site, pull_settings, folder):
    site.routes["/rdf"] = Route(
        (f'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
         f'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="{site.url("/")}"><title>t</title></channel>'
         f'<item rdf:about="{site.url("/items/one.html")}"><title>one</title>'
         f'<link>{site.url("/items/one.html")}</link></item></rdf:RDF>').encode(),
        "text/html")
    summary = pull(pull_settings, [site.url("/rdf")], into=folder)
    assert summary.feeds == [(site.url("/rdf"), 1)]
    assert [url for url, _ in summary.fetched] == [site.url("/items/one.html")]


def test_rss_guid_is_the_link_unless_it_says_it_is_not():
    rss = (b'<rss version="2.0"><channel><item><guid>https://example.org/a</guid></item>'
           b'<item><guid isPermaLink="false">tag:example.org,2024:b</guid></item></channel></rss>')
    assert feed_links(rss, "https://example.org/feed") == ["https://example.org/a"]


def test_feed_with_entity_declarations_is_refused(site, pull_settings, folder):
    site.routes["/bomb.rss"] = Route(
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<rss version="2.0"><channel><item><link>&b;</link></item></channel></rss>',
        "application/rss+xml")
    summary = pull(pull_settings, [site.url("/bomb.rss")], into=folder)
    assert summary.failed == [(site.url("/bomb.rss"), "the feed declares XML entities, which are refused "
                                                      "(they can expand without bound)")]


# -- failures --------------------------------------------------------------------------------


def test_each_failure_is_reported_and_the_others_are_pulled(site, pull_settings, folder):
    site.routes["/bad-items.rss"] = Route(
        (f'<rss version="2.0"><channel><item><link>javascript:alert(1)</link></item>'
         f'<item><link>{site.url("/feed.atom")}</link></item></channel></rss>').encode(),
        "application/rss+xml")
    site.routes["/sitemap.xml"] = Route(b"<urlset><url><loc>x</loc></url></urlset>", "application/xml")
    urls = [site.url(path) for path in ("/missing", "/slow.html", "/reports/kursk.html", "/loop",
                                        "/image.png", "/cut.html", "/bad-items.rss", "/sitemap.xml")]
    summary = pull(pull_settings, urls, into=folder)
    reasons = dict(summary.failed)
    assert reasons == {
        site.url("/missing"): "HTTP 404 Not Found",
        site.url("/slow.html"): "timed out (no answer within 1 s)",
        site.url("/loop"): "more than 5 redirects",
        site.url("/image.png"): "unsupported content type image/png; expected HTML, PDF, plain text, Markdown or JSON",
        site.url("/cut.html"): reasons[site.url("/cut.html")],
        "javascript:alert(1)": "not an http or https URL",
        site.url("/feed.atom"): "a feed listed in a feed is not followed; pull it by its own URL",
        site.url("/sitemap.xml"): "XML that is not an RSS or Atom feed",
    }
    assert reasons[site.url("/cut.html")].startswith("connection closed after 60 of ")
    assert [url for url, _ in summary.fetched] == [site.url("/reports/kursk.html")]
    # Nothing half-written: only the whole page, the manifest and its lock are in the folder.
    assert folder_files(folder) == sorted([LOCK_NAME, MANIFEST_NAME, pulled_file_name(site.url("/reports/kursk.html"), ".html")])
    assert not any(name.startswith(TEMP_PREFIX) for name in folder_files(folder))
    with pytest.raises(PullError, match="^8 of 10 URLs failed$"):
        summary.check()


def test_a_file_that_cannot_be_saved_leaves_no_temporary_file(site, pull_settings, folder):
    url = site.url("/reports/kursk.html")
    blocker = folder / pulled_file_name(url, ".html")
    blocker.mkdir(parents=True)  # the rename onto it fails after the temporary file is written
    summary = pull(pull_settings, [url, site.url("/reports/pokrovsk.html")], into=folder)
    assert summary.failed == [(url, f"cannot save {blocker.name}: Is a directory")]
    assert [u for u, _ in summary.fetched] == [site.url("/reports/pokrovsk.html")]
    assert not any(name.startswith(TEMP_PREFIX) for name in folder_files(folder))
    assert url not in manifest(folder)


def test_a_failed_refresh_keeps_the_file_it_had(site, pull_settings, folder):
    url = site.url("/cut.html")
    site.routes["/cut.html"].cut_after = None
    ((_, path),) = pull(pull_settings, [url], into=folder).fetched
    before = path.read_bytes()
    site.routes["/cut.html"] = Route(page("Cut", "A longer, newer text." * 20), cut_after=60)
    summary = pull(pull_settings, [url], into=folder, refresh=True)
    assert [u for u, _ in summary.failed] == [url]
    assert path.read_bytes() == before
    assert not any(name.startswith(TEMP_PREFIX) for name in folder_files(folder))


@pytest.mark.parametrize("bad", ["example.org/report", "ftp://example.org/report", "file:///etc/passwd", "http://"])
def test_a_url_that_is_not_http_is_refused_before_any_request(site, pull_settings, folder, bad):
    with pytest.raises(BadInput, match="is not an http or https URL"):
        pull(pull_settings, [site.url("/reports/kursk.html"), bad], into=folder)
    assert site.requests == []


def test_a_broken_manifest_is_an_error_that_says_what_to_do(site, pull_settings, folder):
    folder.mkdir()
    (folder / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(PullError, match="move it away to pull everything again"):
        pull(pull_settings, [site.url("/reports/kursk.html")], into=folder)


def test_a_second_pull_into_the_same_folder_is_refused_while_one_runs(site, pull_settings, folder):
    import fcntl

    folder.mkdir()
    with open(folder / LOCK_NAME, "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running pull holds it
        with pytest.raises(PullError, match="another sitrep pull is saving into"):
            pull(pull_settings, [site.url("/reports/kursk.html")], into=folder)
    assert site.requests == []
    assert pull(pull_settings, [site.url("/reports/kursk.html")], into=folder).failed == []


def test_no_reports_folder_is_bad_input(site, settings):
    with pytest.raises(BadInput, match="give --into DIR or set SITREP_REPORTS"):
        pull(load_settings(index_dir=settings.index_dir, reports=[]), [site.url("/reports/kursk.html")])


# -- refresh ---------------------------------------------------------------------------------


def test_refresh_replaces_only_changed_content(site, pull_settings, folder):
    site.routes["/etag.html"] = Route(page("Tagged", "The bridge at Zatoka stood."), etag='"v1"')
    site.routes["/changing.html"] = Route(page("Changing", "The first text of the report."))
    site.routes["/steady.html"] = Route(page("Steady", "The same text every time."))
    urls = [site.url(p) for p in ("/etag.html", "/changing.html", "/steady.html")]
    files = {url: path for url, path in pull(pull_settings, urls, into=folder).fetched}
    steady_stat = files[urls[2]].stat()
    site.routes["/changing.html"].body = page("Changing", "The corrected text of the report.")

    summary = pull(pull_settings, urls, into=folder, refresh=True)
    assert summary.replaced == [(urls[1], files[urls[1]])]
    assert summary.unchanged == [urls[0], urls[2]]
    assert b"corrected" in files[urls[1]].read_bytes()
    assert files[urls[2]].stat().st_mtime_ns == steady_stat.st_mtime_ns  # not rewritten
    etag_requests = [headers for path, headers in site.requests if path == "/etag.html"]
    assert etag_requests[-1]["If-None-Match"] == '"v1"'  # a conditional GET, answered 304
    assert manifest(folder)[urls[1]]["hash"] != manifest(folder)[urls[2]]["hash"]


def test_without_refresh_changed_content_is_not_fetched(site, pull_settings, folder):
    url = site.url("/reports/kursk.html")
    ((_, path),) = pull(pull_settings, [url], into=folder).fetched
    site.routes["/reports/kursk.html"].body = POKROVSK
    pull(pull_settings, [url], into=folder)
    assert path.read_bytes() == KURSK


def test_pulled_urls_maps_files_to_their_urls(site, pull_settings, folder):
    url = site.url("/reports/kursk.html")
    ((_, path),) = pull(pull_settings, [url], into=folder).fetched
    assert pulled_urls(folder) == {path.name: url}


# -- the command line ------------------------------------------------------------------------

PULL_ENV = {"SITREP_PULL_DELAY": "0", "SITREP_PULL_TIMEOUT": "1"}


def invoke(runner, *args, env=None):
    return runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False, env={**PULL_ENV, **(env or {})})


def test_cli_pulls_then_indexes_so_reports_are_searchable(site, runner, index_dir, folder):
    result = invoke(runner, "pull", site.url("/reports/kursk.html"), site.url("/feed.rss"),
                    "--into", folder, "--index-dir", index_dir)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == (f"3 fetched, 0 replaced, 0 unchanged, 0 already pulled, 0 same content as another URL, "
                        f"0 failed; 1 feed listed 2 items; saved in {folder.resolve()}")
    assert lines[1].startswith("3 added, 0 updated, 0 removed, 0 skipped, 0 unchanged;")
    found = invoke(runner, "search", "pontoon ferries", "--json", "--index-dir", index_dir)
    hits = json.loads(found.stdout)["hits"]
    assert {hit["title"] for hit in hits} == {"Kursk brief, December 14"}
    assert invoke(runner, "search", "tankers Kerch", "--json", "--index-dir", index_dir).stdout.count('"id"') == 1


def test_cli_pulls_into_the_first_reports_folder_by_default(site, runner, index_dir, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    result = invoke(runner, "pull", site.url("/reports/kursk.html"), "--index-dir", index_dir,
                    env={"SITREP_REPORTS": f"{first}:{second}"})
    assert result.exit_code == 0, result.output
    assert (first / MANIFEST_NAME).exists()
    assert not second.exists()


def test_cli_reports_each_failure_then_exits_1(site, runner, index_dir, folder):
    result = invoke(runner, "pull", site.url("/missing"), site.url("/reports/pokrovsk.html"), site.url("/loop"),
                    "--into", folder, "--index-dir", index_dir)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"skipped {site.url('/missing')}: HTTP 404 Not Found",
        f"skipped {site.url('/loop')}: more than 5 redirects",
        "Error: 2 of 3 URLs failed",
    ]
    assert result.stdout.splitlines()[1].startswith("1 added,")  # the page that worked is indexed
    assert invoke(runner, "search", "dragon's teeth", "--index-dir", index_dir).exit_code == 0


def test_cli_refresh(site, runner, index_dir, folder):
    url = site.url("/reports/pokrovsk.html")
    invoke(runner, "pull", url, "--into", folder, "--index-dir", index_dir)
    site.routes["/reports/pokrovsk.html"].body = page("Pokrovsk brief, December 15", "The quartermasters moved north.")
    plain = invoke(runner, "pull", url, "--into", folder, "--index-dir", index_dir)
    assert "1 already pulled" in plain.stdout
    refreshed = invoke(runner, "pull", url, "--refresh", "--into", folder, "--index-dir", index_dir)
    assert refreshed.exit_code == 0, refreshed.output
    assert refreshed.stdout.splitlines()[0].startswith("0 fetched, 1 replaced,")
    assert refreshed.stdout.splitlines()[1].startswith("0 added, 1 updated,")
    assert search(load_settings(index_dir=index_dir), "quartermasters moved north").total == 1


@pytest.mark.parametrize("bad", ["example.org/report", "mailto:desk@example.org"])
def test_cli_bad_url_is_a_usage_error(runner, index_dir, folder, bad):
    result = invoke(runner, "pull", bad, "--into", folder, "--index-dir", index_dir)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"Error: {bad!r} is not an http or https URL"]


def test_cli_needs_a_url(runner, index_dir):
    result = invoke(runner, "pull", "--index-dir", index_dir)
    assert result.exit_code == 2
    assert "Missing argument 'URLS...'" in result.stderr
