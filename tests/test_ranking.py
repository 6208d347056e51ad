"""Matching and ranking with arrays (search/ranking.py) against Whoosh's own matchers.

The array path must give exactly what Whoosh gives: the same matching
documents, the same BM25F scores, the same top hits.  The index here has
several segments and deleted documents (a file indexed, then changed), the
cases where document numbers and statistics are easiest to get wrong.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from whoosh.query import Phrase

from search import SearchIndex, load_settings, update_index
from search.query.generation import _Generation
from search.query.ranking import (
    PostingsCache, dated_documents, first_of_groups, first_of_groups_ranked, top_documents,
)

BENCH = Path(__file__).resolve().parent.parent / "bench"
spec = importlib.util.spec_from_file_location("make_corpus", BENCH / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(spec)
sys.modules.setdefault("make_corpus", make_corpus)
spec.loader.exec_module(make_corpus)

QUERIES = [
    "Russian",
    "Russian forces Pokrovsk",
    '"Russian forces"',
    '"North Korean troops"',
    "Bakhmut OR Kupyansk",
    "Russian -Ukrainian",
    "NOT Russian",
    "attack*",
    "Kup?ansk",
    "topic:Strikes drones",
    "place:Pokrovsk",
    "Kiev",
    "date:[2022-03-05 to 2022-04-15] forces",
    "(Kharkiv OR Kherson) AND geolocated",
    # Plain words whose AND finds less than a page: the relaxed OR (#15).
    "Pokrovsk qzxwv",
    "Pokrovsk Kupyansk geolocated footage",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("ranking")
    corpus = root / "corpus"
    make_corpus.write_corpus(700, corpus, seed=5)
    reports = sorted(corpus.glob("*.txt"))
    first, second = root / "first", root / "second"
    first.mkdir()
    second.mkdir()
    for n, path in enumerate(reports):
        shutil.copy(path, (first if n % 2 else second) / path.name)
    settings = load_settings(environ={}, index_dir=root / "index")
    update_index(settings, [first])
    update_index(settings, [first, second])  # a second segment
    changed = sorted(first.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA new closing paragraph about Pokrovsk.\n", encoding="utf-8")
    update_index(settings, [first, second])  # the old paragraphs of that file are deleted
    with SearchIndex(settings) as search_index:
        yield search_index


def test_the_index_has_segments_and_deletions(index):
    reader = index.generation().searcher.reader()
    leaves = reader.leaf_readers()
    assert len(leaves) >= 2
    assert any(leaf.has_deletions() for leaf, _ in leaves)


@pytest.mark.parametrize("q", QUERIES)
def test_same_matches_scores_and_order_as_whoosh(index, q):
    plan = index._plan(index.generation(), q, None, None, None, None, None, "relevance")
    assert plan.relaxed == (q in QUERIES[-2:])
    gen, searcher = plan.gen, plan.gen.searcher
    found = gen.matches(plan.base)
    assert found is not None, "the array path should handle this query"
    expected = np.zeros(gen.doc_count, dtype=bool)
    expected[list(searcher.docs_for_query(plan.base))] = True
    assert found.mask.any() or q == "NOT Russian"
    assert np.array_equal(found.mask, expected)
    # Whoosh ranks every match here (limit=None, optimize=False): with a
    # limit, its block-quality shortcut can drop an OR clause from a score,
    # and on this index its top 20 missed a hit from the newest segment.
    results = searcher.search(plan.base, limit=None, terms=False, optimize=False)[:20]
    ours = gen.ordered(found.mask, found.scores, "relevance", 20, collapse=False)
    scores = [hit.score for hit in results]
    assert np.allclose(found.scores[ours], scores, rtol=1e-5)  # the same top scores
    assert ours.tolist() == [hit.docnum for hit in results] or len(set(np.round(scores, 4))) < len(scores)
    assert np.allclose(found.scores[[hit.docnum for hit in results]], scores, rtol=1e-5)


def test_search_pages_agree_with_the_whoosh_path(index, monkeypatch):
    cases = [
        dict(q="Russian forces", date_from="2022-03-05", date_to="2022-04-15"),
        dict(q="drones", filters={"topic": ["Strikes"]}, page=2),
        dict(q="Russian", collapse=True),
        dict(q="Pokrovsk", sort="oldest"),
    ]
    fast = [index.search(**case) for case in cases]
    monkeypatch.setattr(_Generation, "matches", lambda self, query: None)
    slow = [index.search(**case) for case in cases]
    for case, a, b in zip(cases, fast, slow):
        assert a.total == b.total, case
        assert [h.id for h in a.hits] == [h.id for h in b.hits], case
        assert [f.value for f in a.facets["topic"]] == [f.value for f in b.facets["topic"]]


def test_a_deleted_paragraph_is_never_a_hit(index):
    page = index.search('"new closing paragraph"', per_page=50)
    assert page.total == 1
    changed_path = page.hits[0].path
    everything = index.search("", per_page=100, sort="oldest", filters={})
    # The file's old paragraphs are gone: each of its positions appears once.
    positions = [h.position for h in index.iter_hits(f'report:{page.hits[0].report_id}')]
    assert len(positions) == len(set(positions))
    assert everything.total == index.generation().searcher.doc_count()
    assert changed_path


def test_a_phrase_in_another_field_falls_back_to_whoosh(index):
    gen = index.generation()
    assert gen.matches(Phrase("title", ["campaign", "assess"])) is None
    page = index.search('title:"campaign assessment" Pokrovsk')
    assert page.total and all("Pokrovsk" in h.text or "Pokrovsk" in h.places for h in page.hits)


def test_new_order_breaks_date_ties_by_index_order(index):
    page = index.search("", sort="newest", per_page=50)
    keys = [(h.date or "", ) for h in page.hits]
    assert keys == sorted(keys, reverse=True)
    same_report = [h for h in page.hits if h.report_id == page.hits[0].report_id]
    assert [h.position for h in same_report] == sorted(h.position for h in same_report)


def test_top_documents_keeps_the_best_and_breaks_ties_by_document_number():
    scores = np.array([0.5, 2.0, 2.0, 1.0, 3.0, 2.0], dtype=np.float32)
    candidates = np.array([0, 1, 2, 3, 5])
    assert top_documents(scores, candidates, 3).tolist() == [1, 2, 5]
    assert top_documents(scores, candidates, None).tolist() == [1, 2, 5, 3, 0]


def test_dated_documents_put_undated_last():
    ordinals = np.array([3, -1, 7, 3, 0], dtype=np.int32)
    everything = np.arange(5)
    assert dated_documents(ordinals, everything, None, newest=True).tolist() == [2, 0, 3, 4, 1]
    assert dated_documents(ordinals, everything, 2, newest=False).tolist() == [4, 0]


def test_first_of_groups_keeps_rank_order():
    ordered = np.array([4, 1, 3, 0, 2])
    groups = np.array([9, 7, 7, 5, 9])  # by document number: 0 and 4 repeat, 1 and 2 repeat
    assert first_of_groups(ordered, groups).tolist() == [4, 1, 3]


def test_postings_cache_stays_within_its_bytes():
    cache = PostingsCache(max_bytes=1000)
    loads = []

    def load(n):
        def read():
            loads.append(n)
            return np.zeros(50, np.int32), np.zeros(50, np.float32)  # 400 bytes
        return read

    for n in range(5):
        cache.get(("segment", "text", n), load(n))
    assert cache._bytes <= 1000
    cache.get(("segment", "text", 4), load(4))  # the newest is still there
    cache.get(("segment", "text", 0), load(0))  # the oldest was dropped
    assert loads == [0, 1, 2, 3, 4, 0]
    cache.forget_segments({"other"})
    assert cache._bytes == 0


def _random_queries(index, count: int, seed: int) -> list[str]:
    """Queries of every shape the array path handles, from the index's own words and word pairs."""
    import random

    rng = random.Random(seed)
    gen = index.generation()
    reader = gen.searcher.reader()
    words = sorted({text.decode() for text, info in reader.iter_field("text") if info.doc_frequency() >= 2
                    and text.isalpha()})
    texts = [gen.searcher.stored_fields(n)["text"] for n in range(0, gen.doc_count, max(1, gen.doc_count // 50))]
    shapes = [
        lambda w: f"{w()} {w()}",
        lambda w: f"{w()} OR {w()}",
        lambda w: f"{w()} -{w()}",
        lambda w: f"({w()} OR {w()}) {w()}",
        lambda w: f"{w()} {w()} {w()}",  # often relaxed: fewer than a page have all three
        lambda w: f"{w()} ANDMAYBE {w()}",
        lambda w: f"title:{w()} {w()}",
        lambda w: f"NOT {w()}",
        lambda w: f"{w()}",
        lambda w: '"' + " ".join(_adjacent(rng, texts)) + '"',
    ]
    return [rng.choice(shapes)(lambda: rng.choice(words)) for _ in range(count)]


def _adjacent(rng, texts) -> list[str]:
    tokens = [t for t in rng.choice(texts).split() if t.isalpha()]
    start = rng.randrange(max(1, len(tokens) - 2))
    return tokens[start : start + 2] or ["forces"]


@pytest.mark.parametrize("seed", range(3))
def test_scoring_only_the_matches_ranks_as_whoosh_ranking_every_match(index, seed):
    # Scores are worked out only for what the whole query matched
    # (Matches.scores); Whoosh here scores every match of every clause,
    # exhaustively (limit=None, optimize=False).  The masks must be equal,
    # every match's score the same, and the top 10 the same but for ties.
    gen = index.generation()
    searcher = gen.searcher
    checked = 0
    for q in _random_queries(index, 25, seed):
        plan = index._plan(gen, q, None, None, None, None, None, "relevance")
        found = plan.base_matches()
        assert found is not None, q
        results = searcher.search(plan.base, limit=None, terms=False, optimize=False)
        expected = np.zeros(gen.doc_count, dtype=bool)
        expected[[hit.docnum for hit in results]] = True
        assert np.array_equal(found.mask, expected), q
        if not len(results):
            continue
        checked += 1
        whoosh_scores = np.array([hit.score for hit in results])
        assert np.allclose(found.scores[[hit.docnum for hit in results]], whoosh_scores, rtol=1e-5), q
        ours = gen.ordered(found.mask, found.scores, "relevance", 10, collapse=False)
        theirs = [hit.docnum for hit in results[:10]]
        tenth = whoosh_scores[min(9, len(whoosh_scores) - 1)]
        # Ties may fall either way; everything scoring above the tenth must agree.
        assert [n for n in ours if found.scores[n] > tenth * (1 + 1e-5)] == \
            [n for n in theirs if found.scores[n] > tenth * (1 + 1e-5)], q
        assert not found.scores[~found.mask].any()
    assert checked >= 15


def test_remembered_term_frequencies_are_the_readers(index):
    gen = index.generation()
    reader = gen.searcher.reader()
    frequencies = gen.arrays().frequencies
    assert frequencies.doc_count() == reader.doc_count()
    gen.matches(plan_base := index._plan(gen, "Pokrovsk forces", None, None, None, None, None, "relevance").base)
    assert plan_base is not None
    for fieldname, word in [("text", "pokrovsk"), ("text", "forc"), ("text", "qzxwv"), ("pairs", "russian forc"),
                            ("place", "Pokrovsk"), ("title", "campaign")]:
        assert frequencies.doc_frequency(fieldname, word) == reader.doc_frequency(fieldname, word), word
        assert frequencies.doc_frequency(fieldname, word) == reader.doc_frequency(fieldname, word)  # remembered


@pytest.mark.parametrize("seed", range(20))
def test_collapsing_a_ranked_prefix_equals_collapsing_the_whole_order(seed):
    # Few groups with many repeats make the prefix grow; ties in scores and
    # dates check the index-order tie-break survives the cut.
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 3000))
    scores = rng.integers(0, 40, size).astype(np.float32)
    groups = rng.integers(0, int(rng.integers(1, 400)), size)
    days = rng.integers(-1, 30, size).astype(np.int32)
    candidates = np.flatnonzero(rng.random(size) < 0.7)
    for rank in (lambda n: top_documents(scores, candidates, n),
                 lambda n: dated_documents(days, candidates, n, newest=True)):
        whole = first_of_groups(rank(None), groups)
        for limit in (1, 10, 100, 1000, None):
            expected = whole if limit is None else whole[:limit]
            assert first_of_groups_ranked(rank, groups, limit).tolist() == expected.tolist()


@pytest.mark.parametrize("fieldname", ["text", "title", "pairs", "place", "topic", "day"])
def test_postings_read_without_positions_are_whoosh_s(index, fieldname):
    # Blocks are decoded from a pickle cut after their weights (#17): every
    # term of every segment must give Whoosh's own ids and weights.
    from search.index.postings import _read_term_slowly, read_term_postings

    checked = 0
    for leaf, _ in index.generation().searcher.reader().leaf_readers():
        for term in leaf.lexicon(fieldname):
            ids, weights = read_term_postings(leaf, fieldname, term)
            expected_ids, expected_weights = _read_term_slowly(leaf, fieldname, term)
            assert np.array_equal(ids, expected_ids) and np.allclose(weights, expected_weights), term
            checked += 1
    assert checked >= 5


def test_more_like_this_is_whoosh_s_more_like(index):
    # Scored with arrays since #17: the same hits, order and scores as
    # Whoosh's more_like, which took seconds at 100k paragraphs.
    searcher = index.generation().searcher
    for hit in index.search("Russian forces Pokrovsk", per_page=5).hits:
        docnum = index.generation().document_number(hit.id)
        own = searcher.stored_fields(docnum)
        whoosh = [(result["id"], result.score) for result in searcher.more_like(docnum, "text", text=own["text"], top=40, numterms=15)
                  if result.get("dup_group") != own.get("dup_group")][:10]
        ours = [(similar.id, similar.score) for similar in index.more_like_this(hit.id)]
        assert [id_ for id_, _ in ours] == [id_ for id_, _ in whoosh]
        assert np.allclose([score for _, score in ours], [score for _, score in whoosh], rtol=1e-5)
