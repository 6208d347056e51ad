"""The checks every back end makes of a search request before it searches (#18: one set of rules).

The Whoosh reader (:mod:`~search.query.reader`, :mod:`~search.query.plan`)
and the cluster back end (:mod:`search.backends.opensearch`) answer the same
bad input with the same 400, word for word, because both call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import Settings
from ..dates import parse_date_bound
from ..errors import BadInput
from .parse import SORTS

MAX_DEPTH = 10_000  # page * per_page


@dataclass(frozen=True)
class DateBounds:
    """A request's report-date and event-date bounds, each end ``None`` when open."""

    start: date | None
    end: date | None
    event_start: date | None
    event_end: date | None


def check_paging(settings: Settings, page: int, per_page: int | None) -> int:
    """The page size to use (``settings.per_page`` when ``None``).

    :raises BadInput: the page size is out of range, the page below 1, or past the first :data:`MAX_DEPTH` hits.
    """
    per_page = settings.per_page if per_page is None else per_page
    if not 1 <= per_page <= settings.max_per_page:
        raise BadInput(f"per_page must be between 1 and {settings.max_per_page}")
    if page < 1:
        raise BadInput("page must be 1 or more")
    if page * per_page > MAX_DEPTH:
        # Deep pages cost a full ranking each; exports give whole result sets.
        raise BadInput(f"results past the first {MAX_DEPTH} cannot be paged to; narrow the search or export it")
    return per_page


def check_query(settings: Settings, q: str, sort: str) -> str:
    """``q`` (``""`` for ``None``) once its length and the sort are known to be allowed.

    :raises BadInput: the query is too long, or the sort unknown.
    """
    q = q or ""
    if len(q) > settings.max_query_length:
        raise BadInput(f"query is {len(q)} characters long; the limit is {settings.max_query_length}")
    if sort not in SORTS:
        raise BadInput(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
    return q


def date_bounds(date_from: str | None, date_to: str | None, event_from: str | None,
                event_to: str | None) -> DateBounds:
    """The bounds the four date boxes ask for.

    :raises BadDate: a box does not hold a date.
    :raises BadInput: a range ends before it starts.
    """
    start = parse_date_bound(date_from, end=False) if date_from else None
    end = parse_date_bound(date_to, end=True) if date_to else None
    if start and end and start > end:
        raise BadInput(f"'from' ({start}) is after 'to' ({end})")
    event_start = parse_date_bound(event_from, end=False) if event_from else None
    event_end = parse_date_bound(event_to, end=True) if event_to else None
    if event_start and event_end and event_start > event_end:
        raise BadInput(f"'event_from' ({event_start}) is after 'event_to' ({event_end})")
    return DateBounds(start, end, event_start, event_end)
