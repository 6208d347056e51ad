"""Numbers users type: page sizes, page numbers, ports, settings.

Python's ``str.isdigit`` is true for "²", "١٢" and "１", and ``int()``
accepts some of them (``int("١٢") == 12``) but not others
(``int("²")`` raises), and it also takes "1_000" and "+3".  A number a user
types is written with the ASCII digits 0-9 and nothing else, so one function
decides, for the web parameters, the command line and the settings alike.
"""

from __future__ import annotations

from .errors import BadInput

ASCII_DIGITS = frozenset("0123456789")
# More digits than any page, size or port can have; int() of a 5,000-digit
# string raises ValueError (Python's int_max_str_digits), so stop well before.
MAX_DIGITS = 18


def is_ascii_whole_number(text: str) -> bool:
    """True when ``text`` is one or more of the digits 0-9 and nothing else.

    >>> is_ascii_whole_number("12"), is_ascii_whole_number("١٢"), is_ascii_whole_number("²")
    (True, False, False)
    """
    return bool(text) and all(character in ASCII_DIGITS for character in text)


def parse_whole_number(text: str, name: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """The whole number ``text`` spells in the digits 0-9 (spaces around it are ignored).

    :param name: what the number is, for the message ("page", "--port").
    :raises BadInput: ``text`` holds anything but the digits 0-9 (other
        scripts' digits, superscripts, signs, "_" or a decimal point), has more
        than :data:`MAX_DIGITS` digits, or lies outside ``minimum``..``maximum``.
    """
    raw = text.strip()
    shown = repr(raw) if len(raw) <= 40 else f"a {len(raw)}-character value"
    if not is_ascii_whole_number(raw) or len(raw.lstrip("0")) > MAX_DIGITS:
        raise BadInput(f"{name} must be a whole number written with the digits 0-9, not {shown}")
    number = int(raw)
    if number < minimum or (maximum is not None and number > maximum):
        wanted = f"from {minimum} to {maximum}" if maximum is not None else f"of {minimum} or more"
        raise BadInput(f"{name} must be a whole number {wanted}, not {shown}")
    return number


def first_foreign_digit(text: str) -> str | None:
    """The first character of ``text`` that Python counts as a numeral but is not 0-9, if any.

    Dates and other numbers read from user input are refused when they hold
    one, rather than read as the number the character stands for.

    >>> first_foreign_digit("٢٠٢٤-01"), first_foreign_digit("2024-01")
    ('٢', None)
    """
    return next((character for character in text if character.isnumeric() and character not in ASCII_DIGITS), None)


__all__ = ["ASCII_DIGITS", "MAX_DIGITS", "first_foreign_digit", "is_ascii_whole_number", "parse_whole_number"]
