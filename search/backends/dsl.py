"""Sitrep's parsed query tree (Whoosh query objects from search/query/parse.py) as OpenSearch query DSL.

The parser stays the one reader of the query language; this module only
translates what it built.  Terms arrive analysed by Sitrep's own analyzer,
so they are matched against the fields that hold Sitrep's own terms
(``words``, ``title_words``, ``pairs``; see search/export/opensearch.py):
the same paragraphs match on both back ends.  A text word must match in
the paragraph's text and is scored over text and title, as Sitrep's BM25F
does (here as a sum of two BM25 scores, so scores differ).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from whoosh import query as wq

from ..errors import BadInput
from ..query.relax import AllWordsFirst

# Whoosh field -> OpenSearch field (search/export/opensearch.py's MAPPING).
FIELDS = {
    "text": "words",
    "title": "title_words",
    "pairs": "pairs",
    "topic": "topics",
    "place": "places",
    "source": "source",
    "section": "section",
    "label": "label",
    "cited": "cited",
    "kind": "kind",
    "report_id": "report_id",
    "id": "id",
    "date": "date",
    "event_date": "event_dates",
    "dup_group": "dup_group",
}
# Paragraphs with every word of a relaxed query rank above any with some:
# Sitrep's tiers (search/query/relax.py) as a constant far above BM25 scores.
ALL_WORDS_TIER = 10_000.0
MATCH_ALL: dict[str, Any] = {"match_all": {}}
MATCH_NONE: dict[str, Any] = {"match_none": {}}


def _field(name: str) -> str:
    try:
        return FIELDS[name]
    except KeyError:
        raise BadInput(f"the opensearch back end cannot search the field {name!r}") from None


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _day(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _boosted(clause: dict[str, Any], boost: float) -> dict[str, Any]:
    if boost == 1.0:
        return clause
    return {"bool": {"must": [clause], "boost": boost}}


def to_dsl(node: wq.Query, title_weight: float = 2.0) -> dict[str, Any]:
    """The query DSL for one parsed query (see the module docstring).

    :raises BadInput: the tree holds a query type this back end cannot run.
    """

    def visit(q: wq.Query) -> dict[str, Any]:
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, wq.Every):
            return MATCH_ALL
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return MATCH_NONE
        if isinstance(q, AllWordsFirst):
            words = [visit(sub) for sub in q.subqueries]
            every = {"constant_score": {"filter": {"bool": {"filter": words}}, "boost": ALL_WORDS_TIER}}
            return _boosted({"bool": {"should": [every, *words], "minimum_should_match": 1}}, boost)
        if isinstance(q, wq.AndNot):
            return _boosted({"bool": {"must": [visit(q.a)], "must_not": [visit(q.b)]}}, boost)
        if isinstance(q, wq.AndMaybe):
            return _boosted({"bool": {"must": [visit(q.a)], "should": [visit(q.b)]}}, boost)
        if isinstance(q, wq.Require):
            return _boosted({"bool": {"must": [visit(q.a)], "filter": [visit(q.b)]}}, boost)
        if isinstance(q, wq.Not):
            return {"bool": {"must_not": [visit(q.query)]}}
        if isinstance(q, wq.And):
            return _boosted({"bool": {"must": [visit(sub) for sub in q.subqueries]}}, boost)
        if isinstance(q, (wq.Or, wq.DisjunctionMax)):
            return _boosted({"bool": {"should": [visit(sub) for sub in q.subqueries], "minimum_should_match": 1}},
                            boost)
        if isinstance(q, wq.DateRange):
            bounds = {}
            if q.startdate is not None:
                bounds["gte"] = _day(q.startdate)
            if q.enddate is not None:
                bounds["lte"] = _day(q.enddate)
            return {"range": {_field(q.fieldname): bounds}} if bounds else {"exists": {"field": _field(q.fieldname)}}
        if isinstance(q, wq.Term):
            return _term(q.fieldname, _text(q.text), boost)
        if isinstance(q, wq.Phrase):
            words = " ".join(_text(w) for w in q.words)
            return {"match_phrase": {_field(q.fieldname): {"query": words, "slop": max(q.slop - 1, 0), "boost": boost}}}
        if isinstance(q, wq.FuzzyTerm):
            return {"fuzzy": {_field(q.fieldname): {"value": _text(q.text), "fuzziness": q.maxdist,
                                                      "prefix_length": q.prefixlength, "transpositions": False,
                                                      "rewrite": "scoring_boolean", "boost": boost}}}
        if isinstance(q, wq.Prefix):
            # Each word the pattern stands for scored by BM25, as Whoosh scores
            # them (OpenSearch's default rewrite gives every match one score).
            return {"prefix": {_field(q.fieldname): {"value": _text(q.text), "rewrite": "scoring_boolean",
                                                     "boost": boost}}}
        if isinstance(q, wq.Wildcard):
            return {"wildcard": {_field(q.fieldname): {"value": _text(q.text), "rewrite": "scoring_boolean",
                                                       "boost": boost}}}
        if isinstance(q, wq.TermRange):
            bounds = {}
            if q.start is not None:
                bounds["gt" if q.startexcl else "gte"] = _text(q.start)
            if q.end is not None:
                bounds["lt" if q.endexcl else "lte"] = _text(q.end)
            return {"range": {_field(q.fieldname): bounds}}
        raise BadInput(f"the opensearch back end cannot run this part of the query: {q}")

    def _term(fieldname: str, value: str, boost: float) -> dict[str, Any]:
        if fieldname == "text":
            # Matched in the text, scored over text and title (README "Query syntax").
            return {"bool": {"must": [{"term": {"words": {"value": value}}}],
                             "should": [{"term": {"title_words": {"value": value, "boost": title_weight}}}],
                             "boost": boost}}
        return {"term": {_field(fieldname): {"value": value, "boost": boost}}}

    return visit(node)


def highlight_query(node: wq.Query, extra_words: frozenset[str] = frozenset()) -> dict[str, Any] | None:
    """A query over the ``text`` field that marks the words and phrases ``node`` asks for, for highlighting.

    The terms are Sitrep's stems; the ``text`` field's analyzer stems them
    again (Porter is idempotent on nearly all of them), so the marks fall on
    the words that matched.  Excluded words are never marked.
    """
    clauses: list[dict[str, Any]] = []

    def visit(q: wq.Query, negated: bool = False) -> None:
        if isinstance(q, wq.Not):
            return
        if isinstance(q, wq.AndNot):
            visit(q.a)
            return
        if isinstance(q, wq.Term) and q.fieldname in ("text", "pairs"):
            clauses.append({"match": {"text": {"query": _text(q.text)}}})
        elif isinstance(q, wq.Phrase) and q.fieldname == "text":
            clauses.append({"match_phrase": {"text": " ".join(_text(w) for w in q.words)}})
        elif isinstance(q, wq.Prefix) and q.fieldname == "text":
            clauses.append({"prefix": {"text": _text(q.text)}})
        elif isinstance(q, wq.Wildcard) and q.fieldname == "text":
            clauses.append({"wildcard": {"text": _text(q.text)}})
        elif isinstance(q, wq.FuzzyTerm) and q.fieldname == "text":
            clauses.append({"fuzzy": {"text": {"value": _text(q.text), "fuzziness": q.maxdist}}})
        for sub in q.children() if hasattr(q, "children") else ():
            visit(sub)

    visit(node)
    if extra_words:
        clauses.append({"match": {"text": {"query": " ".join(sorted(extra_words))}}})
    return {"bool": {"should": clauses}} if clauses else None


__all__ = ["FIELDS", "highlight_query", "to_dsl"]
