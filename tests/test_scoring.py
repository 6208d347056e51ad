"""BM25F over text and title (search/query/scoring.py), on small indexes of invented records (#15)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from search import SearchIndex, load_settings, update_index
from search.query.generation import _Generation
from search.query.scoring import bm25_idf

# Two paragraphs of equal length each say "ferry" once; only the first
# report's title names it too.  A third report's title alone names it.
RECORDS = [
    {"id": "titled", "title": "Ferry crossings at Kherson", "text": "The ferry carried grain across the river at dawn."},
    {"id": "plain", "title": "Harbour notes", "text": "The ferry carried fuel across the river at night."},
    {"id": "title-only", "title": "Ferry schedules", "text": "Engineers repaired the quay wall near the old port."},
    # No title: the first sentence is shown as the title, never scored.
    {"id": "untitled", "text": "The pontoon bridge stood again by noon. Engineers checked it twice."},
    {"id": "other", "title": "Bridge repairs", "text": "The pontoon bridge stood again by noon. Engineers checked it twice."},
    {"id": "filler", "title": "Weather", "text": "Rain fell on the roads and the fields for two days."},
]


def build(tmp_path, records=RECORDS, **overrides):
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "records.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    settings = load_settings(environ={}, index_dir=tmp_path / "index", reports=[reports], **overrides)
    update_index(settings, [reports])
    return settings


@pytest.fixture
def scored(tmp_path):
    with SearchIndex(build(tmp_path)) as index:
        yield index


def by_report(page) -> dict[str, float]:
    return {hit.report_id: hit.score for hit in page.hits}


def test_the_title_lifts_a_paragraph_whose_text_matches(scored):
    scores = by_report(scored.search("ferry"))
    assert scores["titled"] > scores["plain"]


def test_a_title_only_match_is_not_a_hit(scored):
    assert "title-only" not in by_report(scored.search("ferry"))
    assert "title-only" in by_report(scored.search("title:ferry"))


def test_a_word_in_text_and_title_saturates_once(scored):
    # One saturation over the summed frequencies: the score stays below
    # idf * (k1 + 1), the most one word can give, however heavy the title.
    gen = scored.generation()
    k1 = scored.settings.bm25_k1
    idf = bm25_idf(gen.searcher.doc_count_all(), gen.searcher.doc_frequency("text", "ferri"))
    top = by_report(scored.search("ferry"))["titled"]
    assert top < idf * (k1 + 1)
    assert top > by_report(scored.search("ferry"))["plain"]


def test_idf_is_bm25s(scored):
    gen = scored.generation()
    n, df = gen.searcher.doc_count_all(), gen.searcher.doc_frequency("text", "ferri")
    assert gen.searcher.idf("text", "ferri") == pytest.approx(math.log(1 + (n - df + 0.5) / (df + 0.5)))


def test_a_derived_title_is_shown_but_never_scored(scored):
    page = scored.search("pontoon")
    hits = {hit.report_id: hit for hit in page.hits}
    assert hits["untitled"].title == "The pontoon bridge stood again by noon."
    # Same text, so the same score: the first sentence does not count twice.
    assert hits["untitled"].score == pytest.approx(hits["other"].score)
    assert "untitled" not in by_report(scored.search("title:pontoon"))
    assert "other" in by_report(scored.search("title:bridge"))


@pytest.mark.parametrize(
    ("setting", "low", "high"),
    [("bm25_title_weight", "0.01", "4"), ("bm25_text_weight", "0.5", "3"), ("bm25_k1", "0.5", "3"),
     ("bm25_title_b", "0", "1"), ("bm25_text_b", "0", "1")],
)
def test_every_bm25_setting_changes_the_scores(tmp_path, setting, low, high):
    settings = build(tmp_path)
    found = []
    for value in (low, high):
        with SearchIndex(load_settings(environ={f"SITREP_{setting.upper()}": value}, index_dir=settings.index_dir)) as index:
            found.append(by_report(index.search("ferry")))
    assert found[0].keys() == found[1].keys()
    assert any(not math.isclose(found[0][r], found[1][r], rel_tol=1e-4) for r in found[0])


def test_the_title_weight_decides_between_title_and_text(tmp_path):
    # "ferry" twice in the text against once in text and once in the title.
    records = [
        {"id": "twice", "title": "Harbour notes", "text": "The ferry and a second ferry left the quay at dawn."},
        {"id": "titled", "title": "Ferry notes", "text": "The ferry and a small tug left the quay at dawn."},
        *RECORDS[3:],
    ]
    settings = build(tmp_path, records)
    order = {}
    for weight in ("0.2", "5"):
        with SearchIndex(load_settings(environ={"SITREP_BM25_TITLE_WEIGHT": weight}, index_dir=settings.index_dir)) as index:
            order[weight] = [hit.report_id for hit in index.search("ferry").hits]
    assert order["0.2"][0] == "twice"
    assert order["5"][0] == "titled"


def test_whoosh_ranks_with_the_same_bm25f(scored, monkeypatch):
    queries = ["ferry", "ferry river", "pontoon OR ferry", "title:ferry", "ferry -grain"]
    fast = [scored.search(q) for q in queries]
    monkeypatch.setattr(_Generation, "matches", lambda self, query: None)
    slow = [scored.search(q) for q in queries]
    for q, a, b in zip(queries, fast, slow):
        assert [h.id for h in a.hits] == [h.id for h in b.hits], q
        assert np.allclose([h.score for h in a.hits], [h.score for h in b.hits], rtol=1e-5), q
