"""bench/run.py runs end to end and writes the summary the README table comes from (no timings asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_side_by_side_benchmark_writes_its_summary(tmp_path):
    out = tmp_path / "summary.json"
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--paragraphs", "300", "--queries", "50", "--rounds", "1",
         "--out", str(out), "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(out.read_text())
    for key in ("paragraphs", "page_p50_ratio", "page_p95_ratio", "phrase_p95_ms", "build_paragraphs_per_s",
                "add_report_visible_ms", "peak_rss_mb"):
        assert isinstance(summary[key], (int, float)) and summary[key] > 0, key
    assert summary["queries"] == 50 and summary["paragraphs"] >= 300
    assert "| whole page, phrase |" in result.stdout and "| build |" in result.stdout
    assert set(summary["kinds"]) >= {"page_rare", "page_phrase", "top10_dated", "top10_faceted"}


def test_the_mix_has_every_kind_and_refuses_fewer_than_fifty(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH / "run.py"), "--queries", "10"], capture_output=True, text=True)
    assert result.returncode == 2 and "at least 50 queries" in result.stderr
