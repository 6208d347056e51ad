"""A draft -> its :class:`~search.ingest.records.ParagraphDoc` records, with every date completed that can be.

The second step of reading a file: it needs the ``anchor`` date the caller
found in the corpus for a draft whose dates lack a year.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from ..dates import PartialDate, find_year, infer_year
from ..taxonomy import Taxonomy
from .events import event_dates
from .files import slug, stored_path
from .fingerprint import fingerprints, signature_bands
from .notes import cited_domains
from .records import FileDraft, ParagraphDoc


def _first_sentence(text: str, limit: int = 90) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


def paragraph_docs(
    draft: FileDraft, taxonomy: Taxonomy, anchor: date | None = None, anchor_basis: str = ""
) -> list[ParagraphDoc]:
    """Turn a draft into records, completing dates that lack a year.

    A paragraph's date is its own section's date, or else the file's first
    date (then marked inferred).  A year missing from it comes from, in order:
    a complete date elsewhere in the same file (its metadata, a dateline, its
    URL, a full date in its name); a year in the file name; and only then
    ``anchor``, the date of the most similar dated report the caller found in
    the corpus, which therefore never moves a date the file's own evidence
    fixed.  Without any of these the paragraph is indexed undated.
    """
    own = draft.own_anchor()
    name_year = find_year(draft.path.name)
    docs: list[ParagraphDoc] = []
    stem = slug(draft.report_name or draft.path.stem)
    for part in draft.parts:
        if part.record_id:
            report_id = slug(part.record_id)
        else:
            report_id = stem if part.number == 1 else f"{stem}-{part.number}"
        title = part.title or _first_sentence(part.paragraphs[0].text)
        title_derived = not part.title
        seen: dict[str, int] = {}
        for position, para in enumerate(part.paragraphs, start=1):
            partial, inferred, basis = para.date, False, para.date_basis
            if partial is None and draft.file_date is not None and not part.standalone:
                partial, inferred, basis = draft.file_date, True, draft.file_date_basis
            day: date | None = None
            year_from = ""
            if partial is not None:
                day = partial.complete()
                if day is None:
                    year_from = "unknown"
                    inferred = True
                    if own is not None:
                        day, basis = infer_year(partial, own), f"{basis}; year from the file's own dates"
                    elif name_year is not None:
                        day = PartialDate(partial.month, partial.day, name_year).complete()
                        basis = f"{basis}; year from the file name"
                    elif anchor is not None:
                        day, basis = infer_year(partial, anchor), f"{basis}; year from {anchor_basis}"
                        year_from = "corpus"
                    if year_from == "unknown" and day is not None:
                        year_from = ""  # the file's own evidence gave it
            if day is None:
                basis = "no date found"
            tags = taxonomy.tag(para.text)
            fingerprint, signature = fingerprints(para.text)
            notes = tuple(part.endnotes[n] for n in dict.fromkeys(para.footnotes) if n in part.endnotes)
            # A record's own topics join the taxonomy's; commas would split them in the index.
            own_topics = (" ".join(t.replace(",", " ").split()) for t in part.topics)
            topics = tuple(dict.fromkeys([*(t for t in own_topics if t), *tags.topics]))
            digest = hashlib.sha1(f"{report_id}\n{para.text}".encode()).hexdigest()[:16]
            seen[digest] = seen.get(digest, 0) + 1
            doc_id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
            docs.append(
                ParagraphDoc(
                    id=doc_id,
                    report_id=report_id,
                    title=title,
                    source=part.source or "Unknown source",
                    date=day,
                    date_inferred=inferred,
                    date_basis=basis,
                    section=para.section,
                    kind=para.kind,
                    position=position,
                    text=para.text,
                    footnotes=para.footnotes,
                    markers=para.markers,
                    topics=topics,
                    places=tuple(tags.places),
                    path=stored_path(draft.path),
                    file_hash=draft.file_hash,
                    heading=para.heading,
                    label=para.label,
                    notes=notes,
                    cited=cited_domains(notes),
                    event_dates=event_dates(para.text, day),
                    fingerprint=fingerprint,
                    signature=signature,
                    bands=tuple(signature_bands(signature)),
                    url=part.url,
                    year_from=year_from,
                    title_derived=title_derived,
                )
            )
    return docs


__all__ = ["paragraph_docs"]
