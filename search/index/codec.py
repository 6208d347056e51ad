"""The segment format: Whoosh's ``W3Codec``, with stored fields compressed against the segment's own documents.

Whoosh compresses each document's pickled stored fields on its own.  A
paragraph's fields are about 2 KB pickled, mostly its text: alone, zlib
gets them to 1.1 KB, since most of what they share with other paragraphs
(field names, paths, titles, sources, dates, common words) is not there
to refer back to.  Here each segment keeps a zlib dictionary of 32 KB
taken from its own documents, and every document is compressed against
it: 0.44 KB a paragraph at 100k paragraphs, stored fields 126 MB -> 45 MB
(#17, ``bench/index_size.py``).  A document is still decompressed alone,
for the few a results page shows.

Everything else (terms, postings, columns, the segment files) is
Whoosh's; segments written by Whoosh's own codec are read as before.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from pickle import dumps, loads
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader, W3PerDocWriter
from whoosh.columns import Column, ColumnReader, ColumnWriter

DICTIONARY_BYTES = 32 * 1024  # zlib's largest window: a larger dictionary is not used
COMPRESSION_LEVEL = 6
# After the documents: the dictionary, the documents' end offsets, then this trailer.
_TRAILER = struct.Struct("!4sII")  # magic, dictionary length, document count
_MAGIC = b"SZD1"


def segment_dictionary(documents: list[bytes], size: int = DICTIONARY_BYTES) -> bytes:
    """A zlib dictionary of up to ``size`` bytes: whole documents spread evenly over ``documents``.

    Documents of one segment come in report order, so evenly spaced ones
    bring the field values of many reports.  A small segment gets a
    dictionary of an eighth of its bytes at most, not to outweigh them.
    """
    total = sum(map(len, documents))
    size = min(size, total // 8)
    if size <= 0:
        return b""
    wanted = -(-len(documents) * size // total)  # rounded up: enough bytes for the whole size
    chosen = [documents[i * len(documents) // wanted] for i in range(wanted)]
    # zlib prefers matches near the end of the dictionary: the cut falls at its start.
    return b"".join(chosen)[-size:]


class DictionaryStoredColumn(Column):
    """Each document's stored fields, pickled and compressed against one dictionary per segment."""

    def writer(self, dbfile) -> "DictionaryStoredColumn.Writer":
        return self.Writer(dbfile)

    def reader(self, dbfile, basepos: int, length: int, doccount: int) -> "DictionaryStoredColumn.Reader":
        return self.Reader(dbfile, basepos, length, doccount)

    class Writer(ColumnWriter):
        """Keeps the segment's pickled documents until :meth:`finish`, which picks the dictionary and writes."""

        def __init__(self, dbfile) -> None:
            super().__init__(dbfile)
            self._documents: list[bytes] = []

        def add(self, docnum: int, value: Any) -> None:
            self._documents += [b""] * (docnum - len(self._documents))
            self._documents.append(dumps(value, 2) if value else b"")

        def finish(self, doccount: int) -> None:
            documents = self._documents
            documents += [b""] * (doccount - len(documents))
            dictionary = segment_dictionary([d for d in documents if d])
            ends = array("Q")
            end = 0
            write = self._dbfile.write
            for data in documents:
                if data:
                    compressor = zlib.compressobj(COMPRESSION_LEVEL, zdict=dictionary) if dictionary else zlib.compressobj(COMPRESSION_LEVEL)
                    data = compressor.compress(data) + compressor.flush()
                    write(data)
                    end += len(data)
                ends.append(end)
            write(dictionary)
            if sys.byteorder == "little":
                ends.byteswap()  # big-endian, as Whoosh writes numbers
            write(ends.tobytes())
            write(_TRAILER.pack(_MAGIC, len(dictionary), doccount))
            self._documents = []

    class Reader(ColumnReader):
        def __init__(self, dbfile, basepos: int, length: int, doccount: int) -> None:
            super().__init__(dbfile, basepos, length, doccount)
            magic, dictionary_length, count = _TRAILER.unpack(dbfile.get(basepos + length - _TRAILER.size, _TRAILER.size))
            if magic != _MAGIC or count != doccount:
                raise ValueError(f"stored fields: bad trailer {magic!r} for {count} of {doccount} documents")
            ends_at = basepos + length - _TRAILER.size - 8 * count
            self._dictionary = dbfile.get(ends_at - dictionary_length, dictionary_length)
            ends = array("Q")
            ends.frombytes(dbfile.get(ends_at, 8 * count))
            if sys.byteorder == "little":
                ends.byteswap()
            self._ends = ends
            if count and ends[-1] > ends_at - dictionary_length - basepos:
                raise ValueError("stored fields: offsets past the documents")

        def __getitem__(self, docnum: int) -> dict | None:
            start = self._ends[docnum - 1] if docnum else 0
            end = self._ends[docnum]
            if start == end:
                return None
            data = self._dbfile.get(self._basepos + start, end - start)
            decompressor = zlib.decompressobj(zdict=self._dictionary) if self._dictionary else zlib.decompressobj()
            return loads(decompressor.decompress(data) + decompressor.flush())

        def __iter__(self):
            return (self[docnum] for docnum in range(self._doccount))


STORED_FIELDS_COLUMN = DictionaryStoredColumn()


class SitrepPerDocWriter(W3PerDocWriter):
    """Whoosh's per-document writer, with the stored fields in a :class:`DictionaryStoredColumn`."""

    def _create_column(self, fieldname: str, column) -> None:
        super()._create_column(fieldname, STORED_FIELDS_COLUMN if fieldname == "_stored" else column)


class SitrepPerDocReader(W3PerDocReader):
    """Whoosh's per-document reader, reading stored fields from a :class:`DictionaryStoredColumn`."""

    def stored_fields(self, docnum: int) -> dict:
        reader = self._cached_reader("_stored", STORED_FIELDS_COLUMN)
        return (reader[docnum] if reader is not None else None) or {}


class SitrepCodec(W3Codec):
    """``W3Codec`` with :class:`SitrepPerDocWriter` and :class:`SitrepPerDocReader`.

    A segment remembers the codec that wrote it (Whoosh pickles it in the
    TOC), so a reader always decodes a segment as it was written.
    """

    def per_document_writer(self, storage, segment) -> SitrepPerDocWriter:
        return SitrepPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment) -> SitrepPerDocReader:
        return SitrepPerDocReader(storage, segment)


__all__ = ["DictionaryStoredColumn", "SitrepCodec", "segment_dictionary"]
