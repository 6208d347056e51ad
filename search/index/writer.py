"""A Whoosh segment writer that writes the same index faster (#5).

Profiling a 10k-paragraph build showed where Whoosh's ``SegmentWriter``
spends its time, and this subclass changes only that:

* analysis: the text fields go through :mod:`search.index.analysis` (same terms,
  one analysis for ``text`` and ``pairs``), and other fields' postings are
  remembered per value, since paths, sources, days and titles repeat;
* the postings pool: Whoosh keeps one 5-tuple per posting, sorts them all
  at commit and spills them to pickled temp files past ``limitmb`` (128 MB
  by default, a third of the commit time).  :class:`GroupedPool` keeps
  postings grouped by term, a few machine words each, so a
  :data:`~search.index.update.BATCH_PARAGRAPHS` batch fits in memory and only the
  terms are sorted; past its limit it spills as Whoosh does;
* lengths: writing each posting asked the length column of its document
  through the storage, one small read per posting.  :meth:`_flush_segment`
  reads each length column once;
* postings blocks: Whoosh builds each block and term info through about
  a dozen method calls.  :func:`_term_bytes` builds a term's blocks
  and term info from its grouped postings in one function.

Nothing written changes: ``tests/test_writer.py`` compares an index
written by this writer with one written by Whoosh's, posting by posting.

One job kept in one module (about 600 lines): the pool, the length
columns and the block encoder all write the one byte format of Whoosh's
``W3Codec`` segment, and each overrides or calls private parts of
Whoosh's writer; split apart, every part would import the others' guesses
about those internals.
"""

from __future__ import annotations

from array import array
from hashlib import md5
from heapq import merge
from operator import sub
from pickle import dumps
from typing import Any, Iterator
from zlib import compress

from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3FieldWriter,
    W3PerDocWriter,
    W3TermInfo,
    _lenfield,
)
from whoosh.columns import TranslatingColumnReader
from whoosh.fields import NUMERIC
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.filedb.filetables import _lengths as _KEY_VALUE_LENGTHS
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.text import utf8encode
from whoosh.reading import SegmentReader
from whoosh.writing import PostingPool, SegmentWriter

from .analysis import schema_indexers
from .codec import SitrepCodec, SitrepPerDocWriter
from .merging import MergedSegment, merged_groups

POOL_LIMIT_MB = 512  # estimated; a 20,000-paragraph batch needs about a third of it
# Postings per block (Whoosh's default is 128).  Sitrep reads a term's whole
# posting list into arrays, and each block costs a pickle header, a zlib
# call and a few array conversions: with 1,024 a top 10 took about a fifth
# less time on words not read before, and the index was 6% smaller (100k
# paragraphs, #17).  Whoosh's matchers read blocks of any size.
POSTINGS_BLOCK = 1024
CACHE_VALUES = 100_000  # distinct (field, value) postings remembered per writer
_TERMINFO = W3TermInfo._struct
_LENGTHS = [None] + [byte_to_length(b) for b in range(1, 256)]  # byte 0: Whoosh's "no length"


