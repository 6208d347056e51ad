"""Sitrep's segment format (search/index/codec.py): stored fields compressed against a dictionary per segment."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, STORED, Schema
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage

from search.index import build_schema, record_fields
from search.index.codec import SitrepCodec, segment_dictionary
from search.index.writer import SitrepWriter
from search.ingest import find_report_files, paragraph_docs, read_report_file

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def records(taxonomy) -> list[dict]:
    files, _ = find_report_files([SEEDS_DIR])
    found = []
    for path in files:
        found += [record_fields(doc) for doc in paragraph_docs(read_report_file(path, taxonomy), taxonomy, anchor=None)]
    return found


def write(index_dir: Path, records: list[dict], codec, schema=None) -> tuple[list[dict], int]:
    """The stored fields read back, in document order, and the bytes of the stored column."""
    storage = FileStorage(str(index_dir)).create()
    ix = storage.create_index(schema or build_schema())
    writer = SitrepWriter(ix, codec=codec)
    for fields in records:
        writer.add_document(**fields)
    writer.commit()
    with ix.searcher() as searcher:
        stored = [searcher.stored_fields(n) for n in range(searcher.doc_count_all())]
    (segment,) = ix._segments()
    parts = CompoundStorage(storage.open_file(segment.make_filename(".seg")), use_mmap=False)
    size = parts._dir[segment.segment_id() + "._stored.col"]["length"]
    parts.close()
    ix.close()
    return stored, size


def test_stored_fields_read_back_as_whooshs_and_take_less_room(tmp_path, records):
    expected, whoosh_bytes = write(tmp_path / "whoosh", records, W3Codec())
    found, sitrep_bytes = write(tmp_path / "sitrep", records, SitrepCodec())
    assert found == expected
    assert sitrep_bytes < whoosh_bytes


def test_documents_without_stored_fields_read_as_empty(tmp_path):
    schema = Schema(id=ID, note=STORED)
    found, _ = write(tmp_path / "ix", [{"id": "a"}, {"id": "b", "note": "kept"}, {"id": "c"}], SitrepCodec(), schema)
    assert found == [{}, {"note": "kept"}, {}]


def test_the_segment_remembers_its_codec(tmp_path, records):
    write(tmp_path / "ix", records[:3], SitrepCodec())
    (segment,) = FileStorage(str(tmp_path / "ix")).open_index()._segments()
    assert isinstance(segment.codec(), SitrepCodec)


def test_the_dictionary_takes_documents_from_the_whole_segment_and_stays_small():
    documents = [bytes([n]) * 1000 for n in range(100)]
    dictionary = segment_dictionary(documents)
    # An eighth of the segment's 100,000 bytes, documents from first to last.
    assert len(dictionary) == 12_500
    assert dictionary[-1] >= 90 and len(set(dictionary)) >= 12
    assert len(segment_dictionary(documents, size=64 * 1024)) <= 12_500
    big = [bytes([n % 256]) * 1000 for n in range(1000)]
    assert len(segment_dictionary(big)) == 32 * 1024  # zlib's window, cut at its start
    assert segment_dictionary([]) == b""
