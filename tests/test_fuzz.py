"""Property tests: no input a user can type or drop in a folder escapes as a crash (#6).

Random queries (operators, quotes, brackets, field:value, wildcards,
unicode), every filter of :meth:`SearchIndex.search`, random report files
for ingest, and random query strings for every web endpoint.  The only
exceptions allowed out are :class:`SitrepError` subclasses (and
:class:`SkipFile` from ingest); the only statuses allowed are below 500.
Each test prints how many cases it ran (``pytest -s``).
"""

from __future__ import annotations

import os

import hashlib
import json
import string
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from search import SearchIndex
from search.errors import SitrepError
from search.ingest import SkipFile, parse_report_text, read_report_file
from search.query import SORTS
from web import create_app

# The same cases on every run, so CI cannot turn red on a case it never saw
# before; SITREP_FUZZ_EXPLORE=1 draws fresh cases to hunt for new faults, and
# SITREP_FUZZ_EXAMPLES=N draws N per test instead of 300 (a long hunt).
FUZZ = settings(
    max_examples=int(os.environ.get("SITREP_FUZZ_EXAMPLES") or 300), deadline=None,
    suppress_health_check=list(HealthCheck), database=None,
    derandomize=not os.environ.get("SITREP_FUZZ_EXPLORE"),
)

WORDS = ["Kursk", "Pokrovsk", "Russian", "forces", "North", "Korean", "Київ", "Transnistria", "drone", "the", "a"]
FIELDS = ["title", "text", "topic", "place", "source", "section", "kind", "date", "label", "cited", "nosuch", "TITLE", ""]
PUNCT = ['"', "(", ")", "[", "]", "{", "}", "*", "?", "~", "~2", "^", "^3", ":", "-", "+", "\\", "/", "'", "’",
         "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "to", "&&", "||", "!", "<", ">", "=", "%", "#", ";", "\x00"]
token = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(PUNCT),
    st.builds(lambda f, v: f"{f}:{v}", st.sampled_from(FIELDS), st.sampled_from(WORDS + ['"North Korea"', "[2024 to]", "*", "2024-12-14", '"'])),
    st.builds(lambda w, s: w[: max(1, len(w) // 2)] + s, st.sampled_from(WORDS), st.sampled_from(["*", "?", "~", "~1", "*~"])),
    st.text(min_size=1, max_size=8),
)
queries = st.one_of(
    st.lists(token, max_size=12).map(" ".join),
    st.lists(token, max_size=12).map("".join),
    st.text(max_size=60),
    st.text(alphabet=string.printable, max_size=60),
)
values = st.one_of(st.sampled_from(["Syria", "North Korea", "Kyiv", "Kiev", "ISW", "", " ", "a,b", "*"]), st.text(max_size=12))
dates = st.one_of(
    st.none(),
    st.dates().map(str),
    st.sampled_from(["Dec 2024", "2024", "12/2024", "today", "last 3 days", "last 2000 years", "Dec 5", "31/31/31",
                     "0000-00-00", "9999-12-31", "-1", "1e309", "yesterday", "0"]),
    st.text(max_size=20),
)
COUNTS = {}


def _count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module")
def index(seed_settings):
    with SearchIndex(seed_settings) as search_index:
        yield search_index
    print("\n[fuzz] cases run:", json.dumps(COUNTS))


@FUZZ
@given(q=queries)
def test_any_query_is_answered_or_refused_cleanly(index, q):
    _count("query")
    try:
        index.search(q)
    except SitrepError:
        pass


@FUZZ
@given(
    q=st.one_of(st.just(""), queries),
    topic=st.lists(values, max_size=3), source=st.lists(values, max_size=3),
    place=st.lists(values, max_size=3), section=st.lists(values, max_size=3),
    label=st.lists(values, max_size=2), cited=st.lists(values, max_size=2),
    date_from=dates, date_to=dates, event_from=dates, event_to=dates,
    sort=st.one_of(st.sampled_from(SORTS), st.text(max_size=8)),
    page=st.integers(-3, 10**7), per_page=st.one_of(st.none(), st.integers(-3, 10**6)),
    collapse=st.booleans(),
)
def test_any_filter_combination_is_answered_or_refused_cleanly(index, q, topic, source, place, section, label, cited,
                                                               date_from, date_to, event_from, event_to, sort, page,
                                                               per_page, collapse):
    _count("filters")
    filters = {"topic": topic, "source": source, "place": place, "section": section, "label": label, "cited": cited}
    try:
        index.search(q, filters=filters, date_from=date_from, date_to=date_to, sort=sort, page=page,
                     per_page=per_page, event_from=event_from, event_to=event_to, collapse=collapse)
    except SitrepError:
        pass


@FUZZ
@given(ident=st.one_of(st.text(max_size=30), st.sampled_from(["../../etc/passwd", "..", ".", "%2e%2e", "\x00", "a" * 5000])))
def test_any_report_or_paragraph_id_is_found_or_not_found(index, ident):
    _count("ids")
    for lookup in (index.report, index.paragraph):
        try:
            lookup(ident)
        except SitrepError:
            pass


# -- ingest -------------------------------------------------------------------------------------

report_lines = st.one_of(
    st.sampled_from(["", "Institute for the Study of War", "Wilson Center: A title", "December 23, 2024", "Dec 14",
                     "• a bullet", "- dash bullet", "# Heading", "Key ISW takeaways as of December 14",
                     "[1] https://t.me/x", "Assessed Russian advances: near Pokrovsk.", "---", "title: x", "date: nope",
                     "<p>", "</div>", "{", "[^3]: note"]),
    st.text(max_size=80),
)
report_texts = st.lists(report_lines, max_size=25).map("\n".join)


@FUZZ
@given(text=report_texts)
def test_any_report_text_parses_or_is_skipped(taxonomy, text):
    _count("ingest_text")
    try:
        parse_report_text(text, Path("/reports/fuzz-2024-12-01.txt"), hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest(), taxonomy)
    except (SitrepError, SkipFile):
        pass


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=400),
        report_texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.tuples(report_texts, st.sampled_from(["utf-16", "utf-16-le", "cp1252", "latin-1", "utf-8-sig", "utf-32"]))
        .map(lambda p: p[0].encode(p[1], "replace")),
        st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff\x00", b"\x00" * 50, b"<html>" * 300,
                         b'{"text": 5}', b"[", b'[{"text": "x", "date": "nope"}]', b'{"id": "../x", "text": "a b c."}']),
    ),
    suffix=st.sampled_from([".txt", ".md", ".html", ".htm", ".json", ".jsonl"]),
)
def test_any_file_reads_or_is_skipped(taxonomy, tmp_path_factory, data, suffix):
    _count("ingest_file")
    if _bad_utf16(data):
        return  # known: test_known_crashes below
    path = tmp_path_factory.mktemp("fuzz") / f"report{suffix}"
    path.write_bytes(data)
    try:
        read_report_file(path, taxonomy)
    except (SitrepError, SkipFile):
        pass


