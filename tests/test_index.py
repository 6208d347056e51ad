"""Creating and updating the index (search/index.py): incremental, safe with bad files."""

from __future__ import annotations

import errno
import gc
import os
import shutil
import subprocess

import pytest

from search import (
    IndexBusy,
    IndexSummary,
    ParagraphNotFound,
    SchemaChanged,
    SearchIndex,
    load_settings,
    update_index,
)
from search.index import commit as commit_module
from search.index import update as index_module
from search.index import SCHEMA_VERSION
from search.index import VERSION_FILE, indexed_files, open_index

ISW_FILE = "000_0dbb5635bfea498f.txt"
TAKEAWAYS_FILE = "004_46fcd5d56deb0784.txt"


def counts(summary: IndexSummary) -> tuple[int, int, int, int, int]:
    return (summary.added, summary.updated, summary.removed, summary.unchanged, summary.paragraphs)


def total(settings, q: str = "", **options) -> int:
    with SearchIndex(settings) as index:
        return index.search(q, **options).total


def all_hits(settings):
    with SearchIndex(settings) as index:
        return index.search("", per_page=100).hits


@pytest.fixture
def indexed(settings, seed_copy) -> IndexSummary:
    """The seed copies indexed once into ``settings.index_dir``; the first run's summary."""
    return update_index(settings, [seed_copy])


def test_first_run_adds_every_file(indexed, settings, seed_copy):
    assert counts(indexed) == (2, 0, 0, 0, 32)
    assert indexed.skipped == [] and indexed.warnings == []
    assert indexed.line() == "2 added, 0 updated, 0 removed, 0 skipped, 0 unchanged; 32 paragraphs written"
    assert total(settings) == 32
    assert (settings.index_dir / VERSION_FILE).read_text().split()[0] == str(SCHEMA_VERSION)
    ix = open_index(settings.index_dir)
    try:
        assert set(indexed_files(ix)) == {str(seed_copy / ISW_FILE), str(seed_copy / TAKEAWAYS_FILE)}
    finally:
        ix.close()


def test_nothing_changed(indexed, settings, seed_copy):
    summary = update_index(settings, [seed_copy])
    assert counts(summary) == (0, 0, 0, 2, 0)
    assert summary.line() == "0 added, 0 updated, 0 removed, 0 skipped, 2 unchanged; 0 paragraphs written"
    assert total(settings) == 32


def test_edited_file_is_replaced(indexed, settings, seed_copy):
    report = seed_copy / ISW_FILE
    report.write_text(report.read_text(encoding="utf-8").replace("Transnistria", "Zanzibar"), encoding="utf-8")
    summary = update_index(settings, [seed_copy])
    assert counts(summary) == (0, 1, 0, 1, 19)
    assert total(settings, "Zanzibar") == 1
    assert total(settings, "Transnistria") == 0
    assert total(settings) == 32
    with SearchIndex(settings) as index:
        places = {value.value for value in index.search("").facets["place"]}
    assert "Transnistria" not in places  # the old paragraph is gone from the facets too


def test_deleted_file_loses_its_paragraphs(indexed, settings, seed_copy):
    (seed_copy / TAKEAWAYS_FILE).unlink()
    summary = update_index(settings, [seed_copy])
    assert counts(summary) == (0, 0, 1, 1, 0)
    assert total(settings, "Zelensky") == 0
    hits = all_hits(settings)
    assert len(hits) == 19
    assert {hit.report_id for hit in hits} == {"000_0dbb5635bfea498f", "000_0dbb5635bfea498f-2"}


def test_deleted_file_named_directly(settings, seed_copy):
    report = seed_copy / ISW_FILE
    update_index(settings, [report])
    report.unlink()
    summary = update_index(settings, [report])
    assert summary.removed == 1
    assert summary.skipped == [(str(report), "no such file or directory")]
    assert total(settings) == 0


