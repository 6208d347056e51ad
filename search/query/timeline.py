"""A histogram of matching paragraphs over time, in calendar buckets.

The bucket follows the span of the matches (interval ``auto``): days up to
two months, ISO weeks (starting Monday) up to a year and a half, months
beyond.  A chosen interval (``day``, ``week``, ``month``, ``year``) is kept
unless it would draw more than :data:`MAX_CHOSEN_BARS` bars; then the next
coarser one is used, and ``bucket`` says which.  Empty buckets are kept, so
gaps in reporting show as gaps.  The counts come from the ``day`` facet,
which already counts every match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable


from ..errors import BadInput

DAY_SPAN = 62
WEEK_SPAN = 550
MAX_BARS = 120  # months beyond ten years are merged into years
INTERVALS = ("auto", "day", "week", "month", "year")
BUCKETS = INTERVALS[1:]
# A chosen interval past this many bars gives way to a coarser one: a bar
# narrower than a pixel cannot be seen, pointed at or read (#16).
MAX_CHOSEN_BARS = 400


@dataclass(frozen=True)
class Bar:
    start: date
    end: date
    count: int

    @property
    def label(self) -> str:
        return self.start.isoformat() if self.start == self.end else f"{self.start.isoformat()} – {self.end.isoformat()}"

    def to_json(self) -> dict[str, object]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "count": self.count}


@dataclass(frozen=True)
class Timeline:
    bucket: str  # "day", "week", "month" or "year": what the bars are
    bars: list[Bar]
    interval: str = "auto"  # what was asked for: "auto" or a bucket


    @property
    def peak(self) -> int:
        return max((bar.count for bar in self.bars), default=0)

    def to_json(self) -> dict[str, object]:
        return {"interval": self.interval, "bucket": self.bucket, "bars": [bar.to_json() for bar in self.bars]}


def _bucket_start(day: date, bucket: str) -> date:
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _next(start: date, bucket: str) -> date:
    """The start of the bar after the one starting at ``start`` (a bucket start: a Monday, a 1st, a 1 January)."""
    # Plain date arithmetic: relativedelta cost a page 3 ms over a few hundred bars.
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(days=7)
    if bucket == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def check_interval(interval: str) -> str:
    """``interval`` if it is one of :data:`INTERVALS`.

    :raises BadInput: any other value.
    """
    if interval not in INTERVALS:
        raise BadInput(f"interval must be one of {', '.join(INTERVALS)}, not {interval!r}")
    return interval


def _bar_count(first: date, last: date, bucket: str) -> int:
    if bucket == "day":
        return (last - first).days + 1
    if bucket == "week":
        return (_bucket_start(last, "week") - _bucket_start(first, "week")).days // 7 + 1
    if bucket == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def date_histogram(day_counts: Iterable[tuple[str, int]], interval: str = "auto") -> Timeline:
    """Bars over the span of ``(YYYY-MM-DD, count)`` pairs, per ``interval`` (``auto``: what the span calls for).

    :raises BadInput: ``interval`` is not one of :data:`INTERVALS`.
    """
    check_interval(interval)
    counts: dict[date, int] = {}
    for value, count in day_counts:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            continue
        counts[day] = counts.get(day, 0) + count
    counts = {d: c for d, c in counts.items() if c}
    if not counts:
        return Timeline("day" if interval == "auto" else interval, [], interval)
    first, last = min(counts), max(counts)
    if interval == "auto":
        span = (last - first).days
        bucket = "day" if span <= DAY_SPAN else "week" if span <= WEEK_SPAN else "month"
        if bucket == "month" and (last.year - first.year) * 12 + last.month - first.month >= MAX_BARS:
            bucket = "year"
    else:
        bucket = interval
        while bucket != "year" and _bar_count(first, last, bucket) > MAX_CHOSEN_BARS:
            bucket = BUCKETS[BUCKETS.index(bucket) + 1]
    totals: dict[date, int] = {}
    for day, count in counts.items():
        start = _bucket_start(day, bucket)
        totals[start] = totals.get(start, 0) + count
    bars = []
    start = _bucket_start(first, bucket)
    while start <= last:
        following = _next(start, bucket)
        bars.append(Bar(start, following - timedelta(days=1), totals.get(start, 0)))
        start = following
    return Timeline(bucket, bars, interval)
