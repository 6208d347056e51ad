"""Dates as reports write them and as users type them.

Report dates come as full date lines ("December 23, 2024"), as dates without a
year inside headings ("Key ISW takeaways as of December 14"), or not at all.
A date without a year is kept as a :class:`PartialDate` until
:func:`infer_year` can anchor it to evidence; the year is never taken from
today, so re-indexing an old file always gives the same date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta

from .errors import BadDate
from .numbers import first_foreign_digit

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?", re.IGNORECASE)
# UN agencies and most of the world write the day first: "23 October 2025",
# "27th, OCTOBER, 2025", "as of 14 December".
DAY_MONTH = re.compile(rf"\b{_DAY},?\s+(?:of\s+)?{_MONTH}(?!\w)(?:,?\s+{_YEAR}\b)?", re.IGNORECASE)
ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")
# "27/02/2026 09:20", "10/28/2025": read only where day and month cannot be swapped.
NUMERIC_DATE = re.compile(r"(?<![\d/.])(?P<first>\d{1,2})[/.](?P<second>\d{1,2})[/.](?P<year>(?:19|20)\d\d)(?![\d/.])")
# What may stand around a date on a line of its own: a weekday, a time, a zone,
# and the dash or bar before the time ("Friday 27 February 2026 - 08:01").
_DATELINE_REST = re.compile(
    r"^[\s,.\-–—|]*(?:(?:date|dated|published|posted|updated|as\s+of)\s*:?)?[\s,]*"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?)?[\s,.\-–—|]*"
    r"(?:(?:\d{1,2}:\d\d\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?)\s*(?:[A-Z]{2,4})?)?[\s,.\-–—|]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PartialDate:
    """A calendar date whose year may be unknown."""

    month: int
    day: int
    year: int | None = None

    def complete(self) -> date | None:
        """The date, or None while the year is unknown or the day impossible."""
        if self.year is None:
            return None
        try:
            return date(self.year, self.month, self.day)
        except ValueError:
            return None


def _match_to_partial(match: re.Match[str]) -> PartialDate | None:
    month_text = match.group("month").lower()
    month = MONTHS.get(month_text) or (int(month_text) if month_text.isdigit() else 0)
    day = int(match.group("day"))
    year = int(match.group("year")) if match.group("year") else None
    candidate = PartialDate(month, day, year)
    probe_year = year if year is not None else 2024  # a leap year accepts Feb 29
    try:
        date(probe_year, month, day)
    except ValueError:
        return None
    return candidate


def parse_date_line(line: str) -> PartialDate | None:
    """Read a line that is only a date (a dateline), or return None.

    >>> parse_date_line("December 23, 2024")
    PartialDate(month=12, day=23, year=2024)
    >>> parse_date_line("February 24, 3:00 pm EST")
    PartialDate(month=2, day=24, year=None)
    """
    text = line.strip()
    if len(text) > 60:
        return None
    for pattern in (ISO_DATE, MONTH_DAY, DAY_MONTH, NUMERIC_DATE):
        match = pattern.search(text)
        if match is None:
            continue
        rest = text[: match.start()] + " " + text[match.end() :]
        if _DATELINE_REST.match(rest):
            return _numeric_partial(match) if pattern is NUMERIC_DATE else _match_to_partial(match)
    return None


def _numeric_partial(match: re.Match[str]) -> PartialDate | None:
    """``27/02/2026`` or ``10/28/2025``: only when the order is certain (one number is over 12)."""
    first, second, year = int(match.group("first")), int(match.group("second")), int(match.group("year"))
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first:
        month, day = first, second
    else:
        return None  # 03/04/2025: April 3 in Kyiv, March 4 in Washington
    try:
        date(year, month, day)
    except ValueError:
        return None
    return PartialDate(month, day, year)


def find_heading_date(heading: str) -> PartialDate | None:
    """The first date written inside a heading ("Key takeaways as of December 14").

    An ISO date wins; otherwise the first written date, month first
    ("December 14") or day first ("14 December 2025").

    >>> find_heading_date("FLASH UPDATE No. 1 - as of 23 October 2025")
    PartialDate(month=10, day=23, year=2025)
    """
    iso = ISO_DATE.search(heading)
    if iso is not None and (partial := _match_to_partial(iso)) is not None:
        return partial
    matches = [m for pattern in (MONTH_DAY, DAY_MONTH) for m in pattern.finditer(heading)]
    for match in sorted(matches, key=lambda m: m.start()):
        partial = _match_to_partial(match)
        if partial is not None:
            return partial
    return None


_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/|$)")


def date_in_url(url: str) -> str | None:
    """The date a report's address carries, as ``YYYY-MM-DD``, or None.

    >>> date_in_url("https://example.org/news/2026/2/27/story"), date_in_url("https://x.org/a-february-24-2025")
    ('2026-02-27', '2025-02-24')
    """
    match = _URL_DATE.search(url[:2000])
    if match:
        try:
            return date(int(match.group("y")), int(match.group("m")), int(match.group("d"))).isoformat()
        except ValueError:
            return None
    found = find_heading_date(re.sub(r"[-_/]+", " ", url[:2000]))
    if found is not None and found.complete() is not None:
        return found.complete().isoformat()
    return None


_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")


def date_in_file_name(stem: str) -> PartialDate | None:
    """A date a file's name carries: ``isw-2025-02-24``, ``…_january_6_2023``, ``4197637_20260101-FEWS-NET``.

    >>> date_in_file_name("4197637_20260101-FEWS-NET-ht-kmu-1770416313")
    PartialDate(month=1, day=1, year=2026)
    """
    found = find_heading_date(stem) or find_heading_date(re.sub(r"[-_.]+", " ", stem))
    if found is not None:
        return found
    compact = _COMPACT_DATE.search(stem)
    if compact is not None:
        candidate = PartialDate(int(compact.group(2)), int(compact.group(3)), int(compact.group(1)))
        return candidate if candidate.complete() else None
    return None


def find_year(text: str) -> int | None:
    """A plausible report year written in ``text`` (a file name), or None."""
    match = re.search(r"(?<!\d)(19[9]\d|20\d\d)(?!\d)", text)
    return int(match.group(1)) if match else None


def infer_year(partial: PartialDate, anchor: date) -> date:
    """Give ``partial`` the year that puts it closest to ``anchor``.

    A report dated "December 14" whose nearest evidence is December 23, 2024
    is 2024-12-14; one dated "January 3" near the same anchor is 2025-01-03.

    >>> infer_year(PartialDate(12, 14), date(2024, 12, 23))
    datetime.date(2024, 12, 14)
    >>> infer_year(PartialDate(1, 3), date(2024, 12, 23))
    datetime.date(2025, 1, 3)
    """
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidates.append(date(year, partial.month, partial.day))
        except ValueError:  # February 29 in a common year
            continue
    return min(candidates, key=lambda day: abs((day - anchor).days))


_RELATIVE = re.compile(
    r"^(?:last|past)\s+(?P<n>\d+)\s+(?P<unit>day|week|month|year)s?$", re.IGNORECASE
)


_NUMERIC_MONTH = re.compile(
    r"(?P<year>(?:19|20)\d\d)[-/.](?P<month>\d{1,2})|(?P<month2>\d{1,2})[-/.](?P<year2>(?:19|20)\d\d)"
)


def parse_date_bound(text: str, *, end: bool, today: date | None = None) -> date:
    """Read a from/to date a user typed.

    Accepts what python-dateutil reads ("2024-12-01", "Dec 1 2024"), a month
    or year alone ("Dec 2024", "2024": the first day for ``from``, the last for
    ``to``), and the relative forms "today", "yesterday" and "last N
    days|weeks|months|years".

    :param end: True for an upper bound (``to``), which widens partial dates to
        their last day.
    :raises BadDate: the text is not a date.
    """
    raw = " ".join(text.split())
    if not raw:
        raise BadDate("empty date; use a form like 2024-12-01, 'Dec 2024' or 'last 30 days'")
    # re's \d and dateutil read "٢٠٢٤" and "２０２４" as 2024; a typed date uses 0-9 (#13).
    foreign = first_foreign_digit(raw)
    if foreign:
        raise BadDate(f"cannot read {text!r} as a date: write its numbers with the digits 0-9, not {foreign!r}")
    today = today or date.today()
    lowered = raw.lower()
    if lowered == "today":
        return today
    if lowered == "yesterday":
        return today - timedelta(days=1)
    relative = _RELATIVE.match(lowered)
    if relative:
        number = int(relative.group("n"))
        unit = relative.group("unit")
        if end:
            return today
        delta = {
            "day": relativedelta(days=number),
            "week": relativedelta(weeks=number),
            "month": relativedelta(months=number),
            "year": relativedelta(years=number),
        }[unit]
        try:
            return today - delta
        except (ValueError, OverflowError):
            raise BadDate(f"{text!r} reaches back past the year 1") from None
    if re.fullmatch(r"(19|20)\d\d", raw):
        return date(int(raw), 12, 31) if end else date(int(raw), 1, 1)
    numeric_month = _NUMERIC_MONTH.fullmatch(raw)
    if numeric_month:  # "2024-12" or "12/2024": dateutil would read a day into it
        year = int(numeric_month.group("year") or numeric_month.group("year2"))
        month = int(numeric_month.group("month") or numeric_month.group("month2"))
        if not 1 <= month <= 12:
            raise BadDate(f"cannot read {text!r} as a date: there is no month {month}")
        first = date(year, month, 1)
        return first + relativedelta(day=31) if end else first
    has_day = bool(re.search(r"\b\d{1,2}\b(?!\d)", re.sub(r"\b(19|20)\d\d\b", "", raw)))
    try:
        # A year left out means this year, as a user typing "Dec 5" expects.
        first = dateutil_parser.parse(raw, default=datetime(today.year, 1, 1)).date()
    except (ValueError, OverflowError):
        raise BadDate(
            f"cannot read {text!r} as a date; use a form like 2024-12-01, 'Dec 2024' or 'last 30 days'"
        ) from None
    if end and not has_day:
        return first + relativedelta(day=31)
    return first