def test_rebuild(indexed, settings, seed_copy):
    before = sorted(hit.id for hit in all_hits(settings))
    summary = update_index(settings, [seed_copy], rebuild=True)
    assert counts(summary) == (2, 0, 0, 0, 32)
    assert sorted(hit.id for hit in all_hits(settings)) == before


def test_update_of_one_root_leaves_other_roots_alone(settings, tmp_path, seeds_dir):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(seeds_dir / ISW_FILE, first)
    shutil.copy(seeds_dir / TAKEAWAYS_FILE, second)
    update_index(settings, [first])
    update_index(settings, [second])
    (first / ISW_FILE).unlink()  # gone, but first/ is not being updated
    summary = update_index(settings, [second])
    assert counts(summary) == (0, 0, 0, 1, 0)
    assert total(settings) == 32
    summary = update_index(settings, [first])
    assert summary.removed == 1
    assert total(settings) == 13


def test_reports_setting_is_the_default_path(tmp_path, seed_copy):
    settings = load_settings(index_dir=tmp_path / "index", reports=[seed_copy / ISW_FILE])
    summary = update_index(settings)
    assert counts(summary) == (1, 0, 0, 0, 19)


BAD_FILES = {
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes)"),
    "empty.txt": (b"", "empty file"),
    "report.docx": (b"Russian forces advanced near Kupyansk.", "unsupported file type .docx; expected .txt, .md, .html, .json, .jsonl or .pdf"),
}


def test_bad_files_are_skipped_with_reasons(indexed, settings, seed_copy):
    for name, (data, _) in BAD_FILES.items():
        (seed_copy / name).write_bytes(data)
    summary = update_index(settings, [seed_copy])
    assert sorted(summary.skipped) == sorted(
        (str(seed_copy / name), reason) for name, (_, reason) in BAD_FILES.items())
    assert counts(summary) == (0, 0, 0, 2, 0)
    assert summary.line().startswith("0 added, 0 updated, 0 removed, 3 skipped, 2 unchanged")
    assert total(settings) == 32


@pytest.mark.parametrize("name", ["binary.txt", "empty.txt"])
def test_file_turned_bad_keeps_what_it_had(indexed, settings, seed_copy, name):
    data, reason = BAD_FILES[name]
    report = seed_copy / TAKEAWAYS_FILE
    report.write_bytes(data)
    summary = update_index(settings, [seed_copy])
    assert summary.skipped == [(str(report), reason)]
    assert counts(summary) == (0, 0, 0, 1, 0)
    assert total(settings, "Zelensky") == 1
    assert total(settings) == 32


def test_windows_1252_file_is_indexed_with_a_warning(settings, tmp_path):
    report = tmp_path / "cp1252.txt"
    report.write_bytes("December 2, 2024\n\nRussia’s bases in Syria were evacuated.\n".encode("cp1252"))
    summary = update_index(settings, [report])
    assert summary.added == 1
    assert summary.warnings == [(str(report), "not UTF-8; read as Windows-1252")]
    assert all_hits(settings)[0].text == "Russia’s bases in Syria were evacuated."


def test_schema_change_asks_for_rebuild(indexed, settings, seed_copy):
    (settings.index_dir / VERSION_FILE).write_text("999\n")
    with pytest.raises(SchemaChanged, match="--rebuild"):
        update_index(settings, [seed_copy])
    with pytest.raises(SchemaChanged, match="--rebuild"):
        total(settings)
    summary = update_index(settings, [seed_copy], rebuild=True)
    assert summary.added == 2
    assert total(settings) == 32


def test_index_busy(indexed, settings, seed_copy, monkeypatch):
    monkeypatch.setattr(index_module, "WRITER_TIMEOUT_S", 0)
    (seed_copy / ISW_FILE).write_text("December 2, 2024\n\nA changed report.\n")
    ix = open_index(settings.index_dir)
    writer = ix.writer()  # holds the write lock
    try:
        with pytest.raises(IndexBusy, match="another `sitrep index`"):
            update_index(settings, [seed_copy])
    finally:
        writer.cancel()
        ix.close()
    assert update_index(settings, [seed_copy]).updated == 1


