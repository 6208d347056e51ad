"""Dates as reports write them and as users type them (search/dates.py)."""

from __future__ import annotations

from datetime import date

import pytest

from search import BadDate
from search.dates import (
    PartialDate,
    date_in_file_name,
    find_heading_date,
    find_year,
    infer_year,
    parse_date_bound,
    parse_date_line,
)

TODAY = date(2025, 1, 10)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("December 23, 2024", PartialDate(12, 23, 2024)),
        ("  December 23, 2024  ", PartialDate(12, 23, 2024)),
        ("Dec. 23 2024", PartialDate(12, 23, 2024)),
        ("Monday, December 23, 2024", PartialDate(12, 23, 2024)),
        ("December 23rd", PartialDate(12, 23)),
        ("February 24, 3:00 pm EST", PartialDate(2, 24)),
        ("2024-12-14", PartialDate(12, 14, 2024)),
        ("sept 3", PartialDate(9, 3)),
        ("February 29", PartialDate(2, 29)),  # possible in a leap year: kept
        ("23 October 2025", PartialDate(10, 23, 2025)),  # day first, as UN agencies write it
        ("Thursday, 23 Oct. 2025", PartialDate(10, 23, 2025)),
        ("27th, OCTOBER, 2025", PartialDate(10, 27, 2025)),
        ("14 December", PartialDate(12, 14)),
        ("Friday 27 February 2026 - 08:01", PartialDate(2, 27, 2026)),  # a dash before the time (#12)
    ],
)
def test_parse_date_line_reads_datelines(line, expected):
    assert parse_date_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "On December 14, the Ukrainian Defense Intelligence Directorate reported",
        "Key ISW takeaways as of December 14",
        "February 30, 2024",  # no such day
        "Institute for the Study of War",
        "",
        "December 23, 2024 " + "x" * 60,  # too long to be a dateline
        "30 February 2024",
    ],
)
def test_parse_date_line_rejects_other_lines(line):
    assert parse_date_line(line) is None


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Key ISW takeaways as of December 14", PartialDate(12, 14)),
        ("Russian Offensive Campaign Assessment, December 23, 2024", PartialDate(12, 23, 2024)),
        ("Update 2024-12-01: Kursk", PartialDate(12, 1, 2024)),
        ("What is known about North Korean troops?", None),
        ("Key takeaways as of February 30", None),
        ("FLASH UPDATE N0.1 – as of 23 October 2025", PartialDate(10, 23, 2025)),
        ("Reporting Period: 22-24 October 2025", PartialDate(10, 24, 2025)),
        # The first date written wins, whichever way round it is written.
        ("1 December 2025 to February 4, 2026", PartialDate(12, 1, 2025)),
        ("December 1, 2025 to 4 February 2026", PartialDate(12, 1, 2025)),
        ("Update 2024-12-01, published 3 December 2024", PartialDate(12, 1, 2024)),
        ("10 Mayors of Donetsk Oblast", None),  # a month name must be a whole word
    ],
)
def test_find_heading_date(heading, expected):
    assert find_heading_date(heading) == expected


@pytest.mark.parametrize(
    ("name", "year"),
    [("isw-2024-12.txt", 2024), ("report_2019.txt", 2019), ("000_0dbb5635bfea498f.txt", None),
     ("20241214.txt", None), ("notes.txt", None)],
)
def test_find_year(name, year):
    assert find_year(name) == year


@pytest.mark.parametrize(
    ("partial", "anchor", "expected"),
    [
        (PartialDate(12, 14), date(2024, 12, 23), date(2024, 12, 14)),
        # Across the new year, in both directions.
        (PartialDate(1, 3), date(2024, 12, 23), date(2025, 1, 3)),
        (PartialDate(12, 30), date(2025, 1, 2), date(2024, 12, 30)),
        (PartialDate(12, 31), date(2025, 12, 30), date(2025, 12, 31)),
        # February 29 goes to the one leap year among the candidates.
        (PartialDate(2, 29), date(2025, 3, 1), date(2024, 2, 29)),
        (PartialDate(6, 1), date(2024, 6, 1), date(2024, 6, 1)),
    ],
)
def test_infer_year(partial, anchor, expected):
    assert infer_year(partial, anchor) == expected


