"""search/numbers.py: a number a user types is the digits 0-9 and nothing else."""

from __future__ import annotations

import pytest

from search import BadInput
from search.numbers import first_foreign_digit, parse_whole_number


@pytest.mark.parametrize(("text", "number"), [("7", 7), (" 12 ", 12), ("007", 7), ("0", 0), ("0" * 30 + "5", 5)])
def test_ascii_digits_are_read(text, number):
    assert parse_whole_number(text, "page") == number


@pytest.mark.parametrize("text", ["", " ", "²", "١٢", "１", "1_0", "+3", "-1", "3.0", "1e3", "٣", "Ⅻ", "9" * 19, "9" * 5000])
def test_anything_else_is_bad_input(text):
    with pytest.raises(BadInput, match="page must be a whole number written with the digits 0-9"):
        parse_whole_number(text, "page")


def test_a_long_value_is_not_repeated_in_the_message():
    with pytest.raises(BadInput, match="not a 5000-character value$"):
        parse_whole_number("9" * 5000, "page")


@pytest.mark.parametrize(
    ("text", "message"),
    [("0", "page must be a whole number from 1 to 10, not '0'"), ("11", "page must be a whole number from 1 to 10, not '11'")],
)
def test_bounds(text, message):
    assert parse_whole_number("10", "page", minimum=1, maximum=10) == 10
    with pytest.raises(BadInput) as error:
        parse_whole_number(text, "page", minimum=1, maximum=10)
    assert str(error.value) == message


@pytest.mark.parametrize(("text", "found"), [("2024-12-01", None), ("٢٠٢٤", "٢"), ("Dec ５", "５"), ("x²", "²"), ("Ⅻ", "Ⅻ")])
def test_first_foreign_digit(text, found):
    assert first_foreign_digit(text) == found
