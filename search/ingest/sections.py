"""Canonical section names and ISW evidence labels.

Sections: :func:`canonical_section` lives in :mod:`search.sections`, which
the query stage shares to read a heading typed as written (#15).

An evidence label opens a paragraph ("Assessed Russian advances: …",
"Unconfirmed claims: …"); :data:`EVIDENCE_LABELS` maps the spellings to one
label, so analysts can keep geolocated evidence apart from claims.
"""

from __future__ import annotations

import re

from ..sections import CANONICAL_SECTIONS, canonical_section, section_key

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

_LABEL_LOOKUP = {variant: label for label, variants in EVIDENCE_LABELS.items() for variant in variants}
_LABEL_OPENING = re.compile(r"^\s*([A-Za-z][A-Za-z ]{2,40}?)\s*:\s+")


def evidence_label(text: str) -> tuple[str | None, str]:
    """The evidence label a paragraph opens with, and the paragraph unchanged.

    >>> evidence_label("Assessed Russian advances: Geolocated footage published on December 13 …")[0]
    'Assessed Russian advances'
    >>> evidence_label("Ukrainian forces reportedly struck a depot.")[0]
    'Claims'
    """
    opening = _LABEL_OPENING.match(text)
    if opening:
        label = _LABEL_LOOKUP.get(section_key(opening.group(1)))
        if label:
            return label, text
    if _CLAIM_OPENING.match(text):
        return CLAIMS_LABEL, text
    return None, text


__all__ = ["CANONICAL_SECTIONS", "CLAIMS_LABEL", "EVIDENCE_LABELS", "canonical_section", "evidence_label"]
