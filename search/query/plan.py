"""A request checked and turned into queries bound to one generation: the plan a page or an export runs.

The text query keeps its phrases for highlighting; the plan's ``base``
matches them through the ``pairs`` field, and ``full`` adds the facet filters.
Plain words that fewer than a page of paragraphs have all of (within the
filters) are relaxed to those with most of them (:mod:`search.query.relax`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping

from whoosh.query import And, Not, Or, Query, Term

from ..config import Settings
from ..dates import parse_date_bound
from ..errors import BadInput
from ..index import TEXT_ANALYZER
from ..taxonomy import Taxonomy
from .generation import _Generation
from .names import Rewritten, rewrite_names
from .parse import SORTS, clean_filters, date_range, parse_query, phrases_as_pairs
from .relax import AllWordsFirst, is_plain, word_clauses
from .snippets import wanted_terms


@dataclass(frozen=True)
class Plan:
    """A checked request and its queries, bound to one generation."""

    gen: _Generation
    q: str
    chosen: dict[str, list[str]]
    text_query: Query
    base: Query  # the text and date conditions
    full: Query  # plus the facet filters and exclusions
    start: date | None
    end: date | None
    event_start: date | None
    event_end: date | None
    rewritten: Rewritten | None = None  # the names rewritten (None when searched literally)
    # Set when few or no paragraphs had all the plain words and the query
    # was relaxed (search/query/relax.py): how many had them all.
    all_words: int | None = None
    excluded: dict[str, list[str]] = field(default_factory=dict)  # facet values no hit may carry

    @property
    def relaxed(self) -> bool:
        """Whether the words were relaxed to a ranked OR."""
        return self.all_words is not None


def build_plan(
    gen: _Generation, settings: Settings, taxonomy: Taxonomy, q: str | None,
    filters: Mapping[str, Iterable[str]] | None, date_from: str | None, date_to: str | None,
    event_from: str | None, event_to: str | None, sort: str, literal: bool = False,
    exclude: Mapping[str, Iterable[str]] | None = None,
) -> Plan:
    """Check a request and build its queries against the generation ``gen``.

    Names in ``q`` are rewritten (:func:`~search.query.names.rewrite_names`)
    unless ``literal``.  ``exclude`` names facet values no hit may carry
(``{"topic": ["Syria"]}``): a paragraph with any of them is left out.

    :raises QuerySyntaxError: the query cannot be parsed.
    :raises BadDate: a date bound is not a date.
    :raises BadInput: the query is too long, or an unknown filter or sort.
    """
    q = q or ""
    if len(q) > settings.max_query_length:
        raise BadInput(f"query is {len(q)} characters long; the limit is {settings.max_query_length}")
    if sort not in SORTS:
        raise BadInput(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
    chosen = clean_filters(filters or {})
    start = parse_date_bound(date_from, end=False) if date_from else None
    end = parse_date_bound(date_to, end=True) if date_to else None
    if start and end and start > end:
        raise BadInput(f"'from' ({start}) is after 'to' ({end})")
    event_start = parse_date_bound(event_from, end=False) if event_from else None
    event_end = parse_date_bound(event_to, end=True) if event_to else None
    if event_start and event_end and event_start > event_end:
        raise BadInput(f"'event_from' ({event_start}) is after 'event_to' ({event_end})")
    chosen = {name: [_canonical(gen, taxonomy, name, v) for v in values] for name, values in chosen.items()}
    excluded = {
        name: list(dict.fromkeys(_canonical(gen, taxonomy, name, v) for v in values))
        for name, values in clean_filters(exclude or {}).items()
    }
    rewritten = None if literal else rewrite_names(q, taxonomy, gen.searcher.reader(), settings.name_form_max_percent)
    searched = rewritten.text if rewritten else q
    text_query = parse_query(searched, gen.searcher, gen)
    facet_filters = [Or([Term(name, v) for v in values]) for name, values in chosen.items()]
    unwanted = [Term(name, v) for name, values in excluded.items() for v in values]

    def conditions(text: Query) -> tuple[Query, Query]:
        base = phrases_as_pairs(text)  # text_query keeps the phrases, for highlighting
        if start or end:
            base = And([base, date_range(start, end)])
        if event_start or event_end:
            base = And([base, date_range(event_start, event_end, "event_date")])
        full = And([base, *facet_filters]) if facet_filters else base
        if unwanted:
            # And + Not, not AndNot: Whoosh 2.7's AndNot matcher kept a paragraph
            # carrying the excluded topic under a title phrase query (#16).
            full = And([full, Not(Or(unwanted))])
        return base, full

    base, full = conditions(text_query)
    all_words: int | None = None
    # Sorted by date, relaxed hits would bury the paragraphs with every
    # word among those with one: only a ranking puts them first.  A literal
    # search asks for the words as typed, so it is never relaxed either.
    if settings.relax_below and not literal and sort == "relevance" and is_plain(q):
        found = _match_count(gen, full, settings.relax_below)
        # One clause per typed word, a rewritten name (all its forms) being one.
        clauses = word_clauses(searched, lambda unit: parse_query(unit, gen.searcher, gen)) if found < settings.relax_below else []
        if clauses:
            loose = AllWordsFirst(clauses)
            loose_base, loose_full = conditions(loose)
            if _match_count(gen, loose_full, found + 1) > found:  # only when it finds more
                text_query, base, full, all_words = loose, loose_base, loose_full, found
    return Plan(gen, q, chosen, text_query, base, full, start, end, event_start, event_end, rewritten,
                all_words=all_words, excluded=excluded)


def _match_count(gen: _Generation, query: Query, enough: int) -> int:
    """How many live paragraphs match ``query``, counted up to ``enough`` at most."""
    found = gen.matches(query)
    if found is not None:
        return min(int(found.mask.sum()), enough)
    count = 0
    for _ in gen.searcher.docs_for_query(query):
        count += 1
        if count >= enough:
            break
    return count


def highlight_words(taxonomy: Taxonomy, query: Query) -> frozenset[str]:
    """Analysed spellings of every place the query asks for, to mark in snippets."""
    words: set[str] = set()
    for fieldname, value in wanted_terms(query):
        if fieldname == "place":
            place = taxonomy.places.get(value.decode("utf-8") if isinstance(value, bytes) else value)
            for variant in place.variants if place else ():
                words.update(token.text for token in TEXT_ANALYZER(variant))
    return frozenset(words)


def _canonical(gen: _Generation, taxonomy: Taxonomy, fieldname: str, value: str) -> str:
    # The gazetteer maps any spelling of a place ("Kiev") to the name the
    # index holds ("Kyiv"), so filters accept every spelling.
    if fieldname == "place":
        value = taxonomy.canonical_place(value) or value
    return gen.canonical(fieldname, value)


__all__ = ["build_plan", "highlight_words"]