class GroupedPool(PostingPool):
    """Postings grouped by (field, term): the same items as ``PostingPool``, in the same order.

    Each group is a flat list ``[docnum, weight, value, docnum, ...]``.
    Documents arrive in increasing number, so a group is already sorted;
    when postings arrive out of order (merged segments) every group is
    sorted before it is read, as Whoosh's sort of whole tuples would.
    """

    # Rough bytes: a group's key, dict slot and list; three list slots per posting.
    GROUP_BYTES = 200
    POSTING_BYTES = 24

    def __init__(self, tempstore, segment, limitmb: int = POOL_LIMIT_MB, **kwargs) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self._groups: dict[str, dict[bytes, list]] = {}  # field -> term -> flat postings
        self._lastdoc = -1
        self._ordered = True

    def add(self, item: tuple) -> None:
        fieldname, text, docnum, weight, value = item
        self.add_field(fieldname, docnum, ((text, 1, weight, value),))

    def add_field(self, fieldname: str, docnum: int, postings) -> int:
        """Add one document's postings of one field, as ``FieldType.index`` gives them.

        :returns: the sum of their frequencies (the field's length in the document).
        """
        terms = self._groups.get(fieldname)
        if terms is None:
            terms = self._groups[fieldname] = {}
            self.fieldnames.add(fieldname)
        # The size estimate counts a posting's value bytes only where values
        # vary in length (positions); elsewhere they are a few bytes at most.
        new = 0
        for text, _, weight, value in postings:
            group = terms.get(text)
            if group is None:
                terms[text] = [docnum, weight, value]
                new += 1
            else:
                group += (docnum, weight, value)
        size = len(postings) * self.POSTING_BYTES + new * self.GROUP_BYTES
        if postings and len(postings[0][3] or b"") > 4:
            size += sum([len(posting[3]) for posting in postings])
        length = sum([posting[1] for posting in postings])
        if docnum < self._lastdoc:
            self._ordered = False
        self._lastdoc = docnum
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()
        return length

    def _sorted_groups(self) -> Iterator[tuple[str, bytes, list]]:
        groups, ordered = self._groups, self._ordered
        self._groups, self._ordered, self._lastdoc = {}, True, -1
        for fieldname in sorted(groups):
            terms = groups.pop(fieldname)
            for text in sorted(terms):
                flat = terms.pop(text)
                if not ordered:
                    flat = [x for triple in sorted(zip(flat[0::3], flat[1::3], flat[2::3])) for x in triple]
                yield fieldname, text, flat

    def _sorted_items(self) -> Iterator[tuple]:
        for fieldname, text, flat in self._sorted_groups():
            for docnum, weight, value in zip(flat[0::3], flat[1::3], flat[2::3]):
                yield (fieldname, text, docnum, weight, value)

    def in_memory_groups(self) -> Iterator[tuple[str, bytes, list]] | None:
        """(field, term, flat postings) in order, or None once postings went to disk."""
        return None if self.runs else self._sorted_groups()

    def save(self) -> None:
        if self._groups:
            path, f = self._new_run()
            self._write_run(f, self._sorted_items())
            self._add_run(path)
        self.currentsize = 0

    def items(self, maxfiles: int = 128):
        if not self.runs:
            return self._sorted_items()
        self.save()
        if maxfiles < len(self.runs):
            self.reduce_to(maxfiles, maxfiles)
        runs, self.runs = self.runs, []
        return merge(*(self._read_run(path) for path in runs))


class _Lengths:
    """Field lengths of a segment being written, each length column read once."""

    def __init__(self, perdoc) -> None:
        self._perdoc = perdoc
        self._count = perdoc.doc_count_all()

    def doc_field_length_reader(self, fieldname: str, default: int = 0):
        reader = self._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            return lambda docnum: default
        lengths = [_LENGTHS[b] for b in reader]
        lengths += [None] * (self._count + 1 - len(lengths))
        return lengths.__getitem__

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        return self._perdoc.doc_field_length(docnum, fieldname, default)


def _as_floats(postings) -> list:
    # Whoosh multiplies every weight by the field's boost (1.0 here), which
    # makes it a float: done once, so equal postings can be shared.
    return [(text, frequency, weight * 1.0, value) for text, frequency, weight, value in postings]


