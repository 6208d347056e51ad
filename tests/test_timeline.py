"""The date histogram (search/timeline.py)."""

from __future__ import annotations

from datetime import date

from search.query.timeline import date_histogram


def test_short_spans_are_days_with_gaps_kept():
    timeline = date_histogram([("2024-12-14", 13), ("2024-12-23", 19)])
    assert timeline.bucket == "day" and len(timeline.bars) == 10
    assert [bar.count for bar in timeline.bars] == [13, 0, 0, 0, 0, 0, 0, 0, 0, 19]
    assert timeline.bars[0].label == "2024-12-14" and timeline.peak == 19


def test_months_of_reports_are_weeks_starting_monday():
    timeline = date_histogram([("2024-01-03", 1), ("2024-01-07", 2), ("2024-06-30", 5)])
    assert timeline.bucket == "week"
    first = timeline.bars[0]
    assert (first.start, first.end, first.count) == (date(2024, 1, 1), date(2024, 1, 7), 3)
    assert timeline.bars[-1].end == date(2024, 6, 30) and sum(b.count for b in timeline.bars) == 8


def test_years_of_reports_are_months_and_decades_are_years():
    timeline = date_histogram([("2022-02-24", 4), ("2025-11-02", 1)])
    assert timeline.bucket == "month" and len(timeline.bars) == 46
    assert timeline.bars[0].to_json() == {"start": "2022-02-01", "end": "2022-02-28", "count": 4}
    assert date_histogram([("2001-01-01", 1), ("2024-01-01", 1)]).bucket == "year"


def test_nothing_to_show():
    assert date_histogram([]).bars == [] and date_histogram([("bad", 3), ("2024-01-01", 0)]).bars == []
