"""The shape every report format is read into before paragraphs are made.

Each reader (plain text, saved web page, Markdown, JSON Lines) turns a file
into one or more :class:`ReportPage` objects: the body as a list of
:class:`~search.ingest.text.Block` plus what the format tells about the
report (title, date, URL, source, endnotes).  :mod:`search.ingest` then
applies the same rules to every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .text import Block


@dataclass(frozen=True)
class Endnote:
    """One numbered endnote: its text and the links in it."""

    number: int
    text: str
    urls: tuple[str, ...] = ()


@dataclass
class ReportPage:
    """One report as a reader found it.

    ``date`` is the raw date text (e.g. "February 24, 2025" or "2025-02-24")
    and ``date_basis`` says where it came from ("page metadata", "title",
    "dateline", "URL", "record"); both empty when the format gave none.
    """

    blocks: list[Block]
    title: str | None = None
    date: str | None = None
    date_basis: str = ""
    url: str | None = None
    source: str | None = None
    record_id: str | None = None
    topics: tuple[str, ...] = ()
    endnotes: dict[int, Endnote] = field(default_factory=dict)
    # A record among others in one file (JSON Lines): it never takes the
    # date of another record in the same file.
    standalone: bool = False
    # The title of an error page ("404 | Institute for the Study of War")
    # saved in place of a report: the file is skipped with it as the reason.
    error_page: str | None = None
    # A web page is one report: a date or a publisher's name further down
    # (a "related articles" list, a footer) neither starts another report
    # nor re-dates the text, as they do in pasted plain text.
    single_report: bool = False
    # Where the page is in its file ("line 3" of a JSON Lines file, "record 2"
    # of a JSON array), so that a warning about it names it; empty otherwise.
    origin: str = ""
