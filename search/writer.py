"""A Whoosh segment writer that writes the same index faster (#5).

Profiling a 10k-paragraph build showed where Whoosh's ``SegmentWriter``
spends its time, and this subclass changes only that:

* analysis: the text fields go through :mod:`search.analysis` (same terms,
  one analysis for ``text`` and ``pairs``), and other fields' postings are
  remembered per value, since paths, sources, days and titles repeat;
* the postings pool: Whoosh keeps one 5-tuple per posting, sorts them all
  at commit and spills them to pickled temp files past ``limitmb`` (128 MB
  by default, a third of the commit time).  :class:`GroupedPool` keeps
  postings grouped by term, a few machine words each, so a
  :data:`~search.index.BATCH_PARAGRAPHS` batch fits in memory and only the
  terms are sorted; past its limit it spills as Whoosh does;
* lengths: writing each posting asked the length column of its document
  through the storage, one small read per posting.  :meth:`_flush_segment`
  reads each length column once.

Nothing written changes: ``tests/test_writer.py`` compares an index
written by this writer with one written by Whoosh's, posting by posting.
"""

from __future__ import annotations

from heapq import merge
from typing import Any, Iterator

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.util.text import utf8encode
from whoosh.writing import PostingPool, SegmentWriter

from .analysis import schema_indexers

POOL_LIMIT_MB = 512  # estimated; a 20,000-paragraph batch needs about a third of it
CACHE_VALUES = 100_000  # distinct (field, value) postings remembered per writer
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
        self._groups: dict[tuple[str, bytes], list] = {}
        self._lastdoc = -1
        self._ordered = True

    def add(self, item: tuple) -> None:
        fieldname, text, docnum, weight, value = item
        self.add_postings(fieldname, docnum, ((text, weight, value),))

    def add_postings(self, fieldname: str, docnum: int, postings) -> None:
        """Add (term bytes, weight, value bytes) postings of one document's field."""
        groups = self._groups
        size = 0
        for text, weight, value in postings:
            key = (fieldname, text)
            group = groups.get(key)
            if group is None:
                groups[key] = [docnum, weight, value]
                size += self.GROUP_BYTES + len(text) + len(value or b"")
            else:
                group += (docnum, weight, value)
                size += self.POSTING_BYTES + len(value or b"")
        if docnum < self._lastdoc:
            self._ordered = False
        self._lastdoc = docnum
        self.fieldnames.add(fieldname)
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()

    def _sorted_items(self) -> Iterator[tuple]:
        groups, ordered = self._groups, self._ordered
        self._groups, self._ordered, self._lastdoc = {}, True, -1
        for key in sorted(groups):
            fieldname, text = key
            flat = groups.pop(key)
            triples = zip(flat[0::3], flat[1::3], flat[2::3])
            if not ordered:
                triples = sorted(triples)
            for docnum, weight, value in triples:
                yield (fieldname, text, docnum, weight, value)

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


class SitrepWriter(SegmentWriter):
    """``SegmentWriter`` with faster analysis, pooling and length reads; same index."""

    def __init__(self, ix, limitmb: int = POOL_LIMIT_MB, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = GroupedPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        self._indexers = schema_indexers(self.schema)
        self._cache: dict[tuple, list] = {}
        # Small weights and frequency values, shared instead of one object per posting.
        self._floats: dict[float, float] = {}

    def _postings(self, fieldname: str, field, value) -> list:
        if type(value) is str:
            indexer = self._indexers.get(fieldname)
            if indexer is not None:
                return indexer(value)
        try:
            key = (fieldname, type(value), value)
            cached = self._cache.get(key)
        except TypeError:  # a list of values: not worth remembering
            return list(field.index(value))
        if cached is None:
            if len(self._cache) >= CACHE_VALUES:
                self._cache.clear()
            cached = self._cache[key] = list(field.index(value))
        return cached

    def add_document(self, **fields: Any) -> None:
        # SegmentWriter.add_document of whoosh3 3.54.0, with the postings
        # from _postings() and handed to the pool a field at a time.
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        floats = self._floats

        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]

                length = 0
                vbytes = None
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    postings = []
                    for tbytes, freq, weight, vbytes in self._postings(fieldname, field, value):
                        weight *= fieldboost
                        shared = floats.get(weight)
                        if shared is None and len(floats) < 1024:
                            shared = floats[weight] = weight
                        postings.append((tbytes, shared if shared is not None else weight, vbytes))
                        length += freq
                    if not field.scorable:
                        length = 0
                    pool.add_postings(fieldname, docnum, postings)

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
        except ValueError:
            perdocwriter.cancel_doc()
            raise

        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        perdoc = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(perdoc) if perdoc is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if perdoc is not None:
            perdoc.close()


__all__ = ["GroupedPool", "SitrepWriter"]
