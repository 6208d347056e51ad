"""BM25F: one score per query word over a paragraph's text and its report's title (#15).

For a word of the query, each field's term frequency is normalised by that
field's length and weighted, the fields are added up, and the sum is
saturated once and multiplied by one idf:

    tf' = sum over fields f of  w_f * tf_f / ((1 - b_f) + b_f * len_f / avglen_f)
    score = idf * tf' * (k1 + 1) / (tf' + k1)
    idf = log(1 + (N - df + 0.5) / (df + 0.5))

A word typed for the text is scored over the text and the title together,
but matches in the text only (a paragraph whose report title holds the word
and whose own text does not is no hit); ``title:word`` is scored over the
title alone, a phrase's word pairs over the ``pairs`` field alone.  ``df``
is the word's document frequency in the field queried, ``N`` every
document, deleted ones included (the statistics Whoosh keeps: both counts
leave deletions in until segments merge).  ``avglen_f`` averages over the
documents that have the field, as Lucene does, so reports without a title
do not make the titles that exist look long.

Two callers rank with these formulas: the array path
(:mod:`search.query.ranking`) and, for the queries it leaves to Whoosh, the
searcher's weighting model :class:`Bm25fWeighting` below; both read their
statistics from here so they rank alike.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
from whoosh.scoring import BaseScorer, WeightingModel, WeightScorer

from ..config import Settings
from ..index.postings import read_lengths, read_term_postings


@dataclass(frozen=True)
class FieldWeight:
    """One field's part in a BM25F sum: its weight and its length normalisation ``b``."""

    name: str
    weight: float
    b: float


@dataclass(frozen=True)
class Bm25fParameters:
    """BM25F's free parameters (Settings ``bm25_*``)."""

    k1: float = 1.6
    text: FieldWeight = FieldWeight("text", 1.0, 0.75)
    title: FieldWeight = FieldWeight("title", 2.0, 0.75)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Bm25fParameters":
        """The parameters ``settings`` holds."""
        return cls(
            k1=settings.bm25_k1,
            text=FieldWeight("text", settings.bm25_text_weight, settings.bm25_text_b),
            title=FieldWeight("title", settings.bm25_title_weight, settings.bm25_title_b),
        )

    def fields_for(self, fieldname: str) -> tuple[FieldWeight, ...]:
        """The fields a word queried in ``fieldname`` is scored over, the queried one first."""
        if fieldname == "text":
            return (self.text, self.title)
        if fieldname == "title":
            return (self.title,)
        # The phrase pairs (and any other scorable field): one field, normalised as the text.
        return (FieldWeight(fieldname, self.text.weight, self.text.b),)

    def saturate(self, idf: float, tf: float | np.ndarray) -> float | np.ndarray:
        """``idf * tf' * (k1 + 1) / (tf' + k1)`` of a summed, normalised frequency (a number or an array)."""
        return idf * tf * (self.k1 + 1) / (tf + self.k1)


def bm25_idf(doc_count: int, doc_frequency: int) -> float:
    """BM25's idf, ``log(1 + (N - df + 0.5) / (df + 0.5))``: never negative, unlike Robertson's original.

    >>> round(bm25_idf(1000, 10), 4), round(bm25_idf(1000, 1000), 4)
    (4.5577, 0.0005)
    """
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


def normalised(
    weight: FieldWeight, tf: float | np.ndarray, length: float | np.ndarray, average: float
) -> float | np.ndarray:
    """``w_f * tf_f / ((1 - b_f) + b_f * len_f / avglen_f)`` for a number or arrays."""
    return weight.weight * tf / ((1 - weight.b) + weight.b * length / average)


class Bm25fWeighting(WeightingModel):
    """Whoosh's view of the same BM25F, for the queries the array path leaves to Whoosh.

    Make one per searcher (per index generation): it remembers that
    searcher's average field lengths.
    """

    use_final = False

    def __init__(self, parameters: Bm25fParameters) -> None:
        self.parameters = parameters
        self._averages: dict[str, float] = {}
        self._lock = threading.Lock()

    def idf(self, searcher, fieldname: str, text) -> float:
        parent = searcher.get_parent()
        return bm25_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))

    def average_length(self, searcher, fieldname: str) -> float:
        """The mean length of ``fieldname`` over the documents that have it (1 when none does)."""
        with self._lock:
            if fieldname not in self._averages:
                parent = searcher.get_parent()
                reader = parent.reader()
                leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
                having = sum(int(np.count_nonzero(read_lengths(leaf, fieldname))) for leaf, _ in leaves)
                self._averages[fieldname] = parent.field_length(fieldname) / having if having else 1.0
            return self._averages[fieldname]

    def scorer(self, searcher, fieldname: str, text, qf: int = 1) -> BaseScorer:
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        return Bm25fScorer(self, searcher, fieldname, text)


class Bm25fScorer(BaseScorer):
    """Scores one word's postings in one segment, adding the other fields' frequencies of that word.

    No block-quality shortcuts: a block's best text weight says nothing of
    the title frequencies the sum adds.
    """

    def __init__(self, model: Bm25fWeighting, searcher, fieldname: str, text) -> None:
        self.searcher = searcher
        self.parameters = model.parameters
        self.btext = text if isinstance(text, bytes) else searcher.schema[fieldname].to_bytes(text)
        self.idf = searcher.get_parent().idf(fieldname, text)
        own, *others = self.parameters.fields_for(fieldname)
        self.own = (own, model.average_length(searcher, own.name))
        self.others = [(f, model.average_length(searcher, f.name)) for f in others if f.name in searcher.schema]
        self._other_tfs: list[dict[int, float]] | None = None  # read on the first score()

    def supports_block_quality(self) -> bool:
        return False

    def _frequencies(self) -> list[dict[int, float]]:
        if self._other_tfs is None:
            reader = self.searcher.reader()
            self._other_tfs = []
            for weight, _ in self.others:
                ids, tfs = read_term_postings(reader, weight.name, self.btext)
                self._other_tfs.append(dict(zip(ids.tolist(), tfs.tolist())))
        return self._other_tfs

    def score(self, matcher) -> float:
        docnum = matcher.id()
        own, average = self.own
        tf = normalised(own, matcher.weight(), self.searcher.doc_field_length(docnum, own.name, 0), average)
        for (weight, other_average), frequencies in zip(self.others, self._frequencies()):
            found = frequencies.get(docnum)
            if found:
                tf += normalised(weight, found, self.searcher.doc_field_length(docnum, weight.name, 0), other_average)
        return self.parameters.saturate(self.idf, tf)

    def max_quality(self) -> float:
        return self.idf * (self.parameters.k1 + 1)  # the limit of the saturation

    def block_quality(self, matcher) -> float:
        return self.max_quality()


__all__ = ["Bm25fParameters", "Bm25fScorer", "Bm25fWeighting", "FieldWeight", "bm25_idf", "normalised"]
