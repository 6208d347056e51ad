"""Event dates mentioned in paragraphs (search/ingest/events.py) and endnotes (notes.py)."""

from __future__ import annotations

from datetime import date

import pytest

from search.ingest.events import event_dates
from search.ingest.notes import cited_domains, endnote_from_text, url_domain

REPORT = date(2024, 12, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian forces attacked on December 13.", [date(2024, 12, 13)]),
        ("on the night of December 13 to 14", [date(2024, 12, 13), date(2024, 12, 14)]),
        ("between December 10 and 12", [date(2024, 12, 10), date(2024, 12, 11), date(2024, 12, 12)]),
        ("since October 30", [date(2024, 10, 30)]),
        ("on January 3", [date(2025, 1, 3)]),  # the nearest January 3 to December 23, 2024
        ("on February 24, 2022", [date(2022, 2, 24)]),
        ("on February 30", []),
        ("the 2nd and 41st armies", []),
        ("may be", []),
    ],
)
def test_event_dates(text, expected):
    assert list(event_dates(text, REPORT)) == expected


def test_event_dates_need_a_report_date_for_years():
    assert event_dates("on December 13", None) == ()
    assert event_dates("on December 13, 2024", None) == (date(2024, 12, 13),)


def test_a_long_day_range_is_not_expanded():
    assert event_dates("December 1 to 30", REPORT) == (date(2024, 12, 1),)


def test_endnote_lines():
    note = endnote_from_text("[12] https://t.me/rybar/1 ; https://www.mil.ru/news.")
    assert (note.number, note.urls) == (12, ("https://t.me/rybar/1", "https://www.mil.ru/news"))
    assert endnote_from_text("[3] Russian forces advanced.") is None
    assert endnote_from_text("Russian forces [3] https://t.me/x") is None
    assert cited_domains([note]) == ("t.me", "mil.ru")
    assert url_domain("not a url") is None


@pytest.mark.parametrize("text", ["on ſeptember 5", "on SEPTEMBER 5", "on Sept 5"])
def test_month_names_that_fold_to_a_known_month(text):
    # The long s matches "s" when case is ignored; it used to stop the whole file with a KeyError.
    assert event_dates(text, REPORT) == (date(2024, 9, 5),)
