"""Report files -> :class:`ParagraphDoc` records.

Reading a file happens in two steps, because a date without a year can only
be completed with evidence from the rest of the corpus:

1. :func:`read_report_file` parses a file into a :class:`FileDraft`: its
   source parts, their paragraphs, sections and (possibly partial) dates.
2. :func:`paragraph_docs` turns a draft into records, given the ``anchor``
   date the caller found for it (see ``FileDraft.needs_year``).

Modules: :mod:`~search.ingest.files` (finding and reading files),
:mod:`~search.ingest.reading` (the rules all formats share),
:mod:`~search.ingest.paragraphs` (drafts -> records), one reader per format
(``html``, ``markdown``, ``jsonl``, ``pdf``; plain text in ``reading``), and
the parts they share (``page``, ``text``, ``caps``, ``notes``, ``sections``,
``events``, ``fingerprint``).

May import: the top-level modules of ``search`` (dates, taxonomy, errors,
numbers) and the third-party readers (pypdfium2, publicsuffixlist).  Never
whoosh, ``search.index``, ``search.query``, ``search.export`` or ``web``:
the index is the caller's business.
"""

from __future__ import annotations

from .files import (
    MAX_FILE_BYTES,
    MAX_RECORDS_FILE_BYTES,
    READABLE_SUFFIXES,
    decode_report,
    file_hash,
    find_report_files,
    read_report_file,
    report_name,
    slug,
    stored_path,
)
from .paragraphs import paragraph_docs
from .reading import draft_from_pages, parse_report_text, strip_footnotes, strip_markers, text_page
from .records import DraftParagraph, DraftPart, FileDraft, ParagraphDoc, SkipFile
from .text import Block

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_RECORDS_FILE_BYTES",
    "READABLE_SUFFIXES",
    "Block",
    "DraftParagraph",
    "DraftPart",
    "FileDraft",
    "ParagraphDoc",
    "SkipFile",
    "decode_report",
    "draft_from_pages",
    "file_hash",
    "find_report_files",
    "paragraph_docs",
    "parse_report_text",
    "read_report_file",
    "report_name",
    "slug",
    "stored_path",
    "strip_footnotes",
    "strip_markers",
    "text_page",
]
