"""Whole segments merged into a writer's new segment, term by term (#17).

Whoosh merges a segment by sending every posting through the writer's
pool, one Python tuple each, and sorting them all again at the commit:
about 5 s per 20,000 paragraphs only to iterate them, so a 100k index was
left in the 10-20 segments its build batches wrote.  Every query pays for
segments: each of its words is looked up, read and decoded once per
segment (at 100k, 14 segments made a top 10 about 1.6 times as slow as 2).

Here a merged segment's postings are not pooled.  Its documents keep
their order and get consecutive new numbers after the writer's own, so a
term's postings in the new segment are the writer's own, then each merged
segment's in turn: no sort, only a merge of sorted term lists.  The terms
of fields whose postings carry no values (text, word pairs, ids, days)
are read as arrays in one pass over the term table
(:func:`~search.index.postings.field_postings`)
and renumbered with one array operation; the few fields with values
(positions of the title, frequencies of topics and places) go through
Whoosh's matcher, posting by posting, as before.  The result is the
segment Whoosh's merge writes (``tests/test_merging.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from heapq import merge
from typing import Iterator

import numpy as np

from .postings import field_postings


@dataclass
class MergedSegment:
    """One segment being merged: its reader (open until the flush), its first new number, Whoosh's docmap."""

    reader: object
    basedoc: int
    docmap: dict | None  # old number -> new number; None when nothing is deleted

    def new_numbers(self) -> np.ndarray:
        """int64[old numbers]: each document's number in the new segment, -1 for deleted ones."""
        count = self.reader.doc_count_all()
        if self.docmap is None:
            return np.arange(self.basedoc, self.basedoc + count, dtype=np.int64)
        numbers = np.full(count, -1, dtype=np.int64)
        if self.docmap:
            old = np.fromiter(self.docmap.keys(), dtype=np.int64, count=len(self.docmap))
            numbers[old] = np.fromiter(self.docmap.values(), dtype=np.int64, count=len(self.docmap))
        return numbers

    def close(self) -> None:
        self.reader.close()


def merged_groups(own: Iterator[tuple[str, bytes, list]], segments: list[MergedSegment], schema) -> Iterator[tuple]:
    """``(field, term, flat postings)`` of the writer's own ``groups`` and of ``segments``, in the pool's order.

    Flat postings are ``[docnum, weight, value, docnum, ...]``, as
    :class:`~search.index.writer.GroupedPool` gives them.  Both inputs come
    sorted by field name, then term; for a term in several of them the
    postings follow in document order: the writer's own, then each segment's.
    """
    streams = [((fieldname, text, 0, flat) for fieldname, text, flat in own)]
    streams += [_segment_groups(segment, rank, schema) for rank, segment in enumerate(segments, 1)]
    key = None
    parts: list[list] = []
    for fieldname, text, _, flat in merge(*streams, key=lambda item: (item[0], item[1], item[2])):
        if (fieldname, text) != key:
            if parts:
                yield key[0], key[1], parts[0] if len(parts) == 1 else [x for part in parts for x in part]
            key, parts = (fieldname, text), []
        parts.append(flat)
    if parts:
        yield key[0], key[1], parts[0] if len(parts) == 1 else [x for part in parts for x in part]


def _segment_groups(segment: MergedSegment, rank: int, schema) -> Iterator[tuple]:
    reader = segment.reader
    numbers = segment.new_numbers()
    listed = numbers.tolist()  # for the postings read one at a time
    for fieldname in sorted(reader.indexed_field_names()):
        if fieldname not in schema:  # as Whoosh's merge: a field the schema lost is dropped
            continue
        if schema[fieldname].format.fixed_value_size() == 0:
            for text, ids, weights in field_postings(reader, fieldname):
                flat = _plain_postings(ids, weights, numbers)
                if flat:
                    yield fieldname, text, rank, flat
        else:
            for text in reader.lexicon(fieldname):
                flat = _postings(reader, fieldname, text, listed)
                if flat:
                    yield fieldname, text, rank, flat


def _plain_postings(ids: np.ndarray, weights: np.ndarray, numbers: np.ndarray) -> list:
    """A term's postings with no values, renumbered, deleted documents left out."""
    new = numbers[ids]
    kept = new >= 0
    if not kept.all():
        new, weights = new[kept], weights[kept]
    flat = [None] * (3 * new.size)
    flat[0::3] = new.tolist()
    flat[1::3] = weights.tolist()
    return flat


def _postings(reader, fieldname: str, text: bytes, numbers: list) -> list:
    """A term's postings with their values, through Whoosh's matcher (which skips deleted documents)."""
    matcher = reader.postings(fieldname, text)
    flat: list = []
    while matcher.is_active():
        flat += (numbers[matcher.id()], matcher.weight(), matcher.value())
        matcher.next()
    return flat


__all__ = ["MergedSegment", "merged_groups"]