def test_open_search_index_sees_deletes(indexed, settings, seed_copy):
    """Regression: Whoosh's Searcher.refresh() returned stale hits after a delete."""
    with SearchIndex(settings) as index:
        before = index.search("Zelensky")
        assert before.total == 1
        assert index.search("", per_page=100).total == 32
        (seed_copy / TAKEAWAYS_FILE).unlink()
        assert update_index(settings, [seed_copy]).removed == 1
        assert index.search("Zelensky").total == 0
        hits = index.search("", per_page=100).hits
        assert len(hits) == 19
        assert len({hit.id for hit in hits}) == 19
        with pytest.raises(ParagraphNotFound):
            index.paragraph(before.hits[0].id)


def test_open_search_index_sees_edits(indexed, settings, seed_copy):
    with SearchIndex(settings) as index:
        assert index.search("Transnistria").total == 1
        report = seed_copy / ISW_FILE
        report.write_text(report.read_text(encoding="utf-8").replace("Transnistria", "Zanzibar"), encoding="utf-8")
        update_index(settings, [seed_copy])
        assert index.search("Transnistria").total == 0
        assert index.search("Zanzibar").total == 1
        assert index.search("", per_page=100).total == 32


def test_open_search_index_sees_rebuild(indexed, settings, seed_copy):
    with SearchIndex(settings) as index:
        assert index.search("Transnistria").total == 1
        report = seed_copy / ISW_FILE
        report.write_text(report.read_text(encoding="utf-8").replace("Transnistria", "Zanzibar"), encoding="utf-8")
        update_index(settings, [seed_copy], rebuild=True)
        assert index.search("Zanzibar").total == 1
        assert index.search("Transnistria").total == 0


def test_records_are_stored_with_their_fields(seed_settings):
    with SearchIndex(seed_settings) as index:
        page = index.search('"Kremlin affiliated"')
        (hit,) = page.hits
    assert hit.report_id == "000_0dbb5635bfea498f"
    assert (hit.kind, hit.position, hit.date, hit.date_inferred) == ("paragraph", 1, "2024-12-23", False)
    assert [note["n"] for note in hit.footnotes] == [1, 2, 3]
    assert hit.url == "/reports/000_0dbb5635bfea498f#p1"
    assert hit.path.endswith(ISW_FILE)


def test_text_postings_keep_each_word_s_frequency_once_as_its_weight(settings, tmp_path):
    # Schema 8: no value bytes beside the weight, which scoring reads (#17).
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.txt").write_text("December 1, 2024\n\nDrones struck Kherson; drones struck Kherson again.\n")
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        (leaf, _), = index.generation().searcher.reader().leaf_readers()
        for fieldname, term, frequency in [("text", b"drone", 2), ("pairs", b"drone struck", 2), ("pairs", b"kherson drone", 1)]:
            matcher = leaf.postings(fieldname, term)
            assert matcher.weight() == frequency and matcher.value() is None
            assert leaf.frequency(fieldname, term) == frequency


# -- batches and rebuilds ---------------------------------------------------------


def test_big_runs_commit_in_batches_with_each_file_whole(settings, seed_copy, monkeypatch):
    monkeypatch.setattr(index_module, "BATCH_PARAGRAPHS", 5)
    summary = update_index(settings, [seed_copy])
    assert summary.paragraphs == 32
    ix = open_index(settings.index_dir)
    try:
        assert ix.latest_generation() >= 2  # one commit per file here, plus the inferred-year pass
        assert ix.doc_count() == 32
    finally:
        ix.close()


def test_rebuild_swaps_a_complete_index_in(settings, seed_copy):
    update_index(settings, [seed_copy])
    (settings.index_dir / ".gitkeep").touch()
    summary = update_index(settings, [seed_copy], rebuild=True)
    assert summary.added == 2 and summary.paragraphs == 32
    assert (settings.index_dir / ".gitkeep").exists()
    assert total(settings) == 32
    leftovers = [p.name for p in settings.index_dir.parent.iterdir() if p.name.startswith(".index.")]
    assert leftovers == []


