"""Repeated paragraphs across reports: grouping at index time, collapsing at search time."""

from __future__ import annotations

import pytest

from search import SearchIndex, update_index

DISCLAIMER = (
    "Note: ISW does not receive any classified material from any military or intelligence "
    "service and relies only on publicly available information."
)
TAKEAWAY = (
    "Russian forces recently advanced in Kursk Oblast and near Toretsk, Pokrovsk, "
    "Kurakhove, and Robotyne, according to geolocated footage."
)
MIRRORED = (
    "Russian forces recently advanced in Kursk Oblast and near Toretsk, Pokrovsk, Kurakhove "
    "and Robotyne according to geolocated footage published on December 14."
)


def report(day: int, *paragraphs: str) -> str:
    body = "\n\n".join(paragraphs)
    return f"December {day}, 2024\n\nInstitute for the Study of War\n\n{body}\n"


@pytest.fixture
def repeats(tmp_path, settings):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.txt").write_text(report(10, DISCLAIMER, TAKEAWAY, "Ukrainian forces struck a depot in Bryansk Oblast."))
    (reports / "b.txt").write_text(report(11, DISCLAIMER.upper(), "Shelling hit Kherson City overnight, officials said."))
    (reports / "c.txt").write_text(report(12, DISCLAIMER + "[4]", MIRRORED))
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        yield index


def test_exact_repeats_share_a_group(repeats):
    page = repeats.search('"classified material"')
    assert page.total == 3
    assert len({hit.dup_group for hit in page.hits}) == 1


def test_near_duplicates_share_a_group(repeats):
    page = repeats.search("Robotyne")
    assert page.total == 2
    assert len({hit.dup_group for hit in page.hits}) == 1


def test_collapse_shows_one_hit_and_the_other_reports(repeats):
    page = repeats.search('"classified material"', collapse=True)
    assert page.total == 1 and len(page.hits) == 1
    (hit,) = page.hits
    others = {other["report_id"] for other in hit.also_in}
    assert others == {"a", "b", "c"} - {hit.report_id} and hit.also_in_count == 2
    assert all(other["url"].startswith("/reports/") for other in hit.also_in)
    assert page.to_json()["hits"][0]["also_in"]


def test_collapse_counts_groups_not_paragraphs(repeats):
    assert repeats.search("", per_page=100).total == 7
    assert repeats.search("", per_page=100, collapse=True).total == 4
    assert repeats.search("Bryansk", collapse=True).hits[0].also_in == []


def test_reindexing_keeps_groups(repeats, settings, tmp_path):
    before = {hit.report_id: hit.dup_group for hit in repeats.search('"classified material"').hits}
    (tmp_path / "reports" / "b.txt").write_text(report(11, DISCLAIMER, "New text about Odesa port strikes."))
    update_index(settings, [tmp_path / "reports"])
    after = {hit.report_id: hit.dup_group for hit in repeats.search('"classified material"').hits}
    assert after == before


def test_a_huge_group_lists_the_newest_and_counts_all(tmp_path, settings, monkeypatch):
    from search.query import results as query

    monkeypatch.setattr(query, "ALSO_IN_LISTED", 2)
    reports = tmp_path / "many"
    reports.mkdir()
    for day in range(1, 7):
        (reports / f"r{day}.txt").write_text(report(day, DISCLAIMER, f"Unique text number {day} about Odesa."))
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        (hit,) = index.search('"classified material"', collapse=True, sort="oldest").hits
    assert hit.report_id == "r1" and hit.also_in_count == 5
    assert [other["report_id"] for other in hit.also_in] == ["r6", "r5"]


