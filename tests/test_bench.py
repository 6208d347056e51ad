"""The benchmark harness's own logic at a tiny scale: the query generator, run.py and load.py (no timings asserted)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import queries  # noqa: E402
from make_corpus import write_corpus  # noqa: E402
from run import TOP10_KINDS, parsed_records  # noqa: E402


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    # 3,000 paragraphs: enough for a word to be in under 0.1% of them (one or two).
    write_corpus(3000, corpus, seed=11, long_tail=True)
    return list(parsed_records(corpus))


@pytest.fixture(scope="module")
def drawn(records):
    return queries.draw_queries(records, 300, seed=3)


def test_queries_are_distinct_and_of_every_kind(drawn):
    assert len(drawn) == 300
    assert len({queries.query_key(q) for q in drawn}) == 300
    kinds = Counter(q["kind"] for q in drawn)
    assert set(kinds) == set(queries.KINDS)
    assert min(kinds.values()) >= 300 // len(queries.KINDS) - 3  # equal shares while each kind has queries


def test_rare_words_are_really_rare(records, drawn):
    paragraphs, df = queries.document_frequencies(records)
    rare = [q["q"] for q in drawn if q["kind"] == "rare"]
    assert rare
    for word in rare:
        assert 1 <= df[word] < paragraphs * 0.001, (word, df[word])
    assert sum(1 for word in rare if df[word] <= 10) >= len(rare) // 2


def test_kinds_ask_what_their_label_says(records, drawn):
    texts = [r.text for r in records]
    for q in drawn:
        if q["kind"] == "question":
            assert 2 <= len(q["q"].split()) <= 6 and '"' not in q["q"]
        elif q["kind"] == "phrase":
            phrase = q["q"].strip('"')
            assert q["q"].startswith('"') and 2 <= len(phrase.split()) <= 4
            assert any(phrase in text for text in texts), phrase
        elif q["kind"] == "filter":
            assert {"topic", "source", "place"} & set(q)
        elif q["kind"] == "date":
            assert q["from"] <= q["to"]
        elif q["kind"] == "collapse":
            assert q["collapse"] is True
    paragraphs, df = queries.document_frequencies(records)
    for q in drawn:
        if q["kind"] == "common":
            assert df[q["q"]] >= paragraphs * queries.COMMON_SHARE
        if q["kind"] == "mid":
            assert paragraphs * queries.MID_SHARE <= df[q["q"]] < paragraphs * queries.COMMON_SHARE


def test_the_generator_is_deterministic_by_seed(records, drawn):
    assert queries.draw_queries(records, 300, seed=3) == drawn
    assert queries.draw_queries(records, 300, seed=4) != drawn


def test_no_records_are_refused():
    with pytest.raises(ValueError, match="no records"):
        queries.draw_queries([], 300)


def test_request_paths_carry_every_part_of_a_query():
    assert queries.request_path({"kind": "filter", "q": "", "topic": ["Strikes"]}, api=False) == "/?topic=Strikes"
    path = queries.request_path({"kind": "filter", "q": "drones", "place": ["Kursk Oblast"], "from": "2024-01-01",
                                 "to": "2024-03-31", "collapse": True})
    assert path == "/api/search?q=drones&place=Kursk+Oblast&from=2024-01-01&to=2024-03-31&collapse=true"


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    # tantivy is in the test extra: without it this fails, it does not skip.
    work = tmp_path_factory.mktemp("bench")
    out = work / "summary.json"
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--paragraphs", "1000", "--queries", "300",
         "--out", str(out), "--workdir", str(work / "work")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return work / "work", json.loads(out.read_text()), result.stdout


def test_side_by_side_benchmark_writes_its_summary(bench_run):
    _, summary, stdout = bench_run
    for key in ("paragraphs", "page_p50_ratio", "page_p95_ratio", "page_p50_ratio_tantivy",
                "page_p95_ratio_tantivy", "phrase_p95_ms", "build_paragraphs_per_s", "add_report_visible_ms",
                "peak_rss_mb", "first_query_ms", "cold_collapse_ms", "index_mb"):
        assert isinstance(summary[key], (int, float)) and summary[key] > 0, key
    for peer in ("fts5", "tantivy"):
        for key in ("first_query_ms", "index_mb", "build_paragraphs_per_s", "page_p50_ms"):
            assert summary[peer][key] > 0, (peer, key)
    assert summary["queries"] == 300 and summary["paragraphs"] >= 1000
    assert len(summary["first_query_ms_per_worker"]) == 2  # every serve worker answered
    assert len(summary["cold_collapse_after_add_ms_per_worker"]) == 2
    assert summary["serve_statuses"] == [200]
    assert set(summary["kinds"]) == {*queries.KINDS, "all"}
    assert sum(summary["query_kinds"].values()) == 300
    assert sum(row["pages"] for row in summary["postings_cache"].values()) == 300
    assert "| phrase |" in stdout and "| build |" in stdout and "÷tantivy p95" in stdout


def test_the_top_10_is_timed_in_its_own_pass(bench_run):
    _, summary, stdout = bench_run
    for key in ("top10_p50_ms", "top10_p95_ms", "top10_p50_ratio", "top10_p95_ratio", "top10_p50_ratio_tantivy",
                "top10_p95_ratio_tantivy"):
        assert isinstance(summary[key], (int, float)) and summary[key] > 0, key
    assert summary["top10_p50_ms"] <= summary["top10_p95_ms"]
    for peer in ("fts5", "tantivy"):
        assert 0 < summary[peer]["top10_p50_ms"] <= summary[peer]["top10_p95_ms"], peer
    kinds = summary["kinds"]
    # Collapse queries are left out: no engine's top-k collapses repeats.
    assert "top10_queries" not in kinds["collapse"]
    assert kinds["all"]["top10_queries"] == 300 - summary["query_kinds"]["collapse"]
    assert "collapse" not in TOP10_KINDS and len(TOP10_KINDS) == len(queries.KINDS) - 1
    for kind in (*TOP10_KINDS, "all"):
        assert kind == "all" or kinds[kind]["top10_queries"] == kinds[kind]["queries"]
        for engine in ("sitrep", "fts5", "tantivy"):
            assert 0 < kinds[kind][f"top10_{engine}_p50_ms"] <= kinds[kind][f"top10_{engine}_p95_ms"], (kind, engine)
    assert kinds["all"]["top10_sitrep_p50_ms"] == summary["top10_p50_ms"]
    # Printed after the page table.
    assert stdout.index("| top 10 | queries |") > stdout.index("| whole page | queries |")


def test_no_top10_skips_the_pass(bench_run, tmp_path):
    workdir, _, _ = bench_run
    copy = tmp_path / "work"
    shutil.copytree(workdir / "corpus", copy / "corpus")
    out = tmp_path / "summary.json"
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--queries", "300", "--no-top10", "--reuse-corpus",
         "--out", str(out), "--workdir", str(copy)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(out.read_text())
    assert summary["page_p50_ms"] > 0
    assert not [key for key in summary if key.startswith("top10_")]
    assert "top10_p50_ms" not in summary["tantivy"] and "top10_queries" not in summary["kinds"]["all"]
    assert "| top 10 |" not in result.stdout


def test_the_benchmark_refuses_fewer_than_300_queries():
    result = subprocess.run([sys.executable, str(BENCH / "run.py"), "--queries", "50"], capture_output=True, text=True)
    assert result.returncode == 2 and "at least 300" in result.stderr


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed (make test installs it: apt-get install wrk)")
def test_load_sends_each_query_once_and_counts_every_answer(bench_run, tmp_path):
    workdir, _, _ = bench_run
    out = tmp_path / "load.json"
    result = subprocess.run(
        [sys.executable, str(BENCH / "load.py"), "--workdir", str(workdir), "--cache", "off", "--connections", "4",
         "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(out.read_text())
    run = summary["runs"]["off"]
    assert summary["queries"] == 2000
    assert run["sent"] == 2000 and run["answered"] + run["timeouts"] == 2000
    assert run["non_200"] == 0 and run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"] <= run["max_ms"]