def test_a_failed_rebuild_leaves_the_old_index(settings, seed_copy, monkeypatch):
    update_index(settings, [seed_copy])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # Writing fails, not reading: an error while reading one file only skips that file (#13).
    monkeypatch.setattr(index_module, "record_fields", broken)
    with pytest.raises(RuntimeError):
        update_index(settings, [seed_copy], rebuild=True)
    assert total(settings) == 32
    assert [p.name for p in settings.index_dir.parent.iterdir() if p.name.startswith(".index.")] == []


def test_a_half_done_swap_is_undone_on_open(settings, seed_copy):
    update_index(settings, [seed_copy])
    aside = settings.index_dir.parent / ".index.old-1234abcd"
    settings.index_dir.rename(aside)  # killed between the two renames
    assert total(settings) == 32
    assert settings.index_dir.is_dir() and not aside.exists()


def test_facet_counts_stay_right_when_segments_are_reused(settings, seed_copy):
    update_index(settings, [seed_copy])
    with SearchIndex(settings) as served:
        served.search("")  # reads every facet field of every segment
        (seed_copy / "extra.txt").write_text(
            "December 24, 2024\n\nInstitute for the Study of War\n\nRussian forces struck Kherson and Pokrovsk.\n"
        )
        update_index(settings, [seed_copy])
        reused = served.search("", per_page=1).facets
        assert served._segment_cache  # the open server keeps segment postings between generations
        with SearchIndex(settings) as fresh:
            assert reused == fresh.search("", per_page=1).facets
        assert {v.value: v.count for v in reused["place"]}["Pokrovsk"] == 7


def test_a_small_update_merges_only_tiny_segments(tmp_path, settings, monkeypatch):
    # Adding a report must not rewrite the large segments (Whoosh's
    # MERGE_SMALL would, once there are enough): only tiny ones are merged.
    monkeypatch.setattr(commit_module, "SMALL_SEGMENT_DOCS", 3)
    monkeypatch.setattr(commit_module, "MERGE_AT_SEGMENTS", 3)
    monkeypatch.setattr(commit_module, "MERGE_MAX_DOCS", 10)
    reports = tmp_path / "reports"
    reports.mkdir()
    body = "\n\n".join(f"Paragraph {n} about shelling near Kupyansk and Siversk." for n in range(5))
    (reports / "big.txt").write_text(f"December 1, 2024\n\n{body}\n")
    update_index(settings, [reports])

    def segments() -> dict[str, int]:
        ix = open_index(settings.index_dir)
        try:
            return {segment.segment_id(): segment.doc_count_all() for segment in ix._segments()}
        finally:
            ix.close()

    (large,) = segments()
    for day in range(2, 9):
        (reports / f"small{day}.txt").write_text(f"December {day}, 2024\n\nStrikes hit Kherson on day {day}.\n")
        update_index(settings, [reports])
        found = segments()
        assert found[large] == 5  # never merged
        assert sum(1 for count in found.values() if count < 3) <= 3
    assert sum(found.values()) == 5 + 7
    with SearchIndex(settings) as index:
        assert index.search("Kherson").total == 7


def test_a_build_collects_garbage_less_often_and_restores_the_thresholds(settings, seed_copy, monkeypatch):
    seen = []
    real = index_module._update
    monkeypatch.setattr(index_module, "_update", lambda *args: seen.append(gc.get_threshold()) or real(*args))
    before = gc.get_threshold()
    update_index(settings, [seed_copy], rebuild=True)
    assert seen == [index_module.BUILD_GC_THRESHOLDS]
    assert gc.get_threshold() == before


# -- the list of indexed files after edits and deletions (#13) -------------------


def _three_reports(tmp_path, seeds_dir):
    reports = tmp_path / "reports"
    shutil.copytree(seeds_dir, reports)
    (reports / "notes.txt").write_text(
        "Field notes from Kharkiv\n\nMarch 3, 2024\n\n"
        "Residents of Kupiansk reported shelling overnight and three water stations were damaged.\n\n"
        "Volunteers delivered generators to the hospital in Izium on Sunday morning.\n",
        encoding="utf-8",
    )
    return reports


