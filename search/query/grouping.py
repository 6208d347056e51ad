"""Hits grouped by report: each report's best few hits under one heading, reports paged (#16).

Groups are made across all matches, not within one page of hits, as a
search engine's "more results from this site" does: page 2 holds the next
reports, never the rest of a report already shown.  The reports come in
the order of their best hit in the chosen sort (best score for relevance,
report date for newest and oldest), and a report's hits in that same
order.  With collapse on, repeats are folded first, so a report holds the
distinct paragraphs ranked first in it, and its count counts those.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BadInput

GROUPINGS = ("report",)  # what ``group`` may be; None or "" is no grouping
GROUP_HITS = 3  # hits shown under each report heading; the rest are "N more in this report"


def check_grouping(group: str | None) -> str | None:
    """``group`` as the search runs it: "report", or None for a flat list.

    :raises BadInput: an unknown grouping.
    """
    if group in (None, ""):
        return None
    if group not in GROUPINGS:
        raise BadInput(f"group must be {' or '.join(GROUPINGS)}, not {group!r}")
    return group


@dataclass(frozen=True)
class GroupedNumbers:
    """One page of report groups as document numbers: what :func:`group_by_report` returns."""

    report_count: int  # reports holding a match, over all matches
    groups: list[tuple[np.ndarray, int]]  # per report on the page: its first document numbers, its match count


def group_by_report(ranked: np.ndarray, reports: np.ndarray, page: int, per_page: int,
                    per_group: int = GROUP_HITS) -> GroupedNumbers:
    """Group ``ranked`` (every match's document number, in result order) by report; one page of groups.

    ``reports`` gives each document's report as a number.  A report's
    place is that of its first document in ``ranked``, and its documents
    keep their order.

    >>> import numpy as np
    >>> found = group_by_report(np.array([4, 0, 5, 1]), np.array([0, 0, 1, 1, 2, 2]), 1, 10, 1)
    >>> found.report_count, [(d.tolist(), n) for d, n in found.groups]
    (2, [([4], 2), ([0], 2)])
    """
    of_ranked = reports[ranked]
    values, first = np.unique(of_ranked, return_index=True)
    in_order = values[np.argsort(first, kind="stable")]
    groups = []
    for report in in_order[(page - 1) * per_page : page * per_page]:
        docs = ranked[of_ranked == report]
        groups.append((docs[:per_group], int(docs.size)))
    return GroupedNumbers(report_count=int(values.size), groups=groups)


__all__ = ["GROUPINGS", "GROUP_HITS", "GroupedNumbers", "check_grouping", "group_by_report"]
