"""Blocks: consecutive lines of one column joined into paragraphs, headings and bullets.

A word broken with a hyphen at a line end is joined again.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..text import CHROME, TERMINAL
from .lines import Line, PageLines
from .order import _x_overlap
from .patterns import (
    _BULLET,
    _CAPTION,
    _COMPOUND_TAILS,
    _HYPHENS,
    _NUMBER_WORDS,
    _NUMBERED,
    _SUB_BULLET,
    _WORD_ENDINGS,
    _WORDY,
)


@dataclass
class _Draft:
    """A block being built from lines."""

    lines: list[Line]
    bullet: bool = False

    @property
    def last(self) -> Line:
        return self.lines[-1]


def _starts_item(text: str) -> bool:
    return bool(_BULLET.match(text) or _NUMBERED.match(text) or _SUB_BULLET.match(text))


def _item_text(text: str) -> str:
    """A list item's text without its bullet sign or number."""
    for sign in (_BULLET, _NUMBERED, _SUB_BULLET):
        if sign.match(text):
            return sign.sub("", text, count=1)
    return text


def _line_pitch(pages: list[PageLines], body_size: float) -> float:
    """The usual distance between the baselines of two lines of body text, per point of size."""
    pitches: Counter[float] = Counter()
    for page in pages:
        drawn = sorted(page.lines, key=lambda line: line.order)
        for a, b in zip(drawn, drawn[1:]):
            if abs(a.size - body_size) < 0.5 and abs(b.size - body_size) < 0.5 and _x_overlap(a, b):
                pitch = b.baseline - a.baseline
                if 0.8 * body_size < pitch < 3 * body_size:
                    pitches[round(pitch / body_size, 2)] += 1
    return pitches.most_common(1)[0][0] if pitches else 1.2


def _continues(block: _Draft, line: Line, pitch: float) -> bool:
    """True when ``line`` carries on the paragraph or bullet ``block``."""
    last = block.last
    if _BULLET.match(line.text) or _SUB_BULLET.match(line.text):
        return False
    if _NUMBERED.match(line.text) and (block.bullet or last.text.endswith(TERMINAL)):
        return False  # "2. Next item", but not "(IPC" / "5) to Emergency (IPC 4)"
    if abs(line.size - last.size) > 0.12 * last.size:
        return False
    left = min(l.x0 for l in block.lines)
    right = max(l.x1 for l in block.lines)
    if _carries_over(last, line):
        return True
    if not _x_overlap(last, line) and not (block.bullet and line.x0 > block.lines[0].x0):
        return False
    step = line.baseline - last.baseline
    if not 0 < step <= max(pitch * last.size * 1.3, last.size * 1.05 + 1.5):
        return False
    if last.bold and not line.bold and not block.bullet and all(l.bold for l in block.lines):
        words = sum(len(l.text.split()) for l in block.lines)
        if words <= 12 and last.x1 < max(right, line.x1) - 2 * last.size and not last.text.endswith((",", "-")):
            return False  # a bold heading line, then the plain text under it (not a bold first sentence)
    if len(block.lines) >= 2 and last.text.endswith((".", "!", "?", ":")) and last.x1 < right - 4 * last.size:
        return False  # a short last line ends the paragraph even without a gap
    if line.x0 > left + 1.5 * line.size and not block.bullet and last.text.endswith(TERMINAL):
        return False  # an indented first line
    return True


def _carries_over(last: Line, line: Line) -> bool:
    """True when a sentence cut at the foot of a column goes on at the top of the next."""
    return (
        line.page == last.page
        and not last.text.endswith(TERMINAL)
        and line.text[:1].islower()
        and line.bold == last.bold
        and abs(line.size - last.size) < 0.5
        and line.top < last.top
        and not _x_overlap(last, line)
    )


def _blocks(lines: list[Line], pitch: float) -> list[_Draft]:
    drafts: list[_Draft] = []
    for line in lines:
        if drafts and _continues(drafts[-1], line, pitch):
            drafts[-1].lines.append(line)
        else:
            drafts.append(_Draft([line], bullet=_starts_item(line.text)))
    return drafts


