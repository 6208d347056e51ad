"""A :class:`~search.ingest.ParagraphDoc` as the field values the schema stores and indexes."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from ..ingest import ParagraphDoc


def record_fields(doc: ParagraphDoc, dup_group: str = "") -> dict:
    """A :class:`ParagraphDoc` as Whoosh field values."""
    fields = {
        "id": doc.id,
        "report_id": doc.report_id,
        "title": doc.title,
        "text": doc.text,
        "pairs": doc.text,
        "source": doc.source,
        "topic": ",".join(doc.topics),
        "place": ",".join(doc.places),
        "section": doc.section or "",
        "kind": doc.kind,
        "position": doc.position,
        "date_inferred": doc.date_inferred,
        "date_basis": doc.date_basis,
        "footnotes": [
            {"n": n, "text": note.text, "urls": list(note.urls)} if note else {"n": n, "text": "", "urls": []}
            for n in doc.footnotes
            for note in [next((e for e in doc.notes if e.number == n), None)]
        ],
        "markers": [[at, n] for at, n in doc.markers],
        "heading": doc.heading or "",
        "label": doc.label or "",
        "cited": ",".join(doc.cited),
        "event_dates": [d.isoformat() for d in doc.event_dates],
        "url": doc.url or "",
        "fingerprint": doc.fingerprint,
        "fingerprint_key": bytes.fromhex(doc.fingerprint) if doc.fingerprint else None,
        # 30 uint32 values in a column: no signature (no words) leaves the column's zeros.
        "minhash": np.array(doc.signature, dtype=np.uint32).tobytes() if doc.signature else None,
        "dup_group": dup_group or doc.fingerprint,
        "path": doc.path,
        "file_hash": doc.file_hash,
        "file_key": f"{doc.file_hash} {doc.path}",
    }
    if doc.title_derived:
        # Shown beside the hit, never scored: its words are the text's own.
        fields["title"] = ""
        fields["_stored_title"] = doc.title
    if doc.date is not None:
        fields["date"] = datetime(doc.date.year, doc.date.month, doc.date.day)
        fields["month"] = doc.date.strftime("%Y-%m")
        fields["day"] = doc.date.isoformat()
    if doc.event_dates:
        fields["event_date"] = [datetime(d.year, d.month, d.day) for d in doc.event_dates]
    if doc.year_from:
        fields["year_from"] = doc.year_from
    return fields


__all__ = ["record_fields"]
