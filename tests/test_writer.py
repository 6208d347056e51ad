"""SitrepWriter (search/writer.py) writes the index Whoosh's own writer writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from search.index import writer as writer_module
from search.index import record_fields
from search.ingest import find_report_files, paragraph_docs, read_report_file
from search.index import build_schema
from search.index.codec import SitrepCodec
from search.index.writer import SitrepWriter

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
FORMATS_DIR = Path(__file__).resolve().parent / "data" / "formats"


@pytest.fixture(scope="module")
def docs(taxonomy) -> list:
    files, _ = find_report_files([SEEDS_DIR, FORMATS_DIR])
    found = []
    for path in files:
        draft = read_report_file(path, taxonomy)
        found += paragraph_docs(draft, taxonomy, anchor=None)
    assert len(found) > 40
    return found


def contents(index_dir: Path) -> dict:
    """Everything a search can see, with document numbers replaced by paragraph ids,
    and the bytes of every segment file (named without the random segment id)."""
    storage = FileStorage(str(index_dir))
    ix = storage.open_index()
    seen: dict = {"segments": len(ix._segments())}
    for number, segment in enumerate(ix._segments()):
        files = segment.open_compound_file(storage)
        for name in files.list():
            with files.open_file(name) as handle:
                seen[(number, name.replace(segment.segid, ""))] = handle.read()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        seen["stored"] = sorted((fields["id"], repr(sorted(fields.items()))) for _, fields in reader.iter_docs())
        for name, field in ix.schema.items():
            if not field.indexed:
                continue
            postings = []
            for term in reader.lexicon(name):
                matcher = reader.postings(name, term)
                while matcher.is_active():
                    docnum = matcher.id()
                    positions = matcher.value_as("positions") if matcher.supports("positions") else None
                    postings.append((term, ids[docnum], matcher.weight(), positions))
                    matcher.next()
            seen[name] = sorted(postings)
            if field.scorable:
                seen[name + " lengths"] = sorted((ids[d], reader.doc_field_length(d, name)) for d in ids)
                seen[name + " total"] = reader.field_length(name)
            if reader.has_column(name):
                column = reader.column_reader(name, translate=False)
                seen[name + " column"] = sorted((ids[d], repr(column[d])) for d in ids)
    ix.close()
    return seen


def write(index_dir: Path, writer_class, batches: list[list], optimize: bool = False, **options) -> dict:
    # Whoosh's writer with Sitrep's codec, the one SitrepWriter uses unless
    # told otherwise: the writers are compared, not the stored-field formats.
    options.setdefault("codec", SitrepCodec())
    ix = FileStorage(str(index_dir)).create().create_index(build_schema())
    for number, batch in enumerate(batches, start=1):
        writer = writer_class(ix, **options)
        for doc in batch:
            writer.add_document(**record_fields(doc))
        writer.commit(optimize=optimize and number == len(batches))
    ix.close()
    return contents(index_dir)


def test_same_index_as_whooshs_writer(tmp_path, docs):
    expected = write(tmp_path / "whoosh", SegmentWriter, [docs])
    assert write(tmp_path / "sitrep", SitrepWriter, [docs]) == expected


def test_same_index_when_the_pool_spills_to_disk(tmp_path, docs, monkeypatch):
    expected = write(tmp_path / "whoosh", SegmentWriter, [docs])
    spills = []
    save = writer_module.GroupedPool.save
    monkeypatch.setattr(writer_module.GroupedPool, "save", lambda pool: spills.append(1) or save(pool))
    # limitmb=0: every document's postings go to a sorted run on disk, then are merged.
    assert write(tmp_path / "sitrep", SitrepWriter, [docs], limitmb=0) == expected
    assert len(spills) >= len(docs)


def test_same_index_when_segments_are_merged(tmp_path, docs):
    # A commit that merges segments (here all of them; MERGE_SMALL merges
    # small ones) hands their postings to the pool out of document order.
    batches = [docs[:5], docs[5:9], docs[9:]]
    expected = write(tmp_path / "whoosh", SegmentWriter, batches, optimize=True)
    found = write(tmp_path / "sitrep", SitrepWriter, batches, optimize=True)
    # All but the field totals, which Whoosh's merge lets drift (tests/test_merging.py).
    totals = {key for key in expected if isinstance(key, str) and key.endswith(" total")}
    assert {k: v for k, v in found.items() if k not in totals} == {k: v for k, v in expected.items() if k not in totals}
    assert found["segments"] == 1


@pytest.mark.parametrize("blocklimit", [1, 2, 3, 128])
def test_same_index_with_many_blocks_per_term(tmp_path, docs, blocklimit):
    # Small blocks: most terms get several, the last one partly full.
    from whoosh.codec.whoosh3 import W3Codec

    expected = write(tmp_path / "whoosh", SegmentWriter, [docs], codec=W3Codec(blocklimit=blocklimit))
    assert write(tmp_path / "sitrep", SitrepWriter, [docs], codec=W3Codec(blocklimit=blocklimit)) == expected


def write_records(index_dir: Path, writer_class, records: list[dict]) -> dict:
    ix = FileStorage(str(index_dir)).create().create_index(build_schema())
    writer = writer_class(ix, codec=SitrepCodec())
    for fields in records:
        writer.add_document(**fields)
    writer.commit()
    ix.close()
    return contents(index_dir)


def test_same_index_with_boosts_and_stored_overrides(tmp_path, docs):
    # Documents with "_" keys take Whoosh's general path, the others the
    # plain one: both within one segment.
    records = [record_fields(doc) for doc in docs]
    records[0]["_boost"] = 2.5
    records[1]["_text_boost"] = 0.5
    records[2]["_stored_title"] = "A stored title that differs from the indexed one"
    expected = write_records(tmp_path / "whoosh", SegmentWriter, records)
    assert write_records(tmp_path / "sitrep", SitrepWriter, records) == expected


def test_an_unknown_field_is_refused_before_anything_is_written(tmp_path, docs):
    from whoosh.fields import UnknownFieldError

    ix = FileStorage(str(tmp_path)).create().create_index(build_schema())
    writer = SitrepWriter(ix)
    with pytest.raises(UnknownFieldError):
        writer.add_document(**record_fields(docs[0]), colour="red")
    writer.add_document(**record_fields(docs[1]))
    writer.commit()
    with ix.searcher() as searcher:
        assert [fields["id"] for fields in searcher.all_stored_fields()] == [docs[1].id]
