"""Dates mentioned inside a paragraph: when the events it reports happened.

ISW writes "on December 13", "on the night of December 13 to 14",
"between December 10 and 12", "October 30" — almost never with a year.  The
year comes from the report's date: an event is reported on or before the
day of the report, so a month later than the report's month (plus a month of
slack for typos and forecasts) belongs to the previous year.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from ..dates import MONTHS, PartialDate, infer_year

# Longest first, so that "september" is tried before "sept".
_MONTH_LIST = sorted((m for m in MONTHS if len(m) > 3 or m == "may"), key=len, reverse=True)
# The letters a month can start with, case ignored; the long s "ſ" is an "s" then.
_FIRST_LETTERS = "".join(sorted({c for m in _MONTH_LIST for c in (m[0], m[0].upper())} | {"ſ"}))
# \b(september|…|may), written to start with a case-sensitive class of first
# letters: the regex engine then skips from one such letter to the next,
# where a pattern starting with \b or a case-insensitive word is tried at
# every position of the text (that took most of event_dates' time).  After
# the letter, (?<!\w.) checks that it starts a word, and "(?<=s)eptember"
# reads it again, case ignored, so the matches are the same.
_MONTH = (
    rf"(?P<month>(?-i:[{_FIRST_LETTERS}])(?<!\w.)"
    + "(?:" + "|".join(f"(?<={m[0]}){m[1:]}" for m in _MONTH_LIST) + "))"
)
# "December 13", "December 13-14", "December 13 to 14", "December 13 and 14",
# "December 13, 2024"; the optional second day makes a short range.
EVENT_DATE = re.compile(
    rf"{_MONTH}\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:\s*(?:-|–|to|and|through)\s*(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?)?"
    rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?(?!\d)",
    re.IGNORECASE,
)
MAX_RANGE_DAYS = 7


def event_dates(text: str, report_date: date | None) -> tuple[date, ...]:
    """Every date the paragraph mentions, sorted, with years completed.

    >>> event_dates("on the night of December 13 to 14", date(2024, 12, 15))
    (datetime.date(2024, 12, 13), datetime.date(2024, 12, 14))
    >>> event_dates("since October 30", date(2025, 1, 2))
    (datetime.date(2024, 10, 30),)
    """
    found: set[date] = set()
    for match in EVENT_DATE.finditer(text):
        found.update(_mention_dates(match.group("month", "day", "day2", "year"), report_date))
    return tuple(sorted(found))


@lru_cache(maxsize=4096)
def _mention_dates(
    groups: tuple[str, str, str | None, str | None], report_date: date | None
) -> tuple[date, ...]:
    """The days one mention names, from its (month, day, day2, year) groups.

    Remembered: the paragraphs of a report mention the same few days, and
    share the report's date.
    """
    month_name, day_text, day2_text, year_text = groups
    month = MONTHS.get(month_name.lower()) or _month_spelled_otherwise(month_name)
    day = int(day_text)
    if year_text:
        year = int(year_text)
    elif report_date is not None and _safe_date(2024, month, day):
        year = infer_year(PartialDate(month, day), report_date).year
    else:
        return ()
    first = _safe_date(year, month, day)
    if first is None:
        return ()
    if day2_text:
        last = _safe_date(year, month, int(day2_text))
        if last is not None and 0 < (last - first).days <= MAX_RANGE_DAYS:
            return tuple(date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1))
    return (first,)


def _month_spelled_otherwise(name: str) -> int:
    """The month of a name the pattern matched with letters ``lower()`` leaves apart.

    Matching ignores case as Unicode folds it: "ſeptember" (long s) and
    "aprıl" (dotless i) match, but are not keys of ``MONTHS``.
    """
    return next(MONTHS[m] for m in _MONTH_LIST if re.fullmatch(m, name, re.IGNORECASE))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
