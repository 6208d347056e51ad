"""A 1 MB line of one repeated character or short pattern is read in every format (#13).

Regular expressions that let a part of a match run past the start of the
next candidate are quadratic (or worse) on such a line: a Markdown line of
40,000 "[" took 4.5 s, one of 200,000 "[a](b" 69 s, an ATX heading of
20,000 "#" 18 s, a text line "subscribe to" + 1,000 spaces + "!" 2.4 s, all
while holding the index's write lock.  Each line below is read through the
whole ingest (reader, footnotes, dates, sections, tagging, fingerprints).

Speed is never asserted: the alarm below is a safety net so that a
quadratic regression fails in a minute instead of hanging the suite (a
linear read takes about a second).  ``python bench/pathological.py``
measures the time per format and character.
"""

from __future__ import annotations

import json
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest

from search.ingest import SkipFile, paragraph_docs, read_report_file
from search.ingest.caps import MAX_PARAGRAPH_CHARS

SIZE = 1_000_000
SAFETY_SECONDS = 60
SENTENCE = "Russian forces attacked near Pokrovsk on December 3, 2024."
# (what the line starts with, the unit repeated, what it ends with)
LINES = {
    "[": ("", "[", ""),
    "[a](b": ("", "[a](b", ""),
    "![": ("", "![", ""),
    "[^1": ("", "[^1", ""),
    "*a ": ("", "*a ", ""),
    "_a ": ("", "_a ", ""),
    "**a": ("", "**a", ""),
    "backticks": ("", "`", ""),
    "# then #": ("# ", "#", "x"),
    # A raw line joined to the one above is checked for web chrome as it is.
    "subscribe to, spaces": ("Russian forces attacked\nsubscribe to", " ", "!"),
    "( spaces )": ("A heading (", " ", ")x"),
    "()": ("A", "()", "x"),
    "spaces then [1]": ("x", " ", "[1]"),
    "-": ("", "-", ""),
    "digits": ("", "1", ""),
    "a": ("", "a", ""),
    "Dec 1 ": ("", "Dec 1 ", ""),
    "http://": ("", "http://", ""),
    "<": ("", "<", ""),
    "<!--": ("", "<!--", ""),
    "</": ("", "</", ""),
    "&#": ("", "&#", ""),
}


def report_text(fmt: str, line: str) -> str:
    """A report of format ``fmt``: one ordinary dated sentence, then ``line``."""
    if fmt == "txt":
        return f"December 3, 2024\n\n{SENTENCE}\n\n{line}\n"
    if fmt == "md":
        return f"---\ntitle: Long line\ndate: 2024-12-03\n---\n\n{SENTENCE}\n\n{line}\n"
    if fmt == "html":
        return f"<html><head><title>Long line</title></head><body><article><p>{SENTENCE}</p><p>{line}</p></article></body></html>"
    return json.dumps({"text": f"{SENTENCE}\n\n{line}", "date": "2024-12-03"}) + "\n"


@contextmanager
def safety_alarm(seconds: int):
    """Raise in the test after ``seconds``: a hung regex must fail the test, not the suite."""

    def stop(signum, frame):
        raise TimeoutError(f"still reading after {seconds} s: superlinear again?")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "jsonl"])
@pytest.mark.parametrize("name", list(LINES))
def test_a_megabyte_line_is_read(tmp_path: Path, taxonomy, fmt: str, name: str) -> None:
    start, unit, end = LINES[name]
    line = start + unit * ((SIZE - len(start) - len(end)) // len(unit)) + end
    path = tmp_path / f"long-line.{fmt}"
    path.write_text(report_text(fmt, line), encoding="utf-8")
    with safety_alarm(SAFETY_SECONDS):
        try:
            docs = paragraph_docs(read_report_file(path, taxonomy), taxonomy)
        except SkipFile as reason:  # only ever for want of paragraphs, and there is one
            pytest.fail(f"skipped: {reason}")
    assert any(SENTENCE[:40] in doc.text for doc in docs)
    assert all(len(doc.text) <= MAX_PARAGRAPH_CHARS for doc in docs)
