"""What ingest produces: a file's :class:`FileDraft` while it is read, its :class:`ParagraphDoc` records after.

Also :class:`SkipFile`, raised wherever a file cannot yield records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..dates import PartialDate, find_year
from .page import Endnote


class SkipFile(Exception):
    """Raised inside ingest when a file cannot yield records; carries the reason."""


@dataclass(frozen=True)
class ParagraphDoc:
    """One searchable paragraph or bullet, with everything shown beside a hit."""

    id: str
    report_id: str
    title: str
    source: str
    date: date | None
    date_inferred: bool
    date_basis: str
    section: str | None
    kind: str
    position: int
    text: str
    footnotes: tuple[int, ...]
    topics: tuple[str, ...]
    places: tuple[str, ...]
    path: str
    file_hash: str
    heading: str | None = None  # the heading as written; ``section`` is its canonical form
    label: str | None = None  # ISW evidence label ("Assessed Russian advances")
    notes: tuple[Endnote, ...] = ()  # the endnotes behind ``footnotes``, where known
    # (offset in ``text``, note number) of each marker, in order: where the
    # report page shows it again; the text itself never holds the digits.
    markers: tuple[tuple[int, int], ...] = ()
    cited: tuple[str, ...] = ()  # domains the endnotes link to
    event_dates: tuple[date, ...] = ()
    fingerprint: str = ""  # equal for paragraphs equal after normalisation
    signature: tuple[int, ...] = ()  # MinHash of the word pairs, for near-duplicates
    bands: tuple[int, ...] = ()  # the signature's band keys, to find candidates
    url: str | None = None  # the report's address on the web, when known
    # The title is the first sentence of the text, not one the report has:
    # shown beside a hit but never scored, or that sentence would count twice (#15).
    title_derived: bool = False
    # "corpus" when the date's year came from the corpus, "unknown" when a
    # date without a year found none: the index reads such files again when
    # dated reports arrive.
    year_from: str = ""


@dataclass
class DraftParagraph:
    kind: str
    text: str
    section: str | None
    footnotes: tuple[int, ...]
    date: PartialDate | None  # the date this paragraph's own section gave it
    date_basis: str
    heading: str | None = None
    label: str | None = None
    markers: tuple[tuple[int, int], ...] = ()  # (offset in text, note number) of each marker


@dataclass
class DraftPart:
    """One source's part of a file (a file may hold several reports)."""

    number: int
    source: str | None = None
    title: str | None = None
    paragraphs: list[DraftParagraph] = field(default_factory=list)
    record_id: str | None = None
    url: str | None = None
    topics: tuple[str, ...] = ()
    endnotes: dict[int, Endnote] = field(default_factory=dict)
    standalone: bool = False


@dataclass
class FileDraft:
    """A parsed file whose dates may still need a year."""

    path: Path
    file_hash: str
    parts: list[DraftPart]
    file_date: PartialDate | None
    file_date_basis: str = "file's first date"
    warnings: list[str] = field(default_factory=list)
    # What report ids are made from: the path below the indexed folder
    # ("isw/2024-12-01"), so files of one name in two folders stay apart.
    report_name: str = ""
    # Set by the index when it reads an indexed file again for its year:
    # the dates its year-less paragraphs have in the index now.
    indexed_dates: list = field(default_factory=list)

    @property
    def needs_year(self) -> bool:
        """True when some date lacks a year and neither the file nor its name can supply one.

        Only then is the year inferred from the corpus: evidence printed on
        the page or in its name always comes first (#12).
        """
        return self.own_anchor() is None and find_year(self.path.name) is None and any(
            (p.date or self.file_date) is not None and (p.date or self.file_date).year is None
            for part in self.parts
            for p in part.paragraphs
        )

    def own_anchor(self) -> date | None:
        """A complete date written in the file itself, the first evidence for a year."""
        dates = [p.date.complete() for part in self.parts for p in part.paragraphs if p.date]
        if self.file_date is not None:
            dates.insert(0, self.file_date.complete())
        return next((d for d in dates if d is not None), None)

    def text(self) -> str:
        """All body text, for finding similar reports."""
        return "\n".join(p.text for part in self.parts for p in part.paragraphs)


__all__ = ["DraftParagraph", "DraftPart", "FileDraft", "ParagraphDoc", "SkipFile"]