@pytest.mark.parametrize("batch", [1, 2, 100])
def test_groups_span_batches_and_runs(tmp_path, settings, monkeypatch, batch):
    # Earlier batches of a run are kept in memory, earlier runs are looked
    # up in the index: a repeat joins its group either way (#5).
    from search.index import update as index_module

    monkeypatch.setattr(index_module, "BATCH_PARAGRAPHS", batch)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.txt").write_text(report(10, TAKEAWAY, "Ukrainian forces struck a depot in Bryansk Oblast."))
    (reports / "b.txt").write_text(report(11, "Shelling hit Kherson City overnight, officials said.", MIRRORED))
    update_index(settings, [reports])
    (reports / "c.txt").write_text(report(12, DISCLAIMER, MIRRORED.replace("December 14", "December 15")))
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        page = index.search("Robotyne")
        assert page.total == 3
        assert len({hit.dup_group for hit in page.hits}) == 1


def test_collapsed_facet_counts_are_the_totals_their_links_give(repeats):
    # With collapse on, the total counts groups of repeats; so does every
    # facet count, so a value's count is what clicking it shows (#16).
    page = repeats.search("", per_page=100, collapse=True)
    assert page.to_json()["counted"] == "groups"
    assert repeats.search("", per_page=100).to_json()["counted"] == "paragraphs"
    sources = {v.value: v.count for v in page.facets["source"]}
    assert sources == {"Institute for the Study of War": 4}  # 7 paragraphs, 4 groups
    for name in ("source", "place", "topic"):
        for value in page.facets[name]:
            narrowed = repeats.search("", filters={name: [value.value]}, collapse=True)
            assert value.count == narrowed.total, (name, value)
    days = {v.value: v.count for v in page.facets["day"]}
    assert days == {"2024-12-10": 3, "2024-12-11": 2, "2024-12-12": 2}  # each day's groups


def _signatures_by_id(settings) -> dict[str, tuple[int, ...]]:
    """Each live paragraph's signature as the minhash column holds it (schema 7)."""
    from search.index import open_index
    from search.index.repeats import BANDS, ROWS, _column_rows

    ix = open_index(settings.index_dir)
    try:
        with ix.searcher() as searcher:
            found = {}
            for leaf, offset in searcher.reader().leaf_readers():
                rows = _column_rows(leaf, "minhash", BANDS * ROWS, "uint32")
                for docnum in leaf.all_doc_ids():
                    found[leaf.stored_fields(docnum)["id"]] = tuple(rows[docnum].tolist())
            assert "bands" not in searcher.schema and not any("minhash" in f for f in searcher.all_stored_fields())
            return found
    finally:
        ix.close()


def test_the_minhash_column_holds_every_signature_through_merges(tmp_path, settings, monkeypatch):
    from search.index import commit
    from search.index.open import open_index
    from search.ingest.fingerprint import minhash_signature

    # A merge rewrites the column of the segments it merges, deleted paragraphs left out.
    monkeypatch.setattr(commit, "MERGE_AT_SEGMENTS", 2)
    reports = tmp_path / "reports"
    reports.mkdir()
    for day in range(1, 5):
        (reports / f"r{day}.txt").write_text(report(day, DISCLAIMER, f"Unique text number {day} about Odesa.", "Kherson."))
        update_index(settings, [reports])
    (reports / "r2.txt").unlink()
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        texts = {hit.id: hit.text for hit in index.iter_hits("")}
    signatures = _signatures_by_id(settings)
    assert set(signatures) == set(texts) and len(texts) == 9
    for paragraph, text in texts.items():
        expected = minhash_signature(text)
        assert signatures[paragraph] == (expected or (0,) * 30)
    ix = open_index(settings.index_dir)
    assert len(ix._segments()) < 5  # merged
    ix.close()


def test_a_deleted_paragraph_is_no_candidate(tmp_path, settings):
    # Its signature stays in the segment's column until a merge; the group
    # of a paragraph deleted by an earlier run must not be joined.
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.txt").write_text(report(10, TAKEAWAY))
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        (old,) = index.search("Robotyne").hits
    (reports / "a.txt").unlink()
    (reports / "b.txt").write_text(report(11, "Shelling hit Kherson City overnight, officials said."))
    update_index(settings, [reports])
    (reports / "c.txt").write_text(report(12, MIRRORED))
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        (new,) = index.search("Robotyne").hits
    assert new.report_id == "c" and new.dup_group != old.dup_group
