"""Year inference's question to the index: which explicitly dated report is most like this text.

Ingest completes a date without a year from this neighbour's date; the
update asks here, so the writer never needs the query stage.
"""

from __future__ import annotations

from datetime import date

from whoosh.index import Index
from whoosh.query import Or, Term


def dated_neighbour(ix: Index, text: str, exclude_path: str = "") -> tuple[date, str] | None:
    """The date of the explicitly dated report most similar to ``text``, and why.

    Similarity is BM25 over the twenty most distinctive terms of ``text``
    (by the index's own term statistics), summed per report.
    """
    with ix.searcher() as searcher:
        keywords = [term for term, _ in searcher.key_terms_from_text("text", text, numterms=20)]
        if not keywords:
            return None
        query = Or([Term("text", word) for word in keywords])
        results = searcher.search(
            query, limit=50, filter=Term("date_inferred", False), mask=Term("path", exclude_path)
        )
        by_report: dict[str, float] = {}
        dates: dict[str, date] = {}
        for hit in results:
            # The stored value, never hit["date"]: for an undated paragraph that
            # falls back to the sortable column, whose filler for a missing
            # date is no datetime (OverflowError, #13).
            day = hit.fields().get("date")
            if day is None:
                continue
            by_report[hit["report_id"]] = by_report.get(hit["report_id"], 0.0) + hit.score
            dates[hit["report_id"]] = day.date()
        if not by_report:
            return None
        best = max(by_report, key=by_report.__getitem__)
        return dates[best], f"the most similar dated report, {best} ({dates[best].isoformat()})"


__all__ = ["dated_neighbour"]