class SitrepWriter(SegmentWriter):
    """``SegmentWriter`` with faster analysis, pooling and length reads; same index."""

    def __init__(self, ix, limitmb: int = POOL_LIMIT_MB, **kwargs: Any) -> None:
        # Sitrep's codec: Whoosh's, with smaller stored fields (search/index/codec.py).
        kwargs.setdefault("codec", SitrepCodec(blocklimit=POSTINGS_BLOCK))
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = GroupedPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        self._indexers = schema_indexers(self.schema)
        self._cache: dict[tuple, list] = {}
        # Postings may be shared between documents where a block stores the
        # values joined, not as a pickled tuple (which would write a shared
        # value as a back-reference: other bytes than Whoosh's).
        self._shareable = {
            name for name, field in self.schema.items()
            if field.indexed and (field.format.fixed_value_size() is not None and field.format.fixed_value_size() >= 0)
        }
        self._segments_written_elsewhere: list = []
        self._merged: list[MergedSegment] = []  # segments whose postings are merged at the flush
        self._plans = self._field_plans()

    def finish_segment(self):
        """Write this writer's documents as a finished segment, for another writer to commit.

        For a writer in a forked child (see ``search.index.update._Batches``): the
        parent passes the segment to :meth:`add_segments`.  The temporary
        directory is shared with the parent's writer, which removes it.
        """
        self._check_state()
        segment = self._finalize_segment()
        self.is_closed = True
        return segment

    def add_segments(self, segments: list) -> None:
        """Commit ``segments``, written by :meth:`finish_segment` elsewhere, after this writer's own."""
        self._check_state()
        self._segments_written_elsewhere.extend(segments)

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:
        if not self._segments_written_elsewhere:
            return super().commit(mergetype=mergetype, optimize=optimize, merge=merge)
        # SegmentWriter.commit, with the other segments listed before this
        # writer's own (which holds only documents of merged old segments).
        self._check_state()
        try:
            segments = self._merge_segments(mergetype, optimize, merge)
            segments += self._segments_written_elsewhere
            if self._added:
                segments.append(self._finalize_segment())
            else:
                self._close_segment()
            self._commit_toc(segments)
        except Exception:
            self._cleanup_on_error()
            raise
        self._finish()

    def add_reader(self, reader) -> None:
        """Whoosh's ``add_reader`` (a merge policy calls it per segment), with the postings merged at the flush.

        The documents' stored fields, lengths and columns are copied now, as
        Whoosh does; a whole segment's postings are read at the flush by a
        reader of its own (the policy closes the one it passed), term by
        term (:mod:`search.index.merging`).  Past the pool's memory limit,
        or with another field writer, Whoosh's own path.
        """
        self._check_state()
        basedoc = self.docnum
        fieldnames = set(self.schema.names()) | {name for name in reader.indexed_field_names() if name in self.schema}
        docmap = self.write_per_doc(fieldnames, reader)
        segment = reader.segment() if isinstance(reader, SegmentReader) else None
        fast = segment is not None and isinstance(self.pool, GroupedPool) and not self.pool.runs
        if not fast or type(self.fieldwriter) is not W3FieldWriter or not self.codec.length_stats:
            self.add_postings_to_pool(reader, basedoc, docmap)
        else:
            self._merged.append(MergedSegment(SegmentReader(self.storage, self.schema, segment), basedoc, docmap))
        self._added = True

    def write_per_doc(self, fieldnames, reader):
        """Whoosh's ``write_per_doc`` (stored fields, lengths, vectors and columns of a merged reader), same output.

        Whoosh asks the reader for each document's length of each field:
        for a field with no length column every ask tested whether the
        file exists (a ``stat`` per document and field, 29 per paragraph).
        Here each field's lengths are read once per reader.  Unlike
        Whoosh's, the merged field totals are the originals' (see below).
        """
        if not isinstance(reader, SegmentReader):
            return super().write_per_doc(fieldnames, reader)
        schema = self.schema
        docmap = {} if reader.has_deletions() else None
        pdw = self.perdocwriter
        columns = {}
        for fieldname in fieldnames:
            coltype = schema[fieldname].column_type
            if coltype and reader.has_column(fieldname):
                column = reader.column_reader(fieldname, coltype)
                if isinstance(column, TranslatingColumnReader):
                    column = column.raw_column()
                columns[fieldname] = column
        count = reader.doc_count_all()
        lengths: dict[str, list] = {}

        def lengths_of(fieldname: str) -> list:
            found = lengths.get(fieldname)
            if found is None:
                stored = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                # Whoosh's doc_field_length: the default 0 without a column, None for a length byte of 0.
                found = lengths[fieldname] = [0] * count if stored is None else [_LENGTHS[b] for b in stored]
                found += [None] * (count - len(found))
            return found

        for docnum, stored in reader.iter_docs():
            if docmap is not None:
                docmap[docnum] = self.docnum
            pdw.start_doc(self.docnum)
            for fieldname in fieldnames | {name for name in stored if name in schema}:
                field = schema[fieldname]
                pdw.add_field(fieldname, field, stored.get(fieldname), lengths_of(fieldname)[docnum])
                if field.vector and reader.has_vector(docnum, fieldname):
                    pdw.add_vector_matcher(fieldname, field, reader.vector(docnum, fieldname, field.vector))
                if fieldname in columns:
                    pdw.add_column_value(fieldname, field.column_type, columns[fieldname][docnum])
            pdw.finish_doc()
            self.docnum += 1
        # A merged document's length is added as its one-byte rounding, so
        # Whoosh's merge made each field's total (BM25F's average length)
        # drift from the sum of the originals: 0.2% of a score on the ISW
        # pages, a ranking that changes when an index run merges segments.
        # Keep the reader's exact total, less the rounded lengths of its
        # deleted documents (their exact ones are not kept).
        for fieldname, found in lengths.items():
            rounded = sum([length for length in found if length])
            pdw._fieldlengths[fieldname] += reader.field_length(fieldname) - rounded
        return docmap

    def _close_segment(self) -> None:
        try:
            super()._close_segment()
        finally:
            self._close_merged()

    def _cleanup_on_error(self) -> None:
        self._close_merged()
        super()._cleanup_on_error()

    def _close_merged(self) -> None:
        merged, self._merged = self._merged, []
        for segment in merged:
            segment.close()

    def _postings(self, fieldname: str, field, value) -> list:
        if type(value) is str:
            indexer = self._indexers.get(fieldname)
            if indexer is not None:
                return indexer(value)
        if fieldname not in self._shareable:
            return _as_floats(field.index(value))
        if type(value) is list and isinstance(field, NUMERIC):
            # NUMERIC.index of a list is its values' postings one after the
            # other (event dates: eight tiered terms each, dates repeat).
            return [posting for one in value for posting in self._value_postings(fieldname, field, one)]
        try:
            return self._value_postings(fieldname, field, value)
        except TypeError:  # an unhashable value: not worth remembering
            return _as_floats(field.index(value))

    def _value_postings(self, fieldname: str, field, value) -> list:
        key = (fieldname, type(value), value)
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) >= CACHE_VALUES:
                self._cache.clear()
            cached = self._cache[key] = _as_floats(field.index(value))
        return cached

    def add_document(self, **fields: Any) -> None:
        # SegmentWriter.add_document of whoosh3 3.54.0, with the postings
        # from _postings() handed to the pool a field at a time.
        self._check_state()
        # A stored override (``_stored_title``: a derived title shown, not
        # indexed) keeps the fast path; boosts need Whoosh's general one.
        plain = self._plans is not None and not any(name[0] == "_" and not name.startswith("_stored_") for name in fields)
        if not plain or not fields.keys() <= self._plans.keys():
            self._check_fields(self.schema, [name for name in fields if not name.startswith("_")])
        perdoc = self.perdocwriter
        perdoc.start_doc(self.docnum)
        try:
            if plain:
                self._add_plain_fields(fields)
            else:
                self._add_fields(fields)
        except ValueError:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _field_plans(self) -> dict[str, tuple] | None:
        """Per field, what adding a value does; None where Whoosh's general path is needed.

        The general path asks each field, for each document, whether it is
        indexed, scorable, stored, spelled, vectored or a column, and looks
        for per-document boosts and stored overrides: a tenth of adding a
        paragraph with Sitrep's 30 fields.  A schema without spelling or
        vector fields, written by Whoosh's own per-document writer, gets
        those answers once (:meth:`_add_plain_fields`).
        """
        if type(self.perdocwriter) not in (W3PerDocWriter, SitrepPerDocWriter):
            return None
        plans = {}
        for name, field in self.schema.items():
            if field.separate_spelling() or field.vector:
                return None
            plans[name] = (
                field,
                field.indexed,
                _lenfield(name) if field.indexed and field.scorable else None,
                field.stored,
                field.column_type or None,
            )
        return plans

    def _add_plain_fields(self, fields: dict) -> None:
        """The fields of a document without ``_boost`` keys (see :meth:`_field_plans`).

        A ``_stored_NAME`` key is stored for the field NAME in place of its
        indexed value, as Whoosh's ``add_document`` does.
        """
        plans = self._plans
        perdoc = self.perdocwriter
        docnum = self.docnum
        add_postings = self.pool.add_field
        add_column_value = perdoc.add_column_value
        field_lengths = perdoc._fieldlengths
        stored = perdoc._storedfields
        for name in sorted(fields):
            value = fields[name]
            if value is None or name[0] == "_":
                continue
            field, indexed, length_column, is_stored, column = plans[name]
            if indexed:
                length = add_postings(name, docnum, self._postings(name, field, value))
                if length and length_column is not None:
                    add_column_value(length_column, LENGTHS_COLUMN, length_to_byte(length))
                    field_lengths[name] += length
            if is_stored:
                stored[name] = value
            if column is not None:
                add_column_value(name, column, field.to_column_value(value))
        for name, value in fields.items():
            if name.startswith("_stored_"):
                plan = plans.get(name[len("_stored_"):])
                if plan is not None and plan[3]:
                    stored[name[len("_stored_"):]] = value

    def _add_fields(self, fields: dict) -> None:
        """The fields of any document, as Whoosh's ``add_document`` adds them."""
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]

            length = 0
            vbytes = None
            if field.indexed:
                fieldboost = self._field_boost(fields, fieldname, docboost)
                postings = self._postings(fieldname, field, value)
                if fieldboost != 1.0:
                    postings = [(t, f, w * fieldboost, v) for t, f, w, v in postings]
                length = pool.add_field(fieldname, docnum, postings)
                if not field.scorable:
                    length = 0
                if postings:
                    vbytes = postings[-1][3]

            if field.separate_spelling():
                spellfield = field.spelling_fieldname(fieldname)
                for word in field.spellable_words(value):
                    word = utf8encode(word)[0]
                    pool.add((spellfield, word, 0, 1, vbytes))

            vformat = field.vector
            if vformat:
                vitems = vformat.word_values(value, field.analyzer, mode="index")
                vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                perdocwriter.add_vector_items(fieldname, field, vitems)

            customval = fields.get(f"_stored_{fieldname}", value)
            sv = customval if field.stored else None
            perdocwriter.add_field(fieldname, field, sv, length)

            column = field.column_type
            if column and customval is not None:
                cv = field.to_column_value(customval)
                perdocwriter.add_column_value(fieldname, column, cv)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        perdoc = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(perdoc) if perdoc is not None else None
        groups = self.pool.in_memory_groups() if isinstance(self.pool, GroupedPool) else None
        if groups is not None and self._merged:
            groups = merged_groups(groups, self._merged, self.schema)
        if groups is not None and type(self.fieldwriter) is W3FieldWriter and lengths is not None:
            _write_groups(self.fieldwriter, self.schema, lengths, groups)
        else:
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if perdoc is not None:
            perdoc.close()


