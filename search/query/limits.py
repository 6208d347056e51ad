"""Caps on how far one query may expand, so no query can tie up the server (#6).

A wildcard (``a*``) or fuzzy word (``word~``) stands for every indexed word
it matches; Whoosh builds one posting list per word, so ``a*`` over a large
index costs as much as a query of thousands of words.  The caps below turn
such a query into a clear 400 (``QuerySyntaxError``) instead.
"""

from __future__ import annotations

from itertools import islice

from whoosh.query import FuzzyTerm, MultiTerm, Prefix, Query
from whoosh.searching import Searcher

from ..errors import QuerySyntaxError

MAX_EXPANSION = 1_000  # words one wildcard or fuzzy term may stand for
MAX_FUZZY_DISTANCE = 2  # word~3 and beyond match nearly everything and are slow


def check_expansions(query: Query, searcher: Searcher) -> None:
    """Refuse a query whose wildcard or fuzzy terms match too many words.

    :raises QuerySyntaxError: a term matches more than :data:`MAX_EXPANSION`
        words, or a fuzzy term allows more than :data:`MAX_FUZZY_DISTANCE` edits.
    """
    reader = searcher.reader()
    for leaf in query.leaves():
        if not isinstance(leaf, MultiTerm):
            continue
        text = getattr(leaf, "text", None)  # a TermRange has none
        shown = f"{text}*" if isinstance(leaf, Prefix) else str(leaf if text is None else text)
        if isinstance(leaf, FuzzyTerm):
            shown = f"{leaf.text}~{leaf.maxdist}"
            if leaf.maxdist > MAX_FUZZY_DISTANCE:
                raise QuerySyntaxError(
                    f"{shown!r} allows {leaf.maxdist} differences; a fuzzy word may differ by at most "
                    f"{MAX_FUZZY_DISTANCE} letters ({leaf.text}~{MAX_FUZZY_DISTANCE})"
                )
        try:
            count = sum(1 for _ in islice(leaf._btexts(reader), MAX_EXPANSION + 1))
        except Exception:  # a field without terms: nothing to expand
            continue
        if count > MAX_EXPANSION:
            raise QuerySyntaxError(
                f"{shown!r} matches more than {MAX_EXPANSION:,} words; "
                "put more letters before the * or ? (for example 'Transnistr*'), or fewer ~ edits"
            )


__all__ = ["check_expansions", "MAX_EXPANSION", "MAX_FUZZY_DISTANCE"]
