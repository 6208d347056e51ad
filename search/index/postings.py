"""Read a segment's postings and field lengths straight into numpy arrays.

Whoosh hands postings out one at a time through matchers, a Python call
per posting.  Sitrep counts facets and ranks over every match, so it reads
a term's whole posting list at once and decodes it block by block
(whoosh3's on-disk format: pickled, optionally compressed blocks of
delta-coded ids, weights and values).  Deleted documents are included:
callers combine the result with the generation's live documents, so the
arrays can be cached per segment across generations.
"""

from __future__ import annotations

import io
import pickle
import re
import zlib

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

# Whoosh stores a field's length per document as one byte (a log scale):
# scoring must use the same rounded length to rank as Whoosh does.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float32)


def read_term_postings(leaf, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """One term's postings in one segment: (document numbers, weights), deleted ones included."""
    terms = getattr(leaf, "_terms", None)
    if not hasattr(terms, "term_info"):
        if (fieldname, btext) not in leaf:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        return _read_term_slowly(leaf, fieldname, btext)
    # One lookup in the segment's term table, not a test and then a
    # lookup: a query's words are looked up in every segment (#17).
    try:
        info = terms.term_info(fieldname, btext)
    except (TermNotFound, KeyError):  # KeyError: a field this segment never indexed
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    return _postings_of(terms, info, leaf, fieldname, btext)


def field_postings(leaf, fieldname: str):
    """Every term of ``fieldname`` in one segment with its postings: ``(term, document numbers, weights)``, in term order.

    For reading a whole segment (a merge): the terms come with their term
    infos in one pass over the term table, instead of a lookup each.
    """
    terms = getattr(leaf, "_terms", None)
    for btext, info in leaf.iter_field(fieldname, b""):
        if hasattr(terms, "term_info"):
            ids, weights = _postings_of(terms, info, leaf, fieldname, btext)
        else:
            ids, weights = _read_term_slowly(leaf, fieldname, btext)
        yield btext, ids, weights


def _postings_of(terms, info, leaf, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    postfile = getattr(terms, "_postfile", None)
    if postfile is None or info.is_inlined() or not hasattr(info, "extent"):
        return _read_term_slowly(leaf, fieldname, btext)
    offset, length = info.extent()
    if isinstance(length, tuple):  # whoosh3 3.54.0 reads it back as a 1-tuple
        length = length[0]
    # One read for the whole posting list: Whoosh's matcher reads each
    # block's header through pickle from the file, about 20 small reads
    # per block of 128 postings.
    found = _parse_blocks(postfile.get(offset, length))
    return found if found is not None else _read_term_slowly(leaf, fieldname, btext)


# A block's data is the pickle (protocol 2) of (ids, weights, values).  The
# values of a field with positions (the title; the text had them before
# schema 7), pickled bytes each costing a _codecs.encode call, took five
# times the rest and are never used here, so the pickle is cut after the
# weights and closed with None for them ('russian' in one segment's titles
# at 100k: 12.8 ms -> 1.9 ms).  Items: small
# ints (K, M, J), floats (G) or None (N); a tuple of up to three items has
# no MARK; BINPUT (q, r) may follow a tuple.  What follows the weights must
# start the values (None and the closing TUPLE3, a MARK, an empty tuple, or
# a bytes value's GLOBAL or BINGET), so the cut never falls inside them.
_ITEM = rb"(?:K.|M..|J....|G.{8}|N)"
_TUPLE = rb"(?:\((?:" + _ITEM + rb")*t|(?:" + _ITEM + rb"){0,3}[\x85\x86\x87]|\))(?:q.|r....)?"
_IDS_AND_WEIGHTS = re.compile(
    rb"\x80\x02" + _TUPLE + rb"(?:" + _TUPLE + rb"|G.{8}|N)(?=N\x87|[()chj])", re.DOTALL
)


def _ids_and_weights(data: bytes) -> tuple:
    """(ids, weights) of one block's unpickled data, without building its values."""
    found = _IDS_AND_WEIGHTS.match(data)
    if found is not None:
        try:
            ids, weights, _ = pickle.loads(data[: found.end()] + b"N\x87.")
            return ids, weights
        except (pickle.UnpicklingError, ValueError, TypeError):
            pass  # not the layout above after all: read the whole block
    ids, weights, _ = pickle.loads(data)
    return ids, weights


def _parse_blocks(buf: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """Decode a whoosh3 posting list: a magic tag, then blocks of
    (signed length, pickled block info, pickled and maybe zlib-compressed
    (delta-coded ids, weights, values)); a negative length marks the last.
    None when the bytes do not look like that."""
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        return None
    stream = io.BytesIO(buf)
    position, end = 4, len(buf)
    id_blocks, weight_blocks = [], []
    while position < end:
        length = int.from_bytes(buf[position : position + 4], "big", signed=True)
        position += 4
        stream.seek(position)
        count, _, _, compression, _, _ = pickle.load(stream)
        block_end = position + abs(length)
        data = buf[stream.tell() : block_end]
        ids, weights = _ids_and_weights(zlib.decompress(data) if compression else data)
        id_blocks.append(np.asarray(ids, dtype=np.int64))
        if weights is None:
            weight_blocks.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_blocks.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_blocks.append(np.asarray(weights, dtype=np.float32))
        position = block_end
        if length < 0:
            break
    if not id_blocks:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    # Ids are delta-coded within each block, starting from zero.
    ids = np.concatenate([np.cumsum(block) for block in id_blocks]).astype(np.int32)
    return ids, np.concatenate(weight_blocks)


def _read_term_slowly(leaf, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    # Inlined postings (a term in one document) and any other reader: one
    # posting at a time through Whoosh's matcher, deletions left in.
    terms = getattr(leaf, "_terms", None)
    matcher = terms.matcher(fieldname, btext, leaf.schema[fieldname].format) if terms is not None else None
    if matcher is None:
        matcher = leaf.postings(fieldname, btext)
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


def read_lengths(leaf, fieldname: str) -> np.ndarray:
    """The stored (one-byte, log-scale) length of ``fieldname`` in each document of one segment."""
    count = leaf.doc_count_all()
    perdoc = getattr(leaf, "_perdoc", None)
    column = None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is not None and hasattr(column, "_basepos"):
        stored = min(column._count, count)
        raw = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8) if stored else np.zeros(0, np.uint8)
        codes = np.zeros(count, dtype=np.uint8)
        codes[:stored] = raw
        return _LENGTH_OF_BYTE[codes]
    return np.array([leaf.doc_field_length(n, fieldname) or 0 for n in range(count)], dtype=np.float32)
