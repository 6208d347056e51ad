"""The export stage: the indexed paragraphs written out for other search back ends (OpenSearch for now).

Reads the index the way the query stage does, through :func:`search.index.open_index`,
and writes files only; nothing here talks to a cluster.

May import: ``search.index`` (to open and read the index) and the top-level
modules of ``search`` (config, errors).  Never ``search.query``, the writers
of ``search.index``, ``search.cli`` or ``web``.
"""

from .opensearch import MAPPING, ExportSummary, export_opensearch, index_documents

__all__ = ["MAPPING", "ExportSummary", "export_opensearch", "index_documents"]
