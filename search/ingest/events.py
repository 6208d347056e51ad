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

from ..dates import MONTHS, PartialDate, infer_year

_MONTH_NAMES = "|".join(sorted((m for m in MONTHS if len(m) > 3 or m == "may"), key=len, reverse=True))
# "December 13", "December 13-14", "December 13 to 14", "December 13 and 14",
# "December 13, 2024"; the optional second day makes a short range.
EVENT_DATE = re.compile(
    rf"\b(?P<month>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
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
        month = MONTHS[match.group("month").lower()]
        day = int(match.group("day"))
        if match.group("year"):
            year = int(match.group("year"))
        elif report_date is not None and _safe_date(2024, month, day):
            year = infer_year(PartialDate(month, day), report_date).year
        else:
            continue
        first = _safe_date(year, month, int(match.group("day")))
        if first is None:
            continue
        found.add(first)
        if match.group("day2"):
            last = _safe_date(year, month, int(match.group("day2")))
            if last is not None and 0 < (last - first).days <= MAX_RANGE_DAYS:
                found.update(date.fromordinal(n) for n in range(first.toordinal() + 1, last.toordinal() + 1))
    return tuple(sorted(found))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
