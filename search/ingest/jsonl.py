"""JSON Lines and JSON exports -> one :class:`ReportPage` per record.

Other tools export reports as records: ``.jsonl`` holds one JSON object per
line, ``.json`` one object or an array of them.  Each record needs ``text``
(a string, split into paragraphs like a plain-text report); ``id``,
``title``, ``date``, ``source``, ``url`` (strings) and ``topics`` (a list of
strings) are optional.  A bad record is left out with a warning naming its
line or position; the others are read.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .caps import MAX_PAGE_CHARS, cut_text, left_out_warning
from .page import ReportPage
from .reading import text_page  # the plain-text rules, shared with .txt files

OPTIONAL_TEXT_FIELDS = ("id", "title", "date", "source", "url")
# JSON may escape half of a surrogate pair on its own ("\\ud800"): valid JSON,
# but no UTF-8 encoding exists for it, so the index could not store the text.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def read_json_records(text: str, name: str) -> tuple[list[ReportPage], list[str]]:
    """Read the records of a ``.jsonl`` or ``.json`` file; return (pages, warnings)."""
    records: list[tuple[str, Any]] = []
    warnings: list[str] = []
    if name.lower().endswith(".jsonl"):
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((f"line {number}", json.loads(line)))
            except json.JSONDecodeError as err:
                warnings.append(f"line {number}: not JSON ({err.msg})")
            except RecursionError:
                warnings.append(f"line {number}: not read (nested too deeply)")
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            return [], [f"not JSON: {err.msg} at line {err.lineno}"]
        except RecursionError:
            return [], ["not read: JSON nested too deeply"]
        items = data if isinstance(data, list) else [data]
        records = [(f"record {i}", item) for i, item in enumerate(items, start=1)]
    pages: list[ReportPage] = []
    for where, record in records:
        if isinstance(record, dict) and isinstance(record.get("text"), str) and len(record["text"]) > MAX_PAGE_CHARS:
            record["text"], left_out = cut_text(record["text"])
            warnings.append(f"{where}: {left_out_warning(left_out)}")
        record, replaced = _without_surrogates(record)
        if replaced:
            warnings.append(f"{where}: {replaced} unpaired surrogate escape(s) such as \\ud800 replaced with U+FFFD")
        page, problem = _page(record)
        if problem:
            warnings.append(f"{where}: {problem}")
        else:
            page.origin = where
            pages.append(page)
    return pages, warnings


def _without_surrogates(record: Any) -> tuple[Any, int]:
    """``record`` with every lone surrogate in the fields read replaced by U+FFFD; and how many there were.

    Only a record's own strings and lists of strings are read (see
    :func:`_page`), so nothing deeper is walked.
    """
    if not isinstance(record, dict):
        return record, 0
    replaced = 0

    def clean(value: Any) -> Any:
        nonlocal replaced
        if isinstance(value, str) and not value.isascii():
            value, count = _LONE_SURROGATE.subn("\ufffd", value)
            replaced += count
        elif isinstance(value, list):
            value = [clean(item) if isinstance(item, str) else item for item in value]
        return value

    return {key: clean(value) for key, value in record.items()}, replaced


def _page(record: Any) -> tuple[ReportPage | None, str | None]:
    if not isinstance(record, dict):
        return None, "not a JSON object"
    body = record.get("text")
    if not isinstance(body, str) or not body.strip():
        return None, 'missing "text"'
    for key in OPTIONAL_TEXT_FIELDS:
        if record.get(key) is not None and not isinstance(record[key], (str, int)):
            return None, f'"{key}" must be a string'
    topics = record.get("topics") or []
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        return None, '"topics" must be a list of strings'
    page = text_page(body)
    page.record_id = str(record["id"]) if record.get("id") is not None else None
    page.title = record.get("title") or None
    page.date = str(record["date"]) if record.get("date") else None
    page.date_basis = "record" if page.date else ""
    page.source = record.get("source") or None
    page.url = record.get("url") or None
    page.topics = tuple(t for t in topics if t.strip())
    page.standalone = True
    return page, None
