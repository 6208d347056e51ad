"""Each document's value of a stored column as a number, the same number in every generation.

Collapsing repeats needs each paragraph's repeat group (``dup_group``) as
a number.  Reading it as a facet meant decoding one posting list per group
(95k of them at 100k paragraphs: 3.7-5.9 s for a worker's first collapsed
search) and numbering them in a Python loop on every generation (#17).
Here the field's column, one value per document stored side by side, is
read as one block per segment, and values are numbered in a registry that
outlives generations: a segment's numbers are kept until it is merged
away, and a new generation numbers only the values of its new segments.
Since schema 8 ``dup_group`` and ``id`` have no terms at all: "also in"
and finding a paragraph by id read these columns too.
"""

from __future__ import annotations

import threading

import numpy as np

from .facets import segment_cached, segment_id

NO_VALUE = -1


def column_values(leaf, fieldname: str) -> np.ndarray:
    """Each document's value of a bytes column in one segment (``b""`` for none), as a numpy bytes array."""
    count = leaf.doc_count_all()
    if not count:
        return np.zeros(0, dtype="S1")
    raw = leaf.column_reader(fieldname, translate=False)
    lengths = getattr(raw, "_lengths", None)
    dbfile = getattr(raw, "_dbfile", None)
    if lengths is not None and dbfile is not None and len(lengths) == count:
        # whoosh's VarBytesColumn: the values back to back, then their
        # lengths.  One read, and one view when the values have one length
        # (fingerprints: 16 hex digits), instead of a Python call per document.
        lengths = np.asarray(lengths, dtype=np.int64)
        present = lengths > 0
        widths = np.unique(lengths[present])
        width = int(widths[-1]) if widths.size else 1
        values = np.zeros(count, dtype=f"S{width}")
        if not widths.size:
            return values
        data = dbfile.get(raw._basepos, int(lengths.sum()))
        if widths.size == 1:
            values[present] = np.frombuffer(data, dtype=f"S{width}")
            return values
        # Values of several lengths (paragraph ids: 16 hex digits, "-2" after
        # a repeat within a report): each byte goes to its row and place in
        # a zero-padded table, which is how numpy holds shorter values.
        starts = np.cumsum(lengths) - lengths
        rows = np.repeat(np.arange(count), lengths)
        places = np.arange(rows.size) - starts[rows]
        table = values.view(np.uint8).reshape(count, width)
        table[rows, places] = np.frombuffer(data, dtype=np.uint8)
        return values
    return np.array([bytes(value) for value in raw], dtype=bytes) if count else np.zeros(0, dtype="S1")


class ColumnNumbers:
    """Numbers for the values of one column, kept from one index generation to the next.

    Equal values get equal numbers, in every segment and generation, and
    documents without a value get :data:`NO_VALUE`.  The numbers are in
    the order values were first met, not sorted: they group, they do not
    order.  Thread-safe.
    """

    def __init__(self, fieldname: str) -> None:
        self.fieldname = fieldname
        self._keys = np.zeros(0, dtype="S1")  # every value met, sorted
        self._numbers = np.zeros(0, dtype=np.int32)  # the number of each of _keys
        self._segments: dict[str, np.ndarray] = {}  # segment id -> its documents' numbers
        self._lock = threading.Lock()

    def numbers(self, reader) -> np.ndarray:
        """Each document's number in the generation ``reader`` reads (int32)."""
        leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
        parts = []
        with self._lock:
            for leaf, _ in leaves:
                segid = segment_id(leaf)
                found = self._segments.get(segid) if segid else None
                if found is None:
                    found = self._number(column_values(leaf, self.fieldname))
                    if segid:
                        self._segments[segid] = found
                parts.append(found)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def number_of(self, value: bytes) -> int | None:
        """The number of ``value`` (:data:`NO_VALUE` for ``b""``), or None when no segment read so far has it."""
        if value == b"":
            return NO_VALUE
        with self._lock:
            keys = self._keys
            if len(value) > keys.itemsize:
                return None
            at = int(np.searchsorted(keys, value))
            return int(self._numbers[at]) if at < keys.size and keys[at] == value else None

    def forget_segments(self, live: set) -> None:
        """Drop the numbers of segments no longer in the index (the registry keeps their values)."""
        with self._lock:
            for segid in [segid for segid in self._segments if segid not in live]:
                del self._segments[segid]

    def _number(self, values: np.ndarray) -> np.ndarray:
        # Called with self._lock held.
        present = values != b""
        distinct, inverse = np.unique(values[present], return_inverse=True)
        keys = self._keys.astype(np.result_type(self._keys, distinct))
        at = np.searchsorted(keys, distinct)
        known = at < keys.size
        known[known] = keys[at[known]] == distinct[known]
        numbers = np.empty(distinct.size, dtype=np.int32)
        numbers[known] = self._numbers[at[known]]
        new = ~known
        numbers[new] = np.arange(self._numbers.size, self._numbers.size + int(new.sum()), dtype=np.int32)
        self._keys = np.insert(keys, at[new], distinct[new])
        self._numbers = np.insert(self._numbers, at[new], numbers[new])
        found = np.full(values.size, NO_VALUE, dtype=np.int32)
        found[present] = numbers[inverse.reshape(-1)]
        return found


def segment_column(leaf, fieldname: str, cache: dict | None) -> np.ndarray:
    """:func:`column_values` of one segment, kept in ``cache`` (by segment id) while the segment lives."""
    return segment_cached(leaf, ("column", fieldname), cache, lambda: column_values(leaf, fieldname))


__all__ = ["ColumnNumbers", "NO_VALUE", "column_values", "segment_column"]
