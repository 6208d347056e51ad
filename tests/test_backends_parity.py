"""Both back ends give the same answers (#18): bench/cluster_queries.py's 67 queries on a real node.

The seeds and a generated corpus (bench/make_corpus.py, 40 reports in four
formats) are indexed into both back ends. For every query: the same total,
the same counts for every facet value (selected and excluded flags, the
timeline, the map), the same JSON keys, the same relaxing; with a date
order the same sequence of dates. Scores differ by design (BM25F against a
sum of BM25s), so the hits of a relevance order are compared as the share
of Whoosh's first ten the cluster also returns: at least 0.8 on average
and 0.5 for any query.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from statistics import mean

import pytest
from opensearchpy import OpenSearch

from search import load_settings, open_backend, update_backend

pytestmark = pytest.mark.opensearch

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


cluster_queries = _load("cluster_queries")
make_corpus = _load("make_corpus")
NAME = "t-parity"


@pytest.fixture(scope="module")
def both(opensearch_url, tmp_path_factory, seeds_dir):
    folder = tmp_path_factory.mktemp("parity")
    shutil.copytree(seeds_dir, folder / "seeds")
    make_corpus.write_corpus(None, folder / "generated", seed=7, formats=make_corpus.FORMATS, reports=40)
    settings = load_settings(environ={}, index_dir=folder / "ix", backend="opensearch",
                             opensearch_url=opensearch_url, opensearch_index=NAME)
    update_backend(settings, [folder / "seeds", folder / "generated"])
    with open_backend(load_settings(environ={}, index_dir=folder / "ix")) as whoosh, open_backend(settings) as cluster:
        yield whoosh, cluster
    client = OpenSearch(hosts=[opensearch_url])
    client.indices.delete(index=f"{NAME}-*", ignore_unavailable=True)


def test_the_query_set_covers_every_shape():
    assert len(cluster_queries.QUERIES) >= 50
    options = {key for _, given in cluster_queries.QUERIES for key in given}
    assert options >= {"filters", "exclude", "date_from", "date_to", "event_from", "event_to", "sort", "page",
                       "collapse", "group", "literal"}


@pytest.fixture(scope="module")
def compared(both):
    whoosh, cluster = both
    return [(q, options, cluster_queries.compare_pages(whoosh.search(q, **options).to_json(),
                                                       cluster.search(q, **options).to_json()))
            for q, options in cluster_queries.QUERIES]


@pytest.mark.parametrize("number", range(len(cluster_queries.QUERIES)))
def test_totals_facets_and_shape_are_the_same(compared, number):
    q, options, found = compared[number]
    assert (found["totals"], found["facets"], found["shape"], found["relaxed"]) == (True, True, True, True), (q, options)
    if options.get("sort") in ("newest", "oldest") or not q.strip():
        assert found["dates"], (q, options)


def test_relevance_orders_overlap(compared):
    overlaps = [found["overlap"] for q, options, found in compared
                if q.strip() and options.get("sort", "relevance") == "relevance"]
    assert mean(overlaps) >= 0.8
    assert min(overlaps) >= 0.5


def test_the_corpus_is_big_enough_to_mean_something(both):
    whoosh, cluster = both
    page = cluster.search("")
    assert page.total == whoosh.search("").total > 2000
    assert len(page.facets["day"]) > 30 and len(page.facets["place"]) > 30
