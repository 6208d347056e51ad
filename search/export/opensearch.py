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
from ..index import PAIR_ANALYZER, TEXT_ANALYZER, open_index

DOCS_PER_FILE = 5000
INDEX_NAME = "sitrep-paragraphs"

_KEYWORD = {"type": "keyword"}
_STORED_ONLY = {"type": "keyword", "index": False, "doc_values": False}

# Whoosh's English stop words (whoosh.analysis.STOP_WORDS), not Lucene's
# _english_ list: the two differ in 20 words ("from", "when", "there", "but"),
# and each such word would change totals between the back ends.
WHOOSH_STOP_WORDS = [
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if", "in", "is", "it",
    "may", "not", "of", "on", "or", "tbd", "that", "the", "this", "to", "us", "we", "when", "will", "with",
    "yet", "you", "your",
]

# Sitrep's text analyzer (search/index/schema.py) in OpenSearch terms, step
# by step: Whoosh's RegexTokenizer pattern (Unicode \w, "U.S" one token),
# lower case, words of one character dropped and Whoosh's stop words (its
# StopFilter, minsize 2), Porter stemming, then accents folded (after
# stemming, as Whoosh's CharsetFilter). Lucene's Porter stemmer still
# differs from Whoosh's on 15 of the seeds' 608 words ("geolocated":
# geoloc against geolocat), and each difference changes a total, so the
# terms Sitrep searches are also indexed exactly as Sitrep's own analyzers
# make them: ``words`` and ``title_words`` (Whoosh's tokens, split on
# spaces) and ``pairs`` (its word pairs, one value each, so a phrase is the
# same AND of pairs on both back ends). ``text`` and ``title`` keep the
# equivalent analyzer for highlighting and for anyone querying the cluster
# directly; ``text.plain`` is the text unstemmed, for "did you mean".
MAPPING: dict[str, Any] = {
    "settings": {
        "analysis": {
            "tokenizer": {
                "sitrep_words": {"type": "pattern", "pattern": "(?U)\\w+(\\.?\\w+)*", "group": 0},
            },
            "analyzer": {
                "sitrep_text": {
                    "type": "custom",
                    "tokenizer": "sitrep_words",
                    "filter": ["lowercase", "sitrep_minsize", "sitrep_stop", "porter_stem", "asciifolding"],
                },
                "sitrep_plain": {
                    "type": "custom",
                    "tokenizer": "sitrep_words",
                    "filter": ["lowercase", "sitrep_minsize", "sitrep_stop", "asciifolding"],
                },
                "sitrep_terms": {"type": "custom", "tokenizer": "whitespace"},
                "sitrep_pair": {"type": "custom", "tokenizer": "keyword"},
            },
            "filter": {
                "sitrep_stop": {"type": "stop", "stopwords": WHOOSH_STOP_WORDS},
                "sitrep_minsize": {"type": "length", "min": 2},
            },
        },
        # Sitrep's BM25 saturation (Settings.bm25_k1); scores still differ,
        # as OpenSearch adds per-field BM25 scores where Sitrep runs BM25F.
        "similarity": {"default": {"type": "BM25", "k1": 1.6, "b": 0.75}},
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "id": _KEYWORD,
            "report_id": _KEYWORD,
            # The indexed title: empty when the title shown is the report's first sentence.
            "title": {"type": "text", "analyzer": "sitrep_text"},
            "shown_title": _STORED_ONLY,
            "text": {"type": "text", "analyzer": "sitrep_text", "index_options": "offsets",
                     "fields": {"plain": {"type": "text", "analyzer": "sitrep_plain"}}},
            "words": {"type": "text", "analyzer": "sitrep_terms"},
            "title_words": {"type": "text", "analyzer": "sitrep_terms"},
            "pairs": {"type": "text", "analyzer": "sitrep_pair"},
            "source": _KEYWORD,
            "topics": _KEYWORD,
            "places": _KEYWORD,
            "section": _KEYWORD,
            "heading": _STORED_ONLY,
            "label": _KEYWORD,
            "cited": _KEYWORD,
            "kind": _KEYWORD,
            "position": {"type": "integer"},
            # The paragraph's place in the Whoosh index when it was sent: ties
            # in score or date are broken by it, as Whoosh breaks them.
            "order": {"type": "integer"},
            "date": {"type": "date", "format": "strict_date"},
            "date_inferred": {"type": "boolean"},
            "date_basis": _STORED_ONLY,
            "event_dates": {"type": "date", "format": "strict_date"},
            "footnotes": {"type": "object", "enabled": False},
            "markers": {"type": "object", "enabled": False},
            "report_url": _STORED_ONLY,
            "path": _KEYWORD,
            "file_hash": _KEYWORD,
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


def opensearch_document(fields: dict[str, Any], title_indexed: bool = True, order: int = 0,
                        terms: bool = True) -> dict[str, Any]:
    """One stored Whoosh document as an OpenSearch document (see :data:`MAPPING`).

    ``title_indexed`` is False when the stored title is the report's first
    sentence, which Sitrep shows but never searches: the document's
    ``title`` is then empty and ``shown_title`` holds it.  Without
    ``terms`` the analysed fields (``words``, ``title_words``, ``pairs``:
    functions of the text and title) are left out, which makes reading
    every document to compare it four times faster.
    """
    day = fields.get("date")
    doc = {
        "id": fields["id"],
        "report_id": fields["report_id"],
        "title": fields["title"] if title_indexed else "",
        "shown_title": fields["title"],
        "text": fields["text"],
        "words": _terms(fields["text"]) if terms else "",
        "title_words": _terms(fields["title"]) if title_indexed and terms else "",
        "pairs": [token.text for token in PAIR_ANALYZER(fields["text"])] if terms else [],
        "source": fields["source"],
        "topics": [t for t in fields.get("topic", "").split(",") if t],
        "places": [p for p in fields.get("place", "").split(",") if p],
        "section": fields.get("section") or None,
        "heading": fields.get("heading") or None,
        "label": fields.get("label") or None,
        "cited": [c for c in fields.get("cited", "").split(",") if c],
        "kind": fields["kind"],
        "position": fields["position"],
        "order": order,
        "date": day.date().isoformat() if isinstance(day, datetime) else None,
        "date_inferred": bool(fields.get("date_inferred")),
        "date_basis": fields.get("date_basis") or None,
        "event_dates": list(fields.get("event_dates") or []),
        "footnotes": list(fields.get("footnotes") or []),
        "markers": [list(marker) for marker in fields.get("markers") or []],
        "report_url": fields.get("url") or None,
        "path": fields.get("path") or None,
        "file_hash": fields.get("file_hash") or None,
        "fingerprint": fields.get("fingerprint") or None,
        "dup_group": fields.get("dup_group") or None,
    }
    if not terms:
        for name in ("words", "title_words", "pairs"):
            del doc[name]
    return doc


def _terms(text: str) -> str:
    """``text`` as the terms Sitrep's analyzer indexes, separated by spaces (stems: "russian forc")."""
    return " ".join(token.text for token in TEXT_ANALYZER(text))


def index_documents(settings: Settings, terms: bool = True) -> Iterator[dict[str, Any]]:
    """Every paragraph of the index at ``settings.index_dir`` as an OpenSearch document, in index order.

    ``terms``: as :func:`opensearch_document`.

    :raises IndexMissing: there is no index.
    """
    ix = open_index(settings.index_dir)
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            for docnum in reader.all_doc_ids():
                # A title made from the first sentence is stored but indexed empty.
                title_indexed = (reader.doc_field_length(docnum, "title") or 0) > 0
                yield opensearch_document(reader.stored_fields(docnum), title_indexed, docnum, terms)
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
        for doc in index_documents(settings):
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
