"""Sitrep's engine: report files -> paragraph records -> Whoosh index -> results.

The CLI (:mod:`search.cli`) and the web app (:mod:`web`) are thin callers of
the names exported here.
"""

from .config import Settings, load_settings
from .errors import (
    BadDate,
    BadInput,
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
from .index import FACET_FIELDS, IndexHealth, IndexSummary, check_index, update_index
from .ingest import ParagraphDoc
from .query import SORTS, FacetValue, Hit, Report, SearchIndex, SearchPage, search

__all__ = [
    "FACET_FIELDS",
    "SORTS",
    "BadDate",
    "BadInput",
    "DiskFull",
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
    "QuerySyntaxError",
    "Report",
    "ReportNotFound",
    "SchemaChanged",
    "SearchIndex",
    "SearchPage",
    "Settings",
    "SitrepError",
    "TaxonomyError",
    "check_index",
    "load_settings",
    "search",
    "update_index",
]
