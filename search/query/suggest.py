"""Did you mean: a query with its rare words replaced by close, much more frequent ones.

Candidates come from :class:`~search.query.spelling.SuggestionTerms`, read
once per generation, never from a walk of the vocabulary per query.
"""

from __future__ import annotations

import re

from whoosh.query import AndMaybe, AndNot, Not, Query, Term
from whoosh.searching import Searcher

from ..errors import SitrepError
from ..index import TEXT_ANALYZER
from ..taxonomy import Taxonomy
from .generation import _Generation
from .names import RARE_DOCS
from .spelling import SUGGEST_RATIO
from .parse import parse_query


def did_you_mean(
    gen: _Generation, q: str, taxonomy: Taxonomy | None = None, *, only_unknown: bool = False,
    leave: frozenset[str] = frozenset(), query: Query | None = None,
) -> str | None:
    """A "did you mean" query for ``q``: rare words replaced by a close, much more frequent word.

    A word counts as rare in at most :data:`RARE_DOCS` paragraphs (with
    ``only_unknown``, in none: a search with many hits is helped only by
    fixing a word that finds nothing); the replacement is one edit away (a
    word of up to five letters) or two, and in at least
    :data:`SUGGEST_RATIO` times as many paragraphs.  A name the taxonomy
    knows ("China", "Chinese") and the words in ``leave`` (names already
    rewritten) are never replaced.  None when nothing is worth suggesting.
    ``query`` is ``q`` already parsed against ``gen`` (a page's plan has
    it), saving a parse.
    """
    if query is None:
        try:
            query = parse_query(q, gen.searcher, gen)
        except SitrepError:
            return None
    # Remembered per generation, and read from the postings the search just
    # used where it can: a multi-segment reader looks in every segment.
    frequencies = gen.arrays().frequencies
    suggestion = q
    changed = False
    for node in _plain_terms(query):
        stem = node.text.decode("utf-8") if isinstance(node.text, bytes) else node.text
        frequency = frequencies.doc_frequency("text", stem)
        if frequency > (0 if only_unknown else RARE_DOCS) or len(stem) < 4:
            continue
        typed = _typed_word(q, stem)
        if typed is None or typed.casefold() in leave or (taxonomy is not None and taxonomy.name_of(typed)):
            continue
        best = gen.suggestion_terms(SUGGEST_RATIO).closest(stem)
        if best is None or best[0] < max(1, frequency) * SUGGEST_RATIO:
            continue
        surface = _surface_word(gen.searcher, best[1])
        if surface:
            suggestion = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", surface, suggestion, count=1)
            changed = True
    return suggestion if changed and suggestion != q else None


def _plain_terms(query: Query) -> list[Term]:
    """The single-word text terms a user typed (not phrases, wildcards or excluded words)."""
    if isinstance(query, Not):
        return []
    if isinstance(query, AndNot):
        return _plain_terms(query.a)
    if isinstance(query, AndMaybe):
        return _plain_terms(query.a)
    if type(query) is Term and query.fieldname == "text":
        return [query]
    found: list[Term] = []
    for child in query.children():
        found.extend(_plain_terms(child))
    return found


def _typed_word(q: str, stem: str) -> str | None:
    """The word of ``q`` that analyses to ``stem``."""
    for word in re.findall(r"[\w'’-]+", q):
        if [t.text for t in TEXT_ANALYZER(word)] == [stem]:
            return word
    return None


def _surface_word(searcher: Searcher, stem: str) -> str | None:
    """A word as written in some paragraph that analyses to ``stem``."""
    for fields in searcher.documents(text=stem):
        for word in re.findall(r"\w+", fields["text"]):
            if [t.text for t in TEXT_ANALYZER(word)] == [stem]:
                return word
        break
    return None


__all__ = ["RARE_DOCS", "SUGGEST_RATIO", "did_you_mean"]
