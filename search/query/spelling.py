"""The words "did you mean" may suggest, by first letter and length, read once per index generation.

Suggesting used to ask Whoosh for every term within two edits of a rare
word (``terms_within``), which walks the field's whole vocabulary under the
word's first letter for each word of each query: half of a 100-hit page's
time at 100k paragraphs (#15).  A suggestion must be in at least
:data:`SUGGEST_RATIO` paragraphs, so only terms that
frequent are kept here, grouped by (first letter, length): a lookup
compares a word with the terms of its first letter and of lengths within
two of its own, each with an edit distance that stops as soon as it passes
two.
"""

from __future__ import annotations

import threading
from typing import Any

from .facets import segment_id

# A suggestion is in at least this many times as many paragraphs as the word typed.
SUGGEST_RATIO = 10


class SuggestionTerms:
    """The ``text`` terms in at least ``floor`` paragraphs, grouped by first letter and length.

    >>> terms = SuggestionTerms.from_counts({"pokrovsk": 40, "pokrovs": 1, "kursk": 12}, floor=10)
    >>> terms.closest("pokrovks")
    (40, 'pokrovsk')
    """

    MAX_EDITS = 2

    def __init__(self, buckets: dict[tuple[str, int], list[tuple[str, int]]], size: int) -> None:
        self._buckets = buckets
        self.size = size  # terms kept

    @classmethod
    def from_counts(cls, counts: dict[str, int], floor: int) -> "SuggestionTerms":
        """Group the terms of ``counts`` (term -> paragraphs) in ``floor`` paragraphs or more."""
        buckets: dict[tuple[str, int], list[tuple[str, int]]] = {}
        size = 0
        for term, frequency in counts.items():
            if frequency >= floor and term:
                buckets.setdefault((term[0], len(term)), []).append((term, frequency))
                size += 1
        return cls(buckets, size)

    def updated(self, before: dict[str, int], counts: dict[str, int], floor: int) -> "SuggestionTerms":
        """A copy with the terms of ``before`` (term -> count before) regrouped by their ``counts`` now.

        Copy on write: a request may still read this one.
        """
        buckets = dict(self._buckets)
        copied: set[tuple[str, int]] = set()
        size = self.size
        for term, old in before.items():
            new = counts.get(term, 0)
            if not term or (old >= floor) == (new >= floor) and (old < floor or old == new):
                continue
            key = (term[0], len(term))
            if key not in copied:
                buckets[key] = list(buckets.get(key, ()))
                copied.add(key)
            entries = buckets[key]
            if old >= floor:
                entries.remove((term, old))
                size -= 1
            if new >= floor:
                entries.append((term, new))
                size += 1
        return SuggestionTerms(buckets, size)

    def closest(self, word: str) -> tuple[int, str] | None:
        """(paragraphs, term) of the most frequent term close to ``word`` and with its first letter.

        Close is one edit for a word of up to five letters, two for a longer
        one (as Lucene's "AUTO" fuzziness: "china" is not a typo of "chang");
        an edit is a letter added, dropped or changed, or two neighbours
        swapped.  ``word`` itself is never returned; None when no term is close.
        """
        best: tuple[int, str] | None = None
        first = word[:1]
        limit = 1 if len(word) <= 5 else self.MAX_EDITS
        letters = set(word)
        for length in range(max(1, len(word) - limit), len(word) + limit + 1):
            for term, frequency in self._buckets.get((first, length), ()):
                if term == word or (best is not None and frequency <= best[0]):
                    continue
                # Each edit brings in or takes out at most one letter of each
                # word: a cheap test that turns away most terms before the
                # edit distance is worked out.
                if len(letters.symmetric_difference(term)) > 2 * limit:
                    continue
                if edits_within(word, term, limit):
                    best = (frequency, term)
        return best


def _segment_counts(leaf: Any) -> dict[str, int]:
    """term -> paragraphs of one segment's ``text`` field."""
    found: dict[str, int] = {}
    for term, info in leaf.iter_field("text"):
        word = term.decode("utf-8") if isinstance(term, bytes) else term
        found[word] = found.get(word, 0) + info.doc_frequency()
    return found


class SpellingCounts:
    """The index's ``text`` term counts, carried from one generation to the next.

    Segment by segment: a multi-segment reader merges the segments' term
    lists one term at a time, 40 times slower (3.4 s against 88 ms for
    7,000 real paragraphs in three segments).  A new generation adds its
    new segments' counts and takes away those of segments merged away, and
    regroups only the terms whose counts changed: reading every term made
    the first misspelt query of each generation wait 1 s at 100k
    paragraphs, and merging every segment's counts again 0.2 s (#17).
    Counts include deleted paragraphs until their segment is merged, which
    only makes a word look a little more frequent.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._segments: dict[str | None, dict[str, int]] = {}  # segment id -> its counts
        self._floor: int | None = None
        self._terms = SuggestionTerms({}, 0)

    def terms(self, reader: Any, floor: int) -> SuggestionTerms:
        """The :class:`SuggestionTerms` of ``reader``'s segments (terms in ``floor`` paragraphs or more)."""
        leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
        with self._lock:
            now = {segment_id(leaf): leaf for leaf, _ in leaves}
            if None in now or None in self._segments:
                # Segments without ids cannot be told apart: count everything afresh.
                self._counts, self._segments, self._floor = {}, {}, None
            changed: dict[str, int] = {}  # term -> its count before
            for segid in [segid for segid in self._segments if segid not in now]:
                for word, frequency in self._segments.pop(segid).items():
                    changed.setdefault(word, self._counts.get(word, 0))
                    self._counts[word] -= frequency
            for segid, leaf in now.items():
                if segid in self._segments:
                    continue
                found = self._segments[segid] = _segment_counts(leaf)
                for word, frequency in found.items():
                    changed.setdefault(word, self._counts.get(word, 0))
                    self._counts[word] = self._counts.get(word, 0) + frequency
            if floor != self._floor:
                self._terms, self._floor = SuggestionTerms.from_counts(self._counts, floor), floor
            elif changed:
                self._terms = self._terms.updated(changed, self._counts, floor)
            return self._terms


def edits_within(a: str, b: str, limit: int) -> bool:
    """True when ``a`` becomes ``b`` in at most ``limit`` edits (insert, delete, substitute, swap neighbours).

    Optimal string alignment distance, one row at a time and only within
    ``limit`` cells of the diagonal, stopping as soon as every cell of a
    row is past ``limit``.

    >>> edits_within("torestk", "toretsk", 1), edits_within("china", "chang", 1)
    (True, False)
    """
    if abs(len(a) - len(b)) > limit:
        return False
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    outside = limit + 1  # any cell off the band |i - j| <= limit is past the limit
    for i in range(1, len(a) + 1):
        current = [i] + [outside] * len(b)
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = a[i - 1] != b[j - 1]
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit


__all__ = ["SUGGEST_RATIO", "SpellingCounts", "SuggestionTerms", "edits_within"]
