"""Export the index for OpenSearch, for teams that outgrow one machine.

``sitrep export --opensearch OUTDIR`` writes ``mapping.json`` (index settings
and field mappings equivalent to Sitrep's Whoosh schema) and the paragraph
documents as bulk NDJSON files of :data:`DOCS_PER_FILE` documents each,
ready for ``curl --data-binary @bulk-0001.ndjson .../_bulk``.  Nothing here
talks to a cluster: the files are the interface.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from ..config import Settings
from ..errors import BadInput
from ..index import open_index

DOCS_PER_FILE = 5000
INDEX_NAME = "sitrep-paragraphs"

_KEYWORD = {"type": "keyword"}
_STORED_ONLY = {"type": "keyword", "index": False, "doc_values": False}

# Sitrep's text analyzer (stemming, accent folding) in OpenSearch terms.
MAPPING: dict[str, Any] = {
    "settings": {
        "analysis": {
            "analyzer": {
                "sitrep_text": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "sitrep_stop", "porter_stem"],
                }
            },
            "filter": {"sitrep_stop": {"type": "stop", "stopwords": "_english_"}},
        }
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "id": _KEYWORD,
            "report_id": _KEYWORD,
            "title": {"type": "text", "analyzer": "sitrep_text"},
            "text": {"type": "text", "analyzer": "sitrep_text", "index_options": "offsets"},
            "source": _KEYWORD,
            "topics": _KEYWORD,
            "places": _KEYWORD,
            "section": _KEYWORD,
            "heading": _STORED_ONLY,
            "label": _KEYWORD,
            "cited": _KEYWORD,
            "kind": _KEYWORD,
            "position": {"type": "integer"},
            "date": {"type": "date", "format": "strict_date"},
            "date_inferred": {"type": "boolean"},
            "date_basis": _STORED_ONLY,
            "event_dates": {"type": "date", "format": "strict_date"},
            "footnotes": {"type": "object", "enabled": False},
            "report_url": _STORED_ONLY,
            "path": _KEYWORD,
            "fingerprint": _KEYWORD,
            "dup_group": _KEYWORD,
        },
    },
}


@dataclass(frozen=True)
class ExportSummary:
    documents: int
    files: list[Path]

    def line(self) -> str:
        return f"{self.documents} paragraphs in {len(self.files)} bulk file(s) and mapping.json"


def opensearch_document(fields: dict[str, Any]) -> dict[str, Any]:
    """One stored Whoosh document as an OpenSearch document (see :data:`MAPPING`)."""
    day = fields.get("date")
    return {
        "id": fields["id"],
        "report_id": fields["report_id"],
        "title": fields["title"],
        "text": fields["text"],
        "source": fields["source"],
        "topics": [t for t in fields.get("topic", "").split(",") if t],
        "places": [p for p in fields.get("place", "").split(",") if p],
        "section": fields.get("section") or None,
        "heading": fields.get("heading") or None,
        "label": fields.get("label") or None,
        "cited": [c for c in fields.get("cited", "").split(",") if c],
        "kind": fields["kind"],
        "position": fields["position"],
        "date": day.date().isoformat() if isinstance(day, datetime) else None,
        "date_inferred": bool(fields.get("date_inferred")),
        "date_basis": fields.get("date_basis") or None,
        "event_dates": list(fields.get("event_dates") or []),
        "footnotes": list(fields.get("footnotes") or []),
        "report_url": fields.get("url") or None,
        "path": fields.get("path") or None,
        "fingerprint": fields.get("fingerprint") or None,
        "dup_group": fields.get("dup_group") or None,
    }


def _documents(settings: Settings) -> Iterator[dict[str, Any]]:
    ix = open_index(settings.index_dir)
    try:
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                yield opensearch_document(fields)
    finally:
        ix.close()


def export_opensearch(settings: Settings, outdir: Path, index_name: str = INDEX_NAME) -> ExportSummary:
    """Write ``mapping.json`` and ``bulk-NNNN.ndjson`` files into ``outdir``.

    :raises IndexMissing: there is no index to export.
    :raises BadInput: ``outdir`` cannot be written.
    """
    outdir = Path(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        (outdir / "mapping.json").write_text(json.dumps(MAPPING, indent=2) + "\n", encoding="utf-8")
        return _write_bulk(settings, outdir, index_name)
    except OSError as err:
        raise BadInput(f"cannot write to {outdir}: {err.strerror}") from None


def _write_bulk(settings: Settings, outdir: Path, index_name: str) -> ExportSummary:
    files: list[Path] = []
    count = 0
    handle = None
    try:
        for doc in _documents(settings):
            if count % DOCS_PER_FILE == 0:
                if handle:
                    handle.close()
                files.append(outdir / f"bulk-{len(files) + 1:04d}.ndjson")
                handle = open(files[-1], "w", encoding="utf-8")
            action = {"index": {"_index": index_name, "_id": doc["id"]}}
            handle.write(json.dumps(action) + "\n" + json.dumps(doc, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if handle:
            handle.close()
    return ExportSummary(count, files)