def _index(runner, reports, index_dir) -> str:
    from search.cli import cli

    result = runner.invoke(cli, ["index", str(reports), "--index-dir", str(index_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("new_hash", ["sorts before the old", "sorts after the old"])
def test_an_edited_file_is_updated_once(runner, tmp_path, seeds_dir, new_hash):
    # The deleted paragraphs' terms stay in Whoosh's lexicon until a merge, so
    # the edited file had two hashes there; whichever sorted last was taken
    # as its hash, and when that was the old one every later run found the
    # file changed and rewrote it again.  Both orders are tried.
    from search.ingest import file_hash

    reports, index_dir = _three_reports(tmp_path, seeds_dir), tmp_path / "index"
    assert _index(runner, reports, index_dir).startswith("3 added, 0 updated, 0 removed, 0 skipped, 0 unchanged;")
    notes = reports / "notes.txt"
    old = notes.read_bytes()
    for n in range(1000):
        new = old + f"A later note ({n}) says the bridge near Kupiansk was repaired.\n".encode()
        if (file_hash(new) < file_hash(old)) == (new_hash == "sorts before the old"):
            break
    notes.write_bytes(new)
    assert _index(runner, reports, index_dir).startswith("0 added, 1 updated, 0 removed, 0 skipped, 2 unchanged;")
    for _ in range(2):
        assert _index(runner, reports, index_dir) == (
            "0 added, 0 updated, 0 removed, 0 skipped, 3 unchanged; 0 paragraphs written\n"
        )
    with SearchIndex(load_settings(index_dir=index_dir)) as index:
        assert index.search('"bridge near Kupiansk"').total == 1
        assert index.search("Izium").total == 1


def test_a_deleted_file_is_removed_once(runner, tmp_path, seeds_dir):
    reports, index_dir = _three_reports(tmp_path, seeds_dir), tmp_path / "index"
    _index(runner, reports, index_dir)
    (reports / TAKEAWAYS_FILE).unlink()
    assert _index(runner, reports, index_dir).startswith("0 added, 0 updated, 1 removed, 0 skipped, 2 unchanged;")
    for _ in range(2):
        assert _index(runner, reports, index_dir) == (
            "0 added, 0 updated, 0 removed, 0 skipped, 2 unchanged; 0 paragraphs written\n"
        )
    ix = open_index(index_dir)
    try:
        assert sorted(indexed_files(ix)) == sorted(str(reports / name) for name in (ISW_FILE, "notes.txt"))
    finally:
        ix.close()


# -- a full disk (#13) ---------------------------------------------------------------


class _FillingFile:
    """An index file being written to a disk with ``disk.left`` bytes free (None: no limit).

    With ``disk.toc_full`` set to an index directory, the disk fills up
    when a new TOC is written there: after every segment (and, in a
    rebuild, after the new segments were moved in).
    """

    def __init__(self, real, disk, path: str) -> None:
        self._real, self._disk = real, disk
        directory, name = os.path.split(path)
        if disk.toc_full and directory == str(disk.toc_full) and name.startswith("_MAIN_"):
            disk.left = 0  # Whoosh writes "_MAIN_<generation>.toc.<time>", then renames it

    def write(self, data) -> int:
        self._disk.written += len(data)
        if self._disk.left is not None and len(data) > self._disk.left:
            self._real.write(bytes(data[: self._disk.left]))  # as a real disk: what fits, then ENOSPC
            self._disk.left = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if self._disk.left is not None:
            self._disk.left -= len(data)
        return self._real.write(data)

    def __getattr__(self, name):
        return getattr(self._real, name)


@pytest.fixture
def disk(monkeypatch):
    """Every file Whoosh writes (its storage opens them all) goes through a disk that may fill up.

    Forked children inherit it, each with the bytes left when it was forked.
    """
    from types import SimpleNamespace

    from whoosh.filedb import filestore

    state = SimpleNamespace(left=None, written=0, toc_full=None)

    def open_on_disk(path, mode="r", *args, **kwargs):
        handle = open(path, mode, *args, **kwargs)
        return _FillingFile(handle, state, os.path.abspath(path)) if any(flag in mode for flag in "wax+") else handle

    monkeypatch.setattr(filestore, "open", open_on_disk, raising=False)
    return state


def _listing(index_dir) -> dict[str, int]:
    """Every file under the index directory with its size (the writer's pid file aside)."""
    return {
        str(path.relative_to(index_dir)): path.stat().st_size
        for path in sorted(index_dir.rglob("*")) if path.name != "SITREP_WRITER"
    }


def _run(runner, *args):
    from search.cli import cli

    return runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def _bytes_written(disk, runner, index_dir, tmp_path, *args) -> int:
    """What ``sitrep index ARGS`` writes, measured on a copy of ``index_dir``."""
    scratch = tmp_path / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(index_dir, scratch)
    disk.written = 0
    assert _run(runner, "index", *args, "--index-dir", scratch).exit_code == 0
    shutil.rmtree(scratch)
    return disk.written


@pytest.mark.parametrize("left", ["nothing", "a third", "two thirds", "all but the new TOC"])
@pytest.mark.parametrize("rebuild", [False, True], ids=["update", "rebuild"])
def test_a_full_disk_changes_nothing(disk, runner, tmp_path, seed_copy, left, rebuild):
    index_dir = tmp_path / "index"
    assert _run(runner, "index", seed_copy, "--index-dir", index_dir).exit_code == 0
    (seed_copy / "extra.txt").write_text(
        "December 24, 2024\n\nInstitute for the Study of War\n\nRussian forces struck Kherson and Pokrovsk.\n"
    )
    args = [seed_copy, "--rebuild"] if rebuild else [seed_copy]
    need = _bytes_written(disk, runner, index_dir, tmp_path, *args)
    before, ids = _listing(index_dir), sorted(hit.id for hit in all_hits(load_settings(index_dir=index_dir)))
    disk.left = {"nothing": 0, "a third": need // 3, "two thirds": need * 2 // 3, "all but the new TOC": None}[left]
    disk.toc_full = index_dir if left == "all but the new TOC" else None
    result = _run(runner, "index", *args, "--index-dir", index_dir)
    assert result.exit_code == 1
    assert result.stdout == ""
    again = "`sitrep index --rebuild`" if rebuild else "`sitrep index`"
    assert result.stderr == (
        f"Error: no space left on device while writing {index_dir}; nothing was changed "
        f"(free some space and run {again} again)\n"
    )
    assert _listing(index_dir) == before  # no .pst, .trm, .seg, MAIN.tmp or half-written TOC left
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".index.")] == []
    assert sorted(hit.id for hit in all_hits(load_settings(index_dir=index_dir))) == ids
    disk.left, disk.toc_full = None, None
    result = _run(runner, "index", *args, "--index-dir", index_dir)
    assert result.exit_code == 0 and result.stdout.startswith("3 added" if rebuild else "1 added")


def test_a_full_disk_on_the_first_run_leaves_no_index(disk, runner, tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    disk.left = 0
    result = _run(runner, "index", seed_copy, "--index-dir", index_dir)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: no space left on device while writing {index_dir}; nothing was changed")
    assert set(_listing(index_dir)) <= {"MAIN_WRITELOCK", "SITREP_SCHEMA"}
    disk.left = None
    assert _run(runner, "index", seed_copy, "--index-dir", index_dir).stdout.startswith("2 added")


def test_a_full_disk_in_the_forked_writers(disk, runner, tmp_path, monkeypatch):
    # Segments of a big batch are written by forked children (search/forking.py):
    # their OSError comes back through the pipe and ends the run the same way.
    from search.index.forking import ForkedJobs, can_fork

    if not can_fork():
        pytest.skip("this process cannot fork writers (not Linux, or other threads running)")
    failed = []

    class WatchedJobs(ForkedJobs):
        def results(self):
            try:
                return super().results()
            except OSError as error:
                failed.append(error.errno)
                raise

    monkeypatch.setattr(index_module, "ForkedJobs", WatchedJobs)
    monkeypatch.setattr(index_module, "FORK_MIN_PARAGRAPHS", 20)
    reports, index_dir = tmp_path / "reports", tmp_path / "index"
    reports.mkdir()
    (reports / "first.txt").write_text("December 1, 2024\n\nStrikes hit Kherson overnight.\n")
    assert _run(runner, "index", reports, "--index-dir", index_dir).exit_code == 0
    before = _listing(index_dir)
    for day in range(2, 8):
        body = "\n\n".join(f"Report {day}, paragraph {n}: shelling near Kupyansk and Siversk." for n in range(10))
        (reports / f"day{day}.txt").write_text(f"December {day}, 2024\n\n{body}\n")
    disk.left = 0
    result = _run(runner, "index", reports, "--index-dir", index_dir)
    assert failed == [errno.ENOSPC]
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: no space left on device while writing {index_dir}; nothing was changed")
    assert _listing(index_dir) == before
    assert total(load_settings(index_dir=index_dir), "Kherson") == 1


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB tmpfs under ``tmp_path`` (root only, where mounting is allowed)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_real_full_disk(runner, tmp_path, seed_copy, small_disk):
    from crashkit import write_corpus

    index_dir = small_disk / "index"
    assert _run(runner, "index", seed_copy, "--index-dir", index_dir).exit_code == 0
    before, ids = _listing(index_dir), sorted(hit.id for hit in all_hits(load_settings(index_dir=index_dir)))
    big = write_corpus(tmp_path / "big", files=15, paragraphs=150)  # a few MB of index
    for args in ([big], [big, "--rebuild"]):
        result = _run(runner, "index", *args, "--index-dir", index_dir)
        assert result.exit_code == 1
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"Error: no space left on device while writing {index_dir}; nothing was changed")
        assert _listing(index_dir) == before
        assert [p.name for p in small_disk.iterdir()] == ["index"]
        assert sorted(hit.id for hit in all_hits(load_settings(index_dir=index_dir))) == ids


def test_a_years_inference_does_not_depend_on_the_order_files_come_in(settings, seed_copy, tmp_path):
    # 004 has dates without a year; 000 is the dated report its year comes
    # from.  Indexed after 000, or alone and then 000 later: the same dates.
    takeaways_first = tmp_path / "takeaways-first"
    takeaways_first.mkdir()
    shutil.copy(seed_copy / TAKEAWAYS_FILE, takeaways_first)
    first = update_index(settings, [takeaways_first])
    assert {hit.date for hit in all_hits(settings)} == {None}  # nothing to take a year from yet
    shutil.copy(seed_copy / ISW_FILE, takeaways_first)
    later = update_index(settings, [takeaways_first])
    assert (first.added, later.added, later.redated) == (1, 1, 1)
    assert "1 re-dated" in later.line()
    by_order = {(hit.report_id, hit.date, hit.date_inferred) for hit in all_hits(settings)}
    together = load_settings(index_dir=tmp_path / "together")
    update_index(together, [seed_copy])
    assert by_order == {(hit.report_id, hit.date, hit.date_inferred) for hit in all_hits(together)}
    assert {hit.date for hit in all_hits(settings) if hit.report_id == "004_46fcd5d56deb0784"} == {"2024-12-14"}
    # A later run that brings no new dated report reads nothing again.
    again = update_index(settings, [takeaways_first])
    assert (again.redated, again.paragraphs) == (0, 0)


def _page_seen(settings, q: str):
    with SearchIndex(settings) as index:
        page = index.search(q, per_page=20)
        return page.total, [(hit.id, round(hit.score or 0, 5)) for hit in page.hits], page.to_json()["facets"]


@pytest.mark.parametrize("forking", [True, False])
def test_a_run_leaving_many_segments_merges_them_into_a_few(tmp_path, settings, monkeypatch, forking):
    # One commit per file and no merging of tiny segments: 12 segments,
    # more than COMPACT_AT_SEGMENTS, so the run ends by merging them (one
    # child per core, or in this process where it cannot fork).
    monkeypatch.setattr(index_module, "BATCH_PARAGRAPHS", 1)
    monkeypatch.setattr(commit_module, "SMALL_SEGMENT_DOCS", 0)
    if not forking:
        monkeypatch.setattr(index_module, "can_fork", lambda: False)
    reports = tmp_path / "reports"
    reports.mkdir()
    for day in range(1, 13):
        body = "\n\n".join(f"Shelling {n} near Kupyansk on day {day}; drones over Kherson." for n in range(3))
        (reports / f"day{day:02}.txt").write_text(f"December {day}, 2024\n\n{body}\n")

    def segments() -> list[int]:
        ix = open_index(settings.index_dir)
        try:
            return [segment.doc_count() for segment in ix._segments()]  # live paragraphs
        finally:
            ix.close()

    uncompacted = load_settings(environ={}, index_dir=tmp_path / "uncompacted")
    with monkeypatch.context() as unmerged:
        unmerged.setattr(commit_module, "COMPACT_AT_SEGMENTS", 1000)
        update_index(uncompacted, [reports])
    update_index(settings, [reports])
    found = segments()
    assert sum(found) == 36
    assert len(found) <= (min(os.cpu_count() or 1, index_module.MAX_PROCESSES) if forking else 1)
    for q in ("Kupyansk", "drones Kherson", ""):
        assert _page_seen(settings, q) == _page_seen(uncompacted, q)

    # An edit deletes a file's old paragraphs from a merged segment, and
    # new files add segments: merged again, nothing lost or resurrected.
    (reports / "day03.txt").write_text("December 3, 2024\n\nOne paragraph about Siversk.\n")
    for day in range(13, 23):
        (reports / f"day{day:02}.txt").write_text(f"December {day}, 2024\n\nStrikes on Kupyansk, day {day}.\n")
    update_index(settings, [reports])
    assert len(segments()) <= len(found)
    assert sum(segments()) == 36 - 3 + 1 + 10
    assert total(settings, "Kupyansk") == 36 - 3 + 10
    assert total(settings, "Siversk") == 1


class CountedSegment:
    def __init__(self, name: str, docs: int) -> None:
        self.name, self.docs = name, docs

    def doc_count(self) -> int:
        return self.docs

    def __repr__(self) -> str:
        return self.name


def runs_of(sizes: list[int], processes: int = 2):
    segments = [CountedSegment(f"s{n}", size) for n, size in enumerate(sizes)]
    runs = commit_module.compaction_runs(segments, processes)
    if runs is None:
        return None
    assert [segment for run in runs for segment in run] == segments  # every segment once, in order
    return [[segment.docs for segment in run] for run in runs]


def test_compaction_runs_merge_small_segments_in_order_and_leave_large_ones():
    big = commit_module.COMPACT_MAX_DOCS
    assert runs_of([10_000] * 8) is None  # few enough
    # A 100k build: ten batch segments and a few tiny ones, one run per core.
    assert runs_of([10_000] * 10 + [80, 80, 80, 20]) == [[10_000] * 5, [10_000] * 5 + [80, 80, 80, 20]]
    # A 1M build: runs of at most COMPACT_MAX_DOCS documents.
    found = runs_of([10_000] * 100)
    assert len(found) == 5 and all(sum(run) <= big for run in found)
    # Reports added to a compacted index: the large segments stay as they are.
    found = runs_of([big] * 5 + [500] * 6)
    assert found[:5] == [[big]] * 5 and found[5:] == [[500] * 3, [500] * 3]
    # Small segments between large ones are merged where they lie.
    assert runs_of([big, 300, 300, big, 300, 300, big, 300, 300]) == [
        [big], [300, 300], [big], [300, 300], [big], [300, 300]]
    # Large segments only: nothing to merge.
    assert runs_of([big] * 9) is None
