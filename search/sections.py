"""Canonical section names: one facet value for a heading and its day-to-day variants.

ISW writes the same heading a little differently every day: "Key
Takeaways", "Key ISW takeaways as of December 14", "#2. Russian Main
Effort – Eastern Ukraine (comprised of two subordinate …)", "Russian Main
Effort—Eastern Ukraine:".  A facet is only useful if those are one value, so
headings are cleaned (numbering, dash variants, trailing colons, bracketed
remarks removed) and looked up in :data:`CANONICAL_SECTIONS`.  Headings not
in the table pass through cleaned, in their own case.

A top-level module because two stages need the same rule: ingest gives each
record its section with it, and the query stage, which may not import
ingest (tests/test_layout.py), reads a ``section:`` value or ``--section``
filter typed as the heading was written with it (#15).
"""

from __future__ import annotations

import re

# Canonical name -> the words its variants reduce to (see _key).
CANONICAL_SECTIONS: dict[str, list[str]] = {
    "Key Takeaways": ["key takeaways", "key isw takeaways", "key takeaway", "takeaways"],
    "Immediate items to watch": ["immediate items to watch", "items to watch"],
    "Russian Main Effort—Eastern Ukraine": ["russian main effort eastern ukraine", "russian main effort"],
    "Russian Subordinate Main Effort": [
        "russian subordinate main effort", "russian subordinate main effort capture the remainder of donetsk oblast",
    ],
    "Russian Supporting Effort—Northern Axis": [
        "russian supporting effort northern axis", "russian supporting effort kharkiv axis",
        "russian supporting effort northern kharkiv axis",
    ],
    "Russian Supporting Effort—Southern Axis": ["russian supporting effort southern axis"],
    "Ukrainian Operations in the Russian Federation": [
        "ukrainian operations in the russian federation", "ukrainian incursion into kursk oblast",
        "ukrainian operations in russia",
    ],
    "Russian Air, Missile, and Drone Campaign": [
        "russian air missile and drone campaign", "russian air missile drone campaign",
        "russian air and missile campaign", "russian missile and drone strikes",
    ],
    "Mobilization and Force Generation Efforts": [
        "mobilization and force generation efforts", "russian mobilization and force generation efforts",
        "russian force generation efforts",
    ],
    "Russian Technological Adaptations": ["russian technological adaptations"],
    "Ukrainian Defense Industrial Efforts": [
        "ukrainian defense industrial efforts", "ukrainian defense industrial base efforts",
        "ukrainian defense industrial base",
    ],
    "Russian Defense Industrial Efforts": ["russian defense industrial efforts", "russian defense industrial base efforts"],
    "Activities in Russian-Occupied Areas": [
        "activities in russian occupied areas", "russian activities in occupied areas",
        "activities in occupied areas", "russian occupation efforts",
    ],
    "Russian Information Operations and Narratives": [
        "russian information operations and narratives", "russian information operations",
    ],
    "Significant Activity in Belarus": ["significant activity in belarus", "belarusian activity"],
}

_NUMBERING = re.compile(r"^\s*(?:#\s*\d+\.?|\d+[.)]|[ivxlc]+[.)]|[a-z][.)])\s+", re.IGNORECASE)
# A trailing remark, closed or cut off.  No part may run past the next
# bracket, and white space is matched where it starts: "\s*\([^)]*\)?\s*$"
# tried every split of a run of spaces (quadratic, #13).  The spaces left
# before a removed remark are stripped by _clean.
_BRACKETED = re.compile(r"\((?:[^()]*\)\s*|[^()]*)$")
_AS_OF = re.compile(r"(?<!\s)\s+(?:as of|for)\s+\w+\s+\d{1,2}(?:,?\s+\d{4})?\s*$", re.IGNORECASE)


def _clean(heading: str) -> str:
    text = " ".join(heading.split())
    text = _NUMBERING.sub("", text)
    text = _BRACKETED.sub("", text)
    return text.rstrip(" :.").strip()


def section_key(text: str) -> str:
    """The words a heading or label is compared by: no dateline, lower case, letters and digits only."""
    text = _AS_OF.sub("", text)
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("'", "")))


_LOOKUP = {variant: name for name, variants in CANONICAL_SECTIONS.items() for variant in variants}


def canonical_section(heading: str) -> str:
    """The one facet value for a heading and its day-to-day variants.

    >>> canonical_section("#2. Russian Main Effort – Eastern Ukraine (comprised of two subordinate efforts)")
    'Russian Main Effort—Eastern Ukraine'
    >>> canonical_section("Key ISW takeaways as of December 14")
    'Key Takeaways'
    >>> canonical_section("3) Humanitarian situation in Kherson:")
    'Humanitarian situation in Kherson'
    """
    cleaned = _clean(heading)
    return _LOOKUP.get(section_key(cleaned), cleaned or heading.strip())


__all__ = ["CANONICAL_SECTIONS", "canonical_section", "section_key"]
