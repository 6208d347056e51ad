"""The query language: parse what people type into a Whoosh query, with places and dates in it.

Field names and their plural spellings, ``date:`` terms read with
:func:`~search.dates.parse_date_bound`, place names in any spelling, facet
values in any case, and phrases rewritten for the ``pairs`` field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Iterable, Mapping

from whoosh.qparser import PlusMinusPlugin, QueryParser
from whoosh.query import And, AndNot, DateRange, Every, Not, NullQuery, Phrase, Query, Term
from whoosh.searching import Searcher

from ..dates import parse_date_bound
from ..errors import BadInput, QuerySyntaxError
from ..index import FACET_FIELDS
from ..taxonomy import Taxonomy
from .limits import check_expansions
from .names import rewrite_names

if TYPE_CHECKING:  # annotations only: a generation is passed in, never made here
    from .generation import _Generation

SORTS = ("relevance", "newest", "oldest")
# Field names a query may use, with the plural spellings people type.
QUERY_FIELDS = {
    "title": "title",
    "text": "text",
    "topic": "topic",
    "topics": "topic",
    "place": "place",
    "places": "place",
    "source": "source",
    "section": "section",
    "kind": "kind",
    "date": "date",
    "report": "report_id",
}
_FIELD_PREFIX = re.compile(r"(?:^|(?<=[\s(]))[+-]?(\w+):(?!//)")
_QUOTED = re.compile(r'"[^"]*"')
# "+" and "-" are operators only at the start of a word, so hyphenated words
# such as "Kremlin-affiliated" stay words.
_PLUS_MINUS = PlusMinusPlugin(r"(?:^|(?<=[\s(]))\+", r"(?:^|(?<=[\s(]))-")


def clean_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for name, values in filters.items():
        if name not in FACET_FIELDS:
            raise BadInput(f"unknown filter {name!r}; use one of: {', '.join(FACET_FIELDS)}")
        kept = [v.strip() for v in ([values] if isinstance(values, str) else values) if v and v.strip()]
        if kept:
            chosen[name] = list(dict.fromkeys(kept))
    return chosen


def parse_exclusions(items: Iterable[str]) -> dict[str, list[str]]:
    """``["topic:Syria", "place:Kyiv"]`` -> ``{"topic": ["Syria"], "place": ["Kyiv"]}``: values no hit may carry.

    The field is what comes before the first colon, so values may hold
    colons ("section:Key Takeaways: Russia").  Empty items are ignored.

    >>> parse_exclusions(["topic:Syria", " topic : Iran ", ""])
    {'topic': ['Syria', 'Iran']}

    :raises BadInput: an item without ``FIELD:``, a field that is not a facet, or no value.
    """
    excluded: dict[str, list[str]] = {}
    for item in items:
        if not item or not item.strip():
            continue
        name, colon, value = item.partition(":")
        name, value = name.strip().lower(), value.strip()
        if not colon or name not in FACET_FIELDS or not value:
            raise BadInput(
                f"cannot exclude {item!r}; write FIELD:VALUE with FIELD one of {', '.join(FACET_FIELDS)}"
                " (e.g. topic:Syria)"
            )
        excluded.setdefault(name, [])
        if value not in excluded[name]:
            excluded[name].append(value)
    return excluded


def date_range(start: date | None, end: date | None, fieldname: str = "date") -> Query:
    # Built from python-dateutil's result rather than Whoosh's date parser,
    # whose ranges were wrong in Whoosh 2.7.4 (see pyproject.toml).
    return DateRange(
        fieldname,
        datetime.combine(start, time.min) if start else None,
        datetime.combine(end, time.max) if end else None,
    )


def parse_query(
    text: str, searcher: Searcher, gen: _Generation | None = None, taxonomy: Taxonomy | None = None
) -> Query:
    """Parse query text in Whoosh's language: matched in the text, scored over text and title.

    Words are AND-ed; ``"phrases"``, ``OR``, ``NOT``, ``-word``, ``field:value``
    and wildcards work as in README.md ("Query syntax").  Facet field values
    match in any case (``topic:"north korea"``).

    :raises QuerySyntaxError: unbalanced quotes or brackets, an unknown field,
        or a query with nothing searchable in it.
    """
    stripped = text.strip()
    if not stripped:
        return Every()
    if stripped.count('"') % 2:
        raise QuerySyntaxError('the query has an unclosed quote (")')
    outside = _QUOTED.sub(" ", stripped)
    if outside.count("(") != outside.count(")") or outside.count("[") != outside.count("]"):
        raise QuerySyntaxError("the query has unbalanced brackets")
    for match in _FIELD_PREFIX.finditer(outside):
        if match.group(1).lower() not in QUERY_FIELDS:
            raise QuerySyntaxError(
                f"unknown field {match.group(1)!r}; use one of: {', '.join(sorted(set(QUERY_FIELDS)))}"
            )
    stripped, date_ranges = _extract_dates(stripped)
    if not stripped.strip():
        return And([Every(), *date_ranges]) if date_ranges else Every()
    text_for_parser = _FIELD_PREFIX.sub(lambda m: m.group(0).replace(m.group(1), QUERY_FIELDS.get(m.group(1).lower(), m.group(1))), stripped)
    if taxonomy is not None:
        # Callers that show what was searched rewrite first (build_plan).
        text_for_parser = rewrite_names(text_for_parser, taxonomy, searcher.reader()).text
    matched = _parse(text_for_parser, "text", searcher)
    if matched is NullQuery:
        raise QuerySyntaxError("the query has no searchable words (only very common words?)")
    # a* or word~5 could stand for thousands of words: refuse with a 400 (#6).
    check_expansions(matched, searcher)
    if gen is not None:
        matched = _canonical_terms(matched, gen)
    # A paragraph must match in its own text: a word only in the report's
    # title would make every paragraph of that report a hit.  The title
    # still lifts the paragraphs whose report is about it: each text word is
    # scored over text and title together (BM25F, search/query/scoring.py).
    return And([matched, *date_ranges]) if date_ranges else matched


_DATE_TERM = re.compile(r'(?i)(?<![\w-])date:(?:"([^"]*)"|\[([^\]]*)\]|(\S+))')


def _extract_dates(text: str) -> tuple[str, list[Query]]:
    """Take ``date:VALUE`` and ``date:[A to B]`` out of the query as date ranges.

    Whoosh's own date parsing mis-reads several forms, so the bounds go
    through :func:`parse_date_bound` like the from/to filters do.
    """
    ranges: list[Query] = []

    def replace(match: re.Match[str]) -> str:
        quoted, bracketed, bare = match.groups()
        if bracketed is not None:
            bounds = re.match(r"(?is)^(.*?)\bto\b(.*)$", bracketed.strip())
            if bounds is None:
                raise QuerySyntaxError("write a date range as date:[2024-12-01 to 2024-12-31]")
            low, high = bounds.groups()
            start = parse_date_bound(low, end=False) if low.strip() else None
            end = parse_date_bound(high, end=True) if high.strip() else None
        else:
            value = quoted if quoted is not None else bare
            start, end = parse_date_bound(value, end=False), parse_date_bound(value, end=True)
        if start is None and end is None:
            raise QuerySyntaxError("a date range needs at least one bound: date:[2024-12-01 to 2024-12-31]")
        ranges.append(date_range(start, end))
        return " "

    return _DATE_TERM.sub(replace, text), ranges


# Parsers by (schema, default field): building one (its plugins and their
# regular expressions) cost about as much as a parse, and a page parses up
# to three times.  A parser keeps no state between parses.
_PARSERS: dict[tuple[int, str], tuple[object, QueryParser]] = {}
_PARSERS_KEPT = 16


def _parser(default_field: str, schema) -> QueryParser:
    key = (id(schema), default_field)
    found = _PARSERS.get(key)
    if found is not None and found[0] is schema:
        return found[1]
    parser = QueryParser(default_field, schema)
    parser.add_plugin(_PLUS_MINUS)
    if len(_PARSERS) >= _PARSERS_KEPT:
        _PARSERS.clear()
    # The schema is kept with its parser, so its id is never reused while the entry lives.
    _PARSERS[key] = (schema, parser)
    return parser


# Plain words: letters and digits separated by spaces, with nothing Whoosh's
# parser reads as syntax (quotes, fields, wildcards, brackets, +/-, boosts,
# its upper-case operator words).  Whoosh's parser spent 1-2 ms tagging
# such a query one position at a time, a third of an unseen top 10 (#17).
_PLAIN_WORDS = re.compile(r"[^\W_]+(?:\s+[^\W_]+)*")
_OPERATOR_WORDS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def _parse(text: str, default_field: str, searcher: Searcher) -> Query:
    parser = _parser(default_field, searcher.schema)
    stripped = text.strip()
    if _PLAIN_WORDS.fullmatch(stripped) and _OPERATOR_WORDS.isdisjoint(stripped.split()):
        return _plain_words(parser, default_field, stripped.split())
    try:
        parsed = parser.parse(text)
    except Exception as err:  # whoosh raises plain exceptions for odd input
        raise QuerySyntaxError(f"cannot parse the query: {err}") from None
    return _without_and_not(parsed)


def _plain_words(parser: QueryParser, fieldname: str, words: list[str]) -> Query:
    """What ``parser.parse`` makes of plain words: each word's query as the parser makes it, AND-ed, normalised.

    ``tests/test_query.py`` compares the two on many queries.
    """
    found = [parser.term_query(fieldname, word, parser.termclass) for word in words]
    parsed = And([query for query in found if query is not None])
    return parsed.normalize() if parsed else NullQuery


def _without_and_not(query: Query) -> Query:
    """Rewrite ``AndNot(a, b)`` as ``And([a, Not(b)])``.

    whoosh3 3.54.0's AndNot matcher can return a document that matches the
    excluded term when it is the first match of a segment; ``Not`` inside
    ``And`` filters correctly.
    """
    if isinstance(query, AndNot):
        return And([_without_and_not(query.a), Not(_without_and_not(query.b))])
    return query.apply(_without_and_not)


def _canonical_terms(query: Query, gen: _Generation) -> Query:
    """Rewrite ``topic:north korea``-style terms to the indexed spelling of the value."""

    def visit(node: Query) -> Query:
        if isinstance(node, Term) and node.fieldname in FACET_FIELDS:
            value = node.text.decode("utf-8") if isinstance(node.text, bytes) else node.text
            return Term(node.fieldname, gen.canonical(node.fieldname, value), boost=node.boost)
        return node.apply(visit)

    return visit(query)


def phrases_as_pairs(query: Query) -> Query:
    """Rewrite each phrase in the text as an AND of its adjacent word pairs (the ``pairs`` field).

    ``"North Korean troops"`` needs the pairs "north korean" and "korean
    troop" in one paragraph; they could in principle come from two places in
    it, which a paragraph-sized document makes rare enough to accept for a
    lookup that is orders of magnitude faster than comparing positions.
    """
    if isinstance(query, Phrase) and query.fieldname == "text":
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in query.words if w is not None]
        # The text field keeps no positions (schema 7, #17): no phrase may
        # reach Whoosh's positional matcher, not even one of a word or none.
        if not words:
            return NullQuery
        if len(words) == 1:
            return Term("text", words[0], boost=query.boost)
        pairs = [Term("pairs", f"{a} {b}") for a, b in zip(words, words[1:])]
        return And(pairs, boost=query.boost) if len(pairs) > 1 else Term("pairs", pairs[0].text, boost=query.boost)
    return query.apply(phrases_as_pairs)


__all__ = ["QUERY_FIELDS", "SORTS", "clean_filters", "date_range", "parse_query", "phrases_as_pairs"]
