"""Bad report files are read right or skipped with their reason, never a crash (#6).

Each file below is either indexed (with a warning when its encoding had to
be guessed) or skipped with the reason `sitrep index` prints; the summary
counts them, and paragraphs indexed before from a file that has since gone
bad stay in the index.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search import SearchIndex, update_index
from search.cli import cli

GOOD = (
    "Institute for the Study of War\n\nDecember 23, 2024\n\n"
    "Russian forces advanced near Pokrovsk on December 22. Ukrainian forces repelled assaults.\n\n"
    "North Korean troops fought in Kursk Oblast.\n"
)


@pytest.fixture
def bad_dir(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    (d / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.md").write_text(" \n\n\t\n")
    (d / "invalid-utf8.txt").write_bytes(GOOD.replace("Ukrainian", "Ukrainian latinword caf\xe9").encode("latin-1"))
    (d / "utf16.txt").write_bytes(GOOD.replace("Pokrovsk", "Pokrovsk utfsixteenword").encode("utf-16"))
    (d / "cp1252.txt").write_bytes(GOOD.replace("Kursk", "Kursk \u201cwindowsword\u201d \u2013").encode("cp1252"))
    (d / "nodate.txt").write_text("A report without any date\n\nSomething happened near Toretsk and nobody wrote when.\n")
    (d / "copy-a.txt").write_text(GOOD)
    (d / "copy-b.txt").write_text(GOOD)
    (d / "notes.pdf").write_bytes(b"%PDF-1.4")
    with open(d / "big.txt", "wb") as f:  # sparse: 50 MB on paper, nothing on disk
        f.truncate(50 * 2**20)
    return d


SKIPPED = {
    "big.txt": "larger than 20 MB",
    "binary.txt": "binary file (contains NUL bytes)",
    "empty.txt": "empty file",
    "blank.md": "empty file",
}


def test_each_bad_file_is_indexed_right_or_skipped_with_its_reason(settings, bad_dir: Path) -> None:
    summary = update_index(settings, [bad_dir])
    skipped = {Path(path).name: reason for path, reason in summary.skipped}
    for name, reason in SKIPPED.items():
        assert skipped[name] == reason
    assert skipped["notes.pdf"].startswith("unsupported file type .pdf")
    assert summary.added == 6 and len(summary.skipped) == 5
    warned = {Path(path).name: warning for path, warning in summary.warnings}
    assert warned["invalid-utf8.txt"] == warned["cp1252.txt"] == "not UTF-8; read as Windows-1252"
    with SearchIndex(settings) as index:
        assert index.search("latinword").total == 1
        assert index.search("utfsixteenword").total == 1
        assert index.search("windowsword").total == 1
        undated = index.search("Toretsk")
        assert undated.total == 1 and undated.hits[0].date is None
        # The same content under two names: both files are indexed, each whole.
        copies = index.search("North Korean troops fought", per_page=50)
        assert sorted(Path(h.report_id).name for h in copies.hits if "copy" in h.report_id) == ["copy-a", "copy-b"]


def test_cli_prints_each_skip_and_counts_it(settings, bad_dir: Path, runner) -> None:
    result = runner.invoke(cli, ["index", "--index-dir", str(settings.index_dir), str(bad_dir)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.strip() == "6 added, 0 updated, 0 removed, 5 skipped, 0 unchanged; 11 paragraphs written"
    for name, reason in SKIPPED.items():
        assert f"skipped {bad_dir / name}: {reason}" in result.stderr


def test_a_file_that_goes_bad_keeps_its_paragraphs(settings, tmp_path: Path) -> None:
    d = tmp_path / "reports"
    d.mkdir()
    report = d / "isw-2024-12-23.txt"
    report.write_text(GOOD)
    first = update_index(settings, [d])
    assert first.paragraphs > 0
    for bad in (b"\x00binary\x00", b""):
        report.write_bytes(bad)
        summary = update_index(settings, [d])
        assert [Path(p).name for p, _ in summary.skipped] == ["isw-2024-12-23.txt"]
        with SearchIndex(settings) as index:
            assert index.search("Pokrovsk").total == 1  # still there


def test_deeply_nested_html_is_read(settings, tmp_path: Path) -> None:
    from search.ingest import READABLE_SUFFIXES

    if ".html" not in READABLE_SUFFIXES:
        pytest.skip(".html ingest does not exist yet")
    d = tmp_path / "reports"
    d.mkdir()
    (d / "nested.html").write_text(
        "<html><body><article>" + "<div>" * 20000
        + "<p>Deeply nested paragraph about nestedword near Siversk on December 3, 2024.</p>"
        + "</div>" * 20000 + "</article></body></html>"
    )
    summary = update_index(settings, [d])
    assert summary.added == 1 and summary.skipped == []
    with SearchIndex(settings) as index:
        assert index.search("nestedword").total == 1