def _write_groups(fieldwriter: W3FieldWriter, schema, lengths: _Lengths, groups) -> None:
    """``FieldWriter.add_postings`` for grouped postings, each term's blocks built at once.

    Whoosh's loop makes one ``add_posting`` call per posting and one
    ``_write_block`` per block, and goes through a ``W3TermInfo`` per term:
    most of a commit's time.  This writes the same bytes
    (see :func:`_term_bytes`) to the postings file and the term index.
    Whoosh writes a block when one more posting arrives for a full block,
    so a term's blocks are its postings cut every ``blocklimit``.
    """
    postings = fieldwriter._codec.postings_writer(fieldwriter._postfile)
    if postings._byteids or postings._inlinelimit > 1:  # other layouts: Whoosh's own calls
        _write_groups_by_posting(fieldwriter, schema, lengths, groups)
        return
    limit, compression = postings._blocklimit, postings._compression
    postfile = fieldwriter._postfile
    tindex = _TermIndex(fieldwriter._tindex)
    lastfield = None
    fixedsize = keyprefix = None
    singles: dict[tuple, tuple[bytes, bytes]] = {}
    offset = 0
    for fieldname, text, flat, length_of in _terms_by_field(fieldwriter, schema, lengths, groups):
        if fieldname != lastfield:
            fixedsize = fieldwriter._format.fixed_value_size()
            keyprefix = pack_ushort(fieldwriter._fieldid)
            lastfield = fieldname
            singles.clear()
            offset = postfile.tell()
        if len(flat) == 3:
            # One posting: most terms (ids, fingerprints, rare word pairs).
            # Its bytes depend on the posting alone, and postings repeat
            # within a field.
            key = (flat[0], flat[1], flat[2])
            found = singles.get(key)
            if found is None:
                found = singles[key] = _single_posting_bytes(flat[0], flat[1], flat[2], length_of, compression, fixedsize)
            data, terminfo = found
            terminfo += pack_long(offset) + pack_int(len(data))
        else:
            data, terminfo = _term_bytes(flat, length_of, limit, compression, fixedsize, offset)
        postfile.write(data)
        offset += len(data)
        tindex.add(keyprefix + text, terminfo)
    tindex.close()


