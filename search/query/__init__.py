"""The query stage: parse a query, rank and page its matches, count facets, build snippets; the only searcher.

:class:`SearchIndex` (:mod:`search.query.reader`) keeps one searcher per
index generation and returns our own dataclasses (:mod:`search.query.results`),
never a Whoosh ``Results``, which keeps its searcher open.

May import: whoosh, numpy, the read-only names of ``search.index`` (opening
the index, the schema's fields and analyzer, the damage checks) and the
top-level modules of ``search`` (config, errors, dates, sections, taxonomy).  Never
``search.ingest`` or anything that writes: no writer, no update, no rebuild.
"""

from .facets import FacetValue
from .parse import SORTS, parse_exclusions, parse_query, phrases_as_pairs
from .reader import SearchIndex, search
from .results import Hit, Report, SearchPage
from .timeline import INTERVALS

__all__ = ["INTERVALS", "SORTS", "FacetValue", "Hit", "Report", "SearchIndex", "SearchPage", "parse_exclusions", "parse_query", "phrases_as_pairs", "search"]
