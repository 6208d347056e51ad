"""Report files on disk: finding them, reading their bytes, handing them to the reader of their format.

Also how a file is named in the index: its content hash, its stored path and
the name its report ids are made from.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from ..taxonomy import Taxonomy
from .page import ReportPage
from .reading import draft_from_pages, text_page
from .records import FileDraft, SkipFile

# What each reader takes; anything else is skipped with its reason.
READABLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".jsonl", ".json", ".pdf")
MAX_FILE_BYTES = 20 * 1024 * 1024
# An export of many reports is one file: JSON Lines may be larger.
MAX_RECORDS_FILE_BYTES = 512 * 1024 * 1024


def file_hash(data: bytes) -> str:
    """The content hash that tells a changed file from an unchanged one."""
    return hashlib.sha256(data).hexdigest()[:20]


def stored_path(path: Path | str) -> str:
    """A file's path as the index stores and prints it: valid UTF-8 whatever the file system holds.

    A name that is not UTF-8 (``bad\\xff.txt`` written by another system)
    reaches Python with surrogate escapes, which no UTF-8 field can store;
    its undecodable bytes are written as ``\\xff`` instead.  Every other
    path is ``str(path)`` unchanged.
    """
    text = str(path)
    if text.isascii():
        return text
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def decode_report(data: bytes) -> tuple[str, str | None]:
    """Bytes -> text, with a warning when the encoding had to be guessed.

    :raises SkipFile: the bytes are binary or empty.
    """
    if not data.strip():
        raise SkipFile("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            raise SkipFile("starts like UTF-16 but is not valid UTF-16") from None
    if b"\x00" in data[:8192]:
        raise SkipFile("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        # Reports saved on Windows are usually cp1252; it decodes any byte.
        return data.decode("cp1252", errors="replace"), "not UTF-8; read as Windows-1252"


def slug(text: str) -> str:
    """A URL-safe id part: ``"ISW Dec 14.txt"`` -> ``"isw-dec-14-txt"``."""
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-") or "report"


def report_name(path: Path, roots: list[Path]) -> str:
    """The name a file's report ids are made from: its path below the outermost folder indexed.

    ``seeds/000_x.txt`` under ``seeds`` is ``000_x``; ``reports/isw/01.html``
    under ``reports`` is ``isw/01``, so ``reports/ocha/01.html`` gets other ids.

    >>> report_name(Path("/r/isw/01.html"), [Path("/r")]), report_name(Path("/r/a.txt"), [Path("/r/a.txt")])
    ('isw/01', 'a')
    """
    for root in sorted(roots, key=lambda r: len(r.parts)):
        try:
            relative = path.relative_to(root)
        except ValueError:
            continue
        if relative.parts:
            return str(relative.with_suffix("")) if relative.suffix else str(relative)
    return path.stem


def read_report_file(path: Path, taxonomy: Taxonomy, name: str | None = None) -> FileDraft:
    """Read and parse one report file of any supported format.

    ``name`` is what its report ids are made from (see :func:`report_name`);
    the file's name without its suffix by default.

    :raises SkipFile: the file is unreadable, binary, empty, too large or of
        an unsupported type; the message is the reason shown to the user.
    """
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise SkipFile(
            f"unsupported file type {path.suffix or '(none)'}; expected .txt, .md, .html, .json, .jsonl or .pdf"
        )
    try:
        size = path.stat().st_size
        limit = MAX_RECORDS_FILE_BYTES if suffix in (".jsonl", ".json") else MAX_FILE_BYTES
        if size > limit:
            raise SkipFile(f"larger than {limit // 2**20} MB")
        data = path.read_bytes()
    except OSError as err:
        raise SkipFile(f"cannot read: {err.strerror}") from None
    if suffix == ".pdf":  # a PDF is read from its bytes, not decoded as text
        from .pdf import read_pdf

        page, pdf_warnings = read_pdf(data, path.stem)
        draft = draft_from_pages([page], path, file_hash(data), taxonomy)
        draft.warnings.extend(pdf_warnings)
        draft.report_name = name or path.stem
        return draft
    text, warning = decode_report(data)
    warnings = [warning] if warning else []
    pages, found_warnings = _pages(suffix, text, path.name)
    warnings.extend(found_warnings)
    if not pages:
        raise SkipFile("; ".join(found_warnings) or "no report found")
    draft = draft_from_pages(pages, path, file_hash(data), taxonomy)
    draft.warnings.extend(warnings)
    draft.report_name = name or path.stem
    return draft


def _pages(suffix: str, text: str, name: str) -> tuple[list[ReportPage], list[str]]:
    """Hand the text to the reader for its format."""
    if suffix in (".html", ".htm"):
        from .html import read_html

        page = read_html(text)
        if page.error_page is not None:
            raise SkipFile(f"an error page ({page.error_page!r}), not a report")
        return [page], []
    if suffix in (".md", ".markdown"):
        from .markdown import read_markdown

        page = read_markdown(text)
        if page.error_page is not None:
            raise SkipFile(f"an error page ({page.error_page!r}), not a report")
        return [page], []
    if suffix in (".jsonl", ".json"):
        from .jsonl import read_json_records

        return read_json_records(text, name)
    return [text_page(text)], []


def find_report_files(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand files and directories (recursively) into report files.

    :returns: (files to read, [(path, reason)] for paths that cannot be read).
    """
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith("."):
                    files.append(child.resolve())
        elif path.is_file():
            files.append(path.resolve())
        else:
            skipped.append((path, "no such file or directory"))
    return files, skipped


__all__ = [
    "MAX_FILE_BYTES",
    "MAX_RECORDS_FILE_BYTES",
    "READABLE_SUFFIXES",
    "decode_report",
    "file_hash",
    "find_report_files",
    "read_report_file",
    "report_name",
    "slug",
    "stored_path",
]
