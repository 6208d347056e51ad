"""The benchmark's corpus generator (bench/make_corpus.py) and its path through the engine."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from search import SearchIndex, update_index

BENCH = Path(__file__).resolve().parent.parent / "bench"
spec = importlib.util.spec_from_file_location("make_corpus", BENCH / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(spec)
sys.modules["make_corpus"] = make_corpus  # dataclasses look their module up
spec.loader.exec_module(make_corpus)


def test_generation_is_deterministic_and_sized():
    first = [r.paragraphs for r in make_corpus.generate_reports(1500, seed=3)]
    again = [r.paragraphs for r in make_corpus.generate_reports(1500, seed=3)]
    other = [r.paragraphs for r in make_corpus.generate_reports(1500, seed=4)]
    assert first == again and first != other
    total = sum(len(p) for p in first)
    assert 1500 <= total < 1500 + 90  # stops after the report that reaches the count


def test_reports_carry_what_real_ones_do():
    reports = list(make_corpus.generate_reports(600, seed=1))
    texts = [p for r in reports for p in r.paragraphs]
    assert texts.count(make_corpus.DISCLAIMER) == len(reports)  # repeated word for word
    assert any("[1]" in t for t in texts) and all(r.endnotes for r in reports)
    assert any(t.startswith("Assessed Russian advances:") for t in texts)
    assert {r.day for r in reports} == {r.day for r in reports if r.day >= make_corpus.START}


@pytest.mark.parametrize("formats", ["txt", "txt,html,md,jsonl"])
def test_every_generated_paragraph_is_indexed_once(tmp_path, settings, formats):
    count, paragraphs = make_corpus.write_corpus(900, tmp_path / "corpus", seed=5, formats=tuple(formats.split(",")))
    reports = list(make_corpus.generate_reports(900, seed=5))
    assert (count, paragraphs) == (len(reports), sum(len(r.paragraphs) for r in reports))
    summary = update_index(settings, [tmp_path / "corpus"])
    assert summary.skipped == []  # the hidden manifest is not read as a report
    assert summary.paragraphs == paragraphs
    manifest = [json.loads(line) for line in (tmp_path / "corpus" / ".manifest.jsonl").read_text().splitlines()]
    assert [entry["report_id"] for entry in manifest] == [r.slug for r in reports]
    with SearchIndex(settings) as index:
        for entry in manifest[:3]:
            report = index.report(entry["report_id"])
            assert [(p.section, p.kind) for p in report.paragraphs] == [
                (record["section"], record["kind"]) for record in entry["records"]]
            assert {p.date for p in report.paragraphs} == {entry["date"]}
    with SearchIndex(settings) as index:
        page = index.search("", collapse=True, per_page=100)
        assert page.total < summary.paragraphs  # the disclaimer collapses into one group
        disclaimer = index.search('"classified material"', collapse=True)
        assert disclaimer.total == 1 and len(disclaimer.hits[0].also_in) == len(reports) - 1
        assert {v.value for v in index.search("").facets["source"]} == {"Institute for the Study of War"}


def test_command_line(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCH / "make_corpus.py"), "--paragraphs", "300", "--out", str(tmp_path / "c"),
         "--formats", "txt,md"],
        capture_output=True, text=True, check=True,
    )
    assert result.stdout.startswith(f"{len(list(make_corpus.generate_reports(300)))} reports")
    assert {p.suffix for p in (tmp_path / "c").iterdir() if not p.name.startswith(".")} == {".md", ".txt"}
    by_reports = subprocess.run(
        [sys.executable, str(BENCH / "make_corpus.py"), "--reports", "4", str(tmp_path / "r")],
        capture_output=True, text=True, check=True,
    )
    assert by_reports.stdout.startswith("4 reports") and len(list((tmp_path / "r").glob("*.txt"))) == 4
    bad = subprocess.run([sys.executable, str(BENCH / "make_corpus.py"), "--paragraphs", "10", "--out",
                          str(tmp_path / "d"), "--formats", "pdf"], capture_output=True, text=True)
    assert bad.returncode == 2 and "formats must be among" in bad.stderr