def _join_lines(texts: list[str], vocabulary: Counter[str]) -> str:
    """Join a block's lines, undoing hyphenation at line ends."""
    joined = texts[0]
    for text in texts[1:]:
        match = re.search(rf"(\w+)[{_HYPHENS}]$", joined)
        right = re.match(r"\w+", text)
        if match and right and not match.group(1).isdigit():
            left_word, right_word = match.group(1), right.group()
            if _join_hyphenated(left_word, right_word, joined[-1], vocabulary):
                joined = joined[:-1] + text
            else:
                joined = joined[:-1] + "-" + text
            continue
        joined = f"{joined} {text}"
    return joined


def _join_hyphenated(left: str, right: str, hyphen: str, vocabulary: Counter[str]) -> bool:
    """True when ``left-`` + ``right`` is one word broken by hyphenation, not a compound.

    Word and most office tools break lines only at spaces and at real
    hyphens: of the 49 hyphens that end a line in the 36 ReliefWeb PDFs
    measured, 47 belong to compounds ("pre-|positioned", "flood-|prone",
    "Port-au-|Prince").  So the hyphen stays unless the report itself
    writes the joined word, or the second half is only a word ending
    ("Displace-|ment").
    """
    if hyphen == "\u00ad":
        return True  # a soft hyphen is only ever a break
    whole, compound = f"{left}{right}".lower(), f"{left}-{right}".lower()
    if vocabulary[whole] or vocabulary[compound]:
        return vocabulary[whole] > vocabulary[compound]
    tail = right.lower()
    if left[:1].isupper() and left[1:2].isupper() or right[:1].isupper() or right[:1].isdigit():
        return False  # "COVID-|19", "Port-au-|Prince", "North-|West"
    return len(tail) <= 7 and tail.endswith(_WORD_ENDINGS) and tail not in _COMPOUND_TAILS


def _kind(draft: _Draft, text: str, body_size: float, body_bold: bool) -> str:
    size = max(line.size for line in draft.lines)
    words = text.split()
    bold = all(line.bold for line in draft.lines)
    if CHROME.match(text) or not _WORDY.search(_NUMBER_WORDS.sub("", text)):
        return "chrome"  # web-style chrome, or a bare figure from an infographic ("1,350", "4.1 million")
    if _CAPTION.match(text) and len(words) <= 25:
        return "chrome"  # "Figure 2: ...", "Source: REACH", "© UNICEF/2025": about a picture, not the report
    short = len(words) <= 20 and len(draft.lines) <= 3 and not text.endswith((".", ";", ","))
    # "1,250,000 people affected" in large type is a key figure, not a section.
    figure = re.match(r"^[\d.,]+%?\s+[a-z]", text) is not None
    if short and (size >= body_size * 1.15 or (bold and not body_bold)) and not draft.bullet and not figure:
        return "heading"
    if (_CONTACT.search(text) and len(words) <= 40) or (_EMAIL.search(text) and len(words) <= 25):
        # "For more information: www.unocha.org", "… Tel: +509 3996 4478 Email:
        # name@unicef.org", "• Reports Officer: Jane Roe (jane.roe@wfp.org)":
        # who to ask, not what happened, bulleted or not
        return "chrome"
    if ((_INDICATOR.match(text) or (_COUNT_LABEL.match(text) and not text.endswith(TERMINAL)))
            and len(words) <= 15 and not re.search(r"\d", text)):
        # A results table's row label ("# of volunteers equipped with PPE",
        # "% of feedback collected and addressed") without its figures
        return "chrome"
    if draft.bullet:
        return "bullet"
    if len(words) <= 3 and not re.search(r"\d", text) and not text.endswith(TERMINAL):
        return "chrome"  # a label from a map, chart or table ("Caribbean Sea", "Amber alert"), not a sentence
    if len(words) <= 6 and text.startswith("(") and text.endswith(")"):
        return "chrome"  # a map's region label in brackets ("(SUD south)", "(Northwest)")
    return "paragraph"


# The indicator column of a results table: "# of …", "#. of …", "# feedback channels", "% of …";
# "No. of …" and "Number of …" only without a sentence's end ("Number of arrivals fell.").
_INDICATOR = re.compile(r"^(?:#\.?\s|%\s+of\b)")
_COUNT_LABEL = re.compile(r"^(?:no\.?|number)\s+of\b", re.IGNORECASE)


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CONTACT = re.compile(r"\b(?:for (?:more|further) informations?|pour plus d.informations)\b.{0,120}?(?:@|www\.|https?://)",
                      re.IGNORECASE)
