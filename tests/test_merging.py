"""Segments merged term by term (search/index/merging.py) make the segment Whoosh's merge makes."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from search.index import build_schema, record_fields
from search.index.codec import SitrepCodec
from search.index.writer import SitrepWriter
from test_writer import contents, docs  # noqa: F401  (the fixture: seeds and format samples as ParagraphDocs)


def write_then_merge(index_dir: Path, merging_writer, batches: list[list], deleted: list[int], blocklimit: int = 128,
                     merge: bool = True) -> dict:
    """Each batch a segment (Sitrep's writer), the ``deleted`` document numbers deleted, then every segment merged by ``merging_writer``."""
    ix = FileStorage(str(index_dir)).create().create_index(build_schema())
    for batch in batches:
        writer = SitrepWriter(ix, codec=SitrepCodec(blocklimit=blocklimit))
        for doc in batch:
            writer.add_document(**record_fields(doc))
        writer.commit(merge=False)
    writer = SitrepWriter(ix, codec=SitrepCodec(blocklimit=blocklimit))
    for number in deleted:
        writer.delete_document(number)
    writer.commit(merge=False)
    writer = merging_writer(ix, codec=SitrepCodec(blocklimit=blocklimit))
    writer.commit(optimize=merge, merge=merge)
    ix.close()
    return contents(index_dir)


class WhooshMerge(SitrepWriter):
    """Sitrep's writer with Whoosh's own merge: every posting through the pool, each document's lengths asked."""

    add_reader = SegmentWriter.add_reader
    write_per_doc = SegmentWriter.write_per_doc


@pytest.mark.parametrize("blocklimit", [2, 128])
def test_merge_with_deletions_writes_whooshs_segment(tmp_path, docs, blocklimit):  # noqa: F811
    batches = [docs[:7], docs[7:20], docs[20:]]
    deleted = [1, 8, 9, len(docs) - 1]  # in the first, second and last segments
    expected = write_then_merge(tmp_path / "whoosh", WhooshMerge, batches, deleted, blocklimit)
    found = write_then_merge(tmp_path / "sitrep", SitrepWriter, batches, deleted, blocklimit)
    assert found["segments"] == 1
    assert len(found["stored"]) == len(docs) - len(deleted)
    totals = {key for key in expected if isinstance(key, str) and key.endswith(" total")}
    assert totals
    assert without(found, totals) == without(expected, totals)


def without(seen: dict, keys: set) -> dict:
    return {key: value for key, value in seen.items() if key not in keys}


def test_merge_keeps_each_fields_exact_total_length(tmp_path, docs):  # noqa: F811
    # Whoosh's merge adds each document's length as its one-byte rounding:
    # the field totals (BM25F's average length) drift, and scores with them.
    # With nothing deleted the merged totals are the segments' own sums.
    batches = [docs[:7], docs[7:20], docs[20:]]
    before = write_then_merge(tmp_path / "before", SitrepWriter, batches, [], merge=False)
    found = write_then_merge(tmp_path / "sitrep", SitrepWriter, batches, [])
    whooshs = write_then_merge(tmp_path / "whoosh", WhooshMerge, batches, [])
    assert before["segments"] == 3 and found["segments"] == 1
    totals = {key for key in before if isinstance(key, str) and key.endswith(" total")}
    assert {key: found[key] for key in totals} == {key: before[key] for key in totals}
    assert any(whooshs[key] != before[key] for key in totals)  # the drift this avoids


def test_merge_does_not_send_postings_through_the_pool(tmp_path, docs, monkeypatch):  # noqa: F811
    # The merge reads each segment's postings itself: Whoosh's per-posting
    # path would make the same segment, only slower, so check it is not taken.
    def refused(self, reader, startdoc, docmap):
        raise AssertionError("postings sent through the pool")

    monkeypatch.setattr(SitrepWriter, "add_postings_to_pool", refused)
    found = write_then_merge(tmp_path / "sitrep", SitrepWriter, [docs[:10], docs[10:]], [3])
    assert found["segments"] == 1
    assert len(found["stored"]) == len(docs) - 1