def _terms_by_field(fieldwriter: W3FieldWriter, schema, lengths: _Lengths, groups) -> Iterator[tuple]:
    """``(field, term, flat postings, the field's length reader)`` of ``groups``.

    The field writer is started on each field before its first term and
    finished after its last.
    """
    lastfield = None
    length_of = None
    for fieldname, text, flat in groups:
        if fieldname != lastfield:
            if lastfield is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            length_of = lengths.doc_field_length_reader(fieldname)
            lastfield = fieldname
        yield fieldname, text, flat, length_of
    if lastfield is not None:
        fieldwriter.finish_field()


class _TermIndex:
    """``OrderedHashWriter.add`` for keys known to come in order, one file write each.

    Whoosh's method asks the file for its position twice per key and writes
    three times; a segment has a term per paragraph for each of its ids and
    word pairs of its own, so this was a tenth of writing a segment.
    The bytes, the hash buckets and the key index are Whoosh's.
    """

    def __init__(self, writer: OrderedHashWriter) -> None:
        self._writer = writer
        self._write = writer.dbfile.write
        self._position = writer.dbfile.tell()
        self._positions = writer.index.append
        self._buckets = writer.buckets
        self._hash = _md5_hash if writer.hashfn is md5_hash else writer.hashfn
        self._last = None

    def add(self, key: bytes, value: bytes) -> None:
        position = self._position
        self._positions(position)
        self._write(_KEY_VALUE_LENGTHS.pack(len(key), len(value)) + key + value)
        self._position = position + _KEY_VALUE_LENGTHS.size + len(key) + len(value)
        h = self._hash(key)
        self._buckets[h & 255].append((h, position))
        self._last = key

    def close(self) -> None:
        """Leave the writer as its own ``add`` would have (it checks the next key against the last)."""
        if self._last is not None:
            self._writer.lastkey = self._last


