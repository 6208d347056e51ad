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

import numpy as np
from whoosh.query import And, Not, Or, Query, Term

from ..config import Settings
from ..index import TEXT_ANALYZER
from ..taxonomy import Taxonomy
from .generation import _Generation
from .names import Rewritten, rewrite_names
from .parse import clean_filters, date_range, parse_query, phrases_as_pairs
from .ranking import Matches
from .request_checks import check_query, date_bounds
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
    # ``base`` evaluated as arrays, when deciding on relaxing needed it
    # already: the page reuses it rather than evaluating the query again.
    matched: Matches | None = field(default=None, compare=False, repr=False)
    # ``q`` parsed as typed (no names rewritten), for "did you mean".
    typed_query: Query | None = field(default=None, compare=False, repr=False)

    @property
    def relaxed(self) -> bool:
        """Whether the words were relaxed to a ranked OR."""
        return self.all_words is not None

    def base_matches(self) -> Matches | None:
        """The matches of ``base`` as arrays (None when only Whoosh can evaluate it), evaluated at most once."""
        if self.matched is None:
            # Frozen, but a cache of what the fields already determine.
            object.__setattr__(self, "matched", self.gen.matches(self.base))
        return self.matched

    def filtered(self, base_docs: np.ndarray) -> np.ndarray:
        """``base_docs`` (a mask) narrowed to what the filters allow and the exclusions keep."""
        return filtered_mask(self.gen, base_docs, self.chosen, self.excluded)


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
    q = check_query(settings, q, sort)
    chosen = clean_filters(filters or {})
    bounds = date_bounds(date_from, date_to, event_from, event_to)
    start, end, event_start, event_end = bounds.start, bounds.end, bounds.event_start, bounds.event_end
    chosen = {name: [_canonical(gen, taxonomy, name, v) for v in values] for name, values in chosen.items()}
    excluded = {
        name: list(dict.fromkeys(_canonical(gen, taxonomy, name, v) for v in values))
        for name, values in clean_filters(exclude or {}).items()
    }
    rewritten = None if literal else rewrite_names(q, taxonomy, gen.arrays().frequencies, settings.name_form_max_percent)
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
    typed_query = text_query if searched == q else None
    all_words: int | None = None
    matched: Matches | None = None
    # Sorted by date, relaxed hits would bury the paragraphs with every
    # word among those with one: only a ranking puts them first.  A literal
    # search asks for the words as typed, so it is never relaxed either.
    if settings.relax_below and not literal and sort == "relevance" and is_plain(q):
        matched = gen.matches(base)
        found = _match_count(gen, matched, full, chosen, excluded, settings.relax_below)
        # One clause per typed word, a rewritten name (all its forms) being one.
        clauses = word_clauses(searched, lambda unit: parse_query(unit, gen.searcher, gen)) if found < settings.relax_below else []
        if clauses:
            loose = AllWordsFirst(clauses)
            loose_base, loose_full = conditions(loose)
            loose_matched = gen.matches(loose_base) if matched is not None else None
            if _match_count(gen, loose_matched, loose_full, chosen, excluded, found + 1) > found:  # only when it finds more
                text_query, base, full, all_words, matched = loose, loose_base, loose_full, found, loose_matched
    return Plan(gen, q, chosen, text_query, base, full, start, end, event_start, event_end, rewritten,
                all_words=all_words, excluded=excluded, matched=matched, typed_query=typed_query)


def filtered_mask(
    gen: _Generation, base_docs: np.ndarray, chosen: Mapping[str, Iterable[str]], excluded: Mapping[str, Iterable[str]],
) -> np.ndarray:
    """A new mask: ``base_docs`` and each chosen facet's values, without any excluded value."""
    masks = [base_docs, *(gen.facet(name).docs_of(values) for name, values in chosen.items())]
    masks += [~gen.facet(name).docs_of(values) for name, values in excluded.items()]
    return np.logical_and.reduce(masks) if len(masks) > 1 else base_docs.copy()


def _match_count(
    gen: _Generation, matched: Matches | None, full: Query, chosen: Mapping[str, Iterable[str]],
    excluded: Mapping[str, Iterable[str]], enough: int,
) -> int:
    """How many live paragraphs match ``full``, counted up to ``enough`` at most.

    With ``matched`` (``base`` as arrays) the filters narrow its mask as the
    page narrows it for its total, so both always agree; without, Whoosh
    counts ``full`` itself.
    """
    if matched is not None:
        return min(int(np.count_nonzero(filtered_mask(gen, matched.mask, chosen, excluded))), enough)
    count = 0
    for _ in gen.searcher.docs_for_query(full):
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
