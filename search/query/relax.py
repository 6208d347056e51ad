"""Plain questions: when few or no paragraphs have all of a query's words, rank those with most of them (#15).

Words typed without any query syntax are AND-ed, and a question typed as
people type it ("what happened to north korean troops in kursk") rarely has
every one of its words in a single paragraph.  When the AND of a plain
query finds fewer than ``Settings.relax_below`` paragraphs (10: a page),
:mod:`search.query.plan` matches the words as a ranked OR instead
(:class:`AllWordsFirst`): paragraphs with every word first, then the others
by their BM25F score, the sum of the scores of the words each has.  Stop
words never count: the analyzer drops them before a query is built.

Measured on bench/relevance.py (#15): needing a share of the words (a
minimum-should-match of 1/4, 1/3 or 1/2 of them) or scaling scores by the
share matched lost 0.03 to 0.12 nDCG@10 on Cranfield's questions, so one
word is enough and only "all the words" ranks apart; relaxing only empty
ANDs kept 0.16 nDCG@10 less on the ISW questions than relaxing thin ones.

A query with any syntax in it (quotes, brackets, ``field:``, wildcards,
``~``, ``^``, ``+word``/``-word``, the operators AND, OR, NOT in capitals)
is never relaxed: its operators mean what they say (:func:`is_plain`).
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

import numpy as np

from whoosh.matching import ListMatcher, NullMatcher, WrappingMatcher
from whoosh.query import Query
from whoosh.query.compound import CompoundQuery

from ..errors import QuerySyntaxError

# What makes a query more than plain words (README "Query syntax"): quotes
# (' only at the edge of a word: "Russia's" is a word), grouping, fields,
# wildcards, fuzziness, boosts, escapes, + and - in front of a word, and
# the operator words, which the parser reads in capitals only.
_SYNTAX = re.compile(
    r"""["()\[\]{}:*?~^\\]|(?:^|(?<=\s))[-+']|'(?=\s|$)|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b"""
)


def relaxed_note(all_words: int) -> str:
    """What a relaxed page says, given how many paragraphs have every word."""
    if not all_words:
        return "No paragraph has all your words; showing those with most of them."
    noun = "paragraph has" if all_words == 1 else "paragraphs have"
    return f"Only {all_words} {noun} all your words; {'it comes' if all_words == 1 else 'they come'} first, then those with most of them."


def is_plain(text: str) -> bool:
    """True when ``text`` is words only, without any of the query language's syntax.

    >>> is_plain("what happened to north korean troops in kursk"), is_plain('"north korean" troops')
    (True, False)
    """
    return bool(text.strip()) and _SYNTAX.search(text) is None


def tiered(score: float | np.ndarray, all_matched: bool | np.ndarray) -> float | np.ndarray:
    """A relaxed score: ``s / (1 + s)`` below 1, plus 1 for a document with every word (numbers or arrays).

    Monotone in ``s`` within each tier, so paragraphs with all the words
    rank first and each tier keeps its BM25F order, with no bound on the
    scores needed.
    """
    return score / (1 + score) + all_matched


class AllWordsFirst(CompoundQuery):
    """Documents matching any of the subqueries; those matching all of them first, then by score.

    A document's score is :func:`tiered` of the sum of the scores of the
    subqueries it matches.  Whoosh's matcher here reads each segment's
    matches of every subquery once; the array path in
    :mod:`search.query.ranking` evaluates the same formula.
    """

    JOINT = " OR "
    intersect_merge = False

    def __init__(self, subqueries: Sequence[Query], boost: float = 1.0) -> None:
        super().__init__(list(subqueries), boost=boost)

    def __str__(self) -> str:
        return f"AllWordsFirst({self.JOINT.join(str(q) for q in self.subqueries)})"

    def normalize(self) -> "AllWordsFirst":
        # Never merged or collapsed as a plain OR would be: that changes
        # what "every subquery" means.
        return self.apply(lambda q: q.normalize())

    def simplify(self, ixreader) -> "AllWordsFirst":
        return self.apply(lambda q: q.simplify(ixreader))

    def requires(self) -> set:
        return set()

    def matcher(self, searcher, context=None):
        # Not CompoundQuery.matcher, which hands a lone subquery its own
        # matcher and so its own, untiered scores.
        return self._matcher(self.subqueries, searcher, context)

    def _matcher(self, subs, searcher, context):
        scores: dict[int, float] = {}
        counts: dict[int, int] = {}
        for query in subs:
            matcher = query.matcher(searcher, context)
            while matcher.is_active():
                docnum = matcher.id()
                counts[docnum] = counts.get(docnum, 0) + 1
                scores[docnum] = scores.get(docnum, 0.0) + matcher.score()
                matcher.next()
        if not counts:
            return NullMatcher()
        ids = sorted(counts)
        matched = ListMatcher(ids, [tiered(scores[d], counts[d] == len(subs)) for d in ids])
        return WrappingMatcher(matched, self.boost) if self.boost != 1.0 else matched


def word_clauses(text: str, parse: Callable[[str], Query]) -> list[Query]:
    """One clause per word of a plain query, each parsed alone; [] for fewer than two.

    Parsed alone, a hyphenated word stays one clause (the AND of its
    parts), and a name the query's names were rewritten to (a bracketed
    group of its forms, :mod:`search.query.names`) one clause, where
    parsing the words OR-joined would merge every OR into one.  A stop
    word alone parses to nothing and is left out.

    :param parse: parses one word as the query language does (``parse_query``).
    """
    units = query_units(text)
    if len(units) < 2:  # one word: nothing to relax, and no need to parse it again
        return []
    clauses = []
    for unit in units:
        try:
            clauses.append(parse(unit))
        except QuerySyntaxError:  # only a stop word: nothing to search for
            continue
    return clauses if len(clauses) >= 2 else []


_JOINING = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def query_units(text: str) -> list[str]:
    """``text`` cut at the spaces outside brackets and quotes, operators kept with their operands.

    >>> query_units('what (("north korean" OR DPRK) ANDMAYBE x) troops')
    ['what', '(("north korean" OR DPRK) ANDMAYBE x)', 'troops']
    """
    pieces: list[str] = []
    current, depth, quoted = "", 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth = max(0, depth - 1)
        if char.isspace() and depth == 0 and not quoted:
            if current:
                pieces.append(current)
            current = ""
        else:
            current += char
    if current:
        pieces.append(current)
    units: list[str] = []
    joining = False
    for piece in pieces:
        if piece in _JOINING and units:
            units[-1] += f" {piece}"
            joining = True
        elif joining:
            units[-1] += f" {piece}"
            joining = False
        else:
            units.append(piece)
    return units


__all__ = ["AllWordsFirst", "is_plain", "query_units", "relaxed_note", "tiered", "word_clauses"]
