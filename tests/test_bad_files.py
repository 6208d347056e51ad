"""Bad report files are read right or skipped with their reason, never a crash (#6).

Each file below is either indexed (with a warning when its encoding had to
be guessed) or skipped with the reason `sitrep index` prints; the summary
counts them, and paragraphs indexed before from a file that has since gone
bad stay in the index.
"""

from __future__ import annotations

import os
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
    assert skipped["notes.pdf"] == "not a valid PDF: data format error"
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


# One bad file never stops a run (#13).  Each case below used to end
# `sitrep index` with a traceback, committing nothing (or, for the dates
# without a year, failing again on every later run).  Four good files are
# read beside it, enough for the files to be read in forked children.
GOOD_REPORTS = {
    f"good-{n}.txt": f"Institute for the Study of War\n\nDecember {20 + n}, 2024\n\n"
    f"Russian forces advanced near Pokrovsk. Goodword{n} appears only in this report.\n"
    for n in range(4)
}


def _write_bad_case(folder: Path, case: str) -> tuple[str, str]:
    """Write the bad file(s) of ``case`` into ``folder``; return (its marker word, the stderr line part expected)."""
    if case == "lone surrogate":
        (folder / "records.jsonl").write_text(
            '{"text": "A broken \\ud800 escape beside surrogateword near Toretsk.", "date": "2024-12-01"}\n'
            '{"text": "A sound record with recordword near Kupyansk.", "date": "2024-12-02"}\n'
        )
        return "recordword", "records.jsonl: line 1: 1 unpaired surrogate escape(s) such as \\ud800 replaced with U+FFFD"
    if case == "name not UTF-8":
        with open(os.fsencode(folder) + b"/bad\xff\xfe.txt", "wb") as handle:
            handle.write(b"December 3, 2024\n\nA report saved under a Latin-1 name mentions namedword.\n")
        return "namedword", ""
    if case == "JSON nested too deeply":
        (folder / "nested.jsonl").write_text(
            "[" * 100_000 + "\n" + '{"text": "The record after it holds deepword.", "date": "2024-12-04"}\n'
        )
        return "deepword", "nested.jsonl: line 1: not read (nested too deeply)"
    if case == "undated record, then dates without a year":
        # The undated record shares a segment with the dated reports; the
        # year of "December 14" is then looked up among them (dated_neighbour).
        (folder / "undated.jsonl").write_text('{"text": "Russian forces advanced near Pokrovsk, undated."}\n')
        (folder / "yearless.txt").write_text(
            "December 14\n\nRussian forces advanced near Pokrovsk again, says yearlessword.\n"
        )
        return "yearlessword", ""
    raise ValueError(case)


@pytest.mark.parametrize(
    "case", ["lone surrogate", "name not UTF-8", "JSON nested too deeply", "undated record, then dates without a year"]
)
def test_one_bad_file_never_stops_the_run(settings, tmp_path: Path, runner, case: str) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in GOOD_REPORTS.items():
        (folder / name).write_text(text)
    marker, expected_line = _write_bad_case(folder, case)
    args = ["index", "--index-dir", str(settings.index_dir), str(folder)]
    first = runner.invoke(cli, args, catch_exceptions=False)
    assert first.exit_code == 0 and " 0 skipped, 0 unchanged" in first.stdout
    assert expected_line in first.stderr
    again = runner.invoke(cli, args, catch_exceptions=False)  # nothing the first run left trips it
    assert again.exit_code == 0 and "0 added, 0 updated, 0 removed, 0 skipped" in again.stdout
    with SearchIndex(settings) as index:
        for n in range(len(GOOD_REPORTS)):
            assert index.search(f"goodword{n}").total == 1
        found = index.search(marker)
        assert found.total == 1
        hit = found.hits[0]
        if case == "name not UTF-8":
            # Stored and printed readably: the bytes that are not UTF-8 as \xNN.
            assert index.report(hit.report_id).path == str(folder / "bad\\xff\\xfe.txt")
        if case == "undated record, then dates without a year":
            assert hit.date == "2024-12-14"
        assert index.search("surrogateword").total == (1 if case == "lone surrogate" else 0)


