"""Sitrep's engine: report files -> paragraph records -> Whoosh index -> results.

The CLI (:mod:`search.cli`) and the web app (:mod:`web`) are thin callers of
the names exported here.
"""

from .config import Settings, env_name, load_settings
from .errors import (
    BadDate,
    BadInput,
    CannotListen,
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
from .pull import PullSummary, pull
from .query import SORTS, FacetValue, Hit, Report, SearchIndex, SearchPage, search
from .taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "FACET_FIELDS",
    "SORTS",
    "BadDate",
    "BadInput",
    "CannotListen",
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
    "check_index",
    "env_name",
    "export_opensearch",
    "load_settings",
    "load_taxonomy",
    "parse_whole_number",
    "pull",
    "search",
    "update_index",
]