def test_partial_date_complete():
    assert PartialDate(12, 14).complete() is None
    assert PartialDate(12, 14, 2024).complete() == date(2024, 12, 14)
    assert PartialDate(2, 29, 2023).complete() is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-12-01", date(2024, 12, 1), date(2024, 12, 1)),
        ("Dec 1 2024", date(2024, 12, 1), date(2024, 12, 1)),
        ("Dec 2024", date(2024, 12, 1), date(2024, 12, 31)),
        ("December 2024", date(2024, 12, 1), date(2024, 12, 31)),
        ("Feb 2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("last 30 days", date(2024, 12, 11), TODAY),
        ("past 2 weeks", date(2024, 12, 27), TODAY),
        ("last 1 month", date(2024, 12, 10), TODAY),
        ("Last 1 Year", date(2024, 1, 10), TODAY),
        ("today", TODAY, TODAY),
        ("yesterday", date(2025, 1, 9), date(2025, 1, 9)),
        ("Dec 5", date(2025, 12, 5), date(2025, 12, 5)),  # no year: this year, as typed
        ("2024-12", date(2024, 12, 1), date(2024, 12, 31)),
        ("12/2024", date(2024, 12, 1), date(2024, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_parse_date_bound(text, start, end):
    assert parse_date_bound(text, end=False, today=TODAY) == start
    assert parse_date_bound(text, end=True, today=TODAY) == end


@pytest.mark.parametrize("text", ["", "   ", "notadate", "2024-13-45", "last days", "Decembruary 5"])
@pytest.mark.parametrize("end", [False, True])
def test_parse_date_bound_rejects_bad_input(text, end):
    with pytest.raises(BadDate):
        parse_date_bound(text, end=end, today=TODAY)


@pytest.mark.parametrize("text", ["٢٠٢٤", "２０２４-12", "20٢٤-12-01", "last ١٢ days", "Dec ５ 2024", "2024-12-0²"])
@pytest.mark.parametrize("end", [False, True])
def test_parse_date_bound_wants_ascii_digits(text, end):
    # str.isdigit and re's \d accept other scripts' digits; a date a user types uses 0-9 (#13).
    with pytest.raises(BadDate, match="digits 0-9"):
        parse_date_bound(text, end=end, today=TODAY)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("27/02/2026 09:20", PartialDate(2, 27, 2026)),  # day first: 27 cannot be a month
        ("10/28/2025", PartialDate(10, 28, 2025)),  # month first, as PAHO writes it
        ("31.12.2025", PartialDate(12, 31, 2025)),
        ("03/04/2025", None),  # April 3 or March 4: not guessed
        ("31/02/2025", None),
        ("Date 10/28/2025", PartialDate(10, 28, 2025)),
        ("Published: 27 February 2026", PartialDate(2, 27, 2026)),
        ("As of 26 October 2025", PartialDate(10, 26, 2025)),
        ("September 25, 6 pm ET", PartialDate(9, 25, None)),
        ("Date line for Kursk", None),
    ],
)
def test_datelines_as_real_reports_print_them(line, expected):
    assert parse_date_line(line) == expected


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("4197637_20260101-FEWS-NET-ht-kmu-1770416313", PartialDate(1, 1, 2026)),  # YYYYMMDD
        ("6_1_2023___russian_offensive_campaign_assessment_january_6_2023", PartialDate(1, 6, 2023)),
        ("isw-2025-02-24", PartialDate(2, 24, 2025)),
        ("ht-kmu-1770416313", None),  # a timestamp is no date
        ("report-20251340", None),  # no thirteenth month
    ],
)
def test_dates_in_file_names(stem, expected):
    assert date_in_file_name(stem) == expected