def test_a_deleted_file_with_a_name_not_utf8_leaves_the_index(settings, tmp_path: Path, runner) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "good-0.txt").write_text(GOOD_REPORTS["good-0.txt"])
    _write_bad_case(folder, "name not UTF-8")
    args = ["index", "--index-dir", str(settings.index_dir), str(folder)]
    assert runner.invoke(cli, args, catch_exceptions=False).stdout.startswith("2 added")
    assert "2 unchanged" in runner.invoke(cli, args, catch_exceptions=False).stdout
    os.remove(os.fsencode(folder) + b"/bad\xff\xfe.txt")
    assert runner.invoke(cli, args, catch_exceptions=False).stdout.startswith("0 added, 0 updated, 1 removed")
    with SearchIndex(settings) as index:
        assert index.search("namedword").total == 0
        assert index.search("goodword0").total == 1


@pytest.mark.parametrize("good_files", [1, 4], ids=["one process", "forked readers"])
def test_an_unexpected_error_in_one_file_skips_only_that_file(
    settings, tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch, good_files: int
) -> None:
    # No input is known to crash a reader any more, so a bug is planted in
    # reading one file and in completing the dates of another (the second
    # step, run after the first commit).  Forked readers inherit the plant.
    import search.index.update

    real_read, real_docs = search.index.update.read_report_file, search.index.update.paragraph_docs

    def read_with_a_bug(path: Path, taxonomy, *args):
        if path.name == "explodes.txt":
            raise RuntimeError("a reader bug")
        return real_read(path, taxonomy, *args)

    def docs_with_a_bug(draft, taxonomy, *args):
        if draft.path.name == "explodes-later.txt":
            raise KeyError("a dating bug")
        return real_docs(draft, taxonomy, *args)

    monkeypatch.setattr(search.index.update, "read_report_file", read_with_a_bug)
    monkeypatch.setattr(search.index.update, "paragraph_docs", docs_with_a_bug)
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in list(GOOD_REPORTS.items())[:good_files]:
        (folder / name).write_text(text)
    (folder / "explodes.txt").write_text(GOOD_REPORTS["good-0.txt"].replace("Goodword0", "explodedword"))
    (folder / "explodes-later.txt").write_text("December 14\n\nRussian forces advanced near Pokrovsk, laterword.\n")
    result = runner.invoke(cli, ["index", "--index-dir", str(settings.index_dir), str(folder)], catch_exceptions=False)
    assert result.exit_code == 0
    assert f"skipped {folder / 'explodes.txt'}: unexpected RuntimeError: a reader bug" in result.stderr
    assert f"skipped {folder / 'explodes-later.txt'}: unexpected KeyError: 'a dating bug'" in result.stderr
    assert result.stdout.strip() == (
        f"{good_files} added, 0 updated, 0 removed, 2 skipped, 0 unchanged; {good_files} paragraphs written"
    )
    with SearchIndex(settings) as index:
        assert all(index.search(f"goodword{n}").total == 1 for n in range(good_files))
        assert index.search("explodedword").total == index.search("laterword").total == 0


def test_a_date_that_is_no_calendar_date_is_ignored_with_a_warning(settings, tmp_path: Path, runner) -> None:
    # These were stored undated without a word (#13).
    folder = tmp_path / "reports"
    folder.mkdir()
    dates = {"9999-12-31": "farword", "0001-01-01": "earlyword", "2024-02-30": "leapword", "2024-02-29": "realword"}
    (folder / "export.jsonl").write_text(
        "".join(f'{{"text": "A record mentioning {word}.", "date": "{day}"}}\n' for day, word in dates.items())
    )
    (folder / "note.md").write_text("---\ntitle: A note\ndate: 2024-02-30\n---\n\nA note mentioning noteword.\n")
    result = runner.invoke(cli, ["index", "--index-dir", str(settings.index_dir), str(folder)], catch_exceptions=False)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning ")]
    assert warnings == [
        f"warning {folder / 'export.jsonl'}: line {n}: record date '{day}' is not a calendar date from 1900 to 2099; ignored"
        for n, day in enumerate(["9999-12-31", "0001-01-01", "2024-02-30"], start=1)
    ] + [f"warning {folder / 'note.md'}: front matter date '2024-02-30' is not a calendar date from 1900 to 2099; ignored"]
    with SearchIndex(settings) as index:
        for word in ("farword", "earlyword", "leapword", "noteword"):
            assert [hit.date for hit in index.search(word).hits] == [None]
        assert [hit.date for hit in index.search("realword").hits] == ["2024-02-29"]
