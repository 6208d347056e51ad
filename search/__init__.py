"""Sitrep's engine: report files -> paragraph records -> Whoosh index -> results.

The CLI (:mod:`search.cli`) and the web app (:mod:`web`) are thin callers of
the names exported here, and import nothing else from ``search``.

One package per stage, in the order data flows: :mod:`search.fetch` (pull
pages into the reports folder), :mod:`search.ingest` (files -> records),
:mod:`search.index` (the only writer), :mod:`search.query` (the only
searcher of the Whoosh index), :mod:`search.export` (the index as files for
other back ends) and :mod:`search.backends` (the seam the callers use: the
Whoosh index or an OpenSearch cluster).  A stage imports only
the stages before it and the shared top-level modules (config, errors,
numbers, dates, sections, taxonomy); ``tests/test_layout.py`` checks it.
"""

import importlib
from typing import Any

from .backends import Backend, ClusterSummary, check_backend, open_backend, update_backend
from .config import Settings, env_name, load_settings
from .errors import (
    BadDate,
    BadInput,
    CannotListen,
    ClusterRejected,
    ClusterUnavailable,
    DiskFull,
    IndexBusy,
    IndexDamaged,
    IndexMissing,
    NotFound,
    ParagraphNotFound,
    QuerySyntaxError,
    ReportNotFound,
    SchemaChanged,
    SitrepError,
    TaxonomyError,
)
from .export import ExportSummary, export_opensearch
from .index import FACET_FIELDS, IndexHealth, IndexSummary, check_index, update_index
from .ingest import ParagraphDoc
from .numbers import parse_whole_number
from .query import INTERVALS, SORTS, FacetValue, Hit, Report, SearchIndex, SearchPage, parse_exclusions, search
from .taxonomy import Taxonomy, load_taxonomy

# The fetch stage imports http.client, urllib.request and XML parsers (about
# 4 MB and 90 modules) that searching and indexing never need: its names load
# on first use (PEP 562), so a server or an index run does not carry them.
_LAZY = {"pull": "search.fetch", "PullSummary": "search.fetch"}


def __getattr__(name: str) -> Any:
    """Load :func:`pull` and :class:`PullSummary` from :mod:`search.fetch` when first asked for.

    :raises AttributeError: ``name`` is not a name of this package.
    """
    if name not in _LAZY:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "FACET_FIELDS",
    "INTERVALS",
    "SORTS",
    "Backend",
    "BadDate",
    "BadInput",
    "CannotListen",
    "ClusterRejected",
    "ClusterSummary",
    "ClusterUnavailable",
    "DiskFull",
    "ExportSummary",
    "FacetValue",
    "Hit",
    "IndexBusy",
    "IndexDamaged",
    "IndexHealth",
    "IndexMissing",
    "IndexSummary",
    "NotFound",
    "ParagraphDoc",
    "ParagraphNotFound",
    "PullSummary",
    "QuerySyntaxError",
    "Report",
    "ReportNotFound",
    "SchemaChanged",
    "SearchIndex",
    "SearchPage",
    "Settings",
    "SitrepError",
    "Taxonomy",
    "TaxonomyError",
    "check_backend",
    "check_index",
    "env_name",
    "export_opensearch",
    "load_settings",
    "load_taxonomy",
    "open_backend",
    "parse_exclusions",
    "parse_whole_number",
    "pull",
    "search",
    "update_backend",
    "update_index",
]