def _md5_hash(key: bytes) -> int:
    # whoosh.filedb.filetables.md5_hash: the digest's last four bytes, without the hex round trip.
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")


def _single_posting_bytes(docnum: int, weight, value, length_of, compression: int, fixedsize) -> tuple[bytes, bytes]:
    """:func:`_term_bytes` of a term with one posting, without the term info's extent."""
    stored = array("f", (weight,))[0]
    if fixedsize is None or fixedsize < 0:
        mini_values = (value,) if value else ()
    elif fixedsize == 0:
        mini_values = None
    else:
        mini_values = value or b""
    body = dumps(((docnum,), None if stored == 1.0 else stored, mini_values), 2)
    level = compression if len(body) >= COMPRESSION_MIN_SIZE else 0
    if level:
        body = compress(body, level)
    heaviest = weight if weight > 0 else 0
    size = length_of(docnum)
    low = high = length_to_byte(size) if size else 0  # a length of 0 is not counted
    info = dumps((1, docnum, heaviest, level, low, high), 2)
    data = WHOOSH3_HEADER_MAGIC + pack_int(-(len(info) + len(body))) + info + body
    terminfo = _TERMINFO.pack(False, 0 + stored, 1, low, high, heaviest, docnum, docnum)
    return data, terminfo


def _term_bytes(flat: list, length_of, limit: int, compression: int, fixedsize, offset: int) -> tuple[bytes, bytes]:
    """One term's postings-file bytes and term-index value, as ``W3PostingsWriter`` and ``W3TermInfo`` write them.

    Per block: the block's length (negative for the last), then the pickled
    ``(count, last docnum, max weight, compression, min length byte, max
    length byte)`` and the pickled ``(docnum deltas, weights, values)``,
    zlib-compressed from ``COMPRESSION_MIN_SIZE`` bytes.  Weights go
    through a float32 array as in Whoosh; a block's largest weight is the
    first of equals, starting from 0; lengths of 0 are not counted.
    """
    docnums, weights, values = flat[0::3], flat[1::3], flat[2::3]
    count = len(docnums)
    parts = [WHOOSH3_HEADER_MAGIC]
    total_weight = 0
    term_min = term_max = term_heaviest = None
    for start in range(0, count, limit):
        end = start + limit
        ids = docnums[start:end]
        block_weights = weights[start:end]
        stored = array("f", block_weights)
        # W3PostingsWriter._mini_ids/_mini_weights/_mini_values
        previous = [0]
        previous += ids[:-1]
        deltas = tuple(map(sub, ids, previous))
        first = stored[0]
        if first == 1.0 and all(w == 1.0 for w in stored):
            mini_weights = None
        elif all(w == first for w in stored):
            mini_weights = first
        else:
            mini_weights = tuple(stored)
        if fixedsize is None or fixedsize < 0:
            mini_values = tuple([v for v in values[start:end] if v])
        elif fixedsize == 0:
            mini_values = None
        else:
            mini_values = b"".join([v for v in values[start:end] if v])
        body = dumps((deltas, mini_weights, mini_values), 2)
        level = compression if len(body) >= COMPRESSION_MIN_SIZE else 0
        if level:
            body = compress(body, level)
        heaviest = max(block_weights)
        if not heaviest > 0:
            heaviest = 0
        sizes = [n for n in map(length_of, ids) if n]
        shortest = min(sizes) if sizes else None
        longest = max(sizes) if sizes else 0
        info = dumps((len(ids), ids[-1], heaviest, level, length_to_byte(shortest), length_to_byte(longest)), 2)
        size = len(info) + len(body)
        parts.append(pack_int(-size if end >= count else size))
        parts.append(info)
        parts.append(body)
        # W3TermInfo.add_block
        total_weight += sum(stored)
        if start:
            term_min = shortest if term_min is None else min(term_min, shortest)
            term_max = max(term_max, longest)
            term_heaviest = max(term_heaviest, heaviest)
        else:
            term_min, term_max, term_heaviest = shortest, max(0, longest), max(0, heaviest)
    data = b"".join(parts)
    # W3TermInfo.to_bytes, not inlined
    terminfo = _TERMINFO.pack(
        False, total_weight, count,
        0 if term_min is None else length_to_byte(term_min), length_to_byte(term_max),
        term_heaviest, docnums[0], docnums[-1],
    ) + pack_long(offset) + pack_int(len(data))
    return data, terminfo


def _write_groups_by_posting(fieldwriter: W3FieldWriter, schema, lengths: _Lengths, groups) -> None:
    # Whoosh's own posting writer, fed a block at a time.
    for _, text, flat, length_of in _terms_by_field(fieldwriter, schema, lengths, groups):
        fieldwriter.start_term(text)
        postings = fieldwriter._postwriter
        limit = postings._blocklimit
        docnums, weights, values = flat[0::3], flat[1::3], flat[2::3]
        for start in range(0, len(docnums), limit):
            if start:
                postings._write_block()
            block_weights = weights[start : start + limit]
            postings._ids.extend(docnums[start : start + limit])
            postings._weights.extend(block_weights)
            heaviest = max(block_weights)
            if heaviest > postings._maxweight:
                postings._maxweight = heaviest
            postings._values.extend([v for v in values[start : start + limit] if v])
            sizes = [n for n in map(length_of, docnums[start : start + limit]) if n]
            if sizes:
                shortest, longest = min(sizes), max(sizes)
                if postings._minlength is None or shortest < postings._minlength:
                    postings._minlength = shortest
                if longest > postings._maxlength:
                    postings._maxlength = longest
        fieldwriter.finish_term()


__all__ = ["GroupedPool", "SitrepWriter"]
