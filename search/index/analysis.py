"""The postings of the text fields, computed without Whoosh's token stream.

Whoosh analyses a value by passing one ``Token`` object through a chain of
generators (tokenizer, lower case, stop words, stemmer, accent folding,
shingles), several Python calls per word, and the index writer does it for
``text`` and then again for ``pairs``, which is the same text with one more
filter.  That was about 40% of the time spent adding a paragraph (#5).

:class:`FieldIndexer` gives the exact ``FieldType.index`` result for the
analyzer chains Sitrep uses, from the chain's own parts (its regular
expression, stop list, stemming function and character map), with each
distinct word's term computed once per build and the pairs built from the
text's terms instead of a second analysis.  A chain of any other shape is
left to Whoosh (:func:`field_indexer` returns None).  ``tests/test_analysis.py``
compares every posting with Whoosh's own on the seed reports and on
generated text.
"""

from __future__ import annotations

import re
from collections import Counter
from operator import sub
from pickle import dumps
from dataclasses import dataclass
from typing import Callable

from whoosh.analysis import (
    CharsetFilter,
    IDTokenizer,
    LowercaseFilter,
    RegexTokenizer,
    ShingleFilter,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.fields import FieldType
from whoosh.formats import Existence, Frequency, Positions
from whoosh.system import pack_uint

from .schema import Frequencies

# One posting of a field as ``FieldType.index`` yields it: (term, frequency, weight, value bytes).
Posting = tuple[bytes, int, float, bytes]
_MISSING = object()
_PACKED = [pack_uint(n) for n in range(256)]  # frequency values, shared between postings
_WHOOSH_WORDS = default_pattern.pattern  # r"[\w\*]+(\.?[\w\*]+)*"
_WHOOSH_WORDS_FLAGS = default_pattern.flags
_WORDS = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*", default_pattern.flags)
CACHE_WORDS = 500_000  # distinct words remembered; a report corpus has far fewer


@dataclass(frozen=True)
class WordChain:
    """A ``RegexTokenizer | LowercaseFilter | StopFilter | StemFilter | CharsetFilter`` chain, as data."""

    pattern: object  # the compiled expression
    stops: frozenset
    minsize: int
    maxsize: int | None
    stem: Callable[[str], str]
    ignore: frozenset
    charmap: tuple  # the character map's items, so that the chain is hashable


def word_chain(items: list) -> WordChain | None:
    """The :class:`WordChain` that ``items`` (an analyzer's parts) make, or None for any other chain."""
    kinds = [type(item) for item in items]
    if kinds != [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter, CharsetFilter]:
        return None
    tokenizer, _, stop, stem, charset = items
    if tokenizer.gaps or not stop.renumber:
        return None
    return WordChain(
        pattern=tokenizer.expression,
        stops=frozenset(stop.stops),
        minsize=stop.min,
        maxsize=stop.max,
        stem=stem.stemfn,
        ignore=frozenset(stem.ignore),
        charmap=tuple(sorted(charset.charmap.items())),
    )


class Words:
    """The terms a :class:`WordChain` makes of a text, with a cache per distinct word.

    :meth:`terms` also remembers the last text it saw, so the ``text`` and
    ``pairs`` fields of one paragraph analyse it once.
    """

    def __init__(self, chain: WordChain) -> None:
        self.chain = chain
        # Whoosh's default expression has a capturing group, so findall would
        # return the group: the same expression without it gives whole words.
        pattern = chain.pattern
        if pattern.pattern == _WHOOSH_WORDS and pattern.flags == _WHOOSH_WORDS_FLAGS:
            self._findall = _WORDS.findall
        else:
            self._findall = lambda text: [m.group(0) for m in pattern.finditer(text)]
        self._charmap = dict(chain.charmap)
        self._cache: dict[str, str | None] = {}
        self._last: tuple[str, tuple[list[str], int]] | None = None

    def _term(self, word: str) -> str | None:
        chain = self.chain
        text = word.lower()
        if len(text) < chain.minsize or (chain.maxsize is not None and len(text) > chain.maxsize):
            return None
        if text in chain.stops:
            return None
        if text not in chain.ignore:
            text = chain.stem(text)
        return text.translate(self._charmap)

    def terms(self, value: str) -> tuple[list[str], int]:
        """(the terms of ``value`` in order, the position of the first).

        Positions follow Whoosh's StopFilter: the first kept word keeps its
        place among all words, stop words included; later ones follow it
        one by one.
        """
        last = self._last
        if last is not None and (last[0] is value or last[0] == value):
            return last[1]
        cache = self._cache
        if len(cache) > CACHE_WORDS:
            cache.clear()
        terms: list[str] = []
        first = 0
        for number, word in enumerate(self._findall(value)):
            term = cache.get(word, _MISSING)
            if term is _MISSING:
                term = cache[word] = self._term(word)
            if term is not None:
                if not terms:
                    first = number
                terms.append(term)
        result = (terms, first)
        self._last = (value, result)
        return result


class FieldIndexer:
    """``FieldType.index(value)`` of one field, as a list, for the chains this module knows."""

    def __init__(self, field: FieldType, index: Callable[[str], list[Posting]]) -> None:
        self.field = field
        self._index = index

    def __call__(self, value: str) -> list[Posting]:
        return self._index(value)


def _weights(boost: float) -> list[float]:
    # float(n) * boost for small frequencies, one object each instead of one per posting.
    return [float(n) * boost for n in range(256)]


def _positions(words: Words, format: Positions) -> Callable[[str], list[Posting]]:
    boost = format.field_boost
    weights = _weights(boost)
    # Each posting gets its own value object: a block pickles its values as
    # a tuple, and a value shared between postings would be pickled as a
    # back-reference, other bytes than Whoosh writes.
    encode = _encode_positions if type(format).encode is Positions.encode else format.encode

    def index(value: str) -> list[Posting]:
        terms, first = words.terms(value)
        places: dict[str, list[int]] = {}
        for offset, term in enumerate(terms, start=first):
            found = places.get(term)
            if found is None:
                places[term] = [offset]
            else:
                found.append(offset)
        postings = []
        for term, where in places.items():
            n = len(where)
            postings.append((term.encode("utf-8"), n, weights[n] if n < 256 else float(n) * boost, encode(where)))
        return postings

    return index


_ONE = pack_uint(1)
_ONE_POSITION: dict[int, bytes] = {}  # position -> the pickled [position]


def _encode_positions(where: list[int]) -> bytes:
    """``Positions.encode``: the count, then the pickled gaps between positions.

    Most words occur once in a paragraph, and the pickle of a one-item list
    depends on its position alone, so it is made once per position.  The
    result is always a new object (see :func:`_positions`).
    """
    if len(where) == 1:
        position = where[0]
        pickled = _ONE_POSITION.get(position)
        if pickled is None:
            if len(_ONE_POSITION) > CACHE_WORDS:
                _ONE_POSITION.clear()
            pickled = _ONE_POSITION[position] = dumps(where, 2)
        return _ONE + pickled
    return pack_uint(len(where)) + dumps([where[0], *map(sub, where[1:], where)], 2)


def _frequencies(counts: Callable[[str], Counter], format: Frequency | Frequencies) -> Callable[[str], list[Posting]]:
    boost = format.field_boost
    weights = _weights(boost)
    if type(format) is Frequencies:  # the frequency is the weight alone: no value bytes
        return lambda value: [
            (term.encode("utf-8"), n, weights[n] if n < 256 else float(n) * boost, b"")
            for term, n in counts(value).items()
        ]

    def index(value: str) -> list[Posting]:
        return [
            (term.encode("utf-8"), n, weights[n], _PACKED[n]) if n < 256
            else (term.encode("utf-8"), n, float(n) * boost, pack_uint(n))
            for term, n in counts(value).items()
        ]

    return index


def _pair_counts(words: Words, separator: str) -> Callable[[str], Counter]:
    def counts(value: str) -> Counter:
        terms, _ = words.terms(value)
        if len(terms) < 2:
            # ShingleFilter gives a text of one word that word alone.
            return Counter(terms)
        return Counter(a + separator + b for a, b in zip(terms, terms[1:]))

    return counts


def _word_counts(words: Words) -> Callable[[str], Counter]:
    return lambda value: Counter(words.terms(value)[0])


def _token_counts(expression: re.Pattern) -> Callable[[str], Counter]:
    return lambda value: Counter(expression.findall(value))


def _identity(format: Existence) -> Callable[[str], list[Posting]]:
    boost = format.field_boost
    return lambda value: [(value.encode("utf-8"), 1, boost, b"")]


def field_indexer(field: FieldType, words_for: Callable[[WordChain], Words]) -> FieldIndexer | None:
    """A fast :class:`FieldIndexer` for ``field``, or None when Whoosh must analyse it.

    Known: text chains (see :class:`WordChain`) with positions or
    frequencies (Whoosh's ``Frequency`` or Sitrep's
    :class:`~search.index.schema.Frequencies`), the same followed by
    ``ShingleFilter(2)`` with frequencies, a bare ``IDTokenizer`` with existence only, and a bare
    ``RegexTokenizer`` (keywords) with frequencies.
    ``words_for`` hands out one :class:`Words` per chain, so fields with the
    same chain share their cache and their last analysed text.
    """
    if type(field).index is not FieldType.index:  # NUMERIC, BOOLEAN... encode their own terms
        return None
    analyzer, format = getattr(field, "analyzer", None), field.format
    kind = type(format)
    if type(analyzer) is IDTokenizer and kind is Existence:
        return FieldIndexer(field, _identity(format))
    if type(analyzer) is RegexTokenizer and not analyzer.gaps and kind is Frequency:
        # A bare tokenizer: KEYWORD fields split on spaces.
        return FieldIndexer(field, _frequencies(_token_counts(analyzer.expression), format))
    if type(analyzer) is not CompositeAnalyzer:
        return None
    items = list(analyzer.items)
    shingle = items[-1] if items and type(items[-1]) is ShingleFilter else None
    chain = word_chain(items[:-1] if shingle else items)
    if chain is None:
        return None
    words = words_for(chain)
    if shingle is not None:
        if shingle.size != 2 or kind not in (Frequency, Frequencies):
            return None
        return FieldIndexer(field, _frequencies(_pair_counts(words, shingle.sep), format))
    if kind is Positions:
        return FieldIndexer(field, _positions(words, format))
    if kind in (Frequency, Frequencies):
        return FieldIndexer(field, _frequencies(_word_counts(words), format))
    return None


def schema_indexers(schema) -> dict[str, FieldIndexer]:
    """Fast indexers for the fields of ``schema`` that have one, by field name."""
    shared: dict[WordChain, Words] = {}

    def words_for(chain: WordChain) -> Words:
        if chain not in shared:
            shared[chain] = Words(chain)
        return shared[chain]

    found = {}
    for name, field in schema.items():
        if field.indexed and field.format is not None:
            indexer = field_indexer(field, words_for)
            if indexer is not None:
                found[name] = indexer
    return found


__all__ = ["FieldIndexer", "Words", "WordChain", "field_indexer", "schema_indexers", "word_chain"]
