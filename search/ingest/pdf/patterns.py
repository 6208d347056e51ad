"""The patterns and thresholds the PDF reader's steps share.

Bullets, list numbers, page numbers, compound words, titles, dates and font weights.
"""

from __future__ import annotations

import re


# Raised digits stand for a footnote number until the endnotes are known:
# then they become "[n]" markers, or plain digits (a "km2").
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_MARK_OPEN}(\\d{{1,3}}){_MARK_CLOSE}")
# Bullet signs, including the private-use code points that Symbol and
# Wingdings bullets come out as.
_BULLET = re.compile(r"^\s*(?:[•●▪■◦‣∙·○◆◇❖➢►▶✓✔➤□§\uf000-\uf0ff]\s*|[-–—*]\s+)")
# Word's second-level bullet is a Courier "o".
_SUB_BULLET = re.compile(r"^o\s+(?=[A-Z])")
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+(?=\S)")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*[|:]?\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|/|\|)\s*\d{1,4})?$|^page\s+[ivxlc]+$",
    re.IGNORECASE,
)
_FOOTNOTE_START = re.compile(r"^\s*(\d{1,3})(?:[.)]\s*|\s+|(?=[A-Z]))(?=\S)")
_HYPHENS = "-\u00ad\u2010\u2011"
# Second halves of compounds that a line may break after the hyphen of:
# "community-|based" keeps its hyphen, "humani-|tarian" loses it.
_COMPOUND_TAILS = frozenset(
    "based led related level term scale specific affected wide run up making free sensitive driven "
    "friendly income owned saving hit prone oriented like day year month week sized style time "
    "long term border wide old new standing setting sharing building focused centred centered "
    "responsive informed specific linked borne dependent".split()
)
# Endings that are not words of their own: a line that breaks before one
# broke a word ("humani-|tarian", "displace-|ment").
_WORD_ENDINGS = (
    "tion", "tions", "sion", "sions", "ment", "ments", "ness", "ity", "ities", "ance", "ances",
    "ence", "ences", "able", "ible", "ably", "ibly", "ally", "ical", "ism", "ist", "ists", "ous",
    "arian", "arians", "ular", "ative", "ized", "ised", "ization", "isation",
)
_WORDY = re.compile(r"[^\W\d_]{3,}")
_NUMBER_WORDS = re.compile(r"\b(?:million|billion|thousand|percent|usd|us\$|mt|km|people|households?)\b", re.IGNORECASE)
_GENERIC_TITLE = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint|excel)\b|untitled|powerpoint presentation|"
    r"presentation\d*|document\d*|slide\s*\d*|print|title)\b",
    re.IGNORECASE,
)
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
# Section names that head a first page in large type but do not name the report.
_SECTION_TITLE = re.compile(
    r"^(?:highlights|key (?:messages|figures|facts|highlights)|situation (?:overview|update|summary)|"
    r"summary|executive summary|contents|table of contents|in numbers|fast facts|overview|background|"
    r"(?:operational )?context|operational updates?)\s*:?$",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"^(?:(?:figure|fig\.|map|chart|graph|table|photo|image)\s*\d+\b|sources?\s*:|photo\s*(?:credit)?\s*:|©|\(c\)\s)",
    re.IGNORECASE,
)
# Numeric dates: read only when the day cannot be the month (29/10/2025, 10/29/2025).
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d\d)\b")
# Lines that say which date is the report's own.
_ISSUE_LABEL = re.compile(r"\b(?:published|issued|released|as of|as at|report date|date of (?:issue|publication))\b", re.IGNORECASE)
_DATE_LABEL = re.compile(r"^(?:as of|as at|reporting period|period covered|covering|date)\b", re.IGNORECASE)
_PERIOD = re.compile(r"\s+(?:to|until|through|-|–|—)\s+", re.IGNORECASE)
_MONTH_NAMES = (
    "January February March April May June July August September October November December".split()
)
_PDF_DATE = re.compile(r"^(?:D:)?((?:19|20)\d\d)(\d\d)(\d\d)")
MARGIN = 0.15  # the top and bottom of a page where running headers, footers and page numbers sit
SUPERSCRIPT_SIZE = 0.8  # a raised glyph this much smaller than its line is a superscript
COLUMN_GAP = 1.5  # a gap of this many font sizes inside a line separates two columns
SEGMENT_JOIN_GAP = 4.0  # in drawing order, pieces of one line this close are one line
