"""Canonical section names and ISW evidence labels.

ISW writes the same heading a little differently every day: "Key
Takeaways", "Key ISW takeaways as of December 14", "#2. Russian Main
Effort – Eastern Ukraine (comprised of two subordinate …)", "Russian Main
Effort—Eastern Ukraine:".  A facet is only useful if those are one value, so
headings are cleaned (numbering, dash variants, trailing colons, bracketed
remarks removed) and looked up in :data:`CANONICAL_SECTIONS`.  Headings not
in the table pass through cleaned, in their own case.

An evidence label opens a paragraph ("Assessed Russian advances: …",
"Unconfirmed claims: …"); :data:`EVIDENCE_LABELS` maps the spellings to one
label, so analysts can keep geolocated evidence apart from claims.
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

# Canonical label -> the openings that give it (compared without case and trailing colon).
EVIDENCE_LABELS: dict[str, list[str]] = {
    "Assessed Russian advances": ["assessed russian advances", "assessed russian advance"],
    "Assessed Ukrainian advances": ["assessed ukrainian advances", "assessed ukrainian advance"],
    "Unconfirmed claims": [
        "unconfirmed claims", "unconfirmed russian claims", "unconfirmed ukrainian claims", "unconfirmed claim",
    ],
    "Russian claims": ["russian claims", "russian claim"],
    "Ukrainian claims": ["ukrainian claims", "ukrainian claim"],
    "Order of battle": ["order of battle"],
    "Geolocated footage": ["geolocated footage", "geolocated evidence"],
    "Ukrainian reports": ["ukrainian reports"],
}
# A paragraph that only reports a claim, without a label: "Ukrainian forces
# reportedly …", "Russian milbloggers claimed …".
CLAIMS_LABEL = "Claims"
_CLAIM_OPENING = re.compile(
    r"^(?:russian|ukrainian)\s+(?:forces|sources|milbloggers?|officials|media|outlets|channels)\s+"
    r"(?:(?:also|recently|reportedly|additionally)\s+)?(?:reportedly|claimed|claim|alleged|allege)\b",
    re.IGNORECASE,
)

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


def _key(text: str) -> str:
    text = _AS_OF.sub("", text)
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("'", "")))


_LOOKUP = {variant: name for name, variants in CANONICAL_SECTIONS.items() for variant in variants}
_LABEL_LOOKUP = {variant: label for label, variants in EVIDENCE_LABELS.items() for variant in variants}
_LABEL_OPENING = re.compile(r"^\s*([A-Za-z][A-Za-z ]{2,40}?)\s*:\s+")


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
    return _LOOKUP.get(_key(cleaned), cleaned or heading.strip())


def evidence_label(text: str) -> tuple[str | None, str]:
    """The evidence label a paragraph opens with, and the paragraph unchanged.

    >>> evidence_label("Assessed Russian advances: Geolocated footage published on December 13 …")[0]
    'Assessed Russian advances'
    >>> evidence_label("Ukrainian forces reportedly struck a depot.")[0]
    'Claims'
    """
    opening = _LABEL_OPENING.match(text)
    if opening:
        label = _LABEL_LOOKUP.get(_key(opening.group(1)))
        if label:
            return label, text
    if _CLAIM_OPENING.match(text):
        return CLAIMS_LABEL, text
    return None, text