# -- the web API and pages ----------------------------------------------------------------------

KNOWN_PARAMS = ["q", "topic", "source", "place", "section", "label", "cited", "from", "to", "event_from", "event_to",
                "collapse", "sort", "page", "per_page"]
KNOWN_PATHS = ["/api/search", "/api/export.csv", "/api/export.json", "/feed.atom"]


def _openapi() -> tuple[list[str], list[str]]:
    """Search parameters and parameterless GET paths from /api/openapi.json (the known lists without it)."""
    from search import load_settings

    app = create_app(load_settings(environ={}))
    document = app.test_client().get("/api/openapi.json")
    app.extensions["sitrep"].close()
    if document.status_code != 200:
        return KNOWN_PARAMS, KNOWN_PATHS
    paths = document.get_json()["paths"]
    params = [p["name"] for p in paths.get("/api/search", {}).get("get", {}).get("parameters", [])] or KNOWN_PARAMS
    return params, [path for path in paths if "{" not in path] or KNOWN_PATHS


SPEC_PARAMS, SPEC_PATHS = _openapi()
PARAMS = [*SPEC_PARAMS, "bogus", ""]


@pytest.fixture(scope="module")
def client(seed_settings):
    app = create_app(seed_settings, TESTING=False)  # an unhandled error must become a 500 we can see
    yield app.test_client()
    app.extensions["sitrep"].close()


param_value = st.one_of(queries, values, dates.map(lambda d: d or ""), st.integers(-5, 10**9).map(str))
query_strings = st.one_of(
    st.lists(st.tuples(st.sampled_from(PARAMS), param_value), max_size=6).map(lambda pairs: urlencode(pairs)),
    st.text(alphabet=string.printable, max_size=60).map(lambda s: quote(s, safe="=&%+")),
)
PATHS = ["/", *SPEC_PATHS]


@FUZZ
@given(path=st.sampled_from(PATHS), query_string=query_strings)
def test_no_query_string_gives_a_server_error(client, path, query_string):
    _count("api_search")
    response = client.get(f"{path}?{query_string}")
    assert response.status_code < 500, (path, query_string, response.get_data(as_text=True)[:300])


@FUZZ
@given(prefix=st.sampled_from(["/api/reports/", "/api/paragraphs/", "/reports/", "/more/", "/api/paragraphs/x/similar?"]),
       ident=st.one_of(st.text(max_size=30), st.sampled_from(["..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%00", "a" * 3000])))
def test_no_id_gives_a_server_error(client, prefix, ident):
    _count("api_ids")
    response = client.get(prefix + quote(ident, safe="%"))
    assert response.status_code < 500, (prefix, ident, response.get_data(as_text=True)[:300])


# -- crashes found by the tests above, whose fix belongs to another module ----------------------

def _bad_utf16(data: bytes) -> bool:
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        data.decode("utf-16")
    except UnicodeDecodeError:
        return True
    return False


def test_truncated_utf16_file_is_skipped(taxonomy, tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"\xfe\xff\x00")
    with pytest.raises((SkipFile, SitrepError)):
        read_report_file(path, taxonomy)


@pytest.mark.parametrize("bound", ["last 99999999 years", "last 999999999 days"])
def test_huge_relative_date_is_a_bad_date(index, bound):
    with pytest.raises(SitrepError):
        index.search("", date_from=bound)
